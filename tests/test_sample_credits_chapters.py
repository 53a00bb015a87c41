"""Issue 4's "done": on the sample show, after `podpub tag` and `podpub publish`, the same
five chapters and the same six credits (five people; Emma Larbi twice) in the feed, the
JSON and Simple Chapters, the episode page, each person's page, and the MP3 as ffprobe
and mutagen read it. Works on a copy; the repository's MP3 is never written."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import podcastparser
import pytest
import yaml
from lxml import etree, html
from mutagen.id3 import ID3

from podpub.cli import main

from conftest import NOW, REPO, copy_sample_show

SLUG = "2023-06-02-les-5-actus-marquantes"
MP3 = f"audio/{SLUG}.mp3"
TEAM = ["Barbara Gouy", "Benjamin Milkoff", "Emma Larbi", "Titouan Allain", "Yara El Germany"]
CREDITS = [("Emma Larbi", "host")] + [(name, "producer") for name in TEAM]
NS = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
}


def _headlines() -> list[tuple[float, str]]:
    descriptor = yaml.safe_load((REPO / "episodes" / f"{SLUG}.yaml").read_text("utf-8"))
    chapters = []
    for headline in descriptor["headlines"]:
        minutes, seconds = headline["start"].split(":")
        chapters.append((int(minutes) * 60 + float(seconds), headline["title"]))
    return chapters


CHAPTERS = _headlines()


def _mpeg_frames(data: bytes) -> bytes:
    if data.startswith(b"ID3"):
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        return data[10 + size + (10 if data[5] & 0x10 else 0) :]
    return data


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, bytes]]:
    """The sample show copied, its MP3's tags stripped, then `podpub tag`, `podpub publish`."""
    show = copy_sample_show(tmp_path_factory.mktemp("sample") / "show")
    ID3(show / MP3).delete()  # start untagged, whatever the repository's copy holds
    frames = _mpeg_frames((show / MP3).read_bytes())
    out = show.parent / "public"
    os.environ["SOURCE_DATE_EPOCH"] = str(int(NOW.timestamp()))
    try:
        assert main(["tag", str(show), "-q"]) == 0
        assert main(["publish", str(show), "--out", str(out), "-q"]) == 0
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    yield show, out, frames


def _ffprobe(path: Path) -> dict:
    if not shutil.which("ffprobe"):
        pytest.skip("ffprobe is needed (Debian package ffmpeg)")
    command = ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json"]
    return json.loads(subprocess.run([*command, str(path)], capture_output=True, check=True).stdout)


def test_five_chapters_in_the_feed_json_and_simple_chapters(sample):
    _, out, _ = sample
    feed = (out / "feed.xml").read_bytes()
    data = json.loads((out / "episodes" / SLUG / "chapters.json").read_text("utf-8"))
    assert [(c["startTime"], c["title"]) for c in data["chapters"]] == CHAPTERS
    root = etree.fromstring(feed)
    (item,) = root.findall("channel/item")
    assert item.find("podcast:chapters", NS).get("url").endswith(f"{SLUG}/chapters.json")
    [episode] = podcastparser.parse("https://x/feed.xml", io.BytesIO(feed))["episodes"]
    assert [(c["start"], c["title"]) for c in episode["chapters"]] == CHAPTERS


def test_five_chapters_on_the_page_its_track_and_in_the_mp3(sample):
    show, out, _ = sample
    page = html.parse(str(out / "episodes" / SLUG / "index.html"))
    links = page.xpath("//section[contains(@class, 'chapters')]//a[@class='chapter-link']")
    assert [
        (float(a.get("data-start")), a.findtext(".//span[@class='chapter-title']")) for a in links
    ] == CHAPTERS
    (track,) = page.xpath("//audio/track[@kind='chapters']")
    vtt = (out / "episodes" / SLUG / track.get("src").split("/")[-1]).read_text("utf-8")
    assert [line for line in vtt.splitlines() if " --> " not in line and line][2::2] == [
        title for _, title in CHAPTERS
    ]
    probe = _ffprobe(show / MP3)
    assert [(float(c["start_time"]), c["tags"]["title"]) for c in probe["chapters"]] == CHAPTERS
    assert probe["format"]["tags"]["title"] == "Les 5 actus marquantes de la semaine"
    assert probe["format"]["tags"]["album"] == "L'orange bleue — les actus de la semaine"


