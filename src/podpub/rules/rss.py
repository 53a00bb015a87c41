"""RSS 2.0 rules every app relies on (podcast-feed-rules.md §2, RSS-01 … RSS-11)."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from podpub.rules.engine import (
    ALL_APPS,
    APPLE,
    ATOM,
    CHANNEL,
    DIRECTORIES,
    FEED,
    ITEM,
    FeedContext,
    Hit,
    item_label,
    qname,
    rule,
    text,
)

#: Apple's enclosure types (§3.5), by file extension.
APPLE_MEDIA_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".pdf": "application/pdf",
}
COMMON_MISTAKES = {
    "audio/mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/m4a": "audio/x-m4a",
}

RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|GMT|UT|[ECMP][SD]T)$"
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LANGUAGE = re.compile(r"^[a-zA-Z]{2}(-[a-zA-Z0-9]{2,8})?$")
APPLE_HTML_TAGS = frozenset({"p", "br", "ul", "ol", "li", "a"})


@rule("RSS-01", "error", ALL_APPS, "channel title, link and description", scope=CHANNEL)
def channel_basics(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    for name in ("title", "link", "description"):
        element = channel.find(name)
        if element is None or not "".join(element.itertext()).strip():
            yield Hit(
                element if element is not None else channel,
                f"the channel has no {name}",
                f"every feed needs a <{name}>",
                missing=None if element is not None else name,
            )


@rule("RSS-02", "error", APPLE, "channel language: ISO 639-1 code", scope=CHANNEL)
def language(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    element = channel.find("language")
    value = text(element).strip()
    if element is None or not value:
        yield Hit(
            channel,
            "the channel has no <language>",
            "add an ISO 639-1 code such as fr or en-us",
            missing="language",
        )
    elif not LANGUAGE.match(value):
        yield Hit(
            element,
            f"<language> {value!r} is not an ISO 639-1 code",
            "write a two-letter code, with a region if you want: fr, en-us",
        )


@rule(
    "RSS-03", "warning", ALL_APPS, "one atom:link rel=self with the feed's own URL", scope=CHANNEL
)
def self_link(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        assert page.root is not None
        channel = page.root.find("channel")
        if channel is None:
            continue
        selves = [a for a in channel.findall(f"{{{ATOM}}}link") if a.get("rel") == "self"]
        if not selves:
            yield Hit(
                channel,
                'the channel has no <atom:link rel="self">',
                "add one with the URL the feed is served from",
            )
        elif len(selves) > 1:
            yield Hit(selves[1], f'{len(selves)} atom:link rel="self"; give exactly one')
        elif page.url and selves[0].get("href") != page.url:
            yield Hit(
                selves[0],
                f'atom:link rel="self" says {selves[0].get("href")!r}, but the feed is at '
                f"{page.url!r}",
                "make them the same URL",
                attr="href",
            )


@rule(
    "RSS-04",
    "error",
    APPLE,
    "every item has a title, an enclosure, a guid and a pubDate",
    scope=ITEM,
)
def item_basics(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        for name in ("title", "enclosure", "guid", "pubDate"):
            element = item.find(name)
            empty = element is None or (name != "enclosure" and not text(element).strip())
            if empty:
                yield Hit(
                    element if element is not None else item,
                    f"{item_label(item)} has no {name}",
                    "Apple lists only items with a title, an enclosure, a guid and a pubDate",
                    missing=None if element is not None else name,
                )


@rule(
    "RSS-05",
    "error",
    DIRECTORIES,
    "enclosure url (absolute https), length (bytes), type",
    scope=ITEM,
)
def enclosure_attributes(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        enclosure = item.find("enclosure")
        if enclosure is None:
            continue
        for attr in ("url", "length", "type"):
            if not (enclosure.get(attr) or "").strip():
                yield Hit(
                    enclosure,
                    f"the enclosure of {item_label(item)} has no {attr}",
                    "Spotify and Apple refuse enclosures without url, length and type",
                    attr=attr,
                )
        length = (enclosure.get("length") or "").strip()
        if length and (not length.isdigit() or int(length) == 0):
            yield Hit(
                enclosure,
                f"enclosure length {length!r} of {item_label(item)} is not a size in bytes",
                "give the exact size of the file in bytes",
                attr="length",
            )
        url = (enclosure.get("url") or "").strip()
        if url and not re.match(r"^https?://[^/\s]+", url):
            yield Hit(
                enclosure,
                f"the enclosure URL {url!r} of {item_label(item)} is not absolute",
                "give the full https:// URL",
                attr="url",
            )
        elif ctx.insecure(url):
            yield Hit(
                enclosure,
                f"the enclosure URL of {item_label(item)} is http://",
                "serve the audio over https (media_url in show.yaml)"
                if ctx.own
                else "serve the audio over https",
                attr="url",
                scheme=True,
            )


@rule(
    "RSS-06",
    "error",
    APPLE,
    "enclosure type: one Apple lists, matching the file extension",
    scope=ITEM,
)
def enclosure_type(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        enclosure = item.find("enclosure")
        if enclosure is None or not enclosure.get("type"):
            continue
        mime = enclosure.get("type", "").strip()
        url = enclosure.get("url", "")
        suffix = _suffix(url)
        if mime in COMMON_MISTAKES:
            yield Hit(
                enclosure,
                f"enclosure type {mime!r} is not a registered type",
                f"write {COMMON_MISTAKES[mime]}",
                attr="type",
            )
        elif mime not in APPLE_MEDIA_TYPES.values():
            fix = (
                "make an MP3 or M4A file the episode's audio and list this one under "
                "alternate_audio (podcast:alternateEnclosure)"
                if ctx.own
                else "make an MP3 or M4A the enclosure; offer this file as a "
                "podcast:alternateEnclosure"
            )
            yield Hit(
                enclosure,
                f"Apple Podcasts does not list episodes whose enclosure is {mime} "
                f"({item_label(item)}); other apps play it",
                fix,
                attr="type",
                level="warning",  # a choice podpub leaves to the producer (README)
            )
        elif suffix in APPLE_MEDIA_TYPES and APPLE_MEDIA_TYPES[suffix] != mime:
            yield Hit(
                enclosure,
                f"enclosure type {mime} does not match the file's extension {suffix}",
                f"{suffix} files are {APPLE_MEDIA_TYPES[suffix]}",
                attr="type",
            )


def _enclosure_url(item: etree._Element) -> tuple[etree._Element | None, str]:
    """The item's (first) enclosure and its URL as RSS-07 compares it ("" when none)."""
    enclosure = item.find("enclosure")
    return enclosure, (enclosure.get("url") or "").strip() if enclosure is not None else ""


