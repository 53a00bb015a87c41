"""The command line: a thin layer over the library, with the one error boundary.

User errors (PodpubError) print every problem and exit 1; an interrupt exits 130; any
other exception is a bug in podpub: exit 3 with a request for a report (the traceback
only with PODPUB_DEBUG=1).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from podpub.errors import PodpubError

if TYPE_CHECKING:
    from podpub.rules.checker import CheckReport

EXIT_USER_ERROR = 1
EXIT_BUG = 3
EXIT_INTERRUPTED = 130

_show_dir = click.argument(
    "show_dir",
    required=False,
    default=".",
    # Resolved: the cache keys files by their path inside the show, and the up-to-date
    # check leaves the output folder out by its real path; "." and the same folder's
    # absolute path must be one show to both.
    type=click.Path(exists=True, file_okay=False, path_type=Path, resolve_path=True),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="podpub")
def cli() -> None:
    """Publish a podcast from show.yaml and episodes/*.yaml: an RSS feed every
    directory accepts, and show-notes pages listeners read."""


@cli.command()
@_show_dir
@click.option(
    "--out",
    type=click.Path(file_okay=False),  # kept as text: an empty --out "" must be refused
    help="Output folder (default: SHOW_DIR/public). Replaced as a whole.",
)
@click.option("--base-url", help="Publish for another address than show.yaml's url (previews).")
@click.option("--drafts", is_flag=True, help="Include episodes marked draft: true.")
@click.option("--future", is_flag=True, help="Include episodes dated in the future.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would change for subscribers since the last publish; write nothing.",
)
@click.option(
    "--remove",
    multiple=True,
    metavar="EP",
    help="Let this published episode leave the feed (its descriptor name; repeatable).",
)
@click.option(
    "--reissue-guid",
    multiple=True,
    metavar="EP",
    help="Let this published episode's GUID change: apps download it again (repeatable).",
)
@click.option(
    "--max-items",
    type=click.IntRange(min=1),
    help="The feed lists only the newest N episodes (the site keeps all); see max_items.",
)
@click.option(
    "--no-cache", is_flag=True, help="Ignore .podpub/ (neither read nor write it): redo everything."
)
@click.option(
    "--verify",
    is_flag=True,
    help="Re-hash the contents of cached files instead of trusting size, time and inode.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes for big shows (default: one per CPU; 1: none).",
)
def publish(
    show_dir: Path,
    out: str | None,
    base_url: str | None,
    drafts: bool,
    future: bool,
    quiet: bool,
    dry_run: bool,
    remove: tuple[str, ...],
    reissue_guid: tuple[str, ...],
    max_items: int | None,
    no_cache: bool,
    verify: bool,
    jobs: int | None,
) -> None:
    """Check the show, then write the feed, pages and media into the output folder."""
    started = time.perf_counter()
    if out is not None and not out.strip():
        raise PodpubError('the output folder is empty (--out ""); give a folder')
    if base_url is not None and not re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+", base_url):
        raise PodpubError(
            f"--base-url {base_url!r} is not an absolute URL; give one such as "
            "https://preview.example.org/"
        )
    from podpub.build.runner import PublishRun
    from podpub.build.store import CacheOptions

    run = PublishRun(
        show_dir,
        out,
        {
            "base_url": base_url,
            "drafts": drafts,
            "future": future,
            "remove": remove,
            "reissue_guid": reissue_guid,
            "max_items": max_items,
        },
        CacheOptions(enabled=not no_cache, verify=verify),
        jobs=jobs,
        quiet=quiet,
        started=started,
    )
    if not dry_run:
        state = run.unchanged()  # nothing changed: say so without importing the pipeline
        if state is not None:
            run.report_unchanged(state, click.echo)
            return

    from podpub.write.ledger import describe
    from podpub.write.publish import PublishOptions
    from podpub.write.publish import dry_run as run_dry_run
    from podpub.write.publish import publish as run_publish

    options = PublishOptions(
        out=Path(out) if out is not None else None,
        base_url=base_url,
        drafts=drafts,
        future=future,
        remove=remove,
        reissue_guid=reissue_guid,
        max_items=max_items,
    )
    if dry_run:
        _, diff = run_dry_run(show_dir, options)
        click.echo("\n".join(describe(diff, dry_run=True)))
        if diff.problems:
            raise PodpubError(list(diff.problems))
        return
    try:
        with run.engine.active():  # the cache, the worker processes, the progress bar
            result = run_publish(show_dir, options)
    except PodpubError:
        run.failed()
        raise
    finally:
        run.progress.close()  # before anything else is printed
    for finding in result.findings:  # feed-rule warnings and notes: published anyway
        click.echo(str(finding), err=True)
    site = result.site
    count = len(site.episodes)
    notes = [f"Feed: {site.show.feed_url}"]
    if result.changes is None or drafts:
        notes.append("Preview (--drafts or --base-url): published.lock was not updated.")
    if site.show.guid_computed:
        notes.append(_guid_reminder(site))
    if not quiet:
        click.echo(
            f"Published {count} episode{'s' * (count != 1)} of {site.show.title!r} to "
            f"{result.out} ({result.files} files, {time.perf_counter() - started:.2f} s)."
        )
        if site.skipped:
            click.echo(_left_out(site.skipped))
        click.echo(notes[0])
        if result.changes is None or drafts:
            click.echo(notes[1])
        if result.changes is not None:
            click.echo("\n".join(describe(result.changes, dry_run=False)))
        _remind_guid(site)
    run.finish(result, click.echo, notes)  # the cache and state for the next run; summary


@cli.command()
@_show_dir
@click.option("--drafts", is_flag=True, help="Check drafts as published.")
@click.option("--future", is_flag=True, help="Check future-dated episodes as published.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: grouped by file; json: the same findings for CI.",
)
@click.option(
    "--feed",
    metavar="FILE_OR_URL",
    help="Run the feed rules on this feed (a file, or an http(s) URL) instead of the show's.",
)
@click.option(
    "--max-items",
    type=click.IntRange(min=1),
    help="Check the feed listing only the newest N episodes (as publish --max-items).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="With --feed: do not fetch the artwork, chapters and transcripts it links.",
)
@click.option(
    "--no-cache", is_flag=True, help="Ignore .podpub/ (neither read nor write it): redo everything."
)
@click.pass_context
def check(
    ctx: click.Context,
    show_dir: Path,
    drafts: bool,
    future: bool,
    strict: bool,
    output_format: str,
    feed: str | None,
    max_items: int | None,
    offline: bool,
    no_cache: bool,
) -> None:
    """Check the show as publish does, write nothing: the descriptors, then every feed
    rule (RSS, Apple, Podcasting 2.0, size budget). Exit 1 on an error, or on a warning
    with --strict."""
    run = None
    if not feed:  # the show's own check: the last report stands while nothing changed
        from podpub.build.runner import CheckRun
        from podpub.build.store import CacheOptions

        params = {"drafts": drafts, "future": future, "strict": strict, "max_items": max_items}
        params["format"] = output_format
        run = CheckRun(show_dir, params, CacheOptions(enabled=not no_cache))
        found = run.cached()
        if found is not None:
            click.echo(found[0])
            ctx.exit(found[1])

    from podpub.rules.checker import check_feed, check_show, format_json, format_text
    from podpub.write.publish import PublishOptions, build_time

    if run is None:
        report = check_feed(feed or "", now=build_time(), offline=offline)
    else:
        options = PublishOptions(drafts=drafts, future=future, max_items=max_items)
        with run.engine.active():
            report = _with_stale_tags(show_dir, check_show(show_dir, options))
    text = format_json(report) if output_format == "json" else format_text(report)
    click.echo(text)
    status = EXIT_USER_ERROR if report.failed(strict) else 0
    if run is not None:
        run.record(text, status, report.site.next_due if report.site else None)
    if status:
        ctx.exit(status)


def _with_stale_tags(show_dir: Path, report: CheckReport) -> CheckReport:
    """Add the warnings of audio tags that disagree with their descriptor (tag.py)."""
    if report.site is None or report.errors:
        return report
    from podpub.media.tag import stale_tags
    from podpub.rules.engine import finding_order

    warnings = stale_tags(show_dir, report.site)
    problems = tuple(sorted([*report.problems, *warnings], key=finding_order))
    return replace(report, problems=problems)


@cli.command()
@click.argument("kind", type=click.Choice(["show", "episode"]), default="show")
def schema(kind: str) -> None:
    """Print the JSON Schema of show.yaml or of an episode descriptor (for editors)."""
    from podpub.input.models import Episode, Show

    model = Show if kind == "show" else Episode
    click.echo(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("show_dir", required=False, default=".", type=click.Path(path_type=Path))
@click.argument("episodes", nargs=-1, metavar="[EPISODE]...")
@click.option("--drafts", is_flag=True, help="Tag drafts too.")
@click.option("--future", is_flag=True, help="Tag episodes dated in the future too.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.pass_context
def tag(
    ctx: click.Context,
    show_dir: Path,
    episodes: tuple[str, ...],
    drafts: bool,
    future: bool,
    quiet: bool,
) -> None:
    """Write each episode's title, show, hosts, credits, chapters and cover into its
    audio file (all episodes, or the EPISODEs named: descriptor names or paths)."""
    from podpub.media.tag import FIELD_NAMES, select_episodes, tag_episodes
    from podpub.resolve.resolver import PlanOptions, resolve
    from podpub.write.publish import build_time

    if not (show_dir / "show.yaml").is_file() and Path("show.yaml").is_file():
        episodes, show_dir = (str(show_dir), *episodes), Path(".")  # `podpub tag EPISODE`
    # The descriptors and audio must be right (resolve); the feed rules are publish's.
    site = resolve(show_dir, PlanOptions(now=build_time(), drafts=drafts, future=future))
    run = tag_episodes(show_dir, site, select_episodes(site, episodes))
    for note in run.skipped:  # remote audio: nothing to tag here, said once per episode
        click.echo(str(note), err=True)
    for result in run.results:
        if quiet:
            continue
        name = _relative(result.path, show_dir)
        if result.written:
            fields = ", ".join(FIELD_NAMES.get(name, name) for name in result.changed)
            click.echo(f"Tagged {name} ({result.container}): {fields}.")
        else:
            click.echo(f"{name}: tags already up to date.")
    if run.problems:
        for problem in run.problems:
            click.echo(str(problem), err=True)
        tagged = sum(result.written for result in run.results)
        click.echo(
            f"podpub: {len(run.problems)} file{'s' * (len(run.problems) != 1)} not tagged "
            f"(left as they were); {tagged} tagged.",
            err=True,
        )
        ctx.exit(EXIT_USER_ERROR)


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder.resolve()))
    except ValueError:
        return str(path)


def _remind_guid(site: object) -> None:
    if site.show.guid_computed:  # type: ignore[attr-defined]
        click.echo(_guid_reminder(site))


def _guid_reminder(site: object) -> str:
    guid = site.show.guid  # type: ignore[attr-defined]
    return (
        f"podcast:guid {guid} was computed from the feed URL. Pin it in show.yaml "
        f"so it never changes when the feed moves:\n  guid: {guid}"
    )


LEFT_OUT_NAMED = 10


def _left_out(skipped: tuple[str, ...]) -> str:
    """The line about drafts and scheduled episodes: the first few named, not all (a
    daily show may hold hundreds of scheduled ones, and the line would fill the screen)."""
    named = ", ".join(skipped[:LEFT_OUT_NAMED])
    more = len(skipped) - LEFT_OUT_NAMED
    if more > 0:
        named += f" and {more} more"
    return (
        f"Left out {len(skipped)} draft or scheduled episode{'s' * (len(skipped) != 1)} "
        f"(--drafts, --future to include them): {named}"
    )


# --- podpub import (importer/) ---------------------------------------------------------


@cli.command("import")
@click.argument("source")
@click.argument("folder", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--download",
    is_flag=True,
    help="Fetch each episode's audio into DIR/audio/ (resumable) and write local audio: "
    "paths instead of the remote URLs.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="Import only the episodes published on or after this date (YYYY-MM-DD).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), metavar="N", help="Import only the newest N episodes."
)
def import_command(
    source: str, folder: Path | None, download: bool, since: Any, limit: int | None
) -> None:
    """Turn an existing show's feed (SOURCE: its URL or a file) into a podpub show in DIR
    (default: a new folder named after the show), keeping every GUID, with
    published.lock and an import report."""
    from podpub.importer.run import REPORT_FILE, ImportOptions, import_show

    # entry() turns the cyclic collector off for publish; an import parses every item's
    # show notes into a tree of parent and child links (BeautifulSoup), which only it frees
    gc.enable()
    options = ImportOptions(
        download=download,
        since=since.date() if since else None,
        limit=limit,
        progress=sys.stderr.isatty(),
    )
    result = import_show(source, folder, options)
    click.echo(result.report.markdown())
    click.echo(
        f"Imported {result.episodes:,} episode{'s' * (result.episodes != 1)} into "
        f"{result.folder}; report: {result.folder / REPORT_FILE}. Next: podpub publish "
        f"{result.folder} --dry-run"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (1 user error, 3 bug, 130 interrupted)."""
    try:
        # A command's ctx.exit(n) comes back as click's return value when not standalone.
        status = cli.main(args=argv, prog_name="podpub", standalone_mode=False)
    except PodpubError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        noun = "problem" if count == 1 else "problems"
        click.echo(f"podpub: {count} {noun}; nothing was written.", err=True)
        return EXIT_USER_ERROR
    except click.exceptions.Abort:
        click.echo("podpub: interrupted; nothing was written.", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("podpub: interrupted; nothing was written.", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception:
        click.echo(
            "podpub: internal error (a bug in podpub, not in your show). Please report "
            "it with the output of PODPUB_DEBUG=1 podpub ...",
            err=True,
        )
        if os.environ.get("PODPUB_DEBUG"):
            traceback.print_exc()
        return EXIT_BUG
    return status if isinstance(status, int) else 0


def entry() -> None:
    # A publish of 10,000 episodes keeps millions of objects alive for the whole run
    # (records, cached results) and creates few cycles: the cyclic collector's passes
    # over them cost a tenth of an edit's rebuild and free almost nothing (28 MiB of a
    # cold publish's 680, measured). The command is short-lived: the main process does
    # without it; the worker processes, which render pages, turn it on again (workers.py).
    gc.set_threshold(100_000, 50, 50)
    gc.disable()
    status = main()
    # Everything is written: leave without tearing the interpreter down, which frees
    # the run's objects one by one (a second after a publish of 10,000 episodes, for
    # nothing). Only what is buffered for stdout and stderr has to go out first.
    with contextlib.suppress(OSError):  # a closed pipe (podpub … | head)
        sys.stdout.flush()
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(status)
