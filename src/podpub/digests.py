"""Stamps and digests: what every cache key is made of, and the safe reading of kept values.

The bottom of podpub's layers (beside ``errors``): each stage keys its results on a
digest of exactly its inputs (:func:`digest_of`, :func:`data_digest`) or on a file's
quick-check :func:`stamp`; kept results are read back by :func:`safe_loads`, which
builds plain data and podpub's own data classes only. The store (``build/store.py``)
keeps the results; the stages, which sit below it, need only these functions.

Imports nothing heavy and nothing of podpub: the no-change check runs on it before
Jinja2, pydantic or mutagen are loaded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: A file's quick-check stamp: (size, mtime_ns, inode, device). None: no such file.
Stamp = tuple[int, int, int, int]


class _Miss:
    def __repr__(self) -> str:
        return "MISS"


MISS: Any = _Miss()


# --- stamps and digests ----------------------------------------------------------------


def stamp(path: Path | str) -> Stamp | None:
    """The quick-check stamp of a file (following links), or None when it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


# A folder opened once, the files under it stat'ed relative to it (fstatat): the kernel
# does not walk each file's whole path from the root again (30,000 of them in an edit).
FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


@contextlib.contextmanager
def opened_folder(path: str) -> Iterator[int | None]:
    """A descriptor of the folder ``path`` for ``os.stat(name, dir_fd=…)``, closed after
    the block; None where this platform stats no file relative to a folder (Windows) or
    the folder cannot be opened: each path is then stat'ed whole."""
    fd = None
    if os.stat in os.supports_dir_fd:
        with contextlib.suppress(OSError):
            fd = os.open(path, FOLDER_FLAGS)
    try:
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def file_digest(path: Path | str) -> str | None:
    """BLAKE2b of a file's contents (``--verify``), or None when it cannot be read."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def data_digest(data: bytes) -> str:
    """BLAKE2b of bytes in memory (a built feed page), in the form of :func:`file_digest`."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def digest_of(*parts: Any) -> str:
    """A digest of values (records, strings, numbers): the key of a computed result.

    Pickled, then hashed: equal values give equal digests within one podpub version
    (the code fingerprint is part of every cache file's identity). Sets are sorted
    first, so hash randomization cannot change a digest.
    """
    return hashlib.blake2b(_stable_pickle(parts), digest_size=20).hexdigest()


def _stable_pickle(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: the bytes depend on values only, not on shared objects
    pickler.dispatch_table = {
        set: lambda s: (sorted, (sorted(s, key=repr),)),
        frozenset: lambda s: (sorted, (sorted(s, key=repr),)),
    }
    pickler.dump(value)
    return buffer.getvalue()


# --- reading cache files safely ---------------------------------------------------------

_SAFE_BUILTINS = frozenset({"set", "frozenset", "bytearray", "complex", "slice", "range"})
_SAFE_GLOBALS = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("pathlib", "Path"),
    ("pathlib", "PosixPath"),
    ("pathlib", "PurePosixPath"),
    ("zoneinfo", "ZoneInfo"),
    ("collections", "OrderedDict"),
    ("markupsafe", "Markup"),
}


def _zoneinfo_getattr(obj: Any, name: str) -> Any:
    """The one ``getattr`` a pickle may call: ``ZoneInfo._unpickle`` (how zones pickle)."""
    import zoneinfo

    if obj is zoneinfo.ZoneInfo and name == "_unpickle":
        return zoneinfo.ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError(f"refused: getattr({obj!r}, {name!r})")


_ALLOWED: dict[tuple[str, str], Any] = {}  # globals found safe once: a record's pickle
# names a dozen classes, and 10,000 records are unpickled in a rebuild


class SafeUnpickler(pickle.Unpickler):
    """Builds plain data, standard dates and paths, and podpub's own data classes only."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            found = _ALLOWED[(module, name)] = self._allowed_class(module, name)
        return found

    def _allowed_class(self, module: str, name: str) -> Any:
        if module == "builtins":
            if name in _SAFE_BUILTINS:
                return super().find_class(module, name)
            if name == "getattr":
                return _zoneinfo_getattr
        elif (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        elif module.startswith("podpub.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and _is_data_class(found):
                return found
        raise pickle.UnpicklingError(f"refused: {module}.{name}")


def _is_data_class(cls: type) -> bool:
    """A podpub dataclass, enum or pydantic model: classes whose unpickling runs no code."""
    if dataclasses.is_dataclass(cls):
        return True
    import enum

    if issubclass(cls, enum.Enum):
        return True
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and issubclass(cls, pydantic.BaseModel)


def safe_loads(data: bytes, start: int = 0) -> Any:
    """Unpickle with :class:`SafeUnpickler`, the cyclic collector paused: reading 10,000
    records back makes a million objects, and every so many of them would start a
    collection that finds nothing (an unpickled table holds no garbage).

    ``start``: where the pickle begins in ``data`` (after a file's header), read there
    rather than from a slice, which would copy it (15 MB for the biggest cache file)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        stream = io.BytesIO(data)  # shares the bytes' buffer
        stream.seek(start)
        return SafeUnpickler(stream).load()
    finally:
        if collecting:
            gc.enable()


#: What an output file is made of: ``("bytes", digest)`` for written bytes, ``("link",
#: source path, its stamp)`` for a file linked from the show folder (write/output.py).
Identity = tuple[Any, ...]


def content_identity(data: bytes) -> Identity:
    """The identity of a file written from ``data``: the digest of the bytes."""
    return ("bytes", data_digest(data))


def link_identity(source: Path | str) -> Identity:
    """The identity of a file linked from ``source``: its path and stamp."""
    return ("link", str(source), stamp(source))
