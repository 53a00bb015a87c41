"""Pillow's one way in: what podpub reads of an image, and the cover's thumbnails.

The cover is read in three places: the pages' thumbnails (``thumbnails.py``), the
artwork rule APL-03 (``rules/apple.py``: format, size, alpha) and the cover embedded in
the audio files (``tag.py``: its size). Each asks here; an image Pillow cannot read
becomes one :class:`ImageError`, whatever Pillow raised, for the caller to word.
Pillow is imported when an image is read, not before (a run with an unchanged cover
never loads it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage


class ImageError(Exception):
    """An image Pillow cannot read (``str(exc)`` says why)."""


@dataclass(frozen=True)
class ImageFacts:
    format: str | None  # "JPEG", "PNG", … as Pillow names it
    width: int
    height: int
    mode: str  # "RGB", "RGBA", "P" …
    transparency: bool  # a palette or grey image with a transparent colour


def image_facts(data: bytes) -> ImageFacts:
    """Format, size and colour mode of the image in ``data``; ImageError if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return ImageFacts(
                picture.format,
                picture.size[0],
                picture.size[1],
                picture.mode,
                "transparency" in picture.info,
            )
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(str(exc)) from None


def image_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` of the image in ``data``; ImageError if unreadable."""
    facts = image_facts(data)
    return facts.width, facts.height


def square_jpegs(data: bytes, sizes: list[int], quality: int) -> dict[int, bytes]:
    """The image as square JPEGs of each size (centre-cropped, transparency on white)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", (max(sizes), max(sizes)))  # JPEG: decode at a smaller scale
            image = _square(_flatten(opened))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(str(exc)) from None
    factor = image.size[0] // (2 * max(sizes))
    if factor > 1:  # box-average down to twice the largest size first: 3x faster, same look
        image = image.reduce(factor)
    made: dict[int, bytes] = {}
    for size in sorted(sizes, reverse=True):
        small = image.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
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
