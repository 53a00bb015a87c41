"""Work kept between runs in the show's ``.podpub/cache/``: safe to delete, never trusted blindly.

A publish of a big show spends most of its time on work whose inputs rarely change:
reading YAML, probing audio, rendering pages. The cache keeps those results keyed on
what they were computed from, and hands one back only when its inputs are provably the
same:

* a file's result is keyed on the file's **stamp**: size, mtime (ns), inode and device,
  rsync's quick check. A replaced file has another inode, an edited one another mtime
  or size. ``--verify`` also re-hashes the contents (BLAKE2b) and compares them with
  the hash stored when the result was made, for producers whose tools preserve mtimes;
* a computed result (a page) is keyed on a digest of everything it was computed from.

Each stage (``descriptors``, ``probes``, ``pages``…) is one file, written atomically at
the end of a successful run. Its header names the format, the Python and podpub code
that wrote it and the show folder it belongs to: a file written by another podpub, for
another show (a copied ``.podpub/``), or damaged in any way is ignored and rebuilt. The
body is a pickle read by an unpickler that only builds plain data, podpub's own records
and a few standard types: nothing in a cache file can run code.

This module imports nothing heavy: the no-change check (``uptodate.py``) runs on it
before Jinja2, pydantic or mutagen are loaded.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import operator
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The keys' ingredients live at the bottom of the layers (the stages use them too);
# named here as well, as the store's vocabulary.
from podpub.digests import (
    MISS,
    SafeUnpickler,
    Stamp,
    data_digest,
    digest_of,
    file_digest,
    safe_loads,
    stamp,
)

__all__ = [
    "MISS",
    "CacheOptions",
    "SafeUnpickler",
    "ShowCache",
    "Stage",
    "Stamp",
    "data_digest",
    "digest_of",
    "file_digest",
    "safe_loads",
    "stamp",
]

CACHE_DIR = ".podpub"  # inside the show folder (git-ignored)
CACHE_SUBDIR = "cache"
FORMAT = 1
MAGIC = b"podpub-cache\n"


@dataclass(frozen=True)
class CacheOptions:
    """How a run uses the cache: ``enabled=False`` is ``--no-cache`` (neither read nor
    written); ``verify=True`` is ``--verify`` (contents re-hashed, not only stamps)."""

    enabled: bool = True
    verify: bool = False


# --- the code and the show a cache belongs to ------------------------------------------

_fingerprint: str | None = None


def code_fingerprint() -> str:
    """Changes whenever podpub's code, theme or words change, or a package is installed.

    podpub's own files are stamped one by one (an editable install is edited in place);
    other packages through the ``site-packages`` folders on ``sys.path``, whose times
    change when a package is installed, upgraded or removed.
    """
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).parent.parent  # all of podpub, not build/ alone
        stamps: list[Any] = [FORMAT, sys.version, sys.platform]
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if not name.endswith((".pyc", ".pyo")):
                    path = os.path.join(folder, name)
                    stamps.append((os.path.relpath(path, package), stamp(path)))
        for entry in sorted(set(sys.path)):  # installed packages, however podpub was started
            if entry.rstrip(os.sep).endswith(("site-packages", "dist-packages")):
                stamps.append((entry, stamp(entry)))
        _fingerprint = hashlib.blake2b(repr(stamps).encode(), digest_size=16).hexdigest()
    return _fingerprint


def show_identity(show_dir: Path) -> dict[str, Any]:
    """Which show a cache file belongs to: its folder, by path and by inode."""
    resolved = show_dir.resolve()
    st = os.stat(resolved)
    return {"show": str(resolved), "show_id": [st.st_dev, st.st_ino]}


# --- stages -----------------------------------------------------------------------------


@dataclass
class Counts:
    hits: int = 0
    misses: int = 0


class Stage:
    """One kind of cached result: ``key → (what it was computed from, the result)``.

    ``inputs`` is a file stamp (with the file's digest under ``--verify``) or a digest
    of computed inputs; a lookup hits only when the inputs given now are the same.
    """

    def __init__(self, cache: ShowCache, name: str) -> None:
        self.cache = cache
        self.name = name
        self._entries: dict[str, tuple[Any, Any]] = {}
        # A sharded stage's files not read yet: a key's shard is read when the key is
        # asked for (an edit asks for one episode's Markdown, not for 10,000 episodes').
        self.pending: set[int] = set()
        self.used: set[str] = set()
        self.dirty = False
        self.changed: set[str] = set()  # keys put or removed: their shards are written
        self.counts = Counts()
        # key → (its entry, what a step made of it), kept for a warm build's next run
        # (rebuild.py) and used while the entry is the same object: one put again is
        # a new tuple
        self.made_from: dict[str, tuple[tuple[Any, Any], Any]] = {}

    @property
    def entries(self) -> dict[str, tuple[Any, Any]]:
        """Every entry (the shard files not read yet are read first)."""
        if self.pending:
            self._read_shards(set(self.pending))
        return self._entries

    @entries.setter
    def entries(self, value: dict[str, tuple[Any, Any]]) -> None:
        self._entries = value

    def entry(self, key: str) -> tuple[Any, Any] | None:
        """``key``'s ``(inputs, result)``, reading only the shard file that holds it."""
        if self.pending:
            self._read_shards({shard_of(key)})
        return self._entries.get(key)

    def _read_shards(self, indexes: set[int]) -> None:
        for index in indexes & self.pending:
            self.pending.discard(index)
            found = self.cache.read_shard(self.name, index)
            for key in self._entries.keys() & found.keys():  # put in this run: newer
                found[key] = self._entries[key]
            self._entries.update(found)  # in C: a shard holds 600 records of 10,000

    def update(self, entries: dict[str, tuple[Any, Any]]) -> None:
        """Put entries made elsewhere (by a worker process) as they are."""
        if self.pending:
            self._read_shards({shard_of(key) for key in entries})
        self._entries.update(entries)
        self.touch(entries)

    def made_since(self, changed: set[str]) -> dict[str, tuple[Any, Any]]:
        """The entries put since :attr:`changed` was ``changed`` (a worker's, for the
        parent's :meth:`update`)."""
        return {k: self._entries[k] for k in self.changed - changed if k in self._entries}

    def touch(self, keys: Iterable[str]) -> None:
        """Entries changed (put, removed) other than through :meth:`put`."""
        self.changed.update(keys)
        self.dirty = True

    # files

    def get_file(self, key: str, path: Path | str) -> tuple[Any, Any]:
        """``(inputs, result)``: the cached result of ``path`` if the file is unchanged,
        else ``MISS``; ``inputs`` is what to pass to :meth:`put` with a fresh result."""
        inputs = self.file_inputs(path)
        return inputs, self.get(key, inputs)

    def file_inputs(self, path: Path | str) -> Any:
        current = self.cache.stamp(path)
        if current is None or not self.cache.options.verify:
            return current
        return (current, file_digest(path))

    def files_inputs(self, folder: Path | str, names: Sequence[str]) -> tuple[Any, ...]:
        """:meth:`file_inputs` of each of ``names`` (paths inside the show ``folder``):
        without ``--verify``, their stamps taken at the start of the run, looked up
        together (the feed rules' memo asks for every descriptor's: 10,000 calls, 20 ms)."""
        if not self.cache.options.verify:
            return self.cache.stamps(folder, names)
        return tuple(self.file_inputs(os.path.join(folder, name)) for name in names)

    # any key

    def get(self, key: str, inputs: Any) -> Any:
        self.used.add(key)
        entry = self.entry(key)
        if inputs is not None and entry is not None and same_inputs(entry[0], inputs):
            self.counts.hits += 1
            return entry[1]
        if self.cache.options.verify and entry is not None and _same_stamp(entry[0], inputs):
            self.cache.verify_mismatches += 1  # same stamp, other contents: what --verify is for
        self.counts.misses += 1
        return MISS

    def put(self, key: str, inputs: Any, value: Any) -> None:
        if inputs is None:  # unreadable now: nothing to key a result on
            return
        self.used.add(key)
        if self.pending:  # its shard is written whole: read it first
            self._read_shards({shard_of(key)})
        self._entries[key] = (inputs, value)
        self.touch((key,))

    def release(self, used: set[str]) -> int:
        """Forget the entries of the shards read for lookups only (none of their keys
        put, removed or, by ``used``, to be pruned): the save does not write them, and a
        key asked for again reads its shard again. Returns how many shards were let go.

        An edit of one episode reads every shard of the descriptors' documents (the feed
        rules point at lines in them) and of the records: 40 MiB at 10,000 episodes,
        which the rest of the run would hold for nothing."""
        if self.cache.layouts.get(self.name) != "shards":
            return 0  # a single file is written whole: its entries stay
        keep = {shard_of(key) for key in self.changed}
        by_shard: dict[int, list[str]] = {}
        for key in self._entries:
            by_shard.setdefault(shard_of(key), []).append(key)
        released = 0
        for index, keys in by_shard.items():
            if index in keep or not used.issuperset(keys):
                continue  # written by the save (a put, or a prune to come)
            for key in keys:
                del self._entries[key]
            self.pending.add(index)
            released += 1
        return released

    def hold(self, table: dict[str, Any], version: str, keep: str) -> None:
        """Make the stage hold ``table``'s entries (under ``version``) and no others but
        ``keep``'s, putting only the entries that differ: a single-file stage then saves
        them as a delta (:meth:`ShowCache._write_delta`), not the whole table again."""
        entries = self.entries
        for key, value in table.items():
            found = entries.get(key)
            if found is None or found[1] != value or found[0] != version:
                self.put(key, version, value)
        gone = [key for key in entries if key not in table and key != keep]
        for key in gone:
            del entries[key]
        if gone:
            self.touch(gone)

    def prune(self, keep: Callable[[str], bool] | None = None) -> None:
        """Forget results not asked for in this run (deleted episodes, old pages); in a
        sharded stage, among the shards read (the others are not written)."""
        unused = [k for k in self._entries if k not in self.used and not (keep and keep(k))]
        for key in unused:
            del self._entries[key]
        if unused:
            self.touch(unused)


def same_inputs(stored: Any, current: Any) -> bool:
    """Equal inputs; or, without --verify, the stamp of a result stored under --verify."""
    if stored == current:
        return True
    verified = isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], tuple)
    return verified and stored[0] == current


