"""The pipeline: resolve the show, build feed and pages in memory, check, write atomically.

    plan.resolve   load + validate + probe every descriptor and audio file (all problems)
    feed.build_feed / pages.render_pages / chapters
    verify_feed    the feed parses strictly; guids unique; enclosures complete
    output.staged  everything written beside the target, then swapped in

Nothing is written until every check has passed; a failed run leaves the previous
output byte-identical.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from podpub.errors import PodpubError, Problem
from podpub.plan import PlanOptions, resolve
from podpub.records import SiteRecord

DEFAULT_OUT = "public"
CACHE_DIR = ".podpub"  # inside the show folder, git-ignored: work kept between runs


@dataclass(frozen=True)
class PublishOptions:
    out: Path | None = None  # default: SHOW_DIR/public
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the clock


@dataclass(frozen=True)
class PublishResult:
    out: Path
    site: SiteRecord
    files: int


def build_time(now: dt.datetime | None = None) -> dt.datetime:
    """The build's notion of "now": given, or SOURCE_DATE_EPOCH, or the clock."""
    if now is not None:
        return now
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError):
            raise PodpubError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds"
            ) from None
    return dt.datetime.now(dt.UTC)


def check(show_dir: Path, options: PublishOptions | None = None) -> SiteRecord:
    """Everything publish validates, nothing written. Raises PodpubError."""
    options = options or PublishOptions()
    site = resolve(show_dir, _plan_options(options))
    from podpub.feed import build_feed

    verify_feed(build_feed(site), site)
    return site


def publish(
    show_dir: Path,
    options: PublishOptions | None = None,
    before_commit: Callable[[], None] | None = None,
) -> PublishResult:
    """Publish the show into ``options.out``; raise PodpubError with every problem.

    ``before_commit`` runs after everything is staged and before the swap (tests use it
    to prove that a failure at that point leaves the previous site untouched).
    """
    from podpub.output import check_output_dir, staged

    options = options or PublishOptions()
    out = check_output_dir(options.out or show_dir / DEFAULT_OUT, show_dir)
    site = resolve(show_dir, _plan_options(options))

    from podpub.chapters import episode_vtt as chapters_vtt
    from podpub.feed import build_feed, chapters_json
    from podpub.pages import render_pages

    feed = build_feed(site)
    verify_feed(feed, site)
    with staged(out) as staging:
        staging.write("feed.xml", feed)
        staging.link(site.show.image_path, site.show.image_source)
        for episode in site.episodes:
            staging.link(episode.audio_path, episode.audio_source)
            for transcript in episode.transcripts:
                staging.link(transcript.path, transcript.source)
            if episode.chapters_path:
                staging.write(episode.chapters_path, chapters_json(episode, site.show))
            if episode.chapters_vtt_path:  # the player's <track kind="chapters">
                staging.write(episode.chapters_vtt_path, chapters_vtt(episode))
        for rel, data in render_pages(site, template_dirs(show_dir), show_dir / CACHE_DIR):
            staging.write(rel, data)
        if before_commit is not None:
            before_commit()
        files = staging.files
    return PublishResult(out, site, files)


def template_dirs(show_dir: Path) -> list[Path]:
    """The show's own templates first; the package theme is the pages stage's fallback."""
    own = show_dir / "templates"
    return [own] if own.is_dir() else []


def verify_feed(feed: bytes, site: SiteRecord) -> None:
    """Read the feed back as a strict XML parser does before anything is written."""
    from lxml import etree

    try:
        root = etree.fromstring(feed, etree.XMLParser(recover=False, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise PodpubError(
            f"internal check: the feed would not parse ({exc}); please report"
        ) from None
    problems: list[Problem] = []
    guids: set[str] = set()
    for item in root.iterfind("channel/item"):
        guid = (item.findtext("guid") or "").strip().lower()
        enclosure = item.find("enclosure")
        if not guid or guid in guids:
            problems.append(
                Problem("feed.xml", None, None, "guid", f"missing or duplicate guid {guid!r}")
            )
        guids.add(guid)
        if enclosure is None or not all(enclosure.get(a) for a in ("url", "length", "type")):
            problems.append(
                Problem("feed.xml", None, None, "enclosure", f"incomplete enclosure in {guid}")
            )
    if len(guids) != len(site.episodes):
        problems.append(Problem("feed.xml", None, None, "item", "the feed lost episodes"))
    if problems:
        raise PodpubError(problems)


def _plan_options(options: PublishOptions) -> PlanOptions:
    return PlanOptions(
        now=build_time(options.now),
        drafts=options.drafts,
        future=options.future,
        base_url=options.base_url,
    )
