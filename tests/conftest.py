"""Shared test helpers: the sample show, and small shows written into tmp_path."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

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
