"""The in-process "rebuild after these paths changed" API (build/rebuild.py, serve's
PreviewBuilder), in real runs: what it says changed is what differs on disk, and a warm
rebuild does not read the show's cache from disk again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.cli import main
from podpub.serve.preview import PreviewBuilder, preview_folder
from podpub.write.publish import PublishOptions, publish

from conftest import MINIMAL_EPISODE, differing, tree, write_show

URL = "http://127.0.0.1:9/"
SECOND = (
    MINIMAL_EPISODE.replace("First episode", "Second episode")
    .replace("2023-06-02", "2023-06-09")
    .replace("tone.mp3", "tone-vbr.mp3")
)
THIRD = (
    MINIMAL_EPISODE.replace("First episode", "Third episode")
    .replace("2023-06-02", "2023-06-16")
    .replace("tone.mp3", "tone.m4a")
)
EPISODES = {"ep1.yaml": MINIMAL_EPISODE, "ep2.yaml": SECOND, "ep3.yaml": THIRD}


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return write_show(tmp_path / "show", dict(EPISODES))


@pytest.fixture
def builder(show: Path) -> PreviewBuilder:
    built = PreviewBuilder(show, URL, jobs=1)
    assert built.rebuild().ok
    return built


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edited_title_reports_exactly_the_files_whose_bytes_differ(
    show: Path, builder: PreviewBuilder
) -> None:
    before = tree(preview_folder(show))
    episode = show / "episodes" / "ep2.yaml"
    edit(episode, "Second episode", "Second, renamed")
    outcome = builder.rebuild([episode])
    after = tree(preview_folder(show))
    assert outcome.ok
    assert set(outcome.changed) == differing(before, after)
    assert "episodes/ep2/index.html" in outcome.changed and "feed.xml" in outcome.changed
    assert "audio/tone.mp3" not in outcome.changed  # its media stayed as it was


def test_no_change_reports_none(show: Path, builder: PreviewBuilder) -> None:
    before = tree(preview_folder(show))
    saved = builder.rebuild([show / "episodes" / "ep1.yaml"])  # saved as it was
    assert saved.changed == () and not saved.built  # nothing built: no stamp differs
    assert builder.rebuild().changed == ()
    assert tree(preview_folder(show)) == before


def test_a_removed_episode_lists_its_pages_as_removed(show: Path, builder: PreviewBuilder) -> None:
    before = tree(preview_folder(show))
    episode = show / "episodes" / "ep3.yaml"
    episode.unlink()
    outcome = builder.rebuild([episode])
    after = tree(preview_folder(show))
    assert outcome.ok and outcome.episodes == 2
    assert set(outcome.changed) == differing(before, after)
    assert "episodes/ep3/index.html" in outcome.changed
    assert "episodes/ep3/index.html" not in after


def test_a_refused_rebuild_reports_problems_and_changes_nothing(
    show: Path, builder: PreviewBuilder
) -> None:
    before = tree(preview_folder(show))
    episode = show / "episodes" / "ep2.yaml"
    edit(episode, "hosts:", "hosts: [")
    refused = builder.rebuild([episode])
    assert not refused.ok and refused.changed == ()
    assert refused.problems[0].file == "episodes/ep2.yaml"
    assert tree(preview_folder(show)) == before
    edit(episode, "hosts: [", "hosts:")  # fixed as it was: the same site again
    fixed = builder.rebuild([episode])
    assert fixed.ok and fixed.changed == ()
    assert tree(preview_folder(show)) == before


def test_a_path_not_named_is_still_seen_by_a_rebuild_of_unknown_paths(
    show: Path, builder: PreviewBuilder
) -> None:
    edit(show / "episodes" / "ep1.yaml", "First episode", "First, renamed")
    outcome = builder.rebuild()  # no paths: every input is stamped again
    assert "episodes/ep1/index.html" in outcome.changed


def test_warm_rebuilds_make_the_bytes_of_a_cold_build(
    show: Path, builder: PreviewBuilder, tmp_path: Path
) -> None:
    """The cache kept in memory between rebuilds makes the same site as none at all,
    also after another process (a publish from a terminal) wrote the show's cache."""
    for name, old, new in [
        ("ep2.yaml", "Second episode", "Second, renamed"),
        ("ep1.yaml", "Emma Larbi", "Emma Larbi\n  - Jean Dupont"),
    ]:
        edit(show / "episodes" / name, old, new)
        assert builder.rebuild([show / "episodes" / name]).ok
    assert main(["publish", str(show), "-q"]) == 0  # another writer of .podpub/cache
    edit(show / "episodes" / "ep3.yaml", "Third episode", "Third, renamed")
    assert builder.rebuild([show / "episodes" / "ep3.yaml"]).ok
    cold = tmp_path / "cold"
    publish(show, PublishOptions(out=cold, base_url=URL))  # no cache, no workers
    assert tree(preview_folder(show)) == tree(cold)


