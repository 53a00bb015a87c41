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
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from podpub import __version__
from podpub.errors import PodpubError

if TYPE_CHECKING:
    from collections.abc import Callable

    from podpub.resolve.records import SiteRecord
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


_verbose = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="List every finding; without it, a rule found many times is told in one line.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The version podpub knows, not looked up in the installed distributions' metadata
# (importlib.metadata: 18 ms of a 40 ms --version); tests/test_startup.py checks they agree.
@click.version_option(version=__version__)
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
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print only problems: warnings and errors (no summary, no progress bar).",
)
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
    help="Worker processes for big shows (default: one per CPU; 1: no worker processes).",
)
@click.option(
    "--deploy",
    "then_deploy",
    is_flag=True,
    help="Then upload the site as podpub deploy does (to deploy.to in show.yaml).",
)
@_verbose
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
    then_deploy: bool,
    verbose: bool,
) -> None:
    """Check the show in SHOW_DIR (default: the current folder), then write the feed,
    pages and media into the output folder."""
    started = time.perf_counter()
    _refuse_publish_flags(out, base_url, then_deploy=then_deploy, previews=dry_run or drafts)
    choices: dict[str, Any] = {
        "base_url": base_url,
        "drafts": drafts,
        "future": future,
        "remove": remove,
        "reissue_guid": reissue_guid,
        "max_items": max_items,
    }
    from podpub.build.runner import PublishRun
    from podpub.build.store import CacheOptions

    cache = CacheOptions(enabled=not no_cache, verify=verify)
    run = PublishRun(show_dir, out, choices, cache, jobs=jobs, quiet=quiet, started=started)
    if not dry_run:
        state = run.unchanged()  # nothing changed: say so without importing the pipeline
        if state is not None:
            run.report_unchanged(state, click.echo, verbose)
            if then_deploy:  # the site may not be online yet (a deploy that failed)
                _deploy_after_publish(show_dir, out, None, quiet)
            return

    from podpub.write.publish import PublishOptions

    options = PublishOptions(out=Path(out) if out is not None else None, **choices)
    if dry_run:
        _dry_run(show_dir, options)
        return
    from podpub.write.publish import publish as run_publish

    try:
        # the build context: the cache, the worker processes, the progress bar
        result = run_publish(show_dir, options, run=run.engine)
    except PodpubError:
        run.failed()
        raise
    finally:
        run.progress.close()  # before anything else is printed
    from podpub.rules.grouping import finding_lines

    findings = finding_lines(result.findings, verbose)  # warnings, notes: published anyway
    for line in findings:
        click.echo(line, err=True)
    preview = result.changes is None or drafts
    due = _next_due(result.site)
    notes = _published_notes(result, preview, due)
    if not quiet:
        _say_published(result, notes, preview, due, time.perf_counter() - started)
    run.finish(result, click.echo, notes, findings)  # state for the next run; summary
    if then_deploy:
        _deploy_after_publish(show_dir, out, result.site, quiet)


def _refuse_publish_flags(
    out: str | None, base_url: str | None, *, then_deploy: bool, previews: bool
) -> None:
    """The flags that cannot go together, or an --out or --base-url that cannot be used."""
    if then_deploy and (previews or base_url):
        raise PodpubError(
            "--deploy puts the published show online: not with --dry-run, --drafts or "
            "--base-url, which build previews (podpub deploy --dry-run shows what it would "
            "upload)"
        )
    if out is not None and not out.strip():
        raise PodpubError('the output folder is empty (--out ""); give a folder')
    if base_url is not None:
        from podpub.input.preview import base_url_problem

        refused = base_url_problem(base_url)
        if refused:
            raise PodpubError(f"--base-url {refused}")


def _dry_run(show_dir: Path, options: Any) -> None:
    """Print what a publish would change for subscribers; exit 1 on a ledger problem."""
    from podpub.write.ledger import describe
    from podpub.write.publish import dry_run

    _, diff = dry_run(show_dir, options)
    click.echo("\n".join(describe(diff, dry_run=True)))
    if diff.problems:
        raise PodpubError(list(diff.problems))


