"""The frozen values the build stages work from: a show and its episodes, resolved.

The descriptor models (``models.py``) say what the producer wrote; these records say
what will be published: dates made aware in the show's time zone, Markdown rendered and
sanitized, credits mapped to the podcast:person taxonomy, audio probed, URLs and output
paths fixed. The feed and page builders read only these records, never the YAML.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from podpub.media.info import AudioInfo  # named here too: a record's audio
from podpub.resolve.analytics import Analytics
from podpub.resolve.optional_records import EpisodeExtras, ShowExtras


@dataclass(frozen=True)
class PersonRef:
    """One person, the same across episodes (``id`` is stable)."""

    id: str
    name: str
    url: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class Role:
    """A role as the producer wrote it, and the podcast:person role and group it maps to."""

    label: str  # « Réalisation »
    role: str  # "producer" (lower case, taxonomy)
    group: str  # "creative direction" (lower case, taxonomy)


@dataclass(frozen=True)
class CreditGroup:
    """One credit line: a role and its people, in the order the producer wrote them."""

    role: Role
    people: tuple[PersonRef, ...]


@dataclass(frozen=True)
class PersonRole:
    """One podcast:person element: one person in one role."""

    person: PersonRef
    role: Role


@dataclass(frozen=True)
class Chapter:
    """A chapter (from a headline with a start time): JSON chapters, page chapter list."""

    start: float  # seconds
    title: str
    url: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class HeadlineView:
    title: str
    html: str  # the full text, Markdown rendered and sanitized ("" when none)
    start: float | None
    link: str | None


@dataclass(frozen=True)
class TranscriptRecord:
    """A transcript file copied beside the episode page and declared in the feed."""

    source: Path  # the producer's file
    path: str  # inside the output folder: "episodes/<slug>/<file name>"
    url: str  # absolute
    mime: str  # text/vtt, application/x-subrip, application/json, text/html, text/plain
    language: str
    captions: bool  # timed caption file (WebVTT, SRT): rel="captions"


@dataclass(frozen=True)
class EpisodeRecord:
    key: str  # descriptor file stem: the episode's identity in the show
    source: str  # descriptor path relative to the show folder, for messages
    slug: str  # URL-safe name of its page folder
    title: str
    number: int | None
    season: int | None
    episode_type: str  # full | trailer | bonus
    explicit: bool
    published: dt.datetime  # aware, in the show's time zone
    guid: str
    summary_html: str  # rich sanitized HTML for the page
    summary_text: str  # plain text (meta description, JSON-LD)
    feed_description: str  # HTML limited to Apple's tags (p, ul, ol, li, a, br), <= 4000 bytes
    feed_content: str  # content:encoded: summary, headlines with their texts, credits
    headlines: tuple[HeadlineView, ...]
    chapters: tuple[Chapter, ...]
    hosts: tuple[PersonRef, ...]
    credits: tuple[CreditGroup, ...]  # hosts first (as a credit line), then the credits
    persons: tuple[PersonRole, ...]  # one per person × role, hosts first: podcast:person
    audio: AudioInfo
    audio_source: Path | None  # absolute path of the producer's file; None: remote audio
    audio_path: str  # path inside the output folder, e.g. "audio/2023-06-02.mp3"; "": remote
    enclosure_url: str  # absolute, percent-encoded
    page_path: str  # "episodes/<slug>/index.html"
    page_url: str  # canonical absolute URL, "https://site/episodes/<slug>/"
    chapters_path: str | None  # "episodes/<slug>/chapters.json" when there are chapters
    chapters_url: str | None
    draft: bool = False
    transcripts: tuple[TranscriptRecord, ...] = ()
    extras: EpisodeExtras = field(default_factory=EpisodeExtras)  # optional tags (extras.py)
    chapters_vtt_path: str | None = None  # "episodes/<slug>/chapters.vtt": the player's track
    guests: tuple[PersonRef, ...] = ()  # credited as guests: "with …" in the page header
    # its own artwork (``image:``): item itunes:image, the page's picture; None: the show's
    image_source: Path | None = None  # the show's file, copied to image_path; None: https URL
    image_path: str | None = None  # beside the page, "episodes/<slug>/art.jpg"
    image_url: str | None = None


@dataclass(frozen=True)
class SubscribeLink:
    """A podcast app or directory where the show can be followed (the show page's links)."""

    key: str  # "apple", "spotify", "podcast_index", "antennapod", "overcast"
    name: str  # "Apple Podcasts": a brand name, the same in every language
    url: str


@dataclass(frozen=True)
class ShowRecord:
    title: str
    description_html: str  # rich sanitized HTML for the page
    description_text: str
    feed_description: str  # HTML limited to Apple's tags
    language: str
    url: str  # site base URL, ends with "/"
    feed_url: str
    author: str
    owner_name: str
    owner_email: str
    image_source: Path
    image_path: str  # inside the output folder
    image_url: str
    categories: tuple[tuple[str, str | None], ...]
    explicit: bool
    show_type: str  # episodic | serial
    copyright: str | None
    timezone: str
    guid: str
    guid_computed: bool  # True when show.yaml has no guid yet (print it so it gets pinned)
    hosts: tuple[PersonRef, ...]
    persons: tuple[PersonRole, ...]  # channel-level podcast:person
    subscribe: tuple[SubscribeLink, ...] = ()  # apps and directories, in the show page's order
    episodes_per_page: int = 50  # show page; older episodes on page/2/, page/3/ …
    extras: ShowExtras = field(default_factory=ShowExtras)  # optional tags, budget (extras.py)
    credits: tuple[CreditGroup, ...] = ()  # hosts line first, then the default credits
    keep: tuple[str, ...] = ()  # show.yaml keep: output files carried over (safety.carry_over)
    # The prefix every enclosure URL goes through (analytics.py): the pages play through it.
    analytics: Analytics | None = None
    # show.yaml media_url, ending with "/": the audio is served from there, not from the
    # site (nothing under the output's audio/; the pages' player links point there).
    media_url: str | None = None


@dataclass(frozen=True)
class SiteRecord:
    """Everything one publish builds from: the show and its published episodes."""

    show: ShowRecord
    episodes: tuple[EpisodeRecord, ...]  # newest first
    build_time: dt.datetime  # aware; only used to leave out future episodes
    skipped: tuple[str, ...] = field(default=())  # keys of drafts and scheduled episodes left out
    next_due: dt.datetime | None = None  # when the next scheduled episode comes due, if any
    next_due_file: str | None = None  # its descriptor ("episodes/x.yaml"): publish says so


# Values with no path inside: most of a record (its texts, numbers, dates), passed over
# at once instead of asked whether they are a Path, a tuple or a dataclass.
_NO_PATHS = frozenset((str, int, float, bool, type(None), dt.datetime, dt.date))


def paths_in(value: Any) -> Iterator[Path]:
    """Every file path inside a record (its fields, their fields, tuples of them).

    Walked with a list, not by recursion: a record holds a hundred values, and a
    generator for each (``yield from``) cost more than the walk itself. A dataclass's
    fields are walked only where their types let a path in (:func:`fields_with_paths`):
    an episode's headlines, chapters and credits, most of what it holds, never are
    (the walk of every field was half of what storing a record cost)."""
    found: list[Path] = []
    todo = [value]
    while todo:
        value = todo.pop()
        if type(value) in _NO_PATHS:
            continue
        if isinstance(value, Path):
            found.append(value)
        elif isinstance(value, tuple):
            todo.extend(reversed(value))
        elif hasattr(value, "__dataclass_fields__"):
            kind: type = type(value)
            names = fields_with_paths(kind)
            todo.extend(getattr(value, name) for name in reversed(names))
    return iter(found)


@functools.cache
def fields_with_paths(cls: type) -> tuple[str, ...]:
    """The fields of the dataclass ``cls`` whose declared types may hold a path, in
    their order; every field when its types cannot be read (a pure function of the
    class: a memo for the process)."""
    names = tuple(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # a name its module does not define at run time: walk every field
        return names
    return tuple(name for name in names if _may_hold_path(hints.get(name, Any), set()))


# Types whose values hold no path (bool and datetime are among their subclasses).
_NO_PATH_TYPES = (str, bytes, int, float, dt.date, dt.time, dt.timedelta, enum.Enum)


def _may_hold_path(kind: Any, seen: set[type]) -> bool:
    """Whether a value of the declared type ``kind`` may be or hold a path; anything
    not known to hold none (``Any``, a class that is not a dataclass) may."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) is typing.Literal:
        return False
    if args:  # a union, tuple[...], a mapping: any of its parts
        return any(_may_hold_path(arg, seen) for arg in args if arg is not Ellipsis)
    origin = typing.get_origin(kind) or kind
    if origin is type(None) or not isinstance(origin, type):
        return origin is not type(None)  # None holds none; a TypeVar or Any may
    if issubclass(origin, PurePath):
        return True
    if issubclass(origin, _NO_PATH_TYPES):
        return False
    if not dataclasses.is_dataclass(origin):
        return True
    if origin in seen:  # a dataclass that holds itself: what else it holds decides
        return False
    seen.add(origin)
    try:
        hints = typing.get_type_hints(origin)
    except Exception:
        return True
    return any(_may_hold_path(hints.get(f.name, Any), seen) for f in dataclasses.fields(origin))
