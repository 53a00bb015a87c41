"""An edit checks the episode it changed: the item rules read its feed item only.

A real ``podpub check`` with the cache (in this process, one job) of a generated show
whose Ogg episodes each get an RSS-06 warning; one episode is edited, and the item rules
(counted on RSS-06's check) must read that episode's item only, on whichever page it is,
while the report stays the one a ``--no-cache`` check gives, line numbers included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.cli import main
from podpub.rules.engine import RULES, FeedContext, Hit

from conftest import AUDIO, MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

EPISODES = 10


@pytest.fixture(autouse=True)
def one_process_fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    monkeypatch.setenv("PODPUB_JOBS", "1")  # the rules run here, where they are counted


def episode(number: int, title: str | None = None) -> str:
    audio = f"audio/ep{number}.ogg" if number % 2 else f"audio/ep{number}.mp3"
    return (
        MINIMAL_EPISODE.replace("First episode", title or f"Episode {number}")
        .replace("audio/tone.mp3", audio)
        .replace("2023-06-02", f"2023-06-{number:02d}")
    )


def make_show(folder: Path, page_size: int | None) -> Path:
    paging = f"feed_page_size: {page_size}\n" if page_size else ""
    show = write_show(
        folder, {f"ep{n}.yaml": episode(n) for n in range(1, EPISODES + 1)}, MINIMAL_SHOW + paging
    )
    for n in range(1, EPISODES + 1):
        suffix = "ogg" if n % 2 else "mp3"
        shutil.copy(AUDIO / f"tone.{suffix}", show / "audio" / f"ep{n}.{suffix}")
    return show


def report(show: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> dict[str, Any]:
    main(["check", str(show), "--format", "json", *flags])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def ours(found: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [finding for finding in found["findings"] if finding["rule"] == rule]


@pytest.fixture
def items_read() -> Iterator[list[str]]:
    """The titles of the items RSS-06's check reads, run after run (an item rule), and
    "the cover" each time APL-01 reads the show's cover."""
    seen: list[str] = []
    registered_before = list(RULES)
    for index, registered in enumerate(RULES):
        if registered.id == "RSS-06":
            real = registered.check

            def counting(ctx: FeedContext, real: Any = real) -> Iterable[Hit]:
                seen.extend(item.findtext("title") for item in ctx.items)
                return real(ctx)

            RULES[index] = dataclasses.replace(registered, check=counting)
        if registered.check.__name__ == "artwork":  # the show's cover: read, decoded
            cover = registered.check

            def reading_cover(ctx: FeedContext, real: Any = cover) -> Iterable[Hit]:
                seen.append("the cover")
                return real(ctx)

            RULES[index] = dataclasses.replace(registered, check=reading_cover)
    yield seen
    RULES[:] = registered_before


@pytest.mark.parametrize("page_size", [4, None], ids=["paged", "one-page"])
def test_an_edit_has_the_item_rules_read_its_item_only_and_finds_what_no_cache_finds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], items_read: list[str], page_size: int | None
) -> None:
    show = make_show(tmp_path / "show", page_size)
    first = report(show, capsys)
    ogg = ours(first, "RSS-06")
    assert len(ogg) == EPISODES // 2  # one per Ogg episode, each in its descriptor
    assert {f["file"] for f in ogg} == {f"episodes/ep{n}.yaml" for n in (1, 3, 5, 7, 9)}
    pages = -(-EPISODES // page_size) if page_size else 1
    assert items_read.count("the cover") == pages  # each page checked whole, the first time
    assert len(items_read) == EPISODES + pages

    items_read.clear()
    (show / "episodes" / "ep5.yaml").write_text(episode(5, "Episode 5, corrected"))
    edited = report(show, capsys)
    # its page's other items and its channel: what was found on them is kept
    assert items_read == ["Episode 5, corrected"]
    assert edited == report(show, capsys, "--no-cache")

    # A line added on top of a descriptor moves its findings' lines, not the feed's bytes
    items_read.clear()
    descriptor = show / "episodes" / "ep7.yaml"
    descriptor.write_text("# checked again\n" + descriptor.read_text())
    moved = report(show, capsys)
    assert items_read == ["Episode 7"]
    [line] = [f["line"] for f in ours(moved, "RSS-06") if f["file"] == "episodes/ep7.yaml"]
    assert line == next(f["line"] for f in ogg if f["file"] == "episodes/ep7.yaml") + 1
    assert moved == report(show, capsys, "--no-cache")


def test_an_episode_added_on_top_has_its_item_read_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], items_read: list[str]
) -> None:
    """Every item moves to another page: each keeps what was found on it."""
    show = make_show(tmp_path / "show", 4)
    report(show, capsys)
    items_read.clear()
    (show / "episodes" / "ep11.yaml").write_text(episode(11))
    shutil.copy(AUDIO / "tone.ogg", show / "audio" / "ep11.ogg")
    added = report(show, capsys)
    # (the channel changed: its lastBuildDate is the newest episode's date)
    assert [title for title in items_read if title != "the cover"] == ["Episode 11"]
    assert added == report(show, capsys, "--no-cache")


def test_an_episode_coming_due_is_checked_again_as_no_cache_checks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --future, the newest episodes may be dated after the build: RSS-10 says so
    until they come due, though neither their item nor their descriptor changes."""
    show = make_show(tmp_path / "show", 4)
    scheduled = episode(10).replace("2023-06-10", "2026-03-01")
    (show / "episodes" / "ep10.yaml").write_text(scheduled)
    before = report(show, capsys, "--future")
    assert [f["file"] for f in ours(before, "RSS-10")] == ["episodes/ep10.yaml"]
    assert before == report(show, capsys, "--future", "--no-cache")
    later = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(later.timestamp())))
    after = report(show, capsys, "--future")
    assert ours(after, "RSS-10") == []
    assert after == report(show, capsys, "--future", "--no-cache")


def test_the_rules_import_without_building_the_descriptor_models() -> None:
    """``podpub check --feed`` and the rules' own modules need no pydantic model: the
    vocabularies they share with the models live in input/taxonomy.py."""
    heavy = "{'pydantic', 'podpub.input.models'}"
    code = f"import sys, podpub.rules.run; print(sorted({heavy} & set(sys.modules)))"
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"
