"""Scheduled episodes: when should publish run again?

An episode dated in the future is left out until its date; nothing publishes it by
itself. After each publish the producer (or the CI log) reads when the next one is due,
in the show's time zone: ``next: episodes/x.yaml on Friday 6 March 09:00 — publish again
then``. docs/online.md gives a cron line and a CI schedule that do it.
"""

from __future__ import annotations

import zoneinfo

from podpub.resolve.records import SiteRecord


def next_due_line(site: SiteRecord) -> str | None:
    """The line about the next scheduled episode, or None when none is scheduled."""
    if site.next_due is None or site.next_due_file is None:
        return None
    return f"next: {site.next_due_file} on {when(site)} — publish again then"


def when(site: SiteRecord) -> str:
    """``Friday 6 March 09:00`` in the show's zone (English, as the CLI is); the year only
    when it is not the build's year."""
    assert site.next_due is not None
    zone = zoneinfo.ZoneInfo(site.show.timezone)
    due = site.next_due.astimezone(zone)
    year = f" {due.year}" if due.year != site.build_time.astimezone(zone).year else ""
    return f"{_DAYS[due.weekday()]} {due.day} {_MONTHS[due.month - 1]}{year} {due:%H:%M}"


# Not strftime's %A/%B: those follow the process's locale, and the CLI speaks English.
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
