"""The words of publish's change report and of `podpub tag` (issue 19, point 10): the
noun and the verb agree with the count; a change of credits is said, not "Nothing
changes"; the tag listing names credits once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from podpub.cli import main
from podpub.write.ledger import LEDGER_FILE
from podpub.write.publish import PublishOptions, publish

from conftest import MINIMAL_EPISODE, NOW, write_show

LATER = NOW + dt.timedelta(days=30)
CREDITS = "credits:\n  - role: Producer\n    people: [Barbara Gouy]\n"


def _episode(title: str, audio: str, extra: str = "") -> str:
    return MINIMAL_EPISODE.replace("First episode", title).replace("audio/tone.mp3", audio) + extra


def _show(tmp_path: Path, extra: str = "") -> Path:
    show_dir = write_show(
        tmp_path / "show",
        {
            "a.yaml": _episode("A", "audio/tone.mp3", extra),
            "b.yaml": _episode("B", "audio/tone.ogg", extra),
        },
    )
    publish(show_dir, PublishOptions(now=NOW))
    return show_dir


def test_one_and_two_title_changes_agree_in_number(tmp_path: Path):
    show_dir = _show(tmp_path)
    (show_dir / "episodes" / "a.yaml").write_text(_episode("A, v2", "audio/tone.mp3"))
    one = publish(show_dir, PublishOptions(now=LATER)).changes
    assert one is not None
    assert one.consequences() == [
        "The title of 1 episode changes: apps show the new title; nothing is downloaded again."
    ]
    (show_dir / "episodes" / "a.yaml").write_text(_episode("A, v3", "audio/tone.mp3"))
    (show_dir / "episodes" / "b.yaml").write_text(_episode("B, v2", "audio/tone.ogg"))
    two = publish(show_dir, PublishOptions(now=LATER)).changes
    assert two is not None
    assert two.consequences() == [
        "The titles of 2 episodes change: apps show the new titles; nothing is downloaded again."
    ]


def test_a_credits_change_is_said_to_change_what_apps_show(tmp_path: Path, capsys):
    show_dir = _show(tmp_path)
    (show_dir / "episodes" / "a.yaml").write_text(_episode("A", "audio/tone.mp3", CREDITS))
    assert main(["publish", str(show_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Nothing changes for subscribers" not in out
    assert "      credits: Emma Larbi (host) → Emma Larbi (host); Barbara Gouy (producer)" in out
    assert (
        "  The credits of 1 episode change: the podcast:person tags change, so apps that show "
        "the people of an episode show the new names and roles; nothing is downloaded again."
    ) in out


def test_a_ledger_written_before_credits_were_recorded_reports_no_credits_change(
    tmp_path: Path,
):
    show_dir = _show(tmp_path)
    path = show_dir / LEDGER_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["episodes"]:
        del entry["people"]  # as podpub wrote it before
    path.write_text(json.dumps(data), encoding="utf-8")
    changes = publish(show_dir, PublishOptions(now=LATER)).changes
    assert changes is not None
    assert changes.consequences() == ["Nothing changes for subscribers since the last publish."]
    recorded = json.loads(path.read_text(encoding="utf-8"))["episodes"][0]
    assert recorded["people"] == "Emma Larbi (host)"  # known from now on


def test_tag_names_credits_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    show_dir = write_show(tmp_path / "show", {"a.yaml": _episode("A", "audio/tone.mp3", CREDITS)})
    assert main(["tag", str(show_dir)]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("Tagged audio/tone.mp3"))
    assert line.count("credits") == 1, line


def test_a_show_notes_change_is_said_not_nothing_changes(tmp_path: Path, capsys):
    # A summary edit changes the text every app shows under the episode (the feed's
    # description and content:encoded); the report said "Nothing changes for subscribers".
    show_dir = _show(tmp_path)
    summary = "summary: Maria Lopez on running a small bakery.\n"
    (show_dir / "episodes" / "a.yaml").write_text(_episode("A", "audio/tone.mp3", summary))
    assert main(["publish", str(show_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Nothing changes for subscribers" not in out, out
    assert "      notes: the text published before → new text" in out, out
    assert (
        "  The show notes of 1 episode change: apps show the new text at their next refresh; "
        "nothing is downloaded again."
    ) in out, out
    # and the same edit, published, is not reported again
    assert main(["publish", str(show_dir)]) == 0
    capsys.readouterr()
    assert main(["publish", str(show_dir), "--dry-run"]) == 0
    assert "Nothing changes for subscribers" in capsys.readouterr().out


def test_a_ledger_written_before_notes_were_recorded_reports_no_notes_change(tmp_path: Path):
    show_dir = _show(tmp_path)
    path = show_dir / LEDGER_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["episodes"]:
        del entry["notes"]  # as podpub wrote it before
    path.write_text(json.dumps(data), encoding="utf-8")
    changes = publish(show_dir, PublishOptions(now=LATER)).changes
    assert changes is not None
    assert changes.consequences() == ["Nothing changes for subscribers since the last publish."]
    recorded = json.loads(path.read_text(encoding="utf-8"))["episodes"][0]
    assert len(recorded["notes"]) == 16  # known from now on
