"""Resolve the optional feed tags of ``show.yaml`` and the episodes into ``extras`` records.

Called by ``plan.resolve`` in two steps, so that every audio file of the show — episode
audio, alternate audio, trailers — goes through the one prober together, each file once:

1. :func:`media_paths` checks the extra media paths (inside the show folder, regular
   files) and returns them, keyed by where the descriptor names them;
2. :func:`show_extras` and :func:`episode_extras` build the records from the models and
   the probes, locating every problem in the descriptor.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from itertools import chain, compress, count
from operator import attrgetter, is_not
from pathlib import Path
from urllib.parse import quote

from podpub.context import BuildContext
from podpub.errors import Problem
from podpub.input.load import Document
from podpub.input.models import Episode, Funding, License, Location, Show, Txt, in_show_zone
from podpub.input.paths import media_path, output_path, with_slash
from podpub.resolve.analytics import tracked
from podpub.resolve.optional_records import (
    EpisodeExtras,
    FundingRef,
    LicenseRef,
    LocationRef,
    MediaFile,
    RemoteItemRef,
    ShowExtras,
    SoundbiteRef,
    TrailerRef,
    TxtRef,
    UpdateFrequencyRef,
)
from podpub.resolve.records import AudioInfo, ShowRecord, SiteRecord

#: (descriptor file, field path) → the file it names.
MediaKey = tuple[str, tuple[str | int, ...]]


def media_paths(
    show_dir: Path,
    show: Show | None,
    show_doc: Document | None,
    episodes: Iterable[tuple[Episode, Document]],
    problems: list[Problem],
) -> dict[MediaKey, Path]:
    """The trailers' (when ``show`` is given) and the episodes' alternate audio files,
    checked before any library opens them."""
    found: dict[MediaKey, Path] = {}
    wanted: list[tuple[Document, tuple[str | int, ...], str]] = []
    if show is not None and show_doc is not None:
        wanted += [
            (show_doc, ("trailers", i, "audio"), trailer.audio)
            for i, trailer in enumerate(show.trailers)
        ]
    for episode, doc in episodes:
        wanted.extend(
            (doc, ("alternate_audio", i, "file"), alternate.file)
            for i, alternate in enumerate(episode.alternate_audio)
        )
    for doc, field, rel in wanted:
        path = media_path(show_dir, rel, doc, field, problems)
        if path is not None:
            found[(doc.file, field)] = path
    return found


def show_extras(
    show: Show,
    doc: Document,
    record: ShowRecord,
    media: Mapping[MediaKey, Path],
    probes: Mapping[Path, AudioInfo | str],
    problems: list[Problem],
) -> ShowExtras:
    trailers: list[TrailerRef] = []
    tz = zoneinfo.ZoneInfo(show.timezone)
    for i, trailer in enumerate(show.trailers):
        field = ("trailers", i, "audio")
        file = _media_file(doc, field, trailer.audio, media, probes, _media_base(show, record))
        if isinstance(file, Problem):
            problems.append(file)
        elif file is not None:
            trailers.append(
                TrailerRef(trailer.title, file, in_show_zone(trailer.date, tz), trailer.season)
            )
    frequency = show.update_frequency
    return ShowExtras(
        new_feed_url=show.new_feed_url,
        websub_hub=show.websub_hub,
        pubnotify_endpoint=show.pubnotify_endpoint if show.pubnotify else None,
        funding=_funding(show.funding),
        license=_license(show.license),
        locations=_locations(show.location),
        medium=show.medium,
        trailers=tuple(trailers),
        txt=_txt(show.txt),
        update_frequency=None
        if frequency is None
        else UpdateFrequencyRef(
            frequency.text,
            frequency.rrule,
            frequency.complete,
            _iso(frequency.dtstart, tz) if frequency.dtstart is not None else None,
        ),
        podroll=tuple(RemoteItemRef(r.feed_guid, r.feed_url, r.title) for r in show.podroll),
        feed_warn_bytes=show.feed_size.warn,
        feed_error_bytes=show.feed_size.error,
        max_items=show.max_items,
        page_size=show.feed_page_size,
    )


def episode_extras(
    episode: Episode,
    doc: Document,
    show: Show,
    record: ShowRecord,
    media: Mapping[MediaKey, Path],
    probes: Mapping[Path, AudioInfo | str],
    problems: list[Problem],
) -> EpisodeExtras:
    alternates: list[MediaFile] = []
    for i, alternate in enumerate(episode.alternate_audio):
        field = ("alternate_audio", i, "file")
        file = _media_file(doc, field, alternate.file, media, probes, _media_base(show, record))
        if isinstance(file, Problem):
            problems.append(file)
        elif file is not None:
            alternates.append(
                MediaFile(
                    file.source,
                    file.path,
                    tracked(file.url, record.analytics),  # an enclosure too: measured
                    file.audio,
                    alternate.title,
                    alternate.language,
                )
            )
    return EpisodeExtras(
        alternates=tuple(alternates),
        funding=_funding(episode.funding),
        soundbites=tuple(
            SoundbiteRef(s.start, round(s.end - s.start, 3), s.title) for s in episode.soundbites
        ),
        license=_license(episode.license),
        locations=_locations(episode.location),
        txt=_txt(episode.txt),
    )


def _media_file(
    doc: Document,
    field: tuple[str | int, ...],
    rel: str,
    media: Mapping[MediaKey, Path],
    probes: Mapping[Path, AudioInfo | str],
    base: str,
) -> MediaFile | Problem | None:
    source = media.get((doc.file, field))
    if source is None:
        return None  # media_paths already reported why
    probe = probes.get(source)
    if probe is None:
        return None
    if isinstance(probe, str):
        return doc.problem(field, probe)
    path = output_path(rel, "audio/")
    return MediaFile(source, path, base + quote(path), probe)


def _media_base(show: Show, record: ShowRecord) -> str:
    """Where audio is served: the CDN of ``media_url``, or the site (as for enclosures)."""
    return with_slash(show.media_url) if show.media_url else record.url


def _funding(items: Iterable[Funding]) -> tuple[FundingRef, ...]:
    return tuple(FundingRef(f.url, f.text) for f in items)


def _license(value: License | None) -> LicenseRef | None:
    return None if value is None else LicenseRef(value.name, value.url)


def _locations(items: Iterable[Location]) -> tuple[LocationRef, ...]:
    return tuple(LocationRef(x.name, x.rel, x.geo, x.osm, x.country) for x in items)


def _txt(items: Iterable[Txt]) -> tuple[TxtRef, ...]:
    return tuple(TxtRef(t.text, t.purpose) for t in items)


def _iso(value: dt.date | dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return in_show_zone(value, tz).isoformat()


def extra_media_files(site: SiteRecord, run: BuildContext | None = None) -> dict[str, Path]:
    """Output path → source of the trailers and alternate audio, each once, leaving out
    files that are already some episode's audio (a trailer is often also an episode).

    ``run``: a warm build's (its cache keeps ``held`` values between rebuilds) knows a
    show that has none stays without any while the episodes that changed (other
    objects at their places, compared in C) have no alternate audio either."""
    held = run.cache.held if run is not None and run.cache is not None and run.warm else None
    last = held.get(_EXTRA_HELD) if held is not None else None
    trailers = site.show.extras.trailers
    if last is not None and not trailers and len(last[0]) == len(site.episodes):
        places = list(compress(count(), map(is_not, site.episodes, last[0])))
        changed = [site.episodes[place] for place in places]
        changed += [last[0][place] for place in places]
        if not any(map(_ALTERNATES, map(_EXTRAS, changed))):
            held[_EXTRA_HELD] = (site.episodes, None)  # type: ignore[index]
            return {}
    files = _extra_media_files(site)
    if held is not None:
        if files:
            held.pop(_EXTRA_HELD, None)
        else:  # none: the episodes it was found of, for the next rebuild
            held[_EXTRA_HELD] = (site.episodes, None)
    return files


_EXTRA_HELD = "extra-media-none"  # extra_media_files's episodes without any, in ``held``


def _extra_media_files(site: SiteRecord) -> dict[str, Path]:
    media = [trailer.media for trailer in site.show.extras.trailers]
    # in C: every publish asks, and most shows have neither (10,000 episodes looked at)
    media += chain.from_iterable(map(_ALTERNATES, map(_EXTRAS, site.episodes)))
    if not media:
        return {}
    taken = set(map(_AUDIO_PATH, site.episodes))
    files: dict[str, Path] = {}
    for file in media:
        if file.path not in taken:
            files.setdefault(file.path, file.source)
    return files


_EXTRAS, _ALTERNATES = attrgetter("extras"), attrgetter("alternates")
_AUDIO_PATH = attrgetter("audio_path")


def media_files(site: SiteRecord) -> dict[str, Path]:
    """Output path → source of every media file the feed links: each episode's audio,
    then the trailers and alternate audio (where podpub deploy finds what to upload to
    media_url's storage, as publish finds what to copy into the site)."""
    files = {e.audio_path: e.audio_source for e in site.episodes if e.audio_source is not None}
    files.update(extra_media_files(site))
    return files
