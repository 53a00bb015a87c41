"""feedgen extensions for Apple's ``itunes:`` tags and the Podcasting 2.0 ``podcast:`` tags.

``feed.py`` registers two pairs with ``FeedGenerator.register_extension(...)``:

* :class:`ItunesExtension` / :class:`ItunesEntryExtension`, namespace
  ``http://www.itunes.com/dtds/podcast-1.0.dtd`` (http, not https);
* :class:`PodcastExtension` / :class:`PodcastEntryExtension`, namespace
  ``https://podcastindex.org/namespace/1.0`` (https).

Why not feedgen's own ``podcast`` extension: it predates Apple's 2019 rules. It knows the old
category list, can only write ``itunes:explicit`` as yes/no/clean (Apple wants true/false),
writes ``itunes:block``/``itunes:complete`` in lower case, and silently drops a channel image
whose URL does not end in ``.jpg``/``.png`` (podcast-feed-rules.md §9).

How feedgen drives an extension (feedgen 1.0.0, ``feed.py``/``entry.py``): it instantiates the
class once per feed (channel class) or once per entry (entry class), calls ``extend_ns()`` on the
channel instance to build the root's namespace map, and, after writing its own elements, calls
``extend_rss(element)`` with the ``<rss>`` root (channel class) or the ``<item>`` (entry class).
That is the whole protocol, so these classes do not subclass ``feedgen.ext.base`` and this module
does not import feedgen: ``feed.py`` stays the only feedgen importer.

The classes hold plain values, set through small methods like feedgen's own extensions, and
turn them into :class:`Tag` values in ``tags()``; one function writes any tag. Adding a tag
later (transcript, funding, soundbite, license, location, medium, trailer, txt,
updateFrequency, podroll, alternateEnclosure …) is three steps in one class: a value slot in
``__init__``, a setter, one ``yield`` in ``tags()`` at the position the tag should appear.
Nested tags (podroll's ``remoteItem``, alternateEnclosure's ``source``/``integrity``) are
``Tag.children``; tags allowed in both channel and item (person, funding, location, license,
txt) go in :class:`_PodcastShared`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from lxml import etree

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
CHAPTERS_TYPE = "application/json+chapters"

SHOW_TYPES = frozenset({"episodic", "serial"})
EPISODE_TYPES = frozenset({"full", "trailer", "bonus"})


@dataclass(frozen=True)
class Tag:
    """One element to write, in its extension's namespace.

    ``attrs`` keeps output order (and allows names like ``aspect-ratio``); ``None`` values
    are left out by :func:`attrs`.
    """

    name: str
    text: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[Tag, ...] = ()


def attrs(*pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
    """Attribute pairs in order, leaving out the ones whose value is ``None``."""
    return tuple((name, value) for name, value in pairs if value is not None)


def write_tag(parent: etree._Element, namespace: str, tag: Tag) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{tag.name}", dict(tag.attrs))
    if tag.text is not None:
        element.text = tag.text
    for child in tag.children:
        write_tag(element, namespace, child)
    return element


class _Extension:
    """What feedgen calls on an extension; subclasses say which tags to write."""

    namespace: ClassVar[str]
    prefix: ClassVar[str]

    def extend_ns(self) -> dict[str, str]:
        return {self.prefix: self.namespace}

    def extend_rss(self, element: etree._Element) -> etree._Element:
        parent = self._parent(element)
        for tag in self.tags():
            write_tag(parent, self.namespace, tag)
        return element

    def extend_atom(self, element: etree._Element) -> etree._Element:
        return element  # registered with atom=False: podpub writes RSS only

    def tags(self) -> Iterator[Tag]:
        raise NotImplementedError

    def _parent(self, element: etree._Element) -> etree._Element:
        return element


class _ChannelExtension(_Extension):
    def _parent(self, element: etree._Element) -> etree._Element:
        channel = element.find("channel")  # feedgen hands channel extensions the <rss> root
        if channel is None:
            raise ValueError("feed root has no <channel>")
        return channel


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")
    return value


# --------------------------------------------------------------------------- itunes


class _ItunesShared(_Extension):
    """Apple tags allowed in both the channel and an item."""

    namespace = ITUNES_NS
    prefix = "itunes"

    def __init__(self) -> None:
        self._image: str | None = None
        self._explicit: bool | None = None

    def image(self, href: str | None = None) -> str | None:
        """``<itunes:image href="…"/>``: the URL is written as given (never dropped)."""
        if href is not None:
            self._image = href
        return self._image

    def explicit(self, explicit: bool | None = None) -> bool | None:
        """``<itunes:explicit>`` as Apple's current ``true``/``false``."""
        if explicit is not None:
            if not isinstance(explicit, bool):
                raise ValueError(f"itunes:explicit must be a bool, not {explicit!r}")
            self._explicit = explicit
        return self._explicit

    def _image_tag(self) -> Iterator[Tag]:
        if self._image is not None:
            yield Tag("image", attrs=(("href", self._image),))

    def _explicit_tag(self) -> Iterator[Tag]:
        if self._explicit is not None:
            yield Tag("explicit", "true" if self._explicit else "false")


