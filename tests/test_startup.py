"""What every ``podpub publish`` pays before and after the build itself: the no-change
check (build/uptodate.py) and the state it keeps for the next run, in real runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from podpub.cli import main

from conftest import NOW, write_show

# what a publish of an unchanged show must not load (the build's libraries)
HEAVY = ("pydantic", "yaml", "jinja2", "PIL", "lxml", "feedgen", "mutagen", "babel")

PUBLISH_AND_LIST_HEAVY = f"""
import sys
from podpub.cli import main
assert main(["publish", sys.argv[1], "--out", sys.argv[2], "-q"]) == 0
print(sorted(name for name in {HEAVY!r} if name in sys.modules))
"""


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def publish(show: Path, out: Path) -> int:
    return main(["publish", str(show), "--out", str(out), "-q"])


def state_size(show: Path) -> int:
    """The bytes of the state the last publish kept (one per output folder and options)."""
    (state,) = (show / ".podpub" / "cache").glob("state-*.pickle")
    return state.stat().st_size


def with_notes(show: Path, count: int) -> Path:
    """``count`` more files in the show folder: every file of it is an input."""
    (show / "notes").mkdir()
    for i in range(count):
        (show / "notes" / f"idea-{i:04d}.txt").write_text(f"idea {i}\n", encoding="utf-8")
    return show


def test_the_state_a_publish_keeps_does_not_grow_with_the_files_of_the_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The next publish compares the stamps of every file of the show with the last
    run's: it keeps a digest of them, not 21,000 stamps (1 MB at 10,000 episodes) that
    every run would unpickle and every publish that builds would pickle again."""
    small = write_show(tmp_path / "small")
    big = with_notes(write_show(tmp_path / "big"), 300)
    assert publish(small, tmp_path / "out-small") == 0
    assert publish(big, tmp_path / "out-big") == 0

    assert state_size(big) - state_size(small) < 300  # not a stamp per file (0571c0f: +13 KB)

    # and it still tells: nothing changed, then one of the 300 files changed
    capsys.readouterr()
    assert main(["publish", str(big), "--out", str(tmp_path / "out-big")]) == 0
    assert "Nothing changed since the last publish" in capsys.readouterr().out
    (big / "notes" / "idea-0150.txt").write_text("a better idea\n", encoding="utf-8")
    assert main(["publish", str(big), "--out", str(tmp_path / "out-big")]) == 0
    assert "Nothing changed since" not in capsys.readouterr().out


def test_a_folder_added_or_removed_is_a_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = with_notes(write_show(tmp_path / "show"), 3)
    out = tmp_path / "out"
    assert publish(show, out) == 0
    (show / "notes" / "more").mkdir()
    (show / "notes" / "more" / "idea.txt").write_text("idea\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["publish", str(show), "--out", str(out)]) == 0
    assert "Nothing changed since" not in capsys.readouterr().out
    assert main(["publish", str(show), "--out", str(out)]) == 0
    assert "Nothing changed since" in capsys.readouterr().out
    for path in sorted((show / "notes").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    assert main(["publish", str(show), "--out", str(out)]) == 0
    assert "Nothing changed since" not in capsys.readouterr().out


def test_a_publish_runs_no_other_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new site is swapped in with libc's renameat2, found among the process's own
    symbols: ctypes.util.find_library("c") ran ``ldconfig -p`` on every publish that
    replaced a site (and, where ldconfig is missing, a C compiler)."""
    show = write_show(tmp_path / "show")
    out = tmp_path / "out"
    assert publish(show, out) == 0
    episode = show / "episodes" / "ep1.yaml"
    episode.write_text(episode.read_text().replace("First episode", "Edited"), encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"publish started {args[0]!r}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert publish(show, out) == 0
    assert "Edited" in (out / "feed.xml").read_text(encoding="utf-8")


def test_an_unchanged_show_is_told_so_without_loading_the_build(tmp_path: Path) -> None:
    """Nothing changed: one stat per file and the last state read, in a process that
    imports none of the libraries the build needs (about 0.3 s of a 10,000-episode
    show's publish)."""
    show = write_show(tmp_path / "show")
    run = [sys.executable, "-c", PUBLISH_AND_LIST_HEAVY, str(show), str(tmp_path / "out")]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert "pydantic" in first.stdout  # the first run builds

    again = subprocess.run(run, capture_output=True, text=True, check=True)

    assert again.stdout.split("\n")[-2] == "[]"
