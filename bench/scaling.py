"""Does a cold publish cost the same per episode at 50,000 as at 10,000? Print it.

    python bench/scaling.py [--sizes 10000,50000] [--texts short] [--repeat 2]

Issue 16's target: the cost per published episode of a cold publish at 50,000 episodes
within 15 % of the cost at 10,000. Measured here by alternating cold publishes of the
two shows (the smaller first, then the larger, ``--repeat`` times), each in a fresh
process with no cache and no previous output: the machine's speed drifts within the hour
(on a shared two-CPU machine the same work has taken twice as long from one run to the
next), and runs taken far apart, or a size run after the other's every case, put that
drift into the ratio. Printed per size: each run's wall and CPU seconds, the median's
µs per published episode (wall and CPU) and peak memory (PSS of the process tree); then
the ratio of the medians. The shows are bench/run.py's (generated if missing, in
``--work``); each run's cache (the show's ``.podpub/``) and output are set aside before
the next and deleted at the end, as bench/run.py does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/ is not a package: run.py is found by the path above
from run import (
    PYTHON,
    Measure,
    empty_trash,
    measure,
    prepare_show,
    published_count,
    set_aside,
)


def cold_publish(show: Path, out: Path, jobs: str | None) -> Measure:
    """One cold publish of ``show`` into ``out``: no cache, no previous output."""
    set_aside(show / ".podpub")
    for leftover in out.parent.glob(f".{out.name}*"):
        set_aside(leftover)
    set_aside(out)
    env = dict(os.environ)
    if jobs:
        env["PODPUB_JOBS"] = jobs
    argv = [PYTHON, "-m", "podpub", "publish", str(show), "--out", str(out), "--quiet"]
    return measure(argv, env=env)


def per_episode(runs: list[Measure], published: int) -> tuple[float, float, float]:
    """µs per published episode of the median run (wall, CPU) and its peak MiB."""
    wall = statistics.median([m.wall for m in runs])
    cpu = statistics.median([m.cpu for m in runs])
    peak = max(m.peak_mib for m in runs)
    return wall / published * 1e6, cpu / published * 1e6, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000", help="two episode counts")
    parser.add_argument("--texts", default="short", help="long or short (make_show.py)")
    parser.add_argument("--repeat", type=int, default=2, help="cold runs of each size")
    parser.add_argument("--work", type=Path, default=Path("/tmp/podpub-bench"))
    parser.add_argument("--jobs", help="PODPUB_JOBS for podpub (default: podpub's choice)")
    args = parser.parse_args(argv)
    run.WORK = args.work  # where set_aside() puts what it moves
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    if len(sizes) != 2:
        parser.error("--sizes takes two counts: the smaller, then the larger")
    shows = [prepare_show(args.work, size, args.texts) for size in sizes]
    outs = [args.work / f"out-scaling-{args.texts}-{size}" for size in sizes]
    runs: list[list[Measure]] = [[], []]
    published = [0, 0]
    loads = [os.getloadavg()[0]]
    try:
        for turn in range(args.repeat):
            for i, (show, out) in enumerate(zip(shows, outs, strict=True)):
                found = cold_publish(show, out, args.jobs)
                if found.status != 0:
                    return 1
                runs[i].append(found)
                published[i] = published_count(show, out)
                loads.append(os.getloadavg()[0])
                print(
                    f"run {turn + 1}, {sizes[i]:,} episodes: {found.wall:.2f} s wall, "
                    f"{found.cpu:.2f} s CPU, {found.peak_mib:.0f} MiB (load {found.load:.2f})",
                    file=sys.stderr,
                )
    finally:
        for show, out in zip(shows, outs, strict=True):
            set_aside(show / ".podpub")
            set_aside(out)
        empty_trash()
    print(
        f"{args.texts} texts, cold publishes alternated, {args.repeat} of each size; load "
        f"average (1 min) {min(loads):.2f}–{max(loads):.2f}"
    )
    print()
    print("| episodes | published | runs (wall s) | µs/episode wall | µs/episode CPU | peak MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    costs = []
    for size, count, found in zip(sizes, published, runs, strict=True):
        wall, cpu, peak = per_episode(found, count)
        costs.append((wall, cpu))
        walls = ", ".join(f"{m.wall:.2f}" for m in found)
        print(f"| {size:,} | {count:,} | {walls} | {wall:,.0f} | {cpu:,.0f} | {peak:.0f} |")
    print()
    (small_wall, small_cpu), (large_wall, large_cpu) = costs
    print(
        f"Cost per episode at {sizes[1]:,} against {sizes[0]:,}: "
        f"{(large_wall / small_wall - 1) * 100:+.1f} % wall, "
        f"{(large_cpu / small_cpu - 1) * 100:+.1f} % CPU (target: within 15 %)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
