"""What a run was asked for: the publish options, and the resolve stage's options made
from them. Below ``rules`` and ``write`` in the layers: ``podpub check`` resolves the
show with the same options publish does.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from podpub.errors import PodpubError


@dataclass(frozen=True)
class PlanOptions:
    now: dt.datetime  # aware; episodes dated later are scheduled, not published
    drafts: bool = False
    future: bool = False
    base_url: str | None = None  # overrides show.yaml's url (previews, staging hosts)


@dataclass(frozen=True)
class PublishOptions:
    out: Path | None = None  # default: SHOW_DIR/public
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the clock
    remove: tuple[str, ...] = ()  # published episodes to drop on purpose (ledger.py)
    reissue_guid: tuple[str, ...] = ()  # published episodes whose GUID changes on purpose
    max_items: int | None = None  # the feed lists only the newest N (overrides show.yaml)


def build_time(now: dt.datetime | None = None) -> dt.datetime:
    """The build's notion of "now": given, or SOURCE_DATE_EPOCH, or the clock."""
    if now is not None:
        return now
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError):
            raise PodpubError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds"
            ) from None
    return dt.datetime.now(dt.UTC)


def plan_options(options: PublishOptions) -> PlanOptions:
    """The plan stage's options for a run (checker.py resolves the show with them)."""
    return _plan_options(options)


def _plan_options(options: PublishOptions) -> PlanOptions:
    return PlanOptions(
        now=build_time(options.now),
        drafts=options.drafts,
        future=options.future,
        base_url=options.base_url,
    )
