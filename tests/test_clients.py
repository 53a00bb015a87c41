"""Real clients read the feed as the descriptors say: feedparser, gPodder's podcastparser and
the Podcast Index's own parser (podcast-partytime, under node).

Two shows: the repository's sample show and tests/shows/rich, which uses every optional
tag and several audio formats. The expected values come from the descriptors (titles,
chapters, people), the audio files (sizes) and podpub's GUID rule — never from the feed.

podcastparser 0.6.11 knows the podcast namespace only under its old GitHub URI, so it
sees no podcast:* tag of a feed written with the current URI; it reads titles, GUIDs,
enclosures, durations and the Podlove chapters.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
import yaml

from podpub.media.probe import probe
from podpub.resolve.guids import episode_guid
from podpub.write.publish import PublishOptions, publish

from conftest import NODE_DIR, NOW, REPO, copy_sample_show

RICH = REPO / "tests" / "shows" / "rich"
MIME = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a", ".opus": "audio/ogg", ".ogg": "audio/ogg"}


@dataclass(frozen=True)
class Expected:
    """One episode as its descriptor and audio file say it must appear."""

    key: str
    title: str
    guid: str
    url: str
    length: int
    mime: str
    duration: int
    chapters: tuple[tuple[float, str], ...]


def _seconds(clock: str) -> float:
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total


def expected_episodes(show_dir: Path) -> list[Expected]:
    show = yaml.safe_load((show_dir / "show.yaml").read_text(encoding="utf-8"))
    episodes = []
    for path in sorted((show_dir / "episodes").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        audio = show_dir / data["audio"]
        chapters = tuple(
            (_seconds(h["start"]), h["title"]) for h in data.get("headlines", []) if "start" in h
        )
        episodes.append(
            Expected(
                key=path.stem,
                title=data["title"],
                guid=episode_guid(show["guid"], path.stem),
                url=show["url"] + data["audio"],
                length=audio.stat().st_size,
                mime=MIME[audio.suffix],
                duration=round(probe(audio).duration),
                chapters=chapters,
            )
        )
    return sorted(episodes, key=lambda e: e.key, reverse=True)  # the feed is newest first


def copy_show(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("public", "published.lock"))
    return target


@pytest.fixture(scope="module")
def shows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name → (show folder, published output), each published once for the module."""
    root = tmp_path_factory.mktemp("clients")
    sample = copy_sample_show(root / "sample")
    rich = copy_show(RICH, root / "rich")
    result = {}
    for name, folder in (("sample", sample), ("rich", rich)):
        out = root / f"{name}-public"
        publish(folder, PublishOptions(out=out, now=NOW))
        result[name] = (folder, out)
    return result


def partytime(node_modules: Path, feed: Path) -> dict[str, Any]:
    if not shutil.which("node"):
        pytest.skip("node is needed (Debian package nodejs)")
    done = subprocess.run(
        ["node", str(NODE_DIR / "parse_feed.js"), str(feed)],
        capture_output=True,
        text=True,
        check=True,
        cwd=NODE_DIR,
    )
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


SHOWS = ["sample", "rich"]


@pytest.mark.parametrize("name", SHOWS)
def test_feedparser_agrees_with_the_descriptors(shows, name: str) -> None:
    folder, out = shows[name]
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    expected = expected_episodes(folder)
    assert len(parsed.entries) == len(expected)
    for entry, episode in zip(parsed.entries, expected, strict=True):
        assert entry.title == episode.title
        assert entry.id == episode.guid and entry.guidislink is False
        (enclosure,) = entry.enclosures
        assert (enclosure.href, int(enclosure.length), enclosure.type) == (
            episode.url,
            episode.length,
            episode.mime,
        )
        assert int(entry.itunes_duration) == episode.duration
        chapters = entry.get("psc_chapters", {}).get("chapters", [])
        assert [(c["start_parsed"].total_seconds(), c["title"]) for c in chapters] == list(
            episode.chapters
        )


@pytest.mark.parametrize("name", SHOWS)
def test_podcastparser_agrees_with_the_descriptors(shows, name: str) -> None:
    folder, out = shows[name]
    feed_url = yaml.safe_load((folder / "show.yaml").read_text(encoding="utf-8"))["url"]
    parsed = podcastparser.parse(feed_url + "feed.xml", io.BytesIO((out / "feed.xml").read_bytes()))
    expected = expected_episodes(folder)
    assert len(parsed["episodes"]) == len(expected)
    for entry, episode in zip(parsed["episodes"], expected, strict=True):
        assert entry["title"] == episode.title
        assert entry["guid"] == episode.guid
        (enclosure,) = entry["enclosures"]
        assert (enclosure["url"], enclosure["file_size"], enclosure["mime_type"]) == (
            episode.url,
            episode.length,
            episode.mime,
        )
        assert entry["total_time"] == episode.duration
        chapters = [(c["start"], c["title"]) for c in entry.get("chapters", [])]
        assert chapters == list(episode.chapters)