class ItunesExtension(_ItunesShared, _ChannelExtension):
    """Channel tags: image, category tree, explicit, author, owner, type, new-feed-url,
    block and complete (the last two only ever written as ``Yes``)."""

    def __init__(self) -> None:
        super().__init__()
        self._categories: list[tuple[str, str | None]] = []
        self._author: str | None = None
        self._owner: tuple[str, str] | None = None
        self._show_type: str | None = None
        self._new_feed_url: str | None = None
        self._block = False
        self._complete = False

    def category(self, text: str, subcategory: str | None = None) -> None:
        """Add a category, with an optional nested subcategory (Apple reads the first one)."""
        self._categories.append((text, subcategory))

    @property
    def categories(self) -> tuple[tuple[str, str | None], ...]:
        return tuple(self._categories)

    def author(self, author: str | None = None) -> str | None:
        if author is not None:
            self._author = author
        return self._author

    def owner(self, name: str | None = None, email: str | None = None) -> tuple[str, str] | None:
        """``<itunes:owner>`` with ``itunes:name`` and ``itunes:email`` (both needed)."""
        if name is not None or email is not None:
            if not name or not email:
                raise ValueError("itunes:owner needs both a name and an email")
            self._owner = (name, email)
        return self._owner

    def show_type(self, show_type: str | None = None) -> str | None:
        """``<itunes:type>``: ``episodic`` or ``serial``."""
        if show_type is not None:
            if show_type not in SHOW_TYPES:
                raise ValueError(f"itunes:type must be episodic or serial, not {show_type!r}")
            self._show_type = show_type
        return self._show_type

    def new_feed_url(self, url: str | None = None) -> str | None:
        if url is not None:
            self._new_feed_url = url
        return self._new_feed_url

    def block(self, block: bool | None = None) -> bool:
        """Remove the show from Apple's directory: written as ``Yes`` when set, else left out."""
        if block is not None:
            self._block = block
        return self._block

    def complete(self, complete: bool | None = None) -> bool:
        """No more episodes ever: written as ``Yes`` when set, else left out."""
        if complete is not None:
            self._complete = complete
        return self._complete

    def tags(self) -> Iterator[Tag]:
        yield from self._image_tag()
        for text, subcategory in self._categories:
            children = (
                () if subcategory is None else (Tag("category", attrs=(("text", subcategory),)),)
            )
            yield Tag("category", attrs=(("text", text),), children=children)
        yield from self._explicit_tag()
        if self._author is not None:
            yield Tag("author", self._author)
        if self._owner is not None:
            name, email = self._owner
            yield Tag("owner", children=(Tag("name", name), Tag("email", email)))
        if self._show_type is not None:
            yield Tag("type", self._show_type)
        if self._new_feed_url is not None:
            yield Tag("new-feed-url", self._new_feed_url)
        if self._block:
            yield Tag("block", "Yes")
        if self._complete:
            yield Tag("complete", "Yes")


class ItunesEntryExtension(_ItunesShared):
    """Item tags: title, episode, season, episodeType, duration, explicit, image."""

    def __init__(self) -> None:
        super().__init__()
        self._title: str | None = None
        self._episode: int | None = None
        self._season: int | None = None
        self._episode_type: str | None = None
        self._duration: int | None = None

    def title(self, title: str | None = None) -> str | None:
        if title is not None:
            self._title = title
        return self._title

    def episode(self, number: int | None = None) -> int | None:
        """``<itunes:episode>``: a positive integer."""
        if number is not None:
            self._episode = _positive("itunes:episode", number)
        return self._episode

    def season(self, number: int | None = None) -> int | None:
        """``<itunes:season>``: a positive integer."""
        if number is not None:
            self._season = _positive("itunes:season", number)
        return self._season

    def episode_type(self, episode_type: str | None = None) -> str | None:
        """``<itunes:episodeType>``: ``full``, ``trailer`` or ``bonus``."""
        if episode_type is not None:
            if episode_type not in EPISODE_TYPES:
                raise ValueError(
                    f"itunes:episodeType must be full, trailer or bonus, not {episode_type!r}"
                )
            self._episode_type = episode_type
        return self._episode_type

    def duration(self, seconds: float | None = None) -> int | None:
        """``<itunes:duration>`` in whole seconds (``round``), the form Apple recommends."""
        if seconds is not None:
            if seconds < 0:
                raise ValueError(f"itunes:duration cannot be negative: {seconds!r}")
            self._duration = round(seconds)
        return self._duration

    def tags(self) -> Iterator[Tag]:
        if self._title is not None:
            yield Tag("title", self._title)
        if self._episode is not None:
            yield Tag("episode", str(self._episode))
        if self._season is not None:
            yield Tag("season", str(self._season))
        if self._episode_type is not None:
            yield Tag("episodeType", self._episode_type)
        if self._duration is not None:
            yield Tag("duration", str(self._duration))
        yield from self._explicit_tag()
        yield from self._image_tag()


