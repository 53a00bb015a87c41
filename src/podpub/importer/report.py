"""What an import kept, converted, dropped and why: printed, and saved as import-report.md."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EXAMPLES = 5  # of each kind of finding, the first few are named; the rest are counted


@dataclass
class Report:
    """Findings gathered while converting, by kind; each kind keeps its count and a few
    examples, so a feed of 5,000 items gives a report of a page, not of 5,000 lines."""

    source: str = ""
    kept: Counter[str] = field(default_factory=Counter)
    converted: dict[str, list[str]] = field(default_factory=dict)
    dropped: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    advice: dict[str, list[str]] = field(default_factory=dict)  # what to do before publishing
    counts: dict[str, int] = field(default_factory=dict)

    def keep(self, what: str, count: int = 1) -> None:
        self.kept[what] += count

    def convert(self, how: str, example: str = "") -> None:
        self.converted.setdefault(how, []).append(example)

    def drop(self, why: str, example: str = "") -> None:
        self.dropped.setdefault(why, []).append(example)

    def advise(self, what: str, example: str = "") -> None:
        self.advice.setdefault(what, []).append(example)

    def skip(self, why: str, example: str) -> None:
        self.skipped.setdefault(why, []).append(example)

    def markdown(self) -> str:
        lines = [f"# Import report: {self.source}", ""]
        lines += [f"- {name}: {value:,}" for name, value in self.counts.items()]
        lines.append("")
        if self.advice:
            lines += ["## Before you publish", ""]
            for what, examples in self.advice.items():
                count = f" ({len(examples):,})" if len(examples) > 1 else ""
                lines.append(f"- {what}{count}" + _examples(examples))
            lines.append("")
        lines += ["## Kept as they were", ""]
        lines += [f"- {what}: {count:,}" for what, count in sorted(self.kept.items())]
        for title, group in (
            ("Converted", self.converted),
            ("Skipped items", self.skipped),
            ("Dropped", self.dropped),
        ):
            lines += ["", f"## {title}", ""]
            if not group:
                lines.append("- nothing")
            for what, examples in group.items():
                lines.append(f"- {what} ({len(examples):,})" + _examples(examples))
        return "\n".join(lines) + "\n"


def _examples(examples: list[str]) -> str:
    named = [e for e in examples if e][:EXAMPLES]
    if not named:
        return ""
    more = len([e for e in examples if e]) - len(named)
    return ": " + "; ".join(named) + (f"; and {more:,} more" if more > 0 else "")
