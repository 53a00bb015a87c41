"""Paths and names: media files inside the show folder, output paths, URL slugs."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from slugify import slugify as python_slugify
from text_unidecode import unidecode as transliterate

from podpub.errors import Problem
from podpub.input.load import Document

SHOW_FILE = "show.yaml"
# check, publish, serve and tag all read show.yaml first: their hint names none of them
ANY_COMMAND_HINT = "run podpub in the show folder, or give the show's folder after the command"


def missing_show_file(show_dir: Path, hint: str = ANY_COMMAND_HINT) -> Problem:
    """The problem of a folder without show.yaml, said once for every command: the folder
    made absolute ("no show.yaml in ." would not say where podpub looked)."""
    return Problem(SHOW_FILE, None, None, "", f"no {SHOW_FILE} in {show_dir.resolve()}", hint)


def media_path(
    show_dir: Path, rel: str, doc: Document, field: tuple[str | int, ...], problems: list[Problem]
) -> Path | None:
    """The real file behind a media path, refused if it escapes the show or is no regular file.

    Checked before any library opens it: a FIFO would block forever, a device never end.
    """
    root = show_dir.resolve()
    path = (show_dir / rel).resolve()
    if not path.is_relative_to(root):
        problems.append(
            doc.problem(
                field,
                f"{rel!r} resolves outside the show folder",
                "keep media files inside the show folder",
            )
        )
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        problems.append(doc.problem(field, f"file {rel!r} not found", _missing_hint(show_dir, rel)))
        return None
    except OSError as exc:
        problems.append(doc.problem(field, f"cannot read {rel!r}: {exc.strerror}"))
        return None
    if not stat.S_ISREG(st.st_mode):
        problems.append(doc.problem(field, f"{rel!r} is not a regular file"))
        return None
    if not os.access(path, os.R_OK):
        problems.append(doc.problem(field, f"{rel!r} is not readable", "check its permissions"))
        return None
    return path


# How many names of a folder a missing file's name is compared with: an error's path
# only, but a show's audio/ may hold 10,000 files and a run report hundreds missing.
_NAMES_COMPARED = 2_000


def _missing_hint(show_dir: Path, rel: str) -> str:
    """The fix for a media path that names no file: the file of its folder whose name is
    nearest (a typo, another extension), or the folder that does not exist."""
    import difflib  # an error's path only

    folder, _, name = rel.replace("\\", "/").rpartition("/")
    try:
        with os.scandir(show_dir / folder) as entries:
            names = [entry.name for _, entry in zip(range(_NAMES_COMPARED), entries, strict=False)]
    except FileNotFoundError:
        return _missing_folder_hint(show_dir, folder, name)
    except OSError:
        return "check the path"
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not near:
        return "check the path"
    return f"did you mean {(folder + '/' if folder else '') + near[0]!r}?"


def _missing_folder_hint(show_dir: Path, folder: str, name: str) -> str:
    """The fix for a media path whose folder does not exist: the show's folder of the
    nearest name, when it holds the file (``audios/x.mp3`` for ``audio/x.mp3``)."""
    import difflib  # an error's path only

    top, _, below = folder.partition("/")
    try:
        with os.scandir(show_dir) as entries:
            folders = [
                entry.name
                for _, entry in zip(range(_NAMES_COMPARED), entries, strict=False)
                if entry.is_dir(follow_symlinks=False)
            ]
    except OSError:
        folders = []
    for near in difflib.get_close_matches(top, folders, n=3, cutoff=0.6):
        candidate = "/".join(part for part in (near, below, name) if part)
        if (show_dir / candidate).is_file():
            return f"there is no folder {folder + '/'!r}; did you mean {candidate!r}?"
    return f"there is no folder {folder + '/'!r} in the show folder; check the path"


def output_path(rel: str, prefix: str) -> str:
    rel = rel.replace("\\", "/").lstrip("./")
    return rel if rel.startswith(prefix) else prefix + rel


def with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def slugify(text: str, limit: int = 80) -> str:
    """A URL-safe name: lower-case ASCII letters, digits and hyphens.

    Letters of any script are transliterated (python-slugify with text-unidecode):
    « 王小明 » → ``wang-xiao-ming``, « Дмитрий Петров » → ``dmitrii-petrov``, « Łódź »
    → ``lodz``, where dropping what is not ASCII gave nothing (an address made of a hash)
    or a mangled word. Names that were ASCII give the same slug as before; an address
    that changes is redirected from the old one (write/redirects.py).
    """
    # text-unidecode named here, not left to python-slugify's choice (it prefers
    # Unidecode when installed): the same name must give the same address everywhere.
    return python_slugify(transliterate(text), max_length=limit)


def legacy_slugify(text: str, limit: int = 80) -> str:
    """The slug podpub made before transliterating (every non-ASCII letter dropped): the
    addresses a ledger written then implies, so that they can be redirected."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


# Names Windows refuses for a file or folder whatever the extension: a page folder named
# so could not be checked out or synced there (static sites get cloned on Windows).
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{kind}{n}" for kind in ("com", "lpt") for n in range(1, 10)}
)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def descriptor_name_problem(path: Path, folder: str) -> Problem | None:
    """A descriptor's file name must be printable UTF-8 and give a portable page name.

    The name is the episode's identity (page folder, default GUID, ledger key): bytes that
    are not UTF-8 cannot make a GUID, control or bidirectional characters would garble the
    terminal that prints it, and ``CON`` or ``aux`` make a folder Windows cannot hold.
    """
    name = path.name
    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    display = f"{folder}/{shown}"
    if shown != name:
        return Problem(
            display, None, None, "", "the file name is not valid UTF-8", "rename the file"
        )
    bad = next(
        (c for c in name if unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI_CONTROLS), None
    )
    if bad is not None:
        escaped = name.encode("unicode_escape").decode("ascii")
        return Problem(
            f"{folder}/{escaped}",
            None,
            None,
            "",
            f"the file name contains the character U+{ord(bad):04X}, which terminals and "
            "URLs cannot show safely",
            "rename the file",
        )
    if slugify(path.stem) in WINDOWS_RESERVED:
        return Problem(
            display,
            1,
            1,
            "",
            f"the page folder would be named {slugify(path.stem)!r}, a name Windows reserves "
            "for a device",
            "rename the descriptor, before its first publish: its name is the episode's identity",
        )
    return None
