"""Read a YAML descriptor into plain Python data plus the position of every value.

This is the only module that imports PyYAML. It reads libyaml's event stream (the C
parser when available: nine times faster than the pure-Python one) and builds the data
itself, in one pass and without recursion, so that it can:

* keep each value's ``line:column`` for error messages (Dagster, RenderCV);
* refuse what a descriptor never needs and an attacker loves, each at the line and
  column where it is written: aliases (alias bombs), explicit tags (``!!python/object``),
  merge keys, duplicate keys (naming both lines), more than one document;
* stay bounded whatever the input: at most 1 MB read (from a regular file only: never a
  FIFO or ``/dev/zero``), 64 levels of nesting, 10,000 values and 50 problems per file,
  and never a long input echoed back in a message (``clip``);
* remember the raw text of every plain scalar, so a ``title: No`` that YAML turned
  into ``False`` can be reported with the fix ("write it in quotes").

A BOM and CRLF (or CR) line ends are read as the producer's editor meant them: lines and
columns in messages are those the editor shows.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from podpub.errors import PodpubError, Problem
from podpub.input.quoting import escape_fix, quote_fix, unclosed_quote_fix
from podpub.input.syntax import (
    deeper_line_hint,
    indentation_hint,
    missing_colon,
    missing_colon_before,
    unclosed_bracket,
)

MAX_DESCRIPTOR_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_VALUES = 10_000  # a real descriptor has a few hundred; the cap keeps memory and time bounded
MAX_PROBLEMS = 50  # per file: beyond that a file is not a descriptor with typos
CLIP = 60  # characters of a producer's value quoted back in a message

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BYTE_OFFSETS = _Loader is not yaml.SafeLoader  # libyaml reports reader errors in bytes
_resolver = yaml.resolver.Resolver()
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
# A tag written as one (`!include`, `!!python/object`), not the first word of a text.
_TAG_WORD = re.compile(r"(?:!|tag:)[a-z][a-z0-9_/:.,-]*")
_INT = "tag:yaml.org,2002:int"
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
# Plain text that a producer may have meant as a number (leading zero, YAML 1.2 octal).
_NUMBER_LIKE = re.compile(r"[-+]?0(?:[0-9_]+|o[0-7_]+)")
_NUMBER_FIRST = frozenset("-+0")  # the first character of every _NUMBER_LIKE
_SEQ = "tag:yaml.org,2002:seq"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    line: int
    column: int
    raw: str | None = None  # the source text of a plain scalar that YAML did not keep as text
    tag: str | None = None


# Where a value or key is written, as the loader keeps it: ``(line, column)``, or
# ``(line, column, raw, tag)`` (a :class:`Mark`'s fields, in order). Plain tuples, not
# Marks: a descriptor has a hundred of them, made, pickled into the cache and unpickled
# on every cold publish (a frozen dataclass costs 30 times a tuple to make, and pickles
# as a class reference and a dict of four names); a Mark is made only when asked for.
Position = tuple[Any, ...]


class _Marks(Mapping[Path_, Mark]):
    """A read-only view of a document's positions as :class:`Mark` objects."""

    __slots__ = ("_positions",)

    def __init__(self, positions: dict[Path_, Position]) -> None:
        self._positions = positions

    def __getitem__(self, path: Path_) -> Mark:
        return Mark(*self._positions[path])

    def __contains__(self, path: object) -> bool:
        return path in self._positions

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


@dataclass
class Document:
    """A loaded descriptor: its data and where each part of it stands in the file."""

    file: str
    data: Any
    positions: dict[Path_, Position] = field(default_factory=dict)
    key_positions: dict[Path_, Position] = field(default_factory=dict)
    # Values YAML may read otherwise than written (010, 0x1F, a comment): literals.py
    misread: list[Path_] = field(default_factory=list)

    @property
    def marks(self) -> Mapping[Path_, Mark]:
        """Where each value is written (with the raw text of the plain scalars YAML did
        not keep as text)."""
        return _Marks(self.positions)

    @property
    def key_marks(self) -> Mapping[Path_, Mark]:
        """Where each mapping key is written."""
        return _Marks(self.key_positions)

    def locate(self, path: Path_) -> Mark:
        """The mark of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        positions = self.positions
        while path:
            found = positions.get(path)
            if found is not None:
                return Mark(*found)
            path = path[:-1]
        found = positions.get(())
        return Mark(1, 1) if found is None else Mark(*found)

    def locate_key(self, path: Path_) -> Mark:
        """Where the key of ``path`` is written (errors about a key point at the key)."""
        found = self.key_positions.get(tuple(path))
        return Mark(*found) if found is not None else self.locate(path)

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


def clip(value: Any, limit: int = CLIP) -> str:
    """``repr`` of a producer's value, shortened: a message never echoes a huge input."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return repr(text[: limit - 1] + "…") + f" ({len(text):,} characters)"


