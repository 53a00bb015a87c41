"""Spread independent work over the machine's cores with forked worker processes.

``parallel_map(fn, items)`` is ``[fn(item) for item in items]``, computed by the current
process and ``jobs - 1`` forked children; the children send their results back
pickled. Forking (Linux, macOS) instead of starting fresh interpreters means:

* ``fn`` can be any callable, a closure over the state of the run included: the
  children inherit the parent's memory (copy-on-write), so nothing but the results
  (and the positions of the items to compute) crosses between processes, and no module
  is imported twice;
* a child costs a few milliseconds to start, so a child that has computed
  ``PER_CHILD`` items is replaced by a fresh one (its memory grows with its work).

The work is handed out as it is done, in runs of consecutive items (shorter as the work
runs out): each process takes the next run when it is done with its own, so that no
core waits while another still has work that nobody started (a child is slower per
item than the parent: it writes its results into a pipe and faults in the pages it
touches; and a stage's items differ in cost: a person's page against a chapters file).
A child is always given its next run before it finishes the current one: it never
waits for the parent to look up from its own item.

Below ``min_items`` per process, or where ``fork`` does not exist, or with ``jobs=1``,
it runs in the current process: starting workers for a small show costs more than it
saves. An exception in a child is raised again in the parent (a :class:`PodpubError`
with its problems; anything else as a bug in podpub). If the parent is interrupted,
its children are killed and reaped.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import os
import pickle
import select
import signal
import struct
import sys
import time
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
# ... but a child computes at least 1/FORKS_AT_MOST of a map's items, so that a map
# forks a bounded number of children whatever the show's size. A fork costs in
# proportion to the parent's memory (its page tables copied, then each page either
# process writes to copied: a reference count is enough; 0.6 s of CPU per fork of a
# 760 MiB process that goes on with its own items, measured), and the parent's memory
# grows with the show: with PER_CHILD alone the forks grew with it too, and their cost
# with its square (a cold publish of 50,000 episodes, its parent near 1 GB: 79 s of
# system CPU, against 4.5 s at 10,000). At 10,000 episodes the shares stay as they
# were (40,801 files: 2,551 each).
FORKS_AT_MOST = 16
# The longest run of items handed out at once: each run's results cross the pipe in one
# message (fewer, longer runs: fewer messages; but a child holds a run's results until
# it is done, and the last runs decide how long one process waits for the other).
MAX_RUN = 200
# A run is 1/SPREAD of what is left per process: long runs while there is much to do,
# single items at the end, where a long one would keep the other process waiting.
SPREAD = 4
# The parent looks for its children's answers between two of its own items, at most
# this often (seconds): a child has its next run already (_keep_busy), so an answer heard
# a little later costs it nothing, where a look (a select, the lists around it) after
# each item cost the parent a microsecond or more per item (40,000 items of 2 µs shared
# with one child: 17,000 looks, 69 ms of the parent's CPU; 190 looks, 50 ms, now).
LOOK_EVERY = 0.0005
_HEADER = struct.Struct(">Q")  # a message's length, before its pickle
_RUN = struct.Struct(">QQ")  # the parent's order to a child: compute items [start, stop)
_LEAVE = (0, 0)  # the order to send what it did on the side and exit


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

    ``progress(n)`` is called in the parent as items are done (its own as it goes, a
    child's as each of its runs arrives). ``collect()`` runs in each child after its
    last run, and ``merge(what it returned)`` in the parent: how work a child did on the
    side (results memoized in the cache) reaches the parent.

    A child computes ``per_child`` items at most (default: ``PER_CHILD``, or a
    ``FORKS_AT_MOST``-th of the items when that is more), then a fresh child is forked
    for the rest of the work. A child's memory grows with the items it
    computes: what it makes, and each page of the parent's memory that either process
    writes to (a reference count is enough) copied (copy-on-write) and then private to
    both. A fresh fork shares the parent's pages again.
    """
    jobs = jobs or default_jobs()
    processes = min(jobs, len(items) // max(min_items, 1))
    if processes < 2 or not can_fork():
        return _run_here(fn, items, progress)
    if per_child is None:
        per_child = max(PER_CHILD, -(-len(items) // FORKS_AT_MOST))
    return _Shared(fn, items, processes, per_child, progress, collect, merge).run()


class _Work:
    """The items not handed out yet: ``take`` gives the next run of consecutive positions."""

    def __init__(self, total: int, processes: int) -> None:
        self.next, self.total, self.processes = 0, total, processes

    def take(self, at_most: int = MAX_RUN) -> range | None:
        left = self.total - self.next
        if left <= 0 or at_most <= 0:
            return None
        size = max(1, min(at_most, MAX_RUN, left // (SPREAD * self.processes)))
        run = range(self.next, self.next + size)
        self.next += size
        return run


class _Child:
    """A forked worker: the orders sent to it and not answered yet, its pipes."""

    def __init__(self, pid: int, orders: int, answers: int) -> None:
        self.pid, self.orders, self.answers = pid, orders, answers
        self.pending: collections.deque[range] = collections.deque()
        self.given = 0  # items handed to it: at most per_child
        self.leaving = False

    def order(self, run: range) -> None:
        self.pending.append(run)
        self.given += len(run)
        self._send(run.start, run.stop)

    def leave(self) -> None:
        self.leaving = True
        self._send(*_LEAVE)

    def _send(self, start: int, stop: int) -> None:
        # 16 bytes: never blocks. A child that failed on its previous run has exited:
        # its answer, still in the pipe, says why (read next), not this write.
        with contextlib.suppress(BrokenPipeError):
            os.write(self.orders, _RUN.pack(start, stop))

    def answer(self) -> tuple[str, Any]:
        data = _read_message(self.answers)
        if data is None:
            raise RuntimeError("a podpub worker process died without a result")
        return pickle.loads(data)

    def close(self, kill: bool = False) -> None:
        if kill:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        for fd in (self.orders, self.answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, 0)


class _Shared:
    """One ``parallel_map`` over the parent and ``processes - 1`` children."""

    def __init__(
        self,
        fn: Callable[[Any], Any],
        items: Sequence[Any],
        processes: int,
        per_child: int,
        progress: Callable[[int], None] | None,
        collect: Callable[[], Any] | None,
        merge: Callable[[Any], None] | None,
    ) -> None:
        self.fn, self.items, self.per_child = fn, items, max(1, per_child)
        self.progress, self.collect, self.merge = progress, collect, merge
        self.processes = processes
        self.work = _Work(len(items), processes)
        self.results: list[Any] = [None] * len(items)
        self.children: list[_Child] = []

    def run(self) -> list[Any]:
        # The objects that exist now are the parent's: out of the collector's sight while
        # the children run, so that a collection in a child does not write to (and so
        # copy) the memory pages it shares with the parent (Python's advice for fork).
        gc.freeze()
        try:
            for _ in range(self.processes - 1):
                self._start_child()
            while (run := self.work.take()) is not None:
                self._compute_here(run)
            while self.children:  # the parent is done: the children's last runs
                self._hear(block=True)
            return self.results
        finally:
            gc.unfreeze()
            for child in self.children:  # interrupted, or a child failed: stop the others
                child.close(kill=True)

    def _compute_here(self, run: range) -> None:
        fn, items, results = self.fn, self.items, self.results
        clock, look_at = time.perf_counter, 0.0
        for position in run:
            results[position] = fn(items[position])
            if self.children and clock() >= look_at:
                self._hear(block=False)  # a child done with a run is given the next one
                look_at = clock() + LOOK_EVERY
        if self.progress is not None:
            self.progress(len(run))

    def _start_child(self) -> None:
        if self.work.next >= self.work.total:
            return
        child = _fork(self.fn, self.items, self.collect)
        self.children.append(child)
        self._keep_busy(child)

    def _keep_busy(self, child: _Child) -> None:
        """Two runs ordered ahead: the child starts the next as soon as it sends one."""
        while len(child.pending) < 2 and not child.leaving:
            run = self.work.take(self.per_child - child.given)
            if run is None:
                child.leave()  # all handed out, or its share done: a fresh one takes over
            else:
                child.order(run)

    def _hear(self, block: bool) -> None:
        ready = [c.answers for c in self.children]
        readable = set(select.select(ready, [], [], None if block else 0)[0])
        for child in [c for c in self.children if c.answers in readable]:
            self._take_answer(child)

    def _take_answer(self, child: _Child) -> None:
        kind, value = child.answer()
        if kind == "problems":
            raise PodpubError(value)
        if kind == "bug":
            raise RuntimeError(f"in a podpub worker process:\n{value}")
        if kind == "left":
            self.children.remove(child)
            child.close()
            if self.merge is not None:
                self.merge(value)
            self._start_child()  # the rest of the work, in a fresh child
            return
        run = child.pending.popleft()
        self.results[run.start : run.stop] = value
        if self.progress is not None:
            self.progress(len(run))
        self._keep_busy(child)


def _read_message(fd: int) -> bytes | None:
    """One message from a pipe (its length, then its bytes); None at the end of the pipe."""
    head = _read_exactly(fd, _HEADER.size)
    if head is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(head)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_message(fd: int, payload: Any) -> None:
    data = pickle.dumps(payload, protocol=5)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


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


def _fork(fn: Callable[[T], R], items: Sequence[T], collect: Callable[[], Any] | None) -> _Child:
    orders_read, orders_write = os.pipe()
    answers_read, answers_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
        status = 1
        try:
            os.close(orders_write)
            os.close(answers_read)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            gc.enable()  # off in the CLI's main process (cli.entry); renders make cycles
            _serve(fn, items, collect, orders_read, answers_write)
            status = 0
        finally:
            os._exit(status)
    os.close(orders_read)
    os.close(answers_write)
    return _Child(pid, orders_write, answers_read)


def _serve(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    collect: Callable[[], Any] | None,
    orders: int,
    answers: int,
) -> None:
    """A child's life: compute each run it is sent, answer with its results; when told to
    leave, answer with what ``collect()`` gives. A failure is its last answer."""
    while True:
        order = _read_exactly(orders, _RUN.size)
        if order is None:
            return  # the parent is gone
        start, stop = _RUN.unpack(order)
        try:
            if (start, stop) == _LEAVE:
                _write_message(answers, ("left", collect() if collect else None))
                return
            payload: tuple[str, Any] = ("ok", [fn(items[i]) for i in range(start, stop)])
        except PodpubError as exc:
            payload = ("problems", exc.problems)
        except BaseException:
            payload = ("bug", traceback.format_exc())
        _write_message(answers, payload)
        if payload[0] != "ok":
            return
