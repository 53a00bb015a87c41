"""An edit's output side goes through what it reaches, not file by file for the rest.

Real publishes of a generated show (in process, ``--jobs 1``, so the work can be
counted): the pages and chapter files an edit keeps take the keys the last publish made
them with in one call of the engine, not one call per file. The site on disk is still,
byte for byte, the one a ``--no-cache`` publish gives, and a page of the live site
edited by hand is still noticed and made again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.build.engine import Engine

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
