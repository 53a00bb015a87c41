"""An edit writes what changed and looks at nothing else, in a warm build (serve).

Real rebuilds of a real show through serve's PreviewBuilder: the warm build staged the
preview's last two sites itself, so after an edit it keeps every other file as it is,
without looking at it on disk, and what it says changed is still exactly what differs
on disk. A standby it did not make itself (a new serve, a cache written by another
process) is checked file by file as a publish checks it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.cli import main
from podpub.serve.preview import PreviewBuilder, preview_folder
from podpub.write.linked import LINKED_FILE
from podpub.write.output import output_state
from podpub.write.publish import PublishOptions, publish

from conftest import AUDIO, differing, linked_now, numbered_show, tree

URL = "http://127.0.0.1:9/"
EPISODES = 6


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return numbered_show(tmp_path / "show", EPISODES, first_day=2)


def retitle(show: Path, number: int, title: str) -> Path:
    path = show / "episodes" / f"ep{number}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("title: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"title: {title}" + text[end:], encoding="utf-8")
    return path


class OutputStats:
    """Each ``os.stat`` of a path in podpub's output folders (the preview, its staging
    folders), as the site path it names (``episodes/ep2/index.html``; "" the root)."""

    def __init__(self, show: Path) -> None:
        self.state = os.fspath(show.resolve() / ".podpub") + os.sep
        self.site = os.fspath(preview_folder(show).resolve()) + os.sep
        self.seen: list[str] = []
        self.real = os.stat

    def __call__(self, path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
        if text.startswith(self.site):
            self.seen.append(text[len(self.site) :])
        elif text.startswith(self.state) and "/staging-" in text:
            rest = text.split("/staging-", 1)[1]
            self.seen.append(rest.partition("/")[2])
        return self.real(path, *args, **kwargs)


@pytest.fixture
def output_stats(show: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OutputStats]:
    counter = OutputStats(show)
    yield counter
    monkeypatch.setattr(os, "stat", counter.real)


def test_a_warm_rebuild_looks_at_no_output_file_it_does_not_write(
    show: Path, output_stats: OutputStats, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit, the preview's other files are kept without a stat: the warm build
    made the standby folder it starts from (its site before the live one) and nobody
    else writes the preview. Only the files it writes and their folders are stamped
    (the old code stamped every file and every folder of the site)."""
    builder = PreviewBuilder(show, URL, jobs=1)
    assert builder.rebuild().ok
    for n in range(2):  # the first site is copied as the standby; then each is in turn
        assert builder.rebuild([retitle(show, 2, f"Second, take {n}")]).ok
        builder.flush()
    before = tree(preview_folder(show))
    monkeypatch.setattr(os, "stat", output_stats)

    outcome = builder.rebuild([retitle(show, 2, "Second, final")])

    monkeypatch.setattr(os, "stat", output_stats.real)
    after = tree(preview_folder(show))
    assert outcome.ok and set(outcome.changed) == differing(before, after)
    folders = {
        "/".join(rel.split("/")[:depth]) for rel in after for depth in range(rel.count("/") + 1)
    }
    unchanged = set(after) - set(outcome.changed)
    assert len(unchanged) > 3 * EPISODES  # pages, audio, chapters of the other episodes
    assert [rel for rel in output_stats.seen if rel in unchanged] == [], output_stats.seen
    assert set(output_stats.seen) <= set(outcome.changed) | folders


def test_a_title_changed_and_changed_back_reports_what_differs_on_disk_each_time(
    show: Path,
) -> None:
    """The warm build compares only the paths that may have changed (what it wrote or
    removed, and what the last rebuild changed): a page written two rebuilds ago and
    kept since, or changed back, is still reported exactly."""
    builder = PreviewBuilder(show, URL, jobs=1)
    assert builder.rebuild().ok
    steps = [(2, "Renamed"), (2, "Episode 2"), (4, "Fourth, renamed"), (2, "Renamed"), (4, "x")]
    for number, title in steps:
        before = tree(preview_folder(show))
        outcome = builder.rebuild([retitle(show, number, title)])
        after = tree(preview_folder(show))
        assert outcome.ok and set(outcome.changed) == differing(before, after), title
        assert outcome.changed, title
    cold = show.parent / "cold"
    publish(show, PublishOptions(out=cold, base_url=URL))
    assert tree(preview_folder(show)) == tree(cold)


def test_a_preview_edited_by_hand_between_two_serves_does_not_come_back(show: Path) -> None:
    """A new serve does not trust the standby the last one left: its description comes
    from disk, and the preview (which the standby shares files with) may have been
    changed in place since. Each of its files is checked before it is kept."""
    first = PreviewBuilder(show, URL, jobs=1)
    assert first.rebuild().ok
    assert first.rebuild([retitle(show, 1, "One")]).ok
    first.flush()
    page = preview_folder(show) / "episodes" / "ep3" / "index.html"
    original = page.read_bytes()
    with open(page, "r+b") as handle:  # same size, in place: the standby's copy too
        handle.write(original[:20].upper())

    second = PreviewBuilder(show, URL, jobs=1)
    for title in ("One again", "One more time"):  # the edited site is the standby, then live
        assert second.rebuild([retitle(show, 1, title)]).ok
        second.flush()
    cold = show.parent / "cold"
    publish(show, PublishOptions(out=cold, base_url=URL))
    assert tree(preview_folder(show)) == tree(cold)


def test_the_linked_audio_record_left_as_it_is_by_edits_is_what_is_on_disk(
    show: Path, tmp_path: Path
) -> None:
    """A publish that links no media anew keeps the last record when it says nothing
    changed since the one before; after new audio, a change back, more edits, the
    record is still each time what is on disk (the audio the output shares)."""
    out = tmp_path / "public"
    record = output_state(out.resolve(), show).root / LINKED_FILE
    steps = ["edit", "edit", "audio", "edit", "edit", "edit", "audio", "edit"]
    for number, step in enumerate(steps):
        if step == "audio":  # new audio under the same name, renamed over the old
            new = show / "audio" / "new.mp3"
            new.write_bytes((AUDIO / "tone.mp3").read_bytes() + b"\0" * (number + 1))
            os.replace(new, show / "audio" / "ep3.mp3")
        else:
            retitle(show, 1 + number % 2, f"Title {number}")
        assert main(["publish", str(show), "--out", str(out), "-q"]) == 0
        on_disk = linked_now(out, show)
        if not on_disk:
            pytest.skip("this file system clones: the published audio is not the show's file")
        assert json.loads(record.read_text(encoding="utf-8"))["files"] == on_disk, step
