"""An edit's output side makes the keys, and reads the media paths, of what it reaches.

Real publishes of a generated show (in process, ``--jobs 1``, so the work can be
counted): an edit of one title makes again the keys of the files that show the title
(its episode page and its neighbours', its chapter files, the show and person pages
that list it), not those of every episode's files, and makes no Path of the other
episodes' audio and artwork; the site on disk is still, byte for byte, the one a
``--no-cache`` publish gives, and a page of the live site edited by hand is still
noticed and made again. The pages and chapter files an edit keeps take the keys the
last publish made them with in one call of the engine, not one call per file.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.build import kept
from podpub.build.engine import Engine

from conftest import AUDIO, NOW, dated_show, edit_after_two_publishes, tree
from conftest import dated_episode as episode
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
def keys_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many keys the run made (a repr and a hash each), by what they key: an episode
    page, a chapters JSON or WebVTT file, a show or person page…"""
    made: Counter[str] = Counter()
    real = Engine.keyed

    def keyed(engine: Engine, render: Any, *parts: Any, **options: Any) -> Any:
        made[parts[0] if parts[0] in ("json", "vtt") else parts[2]] += 1
        return real(engine, render, *parts, **options)

    monkeypatch.setattr(Engine, "keyed", keyed)
    yield made


@pytest.fixture
def paths_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The media paths made Path objects of the text the store lends (kept.py)."""
    made: list[str] = []

    def path(text: str) -> Path:
        made.append(text)
        return Path(text)

    monkeypatch.setattr(kept, "Path", path)
    yield made


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many times the run asked the engine for the last publish's keys ("calls"),
    and for how many files in all ("files"); ``keyed_as_last``, a call per file, is
    how the engine was asked before ``renders_as_last`` (counted where it exists)."""
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


def test_a_title_edit_makes_the_keys_of_the_files_showing_it_only(
    show: Path, tmp_path: Path, keys_made: Counter[str], asked: Counter[str]
) -> None:
    out = tmp_path / "out"
    edit_after_two_publishes(show, out, keys_made, asked)
    # ep30's page and its two neighbours' (their previous/next links show its title),
    # its two chapter files: not the 40 pages' and 80 chapter files' keys
    assert keys_made["episode"] == 3
    assert (keys_made["json"], keys_made["vtt"]) == (1, 1)
    # the others' keys taken from the last publish: the 40 episode pages (the 3 it
    # reaches keyed anew after), then the 78 chapter files it does not reach, in two
    # calls, not a call for each of these files
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


def test_another_template_or_episode_count_makes_every_key_the_next_edit_its_own(
    show: Path, tmp_path: Path, keys_made: Counter[str]
) -> None:
    """What the keys are made of besides the records (the template set, the count of
    episodes: every page's place) changed: no key of the last publish is taken, and
    the edit after it makes only its own again."""
    out = tmp_path / "out"
    publish(show, out)
    retitle(show, 10, "First edit")
    publish(show, out)
    shutil.copy(AUDIO / "tone.mp3", show / "audio" / f"ep{EPISODES + 1}.mp3")
    (show / "episodes" / f"ep{EPISODES + 1}.yaml").write_text(episode(EPISODES + 1))
    keys_made.clear()
    publish(show, out)
    assert keys_made["episode"] == EPISODES + 1
    publish(show, tmp_path / "fresh", "--no-cache")
    assert tree(out) == tree(tmp_path / "fresh")

    (show / "templates").mkdir(exist_ok=True)
    (show / "templates" / "_footer.html").write_text("<footer>by hand</footer>\n")
    retitle(show, 30, "Renamed")
    keys_made.clear()
    publish(show, out)
    assert keys_made["episode"] == EPISODES + 1
    publish(show, tmp_path / "fresh2", "--no-cache")
    assert tree(out) == tree(tmp_path / "fresh2")

    retitle(show, 20, "Renamed too")
    keys_made.clear()
    publish(show, out)
    assert keys_made["episode"] == 3
    publish(show, tmp_path / "fresh3", "--no-cache")
    assert tree(out) == tree(tmp_path / "fresh3")


def test_a_title_edit_makes_no_path_of_the_other_episodes_media(
    show: Path, tmp_path: Path, paths_made: list[str]
) -> None:
    out = tmp_path / "out"
    edit_after_two_publishes(show, out, paths_made)
    # the three pages rendered again read their audio's path (the player's link)
    assert len(paths_made) <= 3
    publish(show, tmp_path / "fresh", "--no-cache")
    assert tree(out) == tree(tmp_path / "fresh")
