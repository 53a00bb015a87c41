"""MkDocs hooks: the "Commands" and "Descriptor fields" pages are generated from the code.

The click command tree and the pydantic models are the single source of truth; the
pages hold a marker (``<!-- podpub:commands -->``, ``<!-- podpub:fields -->``) that
these hooks replace, so the reference cannot drift from ``--help`` and the models.
Pages other podpub work streams write (``OPTIONAL_PAGES``) stay in the nav only when
their file exists, and a link to one that is missing is kept as its plain text, so
``mkdocs build --strict`` passes before and after they land.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import types
import typing
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from podpub.cli import cli
from podpub.input.models import Episode, Show

COMMANDS_MARKER = "<!-- podpub:commands -->"
FIELDS_MARKER = "<!-- podpub:fields -->"

# Commands in the order a producer meets them; any other after them, by name.
WORKFLOW = (
    "init",
    "new",
    "import",
    "check",
    "serve",
    "publish",
    "deploy",
    "notify",
    "tag",
    "roles",
    "schema",
)

# Pages written by other work streams; listed in mkdocs.yml, dropped while missing.
OPTIONAL_PAGES = frozenset(
    {"serve.md", "deploy.md", "online.md", "import.md", "roles.md", "pages.md", "architecture.md"}
)


# --- MkDocs entry points -------------------------------------------------------------


def on_config(config: Any) -> Any:
    docs = Path(config["docs_dir"])
    config["nav"] = _present(config["nav"], docs)
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    markdown = unlink_missing(markdown, Path(config["docs_dir"]))
    if COMMANDS_MARKER in markdown:
        markdown = markdown.replace(COMMANDS_MARKER, commands_markdown())
    if FIELDS_MARKER in markdown:
        markdown = markdown.replace(FIELDS_MARKER, fields_markdown())
    return markdown


def _present(nav: list[Any], docs: Path) -> list[Any]:
    kept: list[Any] = []
    for entry in nav:
        if isinstance(entry, dict):
            ((title, value),) = entry.items()
            if isinstance(value, list):
                value = _present(value, docs)
                if value:
                    kept.append({title: value})
            elif value not in OPTIONAL_PAGES or (docs / value).is_file():
                kept.append(entry)
        elif entry not in OPTIONAL_PAGES or (docs / entry).is_file():
            kept.append(entry)
    return kept


# A Markdown link to a page of the docs folder: [text](page.md) or [text](page.md#anchor).
_PAGE_LINK = re.compile(r"\[([^\]]+)\]\(([\w-]+\.md)(#[^)\s]*)?\)")


def unlink_missing(markdown: str, docs: Path) -> str:
    """Links to optional pages not there yet become their text (strict builds refuse them)."""

    def keep_or_unlink(match: re.Match[str]) -> str:
        page = match.group(2)
        if page in OPTIONAL_PAGES and not (docs / page).is_file():
            return match.group(1)
        return match.group(0)

    return _PAGE_LINK.sub(keep_or_unlink, markdown)


# --- Commands: click's tree ----------------------------------------------------------


def walk_commands(
    group: click.Group = cli, prefix: str = "podpub"
) -> list[tuple[str, click.Command]]:
    """Every command under ``group`` as (full name, command), in the CLI's own order."""
    found: list[tuple[str, click.Command]] = []
    ctx = click.Context(group, info_name=prefix)
    names = group.list_commands(ctx)
    names = sorted(names, key=lambda n: (WORKFLOW.index(n) if n in WORKFLOW else len(WORKFLOW), n))
    for name in names:
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found += walk_commands(command, f"{prefix} {name}")
    return found


def commands_markdown() -> str:
    parts = [_command_section(name, command) for name, command in walk_commands()]
    return "\n".join(parts)


def _command_section(name: str, command: click.Command) -> str:
    ctx = click.Context(command, info_name=name)
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines = [
        f"## `{name}`",
        "",
        "```",
        f"{name} {usage}",
        "```",
        "",
        _paragraphs(command.help or ""),
        "",
    ]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    if arguments:
        names = ", ".join(f"`{p.make_metavar(ctx)}`" for p in arguments)
        lines += [f"Arguments: {names} (described above).", ""]
    options = [p for p in command.get_params(ctx) if isinstance(p, click.Option)]
    rows = [row for row in (p.get_help_record(ctx) for p in options) if row is not None]
    if rows:
        lines += ["| Option | What it does |", "|---|---|"]
        lines += [f"| `{_code_cell(opts)}` | {_cell(help_text)} |" for opts, help_text in rows]
        lines.append("")
    return "\n".join(lines)


