"""The files a feed points at, for the rules that read them (artwork, chapters, transcripts).

* :class:`LocalResources` serves podpub's own feed from what publish would write: the
  producer's cover, the chapters files built in memory. Nothing goes on the network.
* :class:`HttpResources` fetches them for ``podpub check --feed``: requests, with a
  timeout and a size cap, each URL once (through :mod:`podpub.net.http`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from podpub.rules.engine import Resource

USER_AGENT = "podpub-check (+https://github.com/podpub)"
TIMEOUT_SECONDS = 10.0
MAX_BYTES = 20_000_000  # artwork, chapters and transcripts are far smaller


class LocalResources:
    """URLs of the site podpub builds → the bytes it would publish there."""

    def __init__(self, files: Mapping[str, Path | Callable[[], bytes]]) -> None:
        self.files = files
        self._cache: dict[str, Resource] = {}

    def get(self, url: str) -> Resource:
        if url not in self._cache:
            self._cache[url] = self._read(url)
        return self._cache[url]

    def _read(self, url: str) -> Resource:
        source = self.files.get(url)
        if source is None:
            return Resource(url)  # not published by podpub: nothing to say about it
        if callable(source):
            return Resource(url, source())
        try:
            return Resource(url, source.read_bytes())
        except OSError as exc:
            return Resource(url, error=exc.strerror or str(exc))


class HttpResources:
    """Fetch what a feed points at, over HTTP(S), with a timeout and a size cap."""

    def __init__(self, base: str | None = None, timeout: float = TIMEOUT_SECONDS) -> None:
        from podpub.net.http import Client

        self.base = base
        self.client = Client(timeout=timeout, max_bytes=MAX_BYTES, user_agent=USER_AGENT)
        self._cache: dict[str, Resource] = {}

    def get(self, url: str) -> Resource:
        from urllib.parse import urljoin

        absolute = urljoin(self.base, url) if self.base else url
        if absolute not in self._cache:
            self._cache[absolute] = fetch(self.client, absolute)
        return self._cache[absolute]


def fetch(client: Any, url: str, limit: int | None = None) -> Resource:
    """GET ``url``; a failure is the resource's ``error``, never an exception."""
    answer = client.get(url, max_bytes=limit)
    if answer.error is not None:
        return Resource(url, error=answer.error)
    if answer.status >= 400:
        return Resource(url, error=f"HTTP {answer.status}")
    return Resource(url, answer.body, content_type=answer.header("Content-Type"))
