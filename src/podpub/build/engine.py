"""One publish or check run: its cache, its worker processes, its counters and progress.

The pipeline (resolve, feed, site, rules, write) stays a plain sequence of functions
over the whole show. An :class:`Engine` is the run's build context: the command passes
it to the stage it starts (``run=engine``), each stage passes it on, and a stage given
``run=None`` runs the plain sequential code. It lends them, among others
(``podpub.context.BuildContext`` lists them all):

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
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import InitVar, dataclass, field, replace
from functools import partial
from itertools import compress, count, repeat
from operator import and_, attrgetter, is_, is_not, itemgetter, methodcaller, ne, not_, or_
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from podpub.build.store import (
    MISS,
    CacheOptions,
    ShowCache,
    data_digest,
    digest_of,
    safe_loads,
    same_inputs,
    shard_of,
    stamp,
)
from podpub.build.workers import MIN_ITEMS, default_jobs, parallel_map
from podpub.context import (
    DESCRIPTORS,
    DOCUMENTS,
    FEED_PAGES,
    FINDINGS,
    LAST_RESOLVE,
    MARKDOWN,
    MEMOS,
    PROBES,
    READ_BACK,
    RESOLVED,
    TEMPLATES,
)
from podpub.digests import content_identity, opened_folder
from podpub.errors import PodpubError

# the stages whose entries the run did not ask for are forgotten by the save
PRUNED = (DESCRIPTORS, DOCUMENTS, PROBES, RESOLVED, FINDINGS, FEED_PAGES, READ_BACK, *MEMOS)
# single-file stages read by the check only (rules/checker.py, publish.verify_feed_files,
# the resolve's last_resolve/keep_last_resolve): let go once the site is checked
FINISHED_AFTER_CHECK = (LAST_RESOLVE, FINDINGS, READ_BACK)

if TYPE_CHECKING:
    from podpub.build.kept import Packed
    from podpub.build.progress import Progress
    from podpub.build.store import Stage
    from podpub.errors import Problem
    from podpub.media.info import AudioInfo
    from podpub.resolve.resolver import Loaded, Summary

T = TypeVar("T")
R = TypeVar("R")
# A file of the site as stage_files takes it: a media file's path (the text a record
# lent by the store holds, or a Path), or the render of its bytes.
Source = Path | str | Callable[[], bytes]

# the stage names, named here too for the store's readers (tests, the no-change check)
__all__ = [
    "DESCRIPTORS",
    "DOCUMENTS",
    "FEED_PAGES",
    "FINDINGS",
    "MARKDOWN",
    "MEMOS",
    "PROBES",
    "READ_BACK",
    "RESOLVED",
    "TEMPLATES",
    "Counts",
    "Engine",
    "KeyedRender",
]
# The last-resolve stage's keys for the whole show (a descriptor's path never starts
# with a dot); each entry's inputs are the version of its format.
HEAD, ORDER, NAMES, USES = ".head", ".order", ".names", ".uses"
LAST_VERSION = "v2"  # a descriptor: (its files' stamps, its record's digest, people named)
# The "output-…" stage: one entry per file of the site, rel → (render key or None,
# digest, stamp), kept in one file and saved as a delta (an edit changes a dozen of
# 30,000 entries: the 4.6 MB table is not written again); v3: an entry per file (v2: the
# whole manifest in one entry, rewritten by every publish).
MANIFEST_VERSION = "v3"
# Its entry naming the live site's and the standby's descriptions (output.Standby) in
# the "sites-…" stage (no file's path starts with "/"). Each description is pickled on
# its own, 5 MB at 10,000 episodes, and is an entry of that sharded stage: the live
# site's becomes the standby's next time as it is, neither read nor written again; a
# publish reads the standby's and writes the new live one's, not both of them twice.
SITES = "/sites"
# Its entry keeping what each family of keys was made of (changed_since_last): saved
# with the manifest's entries, in the same write, so a key is only taken from the
# manifest saved with the digests it was made of.
KEY_INPUTS = "/key-inputs"
# The output stage's ``made_from`` names of the plans a warm build keeps between its
# rebuilds (keep_plan): never an entry, never saved.
PLAN = "/plan/"
STAGED = "staged"  # the plan of the files staged (_StagePlan)
MANIFEST = "manifest"  # the manifest saved last, and its key inputs


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
    resolved_cached: int = 0  # episode records kept from the previous run


@dataclass
class Engine:
    show_dir: Path
    cache_options: CacheOptions = field(default_factory=CacheOptions)
    jobs: int = field(default_factory=default_jobs)
    progress: Progress | None = None
    counts: Counts = field(default_factory=Counts)
    started: float = field(default_factory=time.perf_counter)
    # a warm build's cache (build/rebuild.py), its stages read already: not read again
    shared_cache: InitVar[ShowCache | None] = None
    # big removals (the replaced site) go on in a detached process (write/output.py)
    detaches_removals: bool = field(default=True, init=False)

    def __post_init__(self, shared_cache: ShowCache | None) -> None:
        self.cache = shared_cache or ShowCache(self.show_dir, self.cache_options)
        # a warm build's cache outlives the run: what it read stays for the next rebuild
        self._warm = shared_cache is not None
        self.cache.always_sharded.add(FEED_PAGES)
        self.cache.single_file.add(LAST_RESOLVE)  # read whole each run; an edit: a delta
        self._prefix = os.path.join(str(self.show_dir), "")  # "<show folder>/"
        self.drafts: set[str] = set()  # descriptors marked draft (for the summary)
        self.out: Path | None = None  # the output folder whose files may be reused
        self.output_key: str | None = None
        self.sites_key = ""  # the stage of its sites' descriptions (reuse_output)
        self._previous: dict[str, tuple[Any, ...]] | None = {}  # its manifest (.previous)
        self.manifest: dict[str, tuple[Any, ...]] = {}  # this run's, saved after success
        # _keep_all_but(): the last manifest this one is, but for the paths named and the
        # entries in ``manifest`` (merged by save_manifest, after a warm build answered)
        self._manifest_base: tuple[dict[str, tuple[Any, ...]], set[str]] | None = None
        # changed_since_last(): name → (base, values) the previous publish's keys of that
        # family were made of, and this run's (saved with the manifest: one entry)
        self._last_inputs: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._key_inputs: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._comparable: set[str] = set()  # changed_since_last() answered places
        self._digests: dict[int, tuple[Any, str]] = {}  # id(record) → (record, digest)
        # known_digests(): a tuple of records every one of which it knew, and its answer
        self._known_whole: tuple[tuple[Any, ...], dict[int, str]] | None = None
        self._kept_plans: list[Any] = []  # keep_plan()'s: made ready when saved
        # digests_in_order(): the last records asked for and their digests
        self._in_order: tuple[Sequence[Any], tuple[str, ...]] | None = None
        self._sites: dict[str, Any] | None = None  # staged_site(): saved after success
        self.made_of: Any = None  # the staged site's output.Standby (what changed: rebuild.py)
        # the staged site's files other than its standby's: written, replaced, removed
        self.touched: set[str] | None = None
        self._staging: Any = None  # stage_files(): its staging, until save_manifest()
        self._staged_plan: _StagePlan | None = None  # stage_files(): kept after success
        self._standby_files: Any = None  # standby(): the trusted standby's table, as kept
        self._staged_direct: tuple[str, ...] = ()  # stage_files(): the files staged before
        # release_lookups(): stage name → (shards not read, unsaved) as its last call left it
        self._released: dict[str, tuple[int, bool]] = {}
        self._uses: list[tuple[str, str]] | None = None  # memo keys read (recording_uses)
        # stage → keys that records kept from the last run were made with: not pruned
        self._kept_uses: dict[str, set[str]] = {}
        self._plain: Callable[[Any], Any] | None = None  # keyed(): records → digests
        self._shared = SharedValues()  # keep_resolved(): one object per person, role…
        self._show_root: str | None = None  # _root(): the show folder, resolved

    @property
    def warm(self) -> bool:
        """Whether this run is one of a warm build's (its cache outlives it)."""
        return self._warm

    def save(self) -> None:
        """Keep this run's results for the next one (after a successful run only).

        What this run did not ask for is forgotten, except what the records it kept
        whole were made from (their audio's probe, their Markdown): a later show-wide
        change resolves every episode again and finds them.
        """
        for name, keys in self._kept_uses.items():
            if name in self.cache.stages:  # a stage not read in this run is not pruned
                self.cache.stages[name].used |= keys
        if DOCUMENTS in self.cache.stages and DESCRIPTORS in self.cache.stages:
            # a descriptor's document is kept as long as its summary, asked for or not
            self.cache.stages[DOCUMENTS].used |= self.cache.stages[DESCRIPTORS].used
        self.cache.save(prune=PRUNED)

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
        before = [(set(stage.used), set(stage.changed)) for stage in memos]

        def collect() -> list[tuple[set[str], dict[str, Any]]]:
            return [
                (stage.used - used, stage.made_since(changed))
                for stage, (used, changed) in zip(memos, before, strict=True)
            ]

        def merge(extra: list[tuple[set[str], dict[str, Any]]]) -> None:
            for stage, (used, new) in zip(memos, extra, strict=True):
                stage.used |= used
                if new:
                    stage.update(new)

        return parallel_map(
            fn, items, self.jobs, min_items, progress=tick, collect=collect, merge=merge
        )

    def memo(self, name: str, key: str, compute: Callable[[str], R]) -> R:
        """``compute(key)``, remembered across runs: for pure functions of a text (the
        Markdown of summaries and headlines), whose result depends on nothing else."""
        if not self.cache_options.enabled:
            return compute(key)
        # kept under the text's digest: a summary's Markdown can be long, and the key is
        # also in each record that used it (recording_uses)
        digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        if self._uses is not None:
            self._uses.append((name, digest))
        stage = self.cache.stage(name)
        found = stage.get(digest, "v1")
        if found is MISS:
            found = compute(key)
            stage.put(digest, "v1", found)
        return found

    @contextlib.contextmanager
    def recording_uses(self) -> Iterator[list[tuple[str, str]]]:
        """The ``(stage, key)`` of each :meth:`memo` result read inside the block (what
        an episode's record is made from, kept with it: see :meth:`keep_resolved`)."""
        outer, self._uses = self._uses, []
        try:
            yield self._uses
        finally:
            self._uses = outer

    # --- descriptors -------------------------------------------------------------------

    def load_descriptors(
        self,
        paths: Sequence[Path | str],
        load: Callable[[Path | str], tuple[Loaded | None, list[Problem]]],
    ) -> list[tuple[Loaded | None, list[Problem]]]:
        """``[load(path) for path in paths]``, unchanged files answered from the cache.

        Each descriptor comes back lent (kept.py's ``LentLoaded``): its ``Summary``, its
        document and model still pickled (for a cached one, in the ``documents`` stage,
        read only when a step asks for them: most runs never do, see the resolver's
        memo).
        """
        # the stages are imported when used: the no-change check (uptodate.py) makes an
        # engine before anything of the pipeline is loaded
        from podpub.build.kept import LentLoaded, pack_document

        stage = self.cache.stage(DESCRIPTORS)
        results: list[Any] = [None] * len(paths)
        todo: list[int] = []
        inputs: dict[int, Any] = {}
        for index, path in enumerate(paths):
            inputs[index], found = stage.get_file(self._key(path), path)
            if found is MISS:
                todo.append(index)
            else:
                summary, problems = found
                item = None
                if summary is not None:
                    item = LentLoaded(summary, fetch=partial(self._document, path, load))
                results[index] = (item, list(problems))
        self.counts.loaded_cached += len(paths) - len(todo)
        self.counts.loaded += len(todo)

        def load_packed(index: int) -> tuple[Summary | None, bytes, list[Problem]]:
            """Pickled at once: the main process loads its share too."""
            item, problems = load(paths[index])
            if item is None:
                return None, b"", problems
            return item.summary, pack_document(item), problems

        fresh = self.map(load_packed, todo, "Reading descriptors")
        documents = self.cache.stage(DOCUMENTS) if fresh else None
        for index, (summary, blob, problems) in zip(todo, fresh, strict=True):
            item = LentLoaded(summary, blob) if summary is not None else None
            results[index] = (item, problems)
            key = self._key(paths[index])
            kept = self._shared.summary(summary) if summary is not None else None
            stage.put(key, inputs[index], (kept, tuple(problems)))
            if item is not None and documents is not None:
                documents.put(key, inputs[index], blob)
        self.drafts = {item.file for item, _ in results if item and item.summary.draft}
        return results

    def _document(
        self, path: Path | str, load: Callable[[Path | str], tuple[Loaded | None, list[Problem]]]
    ) -> bytes:
        """The pickled document and model of a descriptor the cache found unchanged; read
        again from the file when the documents stage lost it (a damaged shard)."""
        from podpub.build.kept import pack_document

        stage = self.cache.stage(DOCUMENTS)
        found = stage.get(self._key(path), self.cache.stage(DESCRIPTORS).file_inputs(path))
        if found is not MISS:
            return found
        item, problems = load(path)
        if item is None:
            raise PodpubError(problems)
        return pack_document(item)

    def done_with(self, loaded: Any) -> None:
        """A step is done with a descriptor's document: a lent copy drops its objects."""
        from podpub.build.kept import LentLoaded

        if isinstance(loaded, LentLoaded):
            loaded.drop()

    def cached_document(self, path: Path) -> Any:
        """The loaded document of an episode descriptor this run read, if still current
        (the feed rules' locator reads descriptors again to point at a line)."""
        if not self.cache_options.enabled:
            return None
        stage = self.cache.stage(DOCUMENTS)
        entry = stage.entry(self._key(path))
        if entry is None or not same_inputs(entry[0], stage.file_inputs(path)):
            return None
        return safe_loads(entry[1])[0]

    def resolved(self, key: str, path: str, inputs: str) -> Any:
        """An episode's record kept by :meth:`keep_resolved`, if its descriptor ``path``
        has the same stamp, ``inputs`` are the same and every file the record refers to
        has the same stamp; else None. The record is lent (kept.py): its contents stay
        pickled until a step reads them."""
        stage = self.cache.stage(RESOLVED)
        stage.used.add(key)
        entry = stage.entry(key)
        # the descriptor's stamp and the show-wide digest; a stamp stored by a --verify
        # run (with the file's digest) answers a quick check
        if entry is None or entry[0][1] != inputs:
            return None
        if not same_inputs(entry[0][0], stage.file_inputs(path)):
            return None
        files, _index, _contents, digest, uses = entry[1]
        # A stamp does not change with permissions: a file made unreadable since is an
        # error the record would hide (the resolver reports it on reading the path again).
        for file, seen in files:
            if not same_inputs(seen, stage.file_inputs(file)) or not os.access(file, os.R_OK):
                return None
        record = self._lent(stage, key, entry)
        self.counts.resolved_cached += 1
        self._digests[id(record)] = (record, digest)
        for name, used in uses:
            self._kept_uses.setdefault(name, set()).add(used)
        self._kept_uses.setdefault(PROBES, set()).update(self._key(file) for file, _ in files)
        return record

    def _lent(self, stage: Stage, key: str, entry: tuple[Any, Any]) -> Any:
        """The record of a kept entry, lent (kept.py). A warm build's next run gets the
        same record again while the entry is unchanged: what it read of its contents
        and paths stays read, and 10,000 records are not made again per rebuild."""
        made = stage.made_from.get(key)
        if made is not None and made[0] is entry:
            return made[1]
        from podpub.build.kept import lend  # the records' module: not for the no-change check

        index, contents, digest = entry[1][1], entry[1][2], entry[1][3]
        record = lend(index, contents, digest)
        stage.made_from[key] = (entry, record)
        return record

    def keep_resolved(
        self, key: str, path: str, inputs: str, packed: Packed, uses: Sequence[Any]
    ) -> None:
        """Keep an episode's record (:meth:`pack_record`'s) for the next run, with the
        memo results it was made with (:meth:`recording_uses`), kept as long as it is."""
        stage = self.cache.stage(RESOLVED)
        stamp = stage.file_inputs(path)
        if stamp is None:  # the descriptor is gone or unreadable now: nothing to key on
            return
        files = tuple((file, stage.file_inputs(file)) for file in packed.paths)
        index = self._shared.index(packed.index)
        kept = (files, index, packed.contents, packed.digest, tuple(uses))
        stage.put(key, (stamp, inputs), kept)

    def pack_record(self, record: Any) -> Packed:
        """A fresh record as the store keeps it (in the worker that made it): the main
        process reads its contents only if a step needs them, and the workers that
        render its page and feed item read them there."""
        from podpub.build.kept import pack

        return pack(record)

    def lend_record(self, packed: Packed) -> Any:
        """The record of :meth:`pack_record`'s ``packed``, its digest known."""
        from podpub.build.kept import lend

        record = lend(packed.index, packed.contents, packed.digest)
        self._digests[id(record)] = (record, packed.digest)
        return record

    def record_digest(self, record: Any, digest: str | None = None) -> str:
        """The digest of a record's whole content (``cache.digest_of``), made once per run
        (or given, when made elsewhere): the records kept from the last run bring theirs
        along. A step that keys a result on a record (a feed page, a page) asks here."""
        known = self._digests.get(id(record))
        if known is None or known[0] is not record:
            known = (record, digest or _carried_digest(record) or digest_of(record))
            self._digests[id(record)] = known
        return known[1]

    def known_digests(self, records: Sequence[Any]) -> dict[int, str]:
        """``id(record) → digest`` for those of ``records`` already digested in this run.

        The site's episodes (one tuple) are asked for by the pages' keys and by the
        chapter files' in turn: once every one is known, the answer is kept for that
        tuple and copied, not gone through again (a record's digest never changes)."""
        whole = self._known_whole
        if whole is not None and whole[0] is records:
            return dict(whole[1])
        found = self._known_digests(records)
        if type(records) is tuple and len(found) == len(set(map(id, records))):
            self._known_whole = (records, dict(found))
        return found

    def digests_in_order(self, records: Sequence[Any]) -> tuple[str, ...]:
        """Each record's digest, in order: those the run knows (the records kept from
        the last run carry theirs: found in C, 10,000 in an edit), the others made now,
        over the workers (a cold run: every one), and known from then on.

        Asked for the site's episodes by the feed, the pages, the chapter files, the
        sitemap and the output checks: answered once per run for one tuple; a warm
        rebuild takes the last rebuild's answer and digests again only the places whose
        record is another object (an edit's, in C: 10,000 compared by identity)."""
        last = self._in_order
        if last is not None and last[0] is records:
            return last[1]
        held = self.cache.held
        digests = self._in_order_as_last(records, held.get(_IN_ORDER_HELD))
        if digests is None:
            known = self.known_digests(records)
            found: list[str | None] = list(map(known.get, map(id, records)))
            if None in found:
                places = compress(count(), map(is_, found, repeat(None)))
                todo = {id(records[place]): records[place] for place in places}
                made = self.map(digest_of, list(todo.values()))
                for record, digest in zip(todo.values(), made, strict=True):
                    known[id(record)] = self.record_digest(record, digest)
                found = list(map(known.__getitem__, map(id, records)))
            digests = tuple(cast("list[str]", found))  # every place known by now
        self._in_order = (records, digests)
        if self._warm and type(records) is tuple:  # for the next rebuild
            held[_IN_ORDER_HELD] = (records, digests)
        return digests

    def _in_order_as_last(self, records: Sequence[Any], last: Any) -> tuple[str, ...] | None:
        """A warm rebuild's :meth:`digests_in_order` from the last rebuild's answer, if
        ``records`` are as many and few are other objects; else None."""
        if last is None or not self._warm or len(last[0]) != len(records):
            return None
        places = list(compress(count(), map(is_not, records, last[0])))
        if len(places) * 8 > len(records):
            return None  # mostly other records: made as a cold run makes them
        digests = list(last[1])
        for place in places:
            digests[place] = self.record_digest(records[place])
        return tuple(digests)

    def _known_digests(self, records: Sequence[Any]) -> dict[int, str]:
        carried = _carried_digests(records)
        if carried is not None:  # the records lent by the store: their digest with them
            return self._with_registered(records, carried)
        found: dict[int, str] = {}
        digests = self._digests
        for record in records:
            known = digests.get(id(record))
            if known is not None and known[0] is record:
                found[id(record)] = known[1]
                continue
            its_own = _carried_digest(record)  # a warm build's records all carry theirs
            if its_own is not None:
                found[id(record)] = its_own
                digests[id(record)] = (record, its_own)  # asked again: known
        return found

    def _with_registered(self, records: Sequence[Any], carried: list[str | None]) -> dict[int, str]:
        """``id(record) → digest`` from the digests the records carry, and for the few
        that carry none (an edit's records, made now) the one this run registered."""
        found: dict[int, str] = dict(zip(map(id, records), carried, strict=True))  # type: ignore[arg-type]
        if None in carried:
            digests = self._digests
            for place in compress(count(), map(is_, carried, repeat(None))):
                record = records[place]
                known = digests.get(id(record))
                if known is not None and known[0] is record:
                    found[id(record)] = known[1]
                else:
                    found.pop(id(record), None)
        return found

    # --- the last run's resolve (resolve/last.py): an edit resolves what it changed --------
    #
    # The last-resolve stage keeps one entry per descriptor (the files its record refers
    # to with their stamps, the record's digest, the people it names) and a few for the
    # whole show (HEAD: LastResolve's small fields; ORDER, NAMES; USES: what the records
    # were made with). An edit puts its descriptor's entry and HEAD again: the store
    # saves those in the stage's delta file, not 10,000 entries.

    def last_resolve(self) -> tuple[Any, set[str] | None]:
        """The last run's ``LastResolve`` and the descriptors whose inputs changed since:
        the descriptor, or a file its record refers to, by stamp (those the run took at
        its start). ``(None, None)`` when there is none, or under ``--verify``
        (contents, not stamps, are compared then)."""
        if not self.cache_options.enabled or self.cache_options.verify:
            return None, None
        tables = self._last_tables()
        if tables is None:
            return None, None
        return tables.last, self._changed_descriptors(tables)

    def _last_tables(self) -> _LastTables | None:
        """The last-resolve stage's tables (a warm build: as the last run left them)."""
        stage = self.cache.stage(LAST_RESOLVE)
        entries = stage.entries
        head = entries.get(HEAD)
        if head is None or head[0] != LAST_VERSION:
            return None
        made = stage.made_from.get(HEAD)
        if made is not None and made[0] is head:
            return made[1]
        tables = _LastTables.read(entries)
        if tables is not None:
            stage.made_from[HEAD] = (head, tables)
        return tables

    def _changed_descriptors(self, tables: _LastTables) -> set[str]:
        """The descriptors one of whose files has another stamp now than it had."""
        known, root, stamps = self.cache.known, self._root(), tables.stamps
        differ = []
        if known:
            for rel in self._maybe_changed(tables):
                now = known.get(rel, MISS)
                if now == stamps[rel]:
                    stamps[rel] = now
                elif now is not MISS or self.cache.stamp(os.path.join(root, rel)) != stamps[rel]:
                    differ.append(rel)
        else:  # no stamps taken at the start (a library call): each file stamped here
            differ = [
                rel
                for rel, seen in stamps.items()
                if self.cache.stamp(os.path.join(root, rel)) != seen
            ]
        refs = tables.refs
        changed = {rel for rel in differ if rel in refs}
        others = set(differ) - changed  # audio, transcripts: rarely changed, looked up so
        if others:
            changed.update(
                file for file, pairs in refs.items() if others.intersection(rel for rel, _ in pairs)
            )
        return changed

    def _maybe_changed(self, tables: _LastTables) -> list[str]:
        """The watched files whose stamp may differ from the one the tables hold: in a
        warm build whose last run left them as the stamps it took then were, the files
        saved since (the watcher's, a few) and those outside the show (not stamped at the
        start: stat each); else every file, compared in C by value (a warm build's
        stamps of the files not saved since are mostly the very objects the last run
        kept)."""
        known, stamps = self.cache.known, tables.stamps
        told = self.cache.told_since(tables.known_at)
        if told is not None and tables.outside is not None:
            return [rel for rel in told if rel in stamps] + sorted(tables.outside)
        rels = stamps.keys()
        return list(compress(rels, map(ne, map(known.get, rels), stamps.values())))

    def same_entries_as_last(self, folder: str) -> bool:
        """Whether the show's ``folder`` holds the entries it held when the last resolve
        was kept: known in a warm build when every file saved in it since (told_since)
        was a file then and is one now (an edit of a descriptor; not one made, removed,
        renamed, nor a folder), so that the 10,000 names need not be listed again."""
        tables = self._last_tables()
        if tables is None or tables.known_at is None:
            return False
        told = self.cache.told_since(tables.known_at)
        if told is None:
            return False
        known, before, inside = self.cache.known, tables.known_at, folder + "/"
        return all(
            rel in known and rel in before
            for rel in told
            if rel == folder or rel.startswith(inside)
        )

    def keep_last_resolve(self, last: Any, records: Sequence[Any], changed: Any) -> None:
        """Keep ``last`` (None: forget the last run's) for the next run with the stamps
        its records were made from (the kept records' entries: every file each refers
        to), their digests and what they were made with (kept from pruning as long as
        they are). ``changed``: only these descriptors were resolved again, the rest is
        the last run's (None: all new)."""
        if not self.cache_options.enabled:
            return
        stage = self.cache.stage(LAST_RESOLVE)
        if last is None or self.cache_options.verify:  # (--verify: stamps with digests)
            self._forget_last(stage)  # the records' store changed without it
            return
        tables = self._last_tables() if changed is not None else None
        if tables is None:
            self._forget_last(stage)
            tables, todo = _LastTables(None), list(last.order)
        else:
            todo = sorted(changed)
        resolved = self.cache.stage(RESOLVED)
        uses_before = {name: len(keys) for name, keys in tables.uses.items()}
        for key in todo:
            entry = resolved.entry(key)
            if entry is None:  # not kept (a problem): the next run resolves all again
                self._forget_last(stage)
                return
            pairs = self._watch(key, entry, tables.uses)
            tables.put(stage, key, pairs, entry[1][3], last.named.get(key))
        if changed is not None:  # counted once the edit is resolved (not if it falls back)
            self.counts.resolved_cached += len(last.order) - len(changed)
            self.counts.loaded_cached += len(last.order) + len(last.skipped) - len(changed)
        else:
            root = self._root()
            for key in last.skipped:  # read, not resolved: watched for their own stamp
                tables.put(stage, key, ((key, self.cache.stamp(os.path.join(root, key))),))
        tables.keep(stage, last, uses_before)
        tables.records = tuple(records)  # a warm build's next run takes the same objects
        self._keep_known_at(tables, todo if changed is not None else None)
        stage.made_from[HEAD] = (stage._entries[HEAD], tables)

    def _keep_known_at(self, tables: _LastTables, put: Sequence[str] | None) -> None:
        """A warm build's tables told which stamps they hold: this run's (told_since),
        and which of their files the run did not stamp at its start (outside the show,
        hidden, gone): :meth:`_maybe_changed` stats those each run. ``put``: only these
        descriptors' entries are new (None: all)."""
        known = self.cache.known
        if not self._warm or not known:
            tables.known_at = tables.outside = None
            return
        if put is None or tables.outside is None:
            stamps = tables.stamps
            tables.outside = set(stamps.keys() - known.keys())
            inside = [rel for rel in stamps if rel not in tables.outside]
            if any(map(ne, map(known.__getitem__, inside), map(stamps.__getitem__, inside))):
                tables.known_at = tables.outside = None  # not this run's stamps: compared
                return
        else:
            for key in put:
                tables.outside.update(rel for rel, _ in tables.refs[key] if rel not in known)
        tables.known_at = known

    def _forget_last(self, stage: Stage) -> None:
        for key in list(stage.entries):
            _forget(stage, key)
        stage.made_from.pop(HEAD, None)

    def _watch(self, key: str, entry: tuple[Any, Any], uses: dict[str, set[str]]) -> Any:
        """A kept record's files with their stamps (its descriptor first); its probes and
        memo results into ``uses``."""
        (stamp_now, _inputs), (files, _index, _contents, _digest, used) = entry
        pairs = [(key, stamp_now)]
        for file, seen in files:
            pairs.append((self._rel(file), seen))
            uses.setdefault(PROBES, set()).add(self._key(file))
        for name, memo_key in used:
            uses.setdefault(name, set()).add(memo_key)
        return tuple(pairs)

    def kept_records(
        self, order: Sequence[str], descriptors: Sequence[str], drafts: Any, changed: Any
    ) -> Sequence[Any] | None:
        """The last run's records of ``order``, as it kept them (a warm build: the same
        objects), each the one the last run's resolve was made of (by digest), else
        None. What they were made from is kept from pruning; the descriptors as well."""
        tables = self._last_tables()
        if tables is None:
            return None
        if tables.records is not None and len(tables.records) == len(order):
            records: Sequence[Any] = tables.records
        else:
            found = self._lend_kept(order, tables.digests)
            if found is None:
                return None
            records = tables.records = tuple(found)
        self.cache.stage(RESOLVED).used.update(order)
        for name in (DESCRIPTORS, DOCUMENTS):
            self.cache.stage(name).used.update(descriptors)
        for name, keys in tables.uses.items():
            self._kept_uses.setdefault(name, set()).update(keys)
        self.drafts = set(drafts)
        return records

    def _lend_kept(self, order: Sequence[str], digests: dict[str, str]) -> list[Any] | None:
        """The records of ``order`` lent from the records' store, each checked to be the
        one the last run's resolve was made of (its digest); None if one is not."""
        from podpub.build.kept import lend  # the records' module: not for the no-change check

        entries = self.cache.stage(RESOLVED).entries  # every shard: every record is lent
        records = []
        for key in order:
            entry = entries.get(key)
            if entry is None or entry[1][3] != digests.get(key):
                return None
            records.append(lend(entry[1][1], entry[1][2], entry[1][3]))
        return records

    def _root(self) -> str:
        """The show folder, resolved (as the records' file paths are)."""
        if self._show_root is None:
            self._show_root = os.fspath(self.show_dir.resolve())
        return self._show_root

    def _rel(self, path: str) -> str:
        """A file of the show by its path in the show folder (as the run's stamps are)."""
        root = os.path.join(self._root(), "")
        return path[len(root) :] if path.startswith(root) else self._key(path)

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

    def _key(self, path: Path | str) -> str:
        """``path`` relative to the show folder (as ``Path.relative_to`` gives it, without
        building a Path: 20,000 of these in a rebuild)."""
        text, prefix = str(path), self._prefix
        return text[len(prefix) :] if text.startswith(prefix) else text

    # --- the output ----------------------------------------------------------------------

    def reuse_output(self, out: Path, key: str) -> None:
        """Let this run reuse the files of the previous publish into ``out`` (the one the
        cache's ``key`` state describes): unchanged pages are linked, not rendered."""
        if not self.cache_options.enabled:
            return
        self.out = out
        self.output_key = key.replace("state-", "output-", 1)  # its own file: read only
        self.sites_key = _sites_key(self.output_key)
        self.cache.single_file.add(self.output_key)  # read whole; an edit saves a delta
        self.cache.always_sharded.add(self.sites_key)  # a description read or written alone
        self._previous = None  # read when a build needs it
        self._key_inputs = {}  # only what this run's keys are made of is kept with its manifest

    @property
    def previous(self) -> dict[str, tuple[Any, ...]]:
        """The manifest of the previous publish into ``out`` (read on first use)."""
        if self._previous is None:
            found: dict[str, tuple[Any, ...]] = {}
            saved = self._saved_manifest()
            if saved is not None:  # a warm build's last: the table itself (read only)
                self._last_inputs = saved[1] if isinstance(saved[1], dict) else {}
                self._previous = saved[0]
                return saved[0]
            if self.output_key is not None:
                entries = self.cache.stage(self.output_key).entries
                version = MANIFEST_VERSION
                found = {rel: e[1] for rel, e in entries.items() if e[0] == version}
                found.pop(SITES, None)
            inputs = found.pop(KEY_INPUTS, None)
            self._last_inputs = inputs if isinstance(inputs, dict) else {}
            self._previous = found
        return self._previous

    def _saved_manifest(self) -> tuple[dict[str, tuple[Any, ...]], Any] | None:
        """The manifest and key inputs the last publish of this warm build saved
        (:meth:`save_manifest`), as the output stage's entries now hold them: not
        gone through entry by entry again (40,000 at 10,000 episodes). None in a
        cold run."""
        if not self._warm or self.output_key is None:
            return None
        saved = self.cache.stage(self.output_key).made_from.get(PLAN + MANIFEST)
        return saved[1] if saved is not None else None

    def changed_since_last(self, name: str, base: str, values: Sequence[str]) -> set[int] | None:
        """The places at which ``values`` differ from those the previous publish into
        this output made its ``name`` keys of (the site's episode digests, in order);
        None when it made them of another ``base`` (the template set, the show) or of
        another count of values, or made none: then every key of the family is made
        again. ``values`` are kept for the next run, with this run's manifest.

        A file whose key is made of ``base`` and of values at unchanged places only has
        the key it had (:meth:`renders_as_last`): not made again (a repr and a hash each,
        30,000 in an edit of 10,000 episodes). One entry with the manifest: the keys
        taken from it are those made of the values kept with it."""
        if self.out is None:
            return None
        values = tuple(values)
        self._key_inputs[name] = (base, values)
        self.previous  # noqa: B018 - read: the last inputs come with the manifest
        last = self._last_inputs.get(name)
        if last is None or last[0] != base or len(last[1]) != len(values):
            return None
        self._comparable.add(name)  # its places compared: a plan of it may be reused
        if last[1] == values:  # compared in C: nothing changed
            return set()
        return set(compress(count(), map(ne, values, last[1])))

    def renders_as_last(
        self, rels: Sequence[str], renders: Sequence[Callable[[], bytes]]
    ) -> list[KeyedRender | None]:
        """Each ``renders[i]`` with the key the previous publish made ``rels[i]`` with
        (the caller knows its inputs are the same: :meth:`changed_since_last`), or None
        if it made none; in one call: an edit of 10,000 episodes asks it for the 28,000
        pages and chapter files it does not change (a call each cost a tenth of a warm
        rebuild). Each comes back with
        the previous publish's entry (:class:`KeptRender`): the staging does not look
        it up again."""
        if len(rels) != len(renders):
            raise ValueError("a render for each file")
        lasts = list(map(self.previous.get, rels))
        # one made anew: rare (the second test, in C, reads no None: the first is false)
        if None in lasts or None in map(itemgetter(0), lasts):  # type: ignore[arg-type]
            return [
                None if last is None or last[0] is None else KeptRender(last, render)
                for last, render in zip(lasts, renders, strict=True)
            ]
        known = cast("list[tuple[Any, ...]]", lasts)  # every one known (an edit)
        return list(map(KeptRender, known, renders))

    def plan_as_last(self, name: str) -> Any:
        """The plan (a list of the site's files and what goes with it) this warm build
        kept for the ``name`` family of keys (:meth:`keep_plan`), if it was made of the
        values the last publish's keys of that family were made of: those
        :meth:`changed_since_last` compared this run's with (call it first). The caller
        then makes again only the entries at the places that changed, and takes the
        others as they are (one list copy, not a key each). None in a cold run, or when
        the plan was made of other values (a refused rebuild's, or none was kept)."""
        if not self._warm or self.output_key is None or name not in self._comparable:
            return None
        last = self._last_inputs.get(name)
        kept = self.cache.stage(self.output_key).made_from.get(PLAN + name)
        if last is None or kept is None or (kept[0] is not last and kept[0] != last):
            return None  # compared in C: a tuple of 10,000 digests, mostly the same objects
        return kept[1]

    def keep_plan(self, name: str, plan: Any) -> None:
        """Keep ``plan``, made of this run's ``name`` values (:meth:`changed_since_last`),
        for the next rebuild of this warm build (:meth:`plan_as_last`); a cold run keeps
        none (its process ends). A plan with a ``ready()`` has it called when the run is
        saved (:meth:`save_manifest`, after a warm build answered): what the next
        rebuild asks of it is made then."""
        inputs = self._key_inputs.get(name)
        if not self._warm or self.output_key is None or inputs is None:
            return
        self.cache.stage(self.output_key).made_from[PLAN + name] = (inputs, plan)
        self._kept_plans.append(plan)

    def save_manifest(self) -> None:
        """After a successful publish: what is now in the output folder, for the next run."""
        if self.out is None or self.output_key is None:
            return
        stage = self.cache.stage(self.output_key)
        self._merge_manifest()
        for plan in self._kept_plans:
            ready = getattr(plan, "ready", None)
            if ready is not None:
                ready()
        stage.hold({**self.manifest, KEY_INPUTS: self._key_inputs}, MANIFEST_VERSION, keep=SITES)
        if self._warm:  # what the stage now holds, for the next rebuild (_saved_manifest)
            stage.made_from[PLAN + MANIFEST] = ((None, None), (self.manifest, self._key_inputs))
        if self._sites is None:
            return
        import pickle

        # pickled here, not when staged: a warm build (rebuild.py) saves after it has
        # answered, while the browser reloads
        made = pickle.dumps(self.made_of, protocol=5)
        live = _name_beside(self._site_names().values())  # its name in the sites stage
        standby = self._sites["standby"] or live
        sites = self.cache.stage(self.sites_key)
        sites.put(live, MANIFEST_VERSION, made)
        # Written now, before the entry that names it (a run killed in between leaves
        # the last publish's names and descriptions as they were); pruned of the
        # descriptions named no more (the standby this publish replaced).
        sites.used = {live, standby}
        standby_blob = self._description(standby) if self._warm else None
        self.cache.save_stage(self.sites_key)
        stage.put(SITES, MANIFEST_VERSION, {"live": live, "standby": standby})
        self._remember_sites(stage, made, standby_blob)

    def _merge_manifest(self) -> None:
        """This run's manifest made whole: the last one's entries but at the paths the
        run looked at (:meth:`_keep_all_but`), then those the run staged with a key."""
        if self._manifest_base is None:
            return
        base, looked = self._manifest_base
        merged = dict(base)  # in C: 30,000 pages
        for rel in looked:
            merged.pop(rel, None)
        merged.update(self.manifest)
        self.manifest, self._manifest_base = merged, None

    def _description(self, name: Any) -> bytes | None:
        """A site's description (a pickled output.Standby) by its name in the sites
        stage; None if there is none."""
        if self.output_key is None:
            return None
        return _description_in(self.cache, self.sites_key, name)

    def _site_names(self) -> dict[str, Any]:
        """The names of the live site's and the standby's descriptions, as the last
        publish into this output left them ({} if none)."""
        if self.output_key is None:
            return {}
        names = self.cache.stage(self.output_key).get(SITES, MANIFEST_VERSION)
        return names if isinstance(names, dict) else {}

    def _remember_sites(self, stage: Stage, live: bytes, standby: bytes | None) -> None:
        """A warm build's next run is handed the objects these pickles were made from
        (:meth:`standby`): this site's description, and the standby's if an earlier
        rebuild of this process made it (it was then the live one, and the standby
        folder is that site, swapped out and renamed there by this rebuild). A standby
        described as this very site (no live one was described: ``staged_site``) is
        not, nor one this rebuild did not put there: the folder may be an older site,
        or a copy, whose files are then each checked."""
        staging, self._staging = self._staging, None
        plan, self._staged_plan = self._staged_plan, None
        if self._warm and plan is not None and self.made_of is not None:
            # what this site is made of, for the next rebuild's _keep_as_last
            files, direct = self.made_of.files, self._staged_direct
            # the files of the site outside the plan's: those staged before its files,
            # if they are all (None: another file came after, a carried one)
            whole = len(files) == len(plan.rels) + len(direct)
            stage.made_from[PLAN + STAGED] = (
                (None, None),
                replace(plan, made_of=files, direct=direct if whole else None),
            )
        if not self._warm or standby is None:
            return
        last = stage.made_from.get(SITES)
        standby_of = None
        replaced = getattr(staging, "replaced_is_standby", False)  # output.Staging.commit
        for known, made_of in zip(*last, strict=True) if last is not None else ():
            if known is standby and standby is not live and made_of is not None and replaced:
                standby_of = made_of
        stage.made_from[SITES] = ((live, standby), (self.made_of, standby_of))

    def stage_files(self, staging: Any, files: Sequence[tuple[str, Source]]) -> None:
        """Each file into the staging folder: files unchanged since the previous publish
        (a media file with the same source and stamp, a page with the same key, see
        site/keys.py) are kept as they are in the standby (output.py), here, at the cost
        of a stat each; only the others are shared out over the worker processes. An
        edit of one episode then sends a few dozen files to the workers, not 40,000 (and
        brings back as many results through a pipe)."""
        previous = self.previous  # read before forking: the workers share it
        self._staging = staging  # what it touched: see staged_site()
        self.release_lookups()  # before forking: neither the workers nor this hold them
        self.manifest, self._manifest_base = {}, None
        # what the publish put in the staging itself before (the feed, the cover, …)
        self._staged_direct = tuple(staging.manifest)
        todo = self._keep_as_last(staging, files, previous)
        if todo is None:  # not a warm rebuild's trusted standby: every file looked at
            todo = self._keep_unchanged(staging, files, previous)
            if self._warm and self.out is not None:  # a plan for the next rebuild
                known, show = self.cache.known, self._show_in_known()
                self._staged_plan = _StagePlan.made(files, known, show)

        def one(item: tuple[str, Source]) -> tuple[Any, tuple[Any, ...]]:
            rel, source = item
            if not callable(source):  # a media file's path (its text, or a Path)
                return None, staging.link(rel, source, self._link_identity(source))
            if self.out is None:
                return None, staging.write(rel, source())
            return self._stage_render(staging, rel, source)

        results = self.map(one, todo, "Writing the site")
        for (rel, source), (entry, staged) in zip(todo, results, strict=True):
            self._count_staged(staging, rel, source, entry, staged, previous)

    def _keep_as_last(
        self,
        staging: Any,
        files: Sequence[tuple[str, Source]],
        previous: dict[str, tuple[Any, ...]],
    ) -> list[tuple[str, Source]] | None:
        """A warm rebuild's :meth:`_keep_unchanged`, looking at what the edit reached
        only: the files the last rebuild staged (its plan, the same objects at the same
        places of ``files``) whose standby copy is the one the last rebuild's site had
        (the very entry of its description) are kept wholesale, in C (dict updates, no
        loop per file); the others go through :meth:`_keep_unchanged`. None when this
        does not apply (no trusted standby, no plan of the last rebuild, another count
        of files, or a media source whose stamp changed): then every file is looked at.

        What the last rebuild staged of an unchanged file is what the loop would keep
        now: the same key (the same render object), the same bytes in the standby (the
        same entry), the same source at the same stamp for a media file (checked: the
        stamps of the show's files that changed name no media source of the plan)."""
        plan = self._stage_plan_as_last(staging)
        if plan is None or len(plan.files) != len(files):
            return None
        known = self.cache.known
        if plan.sources_changed(known, self.cache.told_since(plan.known)):
            return None  # an audio, artwork or transcript file saved: every file looked at
        present, rels = staging.present, plan.rels
        same_item = map(is_not, files, plan.files)  # True: not the same (an edit reached it)
        lineage = self._standby_files is plan.base and plan.last_places is not None
        if lineage:
            # The standby is the site before the last rebuild's, as this process
            # described it (the very table the plan was compared with): it differs from
            # the last site only where the last rebuild looked (see _StagePlan).
            looked = list(same_item)
            for place in plan.last_places:  # type: ignore[union-attr]
                looked[place] = True
        else:
            # the standby's entry is not the last site's (or either has none: told
            # apart); by value: a file linked from the live site has an entry of its own
            moved = map(
                ne,
                map(present.get, rels, repeat(_NOT_IN_STANDBY)),
                map(plan.made_of.get, rels, repeat(_NOT_IN_SITE)),
            )
            looked = list(map(or_, same_item, moved))  # in C: a bool for each place
        for place in plan.always:  # media outside the show: stamped each run
            looked[place] = True
        places = list(compress(count(), looked))
        reached = [files[place] for place in places]
        new_rels = plan.rels
        if any(rel != rels[place] for place, (rel, _source) in zip(places, reached, strict=True)):
            new_rels = list(rels)  # a reached file at another path (rare): checked whole
            for place, (rel, _source) in zip(places, reached, strict=True):
                new_rels[place] = rel
            if len(set(new_rels)) != len(new_rels):
                return None  # a path twice: the loop's order decides which entry is kept
        direct = plan.base_direct
        if (
            lineage
            and direct is not None
            and len(present) == len(rels) + len(direct)
            and len(previous) == plan.page_count
        ):
            self._keep_all_but(staging, plan, places, new_rels, previous)
        elif not self._keep_others(staging, plan, looked, previous):
            return None  # not as the last rebuild left it: every file looked at
        todo = self._keep_unchanged(staging, reached, previous)
        self._staged_plan = plan.updated(files, known, new_rels, places)
        return todo

    def _keep_others(
        self,
        staging: Any,
        plan: _StagePlan,
        looked: list[bool],
        previous: dict[str, tuple[Any, ...]],
    ) -> bool:
        """The standby's files at the places not ``looked`` at kept as they are, their
        entries looked up (in C) in the standby's description and the last manifest;
        False if one is missing there (nothing kept then)."""
        rels = plan.rels
        # the others, in the plan's order (the dicts' own: lookups in C, near in memory)
        kept = list(compress(rels, map(not_, looked)))
        pages = list(compress(rels, map(and_, map(not_, looked), plan.pages)))
        try:
            kept_entries = _values(staging.present, kept)
            page_entries = _values(previous, pages)  # a media file has no manifest entry
        except KeyError:
            return False
        staging.manifest.update(zip(kept, kept_entries, strict=True))
        self.manifest.update(zip(pages, page_entries, strict=True))
        self._count_kept(len(kept), len(pages))
        return True

    def _keep_all_but(
        self,
        staging: Any,
        plan: _StagePlan,
        places: list[int],
        new_rels: list[str],
        previous: dict[str, tuple[Any, ...]],
    ) -> None:
        """:meth:`_keep_others` when the standby holds the plan's files and those the
        publish staged itself (as many entries), and the last manifest its pages: both
        tables copied whole, in C and in their own order (no lookup by path). The
        staging's entries at the places looked at are then the standby's until
        :meth:`_keep_unchanged` or a worker stages each file again; a path that will
        not be staged again (the standby had another file at the place) is taken out.
        The pages' at those places are taken out of this run's manifest: it holds an
        entry only for what this run staged with a key."""
        before = staging.manifest  # what the publish staged itself: as it staged it
        # the standby's entries, in its order: a copy of a compact table is made in C
        # without a lookup per entry (40,000 at 10,000 episodes)
        manifest = dict(staging.present)
        staged_again = {new_rels[place] for place in places}
        others = {plan.rels[place] for place in places}
        others.update(plan.last_rels)
        others.update(plan.base_direct or ())
        for rel in others - staged_again - before.keys():  # none after a title edit
            manifest.pop(rel, None)
        manifest.update(before)
        staging.manifest = manifest
        # the only paths at which the staging may now differ from the standby (its
        # finish() compares those), and each file it stages from here on
        staging.differs_at = others | staged_again | before.keys()
        self._manifest_base = (previous, others | staged_again)  # merged when saved
        pages = plan.page_count - sum(map(plan.pages.__getitem__, places))
        self._count_kept(len(plan.rels) - len(places), pages)

    def _count_kept(self, kept: int, pages: int) -> None:
        """``kept`` files kept from the standby, ``pages`` of them pages."""
        self.counts.linked += kept - pages
        self.counts.reused += pages
        self.counts.rendered_cached += pages

    def _stage_plan_as_last(self, staging: Any) -> _StagePlan | None:
        """The plan of the last rebuild of this warm build (the files it staged and
        what its site was made of), if its standby is trusted: else None."""
        if not self._warm or self.out is None or self.output_key is None:
            return None
        if not getattr(staging, "trusted", False) or not getattr(staging, "reused_standby", False):
            return None
        kept = self.cache.stage(self.output_key).made_from.get(PLAN + STAGED)
        return kept[1] if kept is not None else None

    def _show_in_known(self) -> str:
        """The show folder as a media source's text starts with ("<folder>/", real)."""
        return os.path.join(os.path.realpath(self.show_dir), "")

    def _keep_unchanged(
        self,
        staging: Any,
        files: Sequence[tuple[str, Source]],
        previous: dict[str, tuple[Any, ...]],
    ) -> list[tuple[str, Source]]:
        """Keep each file of the standby that is unchanged, with no work but a stat: a
        media file from the same source and stamp, a page whose key is the one recorded
        last time. Returns the others (linked, or rendered and written, by the workers;
        a page whose standby copy is gone may still be linked from the live site).

        One loop over 40,000 files at 10,000 episodes, written out here with no call
        per file but the stat (output.py's ``Staging.keep`` does the same for one file):
        the standby's entry for the path, then its identity, then the file's stamp on
        disk. The stat catches a file of the live site edited in place by hand (the
        standby shares its files by hard links); none is taken for a media file still
        linked from its unchanged source in a folder nothing was put in
        (``Staging._same_link``), nor in a trusted standby (a warm build's own preview).
        The staging records what it keeps in its manifest (in this process: not told
        again with ``add_entry``, as a worker's files are)."""
        if staging.trusted:  # nothing of it is stat'ed
            return self._keep_unchanged_in(staging, files, previous, None)
        # each file stat'ed relative to the staging folder: a fifth of those stats' time
        with opened_folder(staging.prefix) as folder:
            return self._keep_unchanged_in(staging, files, previous, folder)

    def _keep_unchanged_in(
        self,
        staging: Any,
        files: Sequence[tuple[str, Source]],
        previous: dict[str, tuple[Any, ...]],
        folder: int | None,
    ) -> list[tuple[str, Source]]:
        """:meth:`_keep_unchanged`, a file looked at by its path under ``folder`` (an
        open descriptor of the staging folder), else by its whole path."""
        present, staged, manifest = staging.present, staging.manifest, self.manifest
        prefix, swept, trusted = staging.prefix, staging.swept, staging.trusted
        stamp_of, stat = self.cache.stamp, os.stat
        # a media source's stamp as the run took it: by its path in the show, in place
        known, show = self.cache.known, os.path.join(os.path.realpath(self.show_dir), "")
        cut = len(show)
        reuses = self.out is not None
        todo: list[tuple[str, Source]] = []
        linked = reused = 0
        for item in files:
            rel, source = item
            kind = type(source)
            try:  # subscripts, not get(): no call per file
                identity, seen = entry = present[rel]
                if kind is KeptRender:  # keyed as last time: that entry comes with it
                    last = source.last  # type: ignore[union-attr]
                else:
                    last = previous[rel] if kind is KeyedRender else None
            except KeyError:
                todo.append(item)
                continue
            if last is not None:  # a page (a KeptRender's key is last[0] already)
                if kind is not KeptRender and (not reuses or last[0] != source.key):  # type: ignore[union-attr]
                    todo.append(item)
                    continue
                if identity[0] != "bytes" or identity[1] != last[1]:
                    todo.append(item)
                    continue
                looked = trusted
            elif kind is str or isinstance(source, Path):  # a media file
                text = identity[1]
                if identity[0] != "link" or text != (
                    source if type(source) is str else str(source)
                ):
                    todo.append(item)
                    continue
                now = known.get(text[cut:]) if text[:cut] == show else None
                if now is None:
                    now = stamp_of(cast("Path | str", source))
                if identity[2] != now:
                    todo.append(item)
                    continue
                # the source's very inode (its stamp), in a folder nothing was put in
                looked = trusted or (seen == now and rel.rpartition("/")[0] in swept)
            else:
                todo.append(item)
                continue
            if not looked:
                try:
                    st = stat(rel, dir_fd=folder) if folder is not None else stat(prefix + rel)
                except OSError:
                    todo.append(item)
                    continue
                if (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev) != seen:
                    todo.append(item)
                    continue
            staged[rel] = entry
            if last is None:
                linked += 1
            else:
                # the last entry itself when its file is the same one (the standby's
                # description shares its stamps with the manifest: _sharing_manifest)
                manifest[rel] = last if seen is last[2] else (last[0], last[1], seen)
                reused += 1
        self.counts.linked += linked
        self.counts.reused += reused
        self.counts.rendered_cached += reused
        return todo

    def _link_identity(self, source: Path | str) -> tuple[Any, ...]:
        """A media file's identity (output.py's ``link_identity``) from the stamp the run
        took of its source at the start (the records were checked against the same)."""
        return ("link", str(source), self.cache.stamp(source))

    def _count_staged(
        self,
        staging: Any,
        rel: str,
        source: Source,
        entry: tuple[Any, ...] | None,
        staged: tuple[Any, ...],
        previous: dict[str, tuple[Any, ...]],
    ) -> None:
        """A file a worker staged into the staging's manifest and this run's, counted."""
        staging.add_entry(rel, staged)
        if not callable(source):  # a media file's path
            self.counts.linked += 1
            return
        last = previous.get(rel)
        if entry is not None and last is not None and last[1] == entry[1]:
            self.counts.reused += 1  # the same bytes as the last publish's
        else:
            self.counts.written += 1
        if entry is not None:
            self.manifest[rel] = (*entry[:2], staged[1])
            if entry[2]:
                self.counts.rendered_cached += 1

    def release_lookups(self) -> None:
        """Write the stages the run is done with and let go of their entries
        (store.Stage.release): once the site is checked, the documents, summaries and
        records are held by the pipeline's values or by no one; once the files are
        staged, so are the feed pages' bytes. A warm build keeps
        them: its next rebuild reads none of them from disk again.

        Called after the check and again before the files are staged: a stage that
        neither read a shard nor put an entry in between is not looked at again (the
        second call of an edit went over every key read to find nothing to let go)."""
        if self._warm or not self.cache_options.enabled:
            return
        left = self._released
        released = False
        for name in (DOCUMENTS, DESCRIPTORS, RESOLVED, PROBES, FEED_PAGES):
            stage = self.cache.stages.get(name)
            if stage is None or left.get(name) == (len(stage.pending), stage.dirty):
                continue  # absent, or as the last call left it: nothing read or put since
            stage.used |= self._kept_uses.get(name, set())  # as save() keeps them
            if name == DOCUMENTS and DESCRIPTORS in self.cache.stages:
                stage.used |= self.cache.stages[DESCRIPTORS].used
            # written now (the run asks nothing more of it): a cold run's fresh entries
            # (every document and record) need not wait in memory for the end's save
            self.cache.save_stage(name)
            stage.release(stage.used)
            left[name] = (len(stage.pending), stage.dirty)
            released = True
        released = self._drop_finished_stages() or released
        if released:
            _return_freed_memory()

    def _drop_finished_stages(self) -> bool:
        """Write the single-file stages only the check reads (the last resolve's tables,
        the feed rules' findings, the feed pages' readings) and drop them from the
        cache: a single file cannot let go of part of its entries (store.Stage.release),
        and at 10,000 episodes they hold 20 MiB (the last resolve's stamps and digests
        of every descriptor: 14) that the write of the site would hold to the end.
        Written as the end's save would write them: the findings and readings pruned of
        what the run did not ask for, the last resolve whole (the save never prunes
        it). A stage asked for again later is read again from the file written here."""
        dropped = False
        for name in FINISHED_AFTER_CHECK:
            stage = self.cache.stages.get(name)
            if stage is None:
                continue
            if name not in PRUNED:
                stage.used |= stage.entries.keys()  # kept whole: nothing of it pruned
            self.cache.save_stage(name)
            del self.cache.stages[name]
            dropped = True
        return dropped

    def _stage_render(
        self, staging: Any, rel: str, render: Callable[[], bytes]
    ) -> tuple[tuple[str | None, str, bool], tuple[Any, ...]]:
        """Stage one rendered file: ``((key, digest, not rendered), staging entry)``. A
        file whose key (known before rendering) is the one recorded last time, and whose
        last copy is still as written, is kept or linked: its render is never started."""
        previous = self.previous.get(rel)
        key = render.key if isinstance(render, KeyedRender) else None
        if key is not None and previous is not None and previous[0] == key:
            kept = self._unchanged(staging, rel, previous)
            if kept is not None:
                return (key, previous[1], True), kept
        data = render()
        identity = content_identity(data)
        # the same bytes as the standby's copy (a page whose key changed, not its
        # text): kept, with no look at the live site; else the last publish's linked
        staged = staging.keep(rel, identity)
        same = previous is not None and previous[1] == identity[1]
        if staged is None and same and self._intact(rel, previous):  # type: ignore[arg-type]
            staged = staging.link(rel, os.path.join(self.out, rel), identity)  # type: ignore[arg-type]
        if staged is None:
            staged = staging.write(rel, data, identity)
        return (key, identity[1], False), staged

    def _unchanged(
        self, staging: Any, rel: str, previous: tuple[Any, ...]
    ) -> tuple[Any, ...] | None:
        """An unchanged file staged without rendering it: the standby's copy kept (most
        files of an edit), else the live site's linked if intact; None if neither is."""
        identity = ("bytes", previous[1])
        kept = staging.keep(rel, identity)
        if kept is None and self._intact(rel, previous):
            kept = staging.link(rel, os.path.join(self.out, rel), identity)  # type: ignore[arg-type]
        return kept

    def keyed(
        self, render: Callable[[], bytes], *parts: Any, digested: bool = False
    ) -> Callable[[], bytes]:
        """``render`` keyed on ``parts`` when this run may reuse the previous output:
        episode records (which stand for their digest), values with a stable ``repr``
        (text, numbers, None, podpub's small frozen data classes) and tuples or lists
        of them; the ``repr`` is hashed (30,000 keys in a rebuild: a pickle of each
        would cost ten times more).

        ``digested``: the caller already put each record as its digest
        (``record_digest``), so the parts are not walked for records (a person's page
        lists hundreds)."""
        if self.out is None:
            return render
        plain = parts if digested else _plain_of(self)(parts)
        key = hashlib.blake2b(repr(plain).encode(), digest_size=20).hexdigest()
        return KeyedRender(key, render)

    # --- the standby site (output.py) ------------------------------------------------------

    def standby(self) -> Any:
        """What the standby folder of the output is made of, if this run may reuse it.

        In a warm build (rebuild.py) it is the description an earlier rebuild of this
        process made (its pickle is the same bytes object): handed out as it is, not
        unpickled again (41,000 files at 10,000 episodes), and trusted (output.py's
        ``Standby.trusted``): the output is the warm build's own (serve's preview in
        ``.podpub/``), and no other process wrote the show's cache since (else the
        warm build reads it again, and with it none of these objects)."""
        if self.out is None or self.output_key is None or self.cache_options.verify:
            return None
        stage = self.cache.stage(self.output_key)
        blob = self._description(self._site_names().get("standby"))
        if blob is None:
            return None
        made = stage.made_from.get(SITES) if self._warm else None  # _remember_sites()
        if made is not None and made[0][1] is blob and made[1][1] is not None:
            self._standby_files = made[1][1].files  # known by identity: _keep_as_last
            return replace(made[1][1], trusted=True)
        return self._sharing_manifest(safe_loads(blob))

    def _sharing_manifest(self, standby: Any) -> Any:
        """The standby's description, each page's digest and stamp the very objects of
        the previous manifest's equal ones (read from the same file, held as long):
        unpickled apart, the two would hold each page's digest and stamp twice (9 MiB
        at 10,000 episodes, through the whole write of the site)."""
        previous, files = self.previous, standby.files
        for rel, (identity, seen) in files.items():
            last = previous.get(rel)
            if last is not None and identity[0] == "bytes" and identity[1] == last[1]:
                files[rel] = (("bytes", last[1]), last[2] if seen == last[2] else seen)
        return standby

    def keeps_standby(self) -> bool:
        """Whether the replaced site is kept as the next run's standby."""
        return self.out is not None and self.output_key is not None

    def staged_site(self, made_of: Any) -> None:
        """The new site is staged (``Staging.finish``): after the swap it is the live site,
        and the one it replaces is the standby, described by the last run's record."""
        self.made_of = made_of
        self.touched = getattr(self._staging, "touched", None)
        if self.output_key is None:
            return
        live = self._site_names().get("live")  # its name: the description is not read
        # Without a last site described, the standby will be a copy of this one (hard
        # links, output.copy_as_standby) if anything: each of its files is checked
        # against this description before use, whatever is found there.
        self._sites = {"standby": live}  # and this one as the live site (save_manifest)

    def _intact(self, rel: str, previous: tuple[Any, ...]) -> bool:
        """The previous publish's file is still there, as it was written."""
        path = os.path.join(self.out, rel)  # type: ignore[arg-type]
        if stamp(path) != previous[2]:
            return False
        if self.cache_options.verify:
            with open(path, "rb") as handle:
                data = handle.read()
            return data_digest(data) == previous[1]
        return True


