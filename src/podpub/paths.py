"""Paths and names: media files inside the show folder, output paths, URL slugs."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from podpub.errors import Problem
from podpub.load import Document


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
        problems.append(doc.problem(field, f"file {rel!r} not found", "check the path"))
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


def output_path(rel: str, prefix: str) -> str:
    rel = rel.replace("\\", "/").lstrip("./")
    return rel if rel.startswith(prefix) else prefix + rel


def with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def slugify(text: str, limit: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")
