"""Time ``podpub serve``'s rebuild after one edit: ``serve_rebuild.py SHOW_DIR [--edits N]``.

Copies the show to a temporary folder (the show itself is never written), builds its
preview cold through the same API serve uses (PreviewBuilder, on one warm build context:
build/rebuild.py), then N times changes one episode's title and rebuilds, printing each
warm rebuild's time and how many output files changed; then profiles one more and
prints where its time goes (``--top`` lines, by cumulative time). Then the first save
of a session through real ``podpub serve`` subprocesses (unless ``--no-serve``;
``--sessions`` in turn on one port, each left idle ``--idle`` seconds after it prints
its address): the time from the save to the page showing the new title over HTTP.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from podpub.serve.preview import PreviewBuilder
from podpub.serve.run import collector_paused, settle

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


def in_process(show: Path, edits: int, top: int) -> None:
    builder = PreviewBuilder(show, "http://127.0.0.1:8000/")
    cold = builder.rebuild()
    assert cold.ok, cold.problems
    print(f"cold preview build: {cold.seconds:.2f} s, {len(cold.changed)} files")
    descriptor = newest_descriptor(show)
    # as serve does once the first build is served: saved, the standby brought up to
    # date (the first save would otherwise wait for it), the heap settled
    print(f"then saved, the standby prepared and settled in {flushed(builder):.2f} s")
    times, saves = [], []
    for n in range(edits):
        retitle(descriptor, f"in-process {n}")
        with collector_paused():  # as serve rebuilds
            outcome = builder.rebuild([descriptor])
        assert outcome.ok, outcome.problems
        times.append(outcome.seconds)
        saves.append(flushed(builder))
        print(
            f"  edit {n + 1}: {outcome.seconds:.3f} s, {len(outcome.changed)} files changed; "
            f"then saved (and the heap settled) in {saves[-1]:.3f} s"
        )
    print(f"warm rebuild after one edit: median {statistics.median(times):.3f} s")
    print(f"then its save and settle (as the browser reloads): {statistics.median(saves):.3f} s")
    unchanged = builder.rebuild([descriptor])
    print(f"warm rebuild after a save that changed nothing: {unchanged.seconds:.3f} s")
    settle(builder)
    caught_up = builder.rebuild()  # serve's check for saves the watcher missed
    assert not caught_up.built, caught_up.changed
    print(f"every input stamped and found unchanged (serve's catch-up): {caught_up.seconds:.3f} s")
    retitle(descriptor, "profiled")
    profile = cProfile.Profile()
    profile.enable()
    outcome = builder.rebuild([descriptor])
    profile.disable()
    print(f"profiled warm rebuild: {outcome.seconds:.3f} s (with the profiler's overhead)")
    print(where_the_time_goes(profile, top))


def flushed(builder: PreviewBuilder) -> float:
    """Seconds to save what the last rebuild leaves for the next one, and settle the
    heap, as serve does between rebuilds (serve/run.py's ``settle``)."""
    started = time.perf_counter()
    settle(builder)
    return time.perf_counter() - started


def where_the_time_goes(profile: cProfile.Profile, top: int) -> str:
    """podpub's own functions by cumulative time (the first ``top``)."""
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("cumulative").print_stats(r"podpub/", top)
    lines = text.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start:])


def through_serve(show: Path, sessions: int, idle: float) -> None:
    """``sessions`` real ``podpub serve`` processes in turn, on one free port: each
    starts, is left idle ``idle`` seconds (the producer reads the page), then one title
    is saved and timed until the page shows it over HTTP. The first session builds for
    another address than the in-process preview's (every page differs from the standby:
    the case of a new port); the next ones start again for the same address (a producer's
    next session)."""
    port = free_port()
    times = []
    for session in range(sessions):
        seconds, lines = first_save(show, port, idle, f"through serve {session}")
        times.append(seconds)
        kind = "another address" if session == 0 else "the same address"
        print(f"serve session {session + 1} (started for {kind}), idle {idle:.0f} s:")
        for line in lines:
            print(f"  serve printed: {line}")
        print(f"  first save → page changed over HTTP in {seconds:.2f} s")
    if sessions > 1:
        again = statistics.median(times[1:])
        print(f"serve: first save of a session → page, median of {sessions - 1}: {again:.2f} s")
    print(f"load average: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


def first_save(show: Path, port: int, idle: float, marker: str) -> tuple[float, list[str]]:
    """Start serve, wait for its address and then ``idle`` seconds, save a title: the
    seconds until the page shows it, and what serve printed (its build lines)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "podpub", "serve", str(show), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the show's warnings: not what is timed
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    printed: list[str] = []
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            printed.append(line.strip())
            if line.startswith("Serving "):
                url = line.split(" at ", 1)[1].split()[0]
                break
        if not url:
            raise SystemExit(f"serve did not start: {printed}")
        rest = threading.Thread(target=lambda: printed.extend(s.strip() for s in process.stdout))
        rest.start()
        time.sleep(idle)
        descriptor = newest_descriptor(show)
        title = retitle(descriptor, marker)
        saved = time.perf_counter()
        while title not in requests.get(f"{url}episodes/{descriptor.stem}/", timeout=60).text:
            time.sleep(0.02)
        seconds = time.perf_counter() - saved
        deadline = time.monotonic() + 30  # its line follows the page by a moment
        while not any(line.startswith("Rebuilt") for line in printed):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=60)
    rest.join(timeout=10)
    return seconds, [line for line in printed if line.startswith(("Built", "Rebuilt"))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("show", type=Path, help="show folder (copied, never written)")
    parser.add_argument("--edits", type=int, default=3, help="edits to time in-process")
    parser.add_argument("--top", type=int, default=25, help="profile lines to print")
    parser.add_argument("--no-serve", action="store_true", help="no serve subprocess")
    parser.add_argument("--sessions", type=int, default=3, help="serve processes, in turn")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds before the save")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        show = Path(tmp) / "show"
        shutil.copytree(
            args.show, show, ignore=shutil.ignore_patterns(*NOT_THE_SHOW), symlinks=True
        )
        in_process(show, args.edits, args.top)
        if not args.no_serve:
            through_serve(show, args.sessions, args.idle)


if __name__ == "__main__":
    main()