@pytest.mark.parametrize("name", SHOWS)
def test_the_podcast_index_parser_agrees_with_the_descriptors(
    shows, name: str, node_modules: Path
) -> None:
    folder, out = shows[name]
    parsed = partytime(node_modules, out / "feed.xml")
    show = yaml.safe_load((folder / "show.yaml").read_text(encoding="utf-8"))
    assert parsed["guid"] == show["guid"]
    assert parsed["title"] == show["title"]
    expected = expected_episodes(folder)
    assert len(parsed["items"]) == len(expected)
    for item, episode in zip(parsed["items"], expected, strict=True):
        assert item["title"] == episode.title
        assert item["guid"] == episode.guid
        assert item["enclosure"] == {
            "url": episode.url,
            "length": episode.length,
            "type": episode.mime,
        }
        assert item["duration"] == episode.duration
        if episode.chapters:  # JSON chapters: partytime gives the URL; read that file
            url = item["podcastChapters"]["url"]
            assert item["podcastChapters"]["type"] == "application/json+chapters"
            chapters = json.loads((out / url.removeprefix(show["url"])).read_bytes())
            got = [(c["startTime"], c["title"]) for c in chapters["chapters"]]
            assert got == list(episode.chapters)
        else:
            assert "podcastChapters" not in item


def _people(item: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(p["name"], p["role"], p["group"]) for p in item.get("podcastPeople", [])]


def test_the_podcast_index_parser_reads_the_sample_shows_people(shows, node_modules) -> None:
    _, out = shows["sample"]
    parsed = partytime(node_modules, out / "feed.xml")
    assert _people(parsed) == [("Emma Larbi", "Host", "Cast")]
    producers = ["Barbara Gouy", "Benjamin Milkoff", "Emma Larbi", "Titouan Allain"]
    producers.append("Yara El Germany")
    assert _people(parsed["items"][0]) == [("Emma Larbi", "Host", "Cast")] + [
        (name, "Producer", "Creative Direction") for name in producers
    ]


def test_the_podcast_index_parser_reads_every_optional_tag_of_the_rich_show(
    shows, node_modules
) -> None:
    folder, out = shows["rich"]
    parsed = partytime(node_modules, out / "feed.xml")
    assert _people(parsed) == [("Camille Roux", "Host", "Cast")]
    assert parsed["podcastPeople"][0]["href"] == "https://rich.example.org/camille/"
    assert parsed["podcastFunding"] == [
        {"message": "Soutenir l'émission", "url": "https://rich.example.org/soutenir/"}
    ]
    assert parsed["license"]["identifier"] == "CC-BY-4.0"
    assert parsed["podcastLocation"]["name"] == "Lyon"
    assert parsed["podcastLocation"]["geo"] == "geo:45.7578,4.8320"
    assert parsed["medium"] == "podcast"
    assert parsed["itunesNewFeedUrl"] == "https://feeds.rich.example.org/ondes.xml"
    assert parsed["podcastTxt"] == [{"value": "S6lpp-7ZCn8-dZfGc-OoyaG", "purpose": "verify"}]
    assert parsed["podroll"][0]["feedGuid"] == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    (trailer,) = parsed["trailers"]
    assert trailer["title"] == "Bienvenue sur Les Ondes Claires"
    assert trailer["url"] == "https://rich.example.org/audio/trailer.mp3"
    assert trailer["length"] == (folder / "audio" / "trailer.mp3").stat().st_size
    assert (trailer["type"], trailer["season"]) == ("audio/mpeg", 1)
    assert trailer["pubdate"] == "2024-01-02T08:00:00.000Z"

    items = {item["title"]: item for item in parsed["items"]}
    first = items["La note de 440 hertz"]
    assert _people(first) == [
        ("Camille Roux", "Host", "Cast"),
        ("Lou Martin", "Producer", "Creative Direction"),
        ("Inès Haddad", "Guest", "Cast"),
    ]
    alternates = [(a["type"], a["length"], a.get("title")) for a in first["alternativeEnclosures"]]
    assert alternates == [
        ("audio/ogg", (folder / "audio" / "ep1.opus").stat().st_size, "Opus"),
        ("audio/flac", (folder / "audio" / "ep1.flac").stat().st_size, "FLAC (sans perte)"),
    ]
    assert [s["uri"] for a in first["alternativeEnclosures"] for s in a["source"]] == [
        "https://rich.example.org/audio/ep1.opus",
        "https://rich.example.org/audio/ep1.flac",
    ]
    assert [(t["type"], t.get("rel")) for t in first["podcastTranscripts"]] == [
        ("text/vtt", "captions"),
        ("application/srt", "captions"),  # partytime's name for application/x-subrip
        ("application/json", None),
        ("text/html", None),
    ]
    for transcript in first["podcastTranscripts"]:  # published beside the page
        assert (out / transcript["url"].removeprefix("https://rich.example.org/")).is_file()
    assert first["podcastSoundbites"] == [{"startTime": 0.5, "duration": 2, "title": "Le la pur"}]
    assert first["license"] == {
        "identifier": "ondes-licence-1",
        "url": "https://rich.example.org/licence/",
    }
    assert (first["podcastSeason"], first["podcastEpisode"]) == ({"number": 1}, {"number": 1})

    second = items["Le grave et l'aigu"]
    assert _people(second) == [
        ("Camille Roux", "Host", "Cast"),
        ("Hugo Perrin", "Host", "Cast"),
        ("Lou Martin", "Audio Editor", "Audio Post-Production"),
    ]
    (alternate,) = second["alternativeEnclosures"]
    assert (alternate["type"], alternate["length"]) == (
        "audio/ogg",
        (folder / "audio" / "ep2.ogg").stat().st_size,
    )
    bonus = items["Les coulisses du studio"]
    assert bonus["itunesEpisodeType"] == "bonus"
    assert _people(bonus) == [("Camille Roux", "Host", "Cast")]
    for name in ("trailer.mp3", "ep1.opus", "ep1.flac", "ep2.ogg"):  # published with the site
        assert (out / "audio" / name).read_bytes() == (folder / "audio" / name).read_bytes()
