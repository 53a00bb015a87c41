"""An edit's output side goes through what it reaches, not file by file for the rest.

Real publishes of a generated show (in process, ``--jobs 1``, so the work can be
counted), and serve's warm rebuilds of its preview: the pages and chapter files an edit
keeps take the keys the last publish made them with in one call of the engine, not one
call per file; a warm rebuild compares with its output folder the media paths of the
records it made again only (the others are the very records it checked last time).
The site on disk is still, byte for byte, the one a ``--no-cache`` publish gives, and a
page of the live site edited by hand is still noticed and made again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.build import kept
from podpub.build.engine import Engine
from podpub.serve.preview import PreviewBuilder, preview_folder
from podpub.write import safety

from conftest import NOW, dated_show, tree
from conftest import publish_in_one_job as publish
from conftest import retitle_dated as retitle

EPISODES = 40  # each with its own audio and two headlines (a chapters JSON and WebVTT)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return dated_show(tmp_path / "show", EPISODES, "episodes_per_page: 20\n")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many times the run asked the engine for the last publish's keys ("calls"),
    and for how many files in all ("files")."""
    counts: Counter[str] = Counter()
    for name in ("keyed_as_last", "renders_as_last"):
        real = getattr(Engine, name, None)
        if real is None:
            continue

        def counted(engine: Engine, rels: Any, *rest: Any, _real: Any = real) -> Any:
            counts["calls"] += 1
            counts["files"] += 1 if isinstance(rels, str) else len(rels)
            return _real(engine, rels, *rest)

        monkeypatch.setattr(Engine, name, counted)
    yield counts


def test_an_edit_takes_the_last_keys_of_the_files_it_keeps_in_one_call_each_kind(
    show: Path, tmp_path: Path, asked: Counter[str]
) -> None:
    out = tmp_path / "out"
    publish(show, out)
    retitle(show, 10, "First edit")  # the last run's keys now come with what made them
    publish(show, out)
    asked.clear()

    retitle(show, 30, "Renamed")
    publish(show, out)
    # the 40 episode pages (the 3 it reaches keyed anew after), then the 78 chapter
    # files it does not reach: two calls, not a call for each of these files
    assert asked["calls"] == 2
    assert asked["files"] == EPISODES + 2 * (EPISODES - 1)
    publish(show, tmp_path / "fresh", "--no-cache")
    assert tree(out) == tree(tmp_path / "fresh")

    # a page and a chapter file of an episode the edit does not reach, edited by hand
    # in the live site: their keys are the last ones, and they are still made again
    page = out / "episodes" / "ep5" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Episode 5", b"Edited by hand"))
    chapters = next((out / "episodes" / "ep6").glob("*.json"))
    chapters.write_bytes(b"{}")
    retitle(show, 30, "Renamed again")
    publish(show, out)
    publish(show, tmp_path / "fresh2", "--no-cache")
    assert tree(out) == tree(tmp_path / "fresh2")


@pytest.fixture
def media_read_by_the_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The episodes (by key) whose audio path the output's safety check
    (``refuse_inputs_inside``) reads."""
    read: list[str] = []
    checking = False
    real_field = kept.LentEpisodeRecord.__dict__["audio_source"]

    class Counted(type(real_field)):  # type: ignore[misc]
        def __get__(self, record: Any, owner: Any = None) -> Any:
            if record is not None and checking:
                read.append(record.key)
            return super().__get__(record, owner)

    monkeypatch.setattr(kept.LentEpisodeRecord, "audio_source", Counted("audio_source"))
    real_check = safety.refuse_inputs_inside

    def check(*args: Any) -> None:
        nonlocal checking
        checking = True
        try:
            real_check(*args)
        finally:
            checking = False

    monkeypatch.setattr(safety, "refuse_inputs_inside", check)
    yield read


def test_a_warm_rebuild_checks_the_media_paths_of_the_records_it_made_again_only(
    show: Path, media_read_by_the_check: list[str]
) -> None:
    builder = PreviewBuilder(show, "http://127.0.0.1:9/", jobs=1)
    assert builder.rebuild().ok  # the preview lies inside the show folder: checked
    retitle(show, 10, "First edit")
    assert builder.rebuild([show / "episodes" / "ep10.yaml"]).ok
    media_read_by_the_check.clear()

    retitle(show, 30, "Renamed")
    assert builder.rebuild([show / "episodes" / "ep30.yaml"]).ok
    assert set(media_read_by_the_check) == {"ep30"}  # not the 39 it checked before

    # a media file the output folder holds is still refused, in the same process
    inside = preview_folder(show) / "tone.mp3"
    inside.write_bytes((show / "audio" / "ep20.mp3").read_bytes())
    descriptor = show / "episodes" / "ep20.yaml"
    descriptor.write_text(
        descriptor.read_text().replace("audio/ep20.mp3", ".podpub/preview/site/tone.mp3"),
        encoding="utf-8",
    )
    refused = builder.rebuild([descriptor])
    assert not refused.ok
    assert "refusing to publish" in str(refused.problems)
