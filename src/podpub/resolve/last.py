"""What the last run's resolve found, for the next run to start from.

An edit of one descriptor in a show of 10,000 episodes changes one record. The run
that follows keeps :class:`LastResolve` (through its build context, ``run``) and the
next one starts from it: when the show-wide inputs are the same (show.yaml's model
and record, the role aliases, the people every episode names, the options) and the
episodes folder lists the same descriptors, only the descriptors whose inputs changed
(the file, or a file its record refers to, by stamp: the run tells which) are loaded
and resolved again; every other episode keeps its record, its place in the order and
its verdict (no problem), with no work for it here.

A plain value of plain data: the store keeps it in one file, read once per run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# a person named by a descriptor: (name, id, url, image), as a Summary holds it
MentionTuple = tuple[str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class LastResolve:
    """One run's resolve of a show with no problem in any episode."""

    key: str  # the show-wide inputs' digest (resolver._show_key)
    now: dt.datetime  # the run's build time: a later run may start from this one
    names: frozenset[str]  # the episodes folder's visible names (a descriptor added, removed)
    order: tuple[str, ...]  # the published episodes' descriptors, in the site's order
    skipped: tuple[str, ...]  # drafts and scheduled episodes left out (SiteRecord.skipped)
    drafts: frozenset[str]  # descriptors marked draft (published or not)
    next_due: dt.datetime | None  # when the next scheduled episode comes due
    next_file: str  # its descriptor
    mentions: tuple[MentionTuple, ...]  # every person named, in order (unique_mentions)
    named: dict[str, tuple[MentionTuple, ...]]  # published descriptor → the people it names

    def holds_at(self, now: dt.datetime) -> bool:
        """Whether the schedule it found holds at ``now``: no time has gone back (a
        published episode could be in the future again) and none has come due."""
        return now >= self.now and (self.next_due is None or now < self.next_due)
