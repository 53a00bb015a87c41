"""What a command loads before it does its work: each run in a fresh process, as a user
starts it, with the modules it loaded listed at the end (``sys.modules``)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, write_show

# the libraries of the checks and the build (tests/test_startup.py's list)
HEAVY = ("pydantic", "yaml", "jinja2", "PIL", "lxml", "feedgen", "mutagen", "babel")

RUN_AND_LIST = f"""
import json, sys
from podpub.cli import main
status = main(sys.argv[1:])
loaded = [name for name in {HEAVY!r} + ("importlib.metadata",) if name in sys.modules]
print(json.dumps([status, loaded]))
"""


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def run_and_list(*args: str) -> tuple[int, list[str], str]:
    """``podpub ARGS`` in a new process: its exit status, the heavy libraries it loaded
    and what it printed before."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *args], capture_output=True, text=True, check=True
    )
    *printed, last = done.stdout.rstrip("\n").split("\n")
    status, loaded = json.loads(last)
    return status, loaded, "\n".join(printed)


def test_a_check_of_an_unchanged_show_repeats_its_report_without_loading_the_checks(
    tmp_path: Path,
) -> None:
    """Nothing changed since the last check: its report is told again from the cache,
    in a process that imports none of the checks' libraries (on d95f933 it imported the
    whole pipeline, pydantic, lxml and babel first, then used none of them)."""
    show = write_show(tmp_path / "show")
    status, loaded, report = run_and_list("check", str(show))
    assert status == 0
    assert "pydantic" in loaded  # the first check checks

    again, loaded_again, report_again = run_and_list("check", str(show))

    assert (again, report_again) == (status, report)
    assert loaded_again == []


def test_a_check_loads_no_page_formats(tmp_path: Path) -> None:
    """``podpub check`` resolves the show and runs the feed rules; it renders no page:
    it loads neither Jinja2 nor Babel (whose dates module looks up the machine's time
    zone as it loads), though the hosts' credit label is one of the pages' words."""
    show = write_show(tmp_path / "show")

    status, loaded, report = run_and_list("check", str(show), "--no-cache")

    assert status == 0
    assert "0 errors" in report
    assert "pydantic" in loaded  # the show was checked
    assert "jinja2" not in loaded
    assert "babel" not in loaded


def test_version_is_the_installed_one_without_reading_package_metadata() -> None:
    """``podpub --version`` says the version pip installed, from podpub itself: it does
    not search the installed distributions' metadata (importlib.metadata) for it."""
    status, loaded, printed = run_and_list("--version")

    assert status == 0
    assert printed == f"podpub, version {importlib.metadata.version('podpub')}"
    assert loaded == []
