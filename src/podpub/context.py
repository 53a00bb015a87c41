"""The build context: what a run lends the stages it calls, handed to them as an argument.

A publish or check run (``build/engine.py``'s ``Engine``) owns the cache, the worker
processes and the counters. The stages (resolve, feed, site, rules, write) sit *below*
``build/`` in podpub's layers, so they never import it: the function that starts a
stage passes the run along as ``run: BuildContext | None``, and ``None`` means a run
without a cache (a library call, most tests): :data:`NO_CACHE`, the same code path
with nothing kept and nothing spread over processes. This module names
what a stage may ask of the run, and the cache stages the stages fill, so both sides
agree on them without importing each other.

Nothing here is ambient: there is no "current run" to look up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The cache's stages (one file each in .podpub/cache/), named by the stage that fills it.
DESCRIPTORS = "descriptors"
DOCUMENTS = "documents"  # descriptor → its document and model, pickled (read when needed)
PROBES = "probes"
MARKDOWN = "markdown"  # text → rendered HTML (resolve/markup.py)
TEMPLATES = "templates"  # template sources' digest + name → does it read ``site`` (site/keys)
MEMOS = (MARKDOWN, TEMPLATES)  # stages of pure-function results, filled by workers too
RESOLVED = "resolved"  # descriptor → its episode's record (resolve/resolver.py's memo)
FINDINGS = "findings"  # feed-page path → the rules' check of that page (rules/checker.py)
FEED_PAGES = "feed-pages"  # feed-page path → its bytes and their digest (feed/paging.py)
READ_BACK = "read-back"  # feed-page path → what reading its bytes back found (feed/readback)
PEOPLE = "people"  # who is credited where, with the episode digests read (site/people.py)
LEDGER = "ledger"  # published.lock's digest → each entry's record digest (write/ledger.py)
LAST_RESOLVE = "last-resolve"  # what the last run resolved (resolve/last.py), in one file


class BuildContext(Protocol):
    """The services a run lends the stages (implemented by ``build.engine.Engine``)."""

    cache: Any  # build.store.ShowCache: ``cache.stage(name)`` is one kept stage
    cache_options: Any  # build.store.CacheOptions: ``enabled``, ``verify``
    out: Path | None  # the output folder whose files may be reused, if any
    # a command-line run: the old site's removal may outlive the process (write/output)
    detaches_removals: bool

    @property
    def warm(self) -> bool:
        """A warm build's run (build/rebuild.py): the cache's ``held`` values outlive it,
        for the rebuilds of the same process; a command-line run's end with it."""

    def map(
        self, fn: Callable[[T], R], items: Sequence[T], what: str = "", min_items: int = ...
    ) -> list[R]:
        """``[fn(item) for item in items]``, over the worker processes when many."""
        ...

    def memo(self, name: str, key: str, compute: Callable[[str], R]) -> R:
        """``compute(key)`` remembered across runs (pure functions of a text)."""
        ...

    def recording_uses(self) -> AbstractContextManager[list[tuple[str, str]]]:
        """The memo results read inside the block (what a record is made from)."""
        ...

    def record_digest(self, record: Any, digest: str | None = None) -> str:
        """A record's digest, made once per run (or told, when made elsewhere)."""
        ...

    def digests_in_order(self, records: Sequence[Any]) -> tuple[str, ...]:
        """Each record's digest, in order (those not known yet made over the workers)."""
        ...

    def load_descriptors(
        self, paths: Sequence[Path | str], load: Callable[[Path | str], Any]
    ) -> list[Any]:
        """``[load(path) for path in paths]``, unchanged files answered from the cache."""
        ...

    def probe(self, paths: Sequence[Path], probe_one: Callable[[Path], Any]) -> dict[Path, Any]:
        """Each audio file's probe, cached by stamp."""
        ...

    def resolved(self, key: str, path: str, inputs: str) -> Any:
        """An episode's kept record when its descriptor ``path`` and ``inputs`` (a digest
        of the show-wide state it was made from) are the same; else None."""
        ...

    def keep_resolved(
        self, key: str, path: str, inputs: str, packed: Any, uses: Sequence[Any]
    ) -> None:
        """Keep an episode's record (:meth:`pack_record`'s) for the next run."""
        ...

    def pack_record(self, record: Any) -> Any:
        """A fresh episode record as the run keeps and moves it (between processes)."""
        ...

    def last_resolve(self) -> tuple[Any, set[str] | None]:
        """What the last run's resolve kept (:meth:`keep_last_resolve`) and the
        descriptors whose inputs changed since (None: not known)."""
        ...

    def same_entries_as_last(self, folder: str) -> bool:
        """Whether the show's ``folder`` is known to hold the entries it held when the
        last resolve was kept: no file saved in it since was made, removed or is a
        folder (False: not known, list it)."""
        ...

    def keep_last_resolve(self, last: Any, records: Sequence[Any], changed: Any) -> None:
        """Keep this run's resolve for the next run (None: forget the last one): ``records``
        are the site's, in the order ``last`` names them; ``changed``: the descriptors
        resolved again when the rest came from the last run (None: all were looked up)."""
        ...

    def kept_records(
        self, order: Sequence[str], descriptors: Sequence[str], drafts: Any, changed: Any
    ) -> Sequence[Any] | None:
        """The records of the last run's episodes ``order`` (its descriptors), as kept,
        with nothing checked again (the last run's stamps were); None if one is gone.
        ``descriptors``: every one the last run read, kept as they are; ``drafts``
        among them; ``changed``: those resolved again now."""
        ...

    def done_with(self, loaded: Any) -> None:
        """A step is done with a descriptor's document: a copy the run lent may go."""
        ...

    def lend_record(self, packed: Any) -> Any:
        """The record of a :meth:`pack_record` result, as the stages read it."""
        ...

    def cached_document(self, path: Path) -> Any:
        """A descriptor's loaded document this run read, if still current."""
        ...

    def release_lookups(self) -> None:
        """The site is checked: what the run read of unchanged inputs only to look them
        up (their documents, records, summaries) may go."""
        ...

    def keyed(
        self, render: Callable[[], bytes], *parts: Any, digested: bool = False
    ) -> Callable[[], bytes]:
        """``render`` with the digest of what it is made from (reused when unchanged)."""
        ...

    def changed_since_last(self, name: str, base: str, values: Sequence[str]) -> set[int] | None:
        """Where ``values`` differ from those the last output's ``name`` keys were made
        of (None: everywhere); ``values`` are kept for the next run."""
        ...

    def renders_as_last(
        self, rels: Sequence[str], renders: Sequence[Callable[[], bytes]]
    ) -> Sequence[Callable[[], bytes] | None]:
        """Each of ``renders`` with the key the last output's file at the same place of
        ``rels`` had (None where it had none), in one call."""
        ...

    def plan_as_last(self, name: str) -> Any:
        """What :meth:`keep_plan` kept for ``name`` in this warm build, if made of the
        values the last output's ``name`` keys were made of (None: none is)."""
        ...

    def keep_plan(self, name: str, plan: Any) -> None:
        """Keep ``plan`` (made of this run's ``name`` values) for the next warm rebuild."""
        ...

    def stage_files(self, staging: Any, files: Sequence[tuple[str, Any]]) -> None:
        """Each file into the staging folder, over the worker processes."""
        ...

    def standby(self) -> Any:
        """What the standby folder of the output is made of, if it may be reused."""
        ...

    def keeps_standby(self) -> bool:
        """Whether the replaced site is kept as the next run's standby."""
        ...

    def staged_site(self, made_of: Any) -> None:
        """The new site is staged: remember what it is made of."""
        ...