def _same_stamp(stored: Any, current: Any) -> bool:
    """Under --verify, inputs are (stamp, digest): the same stamp with another digest."""
    return (
        isinstance(stored, tuple)
        and isinstance(current, tuple)
        and len(stored) == 2
        and len(current) == 2
        and stored[0] == current[0]
        and stored[1] is not None
    )


@dataclass
class ShowCache:
    """The cache of one show folder for one run (``options.enabled=False``: inert)."""

    show_dir: Path
    options: CacheOptions = field(default_factory=CacheOptions)
    stages: dict[str, Stage] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # stage files found unusable, and why
    layouts: dict[str, str] = field(default_factory=dict)  # stage → "single" | "shards" read
    known: dict[str, Stamp | None] = field(default_factory=dict)  # rel → stamp, this run
    _known_under: tuple[str, ...] = ()  # the show folder's prefixes ("<folder>/") in known
    # earlier runs' ``known`` tables with the paths stamped again since (told_since)
    _known_told: tuple[tuple[dict[str, Stamp | None], frozenset[str]], ...] = ()
    verify_mismatches: int = 0
    # stages kept in shards however few their entries: a feed's pages are 50 entries
    # of 800 KB each, and an edit changes one of them
    always_sharded: set[str] = field(default_factory=set)
    # stages kept in one file however many their entries: read whole by every run, and
    # saved as a delta when few changed (the last-resolve stage)
    single_file: set[str] = field(default_factory=set)
    _listing: set[str] | None = None
    # a single-file stage's base file (its header's token) and the entries written since
    # in its delta file (merged on read): an edit rewrites a few entries, not the file
    bases: dict[str, str] = field(default_factory=dict)
    deltas: dict[str, dict[str, Any]] = field(default_factory=dict)
    # values a step keeps while this cache lives (a warm build's: across its rebuilds,
    # new_run() keeps them), each with what it was made from: in memory, never saved
    held: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def new_run(self) -> None:
        """Start another run on the entries already read (a warm build, rebuild.py): what
        the last run asked for, stamped and counted is forgotten, the entries are kept."""
        for stage in self.stages.values():
            stage.used = set()
            stage.counts = Counts()
        self.known, self._known_under, self._known_told = {}, (), ()
        self.ignored = []
        self.verify_mismatches = 0
        self._listing = None  # the last save wrote files: listed again when a stage is new

    def remember_stamps(
        self,
        folder: Path,
        files: dict[str, Stamp | None],
        told: tuple[tuple[dict[str, Stamp | None], frozenset[str]], ...] = (),
    ) -> None:
        """The stamps of the show's files, taken once at the start of the run (the
        no-change check): the stages ask for each file's stamp again, three or four
        times for a descriptor or an audio file. ``told``: a warm build's snapshot's
        (uptodate.refreshed), for :meth:`told_since`."""
        # kept as given, by path in the show: 20,000 paths need not be written out again
        self.known, self._known_told = files, told
        prefixes = {os.path.join(str(folder), ""), os.path.join(str(folder.resolve()), "")}
        self._known_under = tuple(sorted(prefixes, key=len, reverse=True))

    def told_since(self, files: dict[str, Stamp | None] | None) -> frozenset[str] | None:
        """The paths of the show whose stamp in :attr:`known` may differ from the one in
        ``files``, the ``known`` of an earlier run of this warm build (the very table a
        step compared with): every path the watcher's saves stamped again since. None
        when the stamps were not refreshed from it (then each is to be compared): a
        step looks at the few files an edit saved, not at the show's 20,000."""
        if files is None or not self.known:
            return None
        if files is self.known:
            return frozenset()
        for table, paths in self._known_told:
            if table is files:
                return paths
        return None

    def stamp(self, path: Path | str) -> Stamp | None:
        """``stamp(path)``, from those taken at the start of the run when there is one."""
        text = str(path)
        for prefix in self._known_under:
            if text.startswith(prefix):
                found = self.known.get(text[len(prefix) :], MISS)
                if found is not MISS:
                    return found
        return stamp(text)

    def stamps(self, folder: Path | str, names: Sequence[str]) -> tuple[Stamp | None, ...]:
        """``stamp(folder/name)`` of each name; those taken at the start of the run in one
        lookup (in C) when they hold them all."""
        if names and os.path.join(folder, "") in self._known_under:
            with contextlib.suppress(KeyError):
                found = operator.itemgetter(*names)(self.known)
                return found if len(names) > 1 else (found,)
        return tuple(self.stamp(os.path.join(folder, name)) for name in names)

    @property
    def folder(self) -> Path:
        return self.show_dir / CACHE_DIR / CACHE_SUBDIR

    def stage(self, name: str, read: bool = True) -> Stage:
        """The stage ``name``, its file read (``read=False``: not read, for a stage only
        written in this run: its entries then replace the file's when it is saved)."""
        found = self.stages.get(name)
        if found is None:
            found = self.stages[name] = Stage(self, name)
            if self.options.enabled and read:
                found.entries, found.pending = self._read(name)
        return found

    def hits(self, *names: str) -> int:
        return sum(self.stages[n].counts.hits for n in names if n in self.stages)

    def misses(self, *names: str) -> int:
        return sum(self.stages[n].counts.misses for n in names if n in self.stages)

    def _identity(self) -> dict[str, Any]:
        return {"format": FORMAT, "code": code_fingerprint(), **show_identity(self.show_dir)}

    def _read(self, name: str) -> tuple[dict[str, tuple[Any, Any]], set[int]]:
        """A stage's entries from its file, or the indexes of its shard files, read when
        a key in them is asked for (:meth:`Stage.entry`; see :meth:`save`)."""
        entries, base = self._read_table(name, self.folder / f"{name}.pickle")
        shards = {i for i in range(SHARDS) if self._shard_path(name, i).name in self._files()}
        if entries is None:
            if shards:
                self.layouts[name] = "shards"
            return {}, shards
        self.layouts[name] = "single"  # the next save writes it whole, in one layout
        if base is not None and not shards:
            self._merge_delta(name, base, entries)
        for index in sorted(shards):  # both (a save cut short): every entry, shards last
            entries.update(self.read_shard(name, index))
        return entries, set()

    def read_shard(self, name: str, index: int) -> dict[str, tuple[Any, Any]]:
        """A shard file's entries, with those written since in its delta file."""
        entries, base = self._read_table(name, self._shard_path(name, index))
        if entries is None:
            return {}
        if base is not None:
            self._merge_delta(name, base, entries, _shard_part(name, index))
        return entries

    def _shard_path(self, name: str, index: int) -> Path:
        return self.folder / f"{_shard_part(name, index)}.pickle"

    def _files(self) -> set[str]:
        """The names in the cache folder (listed once: a stage looks for 16 shards)."""
        if self._listing is None:
            try:
                self._listing = set(os.listdir(self.folder))
            except OSError:
                self._listing = set()
        return self._listing

    def _merge_delta(
        self, name: str, base: str, entries: dict[str, tuple[Any, Any]], part: str = ""
    ) -> None:
        """The entries written since the base file (its delta file, if it was written on
        this base: a base written again since makes an older delta void). ``part``: the
        file of the stage (a shard's, ``name.NN``; default: the stage's one file)."""
        part = part or name
        self.bases[part] = base
        self.deltas.pop(part, None)
        delta, of = self._read_table(name, self._delta_path(part))
        if delta is None or of != base:
            return
        for key, entry in delta.items():
            if entry is None:  # removed since
                entries.pop(key, None)
            else:
                entries[key] = entry
        self.deltas[part] = delta

    def _delta_path(self, part: str) -> Path:
        return self.folder / f"{part}.delta.pickle"

    def _read_file(self, name: str, path: Path) -> dict[str, tuple[Any, Any]] | None:
        return self._read_table(name, path)[0]

    def _read_table(self, name: str, path: Path) -> tuple[dict[str, Any] | None, str | None]:
        """A stage file's table, and the base it names (a base file's own token, or the
        one a delta file was written on); ``(None, None)`` if absent or unusable."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            self.ignored.append(f"{path.name}: {exc.strerror}")
            return None, None
        try:
            if not data.startswith(MAGIC):
                raise ValueError("not a podpub cache file")
            end = data.index(b"\n", len(MAGIC))
            header = json.loads(data[len(MAGIC) : end])
            base = header.pop("base", None) if isinstance(header, dict) else None
            if header != {**self._identity(), "stage": name}:
                raise ValueError("written by another podpub or for another show")
            entries = safe_loads(data, end + 1)
            if not isinstance(entries, dict):
                raise ValueError("not a table")
            return entries, base if isinstance(base, str) else None
        except Exception as exc:  # a damaged file of any kind: start again
            self.ignored.append(f"{path.name}: {exc}")
            return None, None

    def save(self, prune: Iterable[str] = ()) -> None:
        """Write the stages changed in this run (each atomically); prune the named ones.

        A stage of :data:`SHARD_FROM` entries or more (a show of 10,000 episodes: its
        descriptors, records, pages) is kept in :data:`SHARDS` files by a hash of the
        key, and only the files holding a changed entry are written again: one edited
        episode rewrites a sixteenth of the records, not all of them.
        """
        if not self.options.enabled or not self.show_dir.is_dir():
            return  # a run that found no show folder has nothing worth keeping
        for name in prune:
            if name in self.stages:
                self.stages[name].prune()
        identity = self._identity()
        for name, stage in self.stages.items():
            if stage.dirty:
                self._write(name, stage, identity)

    def save_stage(self, name: str) -> None:
        """Write one stage now, pruned (the run asks nothing more of it): its entries
        may then be let go (:meth:`Stage.release`) rather than held to the end."""
        stage = self.stages.get(name)
        if stage is None or not self.options.enabled or not self.show_dir.is_dir():
            return
        stage.prune()
        if stage.dirty:
            self._write(name, stage, self._identity())

    def _write(self, name: str, stage: Stage, identity: dict[str, Any]) -> None:
        """Write a stage's changed files (see :meth:`save`)."""
        # with shards not read in this run, the stage stays in shards (its size
        # is not known without reading them all)
        sharded = name in self.always_sharded or stage.pending
        if sharded or (len(stage.entries) >= SHARD_FROM and name not in self.single_file):
            self._write_shards(name, stage, identity)
            return
        if self._writes_delta(name, stage):
            self._write_delta(name, stage, identity)
            return
        base = os.urandom(8).hex()  # the delta files written on it name it
        # from a larger past, or another podpub's
        stale = [self._shard_path(name, index) for index in range(SHARDS)]
        stale += [self._delta_path(name)]
        stale += [self._delta_path(_shard_part(name, i)) for i in range(SHARDS)]
        single = (self.folder / f"{name}.pickle", _head(identity, name, base), stage.entries)
        if not self._replaced(name, [single], stale):
            return
        self.layouts[name] = "single"
        self.deltas.pop(name, None)
        self.bases[name] = base
        stage.dirty = False
        stage.changed.clear()

    def _write_shards(self, name: str, stage: Stage, identity: dict[str, Any]) -> None:
        """Write a sharded stage's changed shards: each as a delta of its base file when
        few of its entries changed since that was written (an edit changes one record of
        a shard's 600: 5 KB written, not 1.7 MB), else whole on a new base."""
        resharded = self.layouts.get(name) != "shards"
        indexes = set(range(SHARDS)) if resharded else {shard_of(key) for key in stage.changed}
        # a shard is read before it is written (whole, or its delta after what it holds)
        stage._read_shards(indexes)
        parts: dict[int, dict[str, tuple[Any, Any]]] = {i: {} for i in indexes}
        for key, entry in stage._entries.items():
            found = parts.get(shard_of(key))
            if found is not None:
                found[key] = entry
        changed: dict[int, set[str]] = {}
        for key in stage.changed:
            changed.setdefault(shard_of(key), set()).add(key)
        whole: dict[int, str] = {}  # shard → its new base
        deltas: dict[int, dict[str, Any]] = {}
        for index, entries in parts.items():
            part = _shard_part(name, index)
            written = self.deltas.get(part, {}).keys() | changed.get(index, set())
            if not resharded and entries and self._few(part, len(entries), len(written)):
                delta = dict(self.deltas.get(part, {}))
                for key in changed.get(index, ()):
                    delta[key] = entries.get(key)
                deltas[index] = delta
            elif entries:
                whole[index] = os.urandom(8).hex()
        stale = [self.folder / f"{name}.pickle", self._delta_path(name)]
        stale += [self._shard_path(name, i) for i, entries in parts.items() if not entries]
        stale += [self._delta_path(_shard_part(name, i)) for i in parts if i not in deltas]
        files = [
            (self._shard_path(name, index), _head(identity, name, base), parts[index])
            for index, base in whole.items()
        ]
        for index, delta in deltas.items():
            part = _shard_part(name, index)
            files.append((self._delta_path(part), _head(identity, name, self.bases[part]), delta))
        if not self._replaced(name, files, stale):
            return
        self.layouts[name] = "shards"
        for index in parts:
            part = _shard_part(name, index)
            if index in deltas:  # on the same base
                self.deltas[part] = deltas[index]
                continue
            self.deltas.pop(part, None)
            if index in whole:
                self.bases[part] = whole[index]
            else:  # no entry left: no file
                self.bases.pop(part, None)
        stage.dirty = False
        stage.changed.clear()

    def _replaced(
        self, name: str, files: list[tuple[Path, bytes, Any]], stale: Iterable[Path]
    ) -> bool:
        """Write each ``(path, first line, entries)`` of ``files``, then remove ``stale``;
        False, the reason noted, when the disk refuses (a full disk, a read-only show
        folder: no cache, no crash). The entries are pickled into the file as it goes:
        a pickle made first would hold the biggest stage (what the output is made of)
        in memory again, and joined to its first line a third time."""
        try:
            for path, head, entries in files:
                write_atomically(path, head, entries)
            for path in stale:
                path.unlink(missing_ok=True)
        except OSError as exc:
            self.ignored.append(f"{name}: not saved ({exc.strerror or exc})")
            return False
        return True

    def _few(self, part: str, entries: int, written: int) -> bool:
        """Whether a file of ``entries`` entries, ``written`` of them changed since its base
        was written, is saved as a delta (see :data:`DELTA_SHARE`)."""
        return part in self.bases and entries >= DELTA_FROM and written * DELTA_SHARE <= entries

    def _writes_delta(self, name: str, stage: Stage) -> bool:
        """Whether a save writes only the entries changed since the base file (many
        entries, few changed since it was written), not the whole stage again."""
        if self.layouts.get(name) != "single" or name not in self.bases:
            return False
        written = len(self.deltas.get(name, {}).keys() | stage.changed)
        return len(stage._entries) >= DELTA_FROM and written * DELTA_SHARE <= len(stage._entries)

    def _write_delta(self, name: str, stage: Stage, identity: dict[str, Any]) -> None:
        """The entries changed since the base file (None: removed), in the delta file."""
        delta = dict(self.deltas.get(name, {}))
        for key in stage.changed:
            delta[key] = stage._entries.get(key)
        head = _head(identity, name, self.bases[name])
        if not self._replaced(name, [(self._delta_path(name), head, delta)], ()):
            return
        self.deltas[name] = delta
        stage.dirty = False
        stage.changed.clear()


