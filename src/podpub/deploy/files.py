"""The files a deploy uploads: what they are, in which order they go, and how they are served.

The order is the point of a deploy that never breaks a listener: the media first, then
the files pages and feed link (covers, chapters, transcripts), then the pages, and the
feed last, so the feed never names a file that is not online yet. Within the feed's
pages, feed.xml (the one apps read) goes after the older pages it links to.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from podpub.build.store import write_atomically
from podpub.errors import PodpubError, Problem

# Extension → Content-Type. Text types say their charset: podpub writes UTF-8, and a
# browser or an app guessing Latin-1 would garble every accent of the show notes.
CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",  # the feed's enclosure type for M4A (DOC-11, rules §3.5)
    ".m4b": "audio/x-m4a",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",  # Opus in an Ogg container, as podcast apps fetch it
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",  # the feed's pages: FEED_TYPE below
    ".json": "application/json; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}
FEED_TYPE = "application/rss+xml; charset=utf-8"
PLAIN_TEXT_NAMES = frozenset({"CNAME", "_headers", "_redirects", ".htaccess", ".nojekyll"})
# feed.xml, and feed-2.xml, feed-3.xml … when the feed is paged (feed/paging.py)
FEED_NAME = re.compile(r"feed(?:-(\d+))?\.xml")

# Cache-Control. Feed and pages change with every episode: caches keep them five
# minutes, so a new episode reaches apps quickly. Media never change under their name
# (a new cut gets a new file name, or apps keep the old bytes anyway): a year.
SHORT_CACHE = "public, max-age=300"
MEDIUM_CACHE = "public, max-age=3600"  # covers, chapters, transcripts, styles
LONG_CACHE = "public, max-age=31536000, immutable"

MEDIA, ASSET, PAGE, FEED = range(4)  # upload order


@dataclass(frozen=True)
class Setting:
    """Where a destination was given (show.yaml's deploy.to line, or --to): every
    problem of that destination points there."""

    file: str
    line: int | None
    column: int | None
    field: str

    def error(self, message: str, hint: str = "") -> PodpubError:
        return PodpubError([Problem(self.file, self.line, self.column, self.field, message, hint)])


@dataclass(frozen=True)
class LocalFile:
    """One file to put online: its path at the destination and on this machine."""

    rel: str  # "/"-separated, relative to the destination's root
    path: Path
    size: int
    sha256: str

    @property
    def kind(self) -> int:
        return kind_of(self.rel)

    @property
    def content_type(self) -> str:
        return content_type(self.rel)

    @property
    def cache_control(self) -> str:
        return cache_control(self.rel)


def content_type(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    if "/" not in rel and FEED_NAME.fullmatch(name):
        return FEED_TYPE
    if name in PLAIN_TEXT_NAMES:
        return "text/plain; charset=utf-8"
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


def kind_of(rel: str) -> int:
    """MEDIA, ASSET, PAGE or FEED: the order in which a deploy uploads them."""
    kind = content_type(rel)
    if kind == FEED_TYPE:
        return FEED
    if kind.startswith(("audio/", "video/")):
        return MEDIA
    if kind.startswith(("text/html", "application/xml")):  # pages, the sitemap
        return PAGE
    return ASSET


def cache_control(rel: str) -> str:
    kind = kind_of(rel)
    if kind == MEDIA:
        return LONG_CACHE
    return MEDIUM_CACHE if kind == ASSET else SHORT_CACHE


def upload_order(file: LocalFile) -> tuple[int, int, str]:
    """Media, assets, pages, then the feed's pages from the oldest to feed.xml."""
    feed_page = FEED_NAME.fullmatch(file.rel)
    # feed.xml is page 1 and goes last: the older pages it links to are online first
    page = -int(feed_page.group(1) or 1) if feed_page else 0
    return (file.kind, page, file.rel)


def site_files(out: Path) -> dict[str, Path]:
    """Every regular file of the published folder by its path inside it."""
    if not out.is_dir():
        raise PodpubError(
            f"there is no published site in {out}: run podpub publish first "
            "(or podpub publish --deploy)"
        )
    files: dict[str, Path] = {}
    for folder, dirs, names in os.walk(out):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file():  # not a socket or FIFO a producer left there
                files[path.relative_to(out).as_posix()] = path
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_files(files: dict[str, Path], memo: Path | None = None) -> list[LocalFile]:
    """The files with their sizes and digests, in upload order.

    ``memo`` (in the show's .podpub/) keeps each digest under its file's stamp: the
    published folder's audio is hard-linked from the show's, so its stamp stays put
    from deploy to deploy, and gigabytes of audio are not read again to find them
    unchanged.
    """
    known = _read_memo(memo)
    seen: dict[str, str] = {}
    found: list[LocalFile] = []
    for rel, path in files.items():
        try:
            st = path.stat()
            key = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
            digest = known.get(key) or sha256_of(path)
        except OSError as exc:
            raise PodpubError(f"cannot read {path}: {exc.strerror}") from None
        seen[key] = digest
        found.append(LocalFile(rel, path, st.st_size, digest))
    if memo is not None and seen != known:
        with contextlib.suppress(OSError):  # only a memo: the next deploy hashes again
            write_atomically(memo, json.dumps(seen, sort_keys=True).encode())
    return sorted(found, key=upload_order)


def _read_memo(memo: Path | None) -> dict[str, str]:
    try:
        data = json.loads(memo.read_bytes()) if memo is not None else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}
