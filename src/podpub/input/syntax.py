"""Where a YAML syntax error really is, when the parser stumbles lines after it.

YAML forgives a lot until it cannot: a key written without its ``:`` (``date
2023-06-02 18:00``) is read as text running on into the next line, and the parser only
stops at the next line's colon, with words ("mapping values are not allowed in this
context", "while scanning a simple key") that say nothing of the cause; a list opened
with ``[`` and not closed is read on to wherever a ``]`` may be. These functions read the
producer's lines and name the cause, on its own line, with the line mended as the fix.
Each answers only when the lines show that cause: otherwise the parser's own words
stand.

Plain text functions: the YAML reading itself stays in ``load.py``.
"""

from __future__ import annotations

import re

# ``key:`` (with a value or not), possibly as a list item's first key (``- role: …``).
_KEY = re.compile(r"^(?P<lead> *(?:- +)?)(?P<key>[A-Za-z_][\w-]*):(?:[ \t]|$)")
# A key's name alone, or followed by a value, with no colon after the name.
_BARE = re.compile(
    r"^(?P<lead> *(?:- +)?)(?P<key>[A-Za-z_][\w-]*)(?:[ \t]+(?P<rest>[^#\s].*?))?[ \t]*$"
)
# A line that opens a block of text (``summary: |``, ``- >-``): the lines under it are text.
_BLOCK_TEXT = re.compile(r"(?:^|[:\-][ \t]+)[|>][-+0-9]*[ \t]*(?:#.*)?$")


def missing_colon(lines: list[str], line: int) -> tuple[int, str, str] | None:
    """``(column, what YAML misread, the fix)`` when ``line`` (0-based) is a key written
    without its ``:`` among keys of the same mapping that have theirs (a key above or
    below it at the same column); None otherwise."""
    text = lines[line]
    if ": " in text or text.rstrip().endswith(":"):
        return None
    found = _BARE.match(text)
    if found is None:
        return None
    column = len(found["lead"])
    if not _beside_a_key(lines, line, column) or _in_block_text(lines, line):
        return None
    key, rest = found["key"], found["rest"]
    misread = (
        f"'{key}' has no ':' after it, so YAML does not read it as a key: it reads the "
        "line as text running on into the next one"
    )
    mended = found["lead"].lstrip() + f"{key}:" + (f" {rest}" if rest else "")
    return column, misread, f"write it with the colon: {mended}"


def missing_colon_before(lines: list[str], error: int) -> tuple[int, int, str, str] | None:
    """``(line, column, what YAML misread, the fix)`` for a key without its ``:`` on the
    lines from ``error`` (0-based: where the parser stopped) up to the first sound key
    above it, which YAML read into the error's line; None if there is none."""
    for line in range(min(error, len(lines) - 1), -1, -1):
        text = lines[line]
        if not text.strip() or _comment(text):
            continue
        found = missing_colon(lines, line)
        if found is not None:
            return line, *found
        if line < error and _KEY.match(text):
            return None  # a sound key: what went wrong is below it
    return None


def unclosed_bracket(lines: list[str], line: int, column: int) -> tuple[int, str, str] | None:
    """``(column, what YAML misread, the fix)`` for a list (``[``) or mapping (``{``)
    opened on ``line`` (0-based; at ``column`` as the parser marked it) and not closed
    on that line; None if it is closed there (the error is elsewhere)."""
    text = lines[line]
    if column >= len(text) or text[column] not in "[{":
        column = max(text.rfind("["), text.rfind("{"))  # the mark's column in other units
        if column < 0:
            return None
    mark = text[column]
    close = "]" if mark == "[" else "}"
    if close in text[column:]:
        return None
    kind = "list" if mark == "[" else "mapping"
    misread = (
        f"the {kind} opened with '{mark}' is not closed on its line: YAML reads on into the "
        f"next lines looking for its '{close}'"
    )
    return column, misread, f"close it on its line: {text.strip()}{close}"


def indentation_hint(lines: list[str], line: int) -> str:
    """The fix for a parser that found a line where it expected another key or list
    item of the same level: almost always that line's indentation, or the line's
    above it (0-based ``line``: where the parser stopped)."""
    if not 0 <= line < len(lines) or not lines[line].strip():
        return ""
    spaces = _indent(lines[line])
    above = next(
        (n for n in range(line - 1, -1, -1) if lines[n].strip() and not _comment(lines[n])),
        None,
    )
    keys = _KEY.match(lines[above]) if above is not None else None
    if above is None or keys is None or len(keys["lead"]) == spaces:
        return (
            f"check this line's indentation ({spaces} spaces) against the lines above: the "
            "keys of one item line up under its first key, and the items of one list start "
            "at the same column"
        )
    return (
        f"this line is indented {spaces} spaces, and the keys of line {above + 1} start "
        f"{len(keys['lead'])} spaces in: line up the keys of one item under its first key, "
        "and start the items of one list at the same column"
    )


def deeper_line_hint(lines: list[str], line: int) -> str:
    """The fix for a ``key: value`` line (0-based ``line``) indented deeper than the
    keys of the line above it: YAML reads it as the rest of that line's value, then
    stumbles on its colon."""
    if not 0 <= line < len(lines):
        return ""
    above = next(
        (n for n in range(line - 1, -1, -1) if lines[n].strip() and not _comment(lines[n])),
        None,
    )
    keys = _KEY.match(lines[above]) if above is not None else None
    if above is None or keys is None or _indent(lines[line]) <= len(keys["lead"]):
        return ""
    return (
        f"this line is indented {_indent(lines[line])} spaces, deeper than the keys of line "
        f"{above + 1} ({len(keys['lead'])} spaces): YAML reads it as the rest of that line's "
        "value; line it up with them"
    )


def _beside_a_key(lines: list[str], line: int, column: int) -> bool:
    """Whether a ``key:`` line at ``column`` is near ``line``, above or below it, before
    a line indented less (which ends the mapping)."""
    for step in (-1, 1):
        other = line + step
        while 0 <= other < len(lines):
            text = lines[other]
            if text.strip() and not _comment(text):
                found = _KEY.match(text)
                if found is not None and len(found["lead"]) == column:
                    return True
                if _indent(text) < column:
                    break
            other += step
    return False


def _in_block_text(lines: list[str], line: int) -> bool:
    """Whether ``line`` is inside a block of text (``summary: |``): the first line above
    it indented less opens one."""
    indent = _indent(lines[line])
    for above in range(line - 1, -1, -1):
        text = lines[above]
        if not text.strip() or _comment(text):
            continue
        if _indent(text) < indent:
            return _BLOCK_TEXT.search(text) is not None
    return False


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _comment(text: str) -> bool:
    return text.lstrip().startswith("#")