def _published_notes(result: Any, preview: bool, due: str | None) -> list[str]:
    """The lines a publish says after its summary, and again when nothing changed next
    time: the feed's address, the preview and GUID reminders, the next episode due."""
    site = result.site
    notes = [f"Feed: {site.show.feed_url}"]
    if preview:
        notes.append("Preview (--drafts or --base-url): published.lock was not updated.")
    if site.show.guid_computed:
        notes.append(_guid_reminder(site))
    if due:
        notes.append(due)
    return notes


def _say_published(
    result: Any, notes: list[str], preview: bool, due: str | None, seconds: float
) -> None:
    """The summary of a publish, unless --quiet."""
    from podpub.write.ledger import describe

    site = result.site
    count = len(site.episodes)
    click.echo(
        f"Published {count} episode{'s' * (count != 1)} of {site.show.title!r} to "
        f"{result.out} ({result.files} files, {seconds:.2f} s)."
    )
    if site.skipped:
        click.echo(_left_out(site.skipped))
    click.echo(notes[0])
    if preview:
        click.echo(notes[1])
    if result.changes is not None:
        click.echo("\n".join(describe(result.changes, dry_run=False)))
    _remind_guid(site)
    if due:
        click.echo(due)


def _deploy_after_publish(show_dir: Path, out: str | None, site: Any, quiet: bool) -> None:
    """``publish --deploy``: upload what was just published (or found unchanged)."""
    _deploy(show_dir, out, site, dry_run=False, quiet=quiet, silent=quiet, after_publish=True)


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
@click.option(
    "--remote",
    is_flag=True,
    help="Also fetch the published feed URL and every enclosure: HEAD 200, Content-Type, "
    "Content-Length, Range answered 206, redirects (docs/online.md).",
)
@click.option(
    "--remove",
    multiple=True,
    metavar="EP",
    help="As publish --remove: this published episode may leave the feed (repeatable).",
)
@click.option(
    "--reissue-guid",
    multiple=True,
    metavar="EP",
    help="As publish --reissue-guid: this episode's GUID may change (repeatable).",
)
@_verbose
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
    remote: bool,
    remove: tuple[str, ...],
    reissue_guid: tuple[str, ...],
    verbose: bool,
) -> None:
    """Check the show in SHOW_DIR (default: the current folder) as publish does, write
    nothing: the descriptors, every feed rule (RSS, Apple, Podcasting 2.0, size budget),
    then the comparison with published.lock. Exit 1 on an error (what publish would
    refuse), or on a warning with --strict."""
    if feed and remote:
        raise PodpubError("--remote checks the show's own feed and media; drop --feed")

    def shown(report: CheckReport) -> tuple[str, int]:
        from podpub.rules.checker import format_json, format_text

        text = format_json(report) if output_format == "json" else format_text(report, verbose)
        return text, EXIT_USER_ERROR if report.failed(strict) else 0

    if feed:  # a feed file or URL, not the show: nothing of the show is read or kept
        from podpub.rules.checker import check_feed
        from podpub.write.publish import build_time

        text, status = shown(check_feed(feed, now=build_time(), offline=offline))
    else:
        params: dict[str, object] = {
            "drafts": drafts,
            "future": future,
            "strict": strict,
            "max_items": max_items,
        }
        params.update(format=output_format, verbose=verbose)
        params.update(remove=remove, reissue_guid=reissue_guid)  # the ledger's comparison
        text, status = _check_show(
            show_dir, params, no_cache, remote, shown, max_items, remove, reissue_guid
        )
    click.echo(text)
    if status:
        ctx.exit(status)


def _check_show(
    show_dir: Path,
    params: dict[str, object],
    no_cache: bool,
    remote: bool,
    shown: Callable[[CheckReport], tuple[str, int]],
    max_items: int | None,
    remove: tuple[str, ...],
    reissue_guid: tuple[str, ...],
) -> tuple[str, int]:
    """The show's own check, as publish would run it; the last report stands while none
    of what it read changed (never with --remote: what is online may change at any time)."""
    from podpub.build.runner import CheckRun
    from podpub.build.store import CacheOptions

    run = CheckRun(show_dir, params, CacheOptions(enabled=not no_cache))
    found = None if remote else run.cached()
    if found is not None:
        return found  # told without importing the checks (pydantic, the rules, lxml, …)
    from podpub.write.preflight import check_publishable
    from podpub.write.publish import PublishOptions

    options = PublishOptions(
        drafts=bool(params["drafts"]),
        future=bool(params["future"]),
        max_items=max_items,
        remove=remove,
        reissue_guid=reissue_guid,
    )
    report = _with_stale_tags(show_dir, check_publishable(show_dir, options, run.engine))
    if remote:
        report = _with_remote(show_dir, report)
    text, status = shown(report)
    if not remote:
        run.record(text, status, report.site.next_due if report.site else None)
    return text, status