def enclosure_urls(ctx: FeedContext) -> Iterator[str]:
    """What RSS-07 compares: each item's enclosure URL (run_rules reads only the pages
    where one repeats)."""
    for item in ctx.items:
        url = _enclosure_url(item)[1]
        if url:
            yield url


@rule(
    "RSS-07",
    "error",
    APPLE,
    "enclosure URLs unique across items",
    scope=FEED,
    values=enclosure_urls,
)
def unique_enclosures(ctx: FeedContext) -> Iterator[Hit]:
    seen: dict[str, etree._Element] = {}
    for item in ctx.items:
        enclosure, url = _enclosure_url(item)
        if not url:
            continue
        if url in seen:
            yield Hit(
                enclosure,
                f"{item_label(item)} has the same enclosure URL as {item_label(seen[url])}",
                "Apple ignores duplicate enclosure URLs: each episode needs its own file",
                attr="url",
            )
        else:
            seen[url] = item


@rule("RSS-08", "warning", ALL_APPS, "one enclosure per item", scope=ITEM)
def one_enclosure(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        enclosures = item.findall("enclosure")
        if len(enclosures) > 1:
            yield Hit(
                enclosures[1],
                f"{item_label(item)} has {len(enclosures)} enclosures; apps play the first only",
                "keep one; offer the others as podcast:alternateEnclosure",
            )


def _guid(item: etree._Element) -> tuple[etree._Element | None, str]:
    """The item's (first) guid and its value as RSS-09 compares it ("" when none)."""
    guid = item.find("guid")
    return guid, text(guid).strip()


def guids(ctx: FeedContext) -> Iterator[str]:
    """What RSS-09 compares: each item's guid (run_rules reads only the pages where one
    repeats)."""
    for item in ctx.items:
        value = _guid(item)[1]
        if value:
            yield value


@rule("RSS-09", "error", ALL_APPS, "unique guids", scope=FEED, values=guids)
def unique_guids(ctx: FeedContext) -> Iterator[Hit]:
    seen: dict[str, etree._Element] = {}
    for item in ctx.items:
        guid, value = _guid(item)
        if not value:
            continue
        if value in seen:
            yield Hit(
                guid,
                f"{item_label(item)} has the same guid as {item_label(seen[value])}",
                "every episode needs its own guid, never changed once published",
            )
        else:
            seen[value] = item


# Of the same rule, but about one item at a time: checked page by page.
@rule("RSS-09", "error", ALL_APPS, "opaque guids with isPermaLink=false", scope=ITEM)
def opaque_guids(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        guid, value = _guid(item)
        if guid is None or not value:
            continue
        permalink = guid.get("isPermaLink", "true").strip().lower()
        if permalink == "true" and not re.match(r"^https?://", value):
            yield Hit(
                guid,
                f"guid {value!r} is not a URL but isPermaLink defaults to true",
                'add isPermaLink="false"',
                attr="isPermaLink",
            )


@rule(
    "RSS-10", "error", APPLE, "RFC 2822 dates with the right weekday; no future pubDate", scope=ITEM
)
def dates(ctx: FeedContext) -> Iterator[Hit]:
    for channel in ctx.channels:
        for element in [channel.find("pubDate"), channel.find("lastBuildDate")]:
            if element is not None:
                yield from _date_problems(element, "the channel")
    for item in ctx.items:
        element = item.find("pubDate")
        if element is None:
            continue
        yield from _date_problems(element, item_label(item))
        when = _parse_date(text(element).strip())
        if when is not None and ctx.now is not None and when > ctx.now:
            yield Hit(
                element,
                f"{item_label(item)} is dated {text(element).strip()}, in the future: many apps "
                "hide it or sort it wrongly",
                "publish it on its day (podpub leaves it out without --future)"
                if ctx.own
                else "publish it on its day",
                level="warning" if ctx.future_allowed else None,
            )


def _date_problems(element: etree._Element, owner: str) -> Iterator[Hit]:
    value = text(element).strip()
    if not RFC2822.match(value):
        yield Hit(
            element,
            f"<{qname(element)}> of {owner} is {value!r}, not an RFC 2822 date",
            "write it like 'Fri, 02 Jun 2023 18:00:00 +0200' (4-digit year, 24-hour time)",
        )
        return
    when = _parse_date(value)
    if when is None:
        yield Hit(element, f"<{qname(element)}> {value!r} is not a real date", "check it")
        return
    written = value[:3]
    actual = WEEKDAYS[when.weekday()]
    if written != actual:
        yield Hit(
            element,
            f"<{qname(element)}> of {owner} says {written} but {value[5:16]} is a {actual}",
            f"write {actual}, or let a library format the date",
        )


def _parse_date(value: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


@rule("RSS-11", "warning", DIRECTORIES, "description HTML: only p, br, ul, ol, li, a", scope=ITEM)
def description_html(ctx: FeedContext) -> Iterator[Hit]:
    for channel in ctx.channels[:1]:
        for parent in [channel, *ctx.items]:
            element = parent.find("description")
            value = text(element)
            if element is None or "<" not in value:
                continue
            try:
                fragments = lxml_html.fragments_fromstring(value)
            except (etree.ParserError, ValueError):
                continue
            tags = sorted(
                {
                    node.tag
                    for fragment in fragments
                    if isinstance(fragment, etree._Element)
                    for node in fragment.iter()
                    if isinstance(node.tag, str) and node.tag not in APPLE_HTML_TAGS
                }
            )
            if tags:
                owner = "the channel" if parent is channel else item_label(parent)
                yield Hit(
                    element,
                    f"the description of {owner} uses <{'>, <'.join(tags)}>, which Apple and "
                    "Spotify do not render",
                    "keep to p, br, ul, ol, li and a in descriptions",
                )


def _suffix(url: str) -> str:
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
