"""Repeated findings, one line per rule: a show's real problems are not drowned.

A 10,000-episode show with Ogg episodes gets one RSS-06 warning per episode: thousands of
lines that say the same thing, printed at every publish, and the one error that matters
scrolls away. A rule found more than :data:`REPEATED` times is told once, with its count,
its first finding and the first few places; ``--verbose`` (and ``--format json``) list
every finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podpub.errors import Problem

REPEATED = 5  # more findings of one rule than this are told in one line
PLACES = 3  # places a grouped line names


@dataclass(frozen=True)
class RuleGroup:
    """Every finding of one rule at one level, in report order."""

    rule: str
    level: str
    findings: tuple[Problem, ...]

    def line(self) -> str:
        """``RSS-06 warning ×3,434 (Apple Podcasts), the first: <message> — fix: … — in
        a.yaml:3:8, … and 3,431 more (--verbose lists them all)``."""
        first = self.findings[0]
        audience = getattr(first, "audience", "")
        head = f"{self.rule} {self.level} ×{len(self.findings):,}"
        if audience:
            head += f" ({audience})"
        text = f"{first.field}: {first.message}" if first.field else first.message
        if first.hint:
            text += f" — fix: {first.hint}"
        places = ", ".join(_place(f) for f in self.findings[:PLACES])
        more = len(self.findings) - PLACES
        if more > 0:
            places += f" and {more:,} more (--verbose lists them all)"
        return f"{head}, the first: {text} — in {places}"


def split_repeated(
    problems: Sequence[Problem], verbose: bool = False
) -> tuple[list[Problem], list[RuleGroup]]:
    """The findings told one by one, and the rules found more than REPEATED times.

    Descriptor problems (no rule) are always told one by one: each needs its own fix.
    """
    by_rule: dict[tuple[str, str], list[Problem]] = {}
    for problem in problems:
        rule = getattr(problem, "rule", "")
        if rule:
            by_rule.setdefault((rule, problem.level), []).append(problem)
    if verbose:
        return list(problems), []
    grouped = {key for key, found in by_rule.items() if len(found) > REPEATED}
    singles = [p for p in problems if (getattr(p, "rule", ""), p.level) not in grouped]
    groups = [RuleGroup(rule, level, tuple(by_rule[rule, level])) for rule, level in grouped]
    groups.sort(key=lambda g: (_LEVELS.get(g.level, 9), g.rule))
    return singles, groups


def finding_lines(problems: Sequence[Problem], verbose: bool = False) -> list[str]:
    """What publish prints of its warnings and notes: each, or one line per repeated rule."""
    singles, groups = split_repeated(problems, verbose)
    return [str(p) for p in singles] + [group.line() for group in groups]


_LEVELS = {"error": 0, "warning": 1, "info": 2}


def _place(problem: Problem) -> str:
    return problem.where() or "-"