SHARDS = 16
SHARD_FROM = 2048
# A single-file stage of this many entries or more, of which at most one in this many
# changed since its base file was written, is saved as a delta (the base stays).
DELTA_FROM = 16
DELTA_SHARE = 8


def _head(identity: dict[str, Any], name: str, base: str) -> bytes:
    """A cache file's first line: what it belongs to (format, Python, code, show), its
    stage, and the base its delta files name."""
    return MAGIC + json.dumps({**identity, "stage": name, "base": base}).encode() + b"\n"


def _shard_part(name: str, index: int) -> str:
    """The name of a shard file of the stage ``name`` (without ``.pickle``)."""
    return f"{name}.{index:02d}"


@functools.lru_cache(maxsize=1 << 16)  # a save sorts every key of a stage written
def shard_of(key: str) -> int:
    """Which of a big stage's files holds ``key`` (the same in every run and process)."""
    return hashlib.blake2b(key.encode(), digest_size=1).digest()[0] % SHARDS


def write_atomically(path: Path, data: bytes, pickled: Any = MISS) -> None:
    """Write ``data`` (and then ``pickled``'s pickle, if given) to a temporary name
    beside ``path``, then rename: readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _ignore_in_git(path.parent)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            if pickled is not MISS:
                pickle.dump(pickled, handle, protocol=5)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _ignore_in_git(folder: Path) -> None:
    root = folder.parent if folder.name == CACHE_SUBDIR else folder
    if root.name == CACHE_DIR:
        mark_ignored(root)


def mark_ignored(root: Path) -> None:
    """``.podpub/`` holds only what can be remade: keep it out of git even without a
    .gitignore entry (the same way a virtualenv does)."""
    marker = root / ".gitignore"
    if not marker.exists():
        with contextlib.suppress(OSError):
            marker.write_text("# made by podpub: everything here can be deleted\n*\n")
