"""The published site in a real browser: Debian's headless Chromium, driven by Playwright.

The site is served from 127.0.0.1 by a static server that answers Range requests (as
every real host does; the audio element needs them to seek). axe-core, injected from
tests/node, checks accessibility; the audio element loads the real enclosure; links and
layout are used as a listener uses them. Screenshots land in tests/artifacts/
(git-ignored) for people to look at. Skipped only where Chromium is not installed
(CI installs Debian's ``chromium``); no browser is ever downloaded.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.write.publish import PublishResult
from site_fixtures import SAMPLE_PAGE, SAMPLE_SLUG, publish_rich_show
from static_server import serve

ARTIFACTS = Path(__file__).parent / "artifacts"
PERSON_PAGE_2 = "people/emma-larbi/page/2/index.html"  # the host: four episodes, three a page
SCREENSHOTS = {  # page → screenshot name
    "index.html": "show",
    SAMPLE_PAGE: "episode",
    "page/2/index.html": "page2",
    PERSON_PAGE_2: "person-page2",
}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("Chromium is needed (Debian package chromium)")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> PublishResult:
    return publish_rich_show(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def base_url(published: PublishResult) -> Iterator[str]:
    with serve(published.out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh tab that records every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.requests = []  # type: ignore[attr-defined]
    tab.on("request", lambda request: tab.requests.append(request.url))
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors  # no script error on any page


def run_axe(page: Any, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }"""
    )
    return result


@pytest.fixture(scope="module")
def axe_source(node_modules: Path) -> str:
    return (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def open_details(page: Any) -> None:
    """Open the transcript (and any other <details>) so axe checks what is inside too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def only_local_requests(page: Any, base_url: str) -> None:
    outside = [url for url in page.requests if not url.startswith((base_url, "data:"))]
    assert outside == [], outside  # no request leaves the site


# --- accessibility -------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["index.html", SAMPLE_PAGE, PERSON_PAGE_2])
def test_axe_finds_no_violation(page, base_url, axe_source, path, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url + path, wait_until="load")
    open_details(page)
    violations = run_axe(page, axe_source)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    only_local_requests(page, base_url)


# --- the player ----------------------------------------------------------------------


def sample_episode(published: PublishResult) -> Any:
    (episode,) = [e for e in published.site.episodes if e.slug == SAMPLE_SLUG]
    return episode


def wait_for_metadata(page: Any) -> float:
    page.wait_for_function(
        "() => { const a = document.getElementById('player');"
        " return a && a.readyState >= 1 && isFinite(a.duration); }",
        timeout=20_000,
    )
    return page.evaluate("document.getElementById('player').duration")


def test_the_player_loads_the_enclosure_and_its_duration(page, base_url, published):
    episode = sample_episode(published)
    page.goto(base_url + SAMPLE_PAGE, wait_until="load")
    duration = wait_for_metadata(page)
    assert abs(duration - episode.audio.duration) <= 1.0, (duration, episode.audio.duration)
    source = page.evaluate("document.getElementById('player').currentSrc")
    assert source == base_url + episode.audio_path
    only_local_requests(page, base_url)


def current_time(page: Any) -> float:
    return page.evaluate("document.getElementById('player').currentTime")


def test_the_third_chapter_link_seeks_the_player(page, base_url, published):
    chapter = sample_episode(published).chapters[2]
    page.goto(base_url + SAMPLE_PAGE, wait_until="load")
    wait_for_metadata(page)
    assert current_time(page) == 0
    link = page.locator("section.chapters a.chapter-link").nth(2)
    assert chapter.title in link.inner_text()
    link.click()
    page.wait_for_function(
        f"() => document.getElementById('player').currentTime >= {chapter.start - 0.05}"
    )
    position = current_time(page)
    assert chapter.start - 0.05 <= position < chapter.start + 2, position
    assert page.url.endswith(SAMPLE_PAGE + f"#t={chapter.start:g}")  # the page stayed
    page.evaluate("document.getElementById('player').pause()")


def test_a_transcript_time_seeks_the_player(page, base_url):
    page.goto(base_url + SAMPLE_PAGE, wait_until="load")
    wait_for_metadata(page)
    summary = page.locator("section.transcript summary")
    transcript = page.locator("section.transcript .transcript-body")
    assert not transcript.is_visible()  # collapsed until asked for
    summary.click()
    assert transcript.is_visible()
    cue = page.locator("section.transcript a.cue-time").nth(4)
    start = float(cue.get_attribute("data-start"))
    assert start > 5
    cue.click()
    page.wait_for_function(f"() => document.getElementById('player').currentTime >= {start - 0.05}")
    assert start - 0.05 <= current_time(page) < start + 2
    page.evaluate("document.getElementById('player').pause()")


def test_a_chapter_link_works_without_javascript(browser, base_url, published):
    """Without the script the link opens the audio at the chapter (a media fragment)."""
    chapter = sample_episode(published).chapters[2]
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(base_url + SAMPLE_PAGE, wait_until="load")
        href = tab.locator("section.chapters a.chapter-link").nth(2).get_attribute("href")
        assert href.endswith(f"#t={chapter.start:g}")
        tab.locator("section.chapters a.chapter-link").nth(2).click()
        tab.wait_for_url(f"**/audio/{SAMPLE_SLUG}.mp3#t={chapter.start:g}")
        # Chromium's own media page plays the fragment; JavaScript is off for the site,
        # not for our look at the browser's media element.
    finally:
        context.close()


# --- layout --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [320, 375, 1280])
@pytest.mark.parametrize("path", list(SCREENSHOTS))
def test_pages_fit_the_width_and_are_screenshotted(browser, base_url, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        tab = context.new_page()
        response = tab.goto(base_url + path, wait_until="load")
        assert response is not None and response.ok, path
        open_details(tab)  # the longest state of the page
        scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{path} scrolls sideways at {width} px: {scroll} > {inner}"
        if width in (375, 1280):
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"{SCREENSHOTS[path]}-{width}.png"
            tab.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
