"""podpub import, and remote audio: real feeds in, a show that changes nothing for subscribers.

The host-shaped feeds are in tests/import_feeds/ (each says where its shape comes from); the
resources they link to (cover, chapters, transcripts) are served from 127.0.0.1 by a real
HTTP server. Every import is followed by what a producer runs next: publish --dry-run and
publish, and the new feed is compared with the old one, item by item.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lxml import etree
from PIL import Image

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.importer.run import ImportOptions, import_show
from podpub.importer.values import parse_date, parse_duration
from podpub.resolve.guids import podcast_guid
from static_server import running, serve

from conftest import write_show

FEEDS = Path(__file__).parent / "import_feeds"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


# --- helpers ------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(scope="module")
def resources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The files the fixture feeds link to, served from 127.0.0.1."""
    folder = tmp_path_factory.mktemp("resources")
    Image.new("RGB", (1400, 1400), "green").save(folder / "cover.jpg")
    Image.new("RGB", (1500, 1500), "blue").save(folder / "cover.png")
    (folder / "12345002.srt").write_text(
        "1\n00:00:00,000 --> 00:00:02,500\nLea: Welcome back.\n\n"
        "2\n00:00:02,500 --> 00:00:05,000\nTom: Today, bread.\n"
    )
    (folder / "12.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n<v Kim Lee>Welcome to Indie Makers.\n"
    )
    chapters = [
        {"startTime": 0, "title": "Intro"},
        {"startTime": 95.5, "title": "Yeast", "url": "https://example.org/yeast"},
        {"startTime": 600, "title": "Gluten", "img": "https://example.org/g.jpg"},
    ]
    (folder / "12345002.json").write_text(json.dumps({"version": "1.2.0", "chapters": chapters}))
    rain = [
        {"startTime": 0, "title": "Arrival"},
        {"startTime": 300, "title": "The storm"},
        {"startTime": 500, "title": "hidden", "toc": False},
    ]
    (folder / "rain-chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": rain}))
    with serve(folder) as base:
        yield base


def fixture_feed(name: str, base: str, folder: Path) -> Path:
    """A fixture feed with its @BASE@ links pointing at the resources server."""
    data = (FEEDS / f"{name}.xml").read_bytes().replace(b"@BASE@", base.encode())
    path = folder / f"{name}.xml"
    path.write_bytes(data)
    return path


def descriptors(show: Path) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((show / "episodes").glob("*.yaml"))
    }


def feed_items(data: bytes) -> dict[str, dict]:
    """What subscribers' apps go by, per item, keyed by the trimmed GUID."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
    items: dict[str, dict] = {}
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        if enclosure is None:
            continue
        guid = (item.findtext("guid") or enclosure.get("url")).strip()
        if guid in items:
            continue  # a duplicate: apps keep the first
        when, _ = parse_date(item.findtext("pubDate") or "")
        items[guid] = {
            "enclosure": enclosure.get("url"),
            "length": enclosure.get("length"),
            "duration": parse_duration(item.findtext(f"{ITUNES}duration") or ""),
            "instant": when,
            "title": (item.findtext("title") or "").strip(),
            "season": item.findtext(f"{ITUNES}season"),
            "number": item.findtext(f"{ITUNES}episode"),
            "type": item.findtext(f"{ITUNES}episodeType") or "full",
            "image": next((i.get("href") for i in item.iter(f"{ITUNES}image")), None),
        }
    return items


def show_guid(data: bytes) -> str | None:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
    return root.findtext(f"channel/{PODCAST}guid")


# --- remote audio -------------------------------------------------------------------------

REMOTE_EPISODE = """\
title: Remote one
date: 2023-06-02T18:00:00+02:00
guid: remote-1
audio:
  url: https://cdn.example.net/shows/remote-1.mp3
  length: 12345678
  duration: "0:31:05"
  type: audio/mpeg
