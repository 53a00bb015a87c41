"""Peak memory of a publish: the whole process tree, and each process of it.

    python bench/memory.py SHOW [--work DIR] [--cases cold,one-changed] [--interval 0.05]

SHOW is a show folder (e.g. a bench show made by bench/run.py, /tmp/podpub-bench/show-short-
10000). It is copied to ``--work`` first (the original is never written to), then, each in
a fresh ``podpub publish -q`` process:

* ``cold``: no cache and no previous output;
* ``one-changed``: one descriptor's title edited (as bench/run.py edits it), then publish;
* ``template-changed``: the show's ``templates/_footer.html`` edited (as bench/run.py
  edits it: every page renders again), then publish.

While each runs, the proportional set size (PSS: a page shared by k processes counts 1/k in
each) of the process and of each of its descendants is sampled from
``/proc/PID/smaps_rollup`` every ``--interval`` seconds. Printed per case: wall time, the
peak of the tree's summed PSS and when in the run it came (seconds from the start), and for
each process (the main one, then the forked workers in the order they started) its peak PSS,
when it came, its peak of private pages (a forked worker's pages are the parent's until
either writes to them) and how long the process lived. The load average is printed too: samples are
fewer on a busy machine, and a short-lived peak may be missed between two samples.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import process_tree  # bench/ is not a package: run.py found by the path above

MIB = 2**20


@dataclass
class Process:
    pid: int
    first: float  # seconds from the start when first seen
    last: float = 0.0
    peak: int = 0  # bytes of PSS
    peak_at: float = 0.0
    private: int = 0  # peak bytes of its own pages (shared with no other process)


@dataclass(eq=False)  # a thread: hashed by identity
class Sampler(threading.Thread):
    """The PSS of a process tree, summed and per process, every ``interval`` seconds."""

    root: int
    interval: float = 0.05
    started: float = field(default_factory=time.perf_counter)
    processes: dict[int, Process] = field(default_factory=dict)
    peak: int = 0
    peak_at: float = 0.0
    samples: int = 0

    def __post_init__(self) -> None:
        super().__init__(daemon=True)
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        now = time.perf_counter() - self.started
        total = 0
        for pid in process_tree(self.root):
            pss, private = _pss(pid)
            if not pss:
                continue
            total += pss
            seen = self.processes.setdefault(pid, Process(pid, first=now))
            seen.last = now
            seen.private = max(seen.private, private)
            if pss > seen.peak:
                seen.peak, seen.peak_at = pss, now
        self.samples += 1
        if total > self.peak:
            self.peak, self.peak_at = total, now

    def stop(self) -> None:
        self._done.set()
        self.join()


def _pss(pid: int) -> tuple[int, int]:
    """The process's proportional set size and its private pages, in bytes."""
    found = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                if name in ("Pss", "Private_Clean", "Private_Dirty"):
                    found[name] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return 0, 0
    return found.get("Pss", 0), found.get("Private_Clean", 0) + found.get("Private_Dirty", 0)


def publish(show: Path, out: Path, interval: float) -> tuple[float, Sampler, int]:
    """One ``podpub publish -q`` of ``show`` into ``out``: wall seconds, the sampler, the
    exit status."""
    os.sync()  # the previous run's writes are not paid by this one
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [sys.executable, "-m", "podpub", "publish", "-q", "--out", str(out)]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=show, env=env, stdout=subprocess.DEVNULL)
    sampler = Sampler(proc.pid, interval, started=started)
    sampler.start()
    _, status, _ = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    sampler.stop()
    return wall, sampler, os.waitstatus_to_exitcode(status)


def edit_one_title(show: Path, count: int) -> None:
    """The edit bench/run.py makes: a title of a descriptor in the second half."""
    episodes = sorted((show / "episodes").glob("*.yaml"))
    for path in episodes[len(episodes) // 2 :]:
        text = path.read_text(encoding="utf-8")
        if "draft: true" in text:
            continue
        lines = text.splitlines(keepends=True)
        for index, line in enumerate(lines):
            if line.startswith("title: ") and line.rstrip().endswith('"'):
                lines[index] = line.rstrip()[:-1] + f' v{count}"\n'
                path.write_text("".join(lines), encoding="utf-8")
                return
    raise SystemExit(f"no descriptor with a quoted title in {show}/episodes")


def edit_footer(show: Path, count: int) -> None:
    """The edit bench/run.py makes of the templates: a comment added to the footer."""
    footer = show / "templates" / "_footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + f"<!-- edit {count} -->\n", "utf-8")


def report(case: str, wall: float, sampler: Sampler, status: int) -> None:
    print(
        f"{case}: wall {wall:.2f} s, tree peak {sampler.peak / MIB:.0f} MiB PSS"
        f" at {sampler.peak_at:.2f} s ({sampler.samples} samples)"
        + (f", EXIT STATUS {status}" if status else "")
    )
    for rank, seen in enumerate(sorted(sampler.processes.values(), key=lambda p: p.first)):
        name = "main" if seen.pid == sampler.root else f"worker {rank}"
        print(
            f"  {name:<10} peak {seen.peak / MIB:6.0f} MiB at {seen.peak_at:6.2f} s"
            f" (private {seen.private / MIB:4.0f} MiB)"
            f"  (alive {seen.first:.2f}–{seen.last:.2f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--work", type=Path, default=None, help="where the copy goes")
    parser.add_argument("--cases", default="cold,one-changed")
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    show = args.show.resolve()
    work = args.work or Path(f"/tmp/podpub-memory-{show.name}")
    copy, out = work / "show", work / "out"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(show, copy, symlinks=True)
    shutil.rmtree(copy / ".podpub", ignore_errors=True)  # a cold run has no cache
    print(f"{show.name} (copied to {work}); load average {os.getloadavg()[0]:.2f}")
    edits = 0
    for case in args.cases.split(","):
        if case == "one-changed":
            edits += 1
            edit_one_title(copy, edits)
        elif case == "template-changed":
            edits += 1
            edit_footer(copy, edits)
        elif case != "cold":
            raise SystemExit(f"unknown case {case!r}: cold, one-changed or template-changed")
        report(case, *publish(copy, out, args.interval))
    subprocess.run(["uptime"], check=False)


if __name__ == "__main__":
    main()