# told apart from any entry, and from each other (_keep_as_last)
_NOT_IN_STANDBY, _NOT_IN_SITE = object(), object()


@dataclass(frozen=True)
class _StagePlan:
    """The files a warm rebuild staged, for the next one's :meth:`Engine._keep_as_last`:
    the list itself (its items are compared by identity), each one's path, whether it
    is a render (a page: a manifest entry) at each place, the stamps of the show's files
    it was made with, the media sources in the show (by path in the show) and the
    places of those outside it (stamped each run), and what its site was made of
    (``Standby.files``: set once the site is staged)."""

    files: list[tuple[str, Any]]
    rels: list[str]
    pages: list[bool]
    known: dict[str, Any]
    sources: frozenset[str]
    always: tuple[int, ...]
    show: str  # the show folder, as a media source's text starts with
    made_of: dict[str, Any] = field(default_factory=dict)
    page_count: int = 0  # how many of ``pages`` are true
    # Made by a rebuild from the plan before (``updated``): that plan's site (its
    # ``made_of``, the very table), the places this rebuild looked at, and the paths
    # that plan had there. A site differs from the one before only at those places:
    # every other file was kept as the standby had it, and the standby was the site
    # before when it is that table. The next rebuild, whose standby is that site, then
    # looks at those places without comparing the two sites' 40,000 entries.
    base: dict[str, Any] | None = None
    last_places: tuple[int, ...] | None = None
    last_rels: tuple[str, ...] = ()
    # The site's files outside the plan's (staged by the publish before them: the feed,
    # the cover), set with ``made_of`` (None: not known, another came after them); and
    # those of the plan before (of ``base``).
    direct: tuple[str, ...] | None = None
    base_direct: tuple[str, ...] | None = None

    @classmethod
    def made(
        cls, files: Sequence[tuple[str, Any]], known: dict[str, Any], show: str
    ) -> _StagePlan | None:
        """The plan of ``files``, looked at one by one (a run that looked at each); None
        when a path comes twice (the loop's order decides which entry is kept)."""
        rels = list(map(itemgetter(0), files))
        if len(set(rels)) != len(rels):
            return None
        sources: set[str] = set()
        always: list[int] = []
        _add_sources(files, range(len(files)), known, show, sources, always)
        pages = list(map(callable, map(itemgetter(1), files)))
        return cls(
            list(files),
            rels,
            pages,
            known,
            frozenset(sources),
            tuple(always),
            show,
            page_count=sum(pages),
        )

    def updated(
        self,
        files: Sequence[tuple[str, Any]],
        known: dict[str, Any],
        rels: list[str],
        reached: Sequence[int],
    ) -> _StagePlan:
        """This plan for ``files``, made of it at the places ``reached`` (the others are
        the same objects); a source that left the plan stays in ``sources`` (it only
        makes the next run look at every file if it changes)."""
        sources: set[str] = set()
        always = [place for place in self.always if not callable(files[place][1])]
        _add_sources(files, reached, known, self.show, sources, always)
        pages, page_count = self.pages, self.page_count
        if any(callable(files[place][1]) is not pages[place] for place in reached):
            pages = list(pages)
            for place in reached:
                pages[place] = callable(files[place][1])
            page_count = sum(pages)
        return _StagePlan(
            list(files),
            rels,
            pages,
            known,
            self.sources | sources if not sources <= self.sources else self.sources,
            tuple(sorted(set(always))),
            self.show,
            page_count=page_count,
            base=self.made_of,
            base_direct=self.direct,
            last_places=tuple(reached),
            last_rels=tuple(self.rels[place] for place in reached),
        )

    def sources_changed(self, known: dict[str, Any], told: frozenset[str] | None) -> bool:
        """Whether a media source of the plan has another stamp now than when it was
        made (or is gone): the files ``told`` of (those a warm build's watcher saw saved
        since, ShowCache.told_since), else the show's files compared in C, by value
        (after a run that stamped every file again, each stamp is another object of the
        same value)."""
        last = self.known
        if known is last:
            return False
        if told is not None:
            saved = {rel for rel in told if known.get(rel, MISS) != last.get(rel, MISS)}
            return not saved.isdisjoint(self.sources)
        keys = known.keys()
        stamps_then = map(last.get, keys, repeat(_NOT_IN_SITE))
        changed = set(compress(keys, map(ne, known.values(), stamps_then)))
        changed.update(last.keys() - keys)
        return not changed.isdisjoint(self.sources)


