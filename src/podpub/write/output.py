"""Write the site into a staging folder, then swap it in whole.

A reader of the output folder (a web server, an rsync, a producer's browser) sees the
old site or the new one, never half of each: the new site is built in a staging folder
on the same file system and exchanged with the old one in one
``renameat2(RENAME_EXCHANGE)`` call where Linux offers it, else in two renames.
A lock file keeps two publishes from interleaving.

Everything podpub keeps for an output folder lives in the show's ``.podpub/``, in a
folder of that output's own (:class:`OutputState`: ``.podpub/outputs/<name>-<digest>/``
with ``lock``, ``standby/``, ``staging-*/``): a publish into ``../preview`` leaves
nothing beside it. A rename cannot cross file systems, so when the output is on another
device than the show, that folder is made in a ``.podpub/`` beside the output instead.

A cached publish keeps the site it replaced as the standby and, next time,
brings that copy up to date instead of starting from an empty folder: the standby is
renamed into the staging name, every file whose recorded identity (the digest of its
bytes, or the source and stamp of a linked media file) and on-disk stamp are unchanged
stays as it is, the others are replaced (never written in place: a file may be a hard
link shared with the live site), files no longer part of the site are removed, and
anything added by hand since is swept (each folder's stamp is recorded: see
:meth:`Staging.sweep`). A run then costs what changed, not the size of the site,
while a reader of the output folder still sees one whole site or the other. The
standby's description (a :class:`Standby`) lives in the show's cache: without it,
the standby is not trusted and the staging folder starts empty.

The standby shares its files with the live site (hard links: no data copied, no disk
used twice), so a file of the live site edited in place by hand is the standby's file
too: a command-line publish stats each file it keeps (one ``os.stat`` each, in one
loop: build/engine.py's ``_keep_unchanged``) and each folder (:meth:`Staging.sweep`).
A standby of its own (a real copy, sharing nothing with the live site) would need no
look at unchanged files, but on a file system without clones (ext4) every publish
would copy every page again in the background (30,000 files, 260 MB at 10,000
episodes) and keep the pages twice on disk. A warm build (build/rebuild.py: serve's
preview, podpub's own folder in ``.podpub/``) staged its standby itself and nobody
edits it by hand: there the standby is trusted (:attr:`Standby.trusted`), and its
files and folders are kept without a look.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import stat as stat_module
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podpub.context import BuildContext, or_no_cache
from podpub.digests import Identity, Stamp, content_identity, opened_folder, stamp
from podpub.errors import PodpubError, Problem
from podpub.write.background import BACKGROUND_REMOVAL_FILES, in_background, remove_in_background

STATE_DIR = ".podpub"  # the show's (build/store.py keeps its cache there too)
OUTPUTS_DIR = "outputs"
STAGING_MARK = "staging-"
TARGET_FILE = "target"  # in an output's state folder: the output's path

LOCK_WAIT_SECONDS = 5.0


def check_output_dir(out: Path, show_dir: Path) -> Path:
    """Refuse output folders whose replacement would destroy something else."""
    if not str(out).strip():
        raise PodpubError("the output folder is empty; give one with --out DIR")
    target = out.expanduser().resolve()
    show = show_dir.resolve()
    home = Path.home().resolve()
    if target == Path(target.anchor) or home.is_relative_to(target):  # /, /home, ~
        raise PodpubError(f"refusing to publish into {target}: choose a folder of its own")
    if target == show or show.is_relative_to(target):
        raise PodpubError(
            f"refusing to publish into {target}: it holds the show itself; use a folder "
            "inside it such as public/"
        )
    if target.exists() and not target.is_dir():
        raise PodpubError(f"{target} exists and is not a folder; remove it or choose another")
    return target


@dataclass
class Standby:
    """What a staged site was made of, to bring its folder up to date later."""

    files: dict[str, tuple[Identity, Any]] = field(default_factory=dict)  # rel → (id, stamp)
    dirs: dict[str, Any] = field(default_factory=dict)  # folder rel ("" = root) → stamp
    # Its folder is as described, without a look: the run that hands it out made this
    # very description in this process and owns the output (a warm build's preview,
    # build/rebuild.py). Never so when read from disk: a producer may have edited the
    # live site in place since, and the standby shares its files (hard links).
    trusted: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class OutputState:
    """podpub's own folder for one output folder: its lock, standby and staging folders.

    In the show's ``.podpub/outputs/``, named after the output (``public-3f9a0c1b2d``:
    two outputs of one show never share one); in a ``.podpub/`` beside the output when
    the show is on another file system, since the staging folder must be renamed onto
    the output and a rename cannot cross devices.
    """

    target: Path
    root: Path

    @property
    def lock(self) -> Path:
        return self.root / "lock"

    @property
    def standby(self) -> Path:
        return self.root / "standby"

    def staging(self, name: str) -> Path:
        return self.root / f"{STAGING_MARK}{name}"

    def staging_folders(self) -> list[Path]:
        return list(self.root.glob(STAGING_MARK + "*"))


def output_state(target: Path, show_dir: Path) -> OutputState:
    """Where the state of output folder ``target`` lives (made if need be)."""
    from podpub.build.store import data_digest, mark_ignored

    # The path's own bytes digested: the same folder for the same output, across runs
    # and podpub versions (a new folder would cost the standby: one slower publish).
    name = f"{target.name}-{data_digest(os.fsencode(target))[:10]}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # the output is renamed into place there: it must be writable
        raise PodpubError(
            f"cannot write in {target.parent} ({exc.strerror or exc}); choose an output "
            "folder whose parent you can write to"
        ) from None
    try:
        home = show_dir / STATE_DIR
        home.mkdir(exist_ok=True)
        if os.stat(home).st_dev != os.stat(target.parent).st_dev:
            home = target.parent / STATE_DIR  # a rename cannot cross file systems
            home.mkdir(exist_ok=True)
        mark_ignored(home)
        root = home / OUTPUTS_DIR / name
        root.mkdir(parents=True, exist_ok=True)
        if not (root / TARGET_FILE).exists():  # whose folder this is: see _remove_gone_outputs
            (root / TARGET_FILE).write_bytes(os.fsencode(target))
    except OSError as exc:
        raise PodpubError(
            f"cannot write podpub's working folder for {target} ({exc.strerror or exc}); "
            "check that you can write to the show folder and beside the output folder"
        ) from None
    return OutputState(target, root)


class Staging:
    """A new site being written; ``commit()`` swaps it in, leaving early discards it.

    With a ``standby`` (the site before the current one, and what it was made of), the
    staging folder starts as that site; see the module's docstring.
    """

    def __init__(
        self,
        target: Path,
        state: OutputState,
        standby: Standby | None = None,
        detach: bool = False,
        stamp_of: Callable[[str], Stamp | None] = stamp,
    ) -> None:
        self.target = target
        self.state = state
        self.detach = detach  # big removals in a detached process (write/background.py)
        # a show file's stamp: the run took them all at its start (no stat of each again)
        self.stamp_of = stamp_of
        self.path = state.staging(f"{os.getpid()}-{time.time_ns()}")
        self.present: dict[str, tuple[Identity, Any]] = {}  # the standby's files
        self.manifest: dict[str, tuple[Identity, Any]] = {}  # this site's files
        self.written: set[str] = set()  # written or replaced in this run (read back)
        # finish(): the files written, replaced or removed (all others are the standby's)
        self.touched: set[str] = set()
        self.reused_standby = False
        # commit(): the site it replaced is now the standby folder, put there by this
        # process (not a copy being made, nor one found in the way)
        self.replaced_is_standby = False
        self.trusted = False  # its folder as described, without a look: Standby.trusted
        self.reflinks = True  # until the file system says it makes none
        # The standby's folders found as they were recorded (sweep): their stamp is
        # known until a file in them is written or removed (finish() stamps the others).
        self.swept: dict[str, Any] = {}
        # The paths at which this site may differ from the standby's (None: any), when
        # the builder took the standby's entries whole (Engine._keep_all_but): finish()
        # then compares those, not 40,000. Each file staged since is added.
        self.differs_at: set[str] | None = None
        self._standby_dirs: dict[str, Any] = {}  # the folders the standby was made of
        try:
            if standby is not None and self._take_standby(standby):
                self.reused_standby, self.trusted = True, standby.trusted
            else:
                self.path.mkdir()
        except OSError as exc:
            raise cannot_write(str(self.path), exc) from None
        self._root = str(self.path)
        self.prefix = self._root + os.sep  # "<staging>/": a file's path is prefix + rel
        self._dirs: set[str] = {self._root}  # folders this process knows are there
        if self.reused_standby:
            self._standby_dirs = standby.dirs  # type: ignore[union-attr]
            self.sweep(standby.dirs)  # type: ignore[union-attr]

    @property
    def files(self) -> int:
        return len(self.manifest)

    def _take_standby(self, standby: Standby) -> bool:
        folder = self.state.standby
        if not standby.files or not folder.is_dir() or folder.is_symlink():
            return False
        os.rename(folder, self.path)
        self.present = dict(standby.files)
        return True

    def sweep(self, dirs: dict[str, Any]) -> None:
        """Remove what was added to the standby's folders since they were recorded (a
        file put in the live site by hand, before it became the standby): only a folder
        whose stamp changed is listed. A trusted standby's folders are as recorded."""
        if self.trusted:
            self.swept = dict(dirs)
            return
        with opened_folder(self._root) as root:  # each folder stat'ed from the staging's
            self._sweep(dirs, root)

    def _sweep(self, dirs: dict[str, Any], root: int | None) -> None:
        """:meth:`sweep`, each folder stat'ed under ``root`` (an open descriptor of the
        staging folder), else by its whole path."""
        swept, prefix, stat = self.swept, self.prefix, os.stat
        for rel_dir, seen in dirs.items():  # 10,000 folders at 10,000 episodes: one stat each
            try:
                if root is not None:
                    st = stat(rel_dir or ".", dir_fd=root)
                else:
                    st = stat(prefix + rel_dir if rel_dir else self._root)
            except OSError:
                continue  # gone: its files are missing, and will be written again
            if (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev) == seen:
                swept[rel_dir] = seen
                continue
            folder = prefix + rel_dir if rel_dir else self._root
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue  # gone: its files are missing, and will be written again
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if rel in self.present or rel in dirs:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _prepare(self, rel: str) -> str:
        """Where ``rel`` goes, its folder made if need be (worker processes share the
        staging folder: a folder another one made is only looked at), and nothing there:
        a file of the standby is removed, never written into (it may be a hard link
        shared with the live site or the show's own media)."""
        dest = os.path.join(self._root, rel)
        parent = os.path.dirname(dest)
        if parent not in self._dirs:
            if not os.path.isdir(parent):
                os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        if rel in self.present:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(dest)
        return dest

    def _kept(self, rel: str, identity: Identity) -> tuple[Identity, Any] | None:
        """The standby's entry for ``rel`` when its file is still the one wanted."""
        known = self.present.get(rel)
        if known is None or known[0] != identity:
            return None
        if (
            not self.trusted
            and not self._same_link(rel, known)
            and stamp(self.prefix + rel) != known[1]
        ):
            return None
        self._entry(rel, known)
        return known

    def _same_link(self, rel: str, known: tuple[Identity, Any]) -> bool:
        """Whether the standby's file at ``rel`` is, without looking, the show's file it
        was linked from, as that file is now: it was a hard link (its stamp, inode
        included, was its source's), the source's stamp is the one recorded (the caller
        compared identities made now), and nothing was put in its folder since (sweep:
        a file replaced there changes the folder's stamp). A change in place of that
        one inode changes the source's stamp too. The audio of an edit's other episodes
        is then not looked at again (10,000 stats at 10,000 episodes)."""
        identity, seen = known
        if identity[0] != "link" or seen is None or seen != identity[2]:
            return False
        return rel.rpartition("/")[0] in self.swept

    def keep(self, rel: str, identity: Identity) -> tuple[Any, ...] | None:
        """The standby's file at ``rel`` kept as it is, if it is the one wanted:
        ``(identity, stamp, False)`` as :meth:`write` gives; else None (nothing done)."""
        kept = self._kept(rel, identity)
        return None if kept is None else (*kept, False)

    def _record(self, rel: str, identity: Identity, dest: str) -> tuple[Identity, Any]:
        entry = (identity, stamp(dest))
        self._entry(rel, entry)
        self.written.add(rel)
        return entry

    def write(self, rel: str, data: bytes, identity: Identity | None = None) -> tuple[Any, ...]:
        """Put ``data`` at ``rel`` (kept as it is when the standby has it already);
        ``(identity, stamp, written)`` for the manifest of a worker process's files."""
        identity = identity or content_identity(data)
        kept = self._kept(rel, identity)
        if kept is not None:
            return (*kept, False)
        try:
            dest = self._prepare(rel)
            with open(dest, "wb") as handle:
                handle.write(data)
        except OSError as exc:  # a full disk, a file size limit: the producer's to fix
            raise cannot_write(rel, exc) from None
        return (*self._record(rel, identity, dest), True)

    def link(
        self, rel: str, source: Path | str, identity: Identity | None = None
    ) -> tuple[Any, ...]:
        """Bring a file in: a hard link when the file system allows, else a copy; kept
        as it is when the standby has it already. ``identity``: that of the content
        when ``source`` is a file of the previous site, else the source's own."""
        # digests.link_identity's form, with the stamp the run took of the source
        identity = identity or ("link", str(source), self.stamp_of(str(source)))
        kept = self._kept(rel, identity)
        if kept is not None:
            return (*kept, False)
        try:
            dest = self._prepare(rel)
            self._bring(source, dest)
        except OSError as exc:
            raise cannot_write(rel, exc) from None
        return (*self._record(rel, identity, dest), True)

    def _bring(self, source: Path | str, dest: str) -> None:
        """A copy-on-write clone where the file system makes one (Btrfs, XFS: no data
        copied, and a tool that rewrites the show's file in place leaves the published
        copy as it was); else a hard link (no data copied either, but the very same
        file: write/linked.py notices when it changed in place); else a copy."""
        if self.reflinks:
            if reflink(source, dest):
                return
            self.reflinks = False  # this file system has none: not asked again this run
        try:
            os.link(source, dest)
        except OSError:
            shutil.copyfile(source, dest)

    def add_entry(self, rel: str, entry: tuple[Any, ...]) -> None:
        """A file a worker process staged: ``(identity, stamp, written)``."""
        identity, seen, written = entry
        self._entry(rel, (identity, seen))
        if written:
            self.written.add(rel)

    def carried(self, rel: str) -> None:
        """A file :func:`~podpub.write.safety.carry_over` brought from the producer's output."""
        self._entry(rel, (("kept",), None))
        self.written.add(rel)

    def _entry(self, rel: str, entry: tuple[Any, ...]) -> None:
        self.manifest[rel] = entry
        if self.differs_at is not None:
            self.differs_at.add(rel)

    def finish(self) -> Standby:
        """Remove the standby's files that are no longer part of the site, and the folders
        left empty; return what the staged site is made of (the next run's standby)."""
        emptied: set[str] = set()
        present, manifest, differs_at = self.present, self.manifest, self.differs_at
        if differs_at is None:
            gone = present.keys() - manifest.keys()
        else:
            gone = {rel for rel in differs_at if rel in present and rel not in manifest}
        for rel in gone:
            path = os.path.join(self._root, rel)
            with contextlib.suppress(OSError):
                if stat_module.S_ISDIR(os.lstat(path).st_mode):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
            emptied.add(os.path.dirname(rel))
        for rel_dir in sorted(emptied, key=lambda d: d.count("/"), reverse=True):
            while rel_dir:
                try:
                    os.rmdir(os.path.join(self._root, rel_dir))
                except OSError:
                    break  # not empty (or gone): its parents are not empty either
                rel_dir = os.path.dirname(rel_dir)
        # Carried files are described too ("kept", never reused): a name dropped from
        # keep: is then removed from the standby like any file that left the site.
        folders = self._folders(bool(gone))
        self.touched = self.written | gone
        return Standby(dict(self.manifest), self._folder_stamps(folders, self.touched))

    def _folders(self, removed: bool) -> set[str]:
        """The folders of this site's files ("" the root). When no file of the standby
        was removed, the standby's folders are all still there and hold a file each:
        only those of the files added are looked for (an edit adds none), not those of
        40,000 paths."""
        manifest = self.manifest
        added: Iterable[str]
        if self.reused_standby and not removed:
            folders = set(self._standby_dirs)
            folders.add("")
            present, differs_at = self.present, self.differs_at
            if differs_at is None:
                added = manifest.keys() - present.keys()
            else:
                added = [rel for rel in differs_at if rel in manifest and rel not in present]
        else:
            folders, added = {""}, manifest.keys()
        for rel in added:  # site paths ("a/b/c", no "//"): rpartition
            parent = rel.rpartition("/")[0]
            while parent not in folders:
                folders.add(parent)
                parent = parent.rpartition("/")[0]
        return folders

    def _folder_stamps(self, folders: set[str], changed: set[str]) -> dict[str, Any]:
        """Each folder's stamp: the one sweep() found for a folder in which nothing was
        written or removed since (and no folder made or removed), else taken now; an
        edit of one episode then stamps a few folders, not one per episode."""
        touched: set[str] = set()
        for rel in changed:
            parent = os.path.dirname(rel)
            while parent not in touched:
                touched.add(parent)
                if not parent:
                    break
                parent = os.path.dirname(parent)
        swept = self.swept
        if folders == swept.keys():  # every folder found as recorded: in C, then the touched
            stamps = dict(swept)
            for folder in touched & folders:
                stamps[folder] = stamp(os.path.join(self._root, folder))
            return stamps
        return {
            d: swept[d] if d in swept and d not in touched else stamp(os.path.join(self._root, d))
            for d in folders
        }

    def commit(self, keep_old: bool = False) -> None:
        """Swap the staged site in. The old one becomes the standby with ``keep_old``,
        else it is deleted."""
        try:
            old = _swap_in(self.path, self.target, self.state)
        except OSError as exc:
            raise cannot_write(str(self.target), exc) from None
        if old is None:  # the first site in this folder: its copy is the next standby
            if keep_old:
                copy_as_standby(self.target, self.state, self.files, self.detach)
            return
        if keep_old:
            try:
                os.rename(old, self.state.standby)
                self.replaced_is_standby = True
                return
            except OSError:
                pass  # an old standby in the way: deleted below like any old site
        if not remove_in_background(old, self.files, self.detach):
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        if not remove_in_background(self.path, len(self.present) + self.files, self.detach):
            shutil.rmtree(self.path, ignore_errors=True)


_FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
# What a file system without clones answers (ext4, tmpfs; a clone across devices).
_NO_CLONE = frozenset({errno.EOPNOTSUPP, errno.ENOTTY, errno.EINVAL, errno.EXDEV, errno.ENOSYS})


def reflink(source: Path | str, dest: str) -> bool:
    """Clone ``source`` at ``dest`` (FICLONE: the data shared copy-on-write); False, and
    nothing at ``dest``, where the file system cannot. Other failures raise OSError."""
    if not sys.platform.startswith("linux"):
        return False
    with open(source, "rb") as src:
        try:
            with open(dest, "wb") as dst:
                fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
            return True
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(dest)
            if exc.errno in _NO_CLONE:
                return False
            raise


def cannot_write(what: str, exc: OSError) -> PodpubError:
    """A write that failed (full disk, file size limit, read-only folder): exit 1, not a bug."""
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return PodpubError(
        [
            Problem(
                "",
                None,
                None,
                "",
                f"cannot write {what}: {exc.strerror or exc}; the previous site is untouched",
                "free some disk space and publish again" if full else "check the output folder",
            )
        ]
    )


@contextlib.contextmanager
def staged(target: Path, show_dir: Path, run: BuildContext | None = None) -> Iterator[Staging]:
    """Stage a site; swap it in if the block ends normally, discard it otherwise.

    With a cached run (engine.py), the site's standby is brought up to date and the
    replaced site becomes the next standby; otherwise the staging folder starts empty
    and the replaced site is deleted.
    """
    run = or_no_cache(run)
    state = output_state(target, show_dir)
    with publish_lock(state):
        _remove_stale_staging(state)
        _remove_legacy_state(target)
        _remove_gone_outputs(state)
        staging = Staging(
            target, state, run.standby(), detach=run.detaches_removals, stamp_of=_stamps(run)
        )
        if not staging.reused_standby:  # none described, or not usable: it goes
            _remove_standby(state, staging.detach)
        try:
            yield staging
        except BaseException:
            staging.discard()
            raise
        try:
            staging.commit(keep_old=run.keeps_standby())
        except BaseException:
            staging.discard()
            raise


