"""The descriptor format: pydantic models of ``show.yaml`` and ``episodes/*.yaml``.

These models are the single source of truth for the format: the loader validates
against them, ``podpub schema`` exports them as JSON Schema, and the README's format
reference follows them. Strict at the edge (unknown keys are errors, YAML's silent
conversions are refused), frozen inside.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
)

from podpub.taxonomy import APPLE_CATEGORIES

# --- text -------------------------------------------------------------------------

# Characters that XML 1.0 cannot carry, or that let text rewrite its surroundings
# (bidirectional overrides): refused in every text field that reaches the feed or pages.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


def _clean_text(value: str) -> str:
    bad = _FORBIDDEN_CHARS.search(value)
    if bad:
        char = bad.group()
        name = unicodedata.name(char, "control character")
        raise ValueError(
            f"contains the character U+{ord(char):04X} ({name}) at position {bad.start() + 1}, "
            "which feeds and pages cannot carry safely; remove it"
        )
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]


def _check_url(value: str) -> str:
    _clean_text(value)
    if not re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+", value) or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


Url = Annotated[str, AfterValidator(_check_url)]


def _check_email(value: str) -> str:
    if not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}", value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


Email = Annotated[str, AfterValidator(_check_email)]


def _check_relative_path(value: str) -> str:
    _clean_text(value)
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
        raise ValueError(f"{value!r} is absolute; give a path relative to the show folder")
    if ".." in re.split(r"[\\/]", value):
        raise ValueError(f"{value!r} leaves the show folder; keep media inside it")
    return value


RelativePath = Annotated[str, AfterValidator(_check_relative_path)]


def _check_language(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", value):
        raise ValueError(
            f"{value!r} is not an ISO 639-1 language code such as 'fr' or 'fr-fr' "
            "(lower case; Apple rejects anything else)"
        )
    return value


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone such as 'Europe/Paris'") from None
    return value


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _check_show_guid(value: str) -> str:
    if not _UUID.match(value):
        raise ValueError(f"{value!r} is not a lower-case UUIDv5 (podcast:guid)")
    return value


def _parse_clock(value: Any) -> float:
    """``"1:02:03"``, ``"2:03"`` or ``"2:03.5"`` → seconds."""
    if not isinstance(value, str):
        raise ValueError('write the time as text in quotes, for example "1:30" or "0:01:30"')
    match = re.fullmatch(r"(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d{1,3})?)", value.strip())
    if not match:
        raise ValueError(f'{value!r} is not a time; write H:MM:SS or MM:SS, for example "4:05"')
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


Clock = Annotated[float, BeforeValidator(_parse_clock)]


def _parse_date(value: Any) -> dt.date | dt.datetime:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(
        f"{value!r} is not a date; write 2023-06-02, or 2023-06-02 18:00 for a time "
        "(in the show's time zone), or 2023-06-02T18:00:00+02:00"
    )


DateOrTime = Annotated[dt.date | dt.datetime, BeforeValidator(_parse_date)]


def _category(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError('write the category as text, for example "News > Daily News"')
    parts = [part.strip() for part in re.split(r"\s*[>›]\s*", value)]
    parent = parts[0]
    if parent not in APPLE_CATEGORIES:
        raise ValueError(
            f"{parent!r} is not an Apple Podcasts category{_did_you_mean(parent, APPLE_CATEGORIES)}"
        )
    if len(parts) > 2:
        raise ValueError("a category has at most one subcategory: 'Parent > Subcategory'")
    if len(parts) == 2:
        sub = parts[1]
        subs = APPLE_CATEGORIES[parent]
        if sub not in subs:
            owners = [p for p, s in APPLE_CATEGORIES.items() if sub in s]
            where = f"; it belongs under {owners[0]!r}" if owners else _did_you_mean(sub, subs)
            raise ValueError(f"{sub!r} is not a subcategory of {parent!r}{where}")
        return f"{parent} > {sub}"
    return parent


def _did_you_mean(word: str, choices: Any) -> str:
    import difflib

    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f"; did you mean {lowered[word.lower()]!r}? (case matters)"
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


Category = Annotated[str, BeforeValidator(_category)]


def _person_from_name(value: Any) -> Any:
    # A bare name is the common case: `hosts: [Emma Larbi]`.
    return {"name": value} if isinstance(value, str) else value


# --- models ------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Person(Strict):
    """A person credited in the show: by name, or with a link and a picture."""

    name: Text = Field(description="Name as shown (podcast:person text, page credits).")
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] | None = Field(
        None,
        description="Stable id, so one person stays one person across episodes; "
        "defaults to the slug of the name.",
    )
    url: Url | None = Field(None, description="Their page (podcast:person href).")
    image: Url | None = Field(None, description="Their picture (podcast:person img).")


PersonIn = Annotated[Person, BeforeValidator(_person_from_name)]


class Credit(Strict):
    """One role and the people who held it, in the producer's own words."""

    role: Text = Field(
        description="The role as the producer writes it (« Réalisation », « Montage », 'Host'); "
        "mapped to a podcast:person role and group through the alias table."
    )
    group: Text | None = Field(
        None, description="Taxonomy group, only needed when the role exists in two groups."
    )
    people: list[PersonIn] = Field(min_length=1, description="Who held the role, in order.")