def _add_sources(
    files: Sequence[tuple[str, Any]],
    places: Iterable[int],
    known: dict[str, Any],
    show: str,
    sources: set[str],
    always: list[int],
) -> None:
    """The media sources at ``places`` of ``files`` added to ``sources`` (by path in the
    show), or their places to ``always`` when the run does not know their stamp."""
    cut = len(show)
    for place in places:
        source = files[place][1]
        if callable(source):
            continue
        text = source if type(source) is str else str(source)
        if text[:cut] == show and text[cut:] in known:
            sources.add(text[cut:])
        else:
            always.append(place)


def _values(mapping: dict[str, Any], keys: list[str]) -> tuple[Any, ...]:
    """``mapping[key]`` for each of ``keys``, in one call in C (KeyError if one is not)."""
    if not keys:
        return ()
    found = itemgetter(*keys)(mapping)
    return found if len(keys) > 1 else (found,)


class _LastTables:
    """The last-resolve stage as a run compares with it (a warm build keeps it in
    memory between runs: the stamps are then the very objects its stamps table holds,
    told apart by identity)."""

    def __init__(self, last: Any) -> None:
        self.last = last  # resolve/last.py's LastResolve
        self.stamps: dict[str, Any] = {}  # every file watched (by path in the show) → stamp
        self.refs: dict[str, tuple[Any, ...]] = {}  # descriptor → (file, stamp), itself first
        self.digests: dict[str, str] = {}  # published descriptor → its record's digest
        self.uses: dict[str, set[str]] = {}  # stage → the keys the records were made with
        self.records: tuple[Any, ...] | None = None  # of last.order, once lent
        # a warm build: the run's stamps (cache.known) the stamps above were taken from
        # or compared with, and the watched files outside the show (stamped by a stat)
        self.known_at: dict[str, Any] | None = None
        self.outside: set[str] | None = None

    @classmethod
    def read(cls, entries: dict[str, tuple[Any, Any]]) -> _LastTables | None:
        """The tables of the stage's ``entries``; None if one for the show is missing."""
        from dataclasses import replace

        parts = [entries.get(key) for key in (HEAD, ORDER, NAMES, USES)]
        if any(part is None or part[0] != LAST_VERSION for part in parts):
            return None
        head, order, names, uses = (part[1] for part in parts)  # type: ignore[index]
        tables = cls(None)
        named: dict[str, Any] = {}
        for key, (_version, value) in entries.items():
            if key[0] == ".":
                continue
            pairs, digest, mentions = value
            tables.add(key, pairs, digest)
            if mentions is not None:
                named[key] = mentions
        tables.uses = {name: set(keys) for name, keys in uses.items()}
        tables.last = replace(head, order=order, names=names, named=named)
        return tables

    def add(self, key: str, pairs: tuple[Any, ...], digest: str | None) -> None:
        """One descriptor's files (with their stamps) and record digest into the tables."""
        self.stamps.update(pairs)
        self.refs[key] = pairs
        if digest is not None:
            self.digests[key] = digest

    def put(
        self,
        stage: Stage,
        key: str,
        pairs: tuple[Any, ...],
        digest: str | None = None,
        named: Any = None,
    ) -> None:
        """One descriptor's entry, in the tables and the stage."""
        self.add(key, pairs, digest)
        stage.put(key, LAST_VERSION, (pairs, digest, named))

    def keep(self, stage: Stage, last: Any, uses_before: dict[str, int]) -> None:
        """The show's entries: HEAD again (the run's time), the others if they changed."""
        from dataclasses import replace

        before, self.last = self.last, last
        stage.put(HEAD, LAST_VERSION, replace(last, order=(), names=frozenset(), named={}))
        if before is None or last.order is not before.order:
            stage.put(ORDER, LAST_VERSION, last.order)
        if before is None or last.names is not before.names:
            stage.put(NAMES, LAST_VERSION, last.names)
        if before is None or {n: len(k) for n, k in self.uses.items()} != uses_before:
            stage.put(USES, LAST_VERSION, {n: frozenset(k) for n, k in self.uses.items()})


