"""A warm build context: "rebuild after these paths changed", in one process, again and again.

``podpub serve`` keeps one :class:`WarmBuild` for its preview. Each :meth:`WarmBuild.rebuild`
is the same cached publish as ``podpub publish`` (runner.py's :class:`PublishRun`, the
same engine, the same bytes), but it keeps between rebuilds what a cold run reads from
disk again:

* the show's cache (store.py's :class:`ShowCache`): each new engine is given the same
  one, its stages already read, instead of reading ``.podpub/cache/`` again. Only when
  a stage file changed since this process saved it (a ``podpub publish`` of the same
  show from a terminal) is a new cache made, read from disk as a cold run reads it;
* the stamps of the show's files (uptodate.py): ``rebuild(paths)``, with the paths a
  watcher saw change, stamps those again, not every file of the show; ``rebuild()``
  stamps every file, as a cold run does;
* what the live output is made of (``write/output.py``'s ``Standby``: each file's path
  and identity, the digest of its bytes or the source a media file is linked from).
  What changed is the difference between it and the new site's description, which the
  build makes anyway: no walk of the output folder, no file read again.

A refused rebuild (a broken descriptor) reports its problems and changes nothing in the
output; the next rebuild builds again. A rebuild answers before it saves the cache for
the next run: :meth:`WarmBuild.flush` saves it (serve calls it once the browser is told
to reload), or else the next rebuild does, first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podpub.build.engine import Engine, standby_prepared, standby_to_prepare
from podpub.build.runner import PublishRun
from podpub.build.store import CacheOptions, ShowCache, Stamp, stamp
from podpub.build.uptodate import Snapshot, refreshed, snapshot
from podpub.errors import PodpubError, Problem

# The pipeline, given the run's engine (``write.publish.publish`` with the options bound:
# the build layer does not import the layers above it). Its result has the ``site``,
# ``files`` and ``findings`` of a ``PublishResult``.
Pipeline = Callable[[Engine], Any]
# Brings the standby folder up to date with the live site, given both descriptions
# (``output.Standby``; the standby's None if none is described): the new description
# of the standby, or None if it could not (it is then as described before, or gone).
# Serve's is ``serve/standby.py``'s (the files are the write layer's).
StandbyPreparer = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class OutputChanges:
    """The output files a rebuild added, changed (other bytes) or removed, each sorted."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path that differs on disk now, sorted."""
        return tuple(sorted((*self.added, *self.changed, *self.removed)))

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class Rebuilt:
    """One rebuild: the pipeline's result and what it changed, or why it was refused."""

    ok: bool
    changes: OutputChanges = OutputChanges()
    result: Any = None  # the pipeline's (None: refused, or nothing to build)
    problems: tuple[Problem, ...] = ()  # the errors that refused it
    seconds: float = 0.0
    # told no paths: the show's files (paths in it) found changed by their stamps since
    # the rebuild before, to be named to the producer
    inputs: tuple[str, ...] = ()


def output_changes(
    before: Mapping[str, tuple[Any, Any]] | None,
    after: Mapping[str, tuple[Any, Any]],
    candidates: Iterable[str] | None = None,
) -> OutputChanges:
    """The difference between two descriptions of a site (``rel → (identity, stamp)``):
    a file whose identity is the same has the same bytes. Without ``before`` (the first
    build) every file is new. ``candidates``: the only paths that may differ (see
    :meth:`WarmBuild._candidates`), else every path of both is compared.

    A media file is identified by its source and the source's stamp: one touched
    without a change counts as changed. A file carried over from the output by hand
    (``keep:``) counts only when it comes or goes."""
    if before is None:
        return OutputChanges(added=tuple(sorted(after)))
    if candidates is None:
        candidates = before.keys() | after.keys()
    added, changed, removed = [], [], []
    for rel in candidates:
        old, new = before.get(rel), after.get(rel)
        if old is None:
            if new is not None:
                added.append(rel)
        elif new is None:
            removed.append(rel)
        elif old[0] != new[0]:
            changed.append(rel)
    return OutputChanges(tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(removed)))


