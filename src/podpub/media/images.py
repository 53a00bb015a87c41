"""Pillow's one way in: what podpub reads of an image, and the cover's thumbnails.

The cover is read in three places: the pages' thumbnails (``thumbnails.py``), the
artwork rule APL-03 (``rules/apple.py``: format, size, alpha) and the cover embedded in
the audio files (``tag.py``: its size). ``podpub init`` makes a placeholder cover here
too. Each asks here; an image Pillow cannot read
becomes one :class:`ImageError`, whatever Pillow raised, for the caller to word.
Pillow is imported when an image is read, not before (a run with an unchanged cover
never loads it).
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


# --- a new show's placeholder cover ------------------------------------------------

PLACEHOLDER_SIZE = 3000  # Apple's largest size: the placeholder is never the reason for a warning
PLACEHOLDER_BACKGROUND = (36, 52, 71)
PLACEHOLDER_FRAME = (242, 142, 43)
PLACEHOLDER_TEXT = (250, 250, 250)


def placeholder_cover(title: str) -> bytes:
    """A 3000 × 3000 RGB PNG with a frame and ``title`` on it (no text without FreeType).

    For a new show made by ``podpub init``, which must pass ``podpub check`` at once:
    Apple wants a square JPEG or PNG of 1400 to 3000 px, RGB without alpha (APL-01).
    Flat colours (a PNG of a few kilobytes), the title on it so nobody mistakes it for
    the finished artwork."""
    from PIL import Image, ImageDraw, features

    image = Image.new("RGB", (PLACEHOLDER_SIZE, PLACEHOLDER_SIZE), PLACEHOLDER_BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = PLACEHOLDER_SIZE // 12
    draw.rectangle(
        (margin, margin, PLACEHOLDER_SIZE - margin, PLACEHOLDER_SIZE - margin),
        outline=PLACEHOLDER_FRAME,
        width=40,
    )
    if features.check("freetype2"):  # the default bitmap font cannot be scaled to be read
        _write_title(draw, title)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _write_title(draw: Any, title: str) -> None:
    from PIL import ImageFont

    font = ImageFont.load_default(size=220)
    lines = textwrap.wrap(title, width=18)[:4] or ["Podcast"]
    lines.append("(placeholder cover)")
    step = 300
    top = PLACEHOLDER_SIZE // 2 - step * len(lines) // 2
    for index, line in enumerate(lines):
        draw.text(
            (PLACEHOLDER_SIZE // 2, top + index * step),
            line,
            fill=PLACEHOLDER_TEXT,
            font=font,
            anchor="mt",
        )
