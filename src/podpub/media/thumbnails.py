"""The cover in the sizes the pages show it, made once and kept in the show's cache.

Apple wants the cover at 1400-3000 px; the pages show it at 44 px (site header) and at
about 190 px (show page), so sending the full file costs a listener on a phone 100 kB
to a few MB for nothing. Each size is made once with Pillow and cached under the show's
``.podpub/thumbnails/`` folder (git-ignored), keyed on the cover's content hash, its
size and this module's format version: a publish with an unchanged cover only reads
small cached files, and a new cover gets new file names, so no browser shows a stale one.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from podpub.errors import PodpubError, Problem

# Widths in CSS pixels × device pixel ratios: 96 for the 44 px header icon (2x) and the
# favicon; 192/384/576 for the show page's 12rem cover at 1x, 2x and 3x.
SIZES = (96, 192, 384, 576)
FORMAT_VERSION = "1"  # bump when the encoding below changes: old cache entries are not read
JPEG_QUALITY = 85
CACHE_FOLDER = "thumbnails"

# The same cover published again in one process (tests, a preview loop) is not re-read.
_MEMORY: dict[tuple[str, int], bytes] = {}

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage


@dataclass(frozen=True)
class Thumbnail:
    width: int  # = height: covers are square (a wider one is centre-cropped)
    path: str  # inside the output folder: "assets/cover-192-<hash>.jpg"
    data: bytes


def cover_thumbnails(
    source: Path, cache_dir: Path | None, folder: str = "assets"
) -> tuple[Thumbnail, ...]:
    """The cover at each of :data:`SIZES`, from the cache where it has them.

    A cover that does not exist yields none (the pages then use the cover itself): the
    plan stage has already reported a missing cover, and unit tests render pages from
    records without files. A cover Pillow cannot read is a problem of the show.
    """
    try:
        content = source.read_bytes()
    except OSError:
        return ()
    digest = hashlib.sha256(content).hexdigest()[:16]
    cache = cache_dir / CACHE_FOLDER if cache_dir is not None else None
    found: dict[int, bytes] = {}
    for size in SIZES:
        cached = _read_cache(cache, digest, size)
        if cached is None:
            cached = _MEMORY.get((digest, size))
            if cached is not None:
                _write_cache(cache, digest, size, cached)
        if cached is not None:
            found[size] = cached
    missing = [size for size in SIZES if size not in found]
    if missing:
        for size, data in _make(content, missing, source).items():
            found[size] = data
            _write_cache(cache, digest, size, data)
    if len(_MEMORY) > 64:
        _MEMORY.clear()
    _MEMORY.update({(digest, size): data for size, data in found.items()})
    return tuple(
        Thumbnail(size, f"{folder}/cover-{size}-{digest[:10]}.jpg", found[size]) for size in SIZES
    )


def _cache_name(digest: str, size: int) -> str:
    return f"{digest}-{size}-v{FORMAT_VERSION}.jpg"


def _read_cache(cache: Path | None, digest: str, size: int) -> bytes | None:
    if cache is None:
        return None
    try:
        return (cache / _cache_name(digest, size)).read_bytes()
    except OSError:
        return None


def _write_cache(cache: Path | None, digest: str, size: int, data: bytes) -> None:
    """Best effort: a read-only show folder only means the work is done again next time."""
    if cache is None:
        return
    target = cache / _cache_name(digest, size)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, target)  # a concurrent publish never reads half a file
    except OSError:
        temporary.unlink(missing_ok=True)


def _make(content: bytes, sizes: list[int], source: Path) -> dict[int, bytes]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as opened:
            opened.draft("RGB", (max(sizes), max(sizes)))  # JPEG: decode at a smaller scale
            image = _square(_flatten(opened))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PodpubError(
            [
                Problem(
                    "show.yaml",
                    None,
                    None,
                    "image",
                    f"cannot read the cover {source.name} to make the pages' thumbnails ({exc})",
                    "save it again as a JPEG or PNG",
                )
            ]
        ) from None
    factor = image.size[0] // (2 * max(sizes))
    if factor > 1:  # box-average down to twice the largest size first: 3x faster, same look
        image = image.reduce(factor)
    made: dict[int, bytes] = {}
    for size in sorted(sizes, reverse=True):
        small = image.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        made[size] = buffer.getvalue()
    return made


def _flatten(image: PILImage) -> PILImage:
    """RGB; transparency laid on white (JPEG has none)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def _square(image: PILImage) -> PILImage:
    """The centre square of a cover that is not square (Apple's rules say it must be)."""
    width, height = image.size
    side = min(width, height)
    if width == height:
        return image
    left, top = (width - side) // 2, (height - side) // 2
    return image.crop((left, top, left + side, top + side))


def cover_kind(content: bytes) -> tuple[str, int, int] | str:
    """A cover's format ("jpeg" or "png") and size in pixels, or why it is no usable cover
    (``podpub import`` keeps a downloaded cover only when it is one)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as opened:
            kind, (width, height) = (opened.format or "").lower(), opened.size
            opened.verify()  # reads the whole file: a truncated image is refused here
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        return f"not an image ({exc})"
    if kind not in {"jpeg", "png"}:
        return f"a {kind.upper()} image; Apple wants JPEG or PNG"
    return kind, width, height
