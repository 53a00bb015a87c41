"""Is the last publish still current? If so, ``podpub publish`` has nothing to do.

After each successful publish, the state of its inputs is written to the show's cache:
a digest of the stamps (size, mtime, inode, device) of every file in the show folder
and of the code that built it (``cache.code_fingerprint``), per set of options, and the
output folder as it was left. The next publish into the same folder with the same
options stats the same files; if not one stamp differs (the same digest), no
scheduled episode has come due, and the output folder is still the one it swapped in,
the site on disk is already what the build would make, byte for byte: it says so and
stops. That costs one ``stat`` per file of the show and imports neither YAML,
pydantic, Jinja2 nor mutagen.

Every file under the show folder counts, not only those the last build read: a new
descriptor, template or audio file is a change even though nothing read it yet. Left
out: names starting with a dot (``.git``, ``.podpub``, editors' swap files, podpub's
staging folders), ``__pycache__``, and the output folder itself. With ``--verify`` the
check is skipped (a full build runs, and re-hashes what it reads); ``--no-cache`` skips
it too. Files edited by hand inside the output folder are not noticed: publish with
``--no-cache`` to replace them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from podpub.build.store import MISS, ShowCache, Stamp, code_fingerprint, digest_of, stamp
from podpub.digests import FOLDER_FLAGS

STATE = "state"
SUMMARY = "summary"  # its findings' stage (summary_key): read when nothing changed
SKIP_NAMES = frozenset({"__pycache__"})


@dataclass
class Snapshot:
    """The inputs of a publish: every file of the show folder, by path, with its stamp."""

    files: dict[str, Stamp | None]
    code: str
    # inputs_digest(): the digest of every stamp but those of the files named, by them
    rest: dict[tuple[str, ...], bytes] = field(default_factory=dict, repr=False, compare=False)
    # refreshed(): whether a file stamped again has another stamp than in the snapshot
    # it was made from (None: not made so)
    changed: bool | None = field(default=None, repr=False, compare=False)
    # refreshed(): for the ``files`` of the last few snapshots this one was refreshed
    # from (the very tables), the paths stamped again since (ShowCache.told_since)
    told: tuple[tuple[dict[str, Stamp | None], frozenset[str]], ...] = field(
        default=(), repr=False, compare=False
    )


# How many snapshots back a warm build's steps can be told what was stamped again: a
# step that did not run in a rebuild (a save that changed nothing, a refused build)
# still finds the table it compared with among them.
TOLD_DEPTH = 4


def inputs_digest(
    inputs: Snapshot, own_files: tuple[str, ...] = (), own: dict[str, Stamp | None] | None = None
) -> str:
    """A digest of every stamp of ``inputs``, whatever order the files were stamped in
    (a warm build's :func:`refreshed` puts the paths it stamped again last).

    What a publish keeps of its inputs: the next one compares its own digest with it.
    Making the digest costs the check about what unpickling and comparing the 21,000
    stamps of a 10,000-episode show did (12-15 ms on a busy machine); the gain is on the
    other side: a publish that builds no longer pickles and writes them (1 MB), and the
    state read on every run is half the size.

    ``own_files``: the files the publish writes itself (the ledger), digested apart, with
    their stamps in ``own`` (default: those of ``inputs``): the publish stamps them again
    once it wrote them (record_state) and digests them again, not the 21,000 others."""
    files = inputs.files
    rest = inputs.rest.get(own_files)
    if rest is None:
        names = sorted(files)
        for rel in own_files:
            if rel in files:
                names.remove(rel)
        # marshal version 2 has no back-references: equal values give equal bytes,
        # however the objects are shared
        flat = marshal.dumps((inputs.code, names, [files[name] for name in names]), 2)
        rest = inputs.rest[own_files] = hashlib.blake2b(flat, digest_size=16).digest()
    if not own_files:
        return rest.hex()
    stamps = files if own is None else own
    tail = marshal.dumps([(rel, stamps[rel]) for rel in own_files if rel in stamps], 2)
    return hashlib.blake2b(rest + tail, digest_size=16).hexdigest()


@dataclass
class PublishState:
    """What a successful publish leaves for the next one to compare with."""

    inputs: str  # inputs_digest() of the files it was built from
    horizon: float | None  # when the next scheduled episode comes due (POSIX time)
    output: Stamp | None  # the output folder as the publish left it
    # What the CLI printed. Its findings (1 MB at 10,000 episodes) are kept in a stage
    # of their own under their digest, written when they changed (an edit of a title
    # mentioned by no finding finds what the last publish found) and read only when
    # nothing changed; the rest (the changes listed, the counts) here.
    summary: dict[str, Any] = field(default_factory=dict)
    findings_digest: str = ""


# The parts of a summary kept apart (record_state): a publish's findings, a check's report.
APART = ("findings", "all_findings", "report")


def summary_key(key: str) -> str:
    """The stage of the summary of the state ``key`` (``state-…``, ``check-state-…``)."""
    return key.replace("state-", f"{SUMMARY}-", 1)


def snapshot(show_dir: Path, out: Path) -> Snapshot:
    """Stat every file of the show folder (see the module docstring for what is left out)."""
    files: dict[str, Stamp | None] = {}
    _stat_under(os.fspath(show_dir.resolve()), "", os.fspath(out), files)
    return Snapshot(files, code_fingerprint())


def _stat_under(root: str, rel_root: str, skip_dir: str, files: dict[str, Stamp | None]) -> None:
    """Stamp every file under the folder ``root`` (``rel_root`` in the show) into ``files``;
    ``skip_dir``: the output folder (resolved, as the walk's root is)."""
    listed = _listed_by_fd if _SCANDIR_FD else os.scandir
    todo = [(root, rel_root)]
    while todo:
        folder, rel = todo.pop()
        try:
            with listed(folder) as entries:
                for entry in entries:
                    name = entry.name
                    if name[0] == "." or name in SKIP_NAMES:
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            path = os.path.join(folder, name)
                            if path != skip_dir:
                                todo.append((path, rel + name + "/"))
                            continue
                        st = entry.stat()  # follows a link: what a reader of the file gets
                        files[rel + name] = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
                    except OSError:
                        files[rel + name] = None
        except OSError:
            files[rel] = None  # an unreadable folder: a change when it becomes readable


# A folder opened once, its entries stamped relative to it (fstatat): the kernel does not
# walk every file's full path again. 20,970 files at 10,000 episodes: a tenth faster.
_SCANDIR_FD = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd


@contextlib.contextmanager
def _listed_by_fd(folder: str) -> Iterator[Iterator[os.DirEntry[str]]]:
    """The entries of ``folder``, listed through a descriptor of it (closed after)."""
    fd = os.open(folder, FOLDER_FLAGS)
    try:
        with os.scandir(fd) as entries:
            yield entries
    finally:
        os.close(fd)


def refreshed(before: Snapshot, show_dir: Path, out: Path, paths: Iterable[Path | str]) -> Snapshot:
    """``before`` with only ``paths`` stamped again (a watcher's saves: a file, or a folder
    made, removed or renamed with everything under it), not every file of the show.

    The same files count as in :func:`snapshot`; a path outside the show, hidden, or
    in the output folder is no input."""
    files = dict(before.files)
    root = os.fspath(show_dir.resolve())
    skip_dir = os.fspath(out)
    again: list[str] = []  # the paths stamped again, or no more there
    for path in paths:
        rel = _input_rel(root, skip_dir, os.fspath(path))
        if rel is None:
            continue
        again.append(rel)
        inside = rel + "/"  # a folder's files went with it, or come back walked again
        if files.pop(rel, MISS) is MISS:  # a file stamped before has no files under it
            for known in [k for k in files if k.startswith(inside)]:
                again.append(known)
                del files[known]
        full = os.path.join(root, rel)
        if os.path.isdir(full) and not os.path.islink(full):
            _stat_under(full, inside, skip_dir, files)
            again += [k for k in files if k.startswith(inside)]
        elif os.path.lexists(full):
            try:
                st = os.stat(full)
                files[rel] = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
            except OSError:
                files[rel] = None  # a dangling link, an unreadable folder on the way
    old = before.files
    changed = len(files) != len(old) or any(
        files.get(rel, MISS) != old.get(rel, MISS) for rel in again
    )
    told = frozenset(again)
    since: tuple[tuple[dict[str, Stamp | None], frozenset[str]], ...] = ((before.files, told),)
    since += tuple((table, paths | told) for table, paths in before.told[: TOLD_DEPTH - 1])
    # unchanged: the digests of the stamps are the snapshot's (inputs_digest)
    return Snapshot(files, before.code, {} if changed else dict(before.rest), changed, since)


def _input_rel(root: str, skip_dir: str, path: str) -> str | None:
    """``path`` relative to the show folder ``root``, if :func:`snapshot` would stamp it."""
    full = os.path.abspath(path)
    if full == skip_dir or full.startswith(skip_dir + os.sep):
        return None
    rel = os.path.relpath(full, root)
    parts = rel.split(os.sep)
    if parts[0] in (os.curdir, os.pardir):
        return None
    if any(part[0] == "." or part in SKIP_NAMES for part in parts):
        return None
    return "/".join(parts)


def state_key(out: Path, options: Any) -> str:
    """One state per output folder and set of options (a preview does not void a publish)."""
    fields = {k: v for k, v in vars(options).items() if k not in ("out", "now")}
    return "state-" + digest_of(os.fspath(out), sorted(fields.items()))[:16]


def current_state(
    cache: ShowCache,
    show_dir: Path,
    out: Path,
    key: str,
    now: dt.datetime,
    check_output: bool = True,
    inputs: Snapshot | None = None,
    own_files: tuple[str, ...] = (),
) -> tuple[PublishState | None, Snapshot]:
    """The state of the last publish if nothing changed since, and the inputs as they are.

    ``check_output=False`` (``podpub check``): the output folder is not looked at.
    ``inputs``: the show's files stamped already (a warm build's :func:`refreshed`).
    ``own_files``: the files the publish writes into the show (as :func:`record_state`'s)."""
    if inputs is None:
        inputs = snapshot(show_dir, out)
    stored = cache.stage(key).get(STATE, STATE_VERSION) if cache.options.enabled else MISS
    if stored is MISS or cache.options.verify or not isinstance(stored, PublishState):
        return None, inputs
    # A warm build's snapshot that differs from the one before: the state, recorded
    # from that one or left as it was, is not this one's (its digest is made when the
    # state is recorded, after the rebuild has answered).
    if inputs.changed or stored.inputs != inputs_digest(inputs, own_files):
        return None, inputs
    if stored.horizon is not None and now.timestamp() >= stored.horizon:
        return None, inputs  # a scheduled episode is due
    if check_output and (stored.output is None or stamp(out) != stored.output):
        return None, inputs  # the output folder was replaced, removed or changed
    apart = cache.stage(summary_key(key)).get(SUMMARY, stored.findings_digest)
    if not isinstance(apart, dict):  # lost or damaged: build again, and write it again
        forget_state(cache, key)
        return None, inputs
    return replace(stored, summary={**stored.summary, **apart}), inputs


def record_state(
    cache: ShowCache,
    key: str,
    inputs: Snapshot,
    out: Path,
    horizon: dt.datetime | None,
    summary: dict[str, Any],
    own_files: tuple[str, ...] = (),
) -> None:
    """Remember a successful publish. ``inputs`` is the snapshot taken *before* it ran:
    a file edited while it ran differs from it, so the next run builds again. Files the
    publish itself writes into the show folder (``own_files``, the ledger) are stamped
    again after it."""
    show_dir = cache.show_dir
    own = {
        rel: stamp(show_dir / rel)
        for rel in own_files
        if rel in inputs.files or os.path.exists(show_dir / rel)
    }
    apart = {name: value for name, value in summary.items() if name in APART}
    written = digest_of(apart)
    state = PublishState(
        inputs_digest(inputs, own_files, own),
        horizon.timestamp() if horizon is not None else None,
        stamp(out),
        {name: value for name, value in summary.items() if name not in APART},
        written,
    )
    stage = cache.stage(key)
    before = stage.entry(STATE)
    kept = before[1].findings_digest if before and isinstance(before[1], PublishState) else None
    if kept != written:  # its one entry replaces the file's: not read to be written
        cache.stage(summary_key(key), read=False).put(SUMMARY, written, apart)
    stage.put(STATE, STATE_VERSION, state)


STATE_VERSION = "v2"  # v2: the findings in their own stage (v1: in the state)


def forget_state(cache: ShowCache, key: str) -> None:
    """A publish that failed or was interrupted leaves no state: the next one builds."""
    stage = cache.stage(key)
    if stage.entries.pop(STATE, None) is not None:
        stage.touch((STATE,))