# --------------------------------------------------------------------------- podcast


@dataclass(frozen=True)
class Person:
    """One ``podcast:person``: role and group are written lower case (taxonomy values)."""

    name: str
    role: str = "host"
    group: str = "cast"
    href: str | None = None
    img: str | None = None

    def tag(self) -> Tag:
        return Tag(
            "person",
            self.name,
            attrs(
                ("role", self.role.lower()),
                ("group", self.group.lower()),
                ("href", self.href),
                ("img", self.img),
            ),
        )


class _PodcastShared(_Extension):
    """Podcasting 2.0 tags allowed in both the channel and an item."""

    namespace = PODCAST_NS
    prefix = "podcast"

    def __init__(self) -> None:
        self._persons: list[Person] = []
        self._funding: list[tuple[str, str]] = []
        self._license: tuple[str, str | None] | None = None
        self._locations: list[Tag] = []
        self._txt: list[tuple[str, str | None]] = []

    def person(
        self,
        name: str,
        role: str = "host",
        group: str = "cast",
        href: str | None = None,
        img: str | None = None,
    ) -> None:
        """Add a ``podcast:person``. On an item, the item's list replaces the channel's."""
        if not name.strip():
            raise ValueError("podcast:person needs a name")
        self._persons.append(Person(name, role, group, href, img))

    @property
    def persons(self) -> tuple[Person, ...]:
        return tuple(self._persons)

    def funding(self, url: str, text: str) -> None:
        """Add ``<podcast:funding url="…">label</podcast:funding>``."""
        self._funding.append((url, text))

    def license(self, name: str, url: str | None = None) -> None:
        """``<podcast:license url="…">identifier</podcast:license>`` (url for own licences)."""
        self._license = (name, url)

    def location(
        self,
        name: str,
        rel: str | None = None,
        geo: str | None = None,
        osm: str | None = None,
        country: str | None = None,
    ) -> None:
        """Add ``<podcast:location rel geo osm country>place</podcast:location>``."""
        self._locations.append(
            Tag(
                "location",
                name,
                attrs(("rel", rel), ("geo", geo), ("osm", osm), ("country", country)),
            )
        )

    def txt(self, text: str, purpose: str | None = None) -> None:
        """Add ``<podcast:txt purpose="…">text</podcast:txt>``."""
        self._txt.append((text, purpose))

    def _shared_tags(self) -> Iterator[Tag]:
        for person in self._persons:
            yield person.tag()
        for url, text in self._funding:
            yield Tag("funding", text, (("url", url),))
        if self._license is not None:
            name, license_url = self._license
            yield Tag("license", name, attrs(("url", license_url)))
        yield from self._locations
        for text, purpose in self._txt:
            yield Tag("txt", text, attrs(("purpose", purpose)))


