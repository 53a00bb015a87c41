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
from typing import Any, NamedTuple
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
    built, keys = _build(site, pages, run, episodes)
    return [
        FeedFile(page.path, page.url, data, page.episodes, digest, key)
        for page, (digest, data), key in zip(pages, built, keys, strict=True)
    ]


def _paged(feed_url: str, episodes: tuple[EpisodeRecord, ...], size: int) -> list[_Page]:
    """RFC 5005 pages of ``size`` episodes, each linking the first, last and its neighbours."""
    chunks = [episodes[start : start + size] for start in range(0, len(episodes), size)]
    urls = [feed_url, *_page_urls(feed_url, len(chunks))]
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
    site: SiteRecord,
    pages: list[_Page],
    run: BuildContext | None,
    episodes: tuple[EpisodeRecord, ...],
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Each page's ``(digest, bytes)``: built by ``feed.build_feed``, or, within a run that
    uses its cache, kept from a run that built it from the same inputs; and each page's
    key ("" each without a cache).

    A page's bytes depend on the show record (with the page's own feed_url), its links
    and its episodes' records, nothing else (feed.py's output depends only on the
    records): the key is a digest of those, so one edited episode rebuilds its page
    only. A page to build again is joined from the items the last build made (each
    item's bytes kept with its record's digest, :class:`_Kept`): feedgen builds the
    changed items only. The pages to build are shared out over the run's workers.
    """

    def build(index: int) -> tuple[str, bytes]:
        data = _page_site_feed(site, pages[index])
        return data_digest(data), data

    context = or_no_cache(run)
    cache = context.cache  # None: nothing kept, every page built
    if cache is None or not context.cache_options.enabled:
        made = context.map(build, list(range(len(pages))), "Building the feed", min_items=1)
        return made, [""] * len(pages)
    stage = cache.stage(FEED_PAGES)
    show = context.record_digest(site.show)
    # ``episodes`` (the pages', in order) are the site's first ones: their digests asked
    # for as the site's, whose answer the run keeps for the steps after this one
    records = context.digests_in_order(site.episodes)
    digests, start = [], 0
    for page in pages:  # each page's episodes: the next ones of ``episodes``
        digests.append(records[start : start + len(page.episodes)])
        start += len(page.episodes)
    keys = [
        digest_of(show, page.url, page.links, list(found))
        for page, found in zip(pages, digests, strict=True)
    ]
    built: list[Any] = [stage.get(page.path, key) for page, key in zip(pages, keys, strict=True)]
    todo = [index for index, found in enumerate(built) if found is MISS]
    kept = _Kept([stage.entry(pages[index].path) for index in todo])

    def rebuild(index: int) -> tuple[str, bytes, tuple[Any, ...] | None]:
        page = pages[index]
        head = digest_of("head", show, page.url, page.links, _newest(page.episodes))
        data, layout = kept.joined(_page_site(site, page), page.links, digests[index], head)
        return data_digest(data), data, layout

    fresh = context.map(rebuild, todo, "Building the feed", min_items=1)
    for index, page_made in zip(todo, fresh, strict=True):
        stage.put(pages[index].path, keys[index], page_made)
        built[index] = page_made
    return [(found[0], found[1]) for found in built], keys


def _page_site(site: SiteRecord, page: _Page) -> SiteRecord:
    """The site as one feed page shows it: its own feed URL, its episodes."""
    show = replace(site.show, feed_url=page.url)
    return replace(site, show=show, episodes=page.episodes)


def _page_site_feed(site: SiteRecord, page: _Page) -> bytes:
    from podpub.feed.build import build_feed

    return build_feed(_page_site(site, page), page.links)


def _newest(episodes: Sequence[EpisodeRecord]) -> str:
    """The date a page's channel gives as its lastBuildDate (build.py), as written."""
    return max(episode.published for episode in episodes).isoformat() if episodes else ""


