"""Progress of a long publish on stderr, and the one-line summary at its end.

The bar (rich) appears only when stderr is a terminal, ``--quiet`` is not given, and the
run has already taken more than :data:`SHOW_AFTER` seconds: a small show publishes
without it, a pipe or a CI log never gets it. It is redrawn from the main process only
(no refresh thread, so forking workers stays safe), at most ten times a second.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import TaskID

SHOW_AFTER = 1.0  # seconds of work before a bar is worth showing
REDRAW_EVERY = 0.1


class Progress:
    """Tasks with a known amount of work; a bar per task once the run is long."""

    def __init__(self, enabled: bool, started: float | None = None) -> None:
        self.enabled = enabled
        self.started = started if started is not None else time.perf_counter()
        self._bar: Any = None
        self._last = 0.0

    @classmethod
    def for_terminal(cls, quiet: bool, started: float | None = None) -> Progress:
        return cls(enabled=not quiet and sys.stderr.isatty(), started=started)

    def task(self, description: str, total: int) -> Callable[[int], None] | None:
        """A callback to advance ``description`` by n items (None when there is no bar)."""
        if not self.enabled or total == 0:
            return None
        done = 0
        task_id: TaskID | None = None

        def advance(count: int) -> None:
            nonlocal done, task_id
            done += count
            bar = self._ensure_bar()
            if bar is None:
                return
            if task_id is None:
                task_id = bar.add_task(description, total=total, completed=done)
            else:
                bar.update(task_id, completed=done)
            if done >= total:  # done: make room for the next step
                bar.remove_task(task_id)
            now = time.perf_counter()
            if now - self._last >= REDRAW_EVERY or done >= total:
                self._last = now
                bar.refresh()

        return advance

    def _ensure_bar(self) -> Any:
        if self._bar is None and time.perf_counter() - self.started >= SHOW_AFTER:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                auto_refresh=False,
                transient=True,
            )
            self._bar.start()
        return self._bar

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def summary_line(counts: dict[str, int], seconds: float) -> str:
    """``9,700 published, 300 skipped (200 drafts, 100 scheduled); 12 probed, 9,688 cached;
    4 pages rendered, 29,101 files reused, 3 written; 1.42 s``."""
    parts = [f"{counts.get('published', 0):,} published"]
    drafts, scheduled = counts.get("drafts", 0), counts.get("scheduled", 0)
    if drafts or scheduled:
        parts[0] += (
            f", {drafts + scheduled:,} skipped ({drafts:,} draft{'s' * (drafts != 1)}, "
            f"{scheduled:,} scheduled)"
        )
    work = [f"{counts.get('probed', 0):,} probed", f"{counts.get('cached', 0):,} cached"]
    files = [f"{counts.get('written', 0):,} written"]
    if counts.get("reused"):
        files.append(f"{counts['reused']:,} reused")
    return "; ".join([parts[0], ", ".join(work), ", ".join(files), f"{seconds:.2f} s"])
