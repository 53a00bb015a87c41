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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple
from urllib.parse import urljoin

from podpub.context import FEED_PAGES, BuildContext, or_no_cache
from podpub.digests import MISS, data_digest, digest_of
from podpub.resolve.records import EpisodeRecord, SiteRecord

FIRST_PAGE = "feed.xml"


@dataclass(frozen=True)
class FeedFile:
    path: str  # inside the output folder: feed.xml, feed-2.xml …
    url: str  # where it is served (its atom:link rel=self)
    data: bytes
    episodes: tuple[EpisodeRecord, ...]  # the items it lists, newest first
    # BLAKE2b of ``data`` (cache.data_digest), made once: the rules' and the read-back's
    # memos key a page on it; a page from the cache brings the one stored with it.
    digest: str = field(default="", compare=False, repr=False)
    # The digest of what its bytes are made of (the show's record, its links, its
    # episodes' records), when a run with a cache built or kept it ("" otherwise): the
    # rules' memo keys the page's findings on it, not on 10,000 record digests again.
    key: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", data_digest(self.data))


class _Page(NamedTuple):
    """One feed file to build: everything its bytes depend on besides the show."""

    path: str
    url: str
    links: tuple[tuple[str, str], ...]  # RFC 5005 first/previous/next/last
    episodes: tuple[EpisodeRecord, ...]


def feed_files(
    site: SiteRecord, max_items: int | None = None, run: BuildContext | None = None
) -> list[FeedFile]:
    """The feed as publish writes it; ``max_items`` overrides show.yaml's. ``run``: the
    build context whose cache and workers build the pages (None: here, each time)."""
    extras = site.show.extras
    limit = max_items if max_items is not None else extras.max_items
    episodes = site.episodes[:limit] if limit else site.episodes
    size = extras.page_size
    if not size or len(episodes) <= size:
        pages = [_Page(FIRST_PAGE, site.show.feed_url, (), episodes)]
    else:
        pages = _paged(site.show.feed_url, episodes, size)
    built, keys = _build(site, pages, run)
    return [
        FeedFile(page.path, page.url, data, page.episodes, digest, key)
        for page, (digest, data), key in zip(pages, built, keys, strict=True)
    ]


def _paged(feed_url: str, episodes: tuple[EpisodeRecord, ...], size: int) -> list[_Page]:
    """RFC 5005 pages of ``size`` episodes, each linking the first, last and its neighbours."""
    chunks = [episodes[start : start + size] for start in range(0, len(episodes), size)]
    urls = [feed_url] + [urljoin(feed_url, page_path(n)) for n in range(2, len(chunks) + 1)]
    pages: list[_Page] = []
    for index, chunk in enumerate(chunks):
        links = [("first", urls[0])]
        if index > 0:
            links.append(("previous", urls[index - 1]))
        if index < len(chunks) - 1:
            links.append(("next", urls[index + 1]))
        links.append(("last", urls[-1]))
        pages.append(_Page(page_path(index + 1), urls[index], tuple(links), chunk))
    return pages


def _build(
    site: SiteRecord, pages: list[_Page], run: BuildContext | None
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Each page's ``(digest, bytes)``: built by ``feed.build_feed``, or, within a run that
    uses its cache, kept from a run that built it from the same inputs; and each page's
    key ("" each without a cache).

    A page's bytes depend on the show record (with the page's own feed_url), its links
    and its episodes' records, nothing else (feed.py's output depends only on the
    records): the key is a digest of those, so one edited episode rebuilds its page
    only. The pages to build are shared out over the run's workers (200 items each).
    """

    def build(index: int) -> tuple[str, bytes]:
        from podpub.feed.build import build_feed

        page = pages[index]
        show = replace(site.show, feed_url=page.url)
        data = build_feed(replace(site, show=show, episodes=page.episodes), page.links)
        return data_digest(data), data

    context = or_no_cache(run)
    cache = context.cache  # None: nothing kept, every page built
    if cache is None or not context.cache_options.enabled:
        made = context.map(build, list(range(len(pages))), "Building the feed", min_items=1)
        return made, [""] * len(pages)
    stage = cache.stage(FEED_PAGES)
    show = context.record_digest(site.show)
    records = _record_digests(context, [episode for page in pages for episode in page.episodes])
    keys = [
        digest_of(show, page.url, page.links, [records[id(e)] for e in page.episodes])
        for page in pages
    ]
    built = [stage.get(page.path, key) for page, key in zip(pages, keys, strict=True)]
    todo = [index for index, found in enumerate(built) if found is MISS]
    fresh = context.map(build, todo, "Building the feed", min_items=1)
    for index, made in zip(todo, fresh, strict=True):
        stage.put(pages[index].path, keys[index], made)
        built[index] = made
    return built, keys


def _record_digests(run: BuildContext, records: Sequence[EpisodeRecord]) -> dict[int, str]:
    """``id(record) → digest`` of each record, those the run does not know yet made over
    its workers (a cold run: every one) and told to it, so the pages' memo finds them."""
    known = run.known_digests(records)
    todo = [record for record in records if id(record) not in known]
    for record, digest in zip(todo, run.map(digest_of, todo), strict=True):
        known[id(record)] = run.record_digest(record, digest)
    return known


def page_path(number: int) -> str:
    return FIRST_PAGE if number == 1 else f"feed-{number}.xml"