class SharedValues:
    """One object for each distinct credit line, role, person and optional-tags value
    among the records kept in a run.

    The records come back from the worker processes each with its own copies of the
    people and roles they name (a host named by 10,000 episodes: 10,000 equal objects).
    Pickled as they are, a stage file makes each copy again when it is read, and the
    credits are most of what an edit unpickles of every unchanged record's index. Made
    the same object before they are kept, they are pickled once per stage file (the
    pickle's memo) and read back once: the resolved index of 10,000 episodes reads in
    about a third of the time.
    """

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def index(self, index: tuple[Any, ...]) -> tuple[Any, ...]:
        """A record's index (kept.py's ``INDEX_FIELDS``) with its values shared."""
        from podpub.build.kept import INDEX_FIELDS

        shared = list(index)
        for position, name in enumerate(INDEX_FIELDS):
            if name == "credits":
                shared[position] = self.credits(index[position])
            elif name == "extras":
                shared[position] = self.one(index[position])
        return tuple(shared)

    def credits(self, groups: tuple[Any, ...]) -> tuple[Any, ...]:
        """Credit lines (``CreditGroup``: a role and its people), each part shared."""
        found = self._seen.get(groups)
        if found is not None:
            return found
        made = tuple(
            self._seen.get(group)
            or self.one(type(group)(self.one(group.role), tuple(map(self.one, group.people))))
            for group in groups
        )
        return self.one(made)

    def summary(self, summary: Summary) -> Summary:
        """A descriptor's summary with the people it names shared (the hosts, named by
        every episode)."""
        mentions = self.one(tuple(map(self.one, summary.mentions)))
        return replace(summary, mentions=mentions)

    def one(self, value: Any) -> Any:
        """The first value kept equal to ``value`` (``value`` itself if unhashable)."""
        try:
            return self._seen.setdefault(value, value)
        except TypeError:
            return value


