"""Apple Podcasts rules (podcast-feed-rules.md §3, APL-01 … APL-12)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from podpub.input.taxonomy import APPLE_CATEGORIES
from podpub.media.images import ImageError, image_facts
from podpub.rules.engine import (
    APPLE,
    CHANNEL,
    DIRECTORIES,
    ITEM,
    FeedContext,
    Hit,
    first,
    item_label,
    itunes,
    qname,
    rule,
    text,
    unreachable,
)

ARTWORK_MIN, ARTWORK_MAX = 1400, 3000
DESCRIPTION_BYTES = 4000
TEXT_CHARS = 255

# An episode or season number written into the title (Apple: use itunes:episode instead).
NUMBER_IN_TITLE = re.compile(
    r"(?ix)^\s*(?:"
    r"(?:ep|eps|episode|épisode|ép|folge|no|n°|nº)\.?\s*\#?\s*\d+"
    r"|\#\s*\d+"
    r"|s\d+\s*[:.-]?\s*e\d+"
    r"|\d{1,3}\s*[-–—:|)]"  # "12 - …", "3) …"; not a year ("2023: …")
    r"|\d{1,3}\.\s"
    r")"
    r"|\b(?:episode|épisode|ep\.)\s*\#?\s*\d+\b"
    r"|\s\#\d+\b"
)


@rule(
    "APL-01",
    "error",
    APPLE,
    "artwork: https .jpg/.png, square 1400–3000 px, JPEG/PNG, RGB",
    scope=CHANNEL,
)
def artwork(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    image = first(itunes(channel, "image"))
    if image is None or not (image.get("href") or "").strip():
        yield Hit(
            image if image is not None else channel,
            "the channel has no itunes:image href",
            "Apple requires the show's artwork",
            missing=None if image is not None else "itunes:image",
        )
    else:
        yield from _artwork_problems(ctx, image)


# The same rule on the items' own artwork: apart, so that the show's cover is read (and
# decoded) again only when the channel changes (run.py keeps a channel rule's findings).
@rule(
    "APL-01",
    "error",
    APPLE,
    "artwork: https .jpg/.png, square 1400–3000 px, JPEG/PNG, RGB",
    scope=ITEM,
)
def item_artwork(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        for element in itunes(item, "image"):
            if (element.get("href") or "").strip():
                yield from _artwork_problems(ctx, element)


def _artwork_problems(ctx: FeedContext, element: etree._Element) -> Iterator[Hit]:
    href = element.get("href", "").strip()
    path = urlsplit(href).path.lower()
    if not href.startswith(("https://", "http://")) or ctx.insecure(href):
        yield Hit(
            element,
            f"the artwork URL {href!r} is not https",
            "serve it over https",
            "href",
            scheme=True,
        )
    if not path.endswith((".jpg", ".png")):
        yield Hit(
            element,
            "the artwork's file name does not end in .jpg or .png",
            "Apple reads the type from the extension: rename it",
            "href",
        )
    resource = ctx.resources.get(href)
    if resource.data is None:
        missing = unreachable(element, "artwork", resource, "href")
        if missing is not None:
            yield missing
        return
    try:
        facts = image_facts(resource.data)
        fmt, width, height, mode = facts.format, facts.width, facts.height, facts.mode
        transparency = facts.transparency
    except ImageError as exc:
        yield Hit(
            element, f"the artwork is not a readable image ({exc})", "export it as PNG", "href"
        )
        return
    if fmt not in ("JPEG", "PNG"):
        yield Hit(element, f"the artwork is a {fmt} image", "Apple takes JPEG or PNG", "href")
    elif (fmt == "JPEG") != path.endswith(".jpg"):
        yield Hit(
            element,
            f"the artwork is a {fmt} image but its name ends in {path[-4:]}",
            "give it the extension of its real format",
            "href",
        )
    if width != height:
        yield Hit(
            element,
            f"the artwork is {width}×{height} px, not square",
            "crop it to a square of 1400 to 3000 px (3000×3000 is best)",
            "href",
        )
    elif not ARTWORK_MIN <= width <= ARTWORK_MAX:
        yield Hit(
            element,
            f"the artwork is {width}×{height} px; Apple wants {ARTWORK_MIN} to {ARTWORK_MAX} px",
            "export it at 3000×3000 px",
            "href",
        )
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or transparency:
        yield Hit(
            element,
            "the artwork has an alpha channel (transparency)",
            "flatten it onto a background and export it without alpha",
            "href",
        )
    elif mode not in ("RGB", "P"):
        yield Hit(
            element,
            f"the artwork's colour mode is {mode}, not RGB",
            "convert it to RGB",
            "href",
        )


@rule(
    "APL-02",
    "error",
    APPLE,
    "categories from Apple's current list, subcategory under parent",
    scope=CHANNEL,
)
def categories(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    top = itunes(channel, "category")
    if not top:
        yield Hit(
            channel,
            "the channel has no itunes:category",
            "Apple requires a category",
            missing="itunes:category",
        )
    for element in top:
        name = element.get("text", "")
        if name not in APPLE_CATEGORIES:
            yield Hit(
                element,
                f"{name!r} is not an Apple Podcasts category"
                + _did_you_mean(name, APPLE_CATEGORIES),
                "use a category of Apple's current list",
                attr="text",
            )
            continue
        for sub in itunes(element, "category"):
            sub_name = sub.get("text", "")
            if sub_name in APPLE_CATEGORIES[name]:
                if itunes(sub, "category"):
                    yield Hit(sub, "categories nest one level only")
                continue
            owners = [parent for parent, subs in APPLE_CATEGORIES.items() if sub_name in subs]
            where = (
                f"; it belongs under {owners[0]!r}"
                if owners
                else _did_you_mean(sub_name, APPLE_CATEGORIES[name])
            )
            yield Hit(
                sub,
                f"{sub_name!r} is not a subcategory of {name!r}{where}",
                attr="text",
            )


def _did_you_mean(word: str, choices: object) -> str:
    names = list(choices)  # type: ignore[call-overload]
    lowered = {c.lower(): c for c in names}
    if word.lower() in lowered:
        return f"; did you mean {lowered[word.lower()]!r}? (case matters)"
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@rule("APL-03", "error", APPLE, "itunes:explicit true or false", scope=ITEM)
def explicit(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    elements = itunes(channel, "explicit")
    if not elements:
        yield Hit(
            channel,
            "the channel has no itunes:explicit",
            "add true or false",
            missing="itunes:explicit",
        )
    for element in elements + [e for item in ctx.items for e in itunes(item, "explicit")]:
        value = text(element).strip()
        if value not in ("true", "false"):
            yield Hit(
                element,
                f"itunes:explicit is {value!r}; Apple takes true or false",
                "write true or false",
            )


@rule(
    "APL-04",
    "error",
    APPLE,
    "descriptions at most 4,000 bytes; other text at most 255 chars",
    scope=ITEM,
)
def lengths(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    for parent in [channel, *ctx.items]:
        owner = "the channel" if parent is channel else item_label(parent)
        description = parent.find("description")
        size = len(text(description).encode("utf-8"))
        if size > DESCRIPTION_BYTES:
            yield Hit(
                description,
                f"the description of {owner} is {size:,} bytes; Apple's limit is 4,000 bytes",
                "shorten it (accents count two bytes)",
            )
        title = parent.find("title")
        elements = [title, parent.find("copyright"), *itunes(parent, "author")]
        elements += [e for e in itunes(parent, "title") if text(e) != text(title)]
        for element in elements:
            value = text(element)
            if element is not None and len(value) > TEXT_CHARS:
                yield Hit(
                    element,
                    f"<{qname(element)}> of {owner} is {len(value)} characters; Apple cuts text "
                    f"at {TEXT_CHARS}",
                    "shorten it",
                )


@rule("APL-05", "warning", DIRECTORIES, "itunes:author, link, itunes:owner e-mail", scope=CHANNEL)
def contact(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    if not text(first(itunes(channel, "author"))).strip():
        yield Hit(
            channel,
            "the channel has no itunes:author",
            "name the people behind the show",
            missing="itunes:author",
        )
    owner = first(itunes(channel, "owner"))
    email = first(itunes(owner, "email")) if owner is not None else None
    if not text(email).strip():
        yield Hit(
            owner if owner is not None else channel,
            "the channel has no itunes:owner e-mail: Spotify and YouTube send the code that "
            "proves you own the show to that address",
            "add itunes:owner with itunes:email",
        )


@rule(
    "APL-06",
    "error",
    APPLE,
    "itunes:type episodic or serial; serial needs episode numbers",
    scope=ITEM,
)
def show_type(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    element = first(itunes(channel, "type"))
    value = text(element).strip()
    if element is not None and value not in ("episodic", "serial"):
        yield Hit(element, f"itunes:type is {value!r}", "write episodic or serial")
    if value == "serial":
        for item in ctx.items:
            if not itunes(item, "episode"):
                yield Hit(
                    item,
                    f"the show is serial, but {item_label(item)} has no episode number",
                    "give every episode a number (number: in its descriptor)"
                    if ctx.own
                    else "give every item an itunes:episode",
                    missing="itunes:episode",
                )


@rule("APL-07", "error", APPLE, "itunes:episode and itunes:season: positive integers", scope=ITEM)
def positive_numbers(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        for name in ("episode", "season"):
            for element in itunes(item, name):
                value = text(element).strip()
                if not value.isdigit() or int(value) < 1:
                    yield Hit(element, f"itunes:{name} is {value!r}", "write a whole number ≥ 1")


@rule("APL-08", "error", APPLE, "itunes:episodeType full, trailer or bonus", scope=ITEM)
def episode_type(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        for element in itunes(item, "episodeType"):
            value = text(element).strip()
            if value not in ("full", "trailer", "bonus"):
                yield Hit(
                    element, f"itunes:episodeType is {value!r}", "write full, trailer or bonus"
                )


@rule("APL-09", "warning", APPLE, "itunes:duration present, in seconds or [H:]MM:SS", scope=ITEM)
def duration(ctx: FeedContext) -> Iterator[Hit]:
    for item in ctx.items:
        element = first(itunes(item, "duration"))
        value = text(element).strip()
        if element is None or not value:
            yield Hit(
                item,
                f"{item_label(item)} has no itunes:duration",
                "give it in seconds",
                missing="itunes:duration",
            )
        elif not re.fullmatch(r"\d+|(\d{1,2}:)?[0-5]?\d:[0-5]\d", value) or value.strip("0:") == "":
            yield Hit(
                element,
                f"itunes:duration {value!r} is not a duration",
                "write whole seconds (1561) or H:MM:SS",
            )


@rule("APL-10", "warning", APPLE, "titles without episode numbers or the show's name", scope=ITEM)
def titles(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    show_title = text(channel.find("title")).strip().lower() if channel is not None else ""
    for item in ctx.items:
        title = item.find("title")
        candidates = [title] + [
            e for e in itunes(item, "title") if text(e).strip() != text(title).strip()
        ]
        for element in candidates:
            value = text(element).strip()
            if element is None or not value:
                continue
            if NUMBER_IN_TITLE.search(value):
                yield Hit(
                    element,
                    f"the title {value!r} has the episode number in it; Apple shows the number "
                    "itself and may reject titles that repeat it",
                    "remove it from the title and give number: instead"
                    if ctx.own
                    else "remove it and use itunes:episode",
                )
            elif len(show_title) >= 4 and show_title in value.lower():
                yield Hit(
                    element,
                    f"the title {value!r} repeats the show's name",
                    "Apple shows the show's name beside it: remove it",
                )


@rule("APL-11", "info", APPLE, "itunes:block and itunes:complete only as Yes", scope=ITEM)
def yes_only(ctx: FeedContext) -> Iterator[Hit]:
    for parent in ctx.channels[:1] + ctx.items:
        for name in ("block", "complete"):
            for element in itunes(parent, name):
                if text(element).strip() != "Yes":
                    yield Hit(
                        element,
                        f"itunes:{name} {text(element).strip()!r} has no effect: only Yes counts",
                        "remove the tag unless you mean Yes",
                    )


@rule("APL-12", "warning", APPLE, "no reliance on itunes:summary, subtitle or keywords", scope=ITEM)
def legacy(ctx: FeedContext) -> Iterator[Hit]:
    for parent in ctx.channels[:1] + ctx.items:
        if text(parent.find("description")).strip():
            continue
        for name in ("summary", "subtitle", "keywords"):
            for element in itunes(parent, name):
                yield Hit(
                    element,
                    f"itunes:{name} stands in for a description; Apple no longer reads it",
                    "write a <description>",
                )
