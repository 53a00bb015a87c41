"""The descriptor format: pydantic models of ``show.yaml`` and ``episodes/*.yaml``.

These models are the single source of truth for the format: the loader validates
against them, ``podpub schema`` exports them as JSON Schema, and the docs' "Descriptor
fields" page is generated from them (docs/hooks.py): every field needs a description.
Strict at the edge (unknown keys are errors, YAML's silent conversions are refused),
frozen inside.
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
    Discriminator,
    Field,
    PositiveInt,
    StringConstraints,
    Tag,
    model_validator,
)

from podpub.input.taxonomy import APPLE_CATEGORIES, GEO_URI

# --- text -------------------------------------------------------------------------

# Characters that XML 1.0 cannot carry, that HTML parsers flag (C1 controls, Unicode
# noncharacters), or that let text rewrite its surroundings (bidirectional overrides):
# refused in every text field that reaches the feed or pages.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069"
    + "".join(chr(p + 0xFFFE) + chr(p + 0xFFFF) for p in range(0x10000, 0x110000, 0x10000))
    + "]"
)


def _char_kind(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cs":
        return "lone surrogate"
    if category == "Cn":
        return "noncharacter"
    return unicodedata.name(char, "control character")


# Characters a text may hold that str.isprintable() calls unprintable (line breaks, tabs,
# the spaces French puts before « : ; ! ? »): none of them is forbidden.
_ALLOWED_UNPRINTABLE = ("\n", "\t", "\r", "\xa0", "\u202f")


def _printable(value: str) -> bool:
    """Whether ``value`` is printable but for :data:`_ALLOWED_UNPRINTABLE` (replaced one
    by one: ``str.translate`` reads each character through a dict, 20 times slower)."""
    if value.isprintable():
        return True
    for char in _ALLOWED_UNPRINTABLE:
        value = value.replace(char, " ")
    return value.isprintable()


def _clean_text(value: str) -> str:
    # No forbidden character is printable: a printable text is told in C in a tenth of
    # the search's time (its class reaches past U+FFFF, so the regex engine tries each
    # character against a list of ranges: 3 µs a title, 20 a summary, 30 texts an episode)
    bad = None if _printable(value) else _FORBIDDEN_CHARS.search(value)
    if bad:
        char = bad.group()
        name = _char_kind(char)
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
    _clean_text(value)
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
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder
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


def is_remote(audio: str) -> bool:
    """An ``audio:`` value with a scheme is a URL (remote audio), anything else a path."""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", audio) is not None


def _check_remote_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"{value!r} is not an https:// URL")
    return _check_url(value)


def _check_episode_image(value: str) -> str:
    """An episode's artwork: an https URL (kept where it is hosted) or a file in the show."""
    if value.startswith("http://"):
        raise ValueError(f"{value!r} is not https; Apple wants artwork served over https")
    if value.startswith("https://"):
        return _check_url(value)
    return _check_relative_path(value)


EpisodeImage = Annotated[str, AfterValidator(_check_episode_image)]


def _check_audio(value: str) -> str:
    if is_remote(value):
        _check_remote_url(value)
        raise ValueError(
            f"{value!r} is remote audio, which podpub cannot measure: write audio: as a "
            "mapping of url, length (bytes), duration (seconds or H:MM:SS) and type (MIME)"
        )
    return _check_relative_path(value)


AudioSource = Annotated[str, AfterValidator(_check_audio)]


def _parse_duration(value: Any) -> float:
    """Seconds (``1830``, ``1830.5``) or ``"H:MM:SS"`` / ``"MM:SS"`` → seconds."""
    if isinstance(value, bool):
        raise ValueError("expected seconds or H:MM:SS, found a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration is not negative")
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        return float(value)
    return _parse_clock(value)


Duration = Annotated[float, BeforeValidator(_parse_duration)]

#: An enclosure's MIME type as apps expect it (audio/mpeg, audio/x-m4a, video/mp4 …).
MimeType = Annotated[str, StringConstraints(pattern=r"^(audio|video)/[A-Za-z0-9][A-Za-z0-9.+-]*$")]


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


