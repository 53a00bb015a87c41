"""The optional feed tags a show or an episode asks for, resolved: frozen records.

``show.yaml`` and episode descriptors may ask for Podcasting 2.0 tags (funding, license,
location, medium, trailer, txt, updateFrequency, podroll, soundbite, alternateEnclosure)
and for a feed move (``new_feed_url``). ``extras_resolve`` turns those model values into
these records (media probed, URLs made absolute); ``extras_feed`` writes them. A record
left at its default writes nothing: each tag appears only when the descriptor asks for it.

They hang off ``ShowRecord.extras`` and ``EpisodeRecord.extras`` so the core records keep
their shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podpub.media.info import AudioInfo

DEFAULT_FEED_WARN_BYTES = 1_000_000
DEFAULT_FEED_ERROR_BYTES = 4_000_000


@dataclass(frozen=True)
class FundingRef:
    url: str
    text: str


@dataclass(frozen=True)
class LicenseRef:
    name: str  # an identifier of the namespace's list, or the producer's own short name
    url: str | None


@dataclass(frozen=True)
class LocationRef:
    name: str
    rel: str | None = None  # subject | creator
    geo: str | None = None  # geo:lat,lon
    osm: str | None = None  # R113314
    country: str | None = None  # FR


@dataclass(frozen=True)
class TxtRef:
    text: str
    purpose: str | None = None


@dataclass(frozen=True)
class SoundbiteRef:
    start: float  # seconds
    duration: float  # seconds
    title: str | None = None


@dataclass(frozen=True)
class MediaFile:
    """An audio file published beside the episodes: an alternate enclosure or a trailer."""

    source: Path  # the producer's file (absolute)
    path: str  # inside the output folder, "audio/…"
    url: str  # absolute, percent-encoded
    audio: AudioInfo  # probed like every enclosure: length and type from the real file
    title: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class TrailerRef:
    title: str
    media: MediaFile
    published: dt.datetime  # aware
    season: int | None = None


@dataclass(frozen=True)
class UpdateFrequencyRef:
    text: str
    rrule: str | None = None
    complete: bool = False
    dtstart: str | None = None  # ISO 8601


@dataclass(frozen=True)
class RemoteItemRef:
    feed_guid: str
    feed_url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ShowExtras:
    new_feed_url: str | None = None
    funding: tuple[FundingRef, ...] = ()
    license: LicenseRef | None = None
    locations: tuple[LocationRef, ...] = ()
    medium: str | None = None
    trailers: tuple[TrailerRef, ...] = ()
    txt: tuple[TxtRef, ...] = ()
    update_frequency: UpdateFrequencyRef | None = None
    podroll: tuple[RemoteItemRef, ...] = ()
    feed_warn_bytes: int = DEFAULT_FEED_WARN_BYTES
    feed_error_bytes: int = DEFAULT_FEED_ERROR_BYTES
    max_items: int | None = None  # the feed lists only the newest N episodes
    page_size: int | None = None  # RFC 5005 paging: N episodes per feed page
    websub_hub: str | None = None  # atom:link rel="hub" (online/notify.py pings it)
    pubnotify_endpoint: str | None = None  # pubnotify: true (online/notify.py pings it)


@dataclass(frozen=True)
class EpisodeExtras:
    alternates: tuple[MediaFile, ...] = ()  # podcast:alternateEnclosure, in descriptor order
    funding: tuple[FundingRef, ...] = ()
    soundbites: tuple[SoundbiteRef, ...] = ()
    license: LicenseRef | None = None
    locations: tuple[LocationRef, ...] = ()
    txt: tuple[TxtRef, ...] = ()
