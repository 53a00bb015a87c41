"""Time ``podpub serve``'s rebuild after one edit: ``serve_rebuild.py SHOW_DIR [--edits N]``.

Copies the show to a temporary folder (the show itself is never written), builds its
preview cold through the same API serve uses (PreviewBuilder), then N times changes one
episode's title and rebuilds, printing each rebuild's time and how many output files
changed. Then the same edit through a real ``podpub serve`` subprocess: the time from
the save to the page showing the new title over HTTP.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from podpub.serve.preview import PreviewBuilder

# The repository root is the sample show: its code, tests and state are not.
NOT_THE_SHOW = (".podpub", "public", ".git", ".venv", "src", "tests", "bench", "docs", "*.lock")


def retitle(descriptor: Path, marker: str) -> str:
    """Change the title line of ``descriptor``; return the new title."""
    lines = descriptor.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("title:"):
            title = f"Edited {marker}"
            lines[i] = f"title: {title}\n"
            descriptor.write_text("".join(lines), encoding="utf-8")
            return title
    raise SystemExit(f"{descriptor} has no title line")


def newest_descriptor(show: Path) -> Path:
    return sorted((show / "episodes").glob("*.yaml"))[-1]


def in_process(show: Path, edits: int) -> None:
    builder = PreviewBuilder(show, "http://127.0.0.1:8000/")
    cold = builder.rebuild()
    assert cold.ok, cold.problems
    print(f"cold preview build: {cold.seconds:.2f} s, {len(cold.changed)} files")
    descriptor = newest_descriptor(show)
    times = []
    for n in range(edits):
        retitle(descriptor, f"in-process {n}")
        outcome = builder.rebuild([descriptor])
        assert outcome.ok, outcome.problems
        times.append(outcome.seconds)
        print(f"  edit {n + 1}: {outcome.seconds:.2f} s, {len(outcome.changed)} files changed")
    print(f"rebuild after one edit: median {statistics.median(times):.2f} s")


def through_serve(show: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "podpub", "serve", str(show), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the show's warnings: not what is timed
        text=True,
    )
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            if line.startswith("Serving "):
                url = line.split(" at ", 1)[1].split()[0]
                break
        descriptor = newest_descriptor(show)
        slug = descriptor.stem
        title = retitle(descriptor, "through serve")
        saved = time.perf_counter()
        while title not in requests.get(f"{url}episodes/{slug}/", timeout=30).text:
            time.sleep(0.02)
        print(f"serve: save → page changed over HTTP in {time.perf_counter() - saved:.2f} s")
        print(f"serve printed: {process.stdout.readline().strip()}")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("show", type=Path, help="show folder (copied, never written)")
    parser.add_argument("--edits", type=int, default=3, help="edits to time in-process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        show = Path(tmp) / "show"
        shutil.copytree(
            args.show, show, ignore=shutil.ignore_patterns(*NOT_THE_SHOW), symlinks=True
        )
        in_process(show, args.edits)
        through_serve(show)


if __name__ == "__main__":
    main()
