"""CPU time of the site's phases in one edit's publish (issue 16: pages keyed before rendering).

``page_phases.py SHOW_DIR [EPISODE.yaml]`` gives the episode a new title (as run.py's
one-changed case does), publishes SHOW_DIR in this process with one worker
(``PODPUB_JOBS=1``, so every page's work is counted here) and prints the CPU seconds
(``time.process_time``: steadier than wall time on a shared machine) spent in:

* ``person_pages``: who is credited where, the pages of each person;
* ``page_renders``: every page's render function and its key, before any render;
* ``stage_files``: each file kept, linked or rendered and written into the staging folder;
* the whole publish.

Publish the show once before (a cold run), and once more after any change to podpub's
code (the cache is kept per code version): then each run is an edit's rebuild.
"""

from __future__ import annotations

import functools
import gc
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import podpub.build.engine as engine
import podpub.site.render as render
from podpub.cli import main

TITLE = re.compile(r'^title: "(.*?)( v\d+)?"$', re.MULTILINE)


def timed(owner: Any, name: str, spent: dict[str, float]) -> None:
    """Replace ``owner.name`` by itself, adding its CPU time to ``spent[name]``."""
    function: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - started

    setattr(owner, name, wrapper)


def retitle(descriptor: Path) -> None:
    """A new title: ``… vN`` with a new N each run (the title never grows)."""
    text = descriptor.read_text(encoding="utf-8")
    stamp = time.time_ns()
    descriptor.write_text(TITLE.sub(rf'title: "\1 v{stamp}"', text, count=1), encoding="utf-8")


def run(show: Path, descriptor: Path) -> dict[str, float]:
    spent: dict[str, float] = {}
    timed(render, "person_pages", spent)  # render.py's own name for it
    timed(render, "page_renders", spent)
    timed(engine.Engine, "stage_files", spent)
    retitle(descriptor)
    os.environ["PODPUB_JOBS"] = "1"
    gc.disable()  # as the command does (cli.entry)
    started = time.process_time()
    status = main(["publish", str(show), "-q"])
    spent["publish"] = time.process_time() - started
    if status != 0:
        sys.exit(status)
    return spent


if __name__ == "__main__":
    show = Path(sys.argv[1])
    episodes = sorted((show / "episodes").glob("*.yaml"))
    chosen = Path(sys.argv[2]) if len(sys.argv) > 2 else episodes[len(episodes) // 2]
    figures = run(show, chosen)
    print("  ".join(f"{name} {seconds:.3f} s" for name, seconds in figures.items()))
