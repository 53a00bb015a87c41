"""A warm rebuild (serve's preview, build/rebuild.py) after one edit checks what the edit
reached, not the whole show: the refusal of an output folder holding the show's files
and the internal check of the staged site's files look again at the episodes whose
records changed only, and take the last rebuild's verdict for the others. A check that
must fail still fails: an edit that puts an input inside the output folder is refused,
and the feed rules find after each edit what a check without cache finds.

Real rebuilds of a generated show (``jobs=1``); what the checks look at is counted on
the functions that look at one episode.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.serve.preview import PreviewBuilder, preview_folder
from podpub.site import sitemap
from podpub.write import safety
from podpub.write.publish import PublishOptions, checked, publish

from conftest import (
    PREVIEW_URL,
    dated_episode,
    dated_show,
    rebuilt_and_saved,
    retitle_dated,
    tree,
)

URL = PREVIEW_URL
EPISODES = 40

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return dated_show(tmp_path / "show", EPISODES, "episodes_per_page: 20\nfeed_page_size: 15\n")


@pytest.fixture
def looked_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """The episodes the checks looked at one by one: whose media files were compared
    with the output folder, whose expected files were listed; and those whose sitemap
    entry was made again by a warm rebuild."""
    seen: Counter[str] = Counter()
    # (looked up by name: a version of podpub without them counts nothing)
    media, expected = (
        getattr(safety, "_media_inside", None),
        getattr(safety, "_episode_expected", None),
    )
    entry = getattr(sitemap, "_entry", None)

    def media_inside(target: str, episode: Any) -> Any:
        seen["media compared with the output"] += 1
        return media(target, episode)  # type: ignore[misc]

    def episode_expected(episode: Any, local: bool) -> Any:
        seen["expected files listed"] += 1
        return expected(episode, local)  # type: ignore[misc]

    def sitemap_entry(episode: Any) -> Any:
        seen["sitemap entries made again"] += 1
        return entry(episode)  # type: ignore[misc]

    monkeypatch.setattr(safety, "_media_inside", media_inside, raising=False)
    monkeypatch.setattr(sitemap, "_entry", sitemap_entry, raising=False)
    monkeypatch.setattr(safety, "_episode_expected", episode_expected, raising=False)
    yield seen


def rebuilt(builder: PreviewBuilder, *paths: Path) -> Any:
    return rebuilt_and_saved(builder, *paths)


def test_an_edit_checks_the_episode_it_changed_not_every_episode(
    show: Path, builder: PreviewBuilder, looked_at: Counter[str], tmp_path: Path
) -> None:
    """From the session's first edit on (serve's first build keeps what its checks'
    verdicts were found of), each title changed has the checks look at its own episode
    only, and the sitemap is made of the others' entries as they were; the preview is
    still what a publish without cache makes. A command-line publish keeps nothing of
    the sort (the warm build's first run does)."""
    for number, title in [(3, "First edit"), (30, "Renamed"), (7, "Renamed too"), (30, "Again")]:
        looked_at.clear()
        retitle_dated(show, number, title)
        outcome = rebuilt(builder, show / "episodes" / f"ep{number}.yaml")
        assert f"episodes/ep{number}/index.html" in outcome.changed
        assert looked_at == {
            "media compared with the output": 1,
            "expected files listed": 1,
            "sitemap entries made again": 1,
        }
    fresh = tmp_path / "fresh"
    publish(show, PublishOptions(out=fresh, base_url=URL))  # no cache, no workers
    assert tree(preview_folder(show)) == tree(fresh)


def test_an_edit_that_puts_an_input_in_the_output_folder_is_refused_warm(
    show: Path, builder: PreviewBuilder
) -> None:
    """The edited episode's audio now lies in the preview folder (its published copy):
    the warm rebuild refuses, as a cold one does, and the preview stays as it was; once
    the edit is undone, it builds again."""
    for number, title in [(3, "First edit"), (8, "Second edit")]:
        retitle_dated(show, number, title)
        rebuilt(builder, show / "episodes" / f"ep{number}.yaml")
    before = tree(preview_folder(show))
    descriptor = show / "episodes" / "ep12.yaml"
    inside = ".podpub/preview/site/audio/ep12.mp3"
    assert (show / inside).is_file()
    descriptor.write_text(dated_episode(12).replace("audio/ep12.mp3", inside))
    outcome = builder.rebuild([descriptor])
    assert not outcome.ok
    assert any("refusing to publish into" in p.message for p in outcome.problems), outcome
    assert any(inside in p.message for p in outcome.problems), outcome.problems
    assert tree(preview_folder(show)) == before
    descriptor.write_text(dated_episode(12, "Back home"))
    assert rebuilt(builder, descriptor).changed


def test_the_feed_rules_find_after_each_edit_what_a_check_without_cache_finds(
    show: Path, builder: PreviewBuilder
) -> None:
    """Every episode's title repeats its number (an APL-10 warning each): after edits
    that remove and bring back warnings on several feed pages, a warm rebuild reports
    the findings of a check without cache, in the same order."""
    edits = [(5, "Fifth"), (33, "Thirty-three"), (5, "Episode 5 again"), (20, "Twenty")]
    for number, title in edits:
        retitle_dated(show, number, title)
        outcome = rebuilt(builder, show / "episodes" / f"ep{number}.yaml")
        cold = checked(show, PublishOptions(base_url=URL))
        assert outcome.problems == tuple(p for p in cold.problems if p.level != "error")
    rules = Counter(getattr(p, "rule", "") for p in outcome.problems)
    assert rules["APL-10"] == EPISODES - 2  # 20 and 33 no longer repeat their number
    # an episode added on top: every item moves to another page, each keeps its findings
    shutil.copy(show / "audio" / "ep1.mp3", show / "audio" / f"ep{EPISODES + 1}.mp3")
    added = show / "episodes" / f"ep{EPISODES + 1}.yaml"
    added.write_text(dated_episode(EPISODES + 1))
    outcome = rebuilt(builder, added, show / "audio" / f"ep{EPISODES + 1}.mp3")
    cold = checked(show, PublishOptions(base_url=URL))
    assert outcome.problems == tuple(p for p in cold.problems if p.level != "error")
    rules = Counter(getattr(p, "rule", "") for p in outcome.problems)
    assert rules["APL-10"] == EPISODES - 1


def test_an_edited_date_or_a_renamed_episode_is_in_the_warm_sitemap_as_a_publish_writes_it(
    show: Path, builder: PreviewBuilder, tmp_path: Path
) -> None:
    """The sitemap's episode entries are kept from the last rebuild but for the episodes
    whose records changed: a date moved (the episode keeps its place among the others)
    and a descriptor renamed are in the warm sitemap, which is the one a publish without cache
    writes."""
    retitle_dated(show, 3, "First edit")
    rebuilt(builder, show / "episodes" / "ep3.yaml")
    sitemap = preview_folder(show) / "sitemap.xml"
    descriptor = show / "episodes" / "ep10.yaml"
    descriptor.write_text(dated_episode(10).replace("date: 2022-01-11", "date: 2022-01-11T18:30"))
    rebuilt(builder, descriptor)
    assert b"2022-01-11T18:30:00" in sitemap.read_bytes()
    renamed = show / "episodes" / "twenty-one.yaml"  # its page's address: the file's name
    (show / "episodes" / "ep21.yaml").rename(renamed)
    rebuilt(builder, show / "episodes" / "ep21.yaml", renamed)
    assert b"/episodes/twenty-one/" in sitemap.read_bytes()
    fresh = tmp_path / "fresh"
    publish(show, PublishOptions(out=fresh, base_url=URL))
    assert tree(preview_folder(show)) == tree(fresh)


def test_a_page_staged_empty_beside_the_edit_is_caught_by_the_warm_check(
    show: Path, builder: PreviewBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a few edits the warm check of the staged files looks again at what the
    staging says may differ from the last site, not at the 120 others: a neighbour's
    page (its "next" link names the edited episode) staged empty by a fault is still
    caught, the rebuild refused, and the preview left as it was."""
    from podpub.write.output import Staging

    for number, title in [(3, "First"), (30, "Second"), (7, "Third")]:
        retitle_dated(show, number, title)
        rebuilt(builder, show / "episodes" / f"ep{number}.yaml")
    before = tree(preview_folder(show))
    write = Staging.write
    target = "episodes/ep31/index.html"

    def faulty(staging: Staging, rel: str, data: bytes, identity: Any = None) -> Any:
        return write(staging, rel, b"" if rel == target else data, identity)

    monkeypatch.setattr(Staging, "write", faulty)
    retitle_dated(show, 30, "Fourth")
    outcome = builder.rebuild([show / "episodes" / "ep30.yaml"])
    assert not outcome.ok
    assert [p.message for p in outcome.problems] == [
        f"internal check of the new site: {target} is empty"
    ]
    assert tree(preview_folder(show)) == before
