"""The command line's side of a cached publish: the no-change check, the engine, the summary.

``podpub publish`` goes through :class:`PublishRun`:

1. :meth:`PublishRun.unchanged` stats the show (uptodate.py): when nothing changed since
   the last publish into the same folder with the same options, the CLI prints the
   summary of that publish and stops, having imported none of the heavy modules;
2. otherwise the publish runs inside :attr:`PublishRun.engine` (cache, worker
   processes, progress bar), and :meth:`PublishRun.finish` records what the next run
   compares with and prints the summary line.

This module imports only the light ones (cache, engine, progress, uptodate).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podpub.build.engine import Engine
from podpub.build.progress import Progress, summary_line
from podpub.build.store import CacheOptions, ShowCache
from podpub.build.uptodate import (
    PublishState,
    Snapshot,
    current_state,
    forget_state,
    record_state,
    state_key,
)

DEFAULT_OUT = "public"  # publish.DEFAULT_OUT (not imported: publish.py is heavy)
LEDGER_FILE = "published.lock"  # ledger.LEDGER_FILE: written by publish into the show


def build_now() -> dt.datetime | None:
    """publish.build_time() without importing publish: None if SOURCE_DATE_EPOCH is bad."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError):
        return None  # publish reports it


@dataclass
class PublishRun:
    show_dir: Path
    out: str | None
    params: dict[str, Any]  # the options that change the output (state key)
    cache_options: CacheOptions = field(default_factory=CacheOptions)
    jobs: int | None = None
    quiet: bool = False
    started: float = field(default_factory=time.perf_counter)
    cache: ShowCache | None = None  # a warm build's, its stages read already (rebuild.py)
    inputs: Snapshot | None = None  # the show's files, when stamped already (rebuild.py)

    def __post_init__(self) -> None:
        self.target = Path(self.out or self.show_dir / DEFAULT_OUT).expanduser().resolve()
        self.progress = Progress.for_terminal(self.quiet, self.started)
        engine_args: dict[str, Any] = {"progress": self.progress, "shared_cache": self.cache}
        if self.jobs:
            engine_args["jobs"] = self.jobs
        self.engine = Engine(self.show_dir, self.cache_options, **engine_args)
        self.key = state_key(self.target, _Params(self.params))
        self.engine.reuse_output(self.target, self.key)  # unchanged pages are linked

    def unchanged(self) -> PublishState | None:
        """The last publish's state when nothing it was built from has changed since."""
        if not self.cache_options.enabled or self.cache_options.verify:
            return None
        if self.params.get("future"):  # future-dated items warn until their day: no shortcut
            return None
        now = build_now()
        if now is None or not (self.show_dir / "show.yaml").is_file():
            return None
        state, self.inputs = current_state(
            self.engine.cache,
            self.show_dir,
            self.target,
            self.key,
            now,
            inputs=self.inputs,
            own_files=(LEDGER_FILE,),
        )
        if state is None:  # there is work: the stamps just taken serve every stage
            self.engine.cache.remember_stamps(self.show_dir, self.inputs.files, self.inputs.told)
        return state

    def report_unchanged(
        self, state: PublishState, echo: Callable[..., Any], verbose: bool = False
    ) -> None:
        summary = state.summary
        findings = summary.get("findings")
        if verbose:  # a state recorded before podpub grouped them has the one list
            findings = summary.get("all_findings", findings)
        if findings:
            echo("\n".join(findings), err=True)
        if self.quiet:
            return
        echo(
            f"Nothing changed since the last publish: {summary.get('title', '')!r} in "
            f"{self.target} is up to date."
        )
        for line in summary.get("notes", []):
            echo(line)
        counts = dict(summary.get("counts", {}), probed=0, written=0, reused=0)
        counts["cached"] = summary.get("counts", {}).get("published", 0)
        echo(summary_line(counts, time.perf_counter() - self.started))

    def failed(self) -> None:
        """A publish that stopped on problems: keep what was read, forget the old state."""
        self.progress.close()
        if self.cache_options.enabled:
            forget_state(self.engine.cache, self.key)
            self.engine.save()

    def finish(
        self,
        result: Any,
        echo: Callable[..., Any],
        notes: list[str],
        findings: list[str] | None = None,
    ) -> None:
        """Record the state of this publish for the next one; print the summary line.

        ``findings``: the lines the CLI printed of the findings (repeated ones grouped),
        printed again by a publish that finds nothing changed."""
        self.progress.close()
        site = result.site
        counts = self.counts(site, result.files)
        if self.cache_options.enabled:
            inputs = self.inputs
            if inputs is None:  # --verify: snapshot now (the next run compares stamps)
                from podpub.build.uptodate import snapshot

                inputs = snapshot(self.show_dir, self.target)
            every_finding = [str(f) for f in result.findings]
            summary = {
                "title": site.show.title,
                "findings": findings if findings is not None else every_finding,
                "all_findings": every_finding,
                "notes": notes,
                "counts": {k: counts[k] for k in ("published", "drafts", "scheduled")},
            }
            record_state(
                self.engine.cache,
                self.key,
                inputs,
                self.target,
                site.next_due,
                summary,
                own_files=(LEDGER_FILE,),
            )
            self.engine.save_manifest()
            self.engine.save()
        if not self.quiet:
            echo(summary_line(counts, time.perf_counter() - self.started))

    def counts(self, site: Any, files: int = 0) -> dict[str, int]:
        """The summary's numbers; ``files``: all files of the new site (PublishResult)."""
        engine = self.engine.counts
        drafts = sum(1 for file in site.skipped if file in self.engine.drafts)
        return {
            "published": len(site.episodes),
            "drafts": drafts,
            "scheduled": len(site.skipped) - drafts,
            "probed": engine.probed,
            "cached": engine.probed_cached + engine.resolved_cached,  # records kept whole
            # every file of the new site but the pages reused and the episodes' media
            "written": max(engine.written, files - engine.reused - engine.linked),
            "reused": engine.reused,
        }


class _Params:
    """The CLI's options as an object (state_key reads ``vars``)."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.__dict__.update(params)


@dataclass
class CheckRun:
    """``podpub check`` with the same shortcut: an unchanged show gets the last report."""

    show_dir: Path
    params: dict[str, Any]
    cache_options: CacheOptions = field(default_factory=CacheOptions)

    def __post_init__(self) -> None:
        self.engine = Engine(self.show_dir, self.cache_options)
        # The default output folder is not the check's input (publish rewrites it).
        self.excluded = (self.show_dir / DEFAULT_OUT).resolve()
        self.key = "check-" + state_key(self.excluded, _Params(self.params))
        self.inputs: Snapshot | None = None

    def cached(self) -> tuple[str, int] | None:
        """The last report and exit status, when nothing the check reads has changed."""
        if not self.cache_options.enabled or self.params.get("future"):
            return None
        now = build_now()
        if now is None or not (self.show_dir / "show.yaml").is_file():
            return None
        state, self.inputs = current_state(
            self.engine.cache, self.show_dir, self.excluded, self.key, now, check_output=False
        )
        if state is None:
            return None
        return state.summary["report"], state.summary["status"]

    def record(self, report: str, status: int, next_due: dt.datetime | None) -> None:
        if not self.cache_options.enabled:
            return
        if self.inputs is not None:
            record_state(
                self.engine.cache,
                self.key,
                self.inputs,
                self.excluded,
                next_due,
                {"report": report, "status": status},
            )
        self.engine.save()
