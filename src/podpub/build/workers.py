"""Spread independent work over the machine's cores with forked worker processes.

``parallel_map(fn, items)`` is ``[fn(item) for item in items]``, computed by the current
process and ``jobs - 1`` forked children, each taking every ``jobs``-th item; the
children send their results back pickled. Forking (Linux, macOS) instead of starting
fresh interpreters means:

* ``fn`` can be any callable, a closure over the state of the run included: the
  children inherit the parent's memory (copy-on-write), so nothing but the results
  crosses between processes, and no module is imported twice;
* a child costs a few milliseconds to start, so a child that has computed
  ``PER_CHILD`` items is replaced by a fresh one (its memory grows with its work).

Below ``min_items`` per process, or where ``fork`` does not exist, or with ``jobs=1``,
it runs in the current process: starting workers for a small show costs more than it
saves. An exception in a child is raised again in the parent (a :class:`PodpubError`
with its problems; anything else as a bug in podpub). If the parent is interrupted,
its children are killed and reaped.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from podpub.errors import PodpubError

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 64  # per process: below this, a fork costs more than the work it shares
# items per child: a fork costs ~10 ms and the pages it copies again. A child rendering
# the pages of a 10,000-episode show grew to 174 MiB of private pages with its whole
# share (20,000 files), 137 MiB with 2,500, 102 MiB with 1,000 (bench/memory.py); but
# with 1,000 the cold publish took 30 % more CPU (each child warms its caches again)
PER_CHILD = 2_500
_HEADER = struct.Struct(">Q")


def default_jobs() -> int:
    """``PODPUB_JOBS`` if set, else the CPUs this process may run on."""
    value = os.environ.get("PODPUB_JOBS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def parallel_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    min_items: int = MIN_ITEMS,
    progress: Callable[[int], None] | None = None,
    collect: Callable[[], Any] | None = None,
    merge: Callable[[Any], None] | None = None,
    per_child: int | None = None,
) -> list[R]:
    """``[fn(item) for item in items]``, shared with forked workers when worth it.

    ``progress(n)`` is called in the parent as items are done (its own share as it goes,
    each child's share when it arrives). ``collect()`` runs in each child after its
    share, and ``merge(what it returned)`` in the parent: how work a child did on the
    side (results memoized in the cache) reaches the parent.

    A child computes ``per_child`` items (default ``PER_CHILD``) at most; the rest of its
    share goes to a fresh child forked when it is done. A child's memory grows with the
    items it computes: what it makes, and each page of the parent's memory that either
    process writes to (a reference count is enough) copied (copy-on-write) and then
    private to both. A fresh fork shares the parent's pages again.
    """
    jobs = jobs or default_jobs()
    shares = min(jobs, len(items) // max(min_items, 1))
    if shares < 2 or not can_fork():
        return _run_here(fn, items, progress)
    # Share k takes items k, k + shares, k + 2 × shares…: costly items that come in a run
    # (the pages of a kind) are dealt out evenly. Each share in pieces of per_child items.
    pieces = {
        share: _pieces(range(share, len(items), shares), per_child or PER_CHILD)
        for share in range(shares)
    }
    running: list[tuple[int, range, int, int]] = []  # (share, its items, pid, pipe read end)
    results: list[Any] = [None] * len(items)

    def start(share: int) -> None:
        if pieces[share]:
            positions = pieces[share].pop(0)
            running.append((share, positions, *_fork(fn, [items[i] for i in positions], collect)))

    def finish(child: tuple[int, range, int, int]) -> None:
        running.remove(child)
        share, positions, pid, reader = child
        share_results, extra = _receive(pid, reader)
        if merge is not None:
            merge(extra)
        for position, result in zip(positions, share_results, strict=True):
            results[position] = result
        if progress is not None:
            progress(len(share_results))
        start(share)  # the rest of its share, in a fresh child

    # The objects that exist now are the parent's: out of the collector's sight while the
    # children run, so that a collection in a child does not write to (and so copy) the
    # memory pages it shares with the parent (Python's documented advice for fork).
    gc.freeze()
    try:
        for share in range(1, shares):
            start(share)
        # The parent's own share, a child that is done replaced between two of its items
        # (a child waiting to be replaced is a core left idle).
        mine = [position for piece in pieces.pop(0) for position in piece]
        step = max(1, len(mine) // 100)
        for count, position in enumerate(mine, 1):
            results[position] = fn(items[position])
            if progress is not None and count % step == 0:
                progress(step)
            for child in [c for c in running if _done(c[3])]:
                finish(child)
        if progress is not None and len(mine) % step:
            progress(len(mine) % step)
        while running:
            finish(running[0])
        return results
    finally:
        gc.unfreeze()
        for _, _, pid, reader in running:  # interrupted, or a child failed: stop the others
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.close(reader)
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)


def _pieces(positions: range, size: int) -> list[range]:
    size = max(1, size)
    return [positions[start : start + size] for start in range(0, len(positions), size)]


def _done(reader: int) -> bool:
    """Whether the child writing to ``reader`` has begun sending its result (a child
    writes only once everything is computed)."""
    return bool(select.select([reader], [], [], 0)[0])


def _run_here(
    fn: Callable[[T], R], items: Sequence[T], progress: Callable[[int], None] | None
) -> list[R]:
    results: list[R] = []
    step = max(1, len(items) // 100)
    for index, item in enumerate(items):
        results.append(fn(item))
        if progress is not None and (index + 1) % step == 0:
            progress(step)
    if progress is not None and len(items) % step:
        progress(len(items) % step)
    return results


def _fork(
    fn: Callable[[T], R], items: Sequence[T], collect: Callable[[], Any] | None
) -> tuple[int, int]:
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
        status = 0
        try:
            os.close(reader)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            gc.enable()  # off in the CLI's main process (cli.entry); renders make cycles
            try:
                results = [fn(item) for item in items]
                payload: tuple[str, Any] = ("ok", (results, collect() if collect else None))
            except PodpubError as exc:
                payload = ("problems", exc.problems)
            except BaseException:
                payload = ("bug", traceback.format_exc())
            data = pickle.dumps(payload, protocol=5)
            with open(writer, "wb", closefd=True) as pipe:
                pipe.write(_HEADER.pack(len(data)))
                pipe.write(data)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _receive(pid: int, reader: int) -> tuple[list[Any], Any]:
    with open(reader, "rb", closefd=True) as pipe:
        head = pipe.read(_HEADER.size)
        data = pipe.read(_HEADER.unpack(head)[0]) if len(head) == _HEADER.size else b""
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("a podpub worker process died without a result")
    kind, value = pickle.loads(data)
    if kind == "problems":
        raise PodpubError(value)
    if kind == "bug":
        raise RuntimeError(f"in a podpub worker process:\n{value}")
    return value
