"""The fixed cost of a CLI publish: ``startup.py SHOW_DIR OUT [--runs N]``.

SHOW_DIR must be a copy already published into OUT (it is written to: one episode's
title is changed each run). Prints, each the median and the best of N runs:

* the wall time of ``podpub publish -q SHOW_DIR --out OUT`` with nothing changed;
* the same after one title edit (``title: "…"`` lines get `` vN`` appended, as
  bench/run.py's edit does);
* the imports of that edit's publish: the sum of ``-X importtime``'s own times, in one
  process (PODPUB_JOBS=1, so that no worker's imports are counted);
* in this process: the no-change check's parts (the walk that stamps every file, the
  digest of the stamps).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from podpub.build import uptodate

TITLE = re.compile(r'^title: "(.*?)(?: v\d+)*"$', re.MULTILINE)  # a title, without marks


def publish(
    show: Path, out: Path, *python_flags: str, jobs: str | None = None
) -> tuple[float, str]:
    """One ``podpub publish -q`` in a fresh process: (wall seconds, its stderr)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if jobs is not None:
        env["PODPUB_JOBS"] = jobs
    command = [sys.executable, *python_flags, "-m", "podpub", "publish", "-q", str(show)]
    started = time.perf_counter()
    done = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"publish failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stderr


def edit(show: Path, run: int) -> None:
    """Change the title of the show's middle descriptor (its last mark replaced)."""
    names = sorted(os.listdir(show / "episodes"))
    descriptor = show / "episodes" / names[len(names) // 2]
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(TITLE.sub(rf'title: "\1 v{run}"', text, count=1), encoding="utf-8")


def import_seconds(stderr: str) -> float:
    """The sum of the modules' own import times in ``-X importtime`` output."""
    total = 0
    for line in stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            total += int(line.split(":", 1)[1].split("|")[0])
    return total / 1e6


def told(label: str, values: list[float]) -> None:
    print(f"{label:<44} median {statistics.median(values):.3f} s, best {min(values):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    show, out = args.show.resolve(), args.out.resolve()
    publish(show, out)  # whatever was left changed
    stamp = int(time.time()) % 1000 * 100
    unchanged, edited, imports = [], [], []
    for run in range(args.runs):
        unchanged.append(publish(show, out)[0])
        edit(show, stamp + run)
        edited.append(publish(show, out)[0])
        edit(show, stamp + run + args.runs)
        imports.append(import_seconds(publish(show, out, "-X", "importtime", jobs="1")[1]))
    walks, digests = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        inputs = uptodate.snapshot(show, out)
        walks.append(time.perf_counter() - started)
        started = time.perf_counter()
        if hasattr(uptodate, "inputs_digest"):  # not before it kept a digest (0571c0f)
            uptodate.inputs_digest(inputs)
        digests.append(time.perf_counter() - started)
    print(f"{show} ({len(inputs.files):,} files), load {os.getloadavg()[0]:.1f}")
    told("nothing changed, wall", unchanged)
    told("one title changed, wall", edited)
    told("one title changed, imports (-X importtime)", imports)
    told("no-change check: stamp every file", walks)
    told("no-change check: digest of the stamps", digests)


if __name__ == "__main__":
    main()