def _name_beside(names: Iterable[Any]) -> str:
    """A new name for a site's description, in a shard file of the sites stage that
    holds none of ``names`` (the last publish's two): the new description is then
    written alone, and the one it replaces leaves its own file (removed, not written
    again without it)."""
    taken = {shard_of(name) for name in names if isinstance(name, str)}
    while True:
        name = os.urandom(8).hex()
        if shard_of(name) not in taken:
            return name


def _forget(stage: Stage, key: str) -> None:
    """Remove ``key``'s entry, if any (written so at the next save)."""
    if stage.entries.pop(key, None) is not None:
        stage.touch((key,))


def standby_to_prepare(cache: ShowCache, output_key: str) -> tuple[Any, Any] | None:
    """A warm build's live site and standby (``output.Standby`` descriptions) when the
    standby is one this process cannot trust (read from disk, or a copy of the live
    site): ``(live, standby)``, the standby None if none is described. None when there
    is nothing to prepare: the standby is trusted already (``Engine.standby``), or the
    live site was not described by this process (``_remember_sites``)."""
    names = cache.stage(output_key).get(SITES, MANIFEST_VERSION)
    made = cache.stage(output_key).made_from.get(SITES)
    if not isinstance(names, dict) or made is None:
        return None
    sites_key = _sites_key(output_key)
    if made[0][0] is not _description_in(cache, sites_key, names.get("live")):
        return None
    blob = _description_in(cache, sites_key, names.get("standby"))
    if made[0][1] is blob and made[1][1] is not None:
        return None  # made by a rebuild of this process: trusted
    if blob is None:
        return made[1][0], None
    return made[1][0], made[1][0] if blob is made[0][0] else safe_loads(blob)


