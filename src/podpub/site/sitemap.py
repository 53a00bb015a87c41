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
    lines = _entries(site, page_urls, run)
    if len(lines) <= MAX_URLS:
        yield SITEMAP, _urlset(lines)
    else:
        parts = [lines[i : i + MAX_URLS] for i in range(0, len(lines), MAX_URLS)]
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
) -> list[str]:
    """The ``<url>`` line of each page, in the sitemap's order."""
    newest = site.episodes[0].published.isoformat() if site.episodes else None
    lines = _lines([(url, newest) for url in page_urls])
    lines += _episode_lines(site.episodes, run)
    return lines


def _episode_lines(episodes: Sequence[EpisodeRecord], run: BuildContext | None) -> list[str]:
    """Each episode's ``<url>`` line (its page URL and lastmod), in order.

    A line is made of its record alone: a warm build (``run``'s cache keeps its
    ``held`` values between rebuilds) takes the last rebuild's list, made of records
    whose digests it kept with it, and makes again the lines of the places whose
    digest changed (a date written out is a call each: 10,000 at each rebuild). A
    command-line run keeps a mark only: the next run of its process, if any, keeps the
    lines."""
    cache = run.cache if run is not None else None
    held: dict[str, Any] = cache.held if cache is not None else {}
    last = held.get(_LINES_HELD)
    if run is None or (last is None and not run.warm):  # maybe no run after it
        held[_LINES_HELD] = (None, None)
        return _lines(list(map(_entry, episodes)))
    digests = run.digests_in_order(episodes)
    if last is not None and last[0] is not None and len(last[0]) == len(digests):
        lines = list(last[1])
        for place in compress(count(), map(ne, digests, last[0])):
            lines[place] = _lines([_entry(episodes[place])])[0]
    else:
        lines = _lines(list(map(_entry, episodes)))
    held[_LINES_HELD] = (digests, lines)  # copied by the next rebuild, not changed
    return lines


def _entry(episode: EpisodeRecord) -> tuple[str, str]:
    """An episode's page URL and lastmod (made again by a warm rebuild: see above)."""
    return episode.page_url, episode.published.isoformat()


_LINES_HELD = "sitemap-lines"  # _episode_lines's last, in the show cache's ``held``


def _lines(entries: Sequence[tuple[str, str | None]]) -> list[str]:
    """The ``<url>`` line of each ``(URL, lastmod)``."""
    urls = _escaped([url for url, _ in entries])
    return [
        f"<url><loc>{url}</loc><lastmod>{lastmod}</lastmod></url>"
        if lastmod
        else f"<url><loc>{url}</loc></url>"
        for url, (_, lastmod) in zip(urls, entries, strict=True)
    ]


def _urlset(lines: Sequence[str]) -> bytes:
    head = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    return "\n".join([*head, *lines, "</urlset>\n"]).encode("utf-8")


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
