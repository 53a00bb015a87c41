"""Values YAML reads otherwise than the producer wrote them: never a silent change.

YAML 1.1 (PyYAML's dialect) reads ``number: 010`` as 8 (octal), ``0x1F`` as 31, ``1_000``
as 1000 and ``1:30`` as 90 (base 60); YAML 1.2 adds ``0o12`` for 10; and ``title: #1
Interview`` as an empty title followed by a comment. Where a whole number is expected:

* a leading zero (``010``, ``08``) is read as the decimal the producer wrote: 10, 8;
* the other forms are refused with the decimal to write, never read as YAML would;

and a value that YAML took for a comment is refused with the quotes that keep it.
The loader (``load.py``) records the producer's text of each such value in its mark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from podpub.errors import Problem
from podpub.input.load import Document, Path_
from podpub.input.quoting import quoted

_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_FORMS: tuple[tuple[re.Pattern[str], str, Callable[[str], int]], ...] = (
    (re.compile(r"[-+]?0o[0-7_]+"), "the octal (base 8) number", lambda t: _based(t, "0o", 8)),
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), "the hexadecimal number", lambda t: _based(t, "0x", 16)),
    (re.compile(r"[-+]?0b[01_]+"), "the binary number", lambda t: _based(t, "0b", 2)),
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+"), "the base-60 number", lambda t: _sixty(t)),
    (re.compile(r"[-+]?0[0-7_]+"), "the octal (base 8) number", lambda t: _based(t, "0", 8)),
    (re.compile(r"[-+]?[0-9][0-9_]*"), "the number", lambda t: _based(t, "", 10)),
)


def _sign(text: str) -> tuple[int, str]:
    return (-1, text[1:]) if text[:1] == "-" else (1, text.lstrip("+"))


def _based(text: str, prefix: str, base: int) -> int:
    sign, digits = _sign(text)
    return sign * int(digits.removeprefix(prefix).replace("_", ""), base)


def _sixty(text: str) -> int:
    sign, digits = _sign(text)
    value = 0
    for part in digits.replace("_", "").split(":"):
        value = value * 60 + int(part)
    return sign * value


def misread_values(doc: Document, is_whole_number: Callable[[Path_], bool]) -> list[Problem]:
    """Read leading-zero numbers as decimal (in ``doc.data``, in place); return a problem
    for each other number form in a whole-number field, and for each value taken for a
    comment. ``is_whole_number(path)``: whether the model wants an integer there."""
    problems: list[Problem] = []
    for path in doc.misread:
        mark = doc.marks[path]
        raw = mark.raw
        if raw is None or not path:
            continue
        if mark.tag == "comment":
            problems.append(_comment(doc, path, raw))
        elif mark.tag in ("int", "str") and not _DECIMAL.fullmatch(raw) and is_whole_number(path):
            if _LEADING_ZERO.fullmatch(raw):
                _put(doc.data, path, int(raw, 10))  # what the producer wrote: 010 is ten
            else:
                problem = _other_form(doc, path, raw)
                problems += [problem] if problem else []
    return problems


def silent_numbers(
    doc: Document, is_field: Callable[[Path_], bool], said: set[tuple[int | None, int | None]]
) -> list[Problem]:
    """Old number forms that another kind of field took without a word (an app id
    ``0123`` read as 83): each refused with the quotes that keep it as written.
    ``said``: the places already reported (a text field says it itself)."""
    problems: list[Problem] = []
    for path in doc.misread:
        mark = doc.marks[path]
        raw = mark.raw
        if (
            mark.tag == "int"
            and raw is not None
            and not _DECIMAL.fullmatch(raw)
            and (mark.line, mark.column) not in said
            and is_field(path)
        ):
            problems.append(
                doc.problem(
                    path,
                    f"YAML reads {raw!r} as the number {_value_at(doc.data, path)}",
                    f'write it in quotes to keep it as written: "{raw}"',
                )
            )
    return problems


def _value_at(data: Any, path: Path_) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node


def _comment(doc: Document, path: Path_, raw: str) -> Problem:
    if isinstance(path[-1], int):  # a list item: `- #1`
        fix = f"put it in quotes: - {quoted(raw)}"
    else:
        fix = f"put the {path[-1]} in quotes: {path[-1]}: {quoted(raw)}"
    return doc.problem(
        path, f"YAML reads {raw!r} as a comment ('#' starts one), so this field is empty", fix
    )


def _other_form(doc: Document, path: Path_, raw: str) -> Problem | None:
    for pattern, name, value_of in _FORMS:
        if pattern.fullmatch(raw):
            value = value_of(raw)
            key = next((str(p) for p in reversed(path) if isinstance(p, str)), "value")
            return doc.problem(
                path,
                f"YAML reads {raw!r} as {name} {value}; podpub takes a whole number only "
                "in plain decimal digits",
                f"write {key}: {value} if that is the number you mean",
            )
    return None


def _put(data: Any, path: Path_, value: int) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
