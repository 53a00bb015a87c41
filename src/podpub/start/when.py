"""The dates ``podpub new --date`` reads: ISO, and a few words people say.

ISO forms are the contract (``2025-03-06``, ``2025-03-06 09:00``, with seconds or an
offset); the words are a convenience: ``now``, ``today``, ``tomorrow``, a weekday or
``next <weekday>``, each with an optional ``[at] HH:MM``. A full natural-language parser
(dateparser) would pull in regex tables for 200 languages for these few forms.
"""

from __future__ import annotations

import datetime as dt
import re

from podpub.errors import PodpubError, Problem

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_WORDS = re.compile(
    r"(?P<day>now|today|tomorrow|(?:next\s+)?(?:" + "|".join(WEEKDAYS) + r"))"
    r"(?:\s+(?:at\s+)?(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>am|pm)?)?"
)


def parse_when(text: str, now: dt.datetime) -> dt.date | dt.datetime:
    """``text`` as a date (midnight) or a naive date and time in ``now``'s zone.

    ``now`` is aware, in the show's zone; an ISO value with an offset is converted to it.
    """
    value = " ".join(text.strip().lower().split())
    iso = _iso(value, now)
    if iso is not None:
        return iso
    match = _WORDS.fullmatch(value)
    if match is None:
        raise _not_a_date(text)
    day = _day(match.group("day"), now)
    if match.group("day") == "now":
        if match.group("hour"):
            raise _not_a_date(text)
        return now.replace(second=0, microsecond=0, tzinfo=None)
    if match.group("hour") is None:
        return day
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    if match.group("ampm"):
        if not 1 <= hour <= 12:
            raise _not_a_date(text)
        hour = hour % 12 + (12 if match.group("ampm") == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _not_a_date(text)
    return dt.datetime.combine(day, dt.time(hour, minute))


def _iso(value: str, now: dt.datetime) -> dt.date | dt.datetime | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _not_a_date(value) from None
    if not re.match(r"\d{4}-\d{2}-\d{2}[ t]\d", value):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise _not_a_date(value) from None
    if moment.tzinfo is not None:  # written in the show's zone, as descriptors read dates
        moment = moment.astimezone(now.tzinfo).replace(tzinfo=None)
    return moment


def _day(word: str, now: dt.datetime) -> dt.date:
    today = now.date()
    if word in ("now", "today"):
        return today
    if word == "tomorrow":
        return today + dt.timedelta(days=1)
    strict = word.startswith("next ")  # "next friday" on a Friday is a week away
    weekday = WEEKDAYS.index(word.removeprefix("next ").strip())
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and strict:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _not_a_date(text: str) -> PodpubError:
    return PodpubError(
        [
            Problem(
                "",
                None,
                None,
                "--date",
                f"{text!r} is not a date podpub reads",
                "write 2025-03-06, '2025-03-06 09:00', 'tomorrow 09:00' or 'next friday 9am'",
            )
        ]
    )
