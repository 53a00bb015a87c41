"""Work on a replaced site's files that nobody waits for: in a detached process.

Unlinking or hard-linking tens of thousands of files can take longer than building
the new site. A command-line publish of a big site hands it to a detached process at a
lower priority; a library call (``detach=False``) and a small site do it in place.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

BACKGROUND_REMOVAL_FILES = 2000  # a smaller old site is removed before publish returns


def remove_in_background(folder: Path, files: int, detach: bool) -> bool:
    """Delete the previous site (already swapped out) in a detached process.

    Unlinking tens of thousands of files can take longer than building their
    replacement; nobody waits for it. Only for a command-line publish of a big site
    (``detach``: a run with its build context): library callers and small sites get the
    old synchronous removal. A
    removal cut short (shutdown) is finished by the next publish, which sweeps leftover
    ``.<name>.staging-*`` folders first. Returns False when it did not take the job.
    """
    import shutil

    return in_background(partial(shutil.rmtree, folder, ignore_errors=True), files, detach)


def in_background(job: Callable[[], object], files: int, detach: bool) -> bool:
    """Run ``job`` in a detached process, at a lower priority, when it is about the
    files of a big site and ``detach`` allows it (see :func:`remove_in_background`);
    False when it did not take the job (the caller does it)."""
    if not detach or files < BACKGROUND_REMOVAL_FILES or not hasattr(os, "fork"):
        return False
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid:
        os.waitpid(pid, 0)  # the intermediate child exits at once
        return True
    try:  # the intermediate child: detach, hand over to a grandchild, leave
        os.setsid()
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDWR)  # a pipe reading our output must not wait
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        with contextlib.suppress(OSError):
            os.nice(10)
        with contextlib.suppress(Exception):
            job()
    finally:
        os._exit(0)