def _with_remote(show_dir: Path, report: CheckReport) -> CheckReport:
    """Add the findings of the remote check (online/remote.py) of what the show lists."""
    if report.site is None:
        return report
    from podpub.net.http import Client
    from podpub.online.remote import check_remote
    from podpub.rules.engine import finding_order

    with Client() as client:
        found = check_remote(show_dir, report.site, client)
    problems = tuple(sorted([*report.problems, *found], key=finding_order))
    return replace(report, problems=problems, remote=tuple(found))


def _with_stale_tags(show_dir: Path, report: CheckReport) -> CheckReport:
    """Add the warnings of audio tags that disagree with their descriptor (tag.py)."""
    if report.site is None or report.errors:
        return report
    from podpub.rules.engine import finding_order
    from podpub.write.linked import changed_linked_media
    from podpub.write.tags import stale_tags

    warnings = stale_tags(show_dir, report.site) + changed_linked_media(show_dir, report.site)
    problems = tuple(sorted([*report.problems, *warnings], key=finding_order))
    return replace(report, problems=problems)


@cli.command()
@click.argument("kind", type=click.Choice(["show", "episode"]), default="show")
def schema(kind: str) -> None:
    """Print the JSON Schema of show.yaml (KIND show, the default) or of an episode
    descriptor (KIND episode), for editors' completion."""
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
    audio file: all episodes of the show in SHOW_DIR (default: the current folder), or
    the EPISODEs named (descriptor names or paths)."""
    from podpub.media.tag import listed_fields
    from podpub.resolve.resolver import PlanOptions, resolve
    from podpub.write.publish import build_time
    from podpub.write.tags import select_episodes, tag_episodes

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
            click.echo(f"Tagged {name} ({result.container}): {listed_fields(result.changed)}.")
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


# --- Starting a show: init and new (start/) -----------------------------------------


@cli.command()
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--title", help="The show's title.")
@click.option("--language", help="ISO 639-1 code of the show's language: en, fr, en-us …")
@click.option("--author", help="The people or company behind the show (itunes:author).")
@click.option("--email", help="The owner's e-mail; directories send ownership codes there.")
@click.option("--url", help="Where the site will be served, e.g. https://podcast.example.org/.")
@click.option("--category", help="Apple Podcasts category: 'Parent' or 'Parent > Subcategory'.")
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="IANA time zone of episode dates written without one, e.g. Europe/Paris.",
)
@click.option("-y", "--yes", is_flag=True, help="Ask nothing: every answer comes from the flags.")
def init(folder: Path, yes: bool, **given: str | None) -> None:
    """Start a new show in FOLDER (default: here): a commented show.yaml that passes
    podpub check, episodes/, audio/, a .gitignore and a placeholder cover."""
    import datetime as dt

    from podpub.start.init import (
        Answers,
        ask_missing,
        init_show,
        next_steps,
        refuse_existing_show,
        require_all,
    )

    refuse_existing_show(folder)  # before any question: answers would be lost
    answers = Answers(**given)  # type: ignore[arg-type]
    if yes:
        require_all(answers)
    else:
        try:
            answers = ask_missing(answers, _ask)
        except click.exceptions.Abort:
            if sys.stdin.isatty():
                raise  # Ctrl-C or Ctrl-D at the terminal: interrupted
            require_all(answers)  # input ran out (a script): name the flags to give
            raise
    result = init_show(folder, answers, dt.date.today())
    click.echo("\n".join(next_steps(result, str(folder))))


def _ask(question: str, flag: str, check: Callable[[str], str]) -> str:
    def value_proc(value: str) -> str:
        try:
            return check(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return str(click.prompt(question, value_proc=value_proc))  # value_proc's text


@cli.command()
@click.argument("title")
@click.option(
    "--audio",
    type=click.Path(path_type=Path),
    help="The episode's audio: copied under audio/ (kept if already there) and probed.",
)
@click.option(
    "--date",
    "when",
    metavar="WHEN",
    help="Publication date: 2025-03-06, '2025-03-06 09:00', 'tomorrow 9am', 'next friday "
    "09:00' (default: now, in the show's time zone).",
)
@click.option(
    "--number",
    type=click.IntRange(min=1),
    help="Episode number (default for a serial show: the highest so far + 1).",
)
@click.option(
    "--show",
    "show_dir",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The show's folder (default: the current folder).",
)
def new(
    title: str, audio: Path | None, when: str | None, number: int | None, show_dir: Path
) -> None:
    """Write a new episode descriptor episodes/<date>-<slug>.yaml titled TITLE, with the
    show's hosts and stubs for headlines and credits. Never replaces a file."""
    import datetime as dt

    from podpub.start.new import NewEpisode, clock, new_episode

    request = NewEpisode(title=title, when=when, audio=audio, number=number)
    result = new_episode(show_dir, request, dt.datetime.now(dt.UTC))
    when_text = f"{result.date:%A} {result.date.day} {result.date:%B %Y}" + (
        f" {result.date:%H:%M}" if isinstance(result.date, dt.datetime) else ""
    )
    number_text = f"episode {result.number}, " if result.number is not None else ""
    click.echo(f"Wrote {result.descriptor} ({number_text}{when_text}, {result.timezone}).")
    if result.audio_info is not None:
        action = "copied to" if result.audio_copied else "already in"
        duration = clock(result.audio_info.duration)
        click.echo(f"Audio {action} {result.audio}: {duration} long.")
    else:
        click.echo(f"Put the episode's audio at {result.audio} (or edit audio: in the file).")
    click.echo("Fill in the summary and headlines, then: podpub check")


