"""What rendering the default theme's pages costs per value shown: counted, not timed.

Jinja2 reads ``t.chapters`` as ``getattr(t, "chapters")`` first and as ``t["chapters"]``
only once that has raised AttributeError; the words of the pages (``t``) answer the
first (site/i18n.py), so a page shows its twenty words without twenty exceptions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from podpub.site.i18n import Messages, translations
from podpub.site.render import render_pages

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
