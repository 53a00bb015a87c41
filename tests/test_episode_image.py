"""Episode artwork (``image:`` on an episode): item itunes:image, the page's picture, the
copy in the output, a located error for a picture Apple would refuse, and the importer
keeping an item's itunes:image."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest
import yaml
from PIL import Image

from podpub.cli import main

from conftest import MINIMAL_EPISODE, write_show

EPISODE = "2023-06-02-first.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def show_with_image(folder: Path, image: str) -> Path:
    return write_show(folder, {EPISODE: MINIMAL_EPISODE + f"image: {image}\n"})


def publish(capsys: pytest.CaptureFixture[str], show: Path, site: Path) -> tuple[int, str]:
    return run(capsys, "publish", str(show), "--out", str(site))


def item_image(feed: Path) -> str | None:
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    entry = parsed.entries[0]
    image = entry.get("image")
    return image.get("href") if image else None


def test_a_local_episode_image_is_the_item_artwork_copied_and_shown_on_its_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = show_with_image(tmp_path / "show", "art/first.jpg")
    (show / "art").mkdir()
    Image.new("RGB", (1400, 1400), "teal").save(show / "art" / "first.jpg")
    site = tmp_path / "site"
    code, out = publish(capsys, show, site)
    assert code == 0, out
    href = "https://podcast.example.org/episodes/2023-06-02-first/first.jpg"
    assert item_image(site / "feed.xml") == href
    copied = site / "episodes" / "2023-06-02-first" / "first.jpg"
    assert copied.read_bytes() == (show / "art" / "first.jpg").read_bytes()
    page = (site / "episodes" / "2023-06-02-first" / "index.html").read_text(encoding="utf-8")
    assert '<img class="episode-cover" src="../../episodes/2023-06-02-first/first.jpg"' in page
    ld = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["image"] == href  # not the show's cover
    # the channel keeps the show's cover
    channel = feedparser.parse((site / "feed.xml").read_bytes()).feed
    assert channel.image.href == "https://podcast.example.org/cover.png"


def test_an_https_episode_image_is_published_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://cdn.example.net/art/first.png"
    show = show_with_image(tmp_path / "show", url)
    site = tmp_path / "site"
    code, out = publish(capsys, show, site)
    assert code == 0, out
    assert item_image(site / "feed.xml") == url
    page = (site / "episodes" / "2023-06-02-first" / "index.html").read_text(encoding="utf-8")
    assert f'<img class="episode-cover" src="{url}"' in page


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("small.jpg", lambda p: Image.new("RGB", (600, 600)).save(p), "600×600 px; Apple wants"),
        ("wide.png", lambda p: Image.new("RGB", (2000, 1400)).save(p), "not square"),
        ("alpha.png", lambda p: Image.new("RGBA", (1400, 1400)).save(p), "alpha channel"),
        ("text.jpg", lambda p: p.write_text("not a picture"), "not a readable image"),
        ("art.gif", lambda p: Image.new("RGB", (1400, 1400)).save(p, "GIF"), ".jpg or .png"),
    ],
)
def test_an_image_apple_would_refuse_is_a_located_error(
    name: str, make, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = show_with_image(tmp_path / "show", name)
    make(show / name)
    site = tmp_path / "site"
    code, out = publish(capsys, show, site)
    assert code == 1, out
    line = MINIMAL_EPISODE.count("\n") + 1  # image: is the descriptor's last line
    assert f"episodes/{EPISODE}:{line}:8: image:" in out
    assert message in out
    assert not site.exists()  # nothing published
    assert "Traceback" not in out


def test_a_missing_file_or_http_url_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = MINIMAL_EPISODE.count("\n") + 1
    show = show_with_image(tmp_path / "a", "art/none.jpg")
    code, out = publish(capsys, show, tmp_path / "site-a")
    assert code == 1 and f"episodes/{EPISODE}:{line}:8: image:" in out
    assert "not found" in out
    show = show_with_image(tmp_path / "b", "http://cdn.example.net/a.jpg")
    code, out = publish(capsys, show, tmp_path / "site-b")
    assert code == 1 and f"episodes/{EPISODE}:{line}:8: image:" in out
    assert "is not https" in out


FEED = """\
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel>
  <title>Old show</title>
  <link>https://old.example.com/</link>
  <description>An old show.</description>
  <language>en</language>
  <itunes:author>Someone</itunes:author>
  <itunes:owner><itunes:name>Someone</itunes:name><itunes:email>someone@example.com</itunes:email></itunes:owner>
  <itunes:category text="News"/>
  <itunes:explicit>false</itunes:explicit>
  <item>
    <title>With art</title>
    <guid isPermaLink="false">ep-1</guid>
    <pubDate>Fri, 02 Jun 2023 08:00:00 +0000</pubDate>
    <enclosure url="https://cdn.example.com/1.mp3" length="123456" type="audio/mpeg"/>
    <itunes:duration>61</itunes:duration>
    <itunes:image href="https://cdn.example.com/art/ep-1.jpg"/>
  </item>
  <item>
    <title>Without art</title>
    <guid isPermaLink="false">ep-2</guid>
    <pubDate>Sat, 03 Jun 2023 08:00:00 +0000</pubDate>
    <enclosure url="https://cdn.example.com/2.mp3" length="123456" type="audio/mpeg"/>
    <itunes:duration>62</itunes:duration>
  </item>
</channel>
</rss>
"""


def test_an_imported_item_image_becomes_image_and_is_published_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "feed.xml"
    source.write_text(FEED, encoding="utf-8")
    show = tmp_path / "show"
    code, out = run(capsys, "import", str(source), str(show))
    assert code == 0, out
    found = {
        d["guid"]: d
        for d in (
            yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in (show / "episodes").glob("*.yaml")
        )
    }
    assert found["ep-1"]["image"] == "https://cdn.example.com/art/ep-1.jpg"
    assert "image" not in found["ep-2"]
    report = (show / "import-report.md").read_text(encoding="utf-8")
    dropped = report.split("## Dropped", 1)[1]
    assert "itunes:image" not in dropped
    assert "episode images (itunes:image → image:): 1" in report
    Image.new("RGB", (1400, 1400), "red").save(show / "cover.jpg")  # the feed had none
    site = tmp_path / "site"
    code, out = publish(capsys, show, site)
    assert code == 0, out
    entries = {e.id: e for e in feedparser.parse((site / "feed.xml").read_bytes()).entries}
    assert entries["ep-1"].image.href == "https://cdn.example.com/art/ep-1.jpg"
    assert "image" not in entries["ep-2"]
    pages = {
        p.parent.name: p.read_text(encoding="utf-8") for p in site.glob("episodes/*/index.html")
    }
    with_art = next(html for html in pages.values() if "<h1>With art</h1>" in html)
    without = next(html for html in pages.values() if "<h1>Without art</h1>" in html)
    assert '<img class="episode-cover" src="https://cdn.example.com/art/ep-1.jpg"' in with_art
    assert "episode-cover" not in without  # the show's cover only, in the header