def test_six_credits_five_people_in_the_feed(sample):
    _, out, _ = sample
    root = etree.parse(str(out / "feed.xml"))
    people = root.findall("channel/item/podcast:person", NS)
    assert [(p.text, p.get("role")) for p in people] == CREDITS
    assert len({p.text for p in people}) == 5


def test_six_credits_on_the_episode_page_linking_five_person_pages(sample):
    _, out, _ = sample
    page = html.parse(str(out / "episodes" / SLUG / "index.html"))
    rows = page.xpath("//section[contains(@class, 'credits')]//dl/div")
    credits = [(row.findtext("dt"), [a.text for a in row.iter("a")]) for row in rows]
    assert credits == [("Présentation", ["Emma Larbi"]), ("Réalisation", TEAM)]
    hrefs = {a.get("href") for a in page.xpath("//section[contains(@class, 'credits')]//a")}
    assert len(hrefs) == 5
    for href in hrefs:
        assert (out / "episodes" / SLUG / href).resolve().is_file(), href
    (ld,) = page.xpath("//script[@type='application/ld+json']/text()")
    data = json.loads(ld)
    assert [p["name"] for p in data["actor"]] == ["Emma Larbi"]
    assert [p["name"] for p in data["producer"]] == TEAM


def test_each_persons_page_lists_the_episode_with_their_roles(sample):
    _, out, _ = sample
    pages = sorted((out / "people").glob("*/index.html"))
    assert len(pages) == 5
    roles = {}
    for path in pages:
        page = html.parse(str(path))
        (card,) = page.xpath("//li[@class='episode-card']")
        assert card.findtext(".//h3/a") == "Les 5 actus marquantes de la semaine"
        roles[page.findtext(".//h1")] = card.findtext(".//p[@class='person-roles']")
    assert roles == {name: "Réalisation" for name in TEAM} | {
        "Emma Larbi": "Présentation, Réalisation"
    }


def test_six_credits_in_the_mp3_as_mutagen_and_ffprobe_read_them(sample):
    show, _, frames = sample
    tags = ID3(show / MP3)
    assert [(name, role) for role, name in tags["TIPL"].people] == CREDITS
    credits = _ffprobe(show / MP3)["format"]["tags"]["CREDITS"]
    assert credits == "Présentation: Emma Larbi; Réalisation: " + ", ".join(TEAM)
    assert _mpeg_frames((show / MP3).read_bytes()) == frames  # never re-encoded


def test_the_enclosure_is_the_tagged_files_size(sample):
    show, out, _ = sample
    size = (show / MP3).stat().st_size
    root = etree.parse(str(out / "feed.xml"))
    assert root.find("channel/item/enclosure").get("length") == str(size)
    assert (out / MP3).stat().st_size == size


def test_a_browser_loads_the_five_chapter_cues(sample):
    from static_server import serve

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is needed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    _, out, _ = sample
    with serve(out) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto(f"{base}episodes/{SLUG}/index.html")
            cues = page.evaluate(
                """() => new Promise((resolve, reject) => {
                    const element = document.querySelector("audio track[kind=chapters]");
                    const track = element.track;
                    track.mode = "hidden";
                    const done = () => resolve(
                        Array.from(track.cues, (cue) => [cue.startTime, cue.text]));
                    if (element.readyState === 2) done();
                    element.addEventListener("load", done);
                    element.addEventListener("error", () => reject("track failed to load"));
                    setTimeout(() => reject("track did not load"), 10000);
                })"""
            )
        finally:
            browser.close()
    assert [(start, text) for start, text in cues] == CHAPTERS