def _paragraphs(text: str) -> str:
    """click's help text: paragraphs of wrapped lines, joined back for Markdown."""
    return "\n\n".join(_plain(" ".join(p.split())) for p in text.split("\n\n"))


_CODE_SPAN = re.compile(r"(`[^`]*`)")


def _plain(text: str) -> str:
    """Help text and descriptions shown as written: ``episodes/<date>-<slug>.yaml`` and
    ``<atom:link rel="hub">`` are words to read, not HTML tags for Markdown to swallow."""
    parts = _CODE_SPAN.split(text)
    return "".join(
        part if part.startswith("`") else html.escape(part, quote=False) for part in parts
    )


# --- Descriptor fields: the pydantic models ------------------------------------------


def walk_models(
    model: type[BaseModel] = Show, seen: list[type[BaseModel]] | None = None
) -> list[type[BaseModel]]:
    """``model`` and every model its fields hold, each once, in the order first met."""
    seen = [] if seen is None else seen
    if model in seen:
        return seen
    seen.append(model)
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            walk_models(inner, seen)
    return seen


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def fields_markdown() -> str:
    models = walk_models(Show, [])
    models = walk_models(Episode, models)
    return "\n".join(_model_section(model) for model in models)


_TITLES = {"Show": "`show.yaml`", "Episode": "`episodes/*.yaml`"}


def _model_section(model: type[BaseModel]) -> str:
    title = _TITLES.get(model.__name__, f"`{model.__name__}`")
    lines = [f"## {title} {{#{model.__name__.lower()}}}", ""]
    lines += [_paragraphs(model.__doc__ or "").replace("``", "`"), ""]
    lines += ["| Field | Type | Default | Description |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        lines.append(
            f"| `{name}` | {_cell(type_text(info.annotation, info.metadata))} "
            f"| {_cell(_default(info))} | {_cell(info.description or '')} |"
        )
    return "\n".join(lines) + "\n"


# Validators that give a plain str or float its meaning in a descriptor.
_MEANINGS = {
    "_check_url": "URL",
    "_check_email": "e-mail address",
    "_check_relative_path": "path in the show folder",
    "_parse_clock": 'time "H:MM:SS"',
    "_parse_date": "date or date and time",
    "_check_language": "language code",
    "_check_timezone": "IANA time zone",
    "_category": "Apple category",
    "_check_show_guid": "UUID",
    "_check_any_uuid": "UUID",
    "_check_rrule": "RRULE",
    "_check_transcript_file": "path in the show folder",
}

_SCALARS = {
    str: "text",
    int: "integer",
    float: "number",
    bool: "true / false",
    dt.date: "date",
    dt.datetime: "date and time",
}


def type_text(annotation: Any, metadata: Any = ()) -> str:
    """A field's type in the producer's words, nested models linked to their section."""
    for item in metadata:
        meaning = _MEANINGS.get(getattr(getattr(item, "func", None), "__name__", ""))
        if meaning:
            return meaning
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_text(args[0], args[1:])
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        texts = list(dict.fromkeys(type_text(a) for a in options))
        return " or ".join(texts)
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is dict:
        return f"mapping of {type_text(args[0])} to {type_text(args[1])}"
    if origin is typing.Literal:
        return " | ".join(f"`{a}`" for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    return getattr(annotation, "__name__", str(annotation))


def _default(info: Any) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()
        return (
            "none"
            if value in ([], {})
            else "see below"
            if isinstance(value, BaseModel)
            else repr(value)
        )
    if info.default is None or info.default is PydanticUndefined:
        return "none"
    if isinstance(info.default, bool):
        return str(info.default).lower()
    return f"`{info.default}`"


def _cell(text: str) -> str:
    return _plain(" ".join(text.split())).replace("|", "\\|")


def _code_cell(text: str) -> str:
    """A table cell's code span: its pipes do not split the row (Python-Markdown's tables
    skip code spans), and a backslash there would be shown as typed."""
    return " ".join(text.split())