"""


def test_remote_audio_is_published_as_given_and_played_from_its_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show", {"2023-06-02-remote.yaml": REMOTE_EPISODE})
    code, out = run(capsys, "publish", str(show), "--out", str(tmp_path / "site"))
    assert code == 0, out
    feed = (tmp_path / "site" / "feed.xml").read_bytes()
    item = feed_items(feed)["remote-1"]
    assert item["enclosure"] == "https://cdn.example.net/shows/remote-1.mp3"
    assert item["length"] == "12345678"
    assert item["duration"] == 1865
    page = (tmp_path / "site" / "episodes" / "2023-06-02-remote" / "index.html").read_text()
    assert 'src="https://cdn.example.net/shows/remote-1.mp3"' in page  # the player plays it
    assert not (tmp_path / "site" / "audio").exists()  # nothing copied
    ledger = json.loads((show / "published.lock").read_text())
    assert ledger["episodes"][0]["enclosure"] == "https://cdn.example.net/shows/remote-1.mp3"
    assert ledger["episodes"][0]["length"] == 12345678


def test_remote_audio_without_its_length_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = REMOTE_EPISODE.replace("  length: 12345678\n", "")
    show = write_show(tmp_path / "show", {"2023-06-02-remote.yaml": text})
    code, out = run(capsys, "publish", str(show), "--out", str(tmp_path / "site"))
    assert code == 1
    assert "episodes/2023-06-02-remote.yaml:" in out
    assert "audio.length: required field 'length' is missing" in out


def test_a_bare_audio_url_says_how_to_write_remote_audio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "title: Remote\ndate: 2023-06-02\naudio: https://cdn.example.net/a.mp3\n"
    show = write_show(tmp_path / "show", {"2023-06-02-remote.yaml": text})
    code, out = run(capsys, "publish", str(show), "--out", str(tmp_path / "site"))
    assert code == 1
    assert "episodes/2023-06-02-remote.yaml:3:8: audio:" in out
    assert "url, length (bytes), duration (seconds or H:MM:SS) and type (MIME)" in out


def test_tag_skips_remote_audio_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show", {"2023-06-02-remote.yaml": REMOTE_EPISODE})
    code, out = run(capsys, "tag", str(show))
    assert code == 0, out
    assert "remote audio (https://cdn.example.net/shows/remote-1.mp3) skipped" in out
    assert "[note]" in out


# --- host-shaped feeds --------------------------------------------------------------------

# Each fixture, and what its import report must say about its quirks.
QUIRKS = {
    "libsyn": [
        "an old Apple category",
        "Games & Hobbies > Hobbies → Leisure > Hobbies",
        "two-digit year read as 2023",
        "http:// enclosure → https://",
        "itunes:summary (no description) → summary",
        "episode images (itunes:image → image:)",
    ],
    "anchor": [
        "give audio.duration: the old feed's was unreadable",
        "'The night nurse': 'about half an hour'",
        "language 'en-US' → 'en-us'",
    ],
    "buzzsprout": [
        "podcast:guid: 1",
        "podcast:transcript (fetched into transcripts/)",
        "podcast:chapters (JSON) fetched → chapters:",
        "podcast:locked: podpub writes yes",
    ],
    "megaphone": ["give audio.length: the old feed's was missing or 0", "analytics prefix"],
    "transistor": [
        "guid trimmed of spaces",
        "itunes:new-feed-url naming the feed itself",
        "podcast:locked: podpub writes yes",
    ],
    "podbean": [
        "ISO-8859-1 text → UTF-8",
        "duplicate GUID",
        "no enclosure (no audio)",
        "Education > Language Courses → Education > Language Learning",
    ],
    "castopod": [
        "analytics prefix in enclosure URLs (op3.dev/e)",
        "<podcast:location> (channel): podpub does not write it",
        "podcast:chapters (JSON) fetched → chapters:",
    ],
    "podlove": ["Podlove Simple Chapters (psc:chapters) → chapters:"],
    "powerpress": [
        "a byte order mark",
        "relative enclosure URL → absolute",
        "show notes that are only timestamps → chapters:",
        "already says it moved to https://new.woodwork.example.com/feed.xml",
        "<{https://blubrry.com/developer/rawvoice-rss/}rating> (channel)",
    ],
}


@pytest.mark.parametrize("name", sorted(QUIRKS))
def test_host_feed_imports_with_every_guid_pinned_and_its_quirks_reported(
    name: str, resources: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = fixture_feed(name, resources, tmp_path)
    code, out = run(capsys, "import", str(source), str(tmp_path / "show"))
    assert code == 0, out
    show = tmp_path / "show"
    report = (show / "import-report.md").read_text(encoding="utf-8")
    for quirk in QUIRKS[name]:
        assert quirk in report, f"{quirk!r} not in the report:\n{report}"
    old = feed_items(source.read_bytes())
    written = {d["guid"] for d in descriptors(show).values()}
    assert written == set(old)  # every GUID exactly, trimmed, case kept
    ledger = json.loads((show / "published.lock").read_text())
    assert {e["guid"] for e in ledger["episodes"]} == set(old)
    assert "Traceback" not in out


def test_chapters_transcripts_and_people_come_along(
    resources: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = fixture_feed("buzzsprout", resources, tmp_path)
    assert run(capsys, "import", str(source), str(tmp_path / "show"))[0] == 0
    show = tmp_path / "show"
    episode = descriptors(show)["2023-06-15-why-bread-rises"]
    assert [c["start"] for c in episode["chapters"]] == ["0:00", "1:35.5", "10:00"]
    assert episode["chapters"][1]["link"] == "https://example.org/yeast"
    transcript = show / episode["transcripts"][0]["file"]
    assert "Welcome back." in transcript.read_text()
    assert episode["credits"] == [
        {"role": "guest", "people": [{"name": "Jo Baker", "url": "https://example.org/baker"}]}
    ]
    assert "*gas*" in episode["summary"] and "1. Yeast eats sugar" in episode["summary"]
    assert "[more about yeast](https://example.org/yeast)" in episode["summary"]
    meta = yaml.safe_load((show / "show.yaml").read_text())
    assert meta["hosts"][0]["name"] == "Lea Martin" and meta["hosts"][1] == "Tom Baker"
    assert meta["type"] == "serial" and meta["image"] == "cover.png"
    assert (show / "cover.png").stat().st_size > 0


# --- the proof: nothing changes for subscribers ----------------------------------------------

PROOF = ["buzzsprout", "castopod", "libsyn", "podbean", "podlove", "transistor"]


@pytest.mark.parametrize("name", PROOF)
def test_after_an_import_publish_changes_nothing_for_subscribers(
    name: str, resources: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = fixture_feed(name, resources, tmp_path)
    show = tmp_path / "show"
    assert run(capsys, "import", str(source), str(show))[0] == 0
    code, dry = run(capsys, "publish", str(show), "--dry-run")
    assert code == 0, dry
    assert "guid:" not in dry and "GUID change" not in dry  # no GUID changes
    assert "leave" not in dry and "  - " not in dry  # no episode leaves the feed
    code, out = run(capsys, "publish", str(show), "--out", str(tmp_path / "site"))
    assert code == 0, out
    old_feed = source.read_bytes()
    new_feed = (tmp_path / "site" / "feed.xml").read_bytes()
    old, new = feed_items(old_feed), feed_items(new_feed)
    assert set(new) == set(old)
    for guid, before in old.items():
        after = new[guid]
        if before["enclosure"].startswith("http://"):  # refused by directories: made https
            assert after["enclosure"] == "https://" + before["enclosure"][7:]
            assert f"enclosure: {before['enclosure']} → {after['enclosure']}" in dry
            before = {**before, "enclosure": after["enclosure"]}
        assert after == before, guid
    if show_guid(old_feed):
        assert show_guid(new_feed) == show_guid(old_feed)


def test_the_show_guid_is_computed_from_the_old_feed_url_and_pinned(
    resources: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = fixture_feed("libsyn", resources, tmp_path)
    assert run(capsys, "import", str(source), str(tmp_path / "show"))[0] == 0
    meta = yaml.safe_load((tmp_path / "show" / "show.yaml").read_text())
    assert meta["guid"] == podcast_guid("https://feeds.libsyn.com/123456/rss")


def test_since_and_limit_choose_episodes(
    resources: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = fixture_feed("megaphone", resources, tmp_path)
    assert run(capsys, "import", str(source), str(tmp_path / "a"), "--since", "2023-06-01")[0] == 0
    assert sorted(descriptors(tmp_path / "a")) == [
        "2023-06-10-bonus-the-mayor-unedited",
        "2023-06-13-the-budget-vote",
    ]
    assert run(capsys, "import", str(source), str(tmp_path / "b"), "--limit", "1")[0] == 0
    assert sorted(descriptors(tmp_path / "b")) == ["2023-06-13-the-budget-vote"]
    report = (tmp_path / "b" / "import-report.md").read_text()
    assert "older than the newest 1 (--limit) (2)" in report


def test_an_existing_folder_is_never_written_over(
    resources: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = fixture_feed("podlove", resources, tmp_path)
    (tmp_path / "show").mkdir()
    (tmp_path / "show" / "mine.txt").write_text("keep me")
    code, out = run(capsys, "import", str(source), str(tmp_path / "show"))
    assert code == 1
    assert "already exists and is not empty" in out
    assert (tmp_path / "show" / "mine.txt").read_text() == "keep me"


# --- --download -----------------------------------------------------------------------------


def _tone(path: Path, seconds: int) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-ac", "1", "-b:a", "32k", str(path)],
        check=True,
    )  # fmt: skip


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg makes the audio")
def test_download_resumes_checks_lengths_and_writes_local_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    _tone(media / "one.mp3", 3)
    _tone(media / "two.mp3", 2)
    with serve(media) as base:
        items = "".join(
            f"<item><title>Ep {name}</title><guid>g-{name}</guid>"
            f"<pubDate>Mon, 0{n} May 2023 10:00:00 +0000</pubDate>"
            f'<enclosure url="{base}{name}.mp3" length="{(media / f"{name}.mp3").stat().st_size}"'
            f' type="audio/mpeg"/><itunes:duration>{seconds}</itunes:duration></item>'
            for n, name, seconds in ((1, "one", 3), (2, "two", 2))
        )
        feed = tmp_path / "feed.xml"
        feed.write_text(
            '<?xml version="1.0"?><rss version="2.0" xmlns:itunes="'
            'http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Tones</title>'
            "<link>https://tones.example.com/</link><description>Tones.</description>"
            "<language>en</language><itunes:owner><itunes:email>t@tones.example.com"
            f"</itunes:email></itunes:owner>{items}</channel></rss>"
        )
        # an earlier, interrupted import left the first half of one.mp3
        part = tmp_path / ".show.import" / "audio" / "2023-05-01-ep-one.mp3.part"
        part.parent.mkdir(parents=True)
        whole = (media / "one.mp3").read_bytes()
        part.write_bytes(whole[: len(whole) // 2])
        code, out = run(capsys, "import", str(feed), str(tmp_path / "show"), "--download")
    assert code == 0, out
    show = tmp_path / "show"
    assert (show / "audio" / "2023-05-01-ep-one.mp3").read_bytes() == whole
    assert (show / "audio" / "2023-05-02-ep-two.mp3").read_bytes() == (
        media / "two.mp3"
    ).read_bytes()
    episodes = descriptors(show)
    assert episodes["2023-05-01-ep-one"]["audio"] == "audio/2023-05-01-ep-one.mp3"
    Image.new("RGB", (1400, 1400), "red").save(show / "cover.jpg")  # the feed had none
    code, dry = run(capsys, "publish", str(show), "--dry-run")
    assert code == 0, dry
    assert "The enclosure URLs of 2 episodes change" in dry
    assert "guid:" not in dry and "audio:" not in dry  # same GUIDs, same lengths and durations


# --- hostile feeds --------------------------------------------------------------------------


SMALL_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Moved Show</title>
<link>https://moved.example.com/</link><description>It moved.</description>
<item><title>One</title><guid>m-1</guid><pubDate>Mon, 01 May 2023 10:00:00 GMT</pubDate>
<enclosure url="https://media.moved.example.com/1.mp3" length="1000" type="audio/mpeg"/>
<itunes:duration xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">60</itunes:duration>
</item></channel></rss>"""