class PodcastExtension(_PodcastShared, _ChannelExtension):
    """Channel tags: guid, locked, person."""

    def __init__(self) -> None:
        super().__init__()
        self._guid: str | None = None
        self._locked: tuple[bool, str | None] | None = None
        self._medium: str | None = None
        self._trailers: list[Tag] = []
        self._update_frequency: Tag | None = None
        self._podroll: list[Tag] = []

    def guid(self, guid: str | None = None) -> str | None:
        """``<podcast:guid>``: the show's stored UUIDv5 (see ``guids.podcast_guid``)."""
        if guid is not None:
            self._guid = guid
        return self._guid

    def locked(
        self, locked: bool | None = None, owner: str | None = None
    ) -> tuple[bool, str | None] | None:
        """``<podcast:locked owner="…">yes</podcast:locked>``: other hosts must not import."""
        if locked is not None:
            self._locked = (locked, owner)
        return self._locked

    def medium(self, medium: str) -> None:
        """``<podcast:medium>``: what the feed is (podcast, music, audiobook …)."""
        self._medium = medium

    def trailer(
        self,
        title: str,
        url: str,
        pubdate: dt.datetime,
        length: int | None = None,
        mime_type: str | None = None,
        season: int | None = None,
    ) -> None:
        """Add ``<podcast:trailer url pubdate length type season>title</podcast:trailer>``."""
        self._trailers.append(
            Tag(
                "trailer",
                title,
                attrs(
                    ("url", url),
                    ("pubdate", email.utils.format_datetime(pubdate)),
                    ("length", None if length is None else str(length)),
                    ("type", mime_type),
                    ("season", None if season is None else str(season)),
                ),
            )
        )

    def update_frequency(
        self,
        text: str,
        rrule: str | None = None,
        complete: bool = False,
        dtstart: str | None = None,
    ) -> None:
        """``<podcast:updateFrequency complete dtstart rrule>label</…>``."""
        self._update_frequency = Tag(
            "updateFrequency",
            text,
            attrs(
                ("complete", "true" if complete else None),
                ("dtstart", dtstart),
                ("rrule", rrule),
            ),
        )

    def podroll_item(
        self, feed_guid: str, feed_url: str | None = None, title: str | None = None
    ) -> None:
        """Add a ``<podcast:remoteItem>`` to ``<podcast:podroll>`` (a recommended show)."""
        self._podroll.append(
            Tag(
                "remoteItem",
                attrs=attrs(("feedGuid", feed_guid), ("feedUrl", feed_url), ("title", title)),
            )
        )

    def tags(self) -> Iterator[Tag]:
        if self._guid is not None:
            yield Tag("guid", self._guid)
        if self._locked is not None:
            locked, owner = self._locked
            yield Tag("locked", _yes_no(locked), attrs(("owner", owner)))
        if self._medium is not None:
            yield Tag("medium", self._medium)
        yield from self._shared_tags()
        yield from self._trailers
        if self._update_frequency is not None:
            yield self._update_frequency
        if self._podroll:
            yield Tag("podroll", children=tuple(self._podroll))


class PodcastEntryExtension(_PodcastShared):
    """Item tags: season, episode, chapters, person."""

    def __init__(self) -> None:
        super().__init__()
        self._season: tuple[int, str | None] | None = None
        self._episode: tuple[int | float, str | None] | None = None
        self._chapters: tuple[str, str] | None = None
        self._transcripts: list[Tag] = []
        self._soundbites: list[Tag] = []
        self._alternates: list[Tag] = []

    def season(
        self, number: int | None = None, name: str | None = None
    ) -> tuple[int, str | None] | None:
        """``<podcast:season name="…">N</podcast:season>``: an integer."""
        if number is not None:
            self._season = (_positive("podcast:season", number), name)
        return self._season

    def episode(
        self, number: int | float | None = None, display: str | None = None
    ) -> tuple[int | float, str | None] | None:
        """``<podcast:episode display="…">N</podcast:episode>``: a decimal (315.5 is valid)."""
        if number is not None:
            if isinstance(number, bool) or number <= 0:
                raise ValueError(f"podcast:episode must be a positive number, not {number!r}")
            self._episode = (number, display)
        return self._episode

    def chapters(
        self, url: str | None = None, mime_type: str = CHAPTERS_TYPE
    ) -> tuple[str, str] | None:
        """``<podcast:chapters url="…" type="application/json+chapters"/>``."""
        if url is not None:
            self._chapters = (url, mime_type)
        return self._chapters

    def tags(self) -> Iterator[Tag]:
        if self._season is not None:
            number, name = self._season
            yield Tag("season", str(number), attrs(("name", name)))
        if self._episode is not None:
            value, display = self._episode
            yield Tag("episode", _number(value), attrs(("display", display)))
        if self._chapters is not None:
            url, mime_type = self._chapters
            yield Tag("chapters", attrs=(("url", url), ("type", mime_type)))
        yield from self._transcripts
        yield from self._soundbites
        yield from self._alternates
        yield from self._shared_tags()

    def transcript(
        self,
        url: str,
        mime_type: str,
        language: str | None = None,
        captions: bool = False,
    ) -> None:
        """Add ``<podcast:transcript url type language rel="captions"/>``."""
        self._transcripts.append(
            Tag(
                "transcript",
                attrs=attrs(
                    ("url", url),
                    ("type", mime_type),
                    ("language", language),
                    ("rel", "captions" if captions else None),
                ),
            )
        )

    def soundbite(self, start: float, duration: float, title: str | None = None) -> None:
        """Add ``<podcast:soundbite startTime duration>title</podcast:soundbite>`` (seconds)."""
        if start < 0 or duration <= 0:
            raise ValueError(f"podcast:soundbite times out of range: {start}, {duration}")
        self._soundbites.append(
            Tag(
                "soundbite",
                title,
                (("startTime", _number(float(start))), ("duration", _number(float(duration)))),
            )
        )

    def alternate_enclosure(
        self,
        url: str,
        mime_type: str,
        length: int,
        bitrate: int | None = None,
        title: str | None = None,
        lang: str | None = None,
        codecs: str | None = None,
    ) -> None:
        """Add ``<podcast:alternateEnclosure type length bitrate title lang codecs>`` with
        its ``<podcast:source uri="…"/>``: another file of the same episode."""
        self._alternates.append(
            Tag(
                "alternateEnclosure",
                attrs=attrs(
                    ("type", mime_type),
                    ("length", str(length)),
                    ("bitrate", None if bitrate is None else str(bitrate)),
                    ("title", title),
                    ("lang", lang),
                    ("codecs", codecs),
                ),
                children=(Tag("source", attrs=(("uri", url),)),),
            )
        )


