"""``podpub serve``: build the preview, serve it, rebuild on every save, until Ctrl-C.

The server answers from a thread; the builds run in the calling thread, one at a time,
each after a burst of saves (watch.py). A refused build leaves the last good preview on
disk and shows its problems, in the terminal and as the page in the browser.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from podpub.errors import PodpubError
from podpub.input.paths import missing_show_file
from podpub.serve.preview import Outcome, PreviewBuilder, preview_folder
from podpub.serve.server import PreviewServer, PreviewState
from podpub.serve.watch import Watcher

Echo = Callable[..., object]
CHANGED_NAMED = 5  # a rebuild's line names this many changed files, then counts


@dataclass(frozen=True)
class ServeOptions:
    port: int = 8000  # 0: any free port
    drafts: bool = False
    future: bool = False
    jobs: int | None = None


def serve(
    show_dir: Path, options: ServeOptions, echo: Echo, stop: threading.Event | None = None
) -> None:
    """Serve the show's preview until Ctrl-C (or ``stop``); returns normally then."""
    show_dir = show_dir.resolve()
    if not (show_dir / "show.yaml").is_file():
        raise PodpubError([missing_show_file(show_dir)])
    state = PreviewState(site=preview_folder(show_dir))
    server = _bind(options.port, state)  # first: the site's address names the port
    builder = PreviewBuilder(show_dir, server.url, options.drafts, options.future, options.jobs)
    thread = threading.Thread(target=server.serve_forever, name="podpub-serve", daemon=True)
    try:
        with _terminate_as_interrupt(), Watcher(show_dir, stop) as watcher:
            report = _Report(state, echo, show_dir)
            first = builder.rebuild()
            report.build(first)
            thread.start()
            echo(f"Serving {builder.show_dir} at {server.url} (Ctrl-C to stop)")
            settle(builder)
            if first.ok:  # a refused build is built again by the next save anyway
                _catch_up(builder, report)
            for paths in watcher.batches():
                with collector_paused():
                    outcome = builder.rebuild(paths)
                if outcome.ok and not outcome.built:
                    continue  # built already: saved as a catch-up compared the stamps
                report.build(outcome, paths)
                settle(builder)  # while the browser reloads
                if outcome.ok:
                    _catch_up(builder, report)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how serve ends: not an error
    finally:
        state.stop()  # the open event streams end
        if thread.is_alive():
            server.shutdown()
        server.server_close()
    echo("Stopped.")


def settle(builder: PreviewBuilder) -> None:
    """Between two rebuilds: save the cache (``PreviewBuilder.flush``), bring the
    standby folder up to date if the next rebuild could not trust it (after the first
    build: ``PreviewBuilder.prepare_standby``, seconds at 10,000 episodes that the
    first save would otherwise wait for), then collect this process's garbage and
    freeze what is left. The warm build keeps the show's whole
    cache in memory; without the freeze, the collector goes through all of it again
    during each rebuild (a quarter of a warm rebuild at 1,000 episodes). Collecting
    first leaves no garbage in the frozen heap; serve owns its process, so its
    collector is serve's to tune."""
    builder.flush()
    builder.prepare_standby()
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _catch_up(builder: PreviewBuilder, report: _Report) -> None:
    """Build again if a file changed that the watcher did not report: every input is
    stamped and compared with the last build's (the stamps: 75 ms at 10,000 episodes;
    nothing is built when none differs).

    A build writes thousands of files into ``.podpub/``, inside the watched folder: on
    Linux they fill the kernel's inotify queue (16,384 events by default), which then
    drops every later event, and watchfiles does not say so. A save made while serve
    builds the whole show, or just after, was lost that way at 10,000 episodes: the
    preview kept the old page until the next save. A build made here writes files too:
    the check is made again after it, until one finds nothing (or is refused)."""
    while True:
        with collector_paused():
            outcome = builder.rebuild()
        if not outcome.built and outcome.ok:
            return
        report.build(outcome, {builder.show_dir / rel for rel in outcome.inputs})
        settle(builder)
        if not outcome.ok:
            return


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection during a warm rebuild: it makes many objects, which the
    collector would go through again and again (40% of a rebuild's CPU time at 10,000
    episodes without the freeze, 20% with it); :func:`settle` collects right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service manager, ``kill``) ends serve as Ctrl-C does: cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread (tests run serve in others)
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _bind(port: int, state: PreviewState) -> PreviewServer:
    try:
        return PreviewServer(port, state)
    except OSError as exc:
        raise PodpubError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another port with "
            "--port, or --port 0 for any free one"
        ) from None


@dataclass
class _Report:
    """Prints what each build did, and hands it to the server."""

    state: PreviewState
    echo: Echo
    show_dir: Path
    warned: set[str] = field(default_factory=set)  # printed once, not after every save

    def build(self, outcome: Outcome, paths: set[Path] | None = None) -> None:
        if not outcome.ok:
            self._refused(outcome)
            return
        for line in (str(p) for p in outcome.problems):
            if line not in self.warned:
                self.warned.add(line)
                self.echo(line, err=True)
        if paths is None:
            self.echo(
                f"Built {outcome.title!r}: {_count(outcome.episodes, 'episode')} "
                f"in {outcome.seconds:.2f} s."
            )
        else:
            names = _names(paths, self.show_dir) if paths else "changed files found by their stamps"
            changed = _changed(outcome.changed)
            self.echo(f"Rebuilt in {outcome.seconds:.2f} s after {names}: {changed}")
        if paths is not None and not outcome.changed and self.state.problems is None:
            return  # nothing to reload
        if paths is not None and self.state.problems is not None:
            self.echo("  The site is back in the browser.")
        self.state.show_build(outcome.marks)

    def _refused(self, outcome: Outcome) -> None:
        for problem in outcome.problems:
            self.echo(str(problem), err=True)
        self.state.show_problems(outcome.problems)
        self.echo(
            f"podpub: {_count(len(outcome.problems), 'problem')}; the browser shows them "
            "until the files are fixed (the last good preview is kept).",
            err=True,
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _names(paths: set[Path], show_dir: Path) -> str:
    names = sorted(str(p.relative_to(show_dir)) for p in paths)
    more = len(names) - CHANGED_NAMED
    return ", ".join(names[:CHANGED_NAMED]) + (f" and {more} more" if more > 0 else "")


def _changed(changed: tuple[str, ...]) -> str:
    if not changed:
        return "no page changed."
    more = len(changed) - CHANGED_NAMED
    named = ", ".join(changed[:CHANGED_NAMED]) + (f" and {more} more" if more > 0 else "")
    return f"{_count(len(changed), 'file')} changed: {named}"
