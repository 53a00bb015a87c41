"""After a publish, podpub says when the next scheduled episode is due."""

from __future__ import annotations

from pathlib import Path

import pytest

from podpub.cli import main

from conftest import MINIMAL_EPISODE, NOW, write_show


def _episode(date: str) -> str:
    return MINIMAL_EPISODE.replace("date: 2023-06-02", f"date: {date}")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))  # 1 January 2026


def _publish(show_dir: Path, capsys) -> list[str]:
    capsys.readouterr()
    assert main(["publish", str(show_dir)]) == 0
    return capsys.readouterr().out.splitlines()


def test_publish_names_the_next_scheduled_episode_in_the_show_zone(tmp_path: Path, capsys, clock):
    show_dir = write_show(
        tmp_path / "show",
        {
            "ep1.yaml": MINIMAL_EPISODE,
            "later.yaml": _episode("2026-04-03T09:00:00"),
            # written in UTC: 08:00Z is 09:00 in the show's zone (Europe/Paris, winter)
            "soon.yaml": _episode("2026-03-06T08:00:00Z"),
            "draft.yaml": _episode("2026-02-01") + "draft: true\n",
        },
    )
    line = "next: episodes/soon.yaml on Friday 6 March 09:00 — publish again then"
    assert line in _publish(show_dir, capsys)
    # A publish that finds nothing changed says it again.
    again = _publish(show_dir, capsys)
    assert again[0].startswith("Nothing changed since the last publish")
    assert line in again


def test_a_later_year_is_named(tmp_path: Path, capsys, clock):
    show_dir = write_show(
        tmp_path / "show",
        {"ep1.yaml": MINIMAL_EPISODE, "next.yaml": _episode("2027-01-08T18:30:00")},
    )
    assert (
        "next: episodes/next.yaml on Friday 8 January 2027 18:30 — publish again then"
        in _publish(show_dir, capsys)
    )


def test_nothing_scheduled_says_nothing(tmp_path: Path, capsys, clock):
    show_dir = write_show(tmp_path / "show")
    assert not any(line.startswith("next:") for line in _publish(show_dir, capsys))