class _Hostile(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 (shared by the server's threads, read by the test)

    def do_GET(self) -> None:
        _Hostile.hits.append(self.path)
        if self.path == "/bomb":
            body = gzip.compress(b"<rss>" + b" " * 50_000_000, compresslevel=9)
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/endless":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<?xml version="1.0"?><rss><channel><title>x</title>')
            with contextlib.suppress(OSError):
                for _ in range(600):
                    self.wfile.write(b"<item><title>again</title></item>" * 10)
                    self.wfile.flush()
                    time.sleep(0.05)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/feed")
            self.end_headers()
        elif self.path == "/feed":
            body = SMALL_FEED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hostile_server() -> Iterator[str]:
    _Hostile.hits.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    with running(server) as url:
        yield url


BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rss version="2.0"><channel><title>&e;&e;&e;&e;</title></channel></rss>
"""


def test_an_entity_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bomb.xml").write_text(BOMB)
    code, out = run(capsys, "import", str(tmp_path / "bomb.xml"), str(tmp_path / "show"))
    assert code == 1
    assert "declares XML entities" in out and "Traceback" not in out
    assert not (tmp_path / "show").exists()


def test_an_entity_bomb_behind_a_long_comment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    padded = BOMB.replace("<!DOCTYPE", "<!--" + "pad " * 20_000 + "-->\n<!DOCTYPE", 1)
    (tmp_path / "padded.xml").write_text(padded)
    code, out = run(capsys, "import", str(tmp_path / "padded.xml"), str(tmp_path / "show"))
    assert code == 1
    assert "no root element in the first 65,536 bytes" in out


def test_external_entities_are_refused_without_any_access(
    tmp_path: Path, hostile_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        f' <!ENTITY file SYSTEM "file://{secret}">\n'
        f' <!ENTITY web SYSTEM "{hostile_server}xxe">\n]>\n'
        "<rss><channel><title>&file;&web;</title><description>d</description></channel></rss>"
    )
    (tmp_path / "xxe.xml").write_text(xxe)
    code, out = run(capsys, "import", str(tmp_path / "xxe.xml"), str(tmp_path / "show"))
    assert code == 1
    assert "declares XML entities" in out
    assert "TOP-SECRET" not in out
    assert _Hostile.hits == []  # the http entity was never fetched


def test_a_gzip_bomb_stops_at_the_size_cap(tmp_path: Path, hostile_server: str) -> None:
    options = ImportOptions(max_bytes=5_000_000)
    with pytest.raises(PodpubError) as refused:
        import_show(hostile_server + "bomb", tmp_path / "show", options)
    assert "larger than 5,000,000 bytes" in str(refused.value)


def test_a_feed_that_never_ends_is_cut_off(tmp_path: Path, hostile_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(PodpubError) as refused:
        import_show(hostile_server + "endless", tmp_path / "show", ImportOptions(deadline=2))
    assert "still sending after 2 s" in str(refused.value)
    assert time.monotonic() - started < 15


def test_not_a_feed_gets_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "page.html").write_text("<html><body>Hello</body></html>")
    code, out = run(capsys, "import", str(tmp_path / "page.html"), str(tmp_path / "show"))
    assert code == 1 and "not an RSS feed: the document's root is <html>" in out
    (tmp_path / "broken.xml").write_text("<rss><channel><title>x</channel></rss>")
    code, out = run(capsys, "import", str(tmp_path / "broken.xml"), str(tmp_path / "show"))
    assert code == 1 and "not well-formed XML" in out and "line 1" in out


# --- size ------------------------------------------------------------------------------------


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def big_feed(path: Path, items: int, sentences: int = 25) -> None:
    """A feed of ``items`` items (about 2 kB each with 25 sentences), written as a stream."""
    notes = "<p>" + "Notes about this episode, with a <a href='https://example.org'>link</a>. " * (
        sentences
    )
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:itunes="'
            'http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Big Show</title>'
            "<link>https://big.example.com</link><description>Many episodes.</description>"
            "<language>en</language><itunes:author>Big</itunes:author><itunes:owner>"
            "<itunes:name>Big</itunes:name><itunes:email>big@big.example.com</itunes:email>"
            '</itunes:owner><itunes:category text="News"/><itunes:explicit>no</itunes:explicit>\n'
        )
        for n in range(items, 0, -1):
            day = n % 28 + 1
            month = n % 12 + 1
            year = 2000 + n // 336
            out.write(
                f"<item><title>Episode {n}</title><guid isPermaLink='false'>big-{n}</guid>"
                f"<pubDate>{day:02d} {MONTHS[month - 1]} {year} "
                f"08:00:00 +0000</pubDate><description><![CDATA[{notes}</p>]]></description>"
                f'<enclosure url="https://media.big.example.com/{n}.mp3" length="{1000000 + n}"'
                f' type="audio/mpeg"/><itunes:duration>{1200 + n}</itunes:duration>'
                f"<itunes:episode>{n}</itunes:episode></item>\n"
            )
        out.write("</channel></rss>\n")


# The child's own peak memory is VmHWM: getrusage's ru_maxrss also counts the parent's
# memory before the exec (here pytest's, hundreds of MB late in a full run).
MEASURED_IMPORT = """
import gc, json, re, resource, sys
from pathlib import Path
from podpub.cli import main
gc.disable()  # as the podpub command runs (cli.entry)
code = main(["import", sys.argv[1], sys.argv[2]])
usage = resource.getrusage(resource.RUSAGE_SELF)
status = Path("/proc/self/status").read_text()
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
print(json.dumps({"code": code, "cpu": usage.ru_utime + usage.ru_stime, "rss": peak}))
"""


@pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="Linux's /proc tells peak memory"
)
def test_a_feed_of_5000_items_and_10_mb_imports_in_seconds_streaming(tmp_path: Path) -> None:
    import sys

    feed = tmp_path / "big.xml"
    big_feed(feed, 5000)
    assert feed.stat().st_size > 10_000_000
    done = subprocess.run(
        [sys.executable, "-c", MEASURED_IMPORT, str(feed), str(tmp_path / "show")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["code"] == 0, done.stdout + done.stderr
    assert len(list((tmp_path / "show" / "episodes").glob("*.yaml"))) == 5000
    # CPU time, not wall time: the test machine is shared, and a busy neighbour is no
    # slowness of the import's own (about 11 s here)
    assert measured["cpu"] < 30, f"{measured['cpu']:.1f} s of CPU"
    # streamed: about 120 MB for the 10 MB feed (items freed as they are read); holding
    # the feed as a tree and every item's HTML tree besides took 370 MB
    assert measured["rss"] < 250_000, f"{measured['rss'] / 1000:.0f} MB"


# --- feeds other generators wrote ---------------------------------------------------------


def _publish_and_compare(
    capsys: pytest.CaptureFixture[str], old_feed: bytes, show: Path, site: Path
) -> None:
    """After an import: the dry run and the publish succeed, and the new feed keeps what
    subscribers' apps go by, item by item."""
    if not any(show.glob("cover.*")):
        Image.new("RGB", (1400, 1400), "red").save(show / "cover.jpg")  # the feed had none
    code, dry = run(capsys, "publish", str(show), "--dry-run")
    assert code == 0, dry
    assert "guid:" not in dry and "leave" not in dry, dry
    code, out = run(capsys, "publish", str(show), "--out", str(site))
    assert code == 0, out
    new_feed = (site / "feed.xml").read_bytes()
    assert feed_items(new_feed) == feed_items(old_feed)


def test_a_podgen_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    from podgen import Category, Episode, Media, Person, Podcast

    podcast = Podcast(
        name="Podgen Show",
        description="A show written by podgen.",
        website="https://podgen.example.com",
        explicit=False,
        category=Category("Technology"),
        language="en-GB",
        authors=[Person("Paula Gen", "paula@podgen.example.com")],
        owner=Person("Paula Gen", "paula@podgen.example.com"),
        feed_url="https://podgen.example.com/feed.rss",
    )
    for n in (1, 2, 3):
        podcast.episodes.append(
            Episode(
                title=f"Generated {n}",
                id=f"urn:podgen:{n}",
                media=Media(
                    f"https://media.podgen.example.com/{n}.mp3",
                    size=1_000_000 * n,
                    type="audio/mpeg",
                    duration=dt.timedelta(minutes=20 + n, seconds=n),
                ),
                summary=f"<p>Episode <em>{n}</em> of the show.</p>",
                publication_date=dt.datetime(2023, 3, n, 9, 0, tzinfo=dt.UTC),
            )
        )
    feed = tmp_path / "podgen.rss"
    podcast.rss_file(str(feed))
    assert run(capsys, "import", str(feed), str(tmp_path / "show"))[0] == 0
    meta = yaml.safe_load((tmp_path / "show" / "show.yaml").read_text())
    assert meta["guid"] == podcast_guid("https://podgen.example.com/feed.rss")
    _publish_and_compare(capsys, feed.read_bytes(), tmp_path / "show", tmp_path / "site")


HUGO_FEED = """{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" \
xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ .Site.Title }}</title>
<link>{{ .Site.BaseURL }}</link>
<description>{{ .Site.Params.description }}</description>
<language>{{ .Site.LanguageCode }}</language>
{{ with .OutputFormats.Get "RSS" -}}
<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>
{{- end }}
<itunes:author>{{ .Site.Params.author }}</itunes:author>
<itunes:owner><itunes:name>{{ .Site.Params.author }}</itunes:name>\
<itunes:email>{{ .Site.Params.email }}</itunes:email></itunes:owner>
<itunes:category text="Music"/>
<itunes:explicit>false</itunes:explicit>
{{ range where .Site.RegularPages "Section" "episodes" }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid isPermaLink="false">{{ .Params.guid }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
<description>{{ .Content | html }}</description>
<enclosure url="{{ .Params.audio }}" length="{{ .Params.length }}" type="audio/mpeg"/>
<itunes:duration>{{ .Params.duration }}</itunes:duration>
<itunes:episode>{{ .Params.episode }}</itunes:episode>
</item>
{{ end }}
</channel>
</rss>
"""


@pytest.mark.skipif(not shutil.which("hugo"), reason="hugo (Debian package hugo) builds the site")
def test_a_hugo_podcast_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "hugo"
    (site / "layouts").mkdir(parents=True)
    (site / "layouts" / "index.rss.xml").write_text(HUGO_FEED)
    (site / "hugo.toml").write_text(
        'baseURL = "https://hugo.example.com/"\ntitle = "Hugo Hour"\nlanguageCode = "en-us"\n'
        'disableKinds = ["taxonomy", "term"]\n[params]\ndescription = "Songs, made by Hugo."\n'
        'author = "Hugh Go"\nemail = "hugh@hugo.example.com"\n'
    )
    (site / "content" / "episodes").mkdir(parents=True)
    for n in (1, 2):
        (site / "content" / "episodes" / f"ep{n}.md").write_text(
            f'---\ntitle: "Song {n}"\ndate: 2023-0{n}-15T20:00:00-05:00\nguid: "hugo-ep-{n}"\n'
            f'audio: "https://media.hugo.example.com/ep{n}.mp3"\nlength: {5_000_000 + n}\n'
            f'duration: "00:4{n}:10"\nepisode: {n}\n---\nThe *{n}* song, [lyrics](https://example.org/{n}).\n'
        )
    subprocess.run(["hugo", "--quiet", "-s", str(site)], check=True, capture_output=True)
    feed = site / "public" / "index.xml"
    assert run(capsys, "import", str(feed), str(tmp_path / "show"))[0] == 0
    episodes = descriptors(tmp_path / "show")
    assert episodes["2023-01-15-song-1"]["date"] == "2023-01-15T20:00:00-05:00"
    assert "[lyrics](https://example.org/1)" in episodes["2023-01-15-song-1"]["summary"]
    _publish_and_compare(capsys, feed.read_bytes(), tmp_path / "show", tmp_path / "site")


ELEVENTY_FEED = """---
permalink: /feed.xml
eleventyExcludeFromCollections: true
---
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" \
xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Eleven Minutes</title>
<link>https://eleventy.example.com/</link>
<atom:link href="https://eleventy.example.com/feed.xml" rel="self" type="application/rss+xml"/>
<description>Short talks, built by Eleventy.</description>
<language>en</language>
<itunes:author>Ella Venty</itunes:author>
<itunes:owner><itunes:name>Ella Venty</itunes:name>\
<itunes:email>ella@eleventy.example.com</itunes:email></itunes:owner>
<itunes:category text="Education"/>
<itunes:explicit>false</itunes:explicit>
{%- for ep in collections.episode | reverse %}
<item>
<title>{{ ep.data.title }}</title>
<link>https://eleventy.example.com{{ ep.url }}</link>
<guid isPermaLink="false">{{ ep.data.guid }}</guid>
<pubDate>{{ ep.date.toUTCString() }}</pubDate>
<description>{{ ep.content | escape }}</description>
<enclosure url="{{ ep.data.audio }}" length="{{ ep.data.length }}" type="audio/mpeg"/>
<itunes:duration>{{ ep.data.duration }}</itunes:duration>
<itunes:episode>{{ ep.data.number }}</itunes:episode>
</item>
{%- endfor %}
</channel>
</rss>
"""


def test_an_eleventy_podcast_feed(
    node_modules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eleventy = node_modules / "@11ty" / "eleventy" / "cmd.cjs"
    if not eleventy.is_file():
        pytest.skip("@11ty/eleventy is not installed (tests/node: npm ci)")
    source = tmp_path / "eleventy"
    (source / "episodes").mkdir(parents=True)
    (source / "feed.njk").write_text(ELEVENTY_FEED)
    for n in (1, 2):
        (source / "episodes" / f"ep{n}.md").write_text(
            f"---\ntitle: Talk {n}\ndate: 2023-0{n}-15T20:00:00-05:00\ntags: episode\n"
            f"guid: eleventy-talk-{n}\naudio: https://media.eleventy.example.com/talk{n}.mp3\n"
            f"length: {4_000_000 + n}\nduration: {660 + n}\nnumber: {n}\n---\n"
            f"The *{n}* talk, [notes](https://example.org/{n}).\n"
        )
    subprocess.run(
        ["node", str(eleventy), f"--input={source}", f"--output={tmp_path / 'out'}", "--quiet"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    feed = tmp_path / "out" / "feed.xml"
    assert run(capsys, "import", str(feed), str(tmp_path / "show"))[0] == 0
    episodes = descriptors(tmp_path / "show")
    assert episodes["2023-01-16-talk-1"]["guid"] == "eleventy-talk-1"
    assert "[notes](https://example.org/1)" in episodes["2023-01-16-talk-1"]["summary"]
    _publish_and_compare(capsys, feed.read_bytes(), tmp_path / "show", tmp_path / "site")


# --- podpub's own feed, round trip -----------------------------------------------------------


@contextlib.contextmanager
def https_server(folder: Path, certs: Path) -> Iterator[str]:
    """``folder`` over HTTPS on 127.0.0.1, with a certificate made for the test."""
    import functools
    import ssl

    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(certs / "key.pem"), "-out", str(certs / "cert.pem"),
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs / "cert.pem", certs / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    with running(server, "https") as url:
        yield url


ROUND_TRIP_SHOW = """\
title: Round Trip
description: |-
  A show about *round trips*, with [a link](https://example.org/).

  - one
  - two
language: en
url: {url}
author: Rita Round
owner:
  name: Rita Round
  email: rita@roundtrip.example.com
image: cover.png
categories:
- Technology
explicit: false
timezone: Europe/Paris
hosts:
- Rita Round
"""

ROUND_TRIP_EPISODES = {
    "2023-06-02-first.yaml": """\
title: First trip
number: 1
season: 1
date: 2023-06-02 18:00
summary: |-
  We go **there** and back. See [the map](https://example.org/map).

  1. Leave
  2. Return
chapters:
- title: Leaving
  start: "0:00"
- title: Coming back
  start: "10:00"
transcripts:
- file: transcripts/first.vtt
audio:
  url: https://cdn.roundtrip.example.com/first.mp3
  length: 23456789
  duration: "0:31:05"
  type: audio/mpeg
""",
    "2023-12-01-second.yaml": """\
title: Second trip
number: 2
season: 1
type: bonus
date: 2023-12-01 09:30
summary: A short one.
audio:
  url: https://cdn.roundtrip.example.com/second.mp3
  length: 3456789
  duration: 245
  type: audio/mpeg
""",
}


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl makes the test's certificate")
def test_podpubs_own_feed_round_trips_to_the_same_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with https_server(site, tmp_path) as url:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "cert.pem"))
        show = write_show(tmp_path / "show", ROUND_TRIP_EPISODES, ROUND_TRIP_SHOW.format(url=url))
        (show / "transcripts").mkdir()
        (show / "transcripts" / "first.vtt").write_text(
            "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Rita Round>Hello.\n"
        )
        assert run(capsys, "publish", str(show), "--out", str(site))[0] == 0
        code, out = run(capsys, "import", url + "feed.xml", str(tmp_path / "again"))
        assert code == 0, out
        code, out = run(capsys, "publish", str(tmp_path / "again"), "--out", str(tmp_path / "b"))
        assert code == 0, out
    first = (site / "feed.xml").read_text()
    second = (tmp_path / "b" / "feed.xml").read_text()

    def steady(text: str) -> str:
        return "\n".join(
            line
            for line in text.splitlines()
            if "<lastBuildDate>" not in line and "<generator>" not in line
        )

    assert steady(second) == steady(first)
    assert (tmp_path / "b" / "episodes" / "2023-06-02-first" / "first.vtt").is_file()


def test_a_redirected_feed_is_imported_and_the_move_reported(
    tmp_path: Path, hostile_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "import", hostile_server + "moved", str(tmp_path / "show"))
    assert code == 0, out
    assert f"redirected permanently (301/308) to {hostile_server}feed" in out
    meta = yaml.safe_load((tmp_path / "show" / "show.yaml").read_text())
    assert meta["guid"] == podcast_guid(hostile_server + "moved")  # the URL apps know
    assert descriptors(tmp_path / "show")["2023-05-01-one"]["guid"] == "m-1"


# --- values as feeds write them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso", "note"),
    [
        ("Tue, 13 Jun 2023 17:00:00 PDT", "2023-06-13T17:00:00-07:00", ""),
        ("Fri, 06 Jan 2023 09:00:00 EST", "2023-01-06T09:00:00-05:00", ""),
        ("Fri, 02 Jun 23 10:00:00 GMT", "2023-06-02T10:00:00+00:00", "two-digit year"),
        ("2 Jun 2023 10:00:00 CEST", "2023-06-02T10:00:00+02:00", ""),
        ("Fri, 02 Jun 2023 10:00:00 XYZ", "2023-06-02T10:00:00+00:00", "unknown time zone"),
        ("2023-06-02T10:00:00+02:00", "2023-06-02T10:00:00+02:00", "ISO 8601"),
    ],
)
def test_dates_as_feeds_write_them(text: str, iso: str, note: str) -> None:
    when, said = parse_date(text)
    assert when is not None and when.isoformat() == iso
    assert note in said if note else said == ""


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1830", 1830), ("1830.5", 1830.5), ("30:30", 1830), ("0:30:30", 1830),
     ("75:00", 4500), ("1:02:03", 3723), ("about half an hour", None), ("", None),
     ("1:75:00", None)],
)  # fmt: skip
def test_durations_as_feeds_write_them(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_the_next_step_names_the_report_s_to_do_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A feed without a cover: the report lists it under "Before you publish", but the last
    # line said only "Next: podpub publish … --dry-run", which then fails on the cover.
    feed = tmp_path / "feed.xml"
    big_feed(feed, 3, sentences=1)
    code, out = run(capsys, "import", str(feed), str(tmp_path / "show"))
    assert code == 0, out
    assert "## Before you publish" in out
    last = out.strip().splitlines()[-1]
    assert "Next: do what the report lists under 'Before you publish'" in last, last
    assert last.endswith(f"then podpub publish {tmp_path / 'show'} --dry-run"), last
