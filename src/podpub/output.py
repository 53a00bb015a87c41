"""Write the site into a staging folder beside the target, then swap it in whole.

A reader of the output folder (a web server, an rsync, a producer's browser) sees the
old site or the new one, never half of each: the new site is built in
``.<name>.staging-*`` on the same file system and exchanged with the old one in one
``renameat2(RENAME_EXCHANGE)`` call where Linux offers it, else in two renames.
A lock file keeps two publishes from interleaving.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from podpub import engine
from podpub.errors import PodpubError, Problem

STAGING_MARK = ".staging-"
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


class Staging:
    """A new site being written; ``commit()`` swaps it in, leaving early discards it."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target.parent / f".{target.name}{STAGING_MARK}{os.getpid()}-{time.time_ns()}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.path.mkdir()
        except OSError as exc:
            raise cannot_write(str(self.path), exc) from None
        self.files = 0
        self._root = str(self.path)
        self._dirs: set[str] = {self._root}  # folders this process knows are there

    def _prepare(self, rel: str) -> str:
        """Where ``rel`` goes, its folder made if need be (worker processes share the
        staging folder: a folder another one made is only looked at)."""
        dest = os.path.join(self._root, rel)
        parent = os.path.dirname(dest)
        if parent not in self._dirs:
            if not os.path.isdir(parent):
                os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        self.files += 1
        return dest

    def write(self, rel: str, data: bytes) -> None:
        try:
            with open(self._prepare(rel), "wb") as handle:
                handle.write(data)
        except OSError as exc:  # a full disk, a file size limit: the producer's to fix
            raise cannot_write(rel, exc) from None

    def link(self, rel: str, source: Path | str) -> None:
        """Bring a media file in: a hard link when the file system allows, else a copy."""
        try:
            dest = self._prepare(rel)
            try:
                os.link(source, dest)
            except OSError:
                shutil.copyfile(source, dest)
        except OSError as exc:
            raise cannot_write(rel, exc) from None

    def commit(self) -> None:
        try:
            old = _swap_in(self.path, self.target)
        except OSError as exc:
            raise cannot_write(str(self.target), exc) from None
        if old is not None and not engine.remove_in_background(old, self.files):
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


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
def staged(target: Path) -> Iterator[Staging]:
    """Stage a site; swap it in if the block ends normally, discard it otherwise."""
    with publish_lock(target):
        _remove_stale_staging(target)
        staging = Staging(target)
        try:
            yield staging
        except BaseException:
            staging.discard()
            raise
        try:
            staging.commit()
        except BaseException:
            staging.discard()
            raise


@contextlib.contextmanager
def publish_lock(target: Path) -> Iterator[None]:
    lock_path = target.parent / f".{target.name}.lock"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+b")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        # The staging folder and the lock live beside the output: the parent must be writable.
        raise PodpubError(
            f"cannot write in {target.parent} ({exc.strerror or exc}); choose an output "
            "folder whose parent you can write to"
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


def _remove_stale_staging(target: Path) -> None:
    """Staging folders left by a killed run (we hold the lock, so none is in use)."""
    prefix = f".{target.name}{STAGING_MARK}"
    for leftover in target.parent.glob(prefix + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    return getattr(libc, "renameat2", None)


def _swap_in(staging: Path, target: Path) -> Path | None:
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
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    os.rename(target, old)
    os.rename(staging, target)
    return old
