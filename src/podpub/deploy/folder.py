"""A folder as a destination: a mounted volume, a web server's root, a gh-pages worktree.

Each file is copied beside its place and renamed over it, so a web server serving the
folder never sends half a file. Nothing is hard-linked: the published folder's files
are rewritten by the next publish, and a destination sharing their inodes would change
before its deploy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from podpub.deploy.files import LocalFile, Setting, sha256_of
from podpub.deploy.manifest import MANIFEST_NAME, MAX_MANIFEST_BYTES, Remote
from podpub.errors import PodpubError

_TEMP = ".podpub-tmp-"


class FolderTarget:
    """Files under ``root``; ``setting`` names where the folder was given (for messages)."""

    def __init__(self, root: Path, setting: Setting) -> None:
        self.root = root
        self.setting = setting
        self.name = str(root.resolve())  # one folder, one name (compared with the site's)

    def open(self, dry_run: bool) -> None:
        """Make sure the folder is there (created when only it is missing, not a mount point)."""
        if self.root.is_dir():
            return
        if self.root.exists():
            raise self._error(f"{self.root} is not a folder", "give a folder")
        if not self.root.parent.is_dir():
            raise self._error(
                f"{self.root.parent} does not exist",
                "mount the volume or create the folder, or fix the path",
            )
        if not dry_run:
            try:
                self.root.mkdir()
            except OSError as exc:
                raise self._error(f"cannot create {self.root}: {exc.strerror}") from None

    def read_manifest(self) -> bytes | None:
        path = self.root / MANIFEST_NAME
        try:
            if path.stat().st_size > MAX_MANIFEST_BYTES:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def listing(self, rels: set[str]) -> dict[str, Remote]:
        """The files among ``rels`` that are there, with their size and stamp."""
        found: dict[str, Remote] = {}
        for rel in rels:
            try:
                path = self._path(rel)
                st = path.lstat()
            except (OSError, PodpubError):
                continue
            if path.is_file() and not path.is_symlink():
                found[rel] = Remote(st.st_size, str(st.st_mtime_ns))
        return found

    def sha256(self, rel: str) -> str | None:
        try:
            return sha256_of(self._path(rel))
        except OSError:
            return None

    def put(self, file: LocalFile) -> None:
        dest = self._path(file.rel)
        self._write(dest, lambda temp: shutil.copyfile(file.path, temp))

    def delete(self, rel: str) -> None:
        path = self._path(rel)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise self._error(f"cannot delete {path}: {exc.strerror}") from None
        # the folders the site no longer has (an episode's page folder), up to the root
        folder = path.parent
        while folder != self.root and folder.is_relative_to(self.root):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
            folder = folder.parent

    def write_manifest(self, data: bytes) -> None:
        self._write(self.root / MANIFEST_NAME, lambda temp: temp.write_bytes(data))

    def _path(self, rel: str) -> Path:
        """``rel`` under the root, refused if a symbolic link there leads elsewhere."""
        path = self.root / rel
        real_root = self.root.resolve()
        if not path.parent.resolve().is_relative_to(real_root):
            raise self._error(
                f"{path.parent} leads outside {self.root} (a symbolic link)",
                "remove the link from the destination",
            )
        return path

    def _write(self, dest: Path, fill: Callable[[Path], object]) -> None:
        temp = dest.parent / f"{_TEMP}{os.getpid()}-{dest.name}"
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fill(temp)
            os.replace(temp, dest)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise self._error(f"cannot write {dest}: {exc.strerror}", "check the disk") from None

    def _error(self, message: str, hint: str = "") -> PodpubError:
        return self.setting.error(message, hint)
