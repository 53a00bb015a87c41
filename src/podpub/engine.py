"""One publish or check run: its cache, its worker processes, its counters and progress.

The pipeline (plan, pages) stays a plain sequence of functions over the whole show. An
:class:`Engine` made active around a run (``with engine.active():``) lends them three
services through small hooks, each of which falls back to the plain sequential code
when no engine is active:

* :meth:`Engine.load_descriptors`: each descriptor's loaded and validated model, from
  the cache when the file's stamp is unchanged, else read (by the worker processes
  when there are many);
* :meth:`Engine.probe`: each audio file's probe, the same way;
* :meth:`Engine.map`: any per-episode step, spread over the worker processes.

Results come back in the order of the inputs, so a run gives the same bytes with or
without cache and with any number of workers.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from podpub.cache import MISS, CacheOptions, ShowCache, same_inputs, stamp
from podpub.workers import MIN_ITEMS, default_jobs, parallel_map

if TYPE_CHECKING:
    from podpub.errors import Problem
    from podpub.output import Staging
    from podpub.plan import Loaded
    from podpub.progress import Progress
    from podpub.records import AudioInfo

T = TypeVar("T")
R = TypeVar("R")

_ACTIVE: contextvars.ContextVar[Engine | None] = contextvars.ContextVar(
    "podpub_engine", default=None
)

DESCRIPTORS = "descriptors"
PROBES = "probes"
MANIFEST = "manifest"  # the "output-…" stage: rel → (render keys, digest, stamp)
MARKDOWN = "markdown"  # text → rendered HTML (markup.py)
MEMOS = (MARKDOWN,)  # stages of pure-function results, filled by workers too
FINDINGS = "findings"  # feed-page path → the rules' findings on that page (checker.py)


def current() -> Engine | None:
    """The engine of the run in progress, if any (the pipeline's hooks ask this)."""
    return _ACTIVE.get()


@dataclass
class Counts:
    """What a run did, for the summary line."""

    loaded: int = 0  # descriptors read and validated
    loaded_cached: int = 0
    probed: int = 0  # audio files probed
    probed_cached: int = 0
    written: int = 0  # output files written
    linked: int = 0  # media files linked (or copied) from the show folder
    reused: int = 0  # output files carried over unchanged from the previous site
    rendered_cached: int = 0  # pages whose rendering was skipped


@dataclass
class Engine:
    show_dir: Path
    cache_options: CacheOptions = field(default_factory=CacheOptions)
    jobs: int = field(default_factory=default_jobs)
    progress: Progress | None = None
    counts: Counts = field(default_factory=Counts)
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self.cache = ShowCache(self.show_dir, self.cache_options)
        self.drafts: set[str] = set()  # descriptors marked draft (for the summary)
        self.out: Path | None = None  # the output folder whose files may be reused
        self.output_key: str | None = None
        self._previous: dict[str, tuple[Any, ...]] | None = {}  # its manifest (.previous)
        self.manifest: dict[str, tuple[Any, ...]] = {}  # this run's, saved after success

    @contextlib.contextmanager
    def active(self) -> Iterator[Engine]:
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    def save(self) -> None:
        """Keep this run's results for the next one (after a successful run only)."""
        self.cache.save(prune=(DESCRIPTORS, PROBES, FINDINGS, *MEMOS))

    # --- per-episode work over the worker processes ---------------------------------

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        what: str = "",
        min_items: int = MIN_ITEMS,
    ) -> list[R]:
        """``[fn(item) for item in items]``, spread over the workers when there are many
        (``min_items`` per process at least: fewer for items that are costly each).

        What the workers memoize on the way (:meth:`memo`) comes back with their results.
        """
        tick = self.progress.task(what, len(items)) if self.progress and what else None
        memos = [self.cache.stage(name) for name in MEMOS] if self.cache_options.enabled else []
        before = [(set(stage.used), set(stage.entries)) for stage in memos]

        def collect() -> list[tuple[set[str], dict[str, Any]]]:
            return [
                (stage.used - used, {k: stage.entries[k] for k in stage.entries.keys() - keys})
                for stage, (used, keys) in zip(memos, before, strict=True)
            ]

        def merge(extra: list[tuple[set[str], dict[str, Any]]]) -> None:
            for stage, (used, new) in zip(memos, extra, strict=True):
                stage.used |= used
                if new:
                    stage.entries.update(new)
                    stage.dirty = True

        return parallel_map(
            fn, items, self.jobs, min_items, progress=tick, collect=collect, merge=merge
        )

    def memo(self, name: str, key: str, compute: Callable[[str], R]) -> R:
        """``compute(key)``, remembered across runs: for pure functions of a text (the
        Markdown of summaries and headlines), whose result depends on nothing else."""
        if not self.cache_options.enabled:
            return compute(key)
        stage = self.cache.stage(name)
        found = stage.get(key, "v1")
        if found is MISS:
            found = compute(key)
            stage.put(key, "v1", found)
        return found  # type: ignore[no-any-return]

    # --- descriptors -------------------------------------------------------------------

    def load_descriptors(
        self, paths: Sequence[Path], load: Callable[[Path], tuple[Loaded | None, list[Problem]]]
    ) -> list[tuple[Loaded | None, list[Problem]]]:
        """``[load(path) for path in paths]``, unchanged files answered from the cache."""
        stage = self.cache.stage(DESCRIPTORS)
        results: list[Any] = [None] * len(paths)
        todo: list[int] = []
        inputs: dict[int, Any] = {}
        for index, path in enumerate(paths):
            key = self._key(path)
            inputs[index], blob = stage.get_file(key, path)
            if blob is MISS:
                todo.append(index)
            else:
                results[index] = pickle.loads(blob)
        self.counts.loaded_cached += len(paths) - len(todo)
        self.counts.loaded += len(todo)
        fresh = self.map(lambda i: load(paths[i]), todo, "Reading descriptors")
        for index, result in zip(todo, fresh, strict=True):
            results[index] = result
            stage.put(self._key(paths[index]), inputs[index], pickle.dumps(result, protocol=5))
        self.drafts = {item.doc.file for item, _ in results if item and item.model.draft}
        return results

    def cached_document(self, path: Path) -> Any:
        """The loaded document of an episode descriptor this run read, if still current
        (the feed rules' locator reads descriptors again to point at a line)."""
        if not self.cache_options.enabled:
            return None
        stage = self.cache.stage(DESCRIPTORS)
        entry = stage.entries.get(self._key(path))
        if entry is None or not same_inputs(entry[0], stage.file_inputs(path)):
            return None
        loaded, _ = pickle.loads(entry[1])
        return loaded.doc if loaded is not None else None

    # --- audio -------------------------------------------------------------------------

    def probe(
        self, paths: Sequence[Path], probe_one: Callable[[Path], AudioInfo | str]
    ) -> dict[Path, AudioInfo | str]:
        """Each file's probe (or the reason it cannot be published), cached by stamp."""
        stage = self.cache.stage(PROBES)
        results: dict[Path, AudioInfo | str] = {}
        todo: list[Path] = []
        inputs: dict[Path, Any] = {}
        for path in paths:
            inputs[path], found = stage.get_file(self._key(path), path)
            if found is MISS:
                todo.append(path)
            else:
                results[path] = found
        self.counts.probed_cached += len(paths) - len(todo)
        self.counts.probed += len(todo)
        for path, result in zip(todo, self.map(probe_one, todo, "Probing audio"), strict=True):
            results[path] = result
            stage.put(self._key(path), inputs[path], result)
        return results

    def _key(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.show_dir))
        except ValueError:
            return str(path)

    # --- the output ----------------------------------------------------------------------

    def reuse_output(self, out: Path, key: str) -> None:
        """Let this run reuse the files of the previous publish into ``out`` (the one the
        cache's ``key`` state describes): unchanged pages are linked, not rendered."""
        if not self.cache_options.enabled:
            return
        self.out = out
        self.output_key = key.replace("state-", "output-", 1)  # its own file: read only
        self._previous: dict[str, tuple[Any, ...]] | None = None  # when a build needs it

    @property
    def previous(self) -> dict[str, tuple[Any, ...]]:
        """The manifest of the previous publish into ``out`` (read on first use)."""
        if self._previous is None:
            found = MISS
            if self.output_key is not None:
                found = self.cache.stage(self.output_key).get(MANIFEST, "v1")
            self._previous = found if isinstance(found, dict) else {}
        return self._previous

    def instrument_templates(self, env: Any) -> None:
        """pages.py's hook: templates that know whether their page changed (pagememo.py)."""
        if self.out is not None:
            from podpub.pagememo import instrument

            instrument(env)

    def save_manifest(self) -> None:
        """After a successful publish: what is now in the output folder, for the next run."""
        if self.out is not None and self.output_key is not None:
            self.cache.stage(self.output_key).put(MANIFEST, "v1", self.manifest)

    def stage_files(
        self, staging: Staging, files: Sequence[tuple[str, Path | Callable[[], bytes]]]
    ) -> None:
        """Each file into the staging folder, shared out over the worker processes;
        files unchanged since the previous publish are linked from it (see pagememo.py)."""
        parent = os.getpid()
        self.previous  # noqa: B018  (read before forking: the workers share it)

        def one(item: tuple[str, Path | Callable[[], bytes]]) -> tuple[Any, bool]:
            rel, source = item
            if isinstance(source, Path) or self.out is None:
                _stage_one(staging, rel, source)
                entry = None
            else:
                entry = self._stage_render(staging, rel, source)
            return entry, os.getpid() != parent  # a child's files are counted here

        results = self.map(one, files, "Writing the site")
        staging.files += sum(in_child for _, in_child in results)
        self.manifest = {}
        for (rel, _), (entry, _) in zip(files, results, strict=True):
            if entry is not None:
                self.manifest[rel] = entry[:3]
                if entry[3]:
                    self.counts.reused += 1
                if entry[4]:
                    self.counts.rendered_cached += 1
        media = sum(isinstance(source, Path) for _, source in files)
        self.counts.linked += media
        self.counts.written += len(files) - media - self.counts.reused

    def _stage_render(
        self, staging: Staging, rel: str, render: Callable[[], bytes]
    ) -> tuple[tuple[str, ...] | None, str, Any, bool, bool]:
        """Render (unless unchanged) and stage one file; ``(keys, digest, stamp, linked,
        not rendered)`` for the manifest."""
        from podpub.pagememo import PageSlot, Reuse, current_slot

        previous = self.previous.get(rel)
        intact = previous is not None and self._intact(rel, previous)
        slot_var = current_slot()
        slot = PageSlot(rel, previous[0] if intact and previous[0] else None)
        token = slot_var.set(slot)
        skipped = False
        try:
            try:
                data = render()
            except Reuse:
                skipped = True
            if skipped:
                staging.link(rel, os.path.join(self.out, rel))  # type: ignore[arg-type]
                digest = previous[1]  # type: ignore[index]
            else:
                digest = hashlib.blake2b(data, digest_size=20).hexdigest()
                if intact and previous[1] == digest:  # type: ignore[index]
                    staging.link(rel, os.path.join(self.out, rel))  # type: ignore[arg-type]
                else:
                    staging.write(rel, data)
        finally:
            slot_var.reset(token)
        keys = None if slot.unkeyable else tuple(slot.keys)
        linked = skipped or (intact and previous[1] == digest)  # type: ignore[index]
        return keys, digest, stamp(os.path.join(staging.path, rel)), linked, skipped

    def _intact(self, rel: str, previous: tuple[Any, ...]) -> bool:
        """The previous publish's file is still there, as it was written."""
        path = os.path.join(self.out, rel)  # type: ignore[arg-type]
        if stamp(path) != previous[2]:
            return False
        if self.cache_options.verify:
            with open(path, "rb") as handle:
                data = handle.read()
            return hashlib.blake2b(data, digest_size=20).hexdigest() == previous[1]
        return True


