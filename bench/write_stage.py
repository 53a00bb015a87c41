"""What the write stage costs in an edit: one title changed, one publish profiled.

    python bench/write_stage.py SHOW_FOLDER [--runs 2]

SHOW_FOLDER is a published show (a copy: it is edited and published into, e.g.
``cp -a /tmp/podpub-bench/show-short-10000 /tmp/w10k``). Each run appends a word to the
title of the middle episode's descriptor, then publishes in this process under
cProfile with one process (``PODPUB_JOBS=1``: the work stays where the profiler sees
it), and prints the cumulative seconds of the write stage's steps, their share of the
run, and how many kept records had their texts read back (``_undefer``): the ledger
comparison of an edit reads none but the edited one's.

The first run after a change of podpub's code rebuilds its cache (the code is part of
every key): pass ``--runs 2`` and read the last. Profiled seconds are several times the
wall time, and the machine's load changes them: compare shares, and counts of calls.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import time
from pathlib import Path

# (label, file the function is in, function name)
STEPS = [
    ("publish (all)", "cli.py", "publish"),
    ("ledger compare", "ledger.py", "compare"),
    ("ledger recording", "ledger.py", "recording"),
    ("with_redirects", "redirects.py", "with_redirects"),
    ("refuse_inputs_inside", "safety.py", "refuse_inputs_inside"),
    ("changed_linked_media", "linked.py", "changed_linked_media"),
    ("record_linked_media", "linked.py", "record_linked_media"),
    ("staging finish", "output.py", "finish"),
    ("verify_staged", "safety.py", "verify_staged"),
]
TITLE = re.compile(r'^title: "(.*)"$', re.MULTILINE)


def edit_one(show: Path, word: str) -> Path:
    """Append ``word`` to the title of the middle descriptor (as bench/run.py edits)."""
    descriptors = sorted((show / "episodes").glob("*.yaml"))
    path = descriptors[len(descriptors) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(TITLE.sub(lambda m: f'title: "{m.group(1)} {word}"', text, 1), "utf-8")
    return path


def profiled_publish(show: Path) -> tuple[pstats.Stats, float]:
    from podpub.cli import main

    os.environ["PODPUB_JOBS"] = "1"
    cwd = os.getcwd()
    os.chdir(show)
    profile = cProfile.Profile()
    started = time.perf_counter()
    try:
        profile.runcall(main, ["publish", "-q"])
    finally:
        os.chdir(cwd)
    return pstats.Stats(profile), time.perf_counter() - started


def report(stats: pstats.Stats, seconds: float) -> None:
    table = stats.stats  # type: ignore[attr-defined]
    total = max(
        (row[3] for key, row in table.items() if key[0].endswith("cli.py") and key[2] == "publish"),
        default=seconds,
    )
    for label, file, name in STEPS:
        cumulative = sum(
            row[3] for key, row in table.items() if key[0].endswith(file) and key[2] == name
        )
        print(f"  {label:24} {cumulative:8.3f} s  {100 * cumulative / total:5.1f} %")
    undefer = sum(row[1] for key, row in table.items() if key[2] == "_undefer")
    print(f"  kept records read back (_undefer calls): {undefer}")
    print(f"  wall time under the profiler: {seconds:.2f} s; load {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for run in range(1, args.runs + 1):
        edited = edit_one(args.show, f"w{int(time.time())}-{run}")
        stats, seconds = profiled_publish(args.show)
        print(f"run {run}: {edited.name} edited")
        report(stats, seconds)


if __name__ == "__main__":
    main()