# --- reading the file --------------------------------------------------------------


def load_file(path: Path, display: str) -> Document:
    """Load one descriptor; raise :class:`PodpubError` with located problems."""
    return load_bytes(read_descriptor(path, display), display)


def read_descriptor(path: Path, display: str) -> bytes:
    """The file's bytes: a regular file of at most MAX_DESCRIPTOR_BYTES, read without blocking.

    ``stat`` first, so a FIFO, a device (a link to ``/dev/zero``) or a folder is refused
    before it is opened; then at most one byte more than the cap is read, so a file that
    grows meanwhile cannot make podpub read without end.
    """

    def refuse(message: str, hint: str = "", line: int | None = None) -> PodpubError:
        return PodpubError([Problem(display, line, line and 1, "", message, hint)])

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise refuse(f"is {what}; a descriptor is a YAML file", "remove it or rename it")
        if st.st_size > MAX_DESCRIPTOR_BYTES:
            raise _too_big(display, st.st_size)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since stat
                raise refuse("is not a regular file; a descriptor is a YAML file")
            raw = _read_capped(fd, st.st_size, MAX_DESCRIPTOR_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise refuse(f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > MAX_DESCRIPTOR_BYTES:
        raise _too_big(display, len(raw))
    return raw


def _read_capped(fd: int, size: int, cap: int) -> bytes:
    """At most ``cap`` bytes of the file open as ``fd``, which had ``size`` bytes at its
    ``stat``.

    Read with ``os.read`` (a buffered file object around the descriptor cost as much
    as the read itself, for one read of 700 bytes). Asked for ``cap`` bytes at once,
    Python allocates a buffer of that size (a 1 MB ``mmap`` and ``mremap`` per
    descriptor of 700 bytes: 27 µs of CPU a file against 12, measured): the stat's size
    and one byte more are asked first, and only a file that grew since is read on, up
    to the cap."""
    chunks: list[bytes] = []
    got, want = 0, min(size + 1, cap)
    while got < cap:
        chunk = os.read(fd, want - got)
        if not chunk:
            break  # the end of the file
        chunks.append(chunk)
        got += len(chunk)
        if got == want and want == size + 1:  # it grew: read on, but never past the cap
            want = cap
    return b"".join(chunks)


def _too_big(display: str, size: int) -> PodpubError:
    return PodpubError(
        [
            Problem(
                display,
                1,
                1,
                "",
                f"file is {size:,} bytes or more; descriptors are capped at "
                f"{MAX_DESCRIPTOR_BYTES:,} bytes",
                "move long texts out or split the file",
            )
        ]
    )


def load_bytes(raw: bytes, display: str) -> Document:
    if len(raw) > MAX_DESCRIPTOR_BYTES:
        raise _too_big(display, len(raw))
    text = _decode(raw, display)
    doc = Document(display, None)
    problems: list[Problem] = []
    loader = _Loader(text)
    try:
        doc.data = _Builder(doc, problems, text.split("\n")).run(loader)
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(exc, text, display))
    except yaml.reader.ReaderError as exc:
        problems.append(_reader_problem(exc, text, display))
    except yaml.YAMLError as exc:
        problems.append(Problem(display, 1, 1, "", f"YAML syntax: {clip(str(exc), 200)}"))
    finally:
        loader.dispose()
    if problems:
        raise PodpubError(problems[:MAX_PROBLEMS] + _more(display, problems))
    return doc


def _more(display: str, problems: list[Problem]) -> list[Problem]:
    """One line saying the file was not read to its end, located where reading stopped."""
    if len(problems) <= MAX_PROBLEMS:
        return []
    where = problems[MAX_PROBLEMS]
    return [
        Problem(
            display,
            where.line,
            where.column,
            "",
            f"stopped reading after {MAX_PROBLEMS} problems in this file",
            "fix these first",
        )
    ]


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, display: str) -> Problem:
    lines = text.split("\n")
    far = _unclosed_quote(exc, text) or _far_cause(exc, lines)
    if far is not None:  # the parser stumbled far from the cause: name the cause
        far_line, far_column, misread, fix = far
        return Problem(display, far_line + 1, far_column + 1, "", f"YAML syntax: {misread}", fix)
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or str(exc)
    if exc.context:
        message = f"{exc.context}, {message}"
    line: int | None = mark.line + 1 if mark else None
    col: int | None = mark.column + 1 if mark else None
    hint = _syntax_hint(text, line, col)
    if "maximum nesting depth" in message:
        hint = f"descriptors need a few levels; podpub stops at {MAX_DEPTH}"
    elif "unknown escape character" in message and line is not None and line <= len(lines):
        hint = escape_fix(lines[line - 1])
    elif not hint and line is not None:
        quoted = quote_fix(lines[line - 1]) if line <= len(lines) else None
        if quoted is not None:  # a value that needed quotes: say so, not the parser's words
            message, hint = quoted
        else:
            before = missing_colon_before(lines, line - 1)
            if before is not None:  # a key without ':' above, read into this line
                at, column, misread, mended = before
                return Problem(display, at + 1, column + 1, "", f"YAML syntax: {misread}", mended)
            if exc.problem and "did not find expected" in exc.problem:
                hint = indentation_hint(lines, line - 1)
            elif exc.problem and "mapping values are not allowed" in exc.problem:
                hint = deeper_line_hint(lines, line - 1)
    return Problem(display, line, col, "", f"YAML syntax: {message}", hint)


