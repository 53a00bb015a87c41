"""The pipeline: resolve the show, build feed and pages in memory, check, write atomically.

    plan.resolve   load + validate + probe every descriptor and audio file (all problems)
    feed.build_feed / pages.render_pages / chapters
    verify_feed    the feed parses strictly; guids unique; enclosures complete
    output.staged  everything written beside the target, then swapped in

Nothing is written until every check has passed; a failed run leaves the previous
output byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podpub.context import READ_BACK, BuildContext, or_no_cache
from podpub.digests import digest_of
from podpub.errors import PodpubError, Problem
from podpub.feed.readback import INCOMPLETE, ReadBack, read_back
from podpub.resolve.options import (  # named here too: the library's publish vocabulary
    PlanOptions,
    PublishOptions,
    build_time,
    plan_options,
)
from podpub.resolve.records import SiteRecord
from podpub.rules.checker import CheckReport, check_show
from podpub.write.ledger import FeedDiff

if TYPE_CHECKING:
    from podpub.feed.paging import FeedFile
    from podpub.write.output import Staging, Standby

__all__ = [
    "PlanOptions",
    "PublishOptions",
    "PublishResult",
    "build_time",
    "check",
    "checked",
    "dry_run",
    "plan_options",
    "publish",
]

DEFAULT_OUT = "public"
CACHE_DIR = ".podpub"  # inside the show folder, git-ignored: work kept between runs


@dataclass(frozen=True)
class PublishResult:
    out: Path
    site: SiteRecord
    files: int
    changes: FeedDiff | None = None  # against published.lock; None for previews
    findings: tuple[Problem, ...] = ()  # feed-rule warnings and notes (checker.py)


def check(
    show_dir: Path, options: PublishOptions | None = None, run: BuildContext | None = None
) -> SiteRecord:
    """Everything publish validates, nothing written. Raises PodpubError."""
    return checked(show_dir, options or PublishOptions(), run).site  # type: ignore[return-value]


def checked(
    show_dir: Path, options: PublishOptions, run: BuildContext | None = None
) -> CheckReport:
    """The descriptor checks and every feed rule (checker.py); PodpubError on any error.

    The report's warnings and notes are for the caller to show; errors stop here.
    """
    return _checked(show_dir, options, run)[0]


def _checked(
    show_dir: Path, options: PublishOptions, run: BuildContext | None
) -> tuple[CheckReport, dict[str, ReadBack]]:
    """:func:`checked`, and the reading back of each feed page (by its bytes' digest),
    which the check of the staged site reuses for the same bytes on disk."""
    report = check_show(show_dir, options, run)
    if report.site is None or report.errors:
        raise PodpubError(report.errors or report.problems)
    # the internal read-back: of the bytes the rules did not parse (or left in a worker)
    readings = verify_feed_files(report.files, report.site, run, report.readings)
    return report, readings


def publish(
    show_dir: Path,
    options: PublishOptions | None = None,
    before_commit: Callable[[], None] | None = None,
    run: BuildContext | None = None,
) -> PublishResult:
    """Publish the show into ``options.out``; raise PodpubError with every problem.

    ``before_commit`` runs after everything is staged and before the swap (tests use it
    to prove that a failure at that point leaves the previous site untouched). ``run``
    is the build context (cache, worker processes) of a command-line publish.
    """
    from podpub.write.ledger import guard, recording
    from podpub.write.linked import changed_linked_media, record_linked_media
    from podpub.write.output import check_output_dir, output_state, staged
    from podpub.write.redirects import with_redirects
    from podpub.write.safety import refuse_inputs_inside, verify_staged

    options = options or PublishOptions()
    context = or_no_cache(run)  # this module's own steps: one code path, cache or not
    out = check_output_dir(options.out or show_dir / DEFAULT_OUT, show_dir)
    # descriptors and feed rules, then the feed read back: refuses on any error
    report, readings = _checked(show_dir, options, run)
    context.release_lookups()  # checked: what was read to look up unchanged inputs may go
    site = report.site
    assert site is not None
    rewritten = changed_linked_media(show_dir, site, run)  # before this publish re-links them
    feed = report.files[0].data
    changes = guard(show_dir, site, options, run) if uses_ledger(options) else None
    if changes is not None:
        changes = with_redirects(changes, site)  # pages that moved keep their old address
    redirects = (
        changes.ledger.redirects if changes is not None else preview_redirects(show_dir, run)
    )
    refuse_inputs_inside(out, show_dir, site, run)
    with (
        recording(show_dir, changes if records_ledger(options) else None, run),
        staged(out, show_dir, run) as staging,
    ):
        for feed_file in report.files:  # feed.xml, and feed-2.xml … when paged
            identity = ("bytes", feed_file.digest) if feed_file.digest else None
            staging.write(feed_file.path, feed_file.data, identity)
        # written: the pages' bytes (500 KB each, 25 MiB at 10,000 episodes) are read
        # back from the staged files from now on (safety.py); the first page stays
        report = replace(report, files=())
        made_of = _stage_site(staging, site, show_dir, out, redirects, run)
        # What the staging wrote (all of it, without a standby) is read back; every
        # file's size is checked against the stamp it took right after writing it.
        verify_staged(
            staging.path,
            site,
            feed,
            staging.written,
            None,
            run,
            readings,
            staging.manifest,  # each file's stamp in its entry: not copied out
            staging.differs_at,
        )
        if before_commit is not None:
            before_commit()
        files = staging.files
    record_linked_media(output_state(out, show_dir), site, made_of.files, staging.touched)
    notes = tuple(p for p in [*report.problems, *rewritten] if p.level != "error")
    return PublishResult(out, site, files, changes, findings=notes)


def _stage_site(
    staging: Staging,
    site: SiteRecord,
    show_dir: Path,
    out: Path,
    redirects: dict[str, str],
    run: BuildContext | None,
) -> Standby:
    """Stage the site's files after its feed pages (written by the caller): the cover,
    the extra media, each episode's own files and every page, the redirects, the files
    the producer keeps in the output folder; what the new site is made of, the
    standby's leftovers removed."""
    from podpub.resolve.optional_tags import extra_media_files
    from podpub.site.render import page_renders
    from podpub.write.redirects import REDIRECTS_FILE, redirects_output
    from podpub.write.safety import carry_over

    context = or_no_cache(run)
    staging.link(site.show.image_path, site.show.image_source)
    # With media_url the audio is served from there (podpub deploy puts it there):
    # a copy under the site's audio/ would be uploaded for nothing and played by no one.
    local_media = site.show.media_url is None
    for rel, source in extra_media_files(site, context).items() if local_media else ():
        staging.link(rel, source)  # alternate audio, trailers
    files_of = _episode_files(site, context, local_media)
    files_of += page_renders(
        site, template_dirs(show_dir), show_dir / CACHE_DIR, redirects=redirects, run=run
    )
    redirect_lines = redirects_output(out, redirects, site.show.url)
    if redirect_lines is not None:
        staging.write(REDIRECTS_FILE, redirect_lines)
    context.stage_files(staging, files_of)  # in order, or over the run's workers
    own = staging.manifest if staging.reused_standby else None
    for rel in carry_over(out, staging.path, site.show.keep, own):
        staging.carried(rel)
    made_of = staging.finish()
    context.staged_site(made_of)
    return made_of


def dry_run(
    show_dir: Path, options: PublishOptions | None = None, run: BuildContext | None = None
) -> tuple[SiteRecord, FeedDiff]:
    """What publish would change for subscribers, against published.lock; nothing written."""
    from podpub.write.ledger import compare
    from podpub.write.output import check_output_dir
    from podpub.write.redirects import with_redirects

    options = options or PublishOptions()
    check_output_dir(options.out or show_dir / DEFAULT_OUT, show_dir)
    site = check(show_dir, options, run)
    diff = compare(show_dir, site, options.remove, options.reissue_guid, run)
    return site, with_redirects(diff, site)


def preview_redirects(show_dir: Path, run: BuildContext | None = None) -> dict[str, str]:
    """A preview (no ledger comparison) keeps the redirects the last publish made.

    With a cache (``run``'s), read again only when published.lock's stamp changed:
    serve's warm rebuild shares one cache between its rebuilds, and parsed the whole
    ledger after every save (5 MB at 10,000 episodes: 0.4 s on a busy machine, as long
    as the rest of a rebuild), for a file that only a publish from a terminal changes."""
    from podpub.digests import stamp
    from podpub.write.ledger import LEDGER_FILE, read_ledger

    seen = stamp(show_dir / LEDGER_FILE)  # before reading: a write after it is read next time
    cache = or_no_cache(run).cache
    held: dict[str, tuple[Any, Any]] = cache.held if cache is not None else {}
    known = held.get(_REDIRECTS_HELD)
    if known is not None and seen is not None and known[0] == seen:
        return dict(known[1])
    try:
        ledger = read_ledger(show_dir)
    except PodpubError:
        return {}  # a damaged ledger is the real publish's to report
    redirects = dict(ledger.redirects) if ledger is not None else {}
    if seen is not None:
        held[_REDIRECTS_HELD] = (seen, redirects)
    return dict(redirects)


_REDIRECTS_HELD = "redirects"  # published.lock's redirects, in the cache's ``held``


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
    _verdict(_read_back(feed), site)


def _episode_files(
    site: SiteRecord, run: BuildContext, local_media: bool
) -> list[tuple[str, Path | str | Callable[[], bytes]]]:
    """Each episode's own files, in site order: its audio (``local_media``: the site
    holds a copy), transcripts and artwork as their sources, its chapter files (JSON,
    and WebVTT for the player's ``<track kind="chapters">``) as renders.

    A media source is its path's text as the store lends it (no Path made for each of
    10,000 episodes; a plain record's is its Path). With a run that reuses the last
    output's files, a chapter file is keyed on its record's digest (the JSON on the
    show's too: its image, its title); an episode whose digest is the one the last
    publish keyed its chapter files with takes their keys as they were
    (``run.changed_since_last``): an edit hashes its own episode's, not 20,000. A warm
    rebuild takes the whole list the last one made (``run.plan_as_last``) and makes
    again only the changed episodes' entries: no loop over the 10,000 others."""
    show = site.show
    episodes = site.episodes
    reuses = run.out is not None
    digests = run.digests_in_order(episodes) if reuses else ()
    show_digest = digest_of(show) if reuses else ""  # once, not 10,000 times
    stale = run.changed_since_last(CHAPTER_KEYS, show_digest, digests) if reuses else None
    own = _OwnFiles(site, run, local_media, digests, show_digest)
    plan = run.plan_as_last(CHAPTER_KEYS) if stale is not None else None
    if isinstance(plan, _EpisodeFilesPlan) and stale is not None:
        plan.site[0] = site  # its renders read the episodes of this site from now on
        own.site = plan.site
        spliced = plan.spliced(stale, own)
        if spliced is not None:
            run.keep_plan(CHAPTER_KEYS, _EpisodeFilesPlan(spliced, plan.starts, plan.site))
            return list(spliced)  # the caller adds the pages to it: the plan's is its own
        own.site = [site]  # a new plan: its own holder
    files: list[tuple[str, Path | str | Callable[[], bytes]]] = []  # a source, or a render
    # the chapter files of the episodes whose digest is the one the last publish keyed
    # them with: their place in ``files`` and what their key is made of (if it made none)
    as_last: list[tuple[int, tuple[str, ...]]] = []
    starts = [0]  # where each episode's entries start in ``files`` (the plan's splices)
    for index in range(len(episodes)):
        # its record's digest is the one the last publish keyed its chapter files with:
        # their keys are taken as they were, for all such files at once (no call each)
        aside = stale is not None and index not in stale
        files += own.entries(index, as_last if aside else None, len(files))
        starts.append(len(files))
    _key_as_last(files, as_last, run)
    if reuses:
        run.keep_plan(CHAPTER_KEYS, _EpisodeFilesPlan(list(files), starts, own.site))
    return files


class _OwnFiles:
    """The entries of one episode's own files (:func:`_episode_files`), by its place.

    Its chapter files render the episode at that place of the site in ``site[0]``, not
    a record bound in: a warm build's plan keeps the renders of the episodes an edit
    did not reach from one rebuild to the next, and a record of an older site held by
    each would keep every older site alive (an episode at an unchanged place has the
    same digest: the same bytes)."""

    def __init__(
        self,
        site: SiteRecord,
        run: BuildContext,
        local_media: bool,
        digests: Sequence[str],
        show_digest: str,
    ) -> None:
        self.site = [site]
        self.run, self.local_media = run, local_media
        self.digests, self.show_digest = digests, show_digest
        self.reuses = run.out is not None

    def entries(
        self, index: int, as_last: list[tuple[int, tuple[str, ...]]] | None, offset: int
    ) -> list[tuple[str, Path | str | Callable[[], bytes]]]:
        """The files of the episode at ``index``; its chapter files keyed anew, or (with
        ``as_last``) their places (from ``offset``, where the entries will be) and key
        parts added there, to be keyed as last time in one call."""
        from podpub.build.kept import source_of

        episode = self.site[0].episodes[index]
        files: list[tuple[str, Path | str | Callable[[], bytes]]] = []
        audio = source_of(episode, "audio_source") if self.local_media else None
        if audio is not None:  # remote audio stays hosted
            files.append((episode.audio_path, audio))
        if episode.transcripts:
            files += [(t.path, t.source) for t in episode.transcripts]
        image = source_of(episode, "image_source")
        if image is not None and episode.image_path:  # its own artwork
            files.append((episode.image_path, image))
        if not (episode.chapters_path or episode.chapters_vtt_path):
            return files
        digest = self.digests[index] if self.reuses else ""
        if episode.chapters_path:
            parts: tuple[str, ...] = ("json", digest, self.show_digest)
            render = partial(_chapters_json_at, self.site, index)
            keyed = self._keyed(render, parts, as_last, offset + len(files))
            files.append((episode.chapters_path, keyed))
        if episode.chapters_vtt_path:
            parts = ("vtt", digest)
            render = partial(_chapters_vtt_at, self.site, index)
            keyed = self._keyed(render, parts, as_last, offset + len(files))
            files.append((episode.chapters_vtt_path, keyed))
        return files

    def _keyed(
        self,
        render: Callable[[], bytes],
        parts: tuple[str, ...],
        as_last: list[tuple[int, tuple[str, ...]]] | None,
        place: int,
    ) -> Callable[[], bytes]:
        if as_last is not None:
            as_last.append((place, parts))
            return render
        if self.reuses:
            return self.run.keyed(render, *parts, digested=True)
        return render


def _chapters_json_at(site: list[SiteRecord], index: int) -> bytes:
    """The JSON chapters of the episode at ``index`` of the site in ``site[0]``."""
    from podpub.feed.build import chapters_json

    return chapters_json(site[0].episodes[index], site[0].show)


def _chapters_vtt_at(site: list[SiteRecord], index: int) -> bytes:
    """The WebVTT chapters of the episode at ``index`` of the site in ``site[0]``."""
    from podpub.resolve.chapters import episode_vtt

    return episode_vtt(site[0].episodes[index])


@dataclass(frozen=True)
class _EpisodeFilesPlan:
    """What :func:`_episode_files` made, kept by a warm build for its next rebuild: the
    files, where each episode's start, and the holder of the site their renders read."""

    files: list[tuple[str, Any]]
    starts: list[int]
    site: list[SiteRecord]

    def spliced(self, stale: set[int], own: _OwnFiles) -> list[tuple[str, Any]] | None:
        """The files with the entries of the episodes at ``stale`` made again (the others'
        as they are: one list copy); None when one of them has another count of files
        (then the whole list is made again)."""
        files = list(self.files)
        starts = self.starts
        for index in sorted(stale):
            start, stop = starts[index], starts[index + 1]
            entries = own.entries(index, None, start)
            if len(entries) != stop - start:
                return None
            files[start:stop] = entries
        return files


def _key_as_last(
    files: list[tuple[str, Any]], places: Sequence[tuple[int, tuple[str, ...]]], run: BuildContext
) -> None:
    """The renders at ``places`` in ``files`` keyed as the last publish keyed them, in
    one call for all of them (``run.renders_as_last``); one it made no key for, keyed
    on its parts."""
    if not places:
        return
    found = run.renders_as_last(
        [files[place][0] for place, _ in places], [files[place][1] for place, _ in places]
    )
    for (place, parts), kept in zip(places, found, strict=True):
        if kept is None:
            rel, render = files[place]
            files[place] = (rel, run.keyed(render, *parts, digested=True))
        else:
            files[place] = (files[place][0], kept)


CHAPTER_KEYS = "chapters"  # the chapter files' keys: run.changed_since_last's name


def verify_feed_files(
    files: Sequence[FeedFile],
    site: SiteRecord,
    run: BuildContext | None = None,
    known: Mapping[str, ReadBack] | None = None,
) -> dict[str, ReadBack]:
    """:func:`verify_feed` on each feed file and the episodes it lists; returns each
    file's reading back by its bytes' digest (feed/readback.py). ``known``: readings
    made already (the rules parsed those bytes: ``CheckReport.readings``).

    Within a run, a page whose bytes were read back clean by an earlier run is not
    parsed again: what reading it found depends on its bytes only, and is kept under
    their digest; the count of its guids is still compared with its episodes now.
    """
    cache = or_no_cache(run).cache  # None: nothing kept, every page read back
    memo = cache.stage(READ_BACK) if cache is not None else None
    readings: dict[str, ReadBack] = {}
    for file in files:
        reading = (known or {}).get(file.digest)
        kept = None
        if reading is None and memo is not None:
            kept = memo.get(file.path, file.digest)
            reading = kept if isinstance(kept, ReadBack) else None
        if reading is None:
            reading = _read_back(file.data)
        # raises on a problem; a reading kept is one found clean (its items' problems
        # are its own: only the count of its episodes is compared again)
        _verdict(reading, replace(site, episodes=file.episodes), items_clean=kept is reading)
        if memo is not None and kept is not reading:  # clean: kept for the next run
            memo.put(file.path, file.digest, reading)
        readings[file.digest] = reading
    return readings


def _read_back(feed: bytes) -> ReadBack:
    """The feed's bytes read back by the one strict reader (feed/readback.py)."""
    return read_back(feed)


def _problems(reading: ReadBack) -> list[Problem]:
    """What the reading found wrong in the items: a guid missing or repeated, an
    enclosure without url, length or type; PodpubError if the feed does not parse."""
    if reading.error is not None:
        raise PodpubError(
            f"internal check: the feed would not parse ({reading.error}); please report"
        )
    problems: list[Problem] = []
    guids: set[str] = set()
    for item in reading.items:
        guid = item.guid
        if not guid or guid in guids:
            problems.append(
                Problem("feed.xml", None, None, "guid", f"missing or duplicate guid {guid!r}")
            )
        guids.add(guid)
        if item.enclosure == INCOMPLETE:
            problems.append(
                Problem("feed.xml", None, None, "enclosure", f"incomplete enclosure in {guid}")
            )
    return problems


def _verdict(reading: ReadBack, site: SiteRecord, items_clean: bool = False) -> None:
    """Raise the problems read back, with a lost episode when the feed lists fewer (or
    more) distinct guids than ``site`` has episodes. ``items_clean``: the reading's
    items were found without a problem (by an earlier run)."""
    problems = [] if items_clean else _problems(reading)
    if reading.distinct_guids != len(site.episodes):
        problems = [*problems, Problem("feed.xml", None, None, "item", "the feed lost episodes")]
    if problems:
        raise PodpubError(problems)
