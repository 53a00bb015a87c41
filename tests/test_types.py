"""The type hints hold: ``mypy`` (its settings in pyproject.toml) finds no error in podpub.

The first test runs it on podpub as it is; the second breaks a copy of the code on
purpose (a remote episode's audio, which has no file, read as a file) and proves that
the same command then fails and says where, so the check cannot pass vacuously.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "podpub"


def mypy(project: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """``mypy`` with ``project``'s pyproject.toml, on the podpub in ``project/src``."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--no-color-output"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_type_hints_hold(tmp_path: Path) -> None:
    result = mypy(REPO, tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_a_value_that_may_be_missing_used_as_present_breaks_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    shutil.copytree(SRC, project / "src" / "podpub", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    tags = project / "src" / "podpub" / "write" / "tags.py"
    text = tags.read_text()
    line = text.count("\n") + 4  # the return below
    tags.write_text(
        text + "\n\ndef _audio_name(episode: EpisodeRecord) -> str:\n"
        "    return episode.audio_source.name  # None for a remote episode\n"
    )
    result = mypy(project, tmp_path / "cache")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"src/podpub/write/tags.py:{line}: error:" in result.stdout
    assert 'Item "None" of "Path | None" has no attribute "name"' in result.stdout
    assert "Found 1 error in 1 file" in result.stdout