def _stamps(run: BuildContext) -> Callable[[str], Stamp | None]:
    """How to stamp a show's file: as the run's cache took it at its start, else now."""
    return stamp if run.cache is None else run.cache.stamp


def copy_as_standby(target: Path, state: OutputState, files: int, detach: bool = False) -> None:
    """Make the standby of a site that replaced none: a folder of hard links to its
    files (no data copied), so that the next publish brings up to date only what
    changed instead of writing every file. In a detached process for a big site.

    It works outside the publish lock: a publish that starts meanwhile finds no standby,
    or one whose files it checks one by one anyway (``Staging``: identity and stamp,
    folders swept) before keeping any. Given up at the first failure (a file system
    without hard links): the next publish then writes every file, as it would have.
    """
    building = state.staging(f"copy-{os.getpid()}")

    def link_all() -> None:
        try:
            for root, _, names in os.walk(target):
                rel = os.path.relpath(root, target)
                folder = building if rel == "." else building / rel
                folder.mkdir(parents=True, exist_ok=True)
                for name in names:
                    os.link(os.path.join(root, name), folder / name, follow_symlinks=False)
            os.rename(building, state.standby)  # fails if one is there: dropped
        except OSError:
            shutil.rmtree(building, ignore_errors=True)

    if not in_background(link_all, files, detach):
        link_all()


