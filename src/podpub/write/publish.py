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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from podpub.errors import PodpubError, Problem
from podpub.resolve.records import SiteRecord
from podpub.resolve.resolver import PlanOptions
from podpub.write.ledger import FeedDiff

if TYPE_CHECKING:
    from podpub.feed.paging import FeedFile
    from podpub.rules.checker import CheckReport

DEFAULT_OUT = "public"
CACHE_DIR = ".podpub"  # inside the show folder, git-ignored: work kept between runs


@dataclass(frozen=True)
class PublishOptions:
    out: Path | None = None  # default: SHOW_DIR/public
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the clock
    remove: tuple[str, ...] = ()  # published episodes to drop on purpose (ledger.py)
    reissue_guid: tuple[str, ...] = ()  # published episodes whose GUID changes on purpose
    max_items: int | None = None  # the feed lists only the newest N (overrides show.yaml)


@dataclass(frozen=True)
class PublishResult:
    out: Path
    site: SiteRecord
    files: int
    changes: FeedDiff | None = None  # against published.lock; None for previews
    findings: tuple[Problem, ...] = ()  # feed-rule warnings and notes (checker.py)


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
    return checked(show_dir, options or PublishOptions()).site  # type: ignore[return-value]


def checked(show_dir: Path, options: PublishOptions) -> CheckReport:
    """The descriptor checks and every feed rule (checker.py); PodpubError on any error.

    The report's warnings and notes are for the caller to show; errors stop here.
    """
    from podpub.rules.checker import check_show

    report = check_show(show_dir, options)
    if report.site is None or report.errors:
        raise PodpubError(report.errors or report.problems)
    verify_feed_files(report.files, report.site)  # the internal read-back
    return report


def publish(
    show_dir: Path,
    options: PublishOptions | None = None,
    before_commit: Callable[[], None] | None = None,
) -> PublishResult:
    """Publish the show into ``options.out``; raise PodpubError with every problem.

    ``before_commit`` runs after everything is staged and before the swap (tests use it
    to prove that a failure at that point leaves the previous site untouched).
    """
    from podpub.build.store import digest_of
    from podpub.write.ledger import guard, recording
    from podpub.write.output import check_output_dir, staged
    from podpub.write.safety import carry_over, refuse_inputs_inside, verify_staged

    options = options or PublishOptions()
    out = check_output_dir(options.out or show_dir / DEFAULT_OUT, show_dir)
    report = checked(show_dir, options)  # descriptors and feed rules: refuses on any error
    site = report.site
    assert site is not None

    from podpub.build.engine import current, keyed, stage_files
    from podpub.feed.build import chapters_json
    from podpub.resolve.chapters import episode_vtt as chapters_vtt
    from podpub.resolve.optional_tags import extra_media_files
    from podpub.site.render import page_renders

    feed = report.files[0].data
    run = current()
    changes = guard(show_dir, site, options) if uses_ledger(options) else None
    refuse_inputs_inside(out, show_dir, site)
    with recording(show_dir, changes if records_ledger(options) else None), staged(out) as staging:
        for feed_file in report.files:  # feed.xml, and feed-2.xml … when paged
            identity = ("bytes", feed_file.digest) if feed_file.digest else None
            staging.write(feed_file.path, feed_file.data, identity)
        staging.link(site.show.image_path, site.show.image_source)
        for rel, source in extra_media_files(site).items():  # alternate audio, trailers
            staging.link(rel, source)
        files_of: list[tuple[str, Path | Callable[[], bytes]]] = []  # a source, or a render
        show = digest_of(site.show) if run is not None else None  # once: keys of chapters
        for episode in site.episodes:
            if episode.audio_source is not None:  # remote audio stays where it is hosted
                files_of.append((episode.audio_path, episode.audio_source))
            files_of += [(t.path, t.source) for t in episode.transcripts]
            if episode.chapters_path:
                json_file = partial(chapters_json, episode, site.show)
                files_of.append((episode.chapters_path, keyed(json_file, "json", episode, show)))
            if episode.chapters_vtt_path:  # the player's <track kind="chapters">
                vtt_file = partial(chapters_vtt, episode)
                files_of.append((episode.chapters_vtt_path, keyed(vtt_file, "vtt", episode)))
        files_of += page_renders(site, template_dirs(show_dir), show_dir / CACHE_DIR)
        stage_files(staging, files_of)  # in order, or over the worker processes (engine.py)
        own = staging.manifest if staging.reused_standby else None
        for rel in carry_over(out, staging.path, site.show.keep, own):
            staging.carried(rel)
        made_of = staging.finish()  # the standby's leftovers removed (output.py)
        if run is not None:
            run.staged_site(made_of)
        # What the staging wrote (all of it, without a standby) is read back; every
        # file's size is checked against the stamp it took right after writing it.
        verify_staged(
            staging.path,
            site,
            feed,
            staging.written,
            {rel: entry[1] for rel, entry in staging.manifest.items()},
        )
        if before_commit is not None:
            before_commit()
        files = staging.files
    notes = tuple(p for p in report.problems if p.level != "error")
    return PublishResult(out, site, files, changes, findings=notes)


