"""The feed read back as apps read it: one strict parser, one reading per page's bytes.

Three steps look at the built feed: the feed rules (``rules/``), publish's internal check
before anything is staged (``write/publish.py``) and the check of the staged site on
disk before the swap (``write/safety.py``). They all parse with :func:`parse` (no
entities, no network, no recovery: what a strict client does), and the two internal
checks share one :class:`ReadBack` per page: what a reading of the bytes found, a
function of the bytes alone. Publish reads each page once (or finds the reading of the
same bytes kept by an earlier run) and the staged site's check reuses it for every file
whose bytes on disk are those bytes; each step then draws its own verdict from it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree

_RFC2822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d{4}) (\d{2}):(\d{2}):(\d{2}) [+-](\d{2})(\d{2})"
)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}

COMPLETE = "complete"
INCOMPLETE = "incomplete"  # no enclosure, or one without url, length or type
NOT_A_LENGTH = "not-a-length"  # a length that is not a positive byte count


def parse(data: bytes) -> etree._Element:
    """The document in ``data`` as a strict XML parser reads it (no entities expanded,
    nothing fetched, nothing repaired); ``etree.XMLSyntaxError`` if it does not parse."""
    parser = etree.XMLParser(
        recover=False, resolve_entities=False, no_network=True, huge_tree=False
    )
    return etree.fromstring(data, parser)


@dataclass(frozen=True)
class ItemReading:
    """One item as read back."""

    guid: str  # trimmed, lower case; "" when the item has none
    enclosure: str  # COMPLETE, INCOMPLETE or NOT_A_LENGTH
    date: str | None  # pubDate as written, None when missing
    date_ok: bool  # an RFC 2822 date with its true weekday


@dataclass(frozen=True)
class ReadBack:
    """What reading one feed document's bytes back found."""

    error: str | None = None  # why the bytes do not parse as XML (nothing else read)
    rss: bool = True  # an <rss> root with a <channel>
    bad_channel_dates: tuple[tuple[str, str], ...] = ()  # (tag, text) not RFC 2822
    items: tuple[ItemReading, ...] = ()
    distinct_guids: int = 0  # how many guids the items have, each counted once

    @property
    def guids(self) -> list[str]:
        return [item.guid for item in self.items]


def read_back(data: bytes) -> ReadBack:
    """Parse ``data`` strictly and read what the internal checks compare."""
    try:
        root = parse(data)
    except etree.XMLSyntaxError as exc:
        return ReadBack(error=str(exc))
    return reading_of(root)


def reading_of(root: etree._Element) -> ReadBack:
    """What the internal checks compare, read from a parsed document."""
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        return ReadBack(rss=False)
    bad_dates = tuple(
        (tag, text)
        for tag in ("lastBuildDate", "pubDate")
        if (text := channel.findtext(tag)) is not None and not is_rfc2822(text)
    )
    items = tuple(_item_reading(item) for item in channel.iterfind("item"))
    distinct = len({item.guid for item in items})  # counted once: a kept reading is asked again
    return ReadBack(bad_channel_dates=bad_dates, items=items, distinct_guids=distinct)


def _item_reading(item: etree._Element) -> ItemReading:
    enclosure = item.find("enclosure")
    if enclosure is None or not all(enclosure.get(a) for a in ("url", "length", "type")):
        state = INCOMPLETE
    elif not enclosure.get("length", "").isdigit() or int(enclosure.get("length", "0")) <= 0:
        state = NOT_A_LENGTH
    else:
        state = COMPLETE
    date = item.findtext("pubDate")
    return ItemReading(
        guid=(item.findtext("guid") or "").strip().lower(),
        enclosure=state,
        date=date,
        date_ok=date is not None and is_rfc2822(date),
    )


def is_rfc2822(text: str) -> bool:
    """``Fri, 02 Jun 2023 18:00:00 +0200``, with the weekday that date really has.

    What ``email.utils.parsedate_to_datetime`` accepts of that form, read from the
    match (a fifth of the time, for each item of every page read back): a real date
    and time of day, an offset under a day."""
    match = _RFC2822.fullmatch(text)
    if match is None:
        return False
    weekday, day, month, year, hour, minute, second, off_hours, off_minutes = match.groups()
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        return False
    if int(off_hours) * 60 + int(off_minutes) >= 24 * 60:
        return False
    number = int(year)
    if number < 100:  # "0088": read as a two-digit year, 1969 to 2068
        number += 1900 if number > 68 else 2000
    try:
        when = dt.date(number, _MONTHS[month], int(day))
    except ValueError:
        return False
    return _WEEKDAYS[when.weekday()] == weekday
