"""Time podpub against the Python floor and Hugo on generated shows; print the table.

    python bench/run.py [--sizes 100,1000,10000] [--texts long,short] [--repeat 3]

For each kind of show (``--texts``: long texts like the sample's, short texts with
titles-only headlines) and each size it generates a show (bench/make_show.py; kept
under --work between runs), then measures, each in a fresh process:

* podpub ``cold``: no cache (``.podpub/`` deleted) and no previous output;
* podpub ``no-change``: the same publish again;
* podpub ``one-changed``: one descriptor's title edited, then publish;
* podpub ``template-changed``: the show's ``templates/_footer.html`` edited (every page
  changes), then publish;
* the floor (bench/floor.py): the straight-line Python build, always from scratch;
* incremental == fresh (``--verify``, on by default): after the last run of each
  incremental case, the same show is published again with ``--no-cache`` into another
  folder (untimed) and the two sites are compared file by file, bytes and set of files;
  the verdict is printed, and the benchmark exits 1 when they differ. On by default
  because a fast incremental build is worth nothing if its site is not the one a fresh
  build makes: the table is only printed beside that check. ``--no-verify`` skips the
  fresh builds (one cold publish's time per case) when only the timings are wanted;
* Hugo, when ``hugo`` is installed: the same show converted to Hugo content with sizes
  and durations precomputed (bench/hugo_site.py, untimed), built from scratch (Hugo has
  no incremental build: each case is a full build of the edited site).

Each case is run ``--repeat`` times and the run with the median wall time is shown:
wall seconds, CPU seconds (user + system, the process and its workers), peak memory of
the process tree (the sum of the proportional set sizes of the process and its
children, sampled every 50 ms, in MiB), µs of wall time per episode, and the ratios of
the wall time to the floor's and to Hugo's for the same case. Before each run the page
cache's dirty pages are flushed (``sync``), so that writes of one run are not paid by
the next. The machine and its load average are printed with the table: other work on
the machine slows every column.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_show import GENERATOR_VERSION, make_show  # noqa: E402

PYTHON = sys.executable
WORK = Path("/tmp/podpub-bench")  # --work
CASES = ("cold", "no-change", "one-changed", "template-changed")


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mib: float
    max_rss_mib: float
    status: int
    load: float = 0.0  # 1-minute load average just before the run

    def row(self) -> list[str]:
        return [f"{self.wall:.3f}", f"{self.cpu:.2f}", f"{self.peak_mib:.0f}"]


@dataclass
class Verdict:
    """An incremental site compared with a fresh build of the same show."""

    files: int  # files in the incremental site
    differences: list[str]  # what differs, one line each ("only in fresh: feed.xml")

    @property
    def same(self) -> bool:
        return not self.differences

    def line(self) -> str:
        if self.same:
            return f"incremental == fresh: yes ({self.files:,} files)"
        shown = "; ".join(self.differences[:5])
        more = len(self.differences) - 5
        return (
            f"incremental == fresh: NO, {len(self.differences):,} "
            f"difference{'s' if len(self.differences) > 1 else ''} "
            f"in {self.files:,} files: {shown}" + (f" and {more:,} more" if more > 0 else "")
        )


@dataclass
class Result:
    size: int
    episodes: int
    texts: str = "long"  # the kind of show (make_show.py --texts)
    runs: dict[tuple[str, str], list[Measure]] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # podpub case -> check

    def best(self, tool: str, case: str) -> Measure | None:
        runs = self.runs.get((tool, case))
        if not runs:
            return None
        median = statistics.median_low([m.wall for m in runs])
        return next(m for m in runs if m.wall == median)


# --- measuring one process -------------------------------------------------------------


def measure(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measure:
    """Run ``argv`` to its end; wall time, CPU of the tree, peak PSS of the tree."""
    settle()
    # Compiled modules written and reused, as on a producer's machine: a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every run compile podpub's sources again.
    env = dict(env if env is not None else os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: warnings never block
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        print(f"  ! {' '.join(argv)} exited {proc.returncode}:\n{stderr[-2000:]}", file=sys.stderr)
    return Measure(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mib=max(sampler.peak, usage.ru_maxrss * 1024) / 2**20,
        max_rss_mib=usage.ru_maxrss / 1024,
        status=proc.returncode,
        load=load,
    )


def settle(timeout: float = 300.0) -> None:
    """Before a run: no podpub still at work in the background, and dirty pages flushed
    (``sync``). A command-line publish of a big site leaves work to a detached process
    (write/background.py: the standby copy of the site it replaced, the removal of an
    old one); timed beside the next run, it would slow that run, whichever tool it is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and detached_publishes():
        time.sleep(0.2)
    os.sync()