def standby_prepared(cache: ShowCache, output_key: str, standby: Any) -> None:
    """The standby folder now holds the live site, as ``standby`` describes it (a warm
    build brought it up to date while serve was idle: rebuild.py's
    ``WarmBuild.prepare_standby``). Recorded for the next run, and saved now: a warm
    rebuild is handed it trusted, a cold run finds it described as it is."""
    import pickle

    stage = cache.stage(output_key)
    (live, _old), (live_of, _old_of) = stage.made_from[SITES]
    names = stage.get(SITES, MANIFEST_VERSION)
    blob = pickle.dumps(standby, protocol=5)
    name = _name_beside(names.values())
    sites_key = _sites_key(output_key)
    sites = cache.stage(sites_key)
    sites.put(name, MANIFEST_VERSION, blob)
    sites.used = {names["live"], name}  # the standby's old description pruned
    cache.save_stage(sites_key)  # before the entry that names it, as save_manifest does
    stage.put(SITES, MANIFEST_VERSION, {"live": names["live"], "standby": name})
    stage.made_from[SITES] = ((live, blob), (live_of, standby))
    stage.used.update(stage.entries)  # the manifest is kept whole, not pruned
    cache.save_stage(output_key)
    _plan_on_prepared(stage, standby)


def _plan_on_prepared(stage: Stage, standby: Any) -> None:
    """The last rebuild's plan, told that the standby now is its very site: when the
    prepared description holds the live one's entries (compared whole, in C, while
    serve is idle), the standby differs from that site nowhere, and the next rebuild
    takes it whole (:meth:`Engine._keep_all_but`) instead of comparing the 40,000
    entries, as it does for a standby a rebuild left (the session's first save)."""
    kept = stage.made_from.get(PLAN + STAGED)
    plan = kept[1] if kept is not None else None
    if not isinstance(plan, _StagePlan) or plan.direct is None or not plan.made_of:
        return
    if getattr(standby, "files", None) != plan.made_of:
        return  # a file of its own (not linked, not there): compared as it is
    stage.made_from[PLAN + STAGED] = (
        kept[0],  # type: ignore[index]
        replace(plan, base=standby.files, base_direct=plan.direct, last_places=(), last_rels=()),
    )


