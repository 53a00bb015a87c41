"""Where the feed comes from: a URL (fetched with caps, redirects reported) or a file."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from podpub.importer.feedxml import FeedError
from podpub.net.http import Client

MAX_FEED_BYTES = 64_000_000  # the biggest real feeds are a few tens of MB
FEED_DEADLINE_SECONDS = 60.0


@dataclass(frozen=True)
class Source:
    """The feed's bytes (a stream) and what fetching them showed."""

    stream: IO[bytes]
    location: str  # the URL or the file as given
    url: str | None  # the URL the feed was read from, when it came over HTTP
    final_url: str | None  # where the redirects led
    redirects: tuple[str, ...]
    permanent_move: bool  # a 301/308 among the redirects: the feed has moved


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def open_source(location: str, client: Client, max_bytes: int = MAX_FEED_BYTES) -> Source:
    """Open SOURCE: fetch a URL within the client's timeout, deadline and ``max_bytes``
    (counted after decompression: a gzip bomb stops at the cap), or open a file."""
    if is_url(location):
        answer = client.get(location, max_bytes=max_bytes)
        if answer.error or answer.body is None:
            raise FeedError(f"cannot fetch {location}: {answer.error or 'no body'}")
        if not answer.ok:
            raise FeedError(f"cannot fetch {location}: the server answered {answer.status}")
        permanent = any(status in (301, 308) for status in answer.redirect_statuses)
        return Source(
            io.BytesIO(answer.body),
            location,
            location,
            answer.final_url,
            answer.redirects,
            permanent,
        )
    path = Path(location)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise FeedError(f"{location} is not a file")
        if size > max_bytes:
            raise FeedError(
                f"{location} is {size:,} bytes, over the {max_bytes:,}-byte cap for a feed"
            )
        return Source(path.open("rb"), location, None, None, (), False)
    except OSError as exc:
        raise FeedError(f"cannot read {location}: {exc.strerror or exc}") from None