def _number(value: int | float) -> str:
    """A decimal without a useless ``.0`` (``3`` not ``3.0``; ``315.5`` stays)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- psc

PSC_NS = "http://podlove.org/simple-chapters"
PSC_VERSION = "1.2"


class PscExtension(_ChannelExtension):
    """Podlove Simple Chapters: the channel part only declares ``xmlns:psc`` on the root."""

    namespace = PSC_NS
    prefix = "psc"

    def tags(self) -> Iterator[Tag]:
        return iter(())


class PscEntryExtension(_Extension):
    """``<psc:chapters version="1.2">`` with one ``<psc:chapter start title href image/>``
    per chapter, inline in the item: what AntennaPod, gPodder (podcastparser) and others
    read without fetching the JSON chapters file."""

    namespace = PSC_NS
    prefix = "psc"

    def __init__(self) -> None:
        self._chapters: list[Tag] = []
        self._last_start: float | None = None

    def chapter(
        self, start: float, title: str, href: str | None = None, image: str | None = None
    ) -> None:
        """Add a chapter; chapters must be added in ascending ``start`` order (seconds)."""
        if not title.strip():
            raise ValueError("psc:chapter needs a title")
        if start < 0 or (self._last_start is not None and start <= self._last_start):
            raise ValueError(f"psc:chapter starts must be ascending and >= 0, not {start!r}")
        self._last_start = start
        pairs = attrs(
            ("start", _normal_play_time(start)), ("title", title), ("href", href), ("image", image)
        )
        self._chapters.append(Tag("chapter", attrs=pairs))

    @property
    def chapters(self) -> tuple[Tag, ...]:
        return tuple(self._chapters)

    def tags(self) -> Iterator[Tag]:
        if self._chapters:
            yield Tag("chapters", attrs=(("version", PSC_VERSION),), children=self.chapters)


def _normal_play_time(seconds: float) -> str:
    """``HH:MM:SS.mmm`` (RFC 2326 Normal Play Time, as Simple Chapters writes it)."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


# --------------------------------------------------------------------------- atom links

ATOM_NS = "http://www.w3.org/2005/Atom"


class AtomLinksExtension(_ChannelExtension):
    """Channel ``atom:link`` elements besides ``rel="self"`` (which feedgen writes itself):
    RFC 5005 paging links (``first``, ``next``, ``previous``, ``last``) of a paged feed,
    and the WebSub ``hub`` (a hub is no feed: it gets no type)."""

    namespace = ATOM_NS
    prefix = "atom"

    def __init__(self) -> None:
        self._links: list[tuple[str, str, str | None]] = []

    def link(self, rel: str, href: str, type: str | None = "application/rss+xml") -> None:
        self._links.append((rel, href, type))

    def tags(self) -> Iterator[Tag]:
        for rel, href, type in self._links:
            attrs = (("href", href), ("rel", rel)) + ((("type", type),) if type else ())
            yield Tag("link", attrs=attrs)


class AtomLinksEntryExtension(_Extension):
    """feedgen wants an entry class for every extension; items get no extra atom link."""

    namespace = ATOM_NS
    prefix = "atom"

    def tags(self) -> Iterator[Tag]:
        return iter(())