def stage_files(staging: Staging, files: Sequence[tuple[str, Path | Callable[[], bytes]]]) -> None:
    """Put each ``(path, source)`` into the staging folder: a source file is linked
    (``Staging.link``), a render's bytes are written (``Staging.write``). With a run in
    progress its worker processes share the work (pages are most of a publish's time)."""
    run = current()
    if run is not None:
        run.stage_files(staging, files)
        return
    for rel, source in files:
        _stage_one(staging, rel, source)


def _stage_one(staging: Staging, rel: str, source: Path | Callable[[], bytes]) -> None:
    if isinstance(source, Path):
        staging.link(rel, source)
    else:
        staging.write(rel, source())


BACKGROUND_REMOVAL_FILES = 2000  # a smaller old site is removed before publish returns


def remove_in_background(folder: Path, files: int) -> bool:
    """Delete the previous site (already swapped out) in a detached process.

    Unlinking tens of thousands of files can take longer than building their
    replacement; nobody waits for it. Only for a command-line publish of a big site (a
    run is active): library callers and small sites get the old synchronous removal. A
    removal cut short (shutdown) is finished by the next publish, which sweeps leftover
    ``.<name>.staging-*`` folders first. Returns False when it did not take the job.
    """
    if current() is None or files < BACKGROUND_REMOVAL_FILES or not hasattr(os, "fork"):
        return False
    import shutil
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid:
        os.waitpid(pid, 0)  # the intermediate child exits at once
        return True
    try:  # the intermediate child: detach, hand over to a grandchild, leave
        os.setsid()
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDWR)  # a pipe reading our output must not wait
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        with contextlib.suppress(OSError):
            os.nice(10)
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os._exit(0)
