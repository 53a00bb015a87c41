"""Validate a loaded document against its model; turn pydantic's errors into located problems."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from podpub.errors import Problem
from podpub.input.literals import misread_values, silent_numbers
from podpub.input.load import CLIP, Document

M = TypeVar("M", bound=BaseModel)

_YAML_READS = {
    "bool": "the boolean {value}",
    "int": "the number {value}",
    "float": "the number {value}",
    "null": "nothing (null)",
    "timestamp": "a date",
}


def validate(doc: Document, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate ``doc.data``; on failure return every problem, each located in the file."""
    if not isinstance(doc.data, dict):
        names: dict[type, str] = {list: "a list", str: "text"}
        kind = names.get(type(doc.data), f"a {type(doc.data).__name__}")
        return None, [doc.problem((), f"expected a mapping of fields, found {kind}")]
    misread = misread_values(doc, lambda path: _expects_whole_number(model, path))
    validated: M | None = None
    found: list[Problem] = []
    try:
        validated = model.model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        found = [
            _shorten(_problem(doc, model, err)) for err in errors if not _typo_echo(err, errors)
        ]
    said = {(p.line, p.column) for p in misread}  # one problem per value
    found = misread + [p for p in found if (p.line, p.column) not in said]
    said |= {(p.line, p.column) for p in found}
    found += silent_numbers(doc, lambda path: _is_other_field(model, path), said)
    return (None, found) if found else (validated, [])


# A quoted value long enough to drown the message it is quoted in (single-character
# repeats only: linear in time and memory on a megabyte of input).
_LONG_QUOTE = re.compile(rf"'[^'\n]{{{CLIP},}}'|\"[^\"\n]{{{CLIP},}}\"")


def _shorten(problem: Problem) -> Problem:
    """Never echo a huge input back: quoted values over CLIP characters are cut short."""

    def cut(text: str) -> str:
        text = _LONG_QUOTE.sub(lambda m: m.group()[: CLIP - 1] + "…" + m.group()[0], text)
        return text if len(text) <= 8 * CLIP else text[: 8 * CLIP] + "…"

    if len(problem.message) + len(problem.hint) + len(problem.field) <= 4 * CLIP:
        return problem
    return dataclasses.replace(
        problem, message=cut(problem.message), hint=cut(problem.hint), field=cut(problem.field)
    )


def _typo_echo(err: Any, errors: list[Any]) -> bool:
    """A missing field whose name is the did-you-mean of an unknown key beside it.

    ``nmae: Emma`` is one mistake, not two: report the unknown key with its fix only.
    """
    if err["type"] != "missing":
        return False
    parent, name = err["loc"][:-1], str(err["loc"][-1])
    return any(
        other["type"] == "extra_forbidden"
        and other["loc"][:-1] == parent
        and difflib.get_close_matches(str(other["loc"][-1]), [name], n=1, cutoff=0.6)
        for other in errors
    )


def _problem(doc: Document, model: type[BaseModel], err: Any) -> Problem:
    loc = _data_path(err["loc"], doc.data)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(sorted(allowed))}"
        return doc.problem(loc, f"unknown key {key!r}", hint, at_key=True)
    if kind == "missing":
        parent = loc[:-1]
        return doc.problem(
            loc, f"required field {loc[-1]!r} is missing", "add it", at_key=bool(parent)
        )
    mark = doc.locate(loc)
    message = err["msg"].removeprefix("Value error, ")
    hint = ""
    if mark.tag == "null" and mark.raw in ("", "~") and kind == "string_type":
        message, hint = "has no value", "write it after the colon, or remove the key"
    elif mark.tag in _YAML_READS and (
        (kind == "string_type" and _expects_text(model, loc))
        or (kind == "value_error" and "in quotes" in message)
    ):
        reads = _YAML_READS[mark.tag].format(value=err.get("input"))
        message = f"YAML reads {mark.raw!r} as {reads}, but this field is text"
        hint = f'write it in quotes: "{mark.raw}"'
    elif kind == "string_type":
        message = "expected text"
    elif kind == "bool_type":
        message = f"expected true or false, found {err.get('input')!r}"
        hint = "write true or false, without quotes"
    elif kind in {"int_type", "int_parsing"}:
        message = f"expected a whole number, found {err.get('input')!r}"
        hint = "write the number without quotes"
    return doc.problem(loc, message, hint)


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """pydantic adds validator names ('function-before[...]') to loc; keep only data keys."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and "[" not in part:
            path.append(part)  # a missing or unknown key
            node = None
    return tuple(path)


def _model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """The model inside ``list[X]``, ``X | None``, ``dict[str, X]`` or ``Annotated[X, ...]``."""
    for _ in range(6):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin is None or not args:
            return None
        if origin in (typing.Union, types.UnionType):
            # the model among the forms, if any (audio: a path, or remote audio's mapping)
            models = [m for m in map(_inner_model, args) if m is not None]
            annotation = models[0] if models else args[0]
        elif origin in (list, tuple, typing.Annotated):
            annotation = args[0]
        elif origin is dict:
            annotation = args[-1]
        else:
            return None
    return None


def _fields_at(model: type[BaseModel], path: tuple[str | int, ...]) -> list[str]:
    found = _model_at(model, path)
    return list(found.model_fields) if found else []


def _is_field(model: type[BaseModel], path: tuple[str | int, ...]) -> bool:
    """Whether ``path`` is a field of the model (not an unknown key, reported as such)."""
    while path and isinstance(path[-1], int):
        path = path[:-1]
    parent = _model_at(model, path[:-1]) if path else None
    return parent is not None and str(path[-1]) in parent.model_fields


def _is_other_field(model: type[BaseModel], path: tuple[str | int, ...]) -> bool:
    """A field of the model that does not hold a whole number (misread_values has those)."""
    return _is_field(model, path) and not _expects_whole_number(model, path)


def _expects_whole_number(model: type[BaseModel], path: tuple[str | int, ...]) -> bool:
    """Whether the field at ``path`` holds an integer (a list item: its list's type)."""
    while path and isinstance(path[-1], int):
        path = path[:-1]
    parent = _model_at(model, path[:-1]) if path else None
    field = parent.model_fields.get(str(path[-1])) if parent is not None else None
    if field is None:
        return False
    annotation = str(field.annotation)
    return re.search(r"\bint\b", annotation) is not None and "str" not in annotation


def _expects_text(model: type[BaseModel], loc: tuple[str | int, ...]) -> bool:
    parent = _model_at(model, loc[:-1])
    if parent is None or not loc or isinstance(loc[-1], int):
        return True
    field = parent.model_fields.get(str(loc[-1]))
    return field is not None and "str" in str(field.annotation)
