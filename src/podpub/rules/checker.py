"""``podpub check``: the descriptor checks, then every feed rule, in one report.

:func:`check_show` resolves the show (every descriptor problem), builds the feed podpub
would publish from what passed, and runs the rules of ``podpub.rules`` on it; findings
point at the producer's YAML. :func:`check_feed` runs the same rules on any feed, a file
or a URL. ``publish`` calls :func:`check_show` and refuses to write on an error.

:func:`format_text` groups a report by file, :func:`format_json` is the same for CI.
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from podpub.context import FINDINGS, BuildContext, or_no_cache
from podpub.digests import digest_of
from podpub.errors import PodpubError, Problem
from podpub.feed import readback
from podpub.feed.paging import FeedFile, feed_files
from podpub.input.preview import is_preview_url
from podpub.resolve.options import PublishOptions, plan_options
from podpub.resolve.records import SiteRecord
from podpub.resolve.resolver import SHOW_FILE, resolve_all
from podpub.rules.engine import (
    ALL_APPS,
    FeedContext,
    FeedPage,
    Finding,
    PageCheck,
    finding_order,
)
from podpub.rules.grouping import split_repeated
from podpub.rules.run import run_rules

FEED_FETCH_TIMEOUT = 15.0
MAX_FEED_BYTES = 50_000_000


@dataclass(frozen=True)
class CheckReport:
    """What a check found: descriptor problems and feed findings, sorted by place."""

    subject: str  # the show folder or the feed checked
    problems: tuple[Problem, ...]
    site: SiteRecord | None = None
    files: tuple[FeedFile, ...] = ()  # the feed files publish would write
    remote: tuple[Problem, ...] = ()  # found online (check --remote), also in problems
    # what reading each file back found, by its bytes' digest, for the files the rules
    # parsed here (feed/readback.py): publish's internal check need not parse them again
    readings: Mapping[str, readback.ReadBack] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def check_show(
    show_dir: Path, options: PublishOptions | None = None, run: BuildContext | None = None
) -> CheckReport:
    """Descriptor problems and feed findings of the show; the feed files when sound.

    ``run``: the build context (cache, worker processes) of a command-line run."""
    options = options or PublishOptions()
    site, problems = resolve_all(show_dir, plan_options(options), run=run)
    if site is None:
        return CheckReport(str(show_dir), tuple(sorted(problems, key=finding_order)))
    if any(p.file == SHOW_FILE and p.level == "error" for p in problems):
        # The channel comes from show.yaml: its feed rules wait until it is sound.
        return CheckReport(str(show_dir), tuple(sorted(problems, key=finding_order)), site)
    files = feed_files(site, options.max_items, run)
    preview = options.base_url is not None and is_preview_url(options.base_url)
    held = run.cache.held if run is not None and run.cache is not None and run.warm else None
    context = own_context(site, files, options.future, preview, held)
    from podpub.rules.locate import DescriptorLocator, UrlOrigins

    sources = _Sources(site)
    origins = UrlOrigins(site.show.url, base_url=options.base_url)
    locator = DescriptorLocator(show_dir, sources, SHOW_FILE, origins=origins, run=run)
    memo = _page_memo(or_no_cache(run), show_dir, site, files, context, options.base_url)
    findings = run_rules(context, locator, memo)
    listed = sum(len(file.episodes) for file in files)
    if listed < len(site.episodes):  # trimming is announced, never silent
        findings.append(
            Finding(
                SHOW_FILE,
                None,
                None,
                "max_items",
                f"the feed lists the newest {listed} of {len(site.episodes)} episodes; the "
                "older ones stay on the site but leave the feed (apps keep what they have)",
                "page the feed instead (feed_page_size) to keep every episode in it",
                "info",
                "SIZE-01",
                ALL_APPS,
            )
        )
    # run_rules sorts its findings: the 3,464 warnings of a show are not sorted again
    trimmed = listed < len(site.episodes)
    everything = (
        sorted([*problems, *findings], key=finding_order) if problems or trimmed else findings
    )
    readings = {
        file.digest: page.reading or readback.reading_of(page.root)
        for file, page in zip(files, context.pages, strict=True)
        if page.reading is not None or page.root is not None
    }
    return CheckReport(str(show_dir), tuple(everything), site, tuple(files), readings=readings)


class _CachedPages:
    """The rules' check of each page of podpub's own feed (its findings, and what the
    feed rules compare on it), kept in the run's cache under a digest of everything it
    is computed from; the pages to check again are shared out over the run's worker
    processes (a page is costly: 200 items). Each item is keyed too (an
    :class:`~podpub.rules.engine.ItemMemo`): a page to check again has the item rules
    read the items whose episodes changed only."""

    def __init__(
        self,
        run: BuildContext,
        names: list[str],
        urls: list[str],
        keys: list[str],
        items: list[_PageInputs],
        item_common: str,
    ) -> None:
        self.run, self.names, self.urls, self.keys = run, names, urls, keys
        self.items, self.item_common = items, item_common
        self.stage = run.cache.stage(FINDINGS)

    def get(self, index: int) -> PageCheck | None:
        found = self.stage.get(self.names[index], self.keys[index])
        return found if isinstance(found, PageCheck) else None

    def put(self, index: int, check: PageCheck) -> None:
        self.stage.put(self.names[index], self.keys[index], check)

    def map(self, fn: Callable[[int], PageCheck], indexes: list[int]) -> list[PageCheck]:
        return self.run.map(fn, indexes, "Checking the feed", min_items=1)

    def item_keys(self, index: int) -> list[str]:
        """Each item's key: what the page's key holds of its episode (its record's
        digest), and the run's settings and show (the channel the item rules read is
        made from the show)."""
        page = self.items[index]
        digests = map(self.run.record_digest, page.episodes)
        return [
            digest_of(self.item_common, *part)
            for part in zip(page.sources, page.stamps, digests, page.future, strict=True)
        ]

    def channel_key(self, index: int) -> str:
        return digest_of(self.item_common, self.names[index], self.urls[index])

    def kept_items(self) -> Mapping[str, tuple[Finding, ...]]:
        """The item findings of every page the last run kept (an episode added on top
        moves every item to another page: each is still found), by item key.

        Kept in the cache's ``held`` with the page checks they were read from: a warm
        build's next rebuild adds the items of the checks it has not read (the page its
        last edit checked again), not the 10,000 items of every page. What the pages
        replaced held stays: an item's findings depend on nothing but what its key is
        made of, so the findings kept under a key are those of any item with that key
        (the caller only looks keys up)."""
        checks = [
            entry[1] if entry is not None and isinstance(entry[1], PageCheck) else None
            for entry in map(self.stage.entry, self.names)
        ]
        held = self.run.cache.held
        last = held.get(_KEPT_ITEMS_HELD)
        if last is not None and len(last[0]) < 2 * len(checks) + _FEW_PAGES:
            read = set(map(id, last[0]))  # the checks held there: alive, their ids theirs
            fresh = [check for check in checks if check is not None and id(check) not in read]
            if len(fresh) <= _FEW_PAGES:
                kept = last[1]  # added to in place: the caller only looks keys up
                for check in fresh:
                    kept.update(check.items())
                held[_KEPT_ITEMS_HELD] = ((*last[0], *fresh), kept)
                return kept
        # read from every page: the first run, many pages checked again, or the pages
        # replaced since held too long (the checks held, the items no page has any more)
        kept = {}
        for page_check in checks:
            if page_check is not None:
                kept.update(page_check.items())
        held[_KEPT_ITEMS_HELD] = (tuple(check for check in checks if check is not None), kept)
        return kept


def _chapters_index(episodes: Sequence[Any]) -> dict[str, Any]:
    """Each episode by its chapters URL (those without one left out)."""
    urls = map(operator.attrgetter("chapters_url"), episodes)
    index = dict(zip(urls, episodes, strict=True))  # made in C: 10,000
    for empty in ("", None):
        index.pop(empty, None)
    return index


_CHAPTERS_HELD = "own-files-chapters"  # _OwnFiles's index, in the cache's ``held``
_FEW_EPISODES = 64  # other records than the last rebuild's: more, the index made anew

_KEPT_ITEMS_HELD = "findings-kept-items"  # _CachedPages.kept_items's, in ``held``
_FEW_PAGES = 4  # page checks added to those held; more: the items read from every page


def _page_memo(
    run: BuildContext,
    show_dir: Path,
    site: SiteRecord,
    files: list[FeedFile],
    context: FeedContext,
    base_url: str | None,
) -> _CachedPages | None:
    """A memo of page (and item) findings, kept in the run's cache; None for a run
    without a cache.

    A page's findings depend on its bytes, on the run's settings, on the clock only
    through "is this item dated in the future", on the files the rules read (the cover;
    the chapters, made from the episodes' records: their digests stand for them) and,
    through the line numbers they point at, on show.yaml and the descriptors of the
    page's episodes: all in its key. An item's are those of its episode, with the
    show's record and the address the run builds for (the channel it is checked with).
    """
    if run.cache is None or not files:
        return None
    stage = run.cache.stage(FINDINGS)
    common = digest_of(
        context.future_allowed,
        context.warn_bytes,
        context.error_bytes,
        context.guid_pinned,
        context.preview,
        stage.file_inputs(show_dir / SHOW_FILE),
        stage.file_inputs(site.show.image_source),
    )
    inputs = _page_inputs(stage, show_dir, site, files)
    parts = [
        (common, file.url, file.digest, _records_key(run, file), page.parts())
        for file, page in zip(files, inputs, strict=True)
    ]
    keys = _page_keys(run.cache.held, parts)
    item_common = digest_of(common, run.record_digest(site.show), base_url)
    names, urls = [file.path for file in files], [file.url for file in files]
    return _CachedPages(run, names, urls, keys, inputs, item_common)


def _page_keys(held: dict[str, Any], parts: list[tuple[Any, ...]]) -> list[str]:
    """The digest of each page's key ``parts``: the one made last time for the same
    parts (compared in C: a page's descriptors, stamps and dates, 200 of each), else
    made now (a digest of 600 values per page, 50 pages at 10,000 episodes). What was
    made is kept in the cache's ``held`` for the next run of the process (a warm
    build's rebuild after an edit makes one page's key again)."""
    last = held.get(_PAGE_KEYS_HELD)
    made: dict[Any, str] = {}
    if last is not None and last[0] == len(parts):
        made = {index: key for index, (was, key) in enumerate(last[1]) if was == parts[index]}
    keys = [made.get(index) or digest_of(*part) for index, part in enumerate(parts)]
    held[_PAGE_KEYS_HELD] = (len(parts), list(zip(parts, keys, strict=True)))
    return keys


_PAGE_KEYS_HELD = "findings-page-keys"  # _page_keys's last, in the show cache's ``held``


class _PageInputs(NamedTuple):
    """What the findings of a page's episodes depend on but its bytes and their records."""

    episodes: tuple[Any, ...]  # the page's episode records
    sources: list[str]  # each one's descriptor (its findings point at lines in it)
    stamps: tuple[Any, ...]  # each descriptor's stamp
    future: list[bool]  # each one dated after the build time (RSS-10 says so)

    def parts(self) -> tuple[list[str], tuple[Any, ...], list[bool]]:
        """What the page's key holds of its episodes (their records stand apart)."""
        return self.sources, self.stamps, self.future


def _page_inputs(
    stage: Any, show_dir: Path, site: SiteRecord, files: list[FeedFile]
) -> list[_PageInputs]:
    """Each page's :class:`_PageInputs`, made for every episode of the show at each run
    without a call per episode: the stamps looked up together, the future episodes the
    newest ones (the site lists its episodes newest first)."""
    now = site.build_time
    episodes = list(itertools.chain.from_iterable(file.episodes for file in files))
    sources = list(map(operator.attrgetter("source"), episodes))
    stamps = stage.files_inputs(show_dir, sources)
    due = bisect.bisect_left(episodes, True, key=lambda e: not e.published > now)
    future = [True] * due + [False] * (len(episodes) - due)
    found: list[_PageInputs] = []
    end = 0
    for file in files:
        start, end = end, end + len(file.episodes)
        found.append(
            _PageInputs(file.episodes, sources[start:end], stamps[start:end], future[start:end])
        )
    return found


def _records_key(run: BuildContext, file: FeedFile) -> str | list[str]:
    """What the page's episode records are, for the rules (the chapters files they read
    are made from them): the key of the page's bytes when the feed stage gave one."""
    return file.key or [run.record_digest(e) for e in file.episodes]


def own_context(
    site: SiteRecord,
    files: list[FeedFile],
    future_allowed: bool = False,
    preview: bool = False,
    held: dict[str, Any] | None = None,
) -> FeedContext:
    """The rules' view of the feed podpub builds: its files, cover and chapters in memory.
    ``held``: a warm build's values kept between its rebuilds (the chapters' index)."""
    from podpub.rules.resources import LocalResources

    show = site.show
    return FeedContext(
        pages=[FeedPage(file.path, file.data, file.url) for file in files],
        resources=LocalResources(_OwnFiles(site, held)),
        now=site.build_time,
        future_allowed=future_allowed,
        warn_bytes=show.extras.feed_warn_bytes,
        error_bytes=show.extras.feed_error_bytes,
        guid_pinned=not show.guid_computed,
        own=True,
        preview=preview,
    )


class _Sources(Mapping[str, str]):
    """Each episode's guid → its descriptor, for the locator: made when a finding is
    located (an edit whose item has none locates nothing: 10,000 guids not indexed)."""

    def __init__(self, site: SiteRecord) -> None:
        self.site = site
        self._index: dict[str, str] | None = None

    def _made(self) -> dict[str, str]:
        if self._index is None:
            episodes = self.site.episodes
            guids, sources = operator.attrgetter("guid"), operator.attrgetter("source")
            self._index = dict(zip(map(guids, episodes), map(sources, episodes), strict=True))
        return self._index

    def __getitem__(self, guid: str) -> str:
        return self._made()[guid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())


class _OwnFiles(Mapping[str, "Path | Callable[[], bytes]"]):
    """The URLs of the files publish writes that the rules read → the cover's file or a
    chapters file's render. Looked up only when a rule reads one: an edit whose other
    feed pages come from the cache checks one page, so the index of every episode's
    chapters URL is made then, not for each run."""

    def __init__(self, site: SiteRecord, held: dict[str, Any] | None = None) -> None:
        self.site = site
        self.held = held
        self._chapters: dict[str, Any] | None = None

    def _index(self) -> dict[str, Any]:
        if self._chapters is None:
            self._chapters = self._as_last() or _chapters_index(self.site.episodes)
            if self.held is not None:  # the next rebuild's (see _as_last)
                self.held[_CHAPTERS_HELD] = (self.site.episodes, self._chapters)
        return self._chapters

    def _as_last(self) -> dict[str, Any] | None:
        """A warm rebuild's index: the last one's, its entries for the few episodes that
        are other records (compared in C) made again; None when it cannot tell."""
        last = self.held.get(_CHAPTERS_HELD) if self.held is not None else None
        episodes = self.site.episodes
        if last is None or len(last[0]) != len(episodes):
            return None
        others = map(operator.is_not, episodes, last[0])  # in C: 10,000
        places = list(itertools.compress(itertools.count(), others))
        if len(places) > _FEW_EPISODES:
            return None
        index = last[1]  # the last rebuild is over: changed in place
        for place in places:
            before = last[0][place]
            if before.chapters_url and index.get(before.chapters_url) is before:
                del index[before.chapters_url]
        for place in places:
            now = episodes[place]
            if now.chapters_url:
                if now.chapters_url in index:
                    return None  # another episode's URL too: the full index says which
                index[now.chapters_url] = now
        return index

    def __getitem__(self, url: str) -> Path | Callable[[], bytes]:
        show = self.site.show
        episode = self._index().get(url)
        if episode is not None:  # a chapters URL before the cover's, as a dict of both had it
            return partial(_chapters_file, episode, show)
        if url == show.image_url:
            return show.image_source
        raise KeyError(url)

    def __iter__(self) -> Iterator[str]:
        return iter({self.site.show.image_url: None, **self._index()})

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _chapters_file(episode: Any, show: Any) -> bytes:
    from podpub.feed.build import chapters_json

    return chapters_json(episode, show)


def check_feed(location: str, now: Any = None, offline: bool = False) -> CheckReport:
    """Run the feed rules on any feed: a file, or a URL fetched with a timeout."""
    from podpub.rules.locate import FeedLocator
    from podpub.rules.resources import HttpResources

    data, url = _read_feed(location)
    resources = HttpResources(base=url) if not offline else None
    context = FeedContext(pages=[FeedPage(location, data, url)], now=now)
    if resources is not None:
        context.resources = resources
    findings = run_rules(context, FeedLocator())
    return CheckReport(location, tuple(findings))


def _read_feed(location: str) -> tuple[bytes, str | None]:
    if location.startswith(("http://", "https://")):
        from podpub.rules.resources import HttpResources, fetch

        client = HttpResources(timeout=FEED_FETCH_TIMEOUT).client
        resource = fetch(client, location, MAX_FEED_BYTES)
        if resource.data is None:
            raise PodpubError(
                [
                    Problem(
                        location,
                        None,
                        None,
                        "",
                        f"cannot fetch the feed: {resource.error}",
                        "check the URL, or save the feed and give the file",
                    )
                ]
            )
        return resource.data, location
    path = Path(location)
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise PodpubError(f"{location}: over {MAX_FEED_BYTES:,} bytes; not a feed to check")
        return path.read_bytes(), None
    except OSError as exc:
        raise PodpubError(
            [Problem(location, None, None, "", f"cannot read the feed: {exc.strerror or exc}")]
        ) from None


# --- reports ---------------------------------------------------------------------


def summary(report: CheckReport) -> str:
    counts = {level: 0 for level in ("error", "warning", "info")}
    for problem in report.problems:
        counts[problem.level] = counts.get(problem.level, 0) + 1
    parts = [
        f"{counts[level]} {level}{'s' * (counts[level] != 1)}"
        for level in ("error", "warning", "info")
        if counts[level] or level != "info"
    ]
    return ", ".join(parts)


def format_text(report: CheckReport, verbose: bool = False) -> str:
    """Findings grouped by file, in file order; one line each, then a summary line.

    A line reads ``LINE:COL  LEVEL  RULE  field: message — fix: … (audience)``; descriptor
    problems (no feed rule) show ``YAML`` as their rule. A rule found many times is told
    in one line after them (grouping.py), unless ``verbose``.
    """
    lines: list[str] = []
    groups: dict[str, list[Problem]] = {}
    singles, repeated = split_repeated(report.problems, verbose)
    for problem in singles:
        groups.setdefault(problem.file or report.subject, []).append(problem)
    for file, problems in groups.items():
        lines.append(file)
        for problem in problems:
            lines.append("  " + _line(problem))
        lines.append("")
    if repeated:
        lines.append("Repeated findings, one line per rule (--verbose lists each):")
        lines += ["  " + group.line() for group in repeated]
        lines.append("")
    lines.append(f"podpub check: {summary(report)} — {_subject(report)}.")
    local = [p for p in report.errors if p not in report.remote]
    if local and report.site is not None:
        lines.append("publish would refuse this show: fix the errors first.")
    if len(local) < len(report.errors):
        lines.append("The show online is not served as apps need: fix the host, then check again.")
    return "\n".join(lines)


def _subject(report: CheckReport) -> str:
    if report.site is None:
        return report.subject
    count = len(report.site.episodes)
    files = ", ".join(f"{file.path} {len(file.data):,} bytes" for file in report.files)
    text = f"{report.site.show.title!r}, {count} episode{'s' * (count != 1)}"
    return f"{text} ({files})" if files else text


def _line(problem: Problem) -> str:
    where = "-" if problem.line is None else str(problem.line)
    if problem.line is not None and problem.column is not None:
        where += f":{problem.column}"
    rule = getattr(problem, "rule", "") or (
        "YAML" if problem.file.endswith((".yaml", ".yml")) else "-"  # a descriptor check
    )
    audience = getattr(problem, "audience", "")
    text = f"{problem.field}: {problem.message}" if problem.field else problem.message
    if problem.hint:
        text += f" — fix: {problem.hint}"
    if audience:
        text += f" ({audience})"
    return f"{where:<8} {problem.level:<8} {rule:<7} {text}"


def format_json(report: CheckReport) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    findings: list[dict[str, Any]] = []
    for problem in report.problems:
        counts[problem.level] = counts.get(problem.level, 0) + 1
        item = asdict(problem)
        item["fix"] = item.pop("hint")
        item.setdefault("rule", None)
        item.setdefault("audience", None)
        item["rule"] = item["rule"] or None
        item["audience"] = item["audience"] or None
        findings.append(item)
    document = {"checked": report.subject, "counts": counts, "findings": findings}
    return json.dumps(document, ensure_ascii=False, indent=2)
