"""How the work of a publish is shared between the main process and its workers.

    python bench/worker_balance.py SHOW_DIR [--jobs 2] [publish options…]

Publishes SHOW_DIR in this process (give it a fresh copy: ``cp -a`` a bench show; a
second run is an edit's rebuild) and prints, for each stage shared over worker processes
(``build/workers.parallel_map``): its items, how many the main process computed, the
stage's wall time, the main process's CPU in it, how long the main process sat waiting
for its workers at the end of the stage (a core left idle), and the workers forked.
Then the whole run's wall time and the CPU of the main process and of its workers.

Wall times depend on the machine's load (printed): compare the waits and the shares.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import podpub.build.engine as engine
from podpub.build import workers
from podpub.cli import main


@dataclass
class Stage:
    name: str
    items: int
    mine: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    waited: float = 0.0
    forks: int = 0


def instrument(stages: list[Stage]) -> None:
    """Wrap parallel_map, the workers' fork and the main process's blocking wait."""
    parent = os.getpid()
    real_map, real_fork, real_hear = workers.parallel_map, workers._fork, workers._Shared._hear

    def parallel_map(fn: Callable[[Any], Any], items: Sequence[Any], *a: Any, **k: Any) -> Any:
        stage = Stage(getattr(fn, "__qualname__", repr(fn)).split(".<locals>")[0], len(items))
        stages.append(stage)

        def counted(item: Any) -> Any:
            if os.getpid() == parent:
                stage.mine += 1
            return fn(item)

        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return real_map(counted, items, *a, **k)
        finally:
            stage.wall, stage.cpu = time.perf_counter() - wall, time.process_time() - cpu

    def fork(*args: Any) -> Any:
        stages[-1].forks += 1
        return real_fork(*args)

    def hear(self: Any, block: bool) -> None:
        started = time.perf_counter()
        try:
            real_hear(self, block)
        finally:
            if block:
                stages[-1].waited += time.perf_counter() - started

    workers.parallel_map = parallel_map  # type: ignore[assignment]
    engine.parallel_map = parallel_map  # type: ignore[assignment]
    workers._fork = fork  # type: ignore[assignment]
    workers._Shared._hear = hear  # type: ignore[method-assign]


def report(stages: list[Stage], wall: float) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}")
    head = f"{'stage':36} {'items':>7} {'main':>7} {'wall s':>7} {'main CPU':>9} {'waited':>7}"
    print(head, "forks")
    for s in stages:
        if s.items:
            print(
                f"{s.name[:36]:36} {s.items:7} {s.mine:7} {s.wall:7.2f} {s.cpu:9.2f} "
                f"{s.waited:7.2f} {s.forks:5}"
            )
    times = os.times()
    print(
        f"run: {wall:.2f} s wall; CPU main {times.user:.2f} + {times.system:.2f} s, "
        f"workers {times.children_user:.2f} + {times.children_system:.2f} s; waited "
        f"{sum(s.waited for s in stages):.2f} s"
    )


def run(argv: list[str]) -> None:
    show, options = argv[0], argv[1:]
    stages: list[Stage] = []
    instrument(stages)
    started = time.perf_counter()
    with contextlib.suppress(SystemExit):  # the CLI's exit code: the report is what we want
        main(["publish", show, "-q", *options])
    report(stages, time.perf_counter() - started)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    run(sys.argv[1:])
