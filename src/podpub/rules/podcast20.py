"""Podcasting 2.0 rules (podcast-feed-rules.md §5, P20-01 … P20-09).

Tags are matched by namespace URI, under the current URI and the older GitHub one the
spec declares identical, never by prefix.
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from podpub.input.taxonomy import GEO_URI, KNOWN_LICENSES, PERSON_GROUPS, TAXONOMY_ROLES
from podpub.rules.engine import (
    CHANNEL,
    ITEM,
    PODCAST,
    PODCAST_INDEX,
    PODCAST_URIS,
    FeedContext,
    Hit,
    duration_seconds,
    first,
    item_label,
    local_name,
    namespaces_in,
    podcast,
    podcast_elements,
    qname,
    rule,
    text,
    unreachable,
)

UUID5 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TRANSCRIPT_TYPES = frozenset(
    {"text/plain", "text/html", "text/vtt", "application/json", "application/x-subrip"}
)
CHAPTERS_TYPE = "application/json+chapters"
MEDIUMS = frozenset(
    {"podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course"}
)
MEDIUMS_ALL = MEDIUMS | {m + "L" for m in MEDIUMS} | {"mixed"}
URL_ATTRIBUTES = ("url", "href", "img", "uri", "feedUrl", "accountUrl")
GROUPS = frozenset(group.lower() for group in PERSON_GROUPS)
ROLES = frozenset(role for role, _ in TAXONOMY_ROLES)
LIMIT_128 = {
    "person": None,
    "funding": None,
    "soundbite": None,
    "location": None,
    "trailer": None,
    "license": None,
    "updateFrequency": None,
    "season": "name",
    "image": "purpose",
    "txt": "purpose",
}
LIMIT_32 = {"episode": ("display",), "alternateEnclosure": ("title", "rel")}


@rule("P20-01", "error", PODCAST_INDEX, "the podcast namespace's exact URI")
def namespace(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        for (prefix, uri), element in namespaces_in(page).items():
            if uri in PODCAST_URIS:
                continue
            looks_like = "podcastindex" in uri.lower() or "podcast-namespace" in uri.lower()
            if prefix == "podcast" or looks_like:
                yield Hit(
                    element,
                    f"xmlns:{prefix} is {uri!r}; the podcast namespace is exactly {PODCAST!r}",
                    "apps ignore every podcast: tag of a misspelt namespace",
                )


@rule(
    "P20-02", "warning", PODCAST_INDEX, "one podcast:guid, a UUIDv5, pinned for good", scope=CHANNEL
)
def show_guid(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    guids = podcast(channel, "guid")
    if not guids:
        yield Hit(
            channel,
            "the channel has no podcast:guid, the show's identity across hosts and URLs",
            "add the UUIDv5 of the feed URL (podcast-namespace docs/tags/guid.md)",
            missing="podcast:guid",
        )
        return
    if len(guids) > 1:
        yield Hit(guids[1], f"{len(guids)} podcast:guid elements; give one", level="error")
    value = text(guids[0]).strip()
    if not UUID5.match(value):
        yield Hit(guids[0], f"podcast:guid {value!r} is not a lower-case UUIDv5", level="error")
    if ctx.guid_pinned is False:
        moving = bool(channel.findall("{http://www.itunes.com/dtds/podcast-1.0.dtd}new-feed-url"))
        yield Hit(
            guids[0],
            f"podcast:guid {value} is computed from the feed URL, not pinned: "
            + (
                "you are moving the feed, and the new feed would get another GUID"
                if moving
                else "it would change if the feed moved"
            ),
            f"pin it in show.yaml: guid: {value}",
            level="error" if moving else None,
        )


@rule("P20-03", "error", PODCAST_INDEX, "https URLs in podcast: tags", scope=ITEM)
def https_only(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        assert page.root is not None
        for element in podcast_elements(page.root):
            for attr in URL_ATTRIBUTES:
                value = (element.get(attr) or "").strip()
                if ctx.insecure(value):
                    yield Hit(
                        element,
                        f"{qname(element)}@{attr} is an http:// URL ({value}); the podcast "
                        "namespace requires https",
                        "use the https:// address",
                        attr=attr,
                        scheme=True,
                    )


def _required(element: etree._Element, *names: str) -> Iterator[Hit]:
    for name in names:
        if not (element.get(name) or "").strip():
            yield Hit(
                element,
                f"<{qname(element)}> has no {name} attribute",
                "it is required",
                attr=name,
            )


def _enum(element: etree._Element, attr: str | None, allowed: frozenset[str]) -> Iterator[Hit]:
    value = (element.get(attr) if attr else element.text) or ""
    value = value.strip()
    if value and value not in allowed:
        what = f"{qname(element)}@{attr}" if attr else f"<{qname(element)}>"
        yield Hit(
            element,
            f"{what} is {value!r}",
            "allowed: " + ", ".join(sorted(allowed)),
            attr=attr,
        )


def _number(value: str | None) -> float | None:
    try:
        return float((value or "").strip())
    except ValueError:
        return None


@rule(
    "P20-04",
    "error",
    PODCAST_INDEX,
    "required attributes and allowed values of podcast: tags",
    scope=ITEM,
)
def attributes(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        assert page.root is not None
        for element in podcast_elements(page.root):
            name = local_name(element)
            check = _CHECKS.get(name)
            if check is not None:
                yield from check(element)


def _check_locked(element: etree._Element) -> Iterator[Hit]:
    yield from _enum(element, None, frozenset({"yes", "no"}))


def _check_person(element: etree._Element) -> Iterator[Hit]:
    if not text(element).strip():
        yield Hit(element, "a podcast:person has no name", "write the person's name in it")


def _check_transcript(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "url", "type")
    yield from _enum(element, "type", TRANSCRIPT_TYPES)


def _check_chapters(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "url", "type")
    yield from _enum(element, "type", frozenset({CHAPTERS_TYPE}))


def _check_funding(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "url")


def _check_soundbite(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "startTime", "duration")
    start, length = _number(element.get("startTime")), _number(element.get("duration"))
    if element.get("startTime") and (start is None or start < 0):
        yield Hit(element, f"soundbite startTime {element.get('startTime')!r}", "seconds ≥ 0")
    if element.get("duration") and (length is None or length <= 0):
        yield Hit(element, f"soundbite duration {element.get('duration')!r}", "seconds > 0")


def _check_trailer(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "url", "pubdate")
    if not text(element).strip():
        yield Hit(element, "a podcast:trailer has no title", "write the trailer's title in it")
    pubdate = element.get("pubdate")
    if pubdate:
        try:
            email.utils.parsedate_to_datetime(pubdate)
        except (TypeError, ValueError, IndexError):
            yield Hit(
                element, f"trailer pubdate {pubdate!r} is not an RFC 2822 date", attr="pubdate"
            )
    for attr in ("length", "season"):
        value = element.get(attr)
        if value is not None and not value.strip().isdigit():
            yield Hit(element, f"trailer {attr} {value!r} is not a whole number", attr=attr)
    if element.get("type") == "audio/mp3":
        yield Hit(element, "trailer type 'audio/mp3' is not a registered type", "write audio/mpeg")


def _check_license(element: etree._Element) -> Iterator[Hit]:
    name = text(element).strip()
    if not name:
        yield Hit(element, "podcast:license is empty", "give a licence identifier")
    elif name.upper() not in KNOWN_LICENSES and not element.get("url"):
        yield Hit(
            element,
            f"licence {name!r} is not in the namespace's list, so it needs a url",
            f"link its full text (url), or use one of {', '.join(KNOWN_LICENSES)}",
            attr="url",
        )


def _check_location(element: etree._Element) -> Iterator[Hit]:
    if not text(element).strip():
        yield Hit(element, "podcast:location has no place name", "write the place in it")
    yield from _enum(element, "rel", frozenset({"subject", "creator"}))
    geo, osm, country = element.get("geo"), element.get("osm"), element.get("country")
    if geo is not None and not re.match(GEO_URI, geo):
        yield Hit(element, f"geo {geo!r} is not a geo URI", "write geo:48.8566,2.3522", "geo")
    if osm is not None and not re.fullmatch(r"[NWR]\d+(#\d+)?", osm):
        yield Hit(element, f"osm {osm!r} is not an OpenStreetMap id", "write R71525", "osm")
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        yield Hit(element, f"country {country!r} is not ISO 3166-1 alpha-2", "write FR", "country")


def _check_medium(element: etree._Element) -> Iterator[Hit]:
    yield from _enum(element, None, MEDIUMS_ALL)


def _check_alternate(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "type")
    sources = podcast(element, "source")
    if not any((s.get("uri") or "").strip() for s in sources):
        yield Hit(element, "podcast:alternateEnclosure has no podcast:source uri", "add one")
    length = element.get("length")
    if length is not None and not length.strip().isdigit():
        yield Hit(element, f"alternateEnclosure length {length!r} is not bytes", attr="length")
    yield from _enum(element, "default", frozenset({"true", "false"}))


def _check_integrity(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "type", "value")
    yield from _enum(element, "type", frozenset({"sri", "pgp-signature"}))


def _check_update_frequency(element: etree._Element) -> Iterator[Hit]:
    rrule = element.get("rrule") or ""
    if rrule and not re.search(r"(^|;)FREQ=[A-Z]+", rrule):
        yield Hit(element, f"rrule {rrule!r} has no FREQ", "write FREQ=WEEKLY …", "rrule")
    if "COUNT=" in rrule and not element.get("dtstart"):
        yield Hit(element, "an rrule with COUNT needs dtstart", "add dtstart", "dtstart")
    yield from _enum(element, "complete", frozenset({"true", "false"}))


def _check_podroll(element: etree._Element) -> Iterator[Hit]:
    if not podcast(element, "remoteItem"):
        yield Hit(element, "podcast:podroll lists no podcast:remoteItem", "add the shows")


def _check_remote_item(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "feedGuid")
    guid = element.get("feedGuid")
    if guid and not UUID.match(guid):
        yield Hit(element, f"feedGuid {guid!r} is not a UUID", attr="feedGuid")


def _check_txt(element: etree._Element) -> Iterator[Hit]:
    if not text(element).strip():
        yield Hit(element, "podcast:txt is empty")


def _check_social(element: etree._Element) -> Iterator[Hit]:
    protocols = {"disabled", "activitypub", "twitter", "lightning", "atproto", "hive", "matrix"}
    yield from _required(element, "protocol")
    yield from _enum(element, "protocol", frozenset(protocols | {"nostr"}))


def _check_live_item(element: etree._Element) -> Iterator[Hit]:
    yield from _required(element, "status", "start")
    yield from _enum(element, "status", frozenset({"pending", "live", "ended"}))


_CHECKS = {
    "locked": _check_locked,
    "person": _check_person,
    "transcript": _check_transcript,
    "chapters": _check_chapters,
    "funding": _check_funding,
    "soundbite": _check_soundbite,
    "trailer": _check_trailer,
    "license": _check_license,
    "location": _check_location,
    "medium": _check_medium,
    "alternateEnclosure": _check_alternate,
    "integrity": _check_integrity,
    "updateFrequency": _check_update_frequency,
    "podroll": _check_podroll,
    "remoteItem": _check_remote_item,
    "txt": _check_txt,
    "socialInteract": _check_social,
    "liveItem": _check_live_item,
}


@rule("P20-05", "warning", PODCAST_INDEX, "text within the namespace's length limits", scope=ITEM)
def text_limits(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        assert page.root is not None
        for element in podcast_elements(page.root):
            name = local_name(element)
            if name in LIMIT_128:
                attr = LIMIT_128[name]
                value = (element.get(attr) if attr else element.text) or ""
                if len(value) > 128:
                    yield _too_long(element, attr, len(value), 128)
            for attr in LIMIT_32.get(name, ()):
                value = element.get(attr) or ""
                if len(value) > 32:
                    yield _too_long(element, attr, len(value), 32)
            if name == "txt" and len(element.text or "") > 4000:
                yield _too_long(element, None, len(element.text or ""), 4000)


def _too_long(element: etree._Element, attr: str | None, length: int, limit: int) -> Hit:
    what = f"{qname(element)}@{attr}" if attr else f"<{qname(element)}>"
    return Hit(
        element,
        f"{what} is {length} characters; apps may cut it after {limit}",
        f"shorten it to {limit} characters",
        attr=attr,
    )


@rule(
    "P20-06",
    "error",
    PODCAST_INDEX,
    "podcast:season an integer, podcast:episode a decimal",
    scope=ITEM,
)
def season_episode(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        for element in podcast(item, "season"):
            if not re.fullmatch(r"\d+", text(element).strip()):
                yield Hit(element, f"podcast:season {text(element).strip()!r} is not an integer")
        for element in podcast(item, "episode"):
            if not re.fullmatch(r"\d+(\.\d+)?", text(element).strip()):
                yield Hit(element, f"podcast:episode {text(element).strip()!r} is not a number")


@rule(
    "P20-07",
    "warning",
    PODCAST_INDEX,
    "person roles and groups of the taxonomy; hosts re-stated",
    scope=ITEM,
)
def persons(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    for parent in [channel, *ctx.items]:
        for person in podcast(parent, "person"):
            role = (person.get("role") or "host").strip().lower()
            group = (person.get("group") or "cast").strip().lower()
            if role not in ROLES:
                yield Hit(
                    person,
                    f"role {person.get('role')!r} of {text(person).strip()} is not in the "
                    "podcast:person taxonomy",
                    "use a taxonomy role (podcast-namespace taxonomy.json)",
                    attr="role",
                )
            elif group not in GROUPS:
                yield Hit(
                    person, f"group {person.get('group')!r} is not a taxonomy group", attr="group"
                )
            elif (role, group) not in TAXONOMY_ROLES and person.get("group") is not None:
                yield Hit(
                    person,
                    f"role {role!r} is not in group {group!r}",
                    "give the group the role belongs to",
                    attr="group",
                )
    hosts = [p for p in podcast(channel, "person") if (p.get("role") or "host").lower() == "host"]
    if not hosts:
        return
    for item in ctx.items:
        people = podcast(item, "person")
        if people and not any((p.get("role") or "host").lower() == "host" for p in people):
            yield Hit(
                item,
                f"{item_label(item)} lists people but no host: its list replaces the channel's, "
                "so apps show no host",
                "list the hosts on the item too",
            )


@rule(
    "P20-08",
    "error",
    PODCAST_INDEX,
    "JSON chapters 1.2: valid, ascending, inside the episode",
    scope=ITEM,
)
def chapters(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        element = first(podcast(item, "chapters"))
        url = (element.get("url") or "").strip() if element is not None else ""
        if element is None or not url:
            continue
        resource = ctx.resources.get(url)
        if resource.data is None:
            missing = unreachable(element, "chapters", resource, "url")
            if missing is not None:
                yield missing
            continue
        yield from _chapter_problems(ctx, element, resource.data, duration_seconds(item))


def _chapter_problems(
    ctx: FeedContext, element: etree._Element, data: bytes, duration: float | None
) -> Iterator[Hit]:
    try:
        document: Any = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        yield Hit(element, f"the chapters file is not JSON ({exc})", attr="url")
        return
    if not isinstance(document, dict) or not isinstance(document.get("version"), str):
        yield Hit(element, "the chapters file has no version string", 'add "version": "1.2.0"')
        return
    items = document.get("chapters")
    if not isinstance(items, list):
        yield Hit(element, "the chapters file has no chapters list", part=("chapters",))
        return
    previous: float | None = None
    for i, chapter in enumerate(items):
        part: tuple[str | int, ...] = ("chapters", i)
        start = chapter.get("startTime") if isinstance(chapter, dict) else None
        if isinstance(start, bool) or not isinstance(start, int | float) or start < 0:
            yield Hit(element, f"chapter {i + 1} has no startTime ≥ 0", part=(*part, "startTime"))
            continue
        if previous is not None and start <= previous:
            yield Hit(
                element,
                f"chapter {i + 1} starts at {start} s, not after the one before ({previous} s)",
                "chapters go in ascending order",
                part=(*part, "startTime"),
            )
        if duration is not None and start >= duration:
            yield Hit(
                element,
                f"chapter {i + 1} starts at {start} s, after the end of the audio ({duration:g} s)",
                "check the time or the audio file",
                part=(*part, "startTime"),
            )
        end = chapter.get("endTime")
        if isinstance(end, int | float) and not isinstance(end, bool) and end <= start:
            yield Hit(element, f"chapter {i + 1} ends before it starts", part=(*part, "endTime"))
        for key in ("img", "url"):
            value = chapter.get(key)
            if isinstance(value, str) and ctx.insecure(value):
                yield Hit(
                    element,
                    f"chapter {i + 1} {key} is http:// ({value}); the namespace requires https",
                    "use the https:// address",
                    part=(*part, key),
                )
        previous = start


@rule(
    "P20-08",
    "error",
    PODCAST_INDEX,
    "transcript files readable in their declared format",
    scope=ITEM,
)
def transcripts(ctx: FeedContext) -> Iterator[Hit]:
    from podpub.resolve.transcripts import TranscriptError, parse

    for item in ctx.items:
        for element in podcast(item, "transcript"):
            url, mime = (element.get("url") or "").strip(), (element.get("type") or "").strip()
            if not url or mime not in TRANSCRIPT_TYPES:
                continue
            resource = ctx.resources.get(url)
            if resource.data is None:
                missing = unreachable(element, "transcript", resource, "url")
                if missing is not None:
                    yield missing
                continue
            try:
                parse(resource.data, mime)
            except (TranscriptError, ValueError) as exc:
                yield Hit(
                    element, f"the transcript at {url} is not valid {mime}: {exc}", attr="url"
                )


@rule("P20-09", "error", PODCAST_INDEX, "soundbites inside the episode", scope=ITEM)
def soundbites(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        length = duration_seconds(item)
        if length is None:
            continue
        for element in podcast(item, "soundbite"):
            start, duration = _number(element.get("startTime")), _number(element.get("duration"))
            if start is None or duration is None:
                continue
            if start + duration > length + 1:
                yield Hit(
                    element,
                    f"the soundbite at {start:g} s lasting {duration:g} s ends after the audio "
                    f"({length:g} s) of {item_label(item)}",
                    "check its times",
                    attr="startTime",
                )
