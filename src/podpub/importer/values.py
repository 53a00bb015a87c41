"""Values as feeds in the wild write them: RFC 822 dates, durations, flags, numbers."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

# Zone names seen in feeds that email.utils does not know (it knows UT, UTC, GMT, Z and
# the North American EST/EDT, CST/CDT, MST/MDT, PST/PDT). Offsets in hours.
ZONES: dict[str, float] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 1,
    "IST": 1,  # Irish Standard Time in RFC 822 feeds from Dublin hosts (not India)
    "CET": 1,
    "MET": 1,
    "WEST": 1,
    "CEST": 2,
    "MEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "JST": 9,
    "KST": 9,
    "AWST": 8,
    "ACST": 9.5,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    "AST": -4,
    "ADT": -3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
}

_ZONE_AT_END = re.compile(r"\s([A-Za-z]{1,5})\s*$")


def parse_date(text: str) -> tuple[dt.datetime | None, str]:
    """An RFC 822 date (or ISO 8601, which some generators write) → an aware datetime,
    and a note on what was assumed ("" when nothing was)."""
    text = " ".join(text.split())
    if not text:
        return None, "no date"
    zone_note = ""
    named = _ZONE_AT_END.search(text)
    if named and named.group(1).upper() in ZONES:
        hours = ZONES[named.group(1).upper()]
        sign = "-" if hours < 0 else "+"
        minutes = round(abs(hours) * 60)
        text = text[: named.start()] + f" {sign}{minutes // 60:02d}{minutes % 60:02d}"
    elif named and not named.group(1).isdigit():
        zone_note = f"unknown time zone {named.group(1)!r}, read as UTC"
        text = text[: named.start()] + " +0000"
    parsed = email.utils.parsedate_tz(text)
    if parsed is not None:
        year = parsed[0]
        note = zone_note
        if re.search(r"\b\d{1,2}\s+[A-Za-z]{3}\s+\d{2}\b", text):
            note = _join(note, f"two-digit year read as {year}")
        offset = parsed[9] if parsed[9] is not None else 0
        try:
            when = dt.datetime(*parsed[:6], tzinfo=dt.timezone(dt.timedelta(seconds=offset)))
        except ValueError as exc:
            return None, f"not a date ({exc})"
        return when, note
    try:
        iso = dt.datetime.fromisoformat(text.replace(" Z", "+00:00").replace("Z", "+00:00"))
    except ValueError:
        return None, f"{text[:60]!r} is not an RFC 822 date"
    if iso.tzinfo is None:
        return iso.replace(tzinfo=dt.UTC), _join(zone_note, "no time zone, read as UTC")
    return iso, _join(zone_note, "an ISO 8601 date, not RFC 822")


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


def parse_duration(text: str) -> float | None:
    """itunes:duration: seconds ("1830", "1830.5"), "H:MM:SS" or "MM:SS"; None for garbage."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    match = re.fullmatch(r"(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)", text)
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    if (int(minutes) > 59 and hours is not None) or float(seconds) >= 60:
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def parse_flag(text: str) -> bool | None:
    """itunes:explicit and friends: yes/true/explicit → True, no/false/clean → False."""
    value = text.strip().lower()
    if value in {"yes", "true", "explicit", "1"}:
        return True
    if value in {"no", "false", "clean", "0"}:
        return False
    return None


def parse_positive(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and int(text) > 0 else None
