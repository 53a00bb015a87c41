"""An edit resolves what it changed, from what the last run resolved (resolve/last.py).

Real runs over a show of 120 episodes: a publish, an edit of one descriptor, a second
publish (from the command line, and in a warm build), counting what the second one
asked of the store episode by episode. Then a series of edits of every kind, each
resolved from the last run's and compared with a resolve without any cache.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.build.engine import Engine
from podpub.cli import main
from podpub.resolve import resolver
from podpub.resolve.options import PlanOptions
from podpub.serve.preview import PreviewBuilder

from conftest import AUDIO, MINIMAL_EPISODE, NOW, write_show

EPISODES = 120


def show_of(folder: Path, count: int = EPISODES) -> Path:
    """``count`` episodes, each with its own audio file and a credit line."""
    write_show(folder, {})
    for i in range(1, count + 1):
        shutil.copy(AUDIO / "tone.mp3", folder / "audio" / f"ep{i}.mp3")
        text = MINIMAL_EPISODE.replace("First episode", f"Episode {i}")
        text = text.replace("audio/tone.mp3", f"audio/ep{i}.mp3")
        text = text.replace("2023-06-02", f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}")
        text += f"credits:\n  - role: Réalisation\n    people: [P{i % 7}]\n"
        (folder / "episodes" / f"ep{i}.yaml").write_text(text, encoding="utf-8")
    return folder


def edit(show: Path, name: str, old: str, new: str) -> Path:
    path = show / "episodes" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """What a run asks episode by episode: records looked up in the store (one by one,
    each checked against its inputs), descriptors given to load, episodes resolved."""
    counts: Counter[str] = Counter()
    looked_up, load, resolve = Engine.resolved, Engine.load_descriptors, resolver._resolve_episode

    def resolved(self: Engine, *args: Any) -> Any:
        counts["looked up"] += 1
        return looked_up(self, *args)

    def load_descriptors(self: Engine, paths: Any, *args: Any) -> Any:
        counts["loaded"] += len(paths)
        return load(self, paths, *args)

    def resolve_episode(*args: Any, **kwargs: Any) -> Any:
        counts["resolved"] += 1
        return resolve(*args, **kwargs)

    monkeypatch.setattr(Engine, "resolved", resolved)
    monkeypatch.setattr(Engine, "load_descriptors", load_descriptors)
    monkeypatch.setattr(resolver, "_resolve_episode", resolve_episode)
    yield counts


def publish(show: Path, out: Path, *flags: str) -> None:
    assert main(["publish", str(show), "--out", str(out), "-q", "--jobs", "1", *flags]) == 0


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_publish_after_an_edit_resolves_that_episode_and_asks_nothing_of_the_others(
    tmp_path: Path, asked: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    show = show_of(tmp_path / "show")
    publish(show, tmp_path / "out")
    edit(show, "ep60.yaml", "title: Episode 60", "title: Episode 60, revised")
    asked.clear()

    publish(show, tmp_path / "out")

    assert asked == {"loaded": 1, "resolved": 1}  # not one look-up of the 119 others
    publish(show, tmp_path / "fresh", "--no-cache")
    assert files_of(tmp_path / "out") == files_of(tmp_path / "fresh")
    assert b"Episode 60, revised" in (tmp_path / "out" / "episodes/ep60/index.html").read_bytes()


def test_a_warm_rebuild_after_an_edit_resolves_that_episode_only(
    tmp_path: Path, asked: Counter[str]
) -> None:
    show = show_of(tmp_path / "show")
    builder = PreviewBuilder(show, "http://127.0.0.1:9/", jobs=1)
    assert builder.rebuild().ok
    descriptor = edit(show, "ep7.yaml", "title: Episode 7", "title: Episode 7, revised")
    asked.clear()

    outcome = builder.rebuild([descriptor])

    assert outcome.ok
    assert asked == {"loaded": 1, "resolved": 1}
    assert "episodes/ep7/index.html" in outcome.changed


def resolved_with_cache(show: Path) -> tuple[Any, list[str]]:
    engine = Engine(show, jobs=1)
    site, problems = resolver.resolve_all(show, PlanOptions(now=NOW), run=engine)
    engine.save()
    return site, [str(p) for p in problems]


def resolved_fresh(show: Path) -> tuple[Any, list[str]]:
    site, problems = resolver.resolve_all(show, PlanOptions(now=NOW))
    return site, [str(p) for p in problems]


EDITS = [
    ("title", lambda show: edit(show, "ep5.yaml", "title: Episode 5", "title: Five")),
    ("date: moves", lambda show: edit(show, "ep6.yaml", "date: 2023-01-07", "date: 2023-05-30")),
    ("draft", lambda show: edit(show, "ep8.yaml", "title: Episode 8", "title: E8\ndraft: true")),
    ("undraft", lambda show: edit(show, "ep8.yaml", "draft: true", "draft: false")),
    ("future", lambda show: edit(show, "ep9.yaml", "date: 2023-01-10", "date: 2099-01-10")),
    ("guid taken", lambda show: edit(show, "ep10.yaml", "title: Episode 10", "guid: x\ntitle: T")),
    ("guid clash", lambda show: edit(show, "ep11.yaml", "title: Episode 11", "guid: x\ntitle: U")),
    ("guid fixed", lambda show: edit(show, "ep11.yaml", "guid: x", "guid: y")),
    ("person", lambda show: edit(show, "ep12.yaml", "people: [P5]", "people: [Someone New]")),
    ("broken", lambda show: edit(show, "ep13.yaml", "title: Episode 13", "title: [")),
    ("mended", lambda show: edit(show, "ep13.yaml", "title: [", "title: Thirteen")),
    ("audio", lambda show: shutil.copy(AUDIO / "tone-vbr.mp3", show / "audio" / "ep14.mp3")),
    ("added", lambda show: (show / "episodes" / "ep999.yaml").write_text(MINIMAL_EPISODE)),
    ("removed", lambda show: (show / "episodes" / "ep15.yaml").unlink()),
    ("show", lambda show: edit(show, "../show.yaml", "title: Test show", "title: Renamed")),
]


def test_each_kind_of_edit_resolves_as_a_run_without_cache(tmp_path: Path) -> None:
    """Whether an edit is resolved from the last run's (most) or the whole show again
    (a move in the order, a GUID taken, a person named, episodes added or removed), the
    site and the problems are what a run without any cache finds."""
    show = show_of(tmp_path / "show", 30)
    resolved_with_cache(show)
    for name, change in EDITS:
        change(show)
        site, problems = resolved_with_cache(show)
        fresh, fresh_problems = resolved_fresh(show)
        assert problems == fresh_problems, name
        if fresh is None:
            assert site is None, name
            continue
        assert site.episodes == fresh.episodes, name
        assert (site.skipped, site.next_due, site.show) == (
            fresh.skipped,
            fresh.next_due,
            fresh.show,
        ), name
        again, _ = resolved_with_cache(show)  # nothing changed since: the same again
        assert again.episodes == fresh.episodes, name


def test_a_big_single_file_stage_saves_an_edit_beside_it_and_reads_it_back(tmp_path: Path):
    """A stage of many entries in one file (the last-resolve stage, the feed rules'
    findings) saves the few changed by a run in its delta file, not the whole file;
    every run reads the two merged; a base file written again voids an older delta."""
    from podpub.build.store import CacheOptions, ShowCache

    show = tmp_path / "show"
    show.mkdir()

    def cache() -> ShowCache:
        return ShowCache(show, CacheOptions())

    first = cache()
    stage = first.stage("table")
    for i in range(100):
        stage.put(f"k{i}", "v1", i)
    first.save()
    folder = first.folder
    base = (folder / "table.pickle").read_bytes()

    second = cache()
    second.stage("table").put("k7", "v1", "seven")
    second.stage("table").entries.pop("k8")
    second.stage("table").touch(["k8"])
    second.save()
    assert (folder / "table.pickle").read_bytes() == base  # left as it was
    assert (folder / "table.delta.pickle").stat().st_size < len(base) // 4
    entries = cache().stage("table").entries
    assert entries["k7"] == ("v1", "seven") and "k8" not in entries and len(entries) == 99

    stale = (folder / "table.delta.pickle").read_bytes()
    third = cache()
    for i in range(50):  # many changed: the base is written again, whole
        third.stage("table").put(f"k{i}", "v1", -i)
    third.save()
    assert not (folder / "table.delta.pickle").exists()
    (folder / "table.delta.pickle").write_bytes(stale)  # a delta of the older base
    entries = cache().stage("table").entries
    assert entries["k7"] == ("v1", -7) and entries["k8"] == ("v1", -8)