def dry_run(show_dir: Path, options: PublishOptions | None = None) -> tuple[SiteRecord, FeedDiff]:
    """What publish would change for subscribers, against published.lock; nothing written."""
    from podpub.write.ledger import compare
    from podpub.write.output import check_output_dir

    options = options or PublishOptions()
    check_output_dir(options.out or show_dir / DEFAULT_OUT, show_dir)
    site = check(show_dir, options)
    return site, compare(show_dir, site, options.remove, options.reissue_guid)


def uses_ledger(options: PublishOptions) -> bool:
    """--base-url builds a preview for another address (GUIDs may derive from it): no ledger."""
    return options.base_url is None


def records_ledger(options: PublishOptions) -> bool:
    """Previews (--drafts, --base-url) are checked against the ledger but never recorded."""
    return uses_ledger(options) and not options.drafts


def template_dirs(show_dir: Path) -> list[Path]:
    """The show's own templates first; the package theme is the pages stage's fallback."""
    own = show_dir / "templates"
    return [own] if own.is_dir() else []


def verify_feed(feed: bytes, site: SiteRecord) -> None:
    """Read the feed back as a strict XML parser does before anything is written."""
    problems, guids = _read_back(feed)
    _verdict(problems, guids, site)


def verify_feed_files(files: Sequence[FeedFile], site: SiteRecord) -> None:
    """:func:`verify_feed` on each feed file and the episodes it lists.

    Within a run, a page whose bytes were read back clean by an earlier run is not
    parsed again: what reading it found depends on its bytes only, and is kept under
    their digest; the count of its guids is still compared with its episodes now.
    """
    from podpub.build.engine import READ_BACK, current
    from podpub.build.store import MISS

    run = current()
    memo = run.cache.stage(READ_BACK) if run is not None else None
    for file in files:
        guids = memo.get(file.path, file.digest) if memo is not None else MISS
        problems: list[Problem] = []
        if guids is MISS:
            problems, guids = _read_back(file.data)
            if memo is not None and not problems:
                memo.put(file.path, file.digest, guids)
        _verdict(problems, guids, replace(site, episodes=file.episodes))


def _read_back(feed: bytes) -> tuple[list[Problem], int]:
    """The problems a strict reading of the feed's bytes finds in its items, and the
    number of distinct guids it lists; PodpubError if it does not parse."""
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
    return problems, len(guids)


def _verdict(problems: list[Problem], guids: int, site: SiteRecord) -> None:
    """Raise the problems read back, with a lost episode when the feed lists fewer (or
    more) distinct guids than ``site`` has episodes."""
    if guids != len(site.episodes):
        problems = [*problems, Problem("feed.xml", None, None, "item", "the feed lost episodes")]
    if problems:
        raise PodpubError(problems)


def plan_options(options: PublishOptions) -> PlanOptions:
    """The plan stage's options for a run (checker.py resolves the show with them)."""
    return _plan_options(options)


def _plan_options(options: PublishOptions) -> PlanOptions:
    return PlanOptions(
        now=build_time(options.now),
        drafts=options.drafts,
        future=options.future,
        base_url=options.base_url,
    )
