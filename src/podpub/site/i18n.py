"""The words and formats of the pages, in the show's language.

Interface words live in ``locales/<language>.json``, one file per language: adding a
language is adding one file. A show's ``language`` picks the file: the full tag first
(``fr-ca.json``), then its primary language (``fr.json``), then English, which is also
where any key a file leaves out is taken from. Dates, durations, file sizes and lists of
names are formatted by Babel (CLDR) in the same locale as the words, so an English
page never shows a German date and a ``fr-ca`` show gets Canadian French formats.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

# Babel is imported by what formats, not with the words: resolving a show reads one word
# of them (the hosts' credit label) and renders nothing, and babel.dates alone costs a
# publish that renders no page 20 ms (it looks up the machine's time zone as it loads).
if TYPE_CHECKING:
    from babel import Locale
    from babel.dates import DateTimePattern

LOCALES_DIR = Path(__file__).with_name("locales")
_STYLES = frozenset({"full", "long", "medium", "short"})  # babel's named date formats
_DateStyle = Literal["full", "long", "medium", "short"]
# babel's list styles (an other one: babel says so, as a template's mistake)
_ListStyle = Literal[
    "standard", "standard-short", "or", "or-short", "unit", "unit-short", "unit-narrow"
]
FALLBACK = "en"


class Messages(dict[str, str]):
    """The interface words, by key: a dict whose words are also its attributes.

    Templates write ``t.chapters``, and Jinja2 reads ``x.y`` as ``getattr(x, "y")``
    first and as ``x["y"]`` only when that raises: on a plain dict each word an episode
    page shows cost an AttributeError raised and caught (20 of them: a tenth of the
    page's render, measured). A word named like a dict method (``items``) is not made
    an attribute, so ``t.items`` stays what it was; words are never changed after
    loading.
    """

    def __init__(self, words: Mapping[str, str]) -> None:
        super().__init__(words)
        taken = set(dir(dict))
        self.__dict__.update({k: v for k, v in words.items() if k not in taken})


class Translations:
    """One language's interface words and the formatters of the same locale.

    ``messages`` (what templates see as ``t``) is a dict whose words are also its
    attributes: ``t.chapters``. A key a template asks for that no file has is an error
    under StrictUndefined.
    """

    def __init__(self, language: str, locale: Locale, messages: Mapping[str, object]):
        self.language = language  # the catalogue actually used: "fr", "fr-ca", "en"
        self.locale = locale
        self.messages = Messages({k: v for k, v in messages.items() if isinstance(v, str)})
        self.plurals: dict[str, dict[str, str]] = {
            k: dict(v) for k, v in messages.items() if isinstance(v, dict)
        }
        self._dates: dict[tuple[dt.date, str], str] = {}
        self._patterns: dict[str, DateTimePattern] = {}
        self._units: dict[tuple[int, str], str] = {}
        self._sizes: dict[tuple[float, str], str] = {}
        self._lists: dict[tuple[tuple[str, ...], str], str] = {}
        # whole seconds → text: an episode's duration is shown on its page, the show's
        # page and each of its people's pages
        self._durations: dict[int, str] = {}

    def __repr__(self) -> str:
        return f"Translations({self.language!r}, locale={self.locale})"

    def __getitem__(self, key: str) -> str:
        return self.messages[key]

    def format(self, key: str, /, **values: object) -> str:
        """The message ``key`` with its ``{placeholders}`` filled in."""
        return self.messages[key].format(**values)

    def plural(self, key: str, count: int, /, **values: object) -> str:
        """A message with CLDR plural forms: ``{"one": "{count} épisode", "other": …}``."""
        forms = self.plurals[key]
        form = forms.get(self.locale.plural_form(count)) or forms["other"]
        return form.format(count=self.number(count), **values)

    def number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)

    def date(self, value: dt.date | dt.datetime, style: str = "full") -> str:
        """« vendredi 2 juin 2023 » (full), « 2 juin 2023 » (long)."""
        if isinstance(value, dt.datetime):
            value = value.date()  # the day where the show is, not UTC's
        key = (value, style)
        text = self._dates.get(key)
        if text is None:
            if len(self._dates) > 50_000:
                self._dates.clear()
            text = self._dates[key] = self._date_pattern(style).apply(value, self.locale)
        return text

    def _date_pattern(self, style: str) -> DateTimePattern:
        """The locale's pattern of a date ``style``, parsed once: what ``format_date``
        looks up and parses on each call (half of its time), for 10,000 dates a run."""
        pattern = self._patterns.get(style)
        if pattern is None:
            from babel.dates import get_date_format, parse_pattern

            named = cast(_DateStyle, style)
            found = get_date_format(named, locale=self.locale) if style in _STYLES else style
            pattern = self._patterns[style] = parse_pattern(found)
        return pattern

    def _unit(self, value: int, unit: str) -> str:
        key = (value, unit)
        text = self._units.get(key)
        if text is None:
            from babel.units import format_unit

            text = self._units[key] = format_unit(value, unit, length="short", locale=self.locale)
        return text

    def duration(self, seconds: float) -> str:
        """« 4 min 12 s », « 1 h 5 min », "4 min 12 sec"; seconds are left out past an hour.

        Whole seconds dropped, not rounded: the browser's player shows 36.6 s as 0:36,
        and the page beside it must not say 37 (the feed's <itunes:duration> rounds).
        """
        total = math.floor(seconds)
        text = self._durations.get(total)
        if text is None:
            if len(self._durations) > 50_000:
                self._durations.clear()
            text = self._durations[total] = self._duration(total)
        return text

    def _duration(self, total: int) -> str:
        hours, rest = divmod(total, 3600)
        minutes, secs = divmod(rest, 60)
        parts: list[str] = []
        if hours:
            parts.append(self._unit(hours, "duration-hour"))
            if minutes:
                parts.append(self._unit(minutes, "duration-minute"))
        else:
            if minutes:
                parts.append(self._unit(minutes, "duration-minute"))
            if secs or not minutes:
                parts.append(self._unit(secs, "duration-second"))
        return self.join(parts, "unit-narrow")

    def filesize(self, size: int) -> str:
        """« 1,2 Mo », "1.2 MB", « 123 ko »: decimal (SI) units, as disks and browsers count."""
        for unit, factor in (
            ("digital-gigabyte", 1e9),
            ("digital-megabyte", 1e6),
            ("digital-kilobyte", 1e3),
        ):
            if size >= factor:
                value = size / factor
                shown = round(value, 1) if value < 10 else round(value)
                return self._size(shown, unit)
        return self._size(size, "digital-byte")

    def _size(self, value: float, unit: str) -> str:
        key = (value, unit)
        text = self._sizes.get(key)
        if text is None:
            from babel.units import format_unit

            text = format_unit(value, unit, length="short", locale=self.locale, format="#,##0.#")
            self._sizes[key] = text
        return text

    def join(self, items: Sequence[str], style: str = "standard") -> str:
        """« Barbara, Benjamin et Emma », "Barbara, Benjamin, and Emma"."""
        key = (tuple(items), style)
        text = self._lists.get(key)
        if text is None:
            if len(self._lists) > 10_000:
                self._lists.clear()
            from babel.lists import format_list

            listed = cast(_ListStyle, style)
            text = format_list(list(key[0]), style=listed, locale=self.locale) if items else ""
            self._lists[key] = text
        return text

    def og_locale(self) -> str:
        """``fr_FR``, ``en_US``: Open Graph's language_TERRITORY form of the page locale."""
        territory = self.locale.territory
        if not territory:
            from babel import Locale
            from babel.core import get_global

            likely = get_global("likely_subtags").get(self.locale.language, "")
            territory = Locale.parse(likely).territory if likely else None
        return f"{self.locale.language}_{territory}" if territory else self.locale.language


def normalize(language: str) -> str:
    """``fr_CA`` and ``FR-ca`` → ``fr-ca``: the form of locale file names."""
    return language.strip().replace("_", "-").lower()


def available_languages() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in LOCALES_DIR.glob("*.json")))


