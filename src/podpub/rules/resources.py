"""The files a feed points at, for the rules that read them (artwork, chapters, transcripts).

* :class:`LocalResources` serves podpub's own feed from what publish would write: the
  producer's cover, the chapters files built in memory. Nothing goes on the network.
* :class:`HttpResources` fetches them for ``podpub check --feed``: requests, with a
  timeout and a size cap, each URL once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

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
        import requests

        self.base = base
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._cache: dict[str, Resource] = {}

    def get(self, url: str) -> Resource:
        from urllib.parse import urljoin

        absolute = urljoin(self.base, url) if self.base else url
        if absolute not in self._cache:
            self._cache[absolute] = fetch(self.session, absolute, self.timeout)
        return self._cache[absolute]


def fetch(session: object, url: str, timeout: float, limit: int = MAX_BYTES) -> Resource:
    """GET ``url``; a failure is the resource's ``error``, never an exception."""
    import requests

    if not url.startswith(("http://", "https://")):
        return Resource(url, error="not an http(s) URL")
    try:
        with session.get(url, timeout=timeout, stream=True) as response:  # type: ignore[attr-defined]
            if response.status_code >= 400:
                return Resource(url, error=f"HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > limit:
                    return Resource(url, error=f"larger than {limit:,} bytes")
                chunks.append(chunk)
            return Resource(
                url, b"".join(chunks), content_type=response.headers.get("Content-Type")
            )
    except requests.RequestException as exc:
        return Resource(url, error=_reason(exc))


def _reason(exc: Exception) -> str:
    import requests

    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return type(exc).__name__
