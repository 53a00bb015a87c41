"""Forked worker processes: results in order, failures reported, a failed publish harmless."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from podpub.build import workers
from podpub.build.workers import parallel_map
from podpub.cli import main
from podpub.errors import PodpubError, Problem

from conftest import AUDIO, MINIMAL_EPISODE, NOW, write_show


def test_results_come_back_in_order_from_every_process():
    parent = os.getpid()
    results = parallel_map(lambda i: (i * i, os.getpid()), list(range(300)), jobs=3, min_items=10)
    assert [square for square, _ in results] == [i * i for i in range(300)]
    assert len({pid for _, pid in results}) == 3  # the parent and two children did a share
    assert any(pid == parent for _, pid in results)


def test_a_child_computes_at_most_per_child_items_then_a_fresh_one_takes_over():
    parent = os.getpid()
    results = parallel_map(
        lambda i: (i * i, time.sleep(0.001) or os.getpid()),
        list(range(300)),
        jobs=2,
        min_items=10,
        per_child=40,
    )
    assert [square for square, _ in results] == [i * i for i in range(300)]
    children = [pid for _, pid in results if pid != parent]
    counts = [children.count(pid) for pid in dict.fromkeys(children)]
    assert len(counts) >= 2  # the child's work in several children
    assert max(counts) <= 40
    assert counts[:-1] == [40] * (len(counts) - 1)  # each gave way once its 40 were done


def test_a_slow_child_does_not_keep_the_work_nobody_started():
    parent = os.getpid()

    def slow_in_a_child(i: int) -> int:
        if os.getpid() != parent:
            time.sleep(0.01)
        return os.getpid()

    pids = parallel_map(slow_in_a_child, list(range(200)), jobs=2, min_items=10)
    # each process took the next items when done with its own: the parent, quicker here,
    # did more than the half a fixed split gives it (every second item)
    assert pids.count(parent) > 100
    assert len(set(pids)) == 2


def test_side_results_of_the_children_reach_the_parent():
    seen: list[int] = []
    merged: list[object] = []
    results = parallel_map(
        lambda i: seen.append(i) or i,
        list(range(200)),
        jobs=2,
        min_items=10,
        collect=lambda: sorted(seen),
        merge=merged.append,
    )
    assert results == list(range(200))
    # what the child saw, sent back: the items the parent did not compute
    assert len(merged) == 1
    assert merged[0] == sorted(set(range(200)) - set(seen))
    assert merged[0]


def test_a_problem_in_a_child_is_a_problem_in_the_parent():
    parent = os.getpid()

    def fail_on_odd(i: int) -> int:
        if os.getpid() != parent:  # any item the child computes
            raise PodpubError([Problem("episodes/x.yaml", 1, 1, "title", "bad title")])
        return i

    with pytest.raises(PodpubError) as caught:
        parallel_map(fail_on_odd, list(range(200)), jobs=2, min_items=10)
    assert caught.value.problems[0].message == "bad title"


def test_a_crash_in_a_child_is_a_bug_with_its_traceback():
    parent = os.getpid()

    def crash(i: int) -> int:
        return i if os.getpid() == parent else 1 // 0  # any item the child computes

    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        parallel_map(crash, list(range(200)), jobs=2, min_items=10)


def test_a_map_forks_a_bounded_number_of_children_whatever_its_size():
    """A fork costs in proportion to the parent's memory, which grows with the show: a map
    of many items (a cold publish of 50,000 episodes stages 200,000 files) forks a few
    children, each doing a bigger share, not one per PER_CHILD items (whose cost, forks
    times the parent's size, grew with the square of the show)."""
    parent = os.getpid()
    pids = parallel_map(lambda _: os.getpid(), list(range(200_000)), jobs=2)
    children = set(pids) - {parent}
    assert 1 <= len(children) <= 16


def test_small_work_stays_in_the_process():
    parent = os.getpid()
    assert {pid for pid in parallel_map(lambda _: os.getpid(), list(range(50)), jobs=4)} == {parent}


def test_a_publish_over_recycled_children_writes_the_bytes_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    show = show_of(tmp_path / "show", 150)
    monkeypatch.setattr(workers, "PER_CHILD", 7)  # every stage over many short-lived children
    monkeypatch.setattr(workers, "FORKS_AT_MOST", 1_000)  # (not bounded by the map's size)
    forks: list[int] = []
    real_fork = workers._fork
    monkeypatch.setattr(workers, "_fork", lambda *a: forks.append(1) or real_fork(*a))
    recycled, alone = tmp_path / "recycled", tmp_path / "alone"
    assert main(["publish", str(show), "--out", str(recycled), "--jobs", "2", "-q"]) == 0
    assert len(forks) > 20  # 75 descriptors of the child's share: 11 children at least
    assert main(["publish", str(show), "--out", str(alone), "--jobs", "1", "--no-cache"]) == 0
    files = sorted(p.relative_to(recycled) for p in recycled.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file())
    for rel in files:
        assert (recycled / rel).read_bytes() == (alone / rel).read_bytes(), rel


def show_of(folder: Path, count: int) -> Path:
    show = write_show(folder, {})
    for i in range(count):
        shutil.copy(AUDIO / "tone.mp3", show / "audio" / f"e{i}.mp3")
        text = MINIMAL_EPISODE.replace("First episode", f"Episode {i}")
        text = text.replace("audio/tone.mp3", f"audio/e{i}.mp3")
        text = text.replace("2023-06-02", f"2022-{1 + i // 28:02d}-{1 + i % 28:02d}")
        (show / "episodes" / f"e{i:03d}.yaml").write_text(text, encoding="utf-8")
    return show


def test_failing_page_in_a_worker_leaves_the_previous_site_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    show = write_show(tmp_path / "show", {})
    for i in range(150):
        shutil.copy(AUDIO / "tone.mp3", show / "audio" / f"e{i}.mp3")
        text = MINIMAL_EPISODE.replace("First episode", f"Episode {i}")
        text = text.replace("audio/tone.mp3", f"audio/e{i}.mp3")
        text = text.replace("2023-06-02", f"2022-{1 + i // 28:02d}-{1 + i % 28:02d}")
        (show / "episodes" / f"e{i:03d}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    assert main(["publish", str(show), "--out", str(out), "--jobs", "2"]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    (show / "templates").mkdir()  # a template that breaks on one episode's page only
    (show / "templates" / "episode.html").write_text(
        '{% extends "theme/episode.html" %}{% block title %}'
        "{% if episode.title == 'Episode 77' %}{{ no_such_value }}{% endif %}"
        "{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    assert main(["publish", str(show), "--out", str(out), "--jobs", "2"]) == 3
    assert "internal error" in capsys.readouterr().err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob("*/.podpub/outputs/*/staging-*"))


def test_the_parent_looks_for_answers_between_its_items_not_after_each(
    monkeypatch: pytest.MonkeyPatch,
):
    """A child has its next run before it ends one: the parent need not look for its
    answers (a select) after each of its own items, only every LOOK_EVERY seconds."""
    looks = 0
    real = workers.select.select

    def counted(*args: object) -> object:
        nonlocal looks
        looks += 1
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(workers.select, "select", counted)
    parent = os.getpid()
    pids = parallel_map(lambda i: os.getpid(), list(range(20_000)), jobs=2, min_items=10)
    mine = pids.count(parent)
    assert mine > 1_000 and len(set(pids)) > 1  # the parent and children did a share…
    assert looks < mine / 10  # …and the parent looked far fewer times than it computed
