"""A rule found many times is told in one line with its count and first places; every
finding with --verbose or in JSON (issue 19, point 9)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from podpub.cli import main

from conftest import MINIMAL_EPISODE, NOW, write_show

COUNT = 7


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


@pytest.fixture
def ogg_show(tmp_path: Path) -> Path:
    """Seven Ogg episodes: seven RSS-06 warnings (Apple does not list Ogg)."""
    episodes = {
        f"ep{n}.yaml": MINIMAL_EPISODE.replace("First episode", f"Talk {'ABCDEFG'[n - 1]}").replace(
            "audio/tone.mp3", f"audio/tone{n}.ogg"
        )
        for n in range(1, COUNT + 1)
    }
    show_dir = write_show(tmp_path / "show", episodes)
    for n in range(1, COUNT + 1):
        shutil.copy(show_dir / "audio" / "tone.ogg", show_dir / "audio" / f"tone{n}.ogg")
    return show_dir


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_check_tells_a_repeated_rule_in_one_line(ogg_show: Path, capsys):
    status, out, _ = _run(["check", str(ogg_show), "--no-cache"], capsys)
    assert status == 0
    rss06 = [line for line in out.splitlines() if "RSS-06" in line]
    assert len(rss06) == 1, out
    assert rss06[0].startswith(
        f"  RSS-06 warning ×{COUNT} (Apple Podcasts), the first: audio: Apple Podcasts does "
        "not list episodes whose enclosure is audio/ogg ("
    ), rss06
    assert rss06[0].endswith(
        "— in episodes/ep1.yaml:3:8, episodes/ep2.yaml:3:8, episodes/ep3.yaml:3:8 and "
        f"{COUNT - 3} more (--verbose lists them all)"
    )
    # The summary still counts them all (and the unpinned podcast:guid, P20-02).
    assert f"0 errors, {COUNT + 1} warnings" in out.splitlines()[-1]


def test_verbose_and_json_list_every_finding(ogg_show: Path, capsys):
    _, out, _ = _run(["check", str(ogg_show), "--no-cache", "--verbose"], capsys)
    assert sum("RSS-06" in line for line in out.splitlines()) == COUNT
    _, out, _ = _run(["check", str(ogg_show), "--no-cache", "--format", "json"], capsys)
    findings = json.loads(out)["findings"]
    assert sum(f["rule"] == "RSS-06" for f in findings) == COUNT


def test_publish_groups_them_too_and_lists_them_with_verbose(ogg_show: Path, capsys):
    status, _, err = _run(["publish", str(ogg_show), "-q"], capsys)
    assert status == 0
    assert sum("RSS-06" in line for line in err.splitlines()) == 1
    assert f"RSS-06 warning ×{COUNT} (Apple Podcasts)" in err
    # Nothing changed: the same grouped line again, or every finding with --verbose.
    _, _, err = _run(["publish", str(ogg_show), "-q"], capsys)
    assert sum("RSS-06" in line for line in err.splitlines()) == 1
    _, _, err = _run(["publish", str(ogg_show), "-q", "--verbose"], capsys)
    assert sum("RSS-06" in line for line in err.splitlines()) == COUNT
