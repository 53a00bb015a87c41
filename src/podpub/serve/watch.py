"""Watch the show folder for saves (watchfiles: inotify, FSEvents, or polling).

Left out: podpub's own output and state (``public/``, ``.podpub/`` with the preview in
it: a build must not trigger the next one), hidden files and folders (``.git``, editors'
``.file.swp``), editors' backup and temporary files (``file~``, ``#file#``, ``4913``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import watchfiles

DEBOUNCE_MS = 1600  # the longest a burst of saves is gathered into one rebuild
STEP_MS = 50  # a burst ends after this long without a change
_IGNORED_DIRS = frozenset({"public", "__pycache__", "node_modules"})


def is_input(show_dir: Path, path: str) -> bool:
    """Whether a change to ``path`` may change the preview."""
    try:
        rel = Path(path).resolve().relative_to(show_dir)
    except ValueError:
        return False
    parts = rel.parts
    if not parts or parts[0] in _IGNORED_DIRS:
        return False
    if any(part.startswith(".") for part in parts):
        return False
    name = parts[-1]
    return not (name.endswith("~") or name.startswith("#") or name == "4913")


def changes(show_dir: Path, stop: threading.Event | None = None) -> Iterator[set[Path]]:
    """The input paths changed, one set per burst of saves, until ``stop`` is set (or
    Ctrl-C, which is raised as KeyboardInterrupt for the caller to end cleanly)."""
    show_dir = show_dir.resolve()
    for batch in watchfiles.watch(
        show_dir,
        watch_filter=lambda _change, path: is_input(show_dir, path),
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        stop_event=stop,
        yield_on_timeout=False,
    ):
        # An editor's (or sed -i's) temporary file, made and renamed within the burst,
        # is no change to name.
        made = {path for change, path in batch if change == watchfiles.Change.added}
        gone = {path for change, path in batch if change == watchfiles.Change.deleted}
        paths = {Path(path) for _change, path in batch if path not in made & gone}
        if paths:
            yield paths