class _Kept:
    """The items and heads of the feed pages the last build made, by what they were made
    from: an item's bytes by its record's digest, a head (the channel before the items)
    by the digest of the show, the page's URL and links and its newest date.

    A page is kept as ``(digest, bytes, layout)``; the layout ``(root tag, head key,
    each item's record digest, cuts)`` says where its items are in its bytes
    (build.item_cuts) and with which namespaces they were written (build.root_tag)."""

    def __init__(self, entries: Sequence[tuple[Any, Any] | None]) -> None:
        # digest → (root tag, the page's bytes, start, end): sliced only when used
        self.items: dict[str, tuple[bytes, bytes, int, int]] = {}
        self.heads: dict[str, tuple[bytes, bytes, int]] = {}
        for entry in entries:
            value = entry[1] if entry is not None else None
            if not isinstance(value, tuple) or len(value) != 3 or value[2] is None:
                continue  # nothing known of where its items are
            _, data, (root, head, digests, cuts) = value
            self.heads[head] = (root, data, cuts[0])
            for number, digest in enumerate(digests):
                self.items[digest] = (root, data, cuts[number], cuts[number + 1])

    def joined(
        self,
        site: SiteRecord,
        links: Sequence[tuple[str, str]],
        digests: Sequence[str],
        head: str,
    ) -> tuple[bytes, tuple[Any, ...] | None]:
        """The feed page of ``site`` (one page's) and its layout: the items and head
        kept joined to those feedgen builds now (the items not kept; the newest item
        too when the head is not kept: the channel's date is its). The same bytes as
        :func:`build.build_feed` of the whole page, which builds it when nothing is
        kept or a cut is uncertain."""
        from podpub.feed.build import build_feed, item_cuts, root_tag

        episodes = site.episodes
        missing = [number for number, digest in enumerate(digests) if digest not in self.items]
        kept_head = self.heads.get(head)
        if kept_head is None and len(missing) < len(episodes):
            newest = max(range(len(episodes)), key=lambda n: episodes[n].published)
            missing = sorted({*missing, newest})
        if len(missing) < len(episodes):
            some = replace(site, episodes=tuple([episodes[n] for n in missing]))
            data = build_feed(some, links)
            cuts = item_cuts(data, len(missing))
            if cuts is not None:
                root = root_tag(data)
                parts = self._parts(data, cuts, root, missing, digests, kept_head)
                if parts is not None:
                    return b"".join(parts), (root, head, tuple(digests), _ends(parts))
        data = build_feed(site, links)  # every item: nothing kept, or nothing sure
        cuts = item_cuts(data, len(episodes))
        layout = (root_tag(data), head, tuple(digests), cuts) if cuts is not None else None
        return data, layout

    def _parts(
        self,
        data: bytes,
        cuts: tuple[int, ...],
        root: bytes,
        missing: list[int],
        digests: Sequence[str],
        kept_head: tuple[bytes, bytes, int] | None,
    ) -> list[bytes] | None:
        """The page's head, items and tail: built now (``data``, cut at ``cuts``) or
        kept; None when one kept was written with other namespaces than ``root``."""
        from podpub.feed.build import FEED_TAIL

        if kept_head is None:
            parts = [data[: cuts[0]]]
        elif kept_head[0] == root:
            parts = [kept_head[1][: kept_head[2]]]
        else:
            return None
        built = {number: at for at, number in enumerate(missing)}
        for number, digest in enumerate(digests):
            at = built.get(number)
            if at is not None:
                parts.append(data[cuts[at] : cuts[at + 1]])
                continue
            item_root, page, start, end = self.items[digest]
            if item_root != root:
                return None
            parts.append(page[start:end])
        parts.append(FEED_TAIL)
        return parts


def _ends(parts: Sequence[bytes]) -> tuple[int, ...]:
    """The cuts of the joined ``parts`` (head, items, tail): where the head and each
    item end."""
    ends: list[int] = []
    end = 0
    for part in parts[:-1]:
        end += len(part)
        ends.append(end)
    return tuple(ends)


def _page_urls(feed_url: str, count: int) -> list[str]:
    """The URLs of pages 2 to ``count``: ``feed_url`` with its last segment replaced
    by each page's file name (urljoin's answer for the second, the others after it: 50
    joins took a tenth of an edit's feed stage)."""
    if count < 2:
        return []
    second = urljoin(feed_url, page_path(2))
    folder = second.removesuffix(page_path(2))
    if folder + page_path(2) != second:
        return [urljoin(feed_url, page_path(n)) for n in range(2, count + 1)]
    return [folder + page_path(n) for n in range(2, count + 1)]


def page_path(number: int) -> str:
    return FIRST_PAGE if number == 1 else f"feed-{number}.xml"
