"""Feed HTML → the Markdown podpub writes (markdownify: links, lists and emphasis kept),
and the show notes that are only a list of timestamps → chapters."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

from podpub.importer.values import parse_duration
from podpub.resolve.chapters import clock

_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_TIMESTAMP_LINE = re.compile(
    r"^\s*(?:[-*+]\s+|\d+\.\s+)?[(\[]?((?:\d{1,2}:)?\d{1,2}:\d{2})[)\]]?\s*(?:[-–—:|]\s*)?(.+?)\s*$"
)


def is_html(text: str) -> bool:
    return bool(_TAG.search(text) or _ENTITY.search(text))


def to_markdown(text: str) -> tuple[str, bool]:
    """Markdown of a feed description, and whether it was HTML (converted)."""
    text = text.strip()
    if not is_html(text):
        return text, False
    converter = MarkdownConverter(
        heading_style="ATX",
        bullets="-",
        strip=["script", "style", "iframe", "img"],
        escape_misc=False,
    )
    soup = BeautifulSoup(text, "lxml")  # libxml2's HTML parser: five times html.parser
    markdown = converter.convert_soup(soup)
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)  # markdownify's hard breaks → plain ones
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    return markdown, True


def timestamp_chapters(markdown: str) -> list[dict[str, str]] | None:
    """The chapters when the notes are nothing but lines of "00:00 Title" (two or more);
    None when anything else is in them (then they stay notes)."""
    lines = [line for line in markdown.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    chapters: list[dict[str, str]] = []
    for line in lines:
        match = _TIMESTAMP_LINE.match(line.replace("\\", ""))
        seconds = parse_duration(match.group(1)) if match else None
        if match is None or seconds is None:
            return None
        title = re.sub(r"^[*_]+|[*_]+$", "", match.group(2)).strip()
        if not title:
            return None
        chapters.append({"title": title, "start": clock(seconds)})
    return chapters
