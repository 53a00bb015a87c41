"""Time the resolve stage of an edit: one title changed, the rest kept from the cache.

    python bench/resolve_edit.py SHOW_FOLDER [--repeat 5] [--profile out.prof] [--warm]

``SHOW_FOLDER`` is a show published once already (its ``.podpub/cache`` warm), e.g. a
copy of a bench show. Each round edits one descriptor's title (the one in the middle
of the episode list), runs ``resolve_all`` in this process with the run's cache and
one process (``jobs=1``: the work is counted here), keeps the cache as a publish does,
and prints the wall time of the stage and what it read: descriptors parsed, kept
records lent, and kept records whose contents were unpickled by the stage. The median
of the rounds is printed last. Other work on the machine slows every round: compare
two versions of podpub in the same minute.

``--warm``: as ``podpub serve`` rebuilds (build/rebuild.py): every round after the
first runs on the cache the round before left in memory (``Engine(shared_cache=…)``),
only the edited file stamped again; the first round reads the cache from disk.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import re
import statistics
import time
from pathlib import Path

from podpub.build.engine import Engine
from podpub.build.runner import DEFAULT_OUT
from podpub.build.store import ShowCache
from podpub.build.uptodate import Snapshot, refreshed, snapshot
from podpub.resolve import resolver
from podpub.resolve.options import PlanOptions


def edit_one_title(show: Path, round_: int) -> Path:
    """Change the title of the episode in the middle of the list (bench/run.py's edit)."""
    files = resolver.descriptor_files(show)
    path = Path(files[len(files) // 2])
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^title: "(.*?)( r\d+)?"$', rf'title: "\1 r{round_}"', text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return path


class Warm:
    """What a warm build keeps between rounds: the cache and the stamps of the show."""

    def __init__(self) -> None:
        self.cache: ShowCache | None = None
        self.stamps: Snapshot | None = None

    def engine(self, show: Path, edited: Path) -> Engine:
        out = (show / DEFAULT_OUT).resolve()
        if self.cache is None or self.stamps is None:
            engine = Engine(show, jobs=1)
            self.cache, self.stamps = engine.cache, snapshot(show, out)
        else:
            self.cache.new_run()
            engine = Engine(show, jobs=1, shared_cache=self.cache)
            self.stamps = refreshed(self.stamps, show, out, [edited])
        engine.cache.remember_stamps(show, self.stamps.files)
        return engine


def one_round(
    show: Path, round_: int, profile: cProfile.Profile | None, warm: Warm | None = None
) -> dict[str, float]:
    edited = edit_one_title(show, round_)
    parsed = 0
    load_file = resolver.load_file

    def counting(path: Path, rel: str):  # type: ignore[no-untyped-def]
        nonlocal parsed
        parsed += rel.startswith("episodes/")
        return load_file(path, rel)

    resolver.load_file = counting  # type: ignore[assignment]
    try:
        if warm is not None:
            engine = warm.engine(show, edited)
        else:
            engine = Engine(show, jobs=1)
            # as a publish does: the no-change check's stamps serve every stage
            files = snapshot(show, (show / DEFAULT_OUT).resolve()).files
            engine.cache.remember_stamps(show, files)
        options = PlanOptions(now=dt.datetime.now(dt.UTC))
        started, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        site, _ = resolver.resolve_all(show, options, run=engine)
        if profile is not None:
            profile.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.save()
    finally:
        resolver.load_file = load_file  # type: ignore[assignment]
    assert site is not None
    # a kept record still pickled holds its blob: "_contents" (before: "_deferred")
    unpacked = sum(1 for e in site.episodes if not {"_contents", "_deferred"} & e.__dict__.keys())
    return {
        "seconds": seconds,
        "cpu": cpu,
        "episodes": len(site.episodes),
        "parsed": parsed,
        "kept": engine.counts.resolved_cached,
        "unpacked": unpacked,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the rounds here")
    parser.add_argument("--warm", action="store_true", help="keep the cache in memory")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    # as the command runs (cli.entry): without the cyclic collector, whose passes over
    # the kept records would be timed as the stage's
    gc.set_threshold(100_000, 50, 50)
    gc.disable()
    times, cpus = [], []
    warm = Warm() if args.warm else None
    for round_ in range(1, args.repeat + 1):
        # a warm build's first round reads the cache from disk: not profiled
        found = one_round(args.show, round_, profile if round_ > 1 or not warm else None, warm)
        times.append(found["seconds"])
        cpus.append(found["cpu"])
        print(
            f"round {round_}: resolve {found['seconds']:.3f} s ({found['cpu']:.3f} s CPU),"
            f" {found['episodes']:.0f} episodes,"
            f" {found['parsed']:.0f} descriptor(s) parsed, {found['kept']:.0f} records kept,"
            f" {found['unpacked']:.0f} kept records' contents unpickled"
        )
    # CPU time as well: on a busy machine it moves less than the wall time
    print(f"median: {statistics.median(times):.3f} s ({statistics.median(cpus):.3f} s CPU)")
    if profile is not None:
        profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
