"""Shared test helpers: the sample show, and small shows written into tmp_path."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
AUDIO = FIXTURES / "audio"
sys.path.insert(0, str(Path(__file__).parent))  # tests/factories.py

# A build time after every episode of the test shows: output never depends on the clock.
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

MINIMAL_SHOW = """\
title: Test show
description: A show for tests.
language: fr
url: https://podcast.example.org/
author: Test
owner:
  name: Test
  email: test@example.org
image: cover.png
categories:
  - News > Daily News
explicit: false
timezone: Europe/Paris
"""

MINIMAL_EPISODE = """\
title: First episode
date: 2023-06-02
audio: audio/tone.mp3
hosts:
  - Emma Larbi
headlines:
  - title: One
    start: "0:00"
  - title: Two
    start: "0:01"
"""


def write_show(
    folder: Path,
    episodes: dict[str, str] | None = None,
    show: str = MINIMAL_SHOW,
) -> Path:
    """A show folder with the given descriptors, the repo's cover and the tone fixtures."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "show.yaml").write_text(show, encoding="utf-8")
    shutil.copy(REPO / "cover.png", folder / "cover.png")
    (folder / "audio").mkdir(exist_ok=True)
    for fixture in AUDIO.glob("tone*"):
        shutil.copy(fixture, folder / "audio" / fixture.name)
    (folder / "episodes").mkdir(exist_ok=True)
    for name, text in (episodes if episodes is not None else {"ep1.yaml": MINIMAL_EPISODE}).items():
        (folder / "episodes" / name).write_text(text, encoding="utf-8")
    return folder


def numbered_show(folder: Path, count: int, first_day: int = 1) -> Path:
    """A show of ``count`` episodes ``ep1.yaml`` …, each with its own copy of the tone
    (``audio/epN.mp3``), one a day in June 2023 from ``first_day``."""
    (folder / "audio").mkdir(parents=True)
    episodes = {}
    for number in range(1, count + 1):
        shutil.copy(AUDIO / "tone.mp3", folder / "audio" / f"ep{number}.mp3")
        episodes[f"ep{number}.yaml"] = (
            MINIMAL_EPISODE.replace("First episode", f"Episode {number}")
            .replace("audio/tone.mp3", f"audio/ep{number}.mp3")
            .replace("2023-06-02", f"2023-06-{number + first_day - 1:02d}")
        )
    return write_show(folder, episodes)


def dated_episode(number: int, title: str | None = None) -> str:
    """Episode ``number`` of a show whose episodes are a day apart from 2 January 2022
    (``number`` days after 1 January), with its own audio (``audio/epN.mp3``) and
    MINIMAL_EPISODE's two headlines (a chapters JSON and WebVTT file each)."""
    day = dt.date(2022, 1, 1) + dt.timedelta(days=number)
    return (
        MINIMAL_EPISODE.replace("First episode", title or f"Episode {number}")
        .replace("audio/tone.mp3", f"audio/ep{number}.mp3")
        .replace("2023-06-02", day.isoformat())
    )


def dated_show(folder: Path, count: int, settings: str = "") -> Path:
    """A show of ``count`` :func:`dated_episode` episodes ``ep1.yaml`` …, each with its
    own copy of the tone; ``settings``: lines added to MINIMAL_SHOW."""
    episodes = {f"ep{n}.yaml": dated_episode(n) for n in range(1, count + 1)}
    folder = write_show(folder, episodes, MINIMAL_SHOW + settings)
    for n in range(1, count + 1):
        shutil.copy(AUDIO / "tone.mp3", folder / "audio" / f"ep{n}.mp3")
    return folder


def retitle_dated(show: Path, number: int, title: str) -> None:
    """Give :func:`dated_show`'s episode ``number`` another title (a producer's edit)."""
    path = show / "episodes" / f"ep{number}.yaml"
    path.write_text(dated_episode(number, title), encoding="utf-8")


PREVIEW_URL = "http://127.0.0.1:9/"  # a preview address nothing answers at


@pytest.fixture
def builder(show: Path) -> Any:
    """serve's preview of the test module's ``show`` fixture (:func:`warm_preview`); a
    module may make its own."""
    return warm_preview(show, PREVIEW_URL)


def warm_preview(show: Path, url: str) -> Any:
    """serve's preview of ``show`` (one job, so the work can be counted) built, saved
    and its standby brought up to date, as serve does once the first build is served:
    the next rebuild trusts its standby."""
    from podpub.serve.preview import PreviewBuilder

    built = PreviewBuilder(show, url, jobs=1)
    assert built.rebuild().ok
    built.flush()
    built.prepare_standby()
    return built


def rebuilt_and_saved(builder: Any, *paths: Path) -> Any:
    """``builder`` rebuilt after ``paths`` were saved, then saved, as serve does: the
    rebuild's outcome, which must be a success."""
    outcome = builder.rebuild(list(paths))
    assert outcome.ok, outcome.problems
    builder.flush()
    return outcome


def publish_in_one_job(show: Path, out: Path, *flags: str) -> None:
    """``podpub publish --quiet --jobs 1`` into ``out``, which must succeed."""
    from podpub.cli import main

    assert main(["publish", str(show), "--out", str(out), "--quiet", "--jobs", "1", *flags]) == 0


def edit_after_two_publishes(show: Path, out: Path, *counted: Any) -> None:
    """The edit a test of what an edit reaches measures: ``show`` (a :func:`dated_show`)
    published into ``out``, its episode 10 retitled and published again (the last run's
    keys then come with what made them), each of ``counted`` emptied (what the test
    counts: Counters or lists), then episode 30 retitled "Renamed" and published."""
    publish_in_one_job(show, out)
    retitle_dated(show, 10, "First edit")
    publish_in_one_job(show, out)
    for counts in counted:
        counts.clear()
    retitle_dated(show, 30, "Renamed")
    publish_in_one_job(show, out)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: a copy of an output to compare with."""
    found = {}
    for current, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(current, name)
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def differing(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """The paths added, removed or with other bytes between two :func:`tree` copies."""
    return {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's clock at :data:`NOW` (SOURCE_DATE_EPOCH), in podpub and its subprocesses."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


@pytest.fixture
def small_show(tmp_path: Path) -> Path:
    return write_show(tmp_path / "show")


def copy_sample_show(target: Path) -> Path:
    """Copy the repository's sample show to ``target`` (tests must not write into the repo)."""
    target.mkdir(parents=True)
    for name in ("show.yaml", "cover.png"):
        shutil.copy(REPO / name, target / name)
    for folder in ("episodes", "audio", "templates"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, target / folder)
    return target


@pytest.fixture
def sample_show(tmp_path: Path) -> Path:
    return copy_sample_show(tmp_path / "sample")


NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """tests/node/node_modules, installed from the lock file on first use (npm ci)."""
    import subprocess

    modules = NODE_DIR / "node_modules"
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed (Debian packages nodejs, npm)")
    if not (modules / ".package-lock.json").is_file():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"],
            cwd=NODE_DIR,
            check=True,
            capture_output=True,
        )
    return modules


def linked_now(out: Path, show: Path) -> dict[str, list[int]]:
    """What linked-media.json must say: each published audio file that is the show's own."""
    found = {}
    for published in sorted((out / "audio").iterdir()):
        st, source = os.stat(published), os.stat(show / "audio" / published.name)
        if (st.st_dev, st.st_ino) == (source.st_dev, source.st_ino):
            found[f"audio/{published.name}"] = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]
    return found
