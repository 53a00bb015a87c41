"""Problems found in a show, and the one exception that carries them all.

Every stage reports what is wrong as :class:`Problem` values instead of raising at the
first one, so a producer sees every mistake of a run at once (RenderCV, MkDocs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, pointing at where the producer can fix it.

    ``file`` is the path as the producer knows it (relative to the show folder);
    ``line`` and ``column`` are 1-based; ``field`` is the dotted path inside the
    descriptor (``headlines[2].start``), empty when the whole file is at fault.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str = ""
    level: str = "error"

    def where(self) -> str:
        """``file:line:col`` as far as known ("" for a problem of the run as a whole)."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def sentence(self) -> str:
        """``file:line:col: field: message (hint)``, the form every problem is printed in."""
        text = f"{self.field}: {self.message}" if self.field else self.message
        where = self.where()
        if where:  # a problem of the run as a whole (output folder, disk) names no file
            text = f"{where}: {text}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        text = self.sentence()
        return text if self.level == "error" else f"{text} [{self.level}]"


NOTHING_WRITTEN = "nothing was written"


class PodpubError(Exception):
    """A user error: bad input, refused output. The CLI prints it and exits 1."""

    def __init__(self, problems: Iterable[Problem] | str, outcome: str = NOTHING_WRITTEN) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="", line=None, column=None, field="", message=problems)]
        self.problems: list[Problem] = sorted(problems, key=_problem_order)
        # What the failed run left behind, for the CLI's closing line: most runs write
        # nothing until all is well; a deploy that stops part-way has uploaded some files.
        self.outcome = outcome
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_order(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.file, problem.line or 0, problem.column or 0, problem.field)


def raise_if_any(problems: list[Problem]) -> None:
    """Raise one :class:`PodpubError` with every error, if there is any."""
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise PodpubError(errors)
