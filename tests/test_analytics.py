"""Analytics prefixes: every enclosure measured, the GUIDs and the files unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.write.publish import PublishOptions, publish

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

SITE = "podcast.example.org/audio/tone.mp3"
ALTERNATE = "alternate_audio:\n  - file: audio/tone.ogg\n    title: Ogg\n"


def _show(tmp_path: Path, setting: str = "") -> Path:
    return write_show(
        tmp_path / "show",
        {"ep1.yaml": MINIMAL_EPISODE + ALTERNATE},
        show=MINIMAL_SHOW + setting,
    )


def _published(show_dir: Path) -> tuple[list[str], list[str], str]:
    """The feed's enclosure URLs, its item GUIDs and the episode page's HTML."""
    feed = feedparser.parse((show_dir / "public" / "feed.xml").read_bytes())
    urls = [link.href for e in feed.entries for link in e.links if link.rel == "enclosure"]
    guids = [e.id for e in feed.entries]
    page = (show_dir / "public" / "episodes" / "ep1" / "index.html").read_text("utf-8")
    return urls, guids, page


def _alternate_sources(show_dir: Path) -> list[str]:
    feed = (show_dir / "public" / "feed.xml").read_text("utf-8")
    return re.findall(r'<podcast:source uri="([^"]+)"', feed)


@pytest.mark.parametrize(
    ("setting", "enclosure"),
    [
        ("analytics_prefix: https://op3.dev/e/\n", f"https://op3.dev/e/{SITE}"),
        ("analytics: podtrac\n", f"https://dts.podtrac.com/redirect.mp3/{SITE}"),
    ],
)
def test_prefix_reaches_feed_and_pages_with_guids_unchanged(
    tmp_path: Path, setting: str, enclosure: str
):
    plain = _show(tmp_path / "plain")
    publish(plain, PublishOptions(now=NOW))
    _, plain_guids, plain_page = _published(plain)
    assert 'src="../../audio/tone.mp3"' in plain_page  # the site's own copy, without one

    show_dir = _show(tmp_path / "tracked", setting)
    publish(show_dir, PublishOptions(now=NOW))
    urls, guids, page = _published(show_dir)
    assert urls == [enclosure]
    assert guids == plain_guids
    # The page's player, its fallback link and the download link go through the prefix.
    assert page.count(f'href="{enclosure}"') == 2
    assert f'src="{enclosure}"' in page
    [source] = _alternate_sources(show_dir)
    assert source.endswith("podcast.example.org/audio/tone.ogg")
    assert source.startswith(enclosure.split(SITE)[0])


def test_op3_by_name_names_the_show_guid(tmp_path: Path):
    show_dir = _show(tmp_path, "analytics: op3\n")
    publish(show_dir, PublishOptions(now=NOW))
    urls, _, _ = _published(show_dir)
    assert re.fullmatch(rf"https://op3\.dev/e,pg=[0-9a-f-]{{36}}/{re.escape(SITE)}", urls[0])


@pytest.mark.parametrize(
    ("prefix", "says"),
    [
        ("http://op3.dev/e/", "is not an https:// prefix"),
        (
            "https://op3.dev/e",
            "does not end with '/'; the episode's URL is appended to it. "
            "Write 'https://op3.dev/e/'",
        ),
    ],
)
def test_bad_prefix_is_a_located_error_with_the_fix(tmp_path: Path, prefix: str, says: str):
    show_dir = _show(tmp_path, f"analytics_prefix: {prefix}\n")
    with pytest.raises(PodpubError) as caught:
        publish(show_dir, PublishOptions(now=NOW))
    [problem] = caught.value.problems
    line = MINIMAL_SHOW.count("\n") + 1
    assert (problem.file, problem.line, problem.field) == ("show.yaml", line, "analytics_prefix")
    assert says in str(problem)
    assert not (show_dir / "public").exists()


def test_dry_run_reports_prefix_as_enclosure_change_without_redownload(tmp_path: Path, capsys):
    show_dir = _show(tmp_path)
    publish(show_dir, PublishOptions(now=NOW))
    with (show_dir / "show.yaml").open("a", encoding="utf-8") as file:
        file.write("analytics_prefix: https://op3.dev/e/\n")
    capsys.readouterr()
    assert main(["publish", str(show_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (
        f"      enclosure: https://{SITE} → https://op3.dev/e/{SITE}"
        "  (analytics prefix only: the same file, no new download)"
    ) in out
    assert (
        "  1 enclosure URL changes its analytics prefix only: the same file, the GUIDs "
        "unchanged; apps keep their downloads, nothing is downloaded again."
    ) in out
    assert "may download" not in out  # the wording of a moved file is not used
    assert "guid:" not in out  # no GUID change line


def test_moved_file_is_not_called_a_prefix_change(tmp_path: Path, capsys):
    show_dir = _show(tmp_path)
    publish(show_dir, PublishOptions(now=NOW))
    text = (show_dir / "show.yaml").read_text("utf-8")
    text += "media_url: https://cdn.example.net/\n"
    (show_dir / "show.yaml").write_text(text, "utf-8")
    capsys.readouterr()
    assert main(["publish", str(show_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "analytics prefix only" not in out
    assert "apps that go by the URL may download it again" in out


def test_a_preview_plays_its_own_copy_unmeasured(tmp_path: Path):
    show_dir = _show(tmp_path, "analytics: op3\n")
    out = tmp_path / "preview"
    publish(show_dir, PublishOptions(now=NOW, out=out, base_url="https://preview.example.net/"))
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    [url] = [link.href for e in feed.entries for link in e.links if link.rel == "enclosure"]
    assert url == "https://preview.example.net/audio/tone.mp3"
    page = (out / "episodes" / "ep1" / "index.html").read_text("utf-8")
    assert 'src="../../audio/tone.mp3"' in page


def test_both_settings_are_refused_at_the_prefix(tmp_path: Path):
    show_dir = _show(tmp_path, "analytics: podtrac\nanalytics_prefix: https://op3.dev/e/\n")
    with pytest.raises(PodpubError) as caught:
        publish(show_dir, PublishOptions(now=NOW))
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (MINIMAL_SHOW.count("\n") + 2, "analytics_prefix")
    assert "chain them in analytics_prefix" in problem.hint


@pytest.mark.parametrize(
    ("service", "prefix", "url", "published"),
    [
        # OP3: the scheme is written only for an http:// file (op3.dev/setup).
        (
            None,
            "https://op3.dev/e/",
            "http://h.example/a.mp3",
            "https://op3.dev/e/http://h.example/a.mp3",
        ),
        # Podtrac: never a scheme; the redirect names the file's kind.
        (
            "podtrac",
            None,
            "http://h.example/a.m4a",
            "https://dts.podtrac.com/redirect.m4a/h.example/a.m4a",
        ),
        (
            "podtrac",
            None,
            "https://h.example/a.ogg",
            "https://dts.podtrac.com/redirect.mp3/h.example/a.ogg",
        ),
    ],
)
def test_each_service_documented_form(service, prefix, url, published):
    from podpub.resolve.analytics import analytics_of, tracked

    assert tracked(url, analytics_of(service, prefix, "guid")) == published


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        (f"https://{SITE}", f"https://op3.dev/e/{SITE}", True),
        (f"https://op3.dev/e/{SITE}", f"https://dts.podtrac.com/redirect.mp3/{SITE}", True),
        (f"https://op3.dev/e/{SITE}", f"https://{SITE}", True),
        (f"https://{SITE}", "https://cdn.example.org/audio/tone.mp3", False),
        (f"https://{SITE}", "https://podcast.example.org/audio/other.mp3", False),
    ],
)
def test_a_prefix_change_is_told_from_a_moved_file(old, new, same):
    from podpub.resolve.analytics import same_file

    assert same_file(old, new) is same
