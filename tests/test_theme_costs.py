"""What rendering the default theme's pages costs per value shown: counted, not timed.

Jinja2 reads ``t.chapters`` as ``getattr(t, "chapters")`` first and as ``t["chapters"]``
only once that has raised AttributeError; the words of the pages (``t``) answer the
first (site/i18n.py), so a page shows its twenty words without twenty exceptions. And
each value a page writes out is escaped into text, not into a Markup object made for
it (site/render.py)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest
from babel.dates import format_date
from markupsafe import Markup, escape

from podpub.site.i18n import Messages, translations
from podpub.site.render import PageRenderer, make_environment, render_pages

from factories import site_record


@contextmanager
def failed_lookups_on_dicts() -> Iterator[list[str]]:
    """The attribute names Jinja2 looked up on a dict and did not find (the builtin
    ``getattr`` raised inside ``Environment.getattr``), while the block runs."""
    missed: list[str] = []

    def watch(frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_exception" and arg is getattr and frame.f_code.co_name == "getattr":
            found = frame.f_locals
            if isinstance(found.get("obj"), dict):
                missed.append(str(found.get("attribute")))

    sys.setprofile(watch)
    try:
        yield missed
    finally:
        sys.setprofile(None)


def test_the_pages_read_their_words_without_a_failed_lookup():
    site = site_record(3)
    with failed_lookups_on_dicts() as missed:
        pages = dict(render_pages(site, []))
    assert "Générique" in pages["episodes/episode-1/index.html"].decode()  # French words
    assert missed == []


def test_the_words_are_a_dict_whose_words_are_also_attributes():
    words = translations("fr").messages
    assert isinstance(words, dict)
    assert words.chapters == words["chapters"] == "Chapitres"  # type: ignore[attr-defined]
    named_like_a_method = Messages({"items": "Éléments", "title": "Titre"})
    assert named_like_a_method["items"] == "Éléments"
    assert callable(named_like_a_method.items)  # a dict's method stays what it was
    assert named_like_a_method.title == "Titre"  # type: ignore[attr-defined]


@contextmanager
def markups_made() -> Iterator[list[int]]:
    """How many Markup objects are made (``Markup.__new__`` runs) while the block runs."""
    made = [0]
    new_code = Markup.__new__.__code__

    def watch(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is new_code:
            made[0] += 1

    sys.setprofile(watch)
    try:
        yield made
    finally:
        sys.setprofile(None)


def test_an_episode_page_writes_its_values_without_a_markup_each():
    """Jinja2 escapes each value a page writes out with markupsafe's ``escape``, which
    wraps the text in a new Markup (made in Python: four times the cost of escaping);
    the pages write the escaped text itself. An episode page writes ~150 values."""
    site = site_record(3)
    renderer = PageRenderer(site, [])
    renderer.episode_page(1)  # templates compiled, words and formats warmed
    with markups_made() as made:
        page = renderer.episode_page(1).decode()
    assert "Générique" in page
    assert made[0] < 60  # the partials shared, tr()'s messages, the |safe HTML: 138 before


class Shown:
    def __str__(self) -> str:
        return "<i>'shown'</i> & \"quoted\""


class Html:
    def __html__(self) -> str:
        return "<b>its own</b>"


def test_written_values_are_escaped_as_markupsafe_escapes_them():
    env = make_environment([], translations("fr"))
    template = env.from_string(
        "{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}|{% set f %}{{ a }}{% endset %}{{ f }}"
    )
    values = {
        "a": "<a href='x'>\"&\"</a>",
        "b": Markup("<br>"),
        "c": 12.5,
        "d": Shown(),
        "e": Html(),
    }
    expected = "|".join(str(escape(values[name])) for name in "abcde")
    assert template.render(values) == expected + "|" + str(escape(values["a"]))


@pytest.mark.parametrize("language", ["fr", "en", "fr-ca", "de"])
def test_dates_and_durations_read_as_babel_formats_them(language: str):
    """The pages' dates come from the locale's parsed pattern, kept (i18n.py), and a
    duration's text is kept by whole seconds: the same text as asking babel each time."""
    words = translations(language)
    for style in ("full", "long", "medium", "short"):
        for day in (dt.date(2004, 1, 5), dt.datetime(2023, 6, 2, 23, 30), dt.date(1999, 12, 31)):
            plain = day.date() if isinstance(day, dt.datetime) else day
            expected = format_date(plain, format=style, locale=words.locale)
            assert words.date(day, style) == words.date(day, style) == expected
    for seconds in (0, 59.9, 61.2, 3599.99, 3600, 3725.5):
        assert words.duration(seconds) == words.duration(seconds) == words._duration(int(seconds))