class CacheReads:
    """The stage files of the show's cache (``*.pickle``: not Jinja's compiled templates
    beside them) opened for reading while :attr:`live` (a Python audit hook: every
    open() of the process, as it happens)."""

    def __init__(self, show: Path) -> None:
        self.folder = os.fspath(show.resolve() / ".podpub" / "cache") + os.sep
        self.reads: list[str] = []
        self.live = False

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.live or event != "open" or not isinstance(args[0], str | os.PathLike):
            return
        path, mode, flags = os.fspath(args[0]), args[1], args[2]
        reading = "r" in mode if mode else flags & os.O_ACCMODE == os.O_RDONLY
        if path.startswith(self.folder) and path.endswith(".pickle") and reading:
            self.reads.append(path[len(self.folder) :])


@pytest.fixture
def cache_reads(show: Path) -> Iterator[CacheReads]:
    recorder = CacheReads(show)
    sys.addaudithook(recorder)  # cannot be removed: it stops recording instead
    try:
        yield recorder
    finally:
        recorder.live = False


def test_a_warm_rebuild_reads_no_cache_file_again(
    show: Path, builder: PreviewBuilder, cache_reads: CacheReads
) -> None:
    episode = show / "episodes" / "ep2.yaml"
    for n in range(2):  # the first one saves the first build's results (serve's flush)
        edit(episode, "Second episode" if n == 0 else "renamed 0", f"renamed {n}")
        cache_reads.live = n == 1
        outcome = builder.rebuild([episode])
        assert outcome.ok and "episodes/ep2/index.html" in outcome.changed
    assert cache_reads.reads == []


def test_the_saves_of_a_refused_rebuild_count_in_the_next(
    show: Path, builder: PreviewBuilder
) -> None:
    """Two saves in one burst, one of them breaking the show: once it is fixed, the
    other save is in the site though the watcher names only the fixed file."""
    broken, renamed = show / "show.yaml", show / "episodes" / "ep3.yaml"
    edit(broken, "language: fr", "language: [")
    edit(renamed, "Third episode", "Third, renamed")
    assert not builder.rebuild([broken, renamed]).ok
    edit(broken, "language: [", "language: fr")
    fixed = builder.rebuild([broken])
    assert fixed.ok and "episodes/ep3/index.html" in fixed.changed
    assert "Third, renamed" in (preview_folder(show) / "episodes/ep3/index.html").read_text()


def test_a_rebuild_left_unsaved_leaves_a_cache_that_builds_right(
    show: Path, builder: PreviewBuilder, tmp_path: Path
) -> None:
    """serve stopped (killed) between a rebuild and its flush(): the next serve finds the
    cache of the rebuild before, and still builds the site a cold build makes."""
    episode = show / "episodes" / "ep2.yaml"
    edit(episode, "Second episode", "Second, renamed")
    assert builder.rebuild([episode]).ok  # saves the first build's cache, not its own
    edit(episode, "Second, renamed", "Second, renamed again")
    assert builder.rebuild([episode]).ok  # not flushed: as if killed here
    edit(show / "episodes" / "ep1.yaml", "First episode", "First, renamed")
    restarted = PreviewBuilder(show, URL, jobs=1)
    assert restarted.rebuild().ok
    cold = tmp_path / "cold"
    publish(show, PublishOptions(out=cold, base_url=URL))
    assert tree(preview_folder(show)) == tree(cold)


def test_an_added_episode_lists_its_pages_as_added(show: Path, builder: PreviewBuilder) -> None:
    before = tree(preview_folder(show))
    episode = show / "episodes" / "ep4.yaml"
    episode.write_text(
        THIRD.replace("Third episode", "Fourth episode")
        .replace("2023-06-16", "2023-06-23")
        .replace("tone.m4a", "tone-vbr-noxing.mp3"),
        encoding="utf-8",
    )
    outcome = builder.rebuild([episode])  # only the new file is stamped
    after = tree(preview_folder(show))
    assert outcome.ok and outcome.episodes == 4
    assert set(outcome.changed) == differing(before, after)
    assert "episodes/ep4/index.html" in outcome.changed


def test_a_warm_rebuild_makes_again_only_the_records_of_what_changed(
    show: Path, builder: PreviewBuilder
) -> None:
    """The unchanged episodes' records of the last rebuild serve the next one as they
    are (their contents read once), not made again from the store at each save."""
    episode = show / "episodes" / "ep2.yaml"
    edit(episode, "Second episode", "renamed 0")
    assert builder.rebuild([episode]).ok  # also saves the first build's results
    before = {e.key: e for e in builder._warm.last.site.episodes}
    edit(episode, "renamed 0", "renamed 1")

    assert builder.rebuild([episode]).ok

    after = {e.key: e for e in builder._warm.last.site.episodes}
    assert after["ep2"].title == "renamed 1" and after["ep2"] is not before["ep2"]
    assert after["ep1"] is before["ep1"] and after["ep3"] is before["ep3"]
