"""The feed file(s) of a show: one feed, its newest N episodes, or RFC 5005 pages.

Apps download the whole feed at every refresh, so a show that outgrows its size budget
(SIZE-01) has two ways out, both asked for in show.yaml, never applied silently:

* ``max_items`` (or ``publish --max-items``): the feed lists the newest N episodes; the
  site keeps every page. Apps keep the episodes they already have.
* ``feed_page_size``: RFC 5005 §3 paged feeds. ``feed.xml`` holds the newest N and each
  page links the others with ``atom:link`` ``first``, ``next``, ``previous`` and
  ``last``; ``feed-2.xml``, ``feed-3.xml`` … hold the older episodes, every page with the
  full channel. Apps that do not follow ``next`` see the newest page only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urljoin

from podpub.records import EpisodeRecord, SiteRecord

FIRST_PAGE = "feed.xml"


@dataclass(frozen=True)
class FeedFile:
    path: str  # inside the output folder: feed.xml, feed-2.xml …
    url: str  # where it is served (its atom:link rel=self)
    data: bytes
    episodes: tuple[EpisodeRecord, ...]  # the items it lists, newest first


def feed_files(site: SiteRecord, max_items: int | None = None) -> list[FeedFile]:
    """The feed as publish writes it; ``max_items`` overrides show.yaml's."""
    from podpub.feed import build_feed

    extras = site.show.extras
    limit = max_items if max_items is not None else extras.max_items
    episodes = site.episodes[:limit] if limit else site.episodes
    size = extras.page_size
    if not size or len(episodes) <= size:
        chosen = replace(site, episodes=episodes)
        return [FeedFile(FIRST_PAGE, site.show.feed_url, build_feed(chosen), episodes)]
    chunks = [episodes[start : start + size] for start in range(0, len(episodes), size)]
    urls = [site.show.feed_url] + [
        urljoin(site.show.feed_url, page_path(number)) for number in range(2, len(chunks) + 1)
    ]
    files: list[FeedFile] = []
    for index, chunk in enumerate(chunks):
        links = [("first", urls[0])]
        if index > 0:
            links.append(("previous", urls[index - 1]))
        if index < len(chunks) - 1:
            links.append(("next", urls[index + 1]))
        links.append(("last", urls[-1]))
        page_site = replace(site, show=replace(site.show, feed_url=urls[index]), episodes=chunk)
        files.append(
            FeedFile(page_path(index + 1), urls[index], build_feed(page_site, links), chunk)
        )
    return files


def page_path(number: int) -> str:
    return FIRST_PAGE if number == 1 else f"feed-{number}.xml"
