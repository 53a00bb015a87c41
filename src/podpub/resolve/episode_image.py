"""An episode's own artwork (``image:``): item ``itunes:image`` and its page's picture.

A file of the show is checked here, when the episode is resolved, against Apple's rule
for artwork (the show cover's: JPEG or PNG, square, 1400-3000 px, RGB without alpha),
so a wrong picture is an error located in the descriptor rather than a feed rule's
finding after the fact. It is copied beside the episode's page. An https URL is kept
where it is hosted and published as given: podpub does not fetch it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from podpub.errors import Problem
from podpub.input.load import Document
from podpub.input.paths import media_path
from podpub.media.images import ImageError, image_facts

ARTWORK_MIN, ARTWORK_MAX = 1400, 3000  # Apple's sizes (feed rules APL-01)
FIELD = ("image",)
FIX = "export it as a square JPEG or PNG of 1400 to 3000 px (3000×3000 is best)"


@dataclass(frozen=True)
class EpisodeImage:
    source: Path | None  # the show's file; None: an https URL, kept where it is hosted
    path: str | None  # inside the output folder, beside the page; None: remote
    url: str  # what the feed and the page point at


def episode_image(
    show_dir: Path,
    image: str | None,
    doc: Document,
    page_dir: str,
    site_url: str,
    problems: list[Problem],
) -> EpisodeImage | None:
    """The episode's artwork, or None when it has none or its file is no usable artwork
    (then ``problems`` says why, located on ``image``)."""
    if image is None:
        return None
    if image.startswith("https://"):
        return EpisodeImage(None, None, image)
    source = media_path(show_dir, image, doc, FIELD, problems)
    if source is None:
        return None
    wrong = _artwork_problem(source)
    if wrong is not None:
        problems.append(doc.problem(FIELD, f"{image}: {wrong}", FIX))
        return None
    path = page_dir + source.name
    return EpisodeImage(source, path, site_url + quote(path))


def _artwork_problem(source: Path) -> str | None:
    """Why the file breaks Apple's artwork rule, or None when it keeps it."""
    if source.suffix.lower() not in (".jpg", ".png"):
        return "Apple requires the artwork's file name to end in .jpg or .png"
    try:
        facts = image_facts(source.read_bytes())
    except (ImageError, OSError) as exc:
        return f"not a readable image ({exc})"
    if facts.format not in ("JPEG", "PNG"):
        return f"a {facts.format} image; Apple takes JPEG or PNG"
    if (facts.format == "JPEG") != (source.suffix.lower() == ".jpg"):
        return f"a {facts.format} image but its name ends in {source.suffix}"
    if facts.width != facts.height:
        return f"{facts.width}×{facts.height} px, not square"
    if not ARTWORK_MIN <= facts.width <= ARTWORK_MAX:
        return f"{facts.width}×{facts.height} px; Apple wants {ARTWORK_MIN} to {ARTWORK_MAX} px"
    if facts.mode in ("RGBA", "LA", "PA", "La", "RGBa") or facts.transparency:
        return "it has an alpha channel (transparency); Apple wants RGB"
    return None
