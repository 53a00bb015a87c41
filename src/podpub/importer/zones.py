"""The show's time zone, guessed from the offsets of the old feed's pubDates.

A descriptor's date keeps its own offset, but podpub writes every pubDate in the show's
time zone: with the zone the old feed was written in, the new feed's pubDates keep their
offsets too (not only their instants). RFC 822 dates carry offsets, not zones, so the zone
is the first that gives every item its offset; UTC when none does.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

# Tried first, in this order (the zones most shows are published from); then every zone.
LIKELY = (
    "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
    "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm",
    "Europe/Helsinki", "Europe/Athens", "Europe/Dublin", "Europe/Lisbon", "America/Toronto",
    "America/Vancouver", "America/Sao_Paulo", "America/Mexico_City", "Australia/Sydney",
    "Australia/Melbourne", "Australia/Perth", "Pacific/Auckland", "Asia/Tokyo", "Asia/Kolkata",
    "Asia/Singapore", "Africa/Johannesburg", "America/Phoenix", "America/Anchorage",
    "Pacific/Honolulu",
)  # fmt: skip
SAMPLES = 200  # distinct (offset, month) pairs are enough to tell zones apart


def guess_timezone(dates: list[dt.datetime]) -> str:
    """The first zone in which every date has the offset it was written with."""
    samples = _samples(dates)
    if not samples:
        return "UTC"
    others = sorted(zoneinfo.available_timezones() - set(LIKELY))
    for name in (*LIKELY, *others):
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if all(when.astimezone(zone).utcoffset() == when.utcoffset() for when in samples):
            return name
    return "UTC"


def _samples(dates: list[dt.datetime]) -> list[dt.datetime]:
    seen: dict[tuple[object, int, int], dt.datetime] = {}
    for when in dates:
        seen.setdefault((when.utcoffset(), when.year, when.month), when)
        if len(seen) >= SAMPLES:
            break
    return list(seen.values())