def _sites_key(output_key: str) -> str:
    """The sites stage beside an output stage (``Engine.reuse_output`` names both)."""
    return output_key.replace("output-", "sites-", 1)


def _description_in(cache: ShowCache, sites_key: str, name: Any) -> bytes | None:
    """A site's description (a pickled output.Standby) by its name in the sites stage;
    None if there is none."""
    if not isinstance(name, str):
        return None
    found = cache.stage(sites_key).entry(name)
    blob = found[1] if found is not None and found[0] == MANIFEST_VERSION else None
    return blob if isinstance(blob, bytes) else None


def _carried_digest(record: Any) -> str | None:
    """The digest a record lent by the store carries (kept.py's ``lend`` puts it in the
    record's ``__dict__``), if any: a record a warm build keeps from its last run is not
    registered with this run's engine. A plain record, or one made by ``replace()``
    (through ``__init__``), carries none."""
    found = getattr(record, "__dict__", None)
    return found.get("_digest") if found is not None else None


_IN_ORDER_HELD = "digests-in-order"  # digests_in_order's last, in the cache's ``held``


def _carried_digests(records: Sequence[Any]) -> list[str | None] | None:
    """:func:`_carried_digest` of each record (None: it carries none), in C: 10,000
    episodes of a warm rebuild, asked for three times (a loop of Python cost 15 ms
    each). None when a record has no ``__dict__`` (each is then looked at alone)."""
    try:
        return list(map(_GET_DIGEST, map(_DICT_OF, records)))
    except AttributeError:  # a record without a __dict__
        return None