class NullRun:
    """The build context of a run without a cache: nothing is kept or found kept, and
    every step runs here, in order. The stages take it for ``run=None``, so a run with
    and one without a cache go through the same code (and give the same bytes)."""

    cache: Any = None  # nothing kept: a step that only reads or fills a cache is skipped
    warm = False  # no rebuild after it
    cache_options: Any = None
    out: Path | None = None
    detaches_removals = False  # a library call: nothing left running once it returns

    def map(
        self, fn: Callable[[T], R], items: Sequence[T], what: str = "", min_items: int = 0
    ) -> list[R]:
        return [fn(item) for item in items]

    def memo(self, name: str, key: str, compute: Callable[[str], R]) -> R:
        return compute(key)

    @contextmanager
    def recording_uses(self) -> Iterator[list[tuple[str, str]]]:
        yield []

    def keyed(
        self, render: Callable[[], bytes], *parts: Any, digested: bool = False
    ) -> Callable[[], bytes]:
        return render  # no previous output to reuse a file of: every file is made

    def changed_since_last(self, name: str, base: str, values: Sequence[str]) -> set[int] | None:
        return None  # no last output: every key is made

    def renders_as_last(
        self, rels: Sequence[str], renders: Sequence[Callable[[], bytes]]
    ) -> Sequence[Callable[[], bytes] | None]:
        return [None] * len(rels)

    def plan_as_last(self, name: str) -> Any:
        return None  # no last output: every plan is made

    def keep_plan(self, name: str, plan: Any) -> None:
        return None  # nothing kept for a next run

    def stage_files(self, staging: Any, files: Sequence[tuple[str, Any]]) -> None:
        for rel, source in files:  # in order, here: a source file linked, a render written
            if not callable(source):  # a media file's path: its text, or a Path
                staging.link(rel, source)
            else:
                staging.write(rel, source())

    def staged_site(self, made_of: Any) -> None:
        return None  # nothing kept for a next run

    def load_descriptors(
        self, paths: Sequence[Path | str], load: Callable[[Path | str], R]
    ) -> list[R]:
        return [load(path) for path in paths]

    def probe(self, paths: Sequence[Path], probe_one: Callable[[Path], R]) -> dict[Path, R]:
        return {path: probe_one(path) for path in paths}

    def resolved(self, key: str, path: str, inputs: str) -> Any:
        return None

    def keep_resolved(
        self, key: str, path: str, inputs: str, packed: Any, uses: Sequence[Any]
    ) -> None:
        return None

    def pack_record(self, record: T) -> T:
        return record  # it stays in this process: nothing to pack

    def last_resolve(self) -> tuple[Any, set[str] | None]:
        return None, None  # nothing kept: every run resolves the whole show

    def same_entries_as_last(self, folder: str) -> bool:
        return False  # nothing kept: the folder is listed

    def keep_last_resolve(self, last: Any, records: Sequence[Any], changed: Any) -> None:
        return None

    def kept_records(
        self, order: Sequence[str], descriptors: Sequence[str], drafts: Any, changed: Any
    ) -> Sequence[Any] | None:
        return None

    def done_with(self, loaded: Any) -> None:
        return None  # the caller holds it: nothing was lent

    def release_lookups(self) -> None:
        return None  # nothing was read to look anything up

    def lend_record(self, packed: T) -> T:
        return packed

    def cached_document(self, path: Path) -> Any:
        return None  # no document read by an earlier step is kept

    def standby(self) -> Any:
        return None  # no standby described: the staging folder starts empty

    def keeps_standby(self) -> bool:
        return False  # the replaced site is deleted


NO_CACHE = NullRun()  # holds nothing: one is enough for every run without a cache


def or_no_cache(run: BuildContext | None) -> BuildContext:
    """``run``, or :data:`NO_CACHE` for ``None``."""
    return NO_CACHE if run is None else run  # type: ignore[return-value]