# --- going online (docs/online.md) -------------------------------------------------


def _next_due(site: SiteRecord) -> str | None:
    """``next: episodes/x.yaml on Friday 6 March 09:00 — publish again then``, or None."""
    from podpub.online.schedule import next_due_line

    return next_due_line(site)


@cli.command()
@_show_dir
def notify(show_dir: Path) -> None:
    """Tell the apps the feed of the show in SHOW_DIR (default: the current folder)
    changed: POST to the WebSub hub (websub_hub) and ping the Podcast Index
    (pubnotify: true), as show.yaml asks. A failed ping is a warning."""
    from podpub.net.http import Client
    from podpub.online.notify import pings_in, send

    pings = pings_in(show_dir)
    if not pings:
        click.echo(
            "Nothing to notify: show.yaml sets neither websub_hub nor pubnotify: true "
            "(docs/online.md)."
        )
        return
    with Client() as client:
        done = send(pings, client)
    for line in done.sent:
        click.echo(line)
    for warning in done.warnings:
        click.echo(warning, err=True)


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


# --- podpub deploy (deploy/) ------------------------------------------------------------


@cli.command()
@_show_dir
@click.option(
    "--to",
    "dest",
    metavar="DEST",
    help="Where to upload: a folder or s3://BUCKET/PREFIX (default: deploy.to in show.yaml).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="The published folder to upload (default: SHOW_DIR/public).",
)
@click.option(
    "--dry-run", is_flag=True, help="List what would be uploaded and deleted; change nothing."
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary, not each file.")
def deploy(show_dir: Path, dest: str | None, out: str | None, dry_run: bool, quiet: bool) -> None:
    """Upload the site published from the show in SHOW_DIR (default: the current folder),
    changed files only: media first, then pages, the feed last; delete what the site no
    longer has, never audio published.lock lists."""
    _deploy(show_dir, out, None, dry_run=dry_run, quiet=quiet, to=dest)


def _deploy(
    show_dir: Path,
    out: str | None,
    site: SiteRecord | None,
    *,
    dry_run: bool,
    quiet: bool,
    to: str | None = None,
    silent: bool = False,  # publish -q: nothing at all on success
    after_publish: bool = False,  # publish --deploy
) -> None:
    from podpub.deploy.report import summary
    from podpub.deploy.run import DeployOptions
    from podpub.deploy.run import deploy as run_deploy

    options = DeployOptions(to=to, out=Path(out) if out else None, dry_run=dry_run)
    report = (lambda line: None) if quiet else click.echo
    try:
        result = run_deploy(show_dir, options, site, report)
    except PodpubError as exc:
        if after_publish:  # the closing line must not say the publish wrote nothing
            raise PodpubError(exc.problems, f"the show is published; {exc.outcome}") from None
        raise
    for line in [] if silent else summary(result, dry_run=dry_run, quiet=quiet):
        click.echo(line)
    if result.after is not None:  # the remote check and the pings: faults never fail it
        for line in [] if silent else result.after.lines:
            click.echo(line)
        for warning in result.after.warnings:
            click.echo(warning, err=True)


# --- podpub serve (serve/): the live preview -----------------------------------------


@cli.command()
@_show_dir
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 to serve the preview on; 0 picks a free one.",
)
@click.option("--drafts", is_flag=True, help="Show drafts too, marked Draft on the page.")
@click.option(
    "--future",
    is_flag=True,
    help="Show future-dated episodes too, each marked 'Scheduled for' its date.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes for big shows (default: one per CPU; 1: no worker processes).",
)
def serve(show_dir: Path, port: int, drafts: bool, future: bool, jobs: int | None) -> None:
    """Preview the show in SHOW_DIR (default: the current folder) at
    http://127.0.0.1:PORT/: build it into .podpub/preview/ (never public/ or
    published.lock), rebuild on every save and reload the open pages."""
    from podpub.serve.run import ServeOptions
    from podpub.serve.run import serve as run_serve

    run_serve(show_dir, ServeOptions(port, drafts, future, jobs), click.echo)


