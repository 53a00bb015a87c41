"""The fix for a value YAML misreads because it is not in quotes.

A producer writes ``title: Interview: Maria`` or ``title: @home`` as they would in any
text field; YAML reads the colon as another key, ``@`` as a reserved character, ``&`` as
an anchor, ``*`` as an alias, ``!`` as a tag, ``#`` as a comment, and a leading quote as
the whole value. The parser's own words ("mapping values are not allowed in this
context") do not say what to do; this module reads the producer's line and says it:
``put the title in quotes: title: "Interview: Maria"``.

Plain text functions: the YAML reading itself stays in ``load.py``.
"""

from __future__ import annotations

import re

# ``key: value`` on one line, possibly as a list item (``- role: Sound design``).
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][\w-]*):[ \t]+(?P<value>\S.*?)\s*$")

_STARTS = {
    "*": "an alias (a reference to an '&' anchor)",
    "&": "an anchor (a name given to a value)",
    "!": "a tag (a type given to a value)",
    "@": "a reserved character",
    "`": "a reserved character",
    "#": "the start of a comment",
    "%": "a directive",
    "|": "the start of a block of text",
    ">": "the start of a folded block of text",
}


def quoted(value: str) -> str:
    """``value`` as a YAML quoted scalar that reads back as exactly ``value``."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return "'" + value.replace("'", "''") + "'"


def quote_fix(line: str) -> tuple[str, str] | None:
    """(what YAML misread, the fix) for a ``key: value`` line whose value needs quotes;
    None when the line is not one (the parser's own message then stands)."""
    match = _KEY_VALUE.match(line)
    if match is None:
        return None
    key, value = match["key"], match["value"]
    cause = _cause(key, value)
    if cause is None:
        return None
    text = value
    if len(value) > 1 and value[0] in "\"'" and value[-1] == value[0]:
        text = value[1:-1].replace(value[0] * 2, value[0])  # the producer's own quotes
    return cause, f"put the {key} in quotes: {key}: {quoted(text)}"


def _cause(key: str, value: str) -> str | None:
    first = value[0]
    if first in "\"'":
        if len(value) > 1 and value[-1] == first:
            if first not in value[1:-1].replace(first * 2, ""):
                return None  # well quoted: the parser's own message is about something else
            return f"the {key} is in {_quote_name(first)}s and contains one: YAML ends it there"
        return (
            f"the {key} starts with a quote, so YAML reads only up to the closing quote "
            "and stumbles on the rest"
        )
    if first in _STARTS:
        return f"the {key} starts with {first!r}, which YAML reads as {_STARTS[first]}, not text"
    if ": " in value or value.endswith(":"):
        return f"the {key} contains ': ', which YAML reads as the start of another key"
    return None


def _quote_name(char: str) -> str:
    return "double quote" if char == '"' else "single quote"


def unclosed_quote_fix(
    lines: list[str], line: int, column: int, closed_on: int | None
) -> tuple[str, str]:
    """(what YAML misread, the fix) for a quote opened at ``column`` of ``line`` (both
    0-based) and not closed on that line: YAML reads on to the next such quote, on line
    ``closed_on`` (0-based; None: there is none, it reads to the end of the file), and
    the parser stumbles there, far from the quote the producer left open."""
    text = lines[line]
    match = _KEY_VALUE.match(text)
    key = match["key"] if match is not None and match.start("value") == column else "value"
    kind = _quote_name(text[column] if column < len(text) else '"')  # (a mark past the line)
    if closed_on is None:
        misread = (
            f"the {key}'s {kind} is never closed: YAML reads every line after it as the "
            f"{key}, looking for it"
        )
    else:
        misread = (
            f"the {key}'s {kind} is not closed on its line: YAML reads on to the next one "
            f"(line {closed_on + 1}) and takes lines {line + 1}-{closed_on + 1} as the {key}"
        )
    fixed = text[:column].lstrip() + quoted(text[column + 1 :].rstrip())
    return misread, f"close the quote on its line: {fixed}"


def escape_fix(line: str) -> str:
    """The fix for a backslash YAML refused in a double-quoted value of ``line`` (``title:
    "C:\\shows"``: in double quotes a backslash starts an escape such as ``\\n``): the
    value in single quotes, where a backslash is itself."""
    match = _KEY_VALUE.match(line)
    value = match["value"] if match is not None else ""
    if match is None or len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return "in double quotes a backslash starts an escape: write \\\\ for one backslash"
    text = value[1:-1]
    single = "'" + text.replace("'", "''") + "'"
    return (
        "in double quotes a backslash starts an escape (\\n, \\t …): put the value in "
        f"single quotes, where a backslash is itself: {match['key']}: {single}"
    )