def detached_publishes() -> list[int]:
    """Processes of ``python -m podpub publish`` still running (this benchmark waits for
    each run it starts: any still there is a detached one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if b"podpub" in argv and b"publish" in argv:
            found.append(int(entry.name))
    return found


# Deleting a site of 50,000 files just before a timed run makes that run pay for the
# deletion on some file systems: ext4 without a journal (this benchmark's machine) skips,
# for every new inode, the inodes deleted in the last 60 to 360 seconds (the kernel's
# ``recently_deleted``), so a cold build right after ``rm -rf`` of the previous one spent
# 10 to 30 s more in the kernel than the same build in a clean folder. Whatever the
# benchmark would delete between runs is moved aside instead (a rename: no inode freed)
# and deleted once, after the last run (``empty_trash``).
TRASH_NAME = ".trash"


def set_aside(path: Path) -> None:
    """Move ``path`` (a folder or a file) out of the way, into the work folder's trash;
    a path outside the work folder (a test's) is deleted at once."""
    if not path.exists() and not path.is_symlink():
        return
    if not path.resolve().is_relative_to(WORK.resolve()):
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        return
    trash = WORK / TRASH_NAME
    trash.mkdir(parents=True, exist_ok=True)
    path.rename(Path(tempfile.mkdtemp(dir=trash)) / path.name)


def empty_trash() -> None:
    shutil.rmtree(WORK / TRASH_NAME, ignore_errors=True)


class TreeMemory(threading.Thread):
    """Peak of the summed PSS of a process and its descendants (sampled)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            total = sum(_pss(pid) for pid in process_tree(self.pid))
            self.peak = max(self.peak, total)

    def stop(self) -> None:
        self._done.set()
        self.join()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, as /proc lists them now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as handle:
                todo.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
    return found


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


# --- the cases -------------------------------------------------------------------------


def prepare_show(work: Path, size: int, texts: str = "long") -> Path:
    show = work / f"show-{texts}-{size}"
    stamp = show / ".bench-generator"
    wanted = f"{GENERATOR_VERSION} {size} {texts}"
    if not (stamp.is_file() and stamp.read_text() == wanted):
        print(f"generating a {texts}-text show of {size} episodes in {show} …", file=sys.stderr)
        make_show(size, show, texts=texts)
        stamp.write_text(wanted)
    return show


def published_count(show: Path, out: Path) -> int:
    return sum(1 for _ in (out / "episodes").iterdir()) if (out / "episodes").is_dir() else 0


class ShowEdits:
    """The edits the incremental cases make, undone at the end."""

    def __init__(self, show: Path) -> None:
        episodes = sorted((show / "episodes").glob("*.yaml"))
        self.descriptor = next(
            p for p in episodes[len(episodes) // 2 :] if "draft: true" not in p.read_text()
        )
        self.footer = show / "templates" / "_footer.html"
        self.originals = {p: p.read_bytes() for p in (self.descriptor, self.footer)}
        self.count = 0

    def change_title(self) -> None:
        self.count += 1
        text = self.descriptor.read_text(encoding="utf-8")
        lines = [
            f'title: "Titre corrigé, version {self.count}"' if line.startswith("title:") else line
            for line in text.split("\n")
        ]
        self.descriptor.write_text("\n".join(lines), encoding="utf-8")

    def change_template(self) -> None:
        self.count += 1
        text = self.originals[self.footer].decode()
        self.footer.write_text(text + f"<!-- edit {self.count} -->\n", encoding="utf-8")

    def undo(self) -> None:
        for path, data in self.originals.items():
            path.write_bytes(data)


def compare_trees(incremental: Path, fresh: Path) -> Verdict:
    """Every file of both trees, by relative path: the same set, the same bytes."""
    ours, theirs = _files(incremental), _files(fresh)
    differences = [f"only in incremental: {rel}" for rel in sorted(ours.keys() - theirs.keys())]
    differences += [f"only in fresh: {rel}" for rel in sorted(theirs.keys() - ours.keys())]
    for rel in sorted(ours.keys() & theirs.keys()):
        if not _same_bytes(ours[rel], theirs[rel]):
            differences.append(f"bytes differ: {rel}")
    return Verdict(files=len(ours), differences=differences)


def _files(root: Path) -> dict[str, Path]:
    """Files (and links, as what they point to) under ``root``, by path relative to it."""
    found: dict[str, Path] = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path
    return found


def _same_bytes(a: Path, b: Path) -> bool:
    one, other = a.stat(), b.stat()
    if (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino):
        return True  # the same file (a hard-linked audio file): nothing to read
    if one.st_size != other.st_size:
        return False
    return filecmp.cmp(a, b, shallow=False)


def verify_fresh(
    show: Path, out: Path, fresh: Path, argv: list[str], env: dict[str, str]
) -> Verdict:
    """Publish ``show`` from scratch into ``fresh`` (no cache; untimed) and compare it with
    the incremental site in ``out``. The fresh build must not rewrite the show's ledger
    either: it would mean the incremental run recorded other episodes than a fresh one."""
    ledger = show / "published.lock"
    before = ledger.read_bytes() if ledger.exists() else None
    set_aside(fresh)
    settle()
    fresh_argv = [*argv[: argv.index("--out") + 1], str(fresh), "--quiet", "--no-cache"]
    # Its warnings are the incremental runs' own, already seen: shown only if it fails.
    done = subprocess.run(fresh_argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    verdict = compare_trees(out, fresh)
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace")[-2000:]
        verdict.differences.insert(0, f"the fresh build exited {done.returncode}: {error}")
    after = ledger.read_bytes() if ledger.exists() else None
    if after != before:
        verdict.differences.insert(0, "the fresh build rewrote published.lock")
    set_aside(fresh)
    return verdict


def run_podpub(
    result: Result,
    show: Path,
    work: Path,
    repeat: int,
    jobs: str | None,
    code: Path | None,
    verify: bool = True,
) -> None:
    out = work / f"out-podpub-{result.texts}-{result.size}"
    fresh = work / f"out-fresh-{result.texts}-{result.size}"
    argv = [PYTHON, "-m", "podpub", "publish", str(show), "--out", str(out), "--quiet"]
    env = dict(os.environ)
    if jobs:
        env["PODPUB_JOBS"] = jobs
    if code is not None:  # a copy of the code: edits made meanwhile in the tree do not count
        env["PYTHONPATH"] = str(code)
    edits = ShowEdits(show)

    def check(case: str) -> None:
        if not verify:
            return
        verdict = verify_fresh(show, out, fresh, argv, env)
        result.verdicts[case] = verdict
        print(f"  {case}: {verdict.line()}", file=sys.stderr)

    def clean() -> None:
        set_aside(show / ".podpub")
        for leftover in out.parent.glob(f".{out.name}*"):
            set_aside(leftover)
        set_aside(out)

    try:
        for _ in range(repeat):
            clean()
            result.runs.setdefault(("podpub", "cold"), []).append(measure(argv, env=env))
        result.episodes = published_count(show, out)
        for _ in range(repeat):
            result.runs.setdefault(("podpub", "no-change"), []).append(measure(argv, env=env))
        check("no-change")
        for _ in range(repeat):
            edits.change_title()
            result.runs.setdefault(("podpub", "one-changed"), []).append(measure(argv, env=env))
        check("one-changed")
        for _ in range(repeat):
            edits.change_template()
            result.runs.setdefault(("podpub", "template-changed"), []).append(
                measure(argv, env=env)
            )
        check("template-changed")
    finally:
        edits.undo()
        clean()


def run_floor(result: Result, show: Path, work: Path, repeat: int) -> None:
    out = work / f"out-floor-{result.texts}-{result.size}"
    for _ in range(repeat):
        set_aside(out)
        measured = measure([PYTHON, str(BENCH / "floor.py"), str(show), str(out)])
        result.runs.setdefault(("floor", "cold"), []).append(measured)
    set_aside(out)


def run_hugo(result: Result, show: Path, work: Path, repeat: int) -> None:
    from hugo_site import convert

    name = f"{result.texts}-{result.size}"
    site, out = work / f"hugo-{name}", work / f"out-hugo-{name}"
    convert(show, site)
    argv = ["hugo", "--quiet", "--source", str(site), "--destination", str(out)]
    edits = ShowEdits(show)
    footer = site / "layouts" / "_default" / "baseof.html"
    original_footer = footer.read_text()
    try:
        for _ in range(repeat):
            set_aside(out)
            set_aside(site / "resources")
            result.runs.setdefault(("hugo", "cold"), []).append(measure(argv))
        for _ in range(repeat):
            result.runs.setdefault(("hugo", "no-change"), []).append(measure(argv))
        for _ in range(repeat):
            edits.change_title()
            convert(show, site, [edits.descriptor.name])
            result.runs.setdefault(("hugo", "one-changed"), []).append(measure(argv))
        for i in range(repeat):
            footer.write_text(original_footer.replace("</footer>", f"<!-- edit {i} --></footer>"))
            result.runs.setdefault(("hugo", "template-changed"), []).append(measure(argv))
    finally:
        edits.undo()
        set_aside(out)
        set_aside(site)


# --- the table ---------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    header = [
        "texts",
        "episodes",
        "tool",
        "case",
        "wall s",
        "CPU s",
        "peak MiB",
        "µs/episode",
        "× floor",
        "× Hugo",
    ]
    rows = [header, ["---"] * len(header)]
    for result in results:
        floor = result.best("floor", "cold")
        for tool in ("podpub", "floor", "hugo"):
            for case in CASES:
                measured = result.best(tool, case)
                if measured is None:
                    continue
                hugo = result.best("hugo", case)
                per = measured.wall / max(result.episodes, 1) * 1e6
                rows.append(
                    [
                        result.texts,
                        f"{result.size:,}",
                        tool,
                        case,
                        *measured.row(),
                        f"{per:,.0f}",
                        f"{measured.wall / floor.wall:.2f}" if floor else "–",
                        f"{measured.wall / hugo.wall:.2f}" if hugo else "–",
                    ]
                )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def verdicts(results: list[Result]) -> str:
    """The incremental == fresh checks, one line per show and case."""
    lines = ["podpub's incremental sites against a fresh build (--no-cache) of the same show:"]
    for result in results:
        for case, verdict in result.verdicts.items():
            lines.append(f"- {result.texts}, {result.size:,}, {case}: {verdict.line()}")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = next(
            (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line),
            cpu,
        )
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    hugo = shutil.which("hugo")
    version = (
        subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
        if hugo
        else "not installed"
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, Hugo {version}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="episode counts, comma-separated")
    parser.add_argument(
        "--texts",
        default="long,short",
        help="kinds of show, comma-separated: long (the sample's texts), short (titles only)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (median shown)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/podpub-bench"))
    parser.add_argument("--jobs", help="PODPUB_JOBS for podpub (default: podpub's choice)")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument(
        "--verify",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after each incremental case, compare podpub's site with a fresh --no-cache "
        "build of the same show, byte for byte; exit 1 if they differ (default: on)",
    )
    parser.add_argument("--json", type=Path, help="also write the measures as JSON")
    parser.add_argument(
        "--live-code",
        action="store_true",
        help="run podpub from the tree itself rather than from a copy of src/ taken at start",
    )
    args = parser.parse_args(argv)
    global WORK
    WORK = args.work
    args.work.mkdir(parents=True, exist_ok=True)
    if (WORK / TRASH_NAME).exists():
        print(
            f"deleting {WORK / TRASH_NAME}, left by a benchmark that did not finish: the "
            "first cold runs may pay for it (see set_aside)",
            file=sys.stderr,
        )
        empty_trash()
    try:
        return _run_all(args)
    finally:
        empty_trash()


def _run_all(args: argparse.Namespace) -> int:
    code = None
    if not args.live_code:
        code = args.work / "code"
        shutil.rmtree(code, ignore_errors=True)
        shutil.copytree(BENCH.parent / "src", code, ignore=shutil.ignore_patterns("__pycache__"))
    hugo = shutil.which("hugo") and not args.no_hugo
    results: list[Result] = []
    loads = [os.getloadavg()[0]]
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    for texts in args.texts.split(","):
        for size in sizes:
            show = prepare_show(args.work, size, texts)
            result = Result(size, 0, texts)
            label = f"{texts} texts, size {size:,}"
            print(f"{label}: podpub …", file=sys.stderr)
            run_podpub(result, show, args.work, args.repeat, args.jobs, code, args.verify)
            if not args.no_floor:
                print(f"{label}: floor …", file=sys.stderr)
                run_floor(result, show, args.work, args.repeat)
            if hugo:
                print(f"{label}: hugo …", file=sys.stderr)
                run_hugo(result, show, args.work, args.repeat)
            results.append(result)
            loads.append(os.getloadavg()[0])
    print(f"Machine: {machine()}")
    print(
        f"Load average (1 min) during the run: {min(loads):.2f}–{max(loads):.2f}; "
        f"median of {args.repeat} runs per case."
    )
    print()
    print(table(results))
    if args.verify:
        print()
        print(verdicts(results))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "texts": r.texts,
                        "size": r.size,
                        "episodes": r.episodes,
                        "verdicts": {
                            case: {"files": v.files, "differences": v.differences}
                            for case, v in r.verdicts.items()
                        },
                        "runs": {
                            f"{tool}/{case}": [vars(m) for m in measures]
                            for (tool, case), measures in r.runs.items()
                        },
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    return 0 if all(v.same for r in results for v in r.verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
