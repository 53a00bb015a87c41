"""The files crawlers read: ``sitemap.xml`` and ``robots.txt``.

The sitemap lists every page with its canonical (absolute) URL; an episode page's
``lastmod`` is its publication date and the show pages' the newest episode's, so the
same show gives the same bytes (no clock). Past the sitemap protocol's 50,000 URLs per
file the URLs are split into ``sitemap-1.xml``, ``sitemap-2.xml``… and ``sitemap.xml``
becomes their index. ``robots.txt`` allows everything and names the sitemap; crawlers
read it only at a host's root, so it counts when the site is served there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape as _html_escape
from itertools import compress, count
from operator import ne
from typing import Any

from podpub.context import BuildContext
from podpub.resolve.records import EpisodeRecord, SiteRecord

SITEMAP = "sitemap.xml"
MAX_URLS = 50_000  # per sitemap file (sitemaps.org protocol)
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities, as ``xml.sax.saxutils.escape`` does; that module
    imports ``urllib.request`` and with it ``http.client`` and ``ssl`` (12 ms, measured,
    on every publish that writes a sitemap, for three replacements)."""
    return _html_escape(text, quote=False)


def site_files(
    site: SiteRecord, page_urls: Sequence[str], run: BuildContext | None = None
) -> Iterator[tuple[str, bytes]]:
    """``sitemap.xml`` (and its parts when there are many pages), then ``robots.txt``.

    ``page_urls``: the canonical URLs of the pages other than episodes (the show's pages,
    people's pages); episode pages come from the records. ``run``: the build context,
    whose cache keeps the episodes' entries for the next run of the process (a warm
    build's rebuild makes again those of the episodes whose records changed only).
    """
    entries = _entries(site, page_urls, run)
    if len(entries) <= MAX_URLS:
        yield SITEMAP, _urlset(entries)
    else:
        parts = [entries[i : i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)]
        names = [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
        for name, part in zip(names, parts, strict=True):
            yield name, _urlset(part)
        yield SITEMAP, _index(site.show.url, names)
    yield "robots.txt", robots(site)


def robots(site: SiteRecord) -> bytes:
    return (
        "# Every page of this podcast's site may be crawled.\n"
        "User-agent: *\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {site.show.url}{SITEMAP}\n"
    ).encode()


def _entries(
    site: SiteRecord, page_urls: Sequence[str], run: BuildContext | None = None
) -> list[tuple[str, str | None]]:
    newest = site.episodes[0].published.isoformat() if site.episodes else None
    entries: list[tuple[str, str | None]] = [(url, newest) for url in page_urls]
    entries += _episode_entries(site.episodes, run)
    return entries


def _episode_entries(
    episodes: Sequence[EpisodeRecord], run: BuildContext | None
) -> list[tuple[str, str]]:
    """Each episode's page URL and lastmod, in order.

    An entry is made of its record alone: a warm build (``run``'s cache keeps its
    ``held`` values between rebuilds) takes the last rebuild's list, made of records
    whose digests it kept with it, and makes again the entries of the places whose
    digest changed (a date written out is a call each: 10,000 at each rebuild). A
    command-line run keeps a mark only: the next run of its process, if any, keeps the
    entries."""
    cache = run.cache if run is not None else None
    held: dict[str, Any] = cache.held if cache is not None else {}
    last = held.get(_ENTRIES_HELD)
    if run is None or (last is None and not run.warm):  # maybe no run after it
        held[_ENTRIES_HELD] = (None, None)
        return [(episode.page_url, episode.published.isoformat()) for episode in episodes]
    known = run.known_digests(episodes)
    digests = tuple(map(known.get, map(id, episodes)))
    if None in digests:  # a record the run has no digest of: nothing to compare it by
        held.pop(_ENTRIES_HELD, None)
        return [(episode.page_url, episode.published.isoformat()) for episode in episodes]
    if last is not None and last[0] is not None and len(last[0]) == len(digests):
        entries = list(last[1])
        for place in compress(count(), map(ne, digests, last[0])):
            entries[place] = _entry(episodes[place])
    else:
        entries = [(episode.page_url, episode.published.isoformat()) for episode in episodes]
    held[_ENTRIES_HELD] = (digests, entries)  # copied by the next rebuild, not changed
    return entries


def _entry(episode: EpisodeRecord) -> tuple[str, str]:
    """An episode's page URL and lastmod (made again by a warm rebuild: see above)."""
    return episode.page_url, episode.published.isoformat()


_ENTRIES_HELD = "sitemap-entries"  # _episode_entries's last, in the show cache's ``held``


def _urlset(entries: Sequence[tuple[str, str | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    urls = _escaped([url for url, _ in entries])
    lines += [
        f"<url><loc>{url}</loc><lastmod>{lastmod}</lastmod></url>"
        if lastmod
        else f"<url><loc>{url}</loc></url>"
        for url, (_, lastmod) in zip(urls, entries, strict=True)
    ]
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _escaped(texts: list[str]) -> list[str]:
    """Each of ``texts`` :func:`escape`d: in one call for them all (a URL rarely holds
    ``&``; 10,000 calls were most of the sitemap's time), or none when none needs it."""
    joined = "\n".join(texts)  # a URL holds no line break (records' URLs are quoted)
    if "&" not in joined and "<" not in joined and ">" not in joined:
        return texts
    if any("\n" in text for text in texts):
        return [escape(text) for text in texts]
    return escape(joined).split("\n")


def _index(base_url: str, names: Sequence[str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    lines += [f"<sitemap><loc>{escape(base_url + name)}</loc></sitemap>" for name in names]
    lines.append("</sitemapindex>\n")
    return "\n".join(lines).encode("utf-8")
