"""The command line: a thin layer over the library, with the one error boundary.

User errors (PodpubError) print every problem and exit 1; an interrupt exits 130; any
other exception is a bug in podpub: exit 3 with a request for a report (the traceback
only with PODPUB_DEBUG=1).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

import click

from podpub.errors import PodpubError

EXIT_USER_ERROR = 1
EXIT_BUG = 3
EXIT_INTERRUPTED = 130

_show_dir = click.argument(
    "show_dir", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
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
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: SHOW_DIR/public). Replaced as a whole.",
)
@click.option("--base-url", help="Publish for another address than show.yaml's url (previews).")
@click.option("--drafts", is_flag=True, help="Include episodes marked draft: true.")
@click.option("--future", is_flag=True, help="Include episodes dated in the future.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def publish(
    show_dir: Path, out: Path | None, base_url: str | None, drafts: bool, future: bool, quiet: bool
) -> None:
    """Check the show, then write the feed, pages and media into the output folder."""
    from podpub.publish import PublishOptions
    from podpub.publish import publish as run_publish

    started = time.perf_counter()
    options = PublishOptions(out=out, base_url=base_url, drafts=drafts, future=future)
    result = run_publish(show_dir, options)
    if quiet:
        return
    site = result.site
    count = len(site.episodes)
    click.echo(
        f"Published {count} episode{'s' * (count != 1)} of {site.show.title!r} to {result.out} "
        f"({result.files} files, {time.perf_counter() - started:.2f} s)."
    )
    if site.skipped:
        click.echo(
            f"Left out {len(site.skipped)} drafts or scheduled episodes: " + ", ".join(site.skipped)
        )
    click.echo(f"Feed: {site.show.feed_url}")
    _remind_guid(site)


@cli.command()
@_show_dir
@click.option("--drafts", is_flag=True, help="Check drafts as published.")
@click.option("--future", is_flag=True, help="Check future-dated episodes as published.")
def check(show_dir: Path, drafts: bool, future: bool) -> None:
    """Validate everything publish validates; write nothing."""
    from podpub.publish import PublishOptions
    from podpub.publish import check as run_check

    site = run_check(show_dir, PublishOptions(drafts=drafts, future=future))
    count = len(site.episodes)
    click.echo(f"OK: {site.show.title!r}, {count} episode{'s' * (count != 1)}, no problems.")
    _remind_guid(site)


@cli.command()
@click.argument("kind", type=click.Choice(["show", "episode"]), default="show")
def schema(kind: str) -> None:
    """Print the JSON Schema of show.yaml or of an episode descriptor (for editors)."""
    from podpub.models import Episode, Show

    model = Show if kind == "show" else Episode
    click.echo(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False))


def _remind_guid(site: object) -> None:
    show = site.show  # type: ignore[attr-defined]
    if show.guid_computed:
        click.echo(
            f"podcast:guid {show.guid} was computed from the feed URL. Pin it in show.yaml "
            f"so it never changes when the feed moves:\n  guid: {show.guid}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (1 user error, 3 bug, 130 interrupted)."""
    try:
        cli.main(args=argv, prog_name="podpub", standalone_mode=False)
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
    return 0


def entry() -> None:
    sys.exit(main())