def _far_cause(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str, str] | None:
    """The cause the parser marked as its context, lines before where it stopped: a key
    it scanned without finding its ':' (``date 2023-06-02 18:00``), a list or mapping
    opened with '[' or '{' and never closed on its line."""
    opened = exc.context_mark
    if opened is None or opened.line >= len(lines):
        return None
    found = None
    if exc.context == "while scanning a simple key":
        found = missing_colon(lines, opened.line)
    elif exc.context in ("while parsing a flow sequence", "while parsing a flow mapping"):
        stopped = exc.problem_mark
        if stopped is not None and stopped.line > opened.line:
            found = unclosed_bracket(lines, opened.line, opened.column)
    return None if found is None else (opened.line, *found)


def _unclosed_quote(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str] | None:
    """Where a quote left open starts (0-based line, column) and what to say of it, when
    that is what ``exc`` is about; else None.

    YAML reads a quoted value on to the next quote of its kind, over as many lines as it
    takes (``title: "First episode``, then ``start: "0:07"`` twenty lines down): the
    parser stumbles only there, or at the end of the file, with words ("did not find
    expected key") and a line that send the producer to the wrong place. Said so only
    when the error comes right where a quoted value spanning lines ends: a value
    quoted over two lines on purpose is valid YAML, and an error elsewhere is not its."""
    lines = text.split("\n")
    opened = exc.context_mark
    problem = exc.problem or ""
    if (
        exc.context == "while scanning a quoted scalar"  # libyaml's and PyYAML's words
        and ("end of stream" in problem or "document indicator" in problem)
        and opened is not None
    ):
        return (
            opened.line,
            opened.column,
            *unclosed_quote_fix(lines, opened.line, opened.column, None),
        )
    error = exc.problem_mark or exc.context_mark
    if error is None:
        return None
    spanning = None  # the last quoted value over several lines before the error
    try:  # pure Python (marks in characters, as the lines): an error's path only
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line > error.line:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ("'", '"')
                and token.end_mark.line > token.start_mark.line
            ):
                spanning = token
    except yaml.YAMLError:
        pass  # the scan stops at the same error: the tokens before it are what counts
    if spanning is None or not 0 <= error.line - spanning.end_mark.line <= 1:
        return None
    start, closed_on = spanning.start_mark, spanning.end_mark.line
    return start.line, start.column, *unclosed_quote_fix(lines, start.line, start.column, closed_on)