def in_show_zone(value: dt.date | dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """What a descriptor date means: no zone = the show's time zone; a bare date is midnight."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


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
    # defer_build: a model's validator is built when it first validates, not on import
    # (about half of the module's 67 ms import). Every run that resolves imports these
    # models and validates only show.yaml and the descriptors that changed: one that
    # changed no descriptor builds no Episode; unpickling the kept models builds none.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


# A person's stable id: the key of their entry under `people:` and their page's folder name.
PersonId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]


class PersonEntry(Strict):
    """One person of the show's ``people:`` registry (keyed by their stable id)."""

    name: Text = Field(description="Name as shown (podcast:person text, page credits).")
    url: Url | None = Field(None, description="Their page (podcast:person href).")
    image: Url | None = Field(None, description="Their picture (podcast:person img).")


class Person(Strict):
    """A person credited in the show: by name, by id, or with a link and a picture."""

    name: Text | None = Field(
        None,
        description="Name as shown (podcast:person text, page credits); may be left out "
        "when id names someone under people: in show.yaml.",
    )
    id: PersonId | None = Field(
        None,
        description="Stable id, so one person stays one person across episodes: a key of "
        "people: in show.yaml, or any slug; defaults to the slug of the name.",
    )
    url: Url | None = Field(None, description="Their page (podcast:person href).")
    image: Url | None = Field(None, description="Their picture (podcast:person img).")

    @model_validator(mode="after")
    def _name_or_id(self) -> Person:
        if self.name is None and self.id is None:
            raise ValueError("give the person's name, or the id of someone under people:")
        return self


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
    replace: bool = Field(
        False,
        description="In an episode: this line replaces the show's default line for the same "
        "role, instead of adding its people to it.",
    )


class RoleAlias(Strict):
    """One wording of your own under ``role_aliases``: the taxonomy role it means."""

    role: Text = Field(description="podcast:person role from the taxonomy.")
    group: Text | None = Field(None, description="podcast:person group, when ambiguous.")


class Owner(Strict):
    """``owner``: who the directories contact about the show (not shown on the pages)."""

    name: Text = Field(description="itunes:owner/itunes:name.")
    email: Email = Field(
        description="itunes:owner/itunes:email and podcast:locked owner; directories send "
        "ownership codes here."
    )


def _directory_entry(id_pattern: str, example: str) -> Any:
    """A podcast app's id for the show (``1234567890``) or the show's URL there."""

    def check(value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            value = str(value)
        if isinstance(value, str) and re.fullmatch(id_pattern, value.strip()):
            return value.strip()
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return _check_url(value)
        raise ValueError(f"{value!r} is neither the show's id there (like {example}) nor a URL")

    return BeforeValidator(check)


class Subscribe(Strict):
    """Podcast apps and directories that list the show: links on the show page."""

    apple: Annotated[str, _directory_entry(r"\d+", "1234567890")] | None = Field(
        None, description="Apple Podcasts: the show's id (digits after /id in its URL) or URL."
    )
    spotify: Annotated[str, _directory_entry(r"[0-9A-Za-z]{22}", "'4rOoJ6Egrf8K2IrywzwOMk'")] | (
        None
    ) = Field(None, description="Spotify: the show's id (after /show/ in its URL) or URL.")
    podcast_index: Annotated[str, _directory_entry(r"\d+", "920666")] | None = Field(
        None, description="Podcast Index: the feed's id (after /podcast/ in its URL) or URL."
    )
    antennapod: bool = Field(
        False, description="true: a link that opens AntennaPod's subscribe screen on the feed."
    )
    overcast: bool | Url = Field(
        False, description="true: Overcast's page, found by the Apple id; or its URL."
    )


# --- optional feed tags (Podcasting 2.0, feed moves): each written only when given ----

# The license identifiers and the geo URI form live in taxonomy.py: the feed rules read
# them too, without building these models.

#: podcast:medium values for a feed of episodes (the list variants hold remote items only).
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "course")


def _shortcut(key: str) -> Any:
    """Let a mapping with one required key be written as that key's value alone."""

    def expand(value: Any) -> Any:
        return {key: value} if isinstance(value, str) else value

    return BeforeValidator(expand)


def _one_or_many(value: Any) -> Any:
    return value if isinstance(value, list) else [value]


def _parse_size(value: Any) -> int:
    """``4000000``, ``"4 MB"``, ``"800 kB"`` → bytes (decimal units, as file sizes are shown)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|MB)?\s*", value)
        if match:
            number, unit = float(match.group(1)), match.group(2) or "B"
            size = int(number * {"B": 1, "kB": 1000, "KB": 1000, "MB": 1_000_000}[unit])
            if size > 0:
                return size
    raise ValueError(f'{value!r} is not a size; write bytes, or "1 MB", "800 kB"')


ByteSize = Annotated[int, BeforeValidator(_parse_size)]


def _check_any_uuid(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value):
        raise ValueError(f"{value!r} is not a lower-case UUID (the other show's podcast:guid)")
    return value


def _check_rrule(value: str) -> str:
    parts = value.split(";")
    if not all(re.fullmatch(r"[A-Z]+=[A-Za-z0-9,+-]+", part) for part in parts) or not any(
        re.fullmatch(r"FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)", part)
        for part in parts
    ):
        raise ValueError(
            f"{value!r} is not an RFC 5545 recurrence rule such as 'FREQ=WEEKLY' or "
            "'FREQ=WEEKLY;BYDAY=FR'"
        )
    return value


class Funding(Strict):
    """A way to support the show or the episode: podcast:funding."""

    url: Url = Field(description="The support page (podcast:funding url; https).")
    text: Text = Field(description="The link's label, at most 128 characters.")


class License(Strict):
    """The licence of the audio: podcast:license."""

    name: Text = Field(
        description="An identifier of the namespace's list (ARR, CC-BY-4.0, CC-BY-NC-4.0, "
        "CC-BY-NC-ND-4.0, POD-V4V-1.0) or your own licence's short name."
    )
    url: Url | None = Field(None, description="The licence's full text; required for your own.")


class Location(Strict):
    """A place the show or episode is about (or made in): podcast:location."""

    name: Text = Field(description="The place as people say it, at most 128 characters.")
    rel: Literal["subject", "creator"] | None = Field(
        None, description="subject (default): what it is about; creator: where it is made."
    )
    geo: Annotated[str, Field(pattern=GEO_URI)] | None = Field(
        None, description="RFC 5870 geo URI, 'geo:48.8566,2.3522'."
    )
    osm: Annotated[str, Field(pattern=r"^[NWR]\d+(#\d+)?$")] | None = Field(
        None, description="OpenStreetMap object: N, W or R and its id, 'R71525'."
    )
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="ISO 3166-1 alpha-2 country code, 'FR'."
    )


class Txt(Strict):
    """Free text for machines (ownership codes, AI disclosure): podcast:txt."""

    text: Text = Field(description="The value, at most 4,000 characters.")
    purpose: Text | None = Field(
        None, description="What it is for: verify, applepodcastsverify, ai-content …"
    )


class Trailer(Strict):
    """A trailer of the show: podcast:trailer (the audio is probed and published)."""

    title: Text = Field(description="Trailer title, at most 128 characters.")
    audio: RelativePath = Field(description="Audio file, relative to the show folder.")
    date: DateOrTime = Field(description="Publication date (pubdate).")
    season: PositiveInt | None = Field(None, description="The season it announces.")


class UpdateFrequency(Strict):
    """How often new episodes come: podcast:updateFrequency."""

    text: Text = Field(description="As people say it: 'Every Friday'.")
    rrule: Annotated[str, AfterValidator(_check_rrule)] | None = Field(
        None, description="RFC 5545 recurrence rule: 'FREQ=WEEKLY;BYDAY=FR'."
    )
    complete: bool = Field(False, description="true: no new episodes are planned.")
    dtstart: DateOrTime | None = Field(
        None, description="When the schedule starts (required with COUNT in the rule)."
    )


class RemoteItem(Strict):
    """Another show you recommend: a podcast:remoteItem of podcast:podroll."""

    feed_guid: Annotated[str, AfterValidator(_check_any_uuid)] = Field(
        description="That show's podcast:guid."
    )
    feed_url: Url | None = Field(None, description="That show's feed URL.")
    title: Text | None = Field(None, description="That show's title.")


class FeedSize(Strict):
    """The feed-size budget: apps download the whole feed on every refresh."""

    warn: ByteSize = Field(1_000_000, description="Warn above this size (default 1 MB).")
    error: ByteSize = Field(4_000_000, description="Refuse to publish above it (default 4 MB).")

    @model_validator(mode="after")
    def _warn_below_error(self) -> FeedSize:
        if self.warn > self.error:
            raise ValueError("warn must not be above error")
        return self


class AlternateAudio(Strict):
    """Another file of the same episode (Opus, AAC …): podcast:alternateEnclosure."""

    file: RelativePath = Field(description="Audio file, relative to the show folder.")
    title: Text | None = Field(None, description="Shown in apps' pickers, at most 32 characters.")
    language: Annotated[str, AfterValidator(_check_language)] | None = Field(
        None, description="Language of this file (lang), when it differs from the show's."
    )


class Soundbite(Strict):
    """A short clip that shows what the episode is about: podcast:soundbite."""

    start: Clock = Field(description='Start, "H:MM:SS" or "MM:SS".')
    end: Clock = Field(description='End, "H:MM:SS" or "MM:SS" (15 s to 2 min is best).')
    title: Text | None = Field(None, description="What it is, at most 128 characters.")

    @model_validator(mode="after")
    def _end_after_start(self) -> Soundbite:
        if self.end <= self.start:
            raise ValueError("end must come after start")
        return self


LicenseIn = Annotated[License, _shortcut("name")]
LocationsIn = Annotated[list[Annotated[Location, _shortcut("name")]], BeforeValidator(_one_or_many)]
TxtIn = Annotated[Txt, _shortcut("text")]
AlternateAudioIn = Annotated[AlternateAudio, _shortcut("file")]
UpdateFrequencyIn = Annotated[UpdateFrequency, _shortcut("text")]


PUBNOTIFY_ENDPOINT = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


def _check_analytics_prefix(value: str) -> str:
    _clean_text(value)
    if not value.startswith("https://") or len(value) <= len("https://") or " " in value:
        raise ValueError(
            f"{value!r} is not an https:// prefix; apps will not follow a tracking redirect "
            "that is not https. Write the service's https prefix, e.g. https://op3.dev/e/"
        )
    if not value.endswith("/"):
        raise ValueError(
            f"{value!r} does not end with '/'; the episode's URL is appended to it. "
            f"Write {value + '/'!r}"
        )
    return value


def _check_destination(value: str) -> str:
    _clean_text(value)
    if value.startswith("s3://"):
        bucket = value[5:].split("/", 1)[0]
        # S3's bucket naming rules (R2, B2 and MinIO share them): caught here, not as a
        # puzzling error from the storage service in the middle of a deploy.
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
            raise ValueError(
                f"{bucket!r} is not an S3 bucket name (3-63 lowercase letters, digits, "
                "dots and hyphens); write s3://BUCKET/PREFIX"
            )
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        raise ValueError(
            f"{value!r}: podpub deploys to a folder or to s3://BUCKET/PREFIX (S3, R2, B2, "
            "MinIO); give one of those"
        )
    return value


AnalyticsPrefix = Annotated[str, AfterValidator(_check_analytics_prefix)]


Destination = Annotated[str, AfterValidator(_check_destination)]


def _check_endpoint(value: str) -> str:
    _clean_text(value)
    # Unlike the public URLs of the show, a storage endpoint may be a machine on the
    # local network (MinIO at http://localhost:9000): no dot needed in the host.
    if not re.fullmatch(r"https?://[^\s/?#]+/?", value):
        raise ValueError(
            f"{value!r} is not an endpoint URL such as https://ACCOUNT.r2.cloudflarestorage.com"
        )
    return value


class Deploy(Strict):
    """Where ``podpub deploy`` uploads the published site (and the media, with media_url)."""

    to: Destination | None = Field(
        None,
        description="Where the site goes: a folder (absolute, or relative to the show folder: "
        "a mounted volume, a gh-pages worktree) or s3://BUCKET/PREFIX; --to overrides it.",
    )
    media: Destination | None = Field(
        None,
        description="Where the audio goes when media_url serves it: a folder or "
        "s3://BUCKET/PREFIX whose files media_url serves (needs media_url).",
    )
    endpoint_url: Annotated[str, AfterValidator(_check_endpoint)] | None = Field(
        None,
        description="The S3 API of R2, B2, MinIO … (default: AWS_ENDPOINT_URL, else AWS S3).",
    )
    region: Text | None = Field(
        None, description="S3 region (default: AWS_REGION / the profile's; R2 takes 'auto')."
    )
    profile: Text | None = Field(
        None, description="AWS credentials profile to use (default: AWS_PROFILE, else 'default')."
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
    owner: Owner = Field(
        description="itunes:owner: who directories contact (ownership codes go to the e-mail)."
    )
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
    subscribe: Subscribe = Field(
        default_factory=Subscribe,
        description="Apps and directories listing the show: links on the show page.",
    )
    episodes_per_page: PositiveInt = Field(
        50,
        description="Episodes on the show page and on each person's page; older ones go to "
        "page/2/, page/3/ …",
    )
    people: dict[PersonId, PersonEntry] = Field(
        default_factory=dict,
        description="The show's people by stable id (name, url, image): episodes credit them "
        "by id or by name, and each keeps one href, img and page everywhere.",
    )
    credits: list[Credit] = Field(
        default_factory=list,
        description="Default credits of every episode (the team), before the episode's own.",
    )
    # Optional feed tags (docs/descriptors.md, "Optional feed tags"): each written only when given.
    new_feed_url: Url | None = Field(
        None,
        description="itunes:new-feed-url: the feed's new address when it moves (keep guid "
        "pinned: the show GUID never changes).",
    )
    funding: list[Funding] = Field(
        default_factory=list, description="podcast:funding: ways to support the show."
    )
    license: LicenseIn | None = Field(None, description="podcast:license of the show's audio.")
    location: LocationsIn = Field(
        default_factory=list, description="podcast:location: what the show is about, or where."
    )
    medium: Literal[MEDIUMS] | None = Field(  # type: ignore[valid-type]
        None, description="podcast:medium: what the feed is (podcast, music, audiobook …)."
    )
    trailers: list[Trailer] = Field(
        default_factory=list, description="podcast:trailer: the show's trailers (audio probed)."
    )
    txt: list[TxtIn] = Field(
        default_factory=list, description="podcast:txt: ownership codes, AI disclosure …"
    )
    update_frequency: UpdateFrequencyIn | None = Field(
        None, description="podcast:updateFrequency: how often episodes come."
    )
    podroll: list[RemoteItem] = Field(
        default_factory=list, description="podcast:podroll: other shows you recommend."
    )
    feed_size: FeedSize = Field(
        default_factory=FeedSize,
        description="Feed-size budget: warn above warn, refuse to publish above error.",
    )
    max_items: PositiveInt | None = Field(
        None,
        description="The feed lists only the newest N episodes (the site keeps all); "
        "podpub publish --max-items overrides it.",
    )
    feed_page_size: PositiveInt | None = Field(
        None,
        description="Page the feed (RFC 5005): feed.xml holds the newest N episodes and links "
        "with atom:link rel=next to feed-2.xml, feed-3.xml …",
    )
    deploy: Deploy = Field(
        default_factory=Deploy,
        description="podpub deploy: where the site (to) and the media (media) are uploaded, "
        "and the S3 endpoint, region and profile.",
    )
    keep: list[RelativePath] = Field(
        default_factory=list,
        description="Files or folders in the output folder that podpub does not write and "
        "carries over to each new site, besides CNAME, .nojekyll, .well-known/, _headers, "
        "_redirects and .htaccess (e.g. 'googleXXXX.html', 'media/').",
    )
    # Going online (docs/online.md): app notifications and analytics.
    websub_hub: Url | None = Field(
        None,
        description="WebSub hub (e.g. https://pubsubhubbub.appspot.com/): written as "
        '<atom:link rel="hub"> and pinged with the feed URL by podpub notify.',
    )
    pubnotify: bool = Field(
        False,
        description="Ping the Podcast Index (pubnotify) with the feed URL on podpub notify, "
        "so apps using it see new episodes within minutes.",
    )
    pubnotify_endpoint: Url = Field(
        PUBNOTIFY_ENDPOINT,
        description="The pubnotify address; the feed URL is added as ?url=.",
    )
    analytics: Literal["op3", "podtrac"] | None = Field(
        None,
        description="A download-measuring service by name: every enclosure URL goes "
        "through its prefix, in its documented form (GUIDs unchanged).",
    )
    analytics_prefix: AnalyticsPrefix | None = Field(
        None,
        description="Any prefix service's https prefix ending in '/' (e.g. "
        "https://op3.dev/e/): prepended to every enclosure URL (GUIDs unchanged).",
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


class ExtraChapter(Strict):
    """A chapter that is not a headline (an intro, an outro, a break)."""

    title: Text = Field(description="Chapter title.")
    start: Clock = Field(description='Chapter start, "H:MM:SS" or "MM:SS".')
    link: Url | None = Field(None, description="A web page about this part (chapter url).")
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


class RemoteAudio(Strict):
    """Audio kept where it is hosted: what podpub cannot measure offline, published as given."""

    url: Annotated[str, AfterValidator(_check_remote_url)] = Field(
        description="The audio's https:// URL: the enclosure URL, as subscribers have it."
    )
    length: PositiveInt = Field(description="Enclosure length in bytes.")
    duration: Duration = Field(description='itunes:duration: seconds, or "H:MM:SS".')
    type: MimeType = Field(description="Enclosure type (MIME): audio/mpeg, audio/x-m4a …")


def _audio_form(value: Any) -> str:
    return "remote" if isinstance(value, dict | RemoteAudio) else "file"


# A path, or a mapping for remote audio: the discriminator keeps pydantic from reporting a
# mistake in one form as a failure of the other. The tags' brackets keep them out of the
# located field path (validate._data_path).
AudioIn = Annotated[
    Annotated[AudioSource, Tag("[file]")] | Annotated[RemoteAudio, Tag("[remote]")],
    Discriminator(lambda v: f"[{_audio_form(v)}]"),
]


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
    guests: list[PersonIn] = Field(
        default_factory=list,
        description="Guests of this episode: podcast:person role guest (group cast), "
        'named in the page header ("with Maria Lopez") and on their person pages.',
    )
    credits: list[Credit] = Field(default_factory=list, description="Production credits.")
    audio: AudioIn = Field(
        description="Audio file, relative to the show folder: the enclosure; or remote audio "
        "(kept where it is hosted): a mapping of url, length, duration and type."
    )
    guid: Text | None = Field(
        None, description="Item guid; default derived from the show guid and the file name."
    )
    explicit: bool | None = Field(None, description="itunes:explicit; default: the show's.")
    image: EpisodeImage | None = Field(
        None,
        description="Episode artwork (item itunes:image), shown on its page instead of the "
        "show's cover: a square JPEG or PNG of 1400-3000 px in the show folder, or an "
        "https:// URL.",
    )
    draft: bool = Field(False, description="Drafts are published only with --drafts.")
    transcripts: list[Transcript] = Field(
        default_factory=list,
        description="Transcript files (WebVTT recommended): podcast:transcript, page text.",
    )
    chapters: list[ExtraChapter] = Field(
        default_factory=list,
        description="Chapters besides the headlines' (intro, outro…), merged with them by time.",
    )
    # Optional feed tags (docs/descriptors.md, "Optional feed tags"): each written only when given.
    alternate_audio: list[AlternateAudioIn] = Field(
        default_factory=list,
        description="More files of the same episode (Opus, AAC …): podcast:alternateEnclosure, "
        "each probed for its own length and type; audio stays the enclosure.",
    )
    funding: list[Funding] = Field(
        default_factory=list, description="podcast:funding: ways to support this episode."
    )
    soundbites: list[Soundbite] = Field(
        default_factory=list, description="podcast:soundbite: short clips for sharing."
    )
    license: LicenseIn | None = Field(None, description="podcast:license of this episode.")
    location: LocationsIn = Field(
        default_factory=list, description="podcast:location: what the episode is about."
    )
    txt: list[TxtIn] = Field(default_factory=list, description="podcast:txt of this episode.")
