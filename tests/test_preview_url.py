"""Issue 19 point 3: previews on localhost and the LAN, and http:// findings located right.

A producer previewing with ``--base-url http://localhost:8000/`` was told it is "not an
absolute URL"; with ``http://127.0.0.1:8000/`` four https rules refused the build, one of
them pointing at ``headlines:`` 1:1 of an episode without headlines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podpub.cli import main
from podpub.input.preview import base_url_problem, is_preview_url
from podpub.rules.checker import check_show
from podpub.write.publish import PublishOptions

from conftest import MINIMAL_SHOW, NOW, write_show

# An episode with chapters but no headlines: its chapters file still gets a URL.
CHAPTERS_ONLY = """\
title: Chapters only
date: 2023-06-02
audio: audio/tone.mp3
hosts:
  - Emma Larbi
chapters:
  - title: Intro
    start: "0:00"
  - title: Outro
    start: "0:01"
"""


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/",
        "http://127.0.0.1:8000/",
        "http://[::1]:8000/",
        "http://192.168.1.20/",
        "http://10.0.0.5:8080/show/",
        "http://studio.local:8000/",
        "http://nas:8000/",
    ],
)
def test_a_preview_address_publishes_without_https_findings(
    tmp_path: Path, url: str, epoch: None, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show", {"ep1.yaml": CHAPTERS_ONLY})
    out = tmp_path / "preview"
    status = main(["publish", str(show), "--base-url", url, "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "https" not in captured.err  # no APL-01, P20-03, RSS-05, DOC-10 for a preview
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert f'url="{url}audio/tone.mp3"' in feed  # the enclosure is on the preview host
    assert not (show / "published.lock").exists()  # a preview never records the ledger


@pytest.mark.parametrize("url", ["http://localhost:8000/", "http://127.0.0.1:8000/"])
def test_check_of_a_preview_has_no_https_finding(tmp_path: Path, url: str) -> None:
    show = write_show(tmp_path / "show", {"ep1.yaml": CHAPTERS_ONLY})
    report = check_show(show, PublishOptions(base_url=url, now=NOW))
    rules = {getattr(p, "rule", "") for p in report.problems}
    assert not rules & {"APL-01", "P20-03", "RSS-05", "DOC-10"}, report.problems
    assert not report.errors


def test_a_public_http_address_still_fails_the_https_rules(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show", {"ep1.yaml": CHAPTERS_ONLY})
    report = check_show(show, PublishOptions(base_url="http://staging.example.org/", now=NOW))
    rules = {getattr(p, "rule", "") for p in report.errors}
    assert {"APL-01", "P20-03", "RSS-05"} <= rules
    # The fix is the flag: every such finding names it, none an episode field.
    https = [p for p in report.problems if "http://" in p.message]
    assert https and {p.file for p in https} == {"--base-url"}


def test_http_findings_point_at_the_url_line_of_show_yaml(tmp_path: Path) -> None:
    """An http:// url in show.yaml: every https finding points at that line, never at an
    episode's headlines (this episode has none) or audio."""
    show_text = MINIMAL_SHOW.replace("https://podcast.example.org/", "http://podcast.example.org/")
    show = write_show(tmp_path / "show", {"ep1.yaml": CHAPTERS_ONLY}, show=show_text)
    url_line = next(
        i for i, line in enumerate(show_text.splitlines(), 1) if line.startswith("url:")
    )
    report = check_show(show, PublishOptions(now=NOW))
    https = [p for p in report.problems if "http://" in p.message]
    assert len(https) >= 4, report.problems  # artwork, chapters, enclosure, links
    for problem in https:
        assert (problem.file, problem.line, problem.field) == ("show.yaml", url_line, "url")
    assert not [p for p in report.problems if p.field.startswith("headlines")]


def test_http_media_url_findings_point_at_media_url(tmp_path: Path) -> None:
    show_text = MINIMAL_SHOW + "media_url: http://cdn.example.org/media/\n"
    show = write_show(tmp_path / "show", show=show_text)
    report = check_show(show, PublishOptions(now=NOW))
    enclosure = [p for p in report.problems if getattr(p, "rule", "") == "RSS-05"]
    assert enclosure and all(p.field == "media_url" for p in enclosure), enclosure
    assert all(p.line == len(show_text.splitlines()) for p in enclosure)


@pytest.mark.parametrize(
    ("url", "preview"),
    [
        ("http://localhost:8000/", True),
        ("https://127.0.0.1/", True),
        ("http://[::1]:4000/", True),
        ("http://172.16.3.4/", True),
        ("http://169.254.10.1/", True),
        ("http://raspberrypi.local/", True),
        ("https://podcast.example.org/", False),
        ("http://8.8.8.8/", False),
        ("ftp://localhost/", False),
    ],
)
def test_which_addresses_are_previews(url: str, preview: bool) -> None:
    assert is_preview_url(url) is preview


@pytest.mark.parametrize("url", ["localhost:8000", "http://", "http://exa mple/", "example.org"])
def test_a_base_url_that_is_no_address_is_refused_with_an_example(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert base_url_problem(url) is not None
    show = write_show(tmp_path / "show")
    assert main(["publish", str(show), "--base-url", url]) == 1
    err = capsys.readouterr().err
    assert re.search(r"not an absolute URL; give one such as https://\S+ or, for a preview", err)
    assert not (show / "public").exists()