@functools.cache
def _messages(name: str) -> Mapping[str, object] | None:
    path = LOCALES_DIR / f"{name}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def _babel_locale(tag: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    for candidate in (tag, tag.split("-")[0]):
        try:
            return Locale.parse(candidate, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse(FALLBACK)


@functools.cache
def _catalogue(language: str) -> tuple[str, str, Mapping[str, object]]:
    """The words of a show ``language``: the catalogue used (``fr``), the locale tag of
    its formats (``fr-ca``) and the words, English filling in what it leaves out."""
    tag = normalize(language)
    chain: list[str] = []  # most specific first
    for candidate in (tag, tag.split("-")[0]):
        if candidate not in chain and _messages(candidate) is not None:
            chain.append(candidate)
    if not chain:
        tag = FALLBACK
    merged: dict[str, object] = {}
    for name in [FALLBACK, *reversed(chain)]:
        merged.update(_messages(name) or {})
    return chain[0] if chain else FALLBACK, tag, merged


@functools.cache
def translations(language: str) -> Translations:
    """The words and formats for a show ``language`` (``fr``, ``fr-ca`` → French; else English)."""
    used, tag, words = _catalogue(language)
    return Translations(used, _babel_locale(tag), words)


def _word(language: str, key: str) -> str:
    """One interface word, as ``translations(language)[key]``, without the locale's
    formats: resolving a show reads its credit labels and loads no Babel."""
    word = _catalogue(language)[2][key]
    if not isinstance(word, str):  # a plural's forms: not a word (Translations.messages)
        raise KeyError(key)
    return word


def host_label(language: str) -> str:
    """The credit label of the show's hosts: « Présentation », "Host"."""
    return _word(language, "host")


def guest_label(language: str) -> str:
    """The credit label of an episode's guests (``guests:``): « Invité·e », "Guest"."""
    return _word(language, "guest")