def _reader_problem(exc: yaml.reader.ReaderError, text: str, display: str) -> Problem:
    """A character YAML refuses in a file (a control character): its line and column."""
    position = exc.position
    if _BYTE_OFFSETS:
        position = len(text.encode("utf-8")[:position].decode("utf-8", "replace"))
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return Problem(
        display,
        line,
        column,
        "",
        f"the character U+{char:04X} is not allowed in a YAML file ({exc.reason})",
        "remove it; your editor may show it as a box or nothing",
    )


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
        before = raw[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        hint = "save the file as UTF-8"
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "the file is UTF-16; save it as UTF-8"
        raise PodpubError(
            [
                Problem(
                    display,
                    line,
                    column,
                    "",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    hint,
                )
            ]
        ) from None
    # CRLF and lone CR become LF: YAML reads them alike, and our own line counting
    # (non-UTF-8 bytes, control characters, tab hints) then agrees with the parser's.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- building the data from the event stream ----------------------------------------

_SCALAR = yaml.ScalarEvent
_ALIAS = yaml.AliasEvent
_MAPPING_START = yaml.MappingStartEvent
_NODE_EVENTS = frozenset((_SCALAR, yaml.SequenceStartEvent, _MAPPING_START, _ALIAS))
_END_EVENTS = frozenset((yaml.SequenceEndEvent, yaml.MappingEndEvent))

# The resolver's implicit tags of a plain scalar, by its first character (what
# Resolver.resolve looks up for every scalar, with its lists concatenated each time):
# a quoted or block scalar is text, and so is a plain one no pattern matches.
_IMPLICIT = _resolver.yaml_implicit_resolvers
_ANY_FIRST = tuple(_IMPLICIT.get(None, ()))
_BY_FIRST = {
    first: tuple(found) + _ANY_FIRST for first, found in _IMPLICIT.items() if first is not None
}
_ALWAYS_RESOLVE = bool(_resolver.yaml_path_resolvers)  # none in SafeLoader: never so


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The tag YAML gives the plain scalar ``value`` (as ``Resolver.resolve`` does).

    Remembered by text: the keys of every descriptor (``title``, ``start``…) and many of
    their plain values are the same few words, each tried against the resolver's
    patterns once per process instead of once per file."""
    for tag, pattern in _BY_FIRST.get(value[:1], _ANY_FIRST):
        if pattern.match(value):
            return str(tag)
    return _STR


class _Stop(Exception):
    """The file is beyond a bound: stop reading it (the problem is already recorded)."""


class _Frame:
    """A mapping or sequence being built (a plain class with slots: one per collection
    of every descriptor, made and read on every event)."""

    __slots__ = ("first", "is_key", "is_map", "key", "key_done", "path", "skip_value", "value")

    def __init__(
        self, path: Path_, value: dict[str, Any] | list[Any] | None, is_key: bool = False
    ) -> None:
        self.path = path
        self.value = value  # None: refused (its content is skipped)
        self.is_map = type(value) is dict
        self.key: str | None = None  # mapping: the key waiting for its value
        self.key_done = False  # mapping: a key was read (valid or not), its value comes next
        self.skip_value = False  # mapping: the key was refused; drop its value
        self.is_key = is_key  # a collection written as a mapping key (refused, skipped)
        self.first: dict[str, int] = {}  # mapping: the line of each key's first writing


class _Builder:
    """Builds plain data and marks from parser events, refusing what descriptors never need."""

    def __init__(self, doc: Document, problems: list[Problem], lines: list[str]) -> None:
        self.doc = doc
        self.problems = problems
        self.lines = lines  # the source, for the fix of a value that needed quotes
        self.anchors: dict[str, Problem] = {}  # the problem of each anchor, by name
        self.stack: list[_Frame] = []
        self.values = 0

    def run(self, loader: Any) -> Any:
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            self._empty()
        loader.get_event()  # DocumentStart
        try:
            root = self._document(loader)
        except _Stop:
            return None
        loader.get_event()  # DocumentEnd
        if loader.check_event(yaml.DocumentStartEvent):
            event = loader.get_event()
            self.problems.append(
                Problem(
                    self.doc.file,
                    event.start_mark.line + 1,
                    event.start_mark.column + 1,
                    "",
                    "YAML syntax: expected a single document in the stream, "
                    "but found another document",
                    "one descriptor per file: remove the '---' or split the file",
                )
            )
        if root is None and not self.problems:
            self._empty()
        return root

    def _empty(self) -> None:
        raise PodpubError(
            [Problem(self.doc.file, 1, 1, "", "file is empty", "write the descriptor's fields")]
        )

    def _document(self, loader: Any) -> Any:
        get_event, stack = loader.get_event, self.stack
        while True:
            event = get_event()
            kind = type(event)
            if kind is _SCALAR and stack and self._plain_scalar(stack[-1], event):
                continue
            if kind in _NODE_EVENTS:
                done, value = self._node(event, kind)
            elif kind in _END_EVENTS:
                frame = stack.pop()
                if frame.is_key:  # the refused key is over; its value comes next
                    stack[-1].key_done = True
                    continue
                done, value = True, frame.value
            else:  # DocumentEnd cannot come before the root is complete
                raise yaml.YAMLError(f"unexpected {kind.__name__}")
            if not done:
                continue
            if not stack:
                return value
            self._place(stack[-1], value)

    def _plain_scalar(self, parent: _Frame, event: Any) -> bool:
        """Read the scalar ``event`` of a mapping or sequence being built, as :meth:`_node`
        would, when it is what almost every event of a descriptor is: a key, or a value
        with neither anchor nor tag, read as text, in content that is not refused.
        Returns False, having done nothing, for any other event (:meth:`_node` reads it).

        The one loop every value of every descriptor goes through: written out here, so a
        value costs a few attribute reads instead of five method calls."""
        if event.anchor is not None or event.tag is not None or self.values >= MAX_VALUES:
            return False
        container = parent.value
        if container is None:  # refused content: its paths are "?" (_child_path)
            return False
        if parent.is_map:
            if not parent.key_done:
                self.values += 1
                self._plain_key(parent, event)
                return True
            key = parent.key
            if key is None or parent.skip_value:
                return False
            text = event.value
            if event.implicit[0] and _plain_tag(text) != _STR:
                return False  # a number, a date, a boolean, a null: _scalar
            path = (*parent.path, key)
        else:
            text = event.value
            if event.implicit[0] and _plain_tag(text) != _STR:
                return False
            path = (*parent.path, len(container))
        self.values += 1
        start = event.start_mark
        self.doc.positions[path] = (start.line + 1, start.column + 1)
        # 08, 0o12 (plain, YAML 1.1 keeps them as text): literals.py
        if text[:1] in _NUMBER_FIRST and not event.style and _NUMBER_LIKE.fullmatch(text):
            self._raw(path, text, "str")
            self.doc.misread.append(path)
        if parent.is_map:
            container[key] = text  # type: ignore[index, call-overload]
            parent.key, parent.key_done, parent.skip_value = None, False, False
        else:
            container.append(text)  # type: ignore[union-attr]
        return True

    def _plain_key(self, frame: _Frame, event: Any) -> None:
        """A scalar key without tag: what :meth:`_key` does with a key written once
        that is a word (not ``<<``, no tag); any other key is left to :meth:`_key`."""
        key = event.value
        plain = event.implicit[0]
        if (plain and (key == "<<" or _plain_tag(key) not in _SCALAR_TAGS)) or key in frame.first:
            self._key(frame, event, _SCALAR)
            return
        start = event.start_mark
        line = start.line + 1
        frame.first[key] = line
        self.doc.key_positions[(*frame.path, key)] = (line, start.column + 1)
        frame.key, frame.key_done, frame.skip_value = key, True, False

    def _problem(self, event: Any, path: Path_, message: str, hint: str = "") -> None:
        mark = event.start_mark
        where = format_path(path)
        if len(where) > 2 * CLIP:  # 64 levels of long keys: the start and end say enough
            where = where[:CLIP] + "…" + where[-CLIP:]
        self.problems.append(
            Problem(self.doc.file, mark.line + 1, mark.column + 1, where, message, hint)
        )
        if len(self.problems) > MAX_PROBLEMS:
            raise _Stop

    def _node(self, event: Any, kind: type) -> tuple[bool, Any]:
        """Start a node; return (complete, value) — collections complete at their end event."""
        self.values += 1
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.is_map and not parent.key_done:
            self._key(parent, event, kind)
            return False, None  # a key is not a value: nothing to place
        path = self._child_path(parent)
        start = event.start_mark
        self.doc.positions[path] = (start.line + 1, start.column + 1)
        if self.values > MAX_VALUES:
            self._problem(
                event,
                path,
                f"more than {MAX_VALUES:,} values in one descriptor",
                "a descriptor holds one episode; split the file",
            )
            raise _Stop
        if kind is _ALIAS:
            # An alias of an anchor written before is YAML's reuse; of none, text
            # that starts with '*' (`title: *Best`).
            reuse = self._drop_anchor_problem(event.anchor)
            if reuse or not self._needs_quotes(event, path):
                self._problem(
                    event,
                    path,
                    f"YAML aliases (*{event.anchor}) are not allowed",
                    "write the value out in full",
                )
            return True, None
        if event.anchor is not None:
            self._anchor(event, path)
        if kind is _SCALAR:
            return True, self._scalar(event, path)
        if len(self.stack) >= MAX_DEPTH:
            self._problem(event, path, f"nested deeper than {MAX_DEPTH} levels")
            raise _Stop
        is_map = kind is _MAPPING_START
        tag = event.tag
        if tag is None or tag == "!":
            tag = _MAP if is_map else _SEQ
        container: dict[str, Any] | list[Any] | None = {} if is_map else []
        if tag != (_MAP if is_map else _SEQ):
            self._problem(event, path, f"YAML tag {clip(tag)} is not allowed", "remove the tag")
            container = None
        self.stack.append(_Frame(path, container))
        return False, None

    def _anchor(self, event: Any, path: Path_) -> None:
        """An anchor is dropped from the value without a word: `title: &Co show` would
        publish "show". Refused, as aliases are (unless the line needed quotes)."""
        if not self._needs_quotes(event, path):
            self._problem(
                event, path, f"YAML anchors (&{event.anchor}) are not allowed", "remove it"
            )
        self.anchors[event.anchor] = self.problems[-1]

    def _child_path(self, parent: _Frame | None) -> Path_:
        if parent is None:
            return ()
        value = parent.value
        if parent.is_map:
            if parent.key is not None and not parent.skip_value:
                return (*parent.path, parent.key)
        elif value is not None:
            return (*parent.path, len(value))
        return (*parent.path, "?")  # inside refused content: a path nothing else uses

    def _key(self, frame: _Frame, event: Any, kind: type) -> None:
        """Read a mapping key. Only plain scalars are keys; anything else is refused."""
        frame.key_done = True
        frame.key, frame.skip_value = None, True
        line = event.start_mark.line + 1
        if kind is _SCALAR and event.value == "<<" and event.implicit[0]:
            self._problem(event, frame.path, "YAML merge keys (<<) are not allowed")
            return
        if kind is not _SCALAR or self._scalar_tag(event) not in _SCALAR_TAGS:
            self._problem(event, frame.path, "mapping keys must be plain words")
            if kind is not _SCALAR and kind is not _ALIAS:
                frame.key_done = False  # until the key's own content has been skipped
                self.stack.append(_Frame((*frame.path, "?"), None, is_key=True))
            return
        key = str(event.value)
        key_path = (*frame.path, key)
        first = frame.first.get(key)
        if first is not None:
            self._problem(
                event,
                key_path,
                f"duplicate key {clip(key)} (first written on line {first})",
                "keep only one of them",
            )
        else:
            frame.first[key] = line
            self.doc.key_positions[key_path] = (line, event.start_mark.column + 1)
            frame.key, frame.skip_value = key, False

    @staticmethod
    def _place(frame: _Frame, value: Any) -> None:
        container = frame.value
        if frame.is_map:
            if not frame.skip_value and frame.key is not None:
                container[frame.key] = value  # type: ignore[index, call-overload]
            frame.key, frame.key_done, frame.skip_value = None, False, False
        elif container is not None:
            container.append(value)  # type: ignore[union-attr]
        # a refused container: drop what it held

    def _drop_anchor_problem(self, anchor: str) -> bool:
        """An anchor that an alias uses is YAML's reuse, not text: the alias says it.
        Whether ``anchor`` was written before."""
        if anchor not in self.anchors:
            return False
        problem = self.anchors[anchor]
        for index, found in enumerate(self.problems):
            if found is problem:
                del self.problems[index]
                break
        return True

    def _needs_quotes(self, event: Any, path: Path_) -> bool:
        """Record the fix when the event's line is ``key: value`` that needed quotes."""
        fix = quote_fix(self._line_of(event))
        if fix is not None:
            self._problem(event, path, *fix)
        return fix is not None

    def _line_of(self, event: Any) -> str:
        number = event.start_mark.line
        return self.lines[number] if number < len(self.lines) else ""

    def _comment_after(self, event: Any) -> str | None:
        """``key: #1 Interview``: YAML reads an empty value and a comment; the comment."""
        rest = self._line_of(event)[event.start_mark.column :].strip()
        return rest if rest.startswith("#") else None

    @staticmethod
    def _scalar_tag(event: Any) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            if _ALWAYS_RESOLVE:
                return str(_resolver.resolve(yaml.ScalarNode, event.value, event.implicit))
            return _plain_tag(event.value) if event.implicit[0] else _STR
        return str(tag)

    def _scalar(self, event: Any, path: Path_) -> Any:
        tag = self._scalar_tag(event)
        if tag == _STR:
            value = event.value
            # 08, 0o12 (plain, YAML 1.1 keeps them as text): literals.py
            if value[:1] in _NUMBER_FIRST and not event.style and _NUMBER_LIKE.fullmatch(value):
                self._raw(path, value, "str")
                self.doc.misread.append(path)
            return value
        if tag not in _SCALAR_TAGS:
            # `!include notes.md` is a tag meant as one; `!Important news`, text.
            if _TAG_WORD.fullmatch(tag) or not self._needs_quotes(event, path):
                self._problem(event, path, f"YAML tag {clip(tag)} is not allowed", "remove the tag")
            return None
        plain = event.style in (None, "")  # libyaml gives "" for plain scalars
        if plain and event.value == "" and tag.endswith(":null"):
            comment = self._comment_after(event)
            if comment is not None:  # validate.py says the value is a comment, and the fix
                self._raw(path, comment, "comment")
                self.doc.misread.append(path)
                return None
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            # The tag's own constructor, not construct_object: that one caches every node.
            value = _constructor.yaml_constructors[tag](_constructor, node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            if tag.endswith(":timestamp"):
                self._problem(
                    event,
                    path,
                    f"{clip(event.value)} is not a real date ({exc})",
                    "check day and month",
                )
            else:
                kind = tag.rsplit(":", 1)[-1]
                what = "a number" if kind in ("int", "float") else f"a YAML {kind}"
                self._problem(event, path, f"cannot read {clip(event.value)} as {what}")
            return None
        # Plain scalars that YAML did not keep as text: remember what the producer typed.
        self._raw(path, event.value, tag.rsplit(":", 1)[-1])
        if tag == _INT and not _DECIMAL.fullmatch(event.value):  # 010, 0x1F: literals.py
            self.doc.misread.append(path)
        return value

    def _raw(self, path: Path_, raw: str, tag: str) -> None:
        """Keep, with the position of ``path``, the text the producer wrote (a Mark's
        ``raw``) and what YAML read it as (its ``tag``)."""
        line, column = self.doc.positions[path][:2]
        self.doc.positions[path] = (line, column, raw, tag)


# --- writing descriptors (podpub import) -----------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Descriptors as a producer would write them: keys in the given order, no anchors,
    multi-line text as literal blocks (readable and diffable; PyYAML falls back to a quoted
    scalar when a literal block cannot carry the text exactly)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: Any, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR, value, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: Any) -> str:
    """``data`` as YAML text that :func:`load_bytes` reads back to the same values."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