def _remove_standby(state: OutputState, detach: bool = False) -> None:
    """A standby this run did not take (no description of it in the cache, or none it
    could use): delete it, so that the replaced site can take its place."""
    folder = state.standby
    if folder.is_dir() and not folder.is_symlink():
        # named as a staging folder: a removal cut short is finished by the next sweep
        hidden = state.staging(f"gone-{os.getpid()}")
        try:
            os.rename(folder, hidden)
        except OSError:
            return
        if not remove_in_background(hidden, BACKGROUND_REMOVAL_FILES, detach):
            shutil.rmtree(hidden, ignore_errors=True)


@contextlib.contextmanager
def publish_lock(state: OutputState) -> Iterator[None]:
    target = state.target
    try:
        handle = open(state.lock, "a+b")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise PodpubError(
            f"cannot write in {state.root} ({exc.strerror or exc}); check that you can "
            "write to the show folder"
        ) from None
    with handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PodpubError(
                        f"another podpub publish is writing {target}; wait for it to finish"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_staging(state: OutputState) -> None:
    """Staging folders left by a killed run (we hold the lock, so none is in use)."""
    for leftover in state.staging_folders():
        shutil.rmtree(leftover, ignore_errors=True)


def _remove_gone_outputs(state: OutputState) -> None:
    """The state folders of outputs that are gone (a preview deleted, a temporary folder
    served once): their standby would otherwise stay in ``.podpub/`` for good. One
    whose lock another publish holds is left alone."""
    for folder in state.root.parent.iterdir():
        if folder == state.root or not folder.is_dir():
            continue
        try:
            target = Path(os.fsdecode((folder / TARGET_FILE).read_bytes()))
        except OSError:
            continue  # not described: not ours to judge
        if target.exists():
            continue
        try:
            with open(folder / "lock", "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # in use (BlockingIOError), or already gone


def _remove_legacy_state(target: Path) -> None:
    """What podpub left beside the output before its state moved into ``.podpub/``
    (``.public.lock``, ``.public.standby/``, ``.public.staging-*/``): a standby
    there is no longer used, and the producer asked for a tidy folder. An old site
    (``.public.old-*``, left by a crash between two renames) is the producer's to
    recover: kept."""
    for mark in (".lock", ".standby", ".staging-"):
        pattern = f".{target.name}{mark}" + ("*" if mark.endswith("-") else "")
        for leftover in target.parent.glob(pattern):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    leftover.unlink()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    # the process's own symbols, libc's among them: ctypes.util.find_library("c") ran
    # `ldconfig -p` in a subprocess on every publish, and importing it cost more
    libc = ctypes.CDLL(None, use_errno=True)
    return getattr(libc, "renameat2", None)


def _swap_in(staging: Path, target: Path, state: OutputState) -> Path | None:
    """Put ``staging`` at ``target``; return where the old site now is (to delete), if any."""
    if not target.exists():
        os.rename(staging, target)
        return None
    renameat2 = _renameat2()
    if renameat2 is not None:
        result = renameat2(
            _AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE
        )
        if result == 0:
            return staging  # the staging name now holds the old site
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(target))
    # Fallback: two renames. A crash between them leaves the old site at `old`, which
    # the next run's stale-staging sweep does not touch; the producer can move it back.
    old = state.root / f"old-{os.getpid()}"
    os.rename(target, old)
    os.rename(staging, target)
    return old
