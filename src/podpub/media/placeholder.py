"""A placeholder cover for a new show: valid for Apple until the producer replaces it.

Apple Podcasts wants a square JPEG or PNG of 1400 to 3000 px, RGB without alpha (the
artwork rule APL-01). A new show made by ``podpub init`` must pass ``podpub check`` at
once, so it gets such a file: 3000 × 3000 px, flat colours (a PNG of a few kilobytes),
with the show's title on it so nobody mistakes it for the finished artwork.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont, features

SIZE = 3000  # Apple's largest size: the placeholder is never the reason for a warning
BACKGROUND = (36, 52, 71)
FRAME = (242, 142, 43)
TEXT = (250, 250, 250)


def placeholder_cover(title: str) -> bytes:
    """A 3000 × 3000 RGB PNG with a frame and ``title`` on it (no text without FreeType)."""
    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = SIZE // 12
    draw.rectangle((margin, margin, SIZE - margin, SIZE - margin), outline=FRAME, width=40)
    if features.check("freetype2"):  # the default bitmap font cannot be scaled to be read
        _write_title(draw, title)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _write_title(draw: ImageDraw.ImageDraw, title: str) -> None:
    font = ImageFont.load_default(size=220)
    lines = textwrap.wrap(title, width=18)[:4] or ["Podcast"]
    lines.append("(placeholder cover)")
    step = 300
    top = SIZE // 2 - step * len(lines) // 2
    for index, line in enumerate(lines):
        draw.text((SIZE // 2, top + index * step), line, fill=TEXT, font=font, anchor="mt")