def _changed_inputs(before: Snapshot | None, now: Snapshot) -> tuple[str, ...]:
    """The show's files added, removed or stamped otherwise in ``now`` than ``before``
    (none when there is no ``before``: the first build names no file)."""
    if before is None:
        return ()
    old, new = before.files, now.files
    return tuple(sorted(rel for rel in old.keys() | new.keys() if old.get(rel) != new.get(rel)))


@dataclass
class WarmBuild:
    """One show built into one output folder with the same options, again on each change."""

    show_dir: Path
    out: Path
    params: dict[str, Any]  # the options that change the output (PublishRun.params)
    pipeline: Pipeline
    jobs: int | None = None
    _cache: ShowCache | None = field(default=None, init=False)
    _cache_files: dict[str, Stamp | None] = field(default_factory=dict, init=False)
    _inputs: Snapshot | None = field(default=None, init=False)
    _live: Mapping[str, tuple[Any, Any]] | None = field(default=None, init=False)
    # the paths in which the live output differs from the one before it (its changes)
    _differed: set[str] | None = field(default=None, init=False)
    _unsaved: tuple[PublishRun, Any] | None = field(default=None, init=False)  # flush()
    _output_key: str | None = field(default=None, init=False)  # the live site's, in the cache
    last: Any = field(default=None, init=False)  # the last successful pipeline result
    drafts: set[str] = field(default_factory=set, init=False)  # its descriptors marked draft

    def __post_init__(self) -> None:
        self.show_dir = self.show_dir.resolve()
        self.out = self.out.resolve()

    def rebuild(self, paths: Iterable[Path | str] | None = None) -> Rebuilt:
        """Rebuild after ``paths`` changed (None: not known, every file is stamped).

        Never raises a PodpubError: a refused build is a :class:`Rebuilt` with its
        problems, and the output stays as it was."""
        started = time.perf_counter()
        cache = self._warm_cache()  # the last rebuild's saved first, unless another wrote
        before = self._inputs
        run = PublishRun(
            self.show_dir,
            os.fspath(self.out),
            self.params,
            CacheOptions(),
            jobs=self.jobs,
            quiet=True,
            started=started,
            cache=cache,
            inputs=self._stamped(paths),
        )
        found: tuple[str, ...] = ()  # the files found changed by their stamps
        told = run.inputs is not None  # the paths saved are known (else every file stamped)
        try:
            state = run.unchanged() if self._live is not None else None
            if run.inputs is None:  # stamped before the build: a save made during it counts
                run.inputs = snapshot(self.show_dir, run.target)
            if not told:
                found = _changed_inputs(before, run.inputs)
            # what the files are now, whatever this build's fate: the next rebuild is
            # told only of the paths saved after it
            self._inputs = run.inputs
            if state is not None:
                return Rebuilt(True, seconds=time.perf_counter() - started)  # nothing to do
            if not cache.known:  # unchanged() stamps none with --future: these serve
                cache.remember_stamps(self.show_dir, run.inputs.files, run.inputs.told)
            result = self.pipeline(run.engine)
        except PodpubError as exc:
            run.failed()  # the cache saved, the last state forgotten: the next one builds
            self._saved(cache)
            return Rebuilt(
                False,
                problems=tuple(exc.problems),
                seconds=time.perf_counter() - started,
                inputs=found,
            )
        except BaseException:
            self._cache = self._inputs = None  # half a run's entries: read again next time
            self._differed = None  # and the output compared whole
            raise
        finally:
            run.progress.close()
        self._unsaved = (run, result)  # saved by flush(), or before the next rebuild
        self._output_key = run.engine.output_key
        self.last, self.drafts = result, run.engine.drafts
        live = run.engine.made_of.files if run.engine.made_of is not None else {}
        changes = output_changes(self._live, live, self._candidates(run.engine.touched))
        self._live, self._differed = live, set(changes.paths)
        return Rebuilt(True, changes, result, seconds=time.perf_counter() - started, inputs=found)

    def _candidates(self, touched: set[str] | None) -> set[str] | None:
        """The paths in which the new site may differ from the live one (None: not
        known, every path is compared).

        The new site is the standby, the site before the live one, with ``touched``
        written, replaced or removed: every other file is the standby's, and differs
        from the live one's only where the live site differed from the one before it
        (the last rebuild's changes). An edit compares a few dozen paths, not 40,000."""
        if touched is None or self._differed is None:
            return None
        return touched | self._differed

    def flush(self) -> None:
        """Save what the last rebuild leaves for the next run, cold or warm: the cache,
        the state of the inputs, what the output is made of. :meth:`rebuild` answers
        before saving them (serve calls this once the browser is told to reload); the
        next rebuild saves them first if no one did. Unsaved, they cost nothing but
        time: a cold run finds the cache of the rebuild before and checks every file it
        reuses against its stamp."""
        if self._unsaved is None:
            return
        run, result = self._unsaved
        self._unsaved = None
        run.finish(result, lambda *_args, **_kwargs: None, [])
        self._saved(run.engine.cache)

    def prepare_standby(self, prepare: StandbyPreparer) -> Any:
        """Bring the standby folder up to date with the live site now, if the next
        rebuild could not trust it (serve calls this while it is idle): the standby
        description ``prepare`` made (None: there was nothing to prepare, or it could
        not).

        After the first build of a process, the standby is the site before it, read
        from disk (or a copy of the live site being made): the next rebuild would check
        each of its 40,000 files at 10,000 episodes and link again every one that
        differs (15,000 after a build for another address), seconds of the producer's
        first save. Brought up to date here, it is the live site, described by this
        process: the next rebuild keeps its files without a look, and compares only the
        files it touched (none differs between the live site and the standby)."""
        self.flush()  # the live site described first (the cache's "sites")
        cache, key = self._cache, self._output_key
        if cache is None or key is None or self._cache_files != cache_files(cache):
            return None  # no build of this process is live, or another wrote the cache
        sites = standby_to_prepare(cache, key)
        if sites is None:
            return None
        prepared = prepare(*sites)
        if prepared is None:
            return None
        standby_prepared(cache, key, prepared)
        self._saved(cache)
        self._differed = set()  # the standby is the live site: none differs
        return prepared

    def _stamped(self, paths: Iterable[Path | str] | None) -> Snapshot | None:
        """The show's files stamped: only ``paths`` again when they are known (None: the
        run stamps every file)."""
        paths = list(paths or ())
        if self._inputs is None or not paths:
            return None
        return refreshed(self._inputs, self.show_dir, self.out, paths)

    def _warm_cache(self) -> ShowCache:
        """The cache the last rebuild left, unless another process wrote the cache folder
        since (then its stages are read again from disk)."""
        cache = self._cache
        if cache is None or self._cache_files != cache_files(cache):
            # the last rebuild's results are not saved over another publish's
            self._unsaved = self._inputs = None  # its state may be another one too
            cache = self._cache = ShowCache(self.show_dir, CacheOptions())
            self._saved(cache)  # what it reads, as it is now (stages are read when asked)
        else:
            self.flush()
            cache.new_run()
        return cache

    def _saved(self, cache: ShowCache) -> None:
        """The cache folder as this process left it (compared at the next rebuild)."""
        self._cache_files = cache_files(cache)


def cache_files(cache: ShowCache) -> dict[str, Stamp | None]:
    """Each stage file of the cache folder, by name, with its stamp (not Jinja's compiled
    templates beside them: those are written as pages are rendered)."""
    try:
        names = os.listdir(cache.folder)
    except OSError:
        return {}
    return {name: stamp(cache.folder / name) for name in names if name.endswith(".pickle")}
