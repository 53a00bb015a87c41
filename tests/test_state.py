"""Issue 19 point 7: podpub's state in one place. A publish creates the output folder and
the show's ``.podpub/``, nothing else: no lock, standby or staging folder beside the
output, wherever the output is."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from podpub.cli import main

from conftest import write_show


def publish_cli(show: Path, out: Path, *flags: str) -> int:
    return main(["publish", str(show), "--out", str(out), *flags])


def retitle(show: Path, title: str) -> None:
    episode = show / "episodes" / "ep1.yaml"
    text = episode.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", text)
    episode.write_text(text, encoding="utf-8")


def test_a_preview_beside_the_show_leaves_nothing_else_in_the_parent(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show")
    preview = tmp_path / "preview"
    for title in ("First episode", "Edited", "Edited again"):  # the standby is in use by now
        retitle(show, title)
        assert publish_cli(show, preview) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preview", "show"]
    assert "Edited again" in (preview / "feed.xml").read_text(encoding="utf-8")
    # all of podpub's working files are in the show's .podpub/, which git ignores
    made = {p.name for p in show.iterdir()} - {"show.yaml", "cover.png", "audio", "episodes"}
    assert made == {".podpub", "published.lock"}
    assert (show / ".podpub" / ".gitignore").read_text().splitlines()[-1] == "*"
    (state,) = (show / ".podpub" / "outputs").iterdir()
    assert state.name.startswith("preview-")
    assert {"lock", "standby"} <= {p.name for p in state.iterdir()}


def test_two_outputs_of_one_show_keep_separate_state(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show")
    assert publish_cli(show, tmp_path / "public") == 0
    assert (
        publish_cli(show, tmp_path / "preview", "--base-url", "https://staging.example.org/") == 0
    )
    assert publish_cli(show, tmp_path / "public") == 0
    names = sorted(p.name.split("-")[0] for p in (show / ".podpub" / "outputs").iterdir())
    assert names == ["preview", "public"]
    assert "staging.example.org" in (tmp_path / "preview" / "feed.xml").read_text()
    assert "staging.example.org" not in (tmp_path / "public" / "feed.xml").read_text()


def test_what_older_podpubs_left_beside_the_output_is_tidied_away(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show")
    (tmp_path / ".public.lock").write_bytes(b"")
    (tmp_path / ".public.standby" / "episodes").mkdir(parents=True)
    (tmp_path / ".public.staging-123-456").mkdir()
    assert publish_cli(show, tmp_path / "public") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "show"]


@pytest.fixture
def other_device(tmp_path: Path) -> Iterator[Path]:
    """A folder on another file system than tmp_path (tmpfs), removed afterwards."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    folder = shm / f"podpub-test-{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_an_output_on_another_file_system_keeps_its_state_beside_it(
    tmp_path: Path, other_device: Path
) -> None:
    """The staging folder is renamed onto the output, and a rename cannot cross file
    systems: the state of such an output lives in a .podpub/ beside it."""
    show = write_show(tmp_path / "show")
    out = other_device / "site"
    for title in ("First episode", "Edited", "Edited again"):
        retitle(show, title)
        assert publish_cli(show, out) == 0
    assert "Edited again" in (out / "feed.xml").read_text(encoding="utf-8")
    assert sorted(p.name for p in other_device.iterdir()) == [".podpub", "site"]
    (state,) = (other_device / ".podpub" / "outputs").iterdir()
    assert (state / "standby").is_dir()
    assert not (show / ".podpub" / "outputs").exists()


def test_the_state_of_an_output_that_is_gone_is_removed(tmp_path: Path) -> None:
    """A deleted preview's standby does not stay in .podpub/ for good."""
    show = write_show(tmp_path / "show")
    assert publish_cli(show, tmp_path / "preview") == 0
    shutil.rmtree(tmp_path / "preview")
    assert publish_cli(show, tmp_path / "public") == 0
    names = [p.name.split("-")[0] for p in (show / ".podpub" / "outputs").iterdir()]
    assert names == ["public"]
