"""Issue 19 point 11: guests, the duration the page shows, titles that look like links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest

from podpub.resolve.records import AudioInfo
from podpub.site.render import render_pages
from podpub.write.publish import PublishOptions, publish
from static_server import serve

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show
from factories import episode_record, site_record

PODCAST_NS = "https://podcastindex.org/namespace/1.0"

GUEST_EPISODE = MINIMAL_EPISODE + "guests:\n  - Maria Lopez\n  - name: Jan Novák\n"


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def published_guest_show(tmp_path: Path, language: str = "en") -> Path:
    show = write_show(
        tmp_path / "show",
        {"ep1.yaml": GUEST_EPISODE},
        show=MINIMAL_SHOW.replace("language: fr", f"language: {language}"),
    )
    out = tmp_path / "out"
    publish(show, PublishOptions(out=out, now=NOW))
    return out


def test_guests_are_podcast_persons_with_the_role_guest(tmp_path: Path) -> None:
    out = published_guest_show(tmp_path)
    root = lxml.etree.fromstring((out / "feed.xml").read_bytes())
    persons = {
        p.text: (p.get("role"), p.get("group"))
        for p in root.iterfind(f"channel/item/{{{PODCAST_NS}}}person")
    }
    assert persons["Maria Lopez"] == ("guest", "cast")
    assert persons["Jan Novák"] == ("guest", "cast")
    assert persons["Emma Larbi"] == ("host", "cast")
    # and a feed reader still reads the item
    assert feedparser.parse((out / "feed.xml").read_bytes()).entries[0].title == "First episode"


def test_guests_are_named_in_the_episode_header_in_the_shows_language(tmp_path: Path) -> None:
    out = published_guest_show(tmp_path / "en", "en")
    page = lxml.html.fromstring((out / "episodes/ep1/index.html").read_bytes())
    (line,) = page.xpath(
        "//header[contains(@class,'episode-header')]//p[contains(@class,'guests')]"
    )
    assert text(line) == "with Maria Lopez and Jan Novák"
    assert line.xpath(".//a/@href") == [
        "../../people/maria-lopez/index.html",
        "../../people/jan-novak/index.html",
    ]

    out_fr = published_guest_show(tmp_path / "fr", "fr")
    page = lxml.html.fromstring((out_fr / "episodes/ep1/index.html").read_bytes())
    (line,) = page.xpath("//p[contains(@class,'guests')]")
    assert text(line) == "avec Maria Lopez et Jan Novák"


def test_a_guest_has_a_person_page_listing_the_episode_as_guest(tmp_path: Path) -> None:
    out = published_guest_show(tmp_path)
    page = lxml.html.fromstring((out / "people/maria-lopez/index.html").read_bytes())
    body = text(page)
    assert "Maria Lopez" in body
    assert "First episode" in body
    assert "Guest" in body


def test_an_unknown_guest_id_is_located_at_its_line(tmp_path: Path) -> None:
    from podpub.errors import PodpubError

    show = write_show(
        tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE + "guests:\n  - id: nobody-here\n"}
    )
    with pytest.raises(PodpubError) as caught:
        publish(show, PublishOptions(out=tmp_path / "out", now=NOW))
    (problem,) = caught.value.problems
    assert problem.file == "episodes/ep1.yaml"
    assert problem.line == MINIMAL_EPISODE.count("\n") + 2
    assert "guests" in problem.field


def test_the_page_duration_drops_the_fraction_as_the_player_does() -> None:
    audio = AudioInfo(size=1000, mime="audio/mpeg", duration=36.6, bitrate=None,
                      sample_rate=None, codec="mp3")  # fmt: skip
    episode = replace(episode_record(1), audio=audio)
    site = site_record(1)
    site = replace(site, show=replace(site.show, language="en"), episodes=(episode,))
    pages = dict(render_pages(site, []))
    page = lxml.html.fromstring(pages[episode.page_path])
    (shown,) = page.xpath("//p[@class='meta']/span/time")
    assert text(shown) == "36 sec"  # the player shows 0:36; 37 would contradict it


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


@pytest.fixture
def browser_page() -> Iterator[Any]:
    import shutil

    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Chromium is needed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_episode_titles_in_the_list_look_like_links(tmp_path: Path, browser_page: Any) -> None:
    out = published_guest_show(tmp_path)
    with serve(out) as url:
        browser_page.goto(url + "index.html")
        title = browser_page.locator(".episode-card h2 a, .episode-card h3 a").first
        style = title.evaluate(
            "a => { const s = getComputedStyle(a); return [s.color, s.textDecorationLine]; }"
        )
        body = browser_page.evaluate("getComputedStyle(document.body).color")
        link = browser_page.evaluate(
            "() => { const a = document.createElement('a'); a.href = '#';"
            " document.querySelector('main').appendChild(a);"
            " return getComputedStyle(a).color; }"
        )
    color, decoration = style
    assert "underline" in decoration
    assert color == link  # the colour of every other link on the site
    assert color != body
    assert re.match(r"rgb", color)
