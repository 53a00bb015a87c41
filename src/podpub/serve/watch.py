"""Watch the show folder for saves (watchfiles: inotify, FSEvents, or polling).

Left out: podpub's own output and state (``public/``, ``.podpub/`` with the preview in
it: a build must not trigger the next one), hidden files and folders (``.git``, editors'
``.file.swp``), editors' backup and temporary files (``file~``, ``#file#``, ``4913``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import watchfiles

from podpub.errors import PodpubError

POLL_SECONDS = 0.25  # how often the waiting thread looks up (Ctrl-C, a stop request)
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


class Watcher:
    """Watches from a thread started before the first build, so that a save made while
    the show builds (or right after serve prints its address) is not missed."""

    def __init__(self, show_dir: Path, stop: threading.Event | None = None) -> None:
        self.show_dir = show_dir.resolve()
        self.stop = stop or threading.Event()
        self._found: queue.Queue[set[Path] | BaseException] = queue.Queue()
        self._thread = threading.Thread(target=self._watch, name="podpub-watch", daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        try:
            for paths in changes(self.show_dir, self.stop):
                self._found.put(paths)
        except Exception as exc:  # handed to the main thread, which reports it
            self._found.put(exc)

    def batches(self) -> Iterator[set[Path]]:
        """Each burst of saves (those made during a rebuild come together after it),
        until ``stop`` is set; Ctrl-C reaches the caller as KeyboardInterrupt."""
        while not self.stop.is_set():
            try:
                found = self._found.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            paths: set[Path] = set()
            while True:
                if isinstance(found, BaseException):
                    raise PodpubError(
                        f"cannot watch {self.show_dir} for changes ({found}); try again with "
                        "WATCHFILES_FORCE_POLLING=1 set"
                    )
                paths |= found
                try:
                    found = self._found.get_nowait()
                except queue.Empty:
                    break
            yield paths
