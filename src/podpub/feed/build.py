"""The RSS feed and the JSON chapter files, built from the records (the only feedgen importer).

``build_feed`` writes RSS 2.0 with the ``itunes``, ``podcast``, ``atom`` and ``content``
namespaces on the root, through feedgen plus our own extensions (``feedext.py``). The output
depends only on the records: the same ``SiteRecord`` gives byte-identical bytes.

feedgen 1.0.0 quirks handled here (podcast-feed-rules.md §9):

* ``lastBuildDate`` defaults to now(): we set it to the newest episode's ``published``, or to
  :data:`EMPTY_FEED_DATE` when there is no episode (the records carry no other date of
  the show, and ``build_time`` only filters episodes: a constant keeps an empty feed
  byte-stable across runs).
* ``add_entry`` prepends by default: we append, so items keep ``site.episodes``' order.
* The channel ``<link>`` is the href of the *last* link given to ``FeedGenerator.link``
  whatever its rel: the ``self`` link is set first, the show's page last.
* Channel and item ``<description>`` are written as escaped text: we hand feedgen an
  ``lxml.etree.CDATA`` value, which it assigns to the element as is. lxml 6.1 splits a
  ``]]>`` inside the HTML into two CDATA sections; an older lxml that refuses it gets
  the plain string, escaped, which every XML parser reads the same.
* ``generator`` is set to ``podpub``; ``docs`` is dropped (an empty value is not written).
* lxml writes the XML declaration with single quotes; we write Apple's exact
  ``<?xml version="1.0" encoding="UTF-8"?>`` and ask lxml for the document without it.
* Plain text: lxml writes ``&amp;`` and ``&lt;``; :func:`hex_references` rewrites them
  in element text as ``&#x26;`` and ``&#x3C;`` (the RSS best-practice profile).
* Dates: feedgen formats ``pubDate``/``lastBuildDate`` with ``strftime('%a, %d %b %Y
  %H:%M:%S %z')`` under the C locale, i.e. the same string as
  ``email.utils.format_datetime`` for an aware datetime: RFC 2822, correct English weekday,
  in the episode's own offset (``+0200`` for Paris in summer). The tests check the two agree.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from podpub.feed import optional_tags as extras_feed
from podpub.feed.extensions import (
    CHAPTERS_TYPE,
    AtomLinksEntryExtension,
    AtomLinksExtension,
    ItunesEntryExtension,
    ItunesExtension,
    PodcastEntryExtension,
    PodcastExtension,
    PscEntryExtension,
    PscExtension,
)
from podpub.resolve.records import EpisodeRecord, PersonRole, ShowRecord, SiteRecord

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
GENERATOR = "podpub"
CHAPTERS_VERSION = "1.2.0"

#: ``lastBuildDate`` of a feed with no episode (see the module docstring).
EMPTY_FEED_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def build_feed(site: SiteRecord, links: Sequence[tuple[str, str]] = ()) -> bytes:
    """The podcast RSS feed of ``site``, UTF-8 encoded, items in ``site.episodes`` order.

    ``links`` are extra channel ``atom:link`` (rel, href) pairs: a paged feed's
    first/next/previous/last (``paging.py``).
    """
    fg = FeedGenerator()
    fg.register_extension("itunes", ItunesExtension, ItunesEntryExtension, atom=False, rss=True)
    fg.register_extension("podcast", PodcastExtension, PodcastEntryExtension, atom=False, rss=True)
    fg.register_extension("psc", PscExtension, PscEntryExtension, atom=False, rss=True)
    _channel(fg, site)
    hub = site.show.extras.websub_hub  # WebSub discovery: apps subscribe to the hub
    if links or hub:
        fg.register_extension(
            "paging", AtomLinksExtension, AtomLinksEntryExtension, atom=False, rss=True
        )
        if hub:
            fg.paging.link("hub", hub, type=None)
        for rel, href in links:
            fg.paging.link(rel, href)
    for episode in site.episodes:
        _item(fg.add_entry(order="append"), episode)
    body: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=False)
    return XML_DECLARATION + hex_references(body)


# How build_feed's bytes end, after the last item: the items are the channel's last
# elements (feedgen appends them after every channel tag and extension).
FEED_TAIL = b"  </channel>\n</rss>\n"
_ITEM_START = b"    <item>\n"
_ITEM_END = b"\n    </item>\n"


def item_cuts(data: bytes, count: int) -> tuple[int, ...] | None:
    """Where the bytes of a feed of ``count`` items (:func:`build_feed`'s) are cut into
    its head, each item and the tail: the end of the head, then of each item. None when
    a cut would be uncertain: an ``<item>`` tag anywhere but around the items (in a
    CDATA section's HTML) makes the counts differ, and nothing is cut.

    An item's bytes depend on its record alone (and on the namespaces the root
    declares, :func:`root_tag`): pretty-printed at the same depth, they are the same
    in any feed, which is what lets a feed page be joined from items kept from the
    last build (paging.py)."""
    if data.count(b"<item>") != count or data.count(b"</item>") != count:
        return None
    if not data.endswith(FEED_TAIL):
        return None
    end = len(data) - len(FEED_TAIL)
    if count == 0:
        return (end,)
    start = data.find(b"\n" + _ITEM_START) + 1
    if start == 0:
        return None
    cuts = [start]
    for _ in range(count):
        if not data.startswith(_ITEM_START, start):
            return None
        found = data.find(_ITEM_END, start)
        if found < 0:
            return None
        start = found + len(_ITEM_END)
        cuts.append(start)
    return tuple(cuts) if start == end else None


def root_tag(data: bytes) -> bytes:
    """The ``<rss …>`` start tag of a feed's bytes: the namespace prefixes its items use."""
    start = data.find(b"<rss")
    return data[start : data.find(b">", start) + 1]


# A CDATA section, or a tag with its attributes (lxml writes '>' in attributes as &gt;):
# what lies between them is element text.
_MARKUP = re.compile(rb"(<!\[CDATA\[.*?\]\]>|<[^>]*>)", re.DOTALL)


def hex_references(body: bytes) -> bytes:
    """``&`` and ``<`` in plain-text elements as ``&#x26;`` and ``&#x3C;``.

    The RSS Advisory Board's best-practice profile (which the W3C feed validator
    follows) asks for hexadecimal character references there: some old readers decode
    ``&amp;`` once too often. lxml writes ``&amp;`` and ``&lt;``; only element text is
    rewritten, never attributes (URLs) nor the HTML inside CDATA sections.
    """
    if b"&amp;" not in body and b"&lt;" not in body:
        return body
    parts = _MARKUP.split(body)
    for index in range(0, len(parts), 2):  # even indexes: text between markup
        if b"&" in parts[index]:
            parts[index] = parts[index].replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
    return b"".join(parts)


def _channel(fg: FeedGenerator, site: SiteRecord) -> None:
    show = site.show
    fg.title(show.title)
    # Order matters: feedgen's RSS <link> is the last link set, whatever its rel.
    fg.link(href=show.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=show.url, rel="alternate")
    fg.description(_html(show.feed_description))
    fg.language(show.language)
    if show.copyright:
        fg.copyright(show.copyright)
    fg.lastBuildDate(_last_build_date(site))
    fg.generator(GENERATOR)
    fg.docs("")  # feedgen writes <docs> unless it is empty

    itunes: ItunesExtension = fg.itunes
    itunes.image(show.image_url)
    for category, subcategory in show.categories:
        itunes.category(category, subcategory)
    itunes.explicit(show.explicit)
    itunes.author(show.author)
    itunes.owner(show.owner_name, show.owner_email)
    itunes.show_type(show.show_type)

    podcast: PodcastExtension = fg.podcast
    podcast.guid(show.guid)
    podcast.locked(True, owner=show.owner_email)
    _persons(podcast, show.persons)
    extras_feed.channel_tags(itunes, podcast, show)  # optional tags, only when asked for


def _item(entry: FeedEntry, episode: EpisodeRecord) -> None:
    entry.title(episode.title)
    entry.link(href=episode.page_url)
    entry.description(_html(episode.feed_description))
    if episode.feed_content:
        entry.content(_html(episode.feed_content))
    entry.guid(episode.guid, permalink=False)
    entry.enclosure(episode.enclosure_url, str(episode.audio.size), episode.audio.mime)
    entry.pubDate(episode.published)

    itunes: ItunesEntryExtension = entry.itunes
    itunes.title(episode.title)
    if episode.number is not None:
        itunes.episode(episode.number)
    if episode.season is not None:
        itunes.season(episode.season)
    itunes.episode_type(episode.episode_type)
    itunes.duration(episode.audio.duration)
    itunes.explicit(episode.explicit)
    if episode.image_url:  # the episode's own artwork; apps show the show's otherwise
        itunes.image(episode.image_url)

    podcast: PodcastEntryExtension = entry.podcast
    if episode.season is not None:
        podcast.season(episode.season)
    if episode.number is not None:
        podcast.episode(episode.number)
    if episode.chapters_url:
        podcast.chapters(episode.chapters_url, CHAPTERS_TYPE)
    # The item's list replaces the channel's: records put the hosts first.
    _persons(podcast, episode.persons)
    extras_feed.item_tags(podcast, episode)  # transcripts and optional tags

    psc: PscEntryExtension = entry.psc  # Podlove Simple Chapters, inline
    for chapter in episode.chapters:
        psc.chapter(chapter.start, chapter.title, href=chapter.url, image=chapter.img)


def _persons(
    podcast: PodcastExtension | PodcastEntryExtension, persons: tuple[PersonRole, ...]
) -> None:
    for credit in persons:
        podcast.person(
            credit.person.name,
            role=credit.role.role,
            group=credit.role.group,
            href=credit.person.url,
            img=credit.person.image,
        )


def _last_build_date(site: SiteRecord) -> dt.datetime:
    """The newest episode's ``published``: the feed changes when an episode appears."""
    if not site.episodes:
        return EMPTY_FEED_DATE
    return max(episode.published for episode in site.episodes)


def _html(text: str) -> etree.CDATA | str:
    """HTML for a CDATA section; the plain string if this lxml refuses ``]]>`` in CDATA."""
    try:
        return etree.CDATA(text)
    except ValueError:
        return text


def chapters_json(episode: EpisodeRecord, show: ShowRecord) -> bytes:
    """The episode's JSON Chapters 1.2 file (``podcast:chapters``), UTF-8, ascending times."""
    chapters: list[dict[str, Any]] = []
    for chapter in sorted(episode.chapters, key=lambda c: c.start):
        item: dict[str, Any] = {"startTime": _seconds(chapter.start), "title": chapter.title}
        if chapter.url:
            item["url"] = chapter.url
        if chapter.img:
            item["img"] = chapter.img
        chapters.append(item)
    document = {
        "version": CHAPTERS_VERSION,
        "chapters": chapters,
        "title": episode.title,
        "podcastName": show.title,
    }
    return (_indented_json(document) + "\n").encode("utf-8")


_encode_text = json.encoder.encode_basestring  # the C one, as ensure_ascii=False uses
_json_other = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_INFINITY = float("inf")


def _indented_json(value: Any, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)``, byte for byte,
    for the values of a chapters file (text keys): given ``indent``, the standard library
    falls back to its pure-Python encoder, which took 4 % of a cold publish's CPU for two
    chapter files an episode (the one published and the one the feed rules read)."""
    kind = type(value)
    if kind is str:
        return _encode_text(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and value == value and -_INFINITY < value < _INFINITY:
        return float.__repr__(value)
    if kind is dict and value:
        inner = indent + "  "
        members = [f"{_encode_text(k)}: {_indented_json(v, inner)}" for k, v in value.items()]
        return "{\n" + inner + (",\n" + inner).join(members) + "\n" + indent + "}"
    if kind is list and value:
        inner = indent + "  "
        items = [_indented_json(v, inner) for v in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    return _json_other(value)  # true, false, null, [], {}; NaN refused as json.dumps does


def _seconds(value: float) -> int | float:
    """A start time as JSON wants it: ``12`` not ``12.0``, ``12.5`` as is."""
    return int(value) if float(value).is_integer() else float(value)
