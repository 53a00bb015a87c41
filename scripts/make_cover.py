#!/usr/bin/env python3
"""Make the sample show's artwork, cover.png at the repository root.

Apple wants square JPEG or PNG artwork, 1400 to 3000 px, RGB with no alpha channel
(feed rules §3.4). The design is flat colour — an orange field, a blue orange cut into
segments, the title and the tagline — so a 3000 × 3000 PNG stays small; if it ever comes
out above ``MAX_BYTES`` the script draws it again at 1400 × 1400. Nothing random and no
timestamp goes into the file: the same Pillow makes the same bytes.

Usage: python scripts/make_cover.py [--output PATH]
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
MAX_BYTES = 300_000
SIZES = (3000, 1400)

ORANGE = (242, 140, 40)
DEEP_ORANGE = (214, 98, 20)
BLUE = (31, 78, 160)
LIGHT_BLUE = (96, 150, 225)
NAVY = (16, 38, 84)
WHITE = (255, 255, 255)

TITLE = "L’orange bleue"
TAGLINE = "Les actus de la semaine"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "cover.png")
    args = parser.parse_args(argv)
    for size in SIZES:
        data = render(size)
        if len(data) <= MAX_BYTES or size == SIZES[-1]:
            break
    args.output.write_bytes(data)
    print(f"{args.output}: {size} × {size} px, {len(data)} bytes")
    return 0


def render(size: int) -> bytes:
    """The cover at ``size`` × ``size`` px, as PNG bytes (RGB, no alpha)."""
    image = Image.new("RGB", (size, size), ORANGE)
    draw = ImageDraw.Draw(image)
    unit = size / 100  # the design is laid out on a 100 × 100 grid

    # A darker band behind the text, for contrast.
    draw.rectangle((0, round(66 * unit), size, size), fill=DEEP_ORANGE)

    # The blue orange: peel, flesh, and eight segments meeting at the centre.
    cx, cy, radius = 50 * unit, 35 * unit, 25 * unit
    draw.ellipse(_box(cx, cy, radius), fill=BLUE)
    draw.ellipse(_box(cx, cy, radius * 0.86), fill=LIGHT_BLUE)
    for k in range(8):
        angle = math.tau * k / 8 + math.tau / 16
        end = (cx + math.cos(angle) * radius * 0.86, cy + math.sin(angle) * radius * 0.86)
        draw.line(((cx, cy), end), fill=BLUE, width=max(2, round(1.6 * unit)))
    draw.ellipse(_box(cx, cy, radius * 0.12), fill=BLUE)

    title_font = _fit(draw, TITLE, 86 * unit, 13 * unit)
    _centered(draw, TITLE, title_font, (size / 2, 79 * unit), WHITE)
    tagline_font = _fit(draw, TAGLINE, 78 * unit, 6.5 * unit)
    _centered(draw, TAGLINE, tagline_font, (size / 2, 91 * unit), NAVY)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _box(cx: float, cy: float, radius: float) -> tuple[int, int, int, int]:
    return (round(cx - radius), round(cy - radius), round(cx + radius), round(cy + radius))


def _font(size: int) -> Font:
    """DejaVu Sans Bold when installed, else Pillow's own scalable default font."""
    if FONT.is_file():
        return ImageFont.truetype(str(FONT), size)
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, max_width: float, max_height: float) -> Font:
    """The largest font, up to ``max_height`` px, whose rendering of ``text`` fits."""
    size = round(max_height)
    while size > 8:
        font = _font(size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if right - left <= max_width:
            return font
        size -= max(1, size // 50)
    return _font(size)


def _centered(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: Font,
    middle: tuple[float, float],
    fill: tuple[int, int, int],
) -> None:
    """Draw ``text`` with the middle of its box (anchor "mm") at ``middle``."""
    draw.text(middle, text, font=font, fill=fill, anchor="mm")


if __name__ == "__main__":
    sys.exit(main())
