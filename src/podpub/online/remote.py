"""``podpub check --remote``: is the show served the way apps need it?

The feed rules read the feed podpub builds; this reads what the web server answers for
it, as Apple's and Spotify's crawlers do (podcast-feed-rules.md §1):

* each enclosure (and alternate enclosure) answers ``HEAD`` with 200 (DOC-07 when it is
  not there at all, DOC-08 when the server refuses HEAD), with the enclosure's type as
  ``Content-Type`` (DOC-11) and its length as ``Content-Length`` (RSS-05: the feed's
  length must be the file's real size);
* a ``Range: bytes=0-1`` request answers ``206 Partial Content`` (DOC-08: Apple refuses
  hosts that cannot seek);
* redirects are followed and reported (an analytics prefix redirects on purpose; a
  redirect the producer did not expect is worth seeing);
* the feed URL itself is served with an RSS content type (DOC-11).

Findings point at the descriptor line the URL comes from (an episode's ``audio:``,
``alternate_audio[i].file``; ``feed_url:`` or ``url:`` in show.yaml) and go through the
normal check report. :func:`check_enclosures` takes any list of enclosures, so a deploy
can check only the files it has just uploaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from podpub.errors import PodpubError
from podpub.input.load import Document, format_path, load_file
from podpub.net.http import Answer, Client
from podpub.resolve.records import SiteRecord
from podpub.resolve.resolver import SHOW_FILE
from podpub.rules.engine import ALL_APPS, APPLE, DIRECTORIES, Finding

RSS_TYPES = ("application/rss+xml", "application/xml", "text/xml")
CONCURRENT_REQUESTS = 8  # a big show's files are checked a few at a time, not one by one

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Enclosure:
    """A media URL the feed publishes, with what the feed says about it and where the
    producer wrote it."""

    url: str
    length: int  # bytes, as the feed says
    mime: str  # the enclosure's type, as the feed says
    file: str  # the descriptor, relative to the show folder
    field: Path_  # where in it: ("audio",) or ("alternate_audio", i, "file")


def site_enclosures(site: SiteRecord) -> list[Enclosure]:
    """Every enclosure and alternate enclosure of the site, in feed order."""
    found: list[Enclosure] = []
    for episode in site.episodes:
        found.append(
            Enclosure(
                episode.enclosure_url,
                episode.audio.size,
                episode.audio.mime,
                episode.source,
                ("audio",),
            )
        )
        for i, alternate in enumerate(episode.extras.alternates):
            found.append(
                Enclosure(
                    alternate.url,
                    alternate.audio.size,
                    alternate.audio.mime,
                    episode.source,
                    ("alternate_audio", i, "file"),
                )
            )
    return found


@dataclass(frozen=True)
class _Hit:
    """What a remote check found, before it is located."""

    field: Path_
    message: str
    fix: str
    level: str
    rule: str
    audience: str


class _Locator:
    """Descriptors read only when a finding points into them, each once."""

    def __init__(self, show_dir: Path) -> None:
        self.show_dir = show_dir
        self.load = cache(self._load_uncached)

    def _load_uncached(self, file: str) -> Document | None:
        try:
            return load_file(self.show_dir / file, file)
        except PodpubError:
            return None

    def finding(self, file: str, hit: _Hit) -> Finding:
        doc = self.load(file)
        line = column = None
        if doc is not None:
            mark = doc.locate(hit.field)
            line, column = mark.line, mark.column
        return Finding(
            file,
            line,
            column,
            format_path(hit.field),
            hit.message,
            hit.fix,
            hit.level,
            hit.rule,
            hit.audience,
        )


def check_enclosures(
    show_dir: Path, enclosures: Sequence[Enclosure], client: Client
) -> list[Finding]:
    """The located findings of the remote checks of ``enclosures`` (none: all is well)."""
    locator = _Locator(show_dir)
    with ThreadPoolExecutor(max_workers=CONCURRENT_REQUESTS) as pool:
        hits = list(pool.map(lambda e: _enclosure_hits(e, client), enclosures))
    return [
        locator.finding(enclosure.file, hit)
        for enclosure, found in zip(enclosures, hits, strict=True)
        for hit in found
    ]


def check_feed_served(show_dir: Path, feed_url: str, client: Client) -> list[Finding]:
    """The findings about how the feed URL itself is served (located in show.yaml)."""
    locator = _Locator(show_dir)
    doc = locator.load(SHOW_FILE)
    written = doc is not None and isinstance(doc.data, dict) and "feed_url" in doc.data
    field: Path_ = ("feed_url",) if written else ("url",)
    return [locator.finding(SHOW_FILE, hit) for hit in _feed_hits(feed_url, field, client)]


def check_remote(show_dir: Path, site: SiteRecord, client: Client) -> list[Finding]:
    """``podpub check --remote``: the feed URL, then every enclosure of the site."""
    findings = check_feed_served(show_dir, site.show.feed_url, client)
    return findings + check_enclosures(show_dir, site_enclosures(site), client)


# --- the checks --------------------------------------------------------------------


def _enclosure_hits(enclosure: Enclosure, client: Client) -> list[_Hit]:
    field, url = enclosure.field, enclosure.url
    head = client.head(url)
    hits = _redirects(field, url, head, "the media host or analytics prefix")
    if head.error is not None or head.status is None:
        return [_unreachable(field, url, head.error or "no answer")]
    if head.status in (405, 501):
        return [
            *hits,
            _Hit(
                field,
                f"{url} refuses HEAD requests (HTTP {head.status})",
                "serve the media from a host that answers HEAD (any static host or CDN "
                "does); Apple checks media with HEAD",
                "error",
                "DOC-08",
                APPLE,
            ),
        ]
    if head.status != 200:
        return [*hits, _unreachable(field, url, f"HTTP {head.status}")]
    hits += _type_and_length(enclosure, head)
    hits += _range(enclosure, client)
    return hits


def _type_and_length(enclosure: Enclosure, head: Answer) -> list[_Hit]:
    hits: list[_Hit] = []
    field, url = enclosure.field, enclosure.url
    served = _media_type(head.header("Content-Type"))
    if served != enclosure.mime:
        hits.append(
            _Hit(
                field,
                f"{url} is served as {served or 'no Content-Type'}, the feed says {enclosure.mime}",
                f"make the host send Content-Type: {enclosure.mime} for this file (its "
                "upload settings or the server's MIME types)",
                "warning",
                "DOC-11",
                DIRECTORIES,
            )
        )
    length = head.header("Content-Length")
    if length is None or not length.strip().isdigit():
        hits.append(
            _Hit(
                field,
                f"{url} answers HEAD without a Content-Length; the feed says "
                f"{enclosure.length:,} bytes",
                "serve the file as a plain static file (not streamed or compressed)",
                "warning",
                "RSS-05",
                ALL_APPS,
            )
        )
    elif int(length) != enclosure.length:
        hits.append(
            _Hit(
                field,
                f"{url} is {int(length):,} bytes online, the feed says {enclosure.length:,}",
                "upload the file again (the copy online is not the one published), then "
                "podpub check --remote",
                "error",
                "RSS-05",
                ALL_APPS,
            )
        )
    return hits


def _range(enclosure: Enclosure, client: Client) -> list[_Hit]:
    field, url = enclosure.field, enclosure.url
    answer = client.get_headers(url, headers={"Range": "bytes=0-1"})
    if answer.status == 206:
        return []
    said = f"HTTP {answer.status}" if answer.status is not None else answer.error
    return [
        _Hit(
            field,
            f"{url} ignores byte ranges: 'Range: bytes=0-1' answered {said}, not "
            "206 Partial Content",
            "serve the media from a host that answers Range requests (static hosts, S3, "
            "CDNs do; some PHP or proxy setups do not); Apple refuses such hosts",
            "error",
            "DOC-08",
            APPLE,
        )
    ]


def _feed_hits(feed_url: str, field: Path_, client: Client) -> list[_Hit]:
    answer = client.get_headers(feed_url)
    hits = _redirects(field, feed_url, answer, "the feed")
    if answer.error is not None or answer.status is None or answer.status != 200:
        reason = answer.error or f"HTTP {answer.status}"
        hits.append(
            _Hit(
                field,
                f"the feed {feed_url} cannot be read: {reason}",
                "upload the published site (podpub deploy), or correct the address",
                "error",
                "DOC-07",
                ALL_APPS,
            )
        )
        return hits
    served = _media_type(answer.header("Content-Type"))
    if served not in RSS_TYPES:
        hits.append(
            _Hit(
                field,
                f"the feed {feed_url} is served as {served or 'no Content-Type'}, not as RSS",
                "make the host send Content-Type: application/rss+xml; charset=utf-8 for "
                "the feed (or application/xml, text/xml)",
                "warning",
                "DOC-11",
                ALL_APPS,
            )
        )
    return hits


def _redirects(field: Path_, url: str, answer: Answer, what: str) -> list[_Hit]:
    if not answer.redirects:
        return []
    chain = " → ".join([*answer.redirects[1:], answer.final_url or "?"])
    return [
        _Hit(
            field,
            f"{url} redirects ({len(answer.redirects)}×) to {chain}",
            f"expected if {what} redirects on purpose; apps follow a few redirects only",
            "info",
            "DOC-08",
            ALL_APPS,
        )
    ]


def _unreachable(field: Path_, url: str, reason: str) -> _Hit:
    return _Hit(
        field,
        f"{url} cannot be fetched: {reason}",
        "upload the media (podpub deploy), or correct media_url",
        "error",
        "DOC-07",
        ALL_APPS,
    )


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()
