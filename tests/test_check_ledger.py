"""`podpub check` refuses what `publish` refuses, the ledger comparison included (issue 19.1),
and a published episode re-dated into the future is located at its date (issue 19.4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podpub.cli import main

from conftest import MINIMAL_EPISODE, NOW, write_show


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def _episode(title: str, audio: str = "audio/tone.mp3") -> str:
    return MINIMAL_EPISODE.replace("First episode", title).replace("audio/tone.mp3", audio)


def _published(tmp_path: Path) -> Path:
    show_dir = write_show(
        tmp_path / "show", {"a.yaml": _episode("A"), "b.yaml": _episode("B", "audio/tone.ogg")}
    )
    assert main(["publish", str(show_dir), "-q"]) == 0
    return show_dir


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_check_refuses_a_deleted_published_episode_as_publish_does(tmp_path, capsys):
    show_dir = _published(tmp_path)
    capsys.readouterr()
    (show_dir / "episodes" / "b.yaml").unlink()
    check_status, check_out = _run(["check", str(show_dir)], capsys)
    publish_status, publish_out = _run(["publish", str(show_dir)], capsys)
    assert publish_status == 1
    assert check_status == 1
    message = "published since 2026-01-01 as 'B', but its descriptor is gone"
    assert message in publish_out and message in check_out
    assert "publish with --remove b" in check_out
    assert "publish would refuse this show" in check_out
    # The flag that lets publish through lets the check through.
    status, out = _run(["check", str(show_dir), "--remove", "b"], capsys)
    assert status == 0, out


def test_check_refuses_a_changed_guid_and_reissue_guid_allows_it(tmp_path, capsys):
    show_dir = _published(tmp_path)
    capsys.readouterr()
    (show_dir / "episodes" / "a.yaml").write_text(_episode("A") + "guid: a-new-guid\n")
    status, out = _run(["check", str(show_dir), "--format", "json"], capsys)
    assert status == 1
    assert "every app would download it again as a new episode" in out
    status, out = _run(["check", str(show_dir), "--reissue-guid", "a"], capsys)
    assert status == 0, out


def test_an_episode_redated_into_the_future_points_at_its_date_line(tmp_path, capsys):
    show_dir = _published(tmp_path)
    capsys.readouterr()
    text = _episode("B", "audio/tone.ogg").replace("date: 2023-06-02", "date: 2099-06-02")
    (show_dir / "episodes" / "b.yaml").write_text(text)
    status, out = _run(["publish", str(show_dir)], capsys)
    assert status == 1
    assert "episodes/b.yaml:2:1: date: published since 2026-01-01 as 'B'" in out
    status, out = _run(["check", str(show_dir)], capsys)
    assert status == 1
    assert "2:1      error" in out and "date: published since" in out


def test_an_episode_turned_draft_points_at_its_draft_line(tmp_path, capsys):
    show_dir = _published(tmp_path)
    capsys.readouterr()
    (show_dir / "episodes" / "b.yaml").write_text(_episode("B", "audio/tone.ogg") + "draft: true\n")
    status, out = _run(["publish", str(show_dir)], capsys)
    assert status == 1
    assert "episodes/b.yaml:11:1: draft: published since" in out
