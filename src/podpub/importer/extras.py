"""What an item links to and an import keeps: chapters files, transcripts, the cover.

Fetched with podpub.net.http (timeouts, size caps); a host that does not answer is not
asked again in the same import, so a feed of 1,000 items on a dead host costs one timeout.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from podpub.input.models import TRANSCRIPT_TYPES
from podpub.net.http import Client
from podpub.resolve.chapters import clock

MAX_EXTRA_BYTES = 5_000_000  # a chapters file or a transcript; a cover is capped alike
MAX_COVER_BYTES = 20_000_000

# podcast:transcript type → the extension podpub reads it by (input/models.py)
TRANSCRIPT_EXTENSIONS = {
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
    "application/json": ".json",
    "text/html": ".html",
    "text/plain": ".txt",
}
assert set(TRANSCRIPT_EXTENSIONS.values()) <= set(TRANSCRIPT_TYPES)


class Fetcher:
    """GETs for one import: a body, or why there is none."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.dead: dict[str, str] = {}  # host → why it is not asked again

    def get(self, url: str, max_bytes: int = MAX_EXTRA_BYTES) -> tuple[bytes | None, str]:
        host = urlsplit(url).netloc
        if not url.startswith(("http://", "https://")):
            return None, "not an http(s) URL"
        if host in self.dead:
            return None, f"not tried: {host} gave no answer earlier ({self.dead[host]})"
        answer = self.client.get(url, max_bytes=max_bytes)
        if answer.error:
            if answer.status is None:  # no connection at all: the host is down or unknown
                self.dead[host] = answer.error
            return None, answer.error
        if not answer.ok or answer.body is None:
            return None, f"the server answered {answer.status}"
        return answer.body, ""


def chapters_from_json(body: bytes) -> tuple[list[dict[str, str]], str]:
    """JSON Chapters (podcast:chapters) → descriptor ``chapters:``, and why not if not."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return [], f"not JSON ({exc})"
    raw = document.get("chapters") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        return [], "no list of chapters in it"
    chapters: list[dict[str, str]] = []
    for entry in raw:
        if not isinstance(entry, dict) or entry.get("toc") is False:
            continue  # toc: false marks a point for apps' artwork, not a chapter
        start, title = entry.get("startTime"), entry.get("title")
        if not isinstance(start, int | float) or isinstance(start, bool) or start < 0:
            continue
        if not isinstance(title, str) or not title.strip():
            continue
        chapter = {"title": title.strip(), "start": clock(float(start))}
        for key, name in (("url", "link"), ("img", "image")):
            value = entry.get(key)
            if isinstance(value, str) and value.startswith(("https://", "http://")):
                chapter[name] = value
        chapters.append(chapter)
    return chapters, "" if chapters else "no usable chapter in it"