# --- podpub roles (roles.py) ---------------------------------------------------------


@cli.command()
@click.argument("query", required=False)
@click.pass_context
def roles(ctx: click.Context, query: str | None) -> None:
    """List the podcast:person roles by group, with the credit wordings that map to each
    (in every language podpub knows). QUERY: a wording to look up ("Edited by"), or a
    word to find in roles, groups and wordings."""
    from podpub.roles import role_listing

    text, found = role_listing(query)
    click.echo(text, err=not found)
    if not found:
        ctx.exit(EXIT_USER_ERROR)


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
    # a dry run before the report's to-do (a cover, …) would only fail on it
    first = "do what the report lists under 'Before you publish', then " * bool(
        result.report.advice
    )
    click.echo(
        f"Imported {result.episodes:,} episode{'s' * (result.episodes != 1)} into "
        f"{result.folder}; report: {result.folder / REPORT_FILE}. Next: {first}podpub publish "
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
        click.echo(f"podpub: {count} {noun}; {exc.outcome}.", err=True)
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
            import traceback  # only here: a bug's report

            traceback.print_exc()
        return EXIT_BUG
    return status if isinstance(status, int) else 0


def entry() -> None:
    # A publish of 10,000 episodes keeps millions of objects alive for the whole run
    # (records, cached results) and creates few cycles: the cyclic collector's passes
    # over them cost a tenth of an edit's rebuild and free almost nothing (3 MiB of the
    # peak's 175 at 1,000 episodes, measured once the rules' locator stopped keeping its
    # documents in a cycle). The command is short-lived: the main process does without
    # it, so no stage may leave a big result in a cycle (tests/test_memory.py); the
    # worker processes, which render pages, turn it on again (workers.py).
    gc.set_threshold(100_000, 50, 50)
    gc.disable()
    # The first pydantic model built looks for pydantic plugins in the entry points of
    # every installed distribution (115 of them here: 7-26 ms of each publish that
    # builds). podpub uses none; a user who wants one sets the variable (empty: all).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    status = main()
    # Everything is written: leave without tearing the interpreter down, which frees
    # the run's objects one by one (a second after a publish of 10,000 episodes, for
    # nothing). Only what is buffered for stdout and stderr has to go out first.
    with contextlib.suppress(OSError):  # a closed pipe (podpub … | head)
        sys.stdout.flush()
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(status)
