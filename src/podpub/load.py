"""Read a YAML descriptor into plain Python data plus the position of every value.

This is the only module that imports PyYAML. It composes the node tree (libyaml's C
parser when available: nine times faster than the pure-Python one) and builds the
data itself, so that it can:

* keep each value's ``line:column`` for error messages (Dagster, RenderCV);
* refuse what a descriptor never needs and an attacker loves: aliases (alias bombs),
  explicit tags (``!!python/object``), duplicate keys, files over the size cap;
* remember the raw text of every plain scalar, so a ``title: No`` that YAML turned
  into ``False`` can be reported with the fix ("write it in quotes").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from podpub.errors import PodpubError, Problem

MAX_DESCRIPTOR_BYTES = 1_000_000
MAX_DEPTH = 64

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

# Tags that the resolver gives plain scalars; everything else was written by hand.
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    line: int
    column: int
    raw: str | None = None  # the source text of a plain scalar that YAML did not keep as text
    tag: str | None = None


@dataclass
class Document:
    """A loaded descriptor: its data and where each part of it stands in the file."""

    file: str
    data: Any
    marks: dict[Path_, Mark] = field(default_factory=dict)
    key_marks: dict[Path_, Mark] = field(default_factory=dict)

    def locate(self, path: Path_) -> Mark:
        """The mark of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            mark = self.marks.get(path)
            if mark is not None:
                return mark
            path = path[:-1]
        return self.marks.get((), Mark(1, 1))

    def locate_key(self, path: Path_) -> Mark:
        """Where the key of ``path`` is written (errors about a key point at the key)."""
        mark = self.key_marks.get(tuple(path))
        return mark if mark is not None else self.locate(path)

    def problem(
        self, path: Path_, message: str, hint: str = "", level: str = "error", at_key: bool = False
    ) -> Problem:
        mark = self.locate_key(path) if at_key else self.locate(path)
        return Problem(self.file, mark.line, mark.column, format_path(path), message, hint, level)


def format_path(path: Path_) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_file(path: Path, display: str) -> Document:
    """Load one descriptor; raise :class:`PodpubError` with located problems."""
    try:
        size = path.stat().st_size
        if size > MAX_DESCRIPTOR_BYTES:
            raise PodpubError(
                [
                    Problem(
                        display,
                        1,
                        1,
                        "",
                        f"file is {size:,} bytes; descriptors are capped at "
                        f"{MAX_DESCRIPTOR_BYTES:,} bytes",
                        "move long texts out or split the file",
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise PodpubError(
            [Problem(display, None, None, "", f"cannot read file: {exc.strerror}")]
        ) from None
    return load_bytes(raw, display)


def load_bytes(raw: bytes, display: str) -> Document:
    text = _decode(raw, display)
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}, {message}"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        hint = _syntax_hint(text, line, col)
        raise PodpubError(
            [Problem(display, line, col, "", f"YAML syntax: {message}", hint)]
        ) from None
    except yaml.YAMLError as exc:
        raise PodpubError([Problem(display, 1, 1, "", f"YAML syntax: {exc}")]) from None
    except RecursionError:
        raise PodpubError([Problem(display, 1, 1, "", "YAML nesting is too deep")]) from None
    if root is None:
        raise PodpubError(
            [Problem(display, 1, 1, "", "file is empty", "write the descriptor's fields")]
        )
    doc = Document(display, None)
    problems: list[Problem] = []
    doc.data = _build(root, (), doc, problems, set(), 0)
    if problems:
        raise PodpubError(problems)
    return doc


def _syntax_hint(text: str, line: int | None, col: int | None) -> str:
    if line is None or col is None:
        return ""
    lines = text.split("\n")
    if line <= len(lines) and "\t" in lines[line - 1][: col + 1]:
        return "YAML indents with spaces, never tabs"
    return ""


def _decode(raw: bytes, display: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        raise PodpubError(
            [
                Problem(
                    display,
                    line,
                    column,
                    "",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    "save the file as UTF-8",
                )
            ]
        ) from None
    # YAML itself accepts CRLF; a lone CR would shift every line number after it.
    return text.replace("\r\n", "\n")


def _build(
    node: yaml.Node, path: Path_, doc: Document, problems: list[Problem], seen: set[int], depth: int
) -> Any:
    mark = Mark(node.start_mark.line + 1, node.start_mark.column + 1)
    doc.marks[path] = mark
    if id(node) in seen:
        problems.append(
            doc.problem(
                path,
                "YAML aliases (*name) are not allowed",
                "write the value out in full",
                at_key=True,
            )
        )
        return None
    if depth > MAX_DEPTH:
        problems.append(doc.problem(path, f"nested deeper than {MAX_DEPTH} levels"))
        return None
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path, doc, problems, mark)
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            problems.append(doc.problem(path, f"YAML tag {node.tag!r} is not allowed"))
            return None
        return [
            _build(child, (*path, i), doc, problems, seen, depth + 1)
            for i, child in enumerate(node.value)
        ]
    if node.tag != _MAP:
        problems.append(doc.problem(path, f"YAML tag {node.tag!r} is not allowed"))
        return None
    result: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
            problems.append(doc.problem(path, "mapping keys must be plain words"))
            continue
        key = str(key_node.value)
        key_path = (*path, key)
        key_line = key_node.start_mark.line + 1
        if key == "<<":
            problems.append(doc.problem(path, "YAML merge keys (<<) are not allowed"))
            continue
        if key in first_line:
            line, col = key_line, key_node.start_mark.column + 1
            problems.append(
                Problem(
                    doc.file,
                    line,
                    col,
                    format_path(key_path),
                    f"duplicate key {key!r} (first written on line {first_line[key]})",
                    "keep only one of them",
                )
            )
            continue
        first_line[key] = key_line
        doc.key_marks[key_path] = Mark(key_line, key_node.start_mark.column + 1)
        result[key] = _build(value_node, key_path, doc, problems, seen, depth + 1)
    return result


def _scalar(
    node: yaml.ScalarNode, path: Path_, doc: Document, problems: list[Problem], mark: Mark
) -> Any:
    if node.tag not in _SCALAR_TAGS:
        problems.append(
            doc.problem(path, f"YAML tag {node.tag!r} is not allowed", "remove the tag")
        )
        return None
    if node.tag == _STR:
        return node.value
    try:
        value = _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        if node.tag.endswith(":timestamp"):
            problems.append(
                doc.problem(
                    path, f"{node.value!r} is not a real date ({exc})", "check day and month"
                )
            )
        else:
            problems.append(doc.problem(path, f"cannot read {node.value!r}: {exc}"))
        return None
    # Plain scalars that YAML did not keep as text: remember what the producer typed.
    doc.marks[path] = Mark(mark.line, mark.column, raw=node.value, tag=node.tag.rsplit(":", 1)[-1])
    return value