class RoleAlias(Strict):
    role: Text = Field(description="podcast:person role from the taxonomy.")
    group: Text | None = Field(None, description="podcast:person group, when ambiguous.")


class Owner(Strict):
    name: Text = Field(description="itunes:owner/itunes:name.")
    email: Email = Field(
        description="itunes:owner/itunes:email and podcast:locked owner; directories send "
        "ownership codes here."
    )


class Show(Strict):
    """``show.yaml``: the podcast as a whole (the feed's channel, the show page)."""

    title: Text = Field(description="Channel title.")
    description: Text = Field(description="Markdown; channel description (at most 4,000 bytes).")
    language: Annotated[str, AfterValidator(_check_language)] = Field(
        description="ISO 639-1 code ('fr', 'en-us'): channel language, pages' language."
    )
    url: Url = Field(description="Public base URL of the site; pages and media live under it.")
    feed_url: Url | None = Field(
        None, description="Public URL of the feed (atom:link self); default: url + feed.xml."
    )
    media_url: Url | None = Field(
        None, description="Base URL where audio is uploaded (CDN); default: the site url."
    )
    author: Text = Field(description="itunes:author: the people or company behind the show.")
    owner: Owner
    image: RelativePath = Field(
        description="Cover art file (square JPEG or PNG, 1400-3000 px): itunes:image."
    )
    categories: list[Category] = Field(
        min_length=1,
        description="Apple categories, 'Parent' or 'Parent > Subcategory'; the first counts.",
    )
    explicit: bool = Field(description="itunes:explicit (true/false).")
    type: Literal["episodic", "serial"] = Field("episodic", description="itunes:type.")
    copyright: Text | None = Field(None, description="Channel copyright.")
    timezone: Annotated[str, AfterValidator(_check_timezone)] = Field(
        "UTC", description="IANA time zone for episode dates written without one."
    )
    guid: Annotated[str, AfterValidator(_check_show_guid)] | None = Field(
        None,
        description="podcast:guid. Computed from the feed URL when absent; pin the printed "
        "value here so it never changes when the feed moves.",
    )
    hosts: list[PersonIn] = Field(
        default_factory=list, description="Regular hosts: channel-level podcast:person."
    )
    role_aliases: dict[str, RoleAlias] = Field(
        default_factory=dict,
        description="Extra credit wordings → taxonomy role (and group), added to the defaults.",
    )


class Headline(Strict):
    """One headline of the episode; with a start time it is also a chapter."""

    title: Text = Field(description="Short title: chapter title and list entry.")
    text: Text | None = Field(
        None, description="Markdown: the full text, on the page and in notes."
    )
    start: Clock | None = Field(None, description='Chapter start, "H:MM:SS" or "MM:SS".')
    link: Url | None = Field(None, description="Source or further reading (chapter url).")
    image: Url | None = Field(None, description="Chapter image (JSON chapters img).")


TRANSCRIPT_TYPES = {
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}


def _check_transcript_file(value: str) -> str:
    suffix = "." + value.rsplit(".", 1)[-1].lower() if "." in value else ""
    if suffix not in TRANSCRIPT_TYPES:
        raise ValueError(
            f"{value!r}: a transcript is a WebVTT (.vtt), SubRip (.srt), JSON (.json), "
            "HTML (.html) or text (.txt) file"
        )
    return value


class Transcript(Strict):
    """A transcript file of the episode: podcast:transcript, and the text on the page."""

    file: Annotated[RelativePath, AfterValidator(_check_transcript_file)] = Field(
        description="Path relative to the show folder; its type comes from the extension."
    )
    language: Annotated[str, AfterValidator(_check_language)] | None = Field(
        None, description="podcast:transcript language; default: the show's language."
    )


class Episode(Strict):
    """``episodes/*.yaml``: one episode (a feed item and a page)."""

    title: Text = Field(description="Item title and itunes:title (no episode number in it).")
    number: PositiveInt | None = Field(None, description="itunes:episode and podcast:episode.")
    season: PositiveInt | None = Field(None, description="itunes:season and podcast:season.")
    date: DateOrTime = Field(description="Publication date (pubDate); naive means show timezone.")
    type: Literal["full", "trailer", "bonus"] = Field("full", description="itunes:episodeType.")
    summary: Text | None = Field(None, description="Markdown: episode description.")
    headlines: list[Headline] = Field(default_factory=list, description="Headlines = chapters.")
    hosts: list[PersonIn] = Field(
        default_factory=list, description="Hosts of this episode (podcast:person role host)."
    )
    credits: list[Credit] = Field(default_factory=list, description="Production credits.")
    audio: RelativePath = Field(description="Audio file, relative to the show folder: enclosure.")
    guid: Text | None = Field(
        None, description="Item guid; default derived from the show guid and the file name."
    )
    explicit: bool | None = Field(None, description="itunes:explicit; default: the show's.")
    draft: bool = Field(False, description="Drafts are published only with --drafts.")
    transcripts: list[Transcript] = Field(
        default_factory=list,
        description="Transcript files (WebVTT recommended): podcast:transcript, page text.",
    )