_DICT_OF, _GET_DIGEST = attrgetter("__dict__"), methodcaller("get", "_digest")


def _return_freed_memory() -> None:
    """Give the pages of the C heap that frees left empty back to the system.

    Released entries (bytes of a few KB: documents, record contents) are freed into
    glibc's heap, which keeps them for its own later use; the run's next allocations are
    mostly Python's small objects, taken elsewhere (pymalloc's arenas), so the freed
    pages would count in the peak to the end. ``malloc_trim`` returns them (elsewhere
    than glibc: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # musl has no malloc_trim
        ctypes.CDLL(None).malloc_trim(0)  # the process's own symbols: libc's among them


class KeyedRender:
    """A file's render with the digest of everything it is made from, known before it
    renders (site/keys.py for pages): when the previous publish made the same file
    from the same key, it is not rendered again."""

    __slots__ = ("key", "render")

    def __init__(self, key: str, render: Callable[[], bytes]) -> None:
        self.key, self.render = key, render

    def __call__(self) -> bytes:
        return self.render()


class KeptRender(KeyedRender):
    """A render keyed as the previous publish keyed its file (``Engine.renders_as_last``),
    holding that publish's manifest entry ``(key, digest, stamp)`` for the staging to
    compare with, not looked up again."""

    __slots__ = ("last",)

    def __init__(self, last: tuple[Any, ...], render: Callable[[], bytes]) -> None:
        self.key, self.render, self.last = last[0], render, last


def _plain_of(run: Engine) -> Callable[[Any], Any]:
    """The function that puts each record of a key's parts as its digest (one per run)."""
    if run._plain is not None:
        return run._plain
    from podpub.resolve.records import EpisodeRecord

    record_digest = run.record_digest

    def plain(value: Any) -> Any:  # 350,000 values in a rebuild: the common kinds first
        kind = type(value)
        if kind is str:
            return value
        if kind is tuple or kind is list:
            return tuple([plain(part) for part in value])
        if isinstance(value, EpisodeRecord):
            return record_digest(value)
        return value  # a data class holding a record would be keyed on the record's repr

    run._plain = plain
    return plain
