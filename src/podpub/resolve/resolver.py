"""Resolve a show folder into the records every build stage reads.

load every descriptor → validate each against its model → probe each audio file once →
resolve dates, credits, chapters, GUIDs, slugs and URLs → check what only the whole show
can tell (duplicate GUIDs, slugs, enclosures). Every problem of every file is collected;
nothing is raised until all of them are known.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from podpub.context import BuildContext, or_no_cache
from podpub.digests import digest_of
from podpub.errors import PodpubError, Problem
from podpub.input.load import Document, load_file
from podpub.input.models import TRANSCRIPT_TYPES, Episode, RemoteAudio, Show, in_show_zone
from podpub.input.paths import (
    descriptor_name_problem,
    media_path,
    missing_show_file,
    output_path,
    slugify,
    with_slash,
)
from podpub.input.validate import validate
from podpub.resolve import markup
from podpub.resolve import optional_tags as extras_resolve
from podpub.resolve.analytics import show_analytics, tracked
from podpub.resolve.chapters import check_chapters, episode_chapters
from podpub.resolve.credits import (
    People,
    episode_credits,
    guests_of,
    is_host,
    person_roles,
    register_mentions,
    role_aliases,
    show_credits,
)
from podpub.resolve.episode_image import episode_image
from podpub.resolve.guids import episode_guid, podcast_guid
from podpub.resolve.last import LastResolve, MentionTuple
from podpub.resolve.options import PlanOptions
from podpub.resolve.records import (
    AudioInfo,
    CreditGroup,
    EpisodeRecord,
    HeadlineView,
    PersonRole,
    Role,
    ShowRecord,
    SiteRecord,
    TranscriptRecord,
)
from podpub.resolve.subscribe import subscribe_links
from podpub.resolve.transcripts import check_file as check_transcript
from podpub.site.i18n import host_label  # an interface word (pyproject.toml: the one exception)

SHOW_FILE = "show.yaml"
EPISODES_DIR = "episodes"
APPLE_DESCRIPTION_BYTES = 4000

Prober = Callable[[list[Path]], dict[Path, "AudioInfo | str"]]


@dataclass(frozen=True)
class Summary:
    """What the show-wide steps read of a descriptor: its file, whether it is a draft, its
    date and the people it names. The cache keeps it beside the descriptor's document and
    model, so a run that finds the descriptor unchanged (and its episode's record still
    good, see :class:`_EpisodeMemo`) never unpickles those."""

    file: str  # "episodes/<name>.yaml"
    draft: bool
    date: dt.date | dt.datetime
    mentions: tuple[tuple[str | None, str | None, str | None, str | None], ...]  # people

    @classmethod
    def of(cls, doc: Document, model: Episode) -> Summary:
        named = [
            *model.hosts,
            *model.guests,
            *(p for group in model.credits for p in group.people),
        ]
        return cls(
            doc.file,
            model.draft,
            model.date,
            tuple((p.name, p.id, p.url, p.image) for p in named),
        )


@dataclass(frozen=True, slots=True)
class Mention:
    """A person named by a descriptor, as :class:`~podpub.resolve.credits.People` reads one."""

    name: str | None
    id: str | None
    url: str | None
    image: str | None


class Loaded:
    """A descriptor that passed its model: the model, the document it came from (every
    node's position, for problems) and their :class:`Summary`. A plain value; a run
    with a cache lends a view of one whose document stays pickled until read
    (build/kept.py)."""

    def __init__(self, doc: Document, model: Episode, summary: Summary | None = None) -> None:
        self.doc, self.model = doc, model
        self.summary = summary if summary is not None else Summary.of(doc, model)
        self.file = self.summary.file


def resolve(
    show_dir: Path,
    options: PlanOptions,
    prober: Prober | None = None,
    run: BuildContext | None = None,
) -> SiteRecord:
    """Read and check the whole show; raise :class:`PodpubError` with every problem."""
    site, problems = resolve_all(show_dir, options, prober, run)
    errors = [p for p in problems if p.level == "error"]
    if errors or site is None:
        raise PodpubError(errors or problems)
    return site


def resolve_all(
    show_dir: Path,
    options: PlanOptions,
    prober: Prober | None = None,
    run: BuildContext | None = None,
) -> tuple[SiteRecord | None, list[Problem]]:
    """Every problem of the show, and the site of the show and its episodes without one.

    The site is None when show.yaml cannot be read. ``podpub check`` runs the feed rules
    on what passed the descriptor checks, so a producer sees both in one run. ``run``:
    the build context (cache, worker processes); None: the same steps, here, uncached.
    A run that keeps what the last one resolved (:class:`~podpub.resolve.last.LastResolve`)
    resolves only the episodes whose inputs changed, when nothing show-wide did.
    """
    run = or_no_cache(run)
    edited = _resolve_edit(show_dir, options, prober, run)
    if edited is not None:
        return edited
    problems: list[Problem] = []
    show_doc, show = _load_show(show_dir, problems)
    loaded = _load_episodes(show_dir, problems, run)
    if show is None or show_doc is None:
        return None, problems
    schedule = _Schedule.of(loaded, options, zoneinfo.ZoneInfo(show.timezone))
    published = schedule.published
    # Every mention first, so a person's href and img are the same on every item.
    mentions = unique_mentions(item for item, _ in published)
    shared = _Shared.of(show_dir, show_doc, show, options, mentions, problems, run)

    # An unchanged episode in an unchanged show keeps the record of the last run.
    memo = shared.memo
    kept = {item.file: found for item, _ in published if (found := memo.get(item)) is not None}
    todo = [(item, when) for item, when in published if item.file not in kept]
    fresh = _resolve_episodes(shared, todo, prober, run, problems)
    episodes: list[EpisodeRecord] = []
    for item, _ in published:
        record = kept.get(item.file)
        if record is None:
            record, its_problems = fresh[item.file]
            problems.extend(its_problems)
        if record is not None:
            episodes.append(record)
    episodes.sort(key=lambda e: (e.published, e.key), reverse=True)
    _check_unique(episodes, loaded, problems)
    faulty = {p.file for p in problems if p.level == "error"}
    clean = tuple(e for e in episodes if e.source not in faulty)
    site = SiteRecord(
        shared.show_record,
        clean,
        options.now,
        tuple(sorted(schedule.skipped)),
        next_due=schedule.next_due,
        next_due_file=schedule.next_file or None,
    )
    last = None  # with a problem in an episode, the next run resolves the show again
    if not any(p.file.startswith(f"{EPISODES_DIR}/") for p in problems):
        last = LastResolve(
            _show_key(shared, options),
            options.now,
            _visible_names(show_dir),
            tuple(e.source for e in site.episodes),
            site.skipped,
            frozenset(item.file for item in loaded if item.summary.draft),
            site.next_due,
            schedule.next_file,
            tuple(astuple_mention(m) for m in mentions),
            _named(published),
        )
    run.keep_last_resolve(last, site.episodes, None)
    return site, problems


def _named(published: list[tuple[Loaded, dt.datetime]]) -> dict[str, tuple[MentionTuple, ...]]:
    """Each published descriptor's mentions, the equal ones one object (kept once)."""
    same: dict[Any, Any] = {}
    return {
        item.file: same.setdefault(
            item.summary.mentions, tuple(same.setdefault(m, m) for m in item.summary.mentions)
        )
        for item, _ in published
    }


def astuple_mention(mention: Mention) -> tuple[str | None, str | None, str | None, str | None]:
    """A mention as a summary holds it (plain data, kept by the store)."""
    return (mention.name, mention.id, mention.url, mention.image)


@dataclass
class _Shared:
    """The show-wide state every episode's resolution reads (and only reads)."""

    show_dir: Path
    show_doc: Document
    show: Show
    show_record: ShowRecord  # with the show's credits; its extras once episodes are done
    people: People
    aliases: dict[str, tuple[str, str | None]]
    memo: _EpisodeMemo

    @classmethod
    def of(
        cls,
        show_dir: Path,
        show_doc: Document,
        show: Show,
        options: PlanOptions,
        mentions: list[Mention],
        problems: list[Problem],
        run: BuildContext,
    ) -> _Shared:
        show_record = _resolve_show(show_dir, show_doc, show, options, problems, run)
        people = People(registry=show.people)
        aliases = role_aliases(show, show_doc, problems)
        register_mentions(people, show, [mentions])
        show_record = with_show_credits(show_record, show, show_doc, people, aliases, problems)
        memo = _EpisodeMemo(run, show_dir, show, show_record, aliases, people)
        return cls(show_dir, show_doc, show, show_record, people, aliases, memo)


def _show_key(shared: _Shared, options: PlanOptions) -> str:
    """What every episode's record depends on beyond its own files: the show-wide state
    (the memo's), the options that choose which episodes are published, and who runs
    (a file another user may not read is a problem the stamps do not show)."""
    return digest_of(shared.memo.common, options.drafts, options.future, _who())


def _who() -> tuple[object, ...]:
    """The user and groups whose permissions the run reads files with."""
    if not hasattr(os, "geteuid"):
        return ()
    return (os.geteuid(), os.getegid(), tuple(sorted(os.getgroups())))


def _visible_names(show_dir: Path) -> frozenset[str]:
    """The episodes folder's names but hidden ones (an editor's swap files)."""
    try:
        names = os.listdir(os.path.join(show_dir, EPISODES_DIR))
    except OSError:
        return frozenset()
    return frozenset(name for name in names if not name.startswith("."))


def _resolve_edit(
    show_dir: Path, options: PlanOptions, prober: Prober | None, run: BuildContext
) -> tuple[SiteRecord, list[Problem]] | None:
    """The site from the last run's (:class:`LastResolve`), only the episodes whose
    inputs changed resolved again; None when it cannot tell (the full resolve runs):
    no last run kept, the show-wide inputs or the list of descriptors changed, a
    scheduled episode came due, a changed descriptor moved in the schedule, names
    other people, or has a problem now, or its GUID, page name or audio URL changed
    (which the uniqueness check would have to see)."""
    last, changed = run.last_resolve()
    if not isinstance(last, LastResolve) or changed is None or not last.holds_at(options.now):
        return None
    if changed & set(last.skipped):
        return None
    if not run.same_entries_as_last(EPISODES_DIR) and _visible_names(show_dir) != last.names:
        return None
    problems: list[Problem] = []
    show_doc, show = _load_show(show_dir, problems)
    if show is None or show_doc is None:
        return None
    mentions = [Mention(*mention) for mention in last.mentions]
    shared = _Shared.of(show_dir, show_doc, show, options, mentions, problems, run)
    if _show_key(shared, options) != last.key:
        return None
    edited = sorted(changed)
    items = _load_edited(show_dir, edited, last, run, zoneinfo.ZoneInfo(show.timezone))
    if items is None:
        return None
    records = run.kept_records(last.order, [*last.order, *last.skipped], last.drafts, changed)
    if records is None:
        return None
    episodes = list(records)
    fresh = _resolve_episodes(shared, items, prober, run, problems)
    for item, _ in items:
        record, found = fresh[item.file]
        at = last.order.index(item.file)
        if found or record is None or _unique_part(record) != _unique_part(episodes[at]):
            return None
        episodes[at] = record
    site = SiteRecord(
        shared.show_record,
        tuple(episodes),
        options.now,
        last.skipped,
        next_due=last.next_due,
        next_due_file=last.next_file or None,
    )
    run.keep_last_resolve(replace(last, now=options.now), site.episodes, changed)
    return site, problems


def _load_edited(
    show_dir: Path, edited: list[str], last: LastResolve, run: BuildContext, tz: dt.tzinfo
) -> list[tuple[Loaded, dt.datetime]] | None:
    """The changed descriptors, loaded, with their publication time; None if one has a
    problem, or now names other people or is a draft where it was not (or the reverse)."""
    paths = [os.path.join(show_dir, file) for file in edited]
    items: list[tuple[Loaded, dt.datetime]] = []
    loaded = run.load_descriptors(paths, load_descriptor)
    for file, (item, found) in zip(edited, loaded, strict=True):
        if found or item is None or item.file != file:
            return None
        summary = item.summary
        if summary.draft != (file in last.drafts) or summary.mentions != last.named.get(file):
            return None
        items.append((item, in_show_zone(summary.date, tz)))
    return items


def _unique_part(record: EpisodeRecord) -> tuple[object, ...]:
    """What the site's order and the uniqueness check read of a record."""
    return (record.published, record.key, record.guid.lower(), record.slug, record.enclosure_url)


def _resolve_episodes(
    shared: _Shared,
    todo: list[tuple[Loaded, dt.datetime]],
    prober: Prober | None,
    run: BuildContext,
    problems: list[Problem],
) -> dict[str, tuple[EpisodeRecord | None, list[Problem]]]:
    """Each episode of ``todo`` resolved (over the run's workers when many), with its
    problems; the ones without a problem kept for the next run. Puts the show's extras
    (trailers) into ``shared.show_record``: they share the episodes' probe."""
    show_dir, show, show_doc = shared.show_dir, shared.show, shared.show_doc
    people, aliases = shared.people, shared.aliases
    audio_paths: dict[str, Path] = {}
    extra_media = extras_resolve.media_paths(show_dir, show, show_doc, [], problems)  # trailers
    items = [item for item, _ in todo]
    find_media = functools.partial(_episode_media, show_dir, run)
    found_media = run.map(find_media, items, "Finding audio")
    for item, (path, extra, found) in zip(items, found_media, strict=True):
        problems.extend(found)
        if path is not None:
            audio_paths[item.file] = path
        extra_media.update(extra)
    media = sorted(set(audio_paths.values()) | set(extra_media.values()))
    probes = (prober or _run_prober(run))(media)
    show_record = replace(
        shared.show_record,
        extras=extras_resolve.show_extras(
            show, show_doc, shared.show_record, extra_media, probes, problems
        ),
    )
    shared.show_record = show_record

    def resolve_one(pair: tuple[Loaded, dt.datetime]) -> tuple[EpisodeRecord | None, list[Problem]]:
        """One episode's record from the show-wide state above (which it only reads)."""
        item, when = pair
        found: list[Problem] = []
        path = audio_paths.get(item.file)
        probe = probes.get(path) if path is not None else remote_probe(item.model.audio)
        if isinstance(probe, str):
            found.append(item.doc.problem(("audio",), probe))
            probe = None
        record = _resolve_episode(
            show_dir, show, show_record, item, when, path, probe, people, aliases, found, run
        )
        if record is not None:
            extras = extras_resolve.episode_extras(
                item.model, item.doc, show, show_record, extra_media, probes, found
            )
            record = replace(record, extras=extras)
        return record, found

    def resolve_in_worker(pair: tuple[Loaded, dt.datetime]) -> tuple[Made | None, list[Problem]]:
        """In a worker (or here, for a few episodes): the record as the run keeps it
        (``run.pack_record``) and the memo results it was made with."""
        with run.recording_uses() as uses:
            record, found = resolve_one(pair)
        run.done_with(pair[0])  # in the main process (its share), the document may go
        if record is None:
            return None, found
        return Made(run.pack_record(record), tuple(uses)), found

    # with many episodes, the run's worker processes share this loop; each record comes
    # back as the run lends it (with the store: its page's fields read when needed)
    fresh: dict[str, tuple[EpisodeRecord | None, list[Problem]]] = {}
    resolved = run.map(resolve_in_worker, todo, "Resolving episodes")
    located = {p.file for p in problems}  # a path or an alternate file refused above
    for (item, _), (made, found) in zip(todo, resolved, strict=True):
        fresh[item.file] = (run.lend_record(made.packed) if made else None, found)
        if item.file not in located and made is not None and not found:
            shared.memo.put(item, made)
    return fresh


@dataclass
class _Schedule:
    """Which episodes a run publishes (drafts and future ones left out), and when the
    next scheduled one comes due (uptodate.py: "publish again then")."""

    published: list[tuple[Loaded, dt.datetime]]
    skipped: list[str]
    next_due: dt.datetime | None
    next_file: str  # the descriptor of that episode

    @classmethod
    def of(cls, loaded: list[Loaded], options: PlanOptions, tz: dt.tzinfo) -> _Schedule:
        schedule = cls([], [], None, "")
        for item in loaded:
            summary = item.summary
            when = in_show_zone(summary.date, tz)
            draft = summary.draft and not options.drafts
            future = when > options.now and not options.future
            if not (draft or future):
                schedule.published.append((item, when))
                continue
            schedule.skipped.append(item.file)
            due = (when, item.file)
            if future and not draft and (schedule.next_due is None or due < schedule.due):
                schedule.next_due, schedule.next_file = due
        return schedule

    @property
    def due(self) -> tuple[dt.datetime, str]:
        assert self.next_due is not None
        return self.next_due, self.next_file


def unique_mentions(items: Iterable[Loaded]) -> list[Mention]:
    """Every mention of a person in order, each made again left out: it adds nothing
    (:meth:`People.register` keeps what the first one gave), and a show of 10,000
    episodes names its hosts 10,000 times. A bare id without a name stays each time:
    it counts only once someone else has brought that id in."""
    seen: set[tuple[str | None, ...]] = set()
    found: list[Mention] = []
    for item in items:
        for mention in item.summary.mentions:
            if mention in seen:
                continue
            if mention[0] is not None or mention[1] is None:
                seen.add(mention)
            found.append(Mention(*mention))
    return found


def _episode_media(
    show_dir: Path, run: BuildContext, item: Loaded
) -> tuple[Path | None, dict[extras_resolve.MediaKey, Path], list[Problem]]:
    """An episode's audio file and alternate audio files, each checked (``media_path``),
    with the problems found: where the run's workers share the episodes out."""
    problems: list[Problem] = []
    audio = None
    if isinstance(item.model.audio, str):  # remote audio has no file to find
        audio = media_path(show_dir, item.model.audio, item.doc, ("audio",), problems)
    extra = extras_resolve.media_paths(show_dir, None, None, [(item.model, item.doc)], problems)
    run.done_with(item)
    return audio, extra, problems


class _EpisodeMemo:
    """Each episode's record, kept across runs (engine.py's ``resolved`` stage) under
    everything its resolution reads: the descriptor file, the show-wide state
    (show.yaml's model and record, role aliases, the show folder) and the people the
    episode names as the registry sees them now; and, checked at each lookup, every
    file the record refers to (audio, transcripts, alternate audio), by stamp.

    Only episodes without any problem are kept: a problem may come from a file that the
    record does not refer to (a transcript that could not be read), which would then go
    unwatched.
    """

    def __init__(
        self,
        run: BuildContext,
        show_dir: Path,
        show: Show,
        show_record: ShowRecord,
        aliases: dict[str, tuple[str, str | None]],
        people: People,
    ) -> None:
        self.run, self.folder, self.people = run, str(show_dir), people
        self.common = digest_of(str(show_dir), show.model_dump(), show_record, aliases)
        # a mention → the person it names now, written out (the same people recur)
        self._said: dict[tuple[str | None, ...], str] = {}

    def _inputs(self, item: Loaded) -> str:
        """The show-wide state and the people the episode names, as they are now."""
        said = [self._said.get(m) or self._say(m) for m in item.summary.mentions]
        text = "\x1f".join([self.common, *said])
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def _say(self, mention: tuple[str | None, ...]) -> str:
        said = self._said[mention] = repr(self.people.get(Mention(*mention)))
        return said

    def get(self, item: Loaded) -> EpisodeRecord | None:
        path = os.path.join(self.folder, item.file)  # text: a Path costs more to make
        return self.run.resolved(item.file, path, self._inputs(item))

    def put(self, item: Loaded, made: Made) -> None:
        """Keep a record made without any problem."""
        path, inputs = os.path.join(self.folder, item.file), self._inputs(item)
        self.run.keep_resolved(item.file, path, inputs, made.packed, made.uses)


class Made(NamedTuple):
    """A record resolved in a worker, as the run moves and keeps it."""

    packed: object  # run.pack_record's (with a cache: its fields, digest and files)
    uses: tuple[tuple[str, str], ...]  # the memo results it was made with


def _run_prober(run: BuildContext) -> Prober:
    """The run's prober: cached and parallel with a cache, else one file at a time."""
    return lambda paths: run.probe(paths, probe_one)


# Remote audio's enclosure type → the codec podpub's records name (tags, pages).
_CODEC_OF_MIME = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/x-m4a": "aac",
    "audio/mp4": "aac",
    "audio/aac": "aac",
    "audio/ogg": "vorbis",
    "audio/opus": "opus",
    "audio/flac": "flac",
}


def remote_probe(audio: str | RemoteAudio) -> AudioInfo | None:
    """Remote audio's record: the length, duration and type the descriptor gives."""
    if not isinstance(audio, RemoteAudio):
        return None
    codec = _CODEC_OF_MIME.get(audio.type.lower(), audio.type.split("/")[-1])
    return AudioInfo(audio.length, audio.type, audio.duration, None, None, codec)


def probe_one(path: Path) -> AudioInfo | str:
    """One file's probe, or why it cannot be published: a function of the file alone."""
    from podpub.media import probe as audio  # mutagen is imported only when there is audio to read

    try:
        return audio.probe(path)
    except audio.AudioError as exc:
        return str(exc)


def probe_sequentially(paths: list[Path]) -> dict[Path, AudioInfo | str]:
    """Probe each file once; a failure becomes its message (located by the caller)."""
    from podpub.media import probe as audio  # mutagen is imported only when there is audio to read

    results: dict[Path, AudioInfo | str] = {}
    for path in paths:
        try:
            results[path] = audio.probe(path)
        except audio.AudioError as exc:
            results[path] = str(exc)
    return results


# --- loading ---------------------------------------------------------------------


def _load_show(show_dir: Path, problems: list[Problem]) -> tuple[Document | None, Show | None]:
    path = show_dir / SHOW_FILE
    if not path.is_file():
        problems.append(missing_show_file(show_dir))
        return None, None
    try:
        doc = load_file(path, SHOW_FILE)
    except PodpubError as exc:
        problems.extend(exc.problems)
        return None, None
    show, found = validate(doc, Show)
    problems.extend(found)
    return doc, show


def descriptor_files(show_dir: Path) -> list[str]:
    """The episode descriptors' paths, sorted by name: as text, since a run asks only
    the changed ones to be read (a Path costs more to make than the look-up)."""
    folder = os.path.join(show_dir, EPISODES_DIR)
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [
        os.path.join(folder, name)
        for name in sorted(names)
        if name.endswith((".yaml", ".yml")) and not name.startswith(".")
    ]


def _load_episodes(show_dir: Path, problems: list[Problem], run: BuildContext) -> list[Loaded]:
    paths = descriptor_files(show_dir)
    loaded: list[Loaded] = []
    for item, found in run.load_descriptors(paths, load_descriptor):
        problems.extend(found)
        if item is not None:
            loaded.append(item)
    return loaded


def load_descriptor(path: Path | str) -> tuple[Loaded | None, list[Problem]]:
    """One episode descriptor, loaded and validated: a function of the file alone."""
    path = Path(path)
    refused = descriptor_name_problem(path, EPISODES_DIR)
    if refused is not None:
        return None, [refused]
    try:
        doc = load_file(path, f"{EPISODES_DIR}/{path.name}")
    except PodpubError as exc:
        return None, list(exc.problems)
    model, found = validate(doc, Episode)
    return (Loaded(doc, model) if model is not None else None), list(found)


# --- the show --------------------------------------------------------------------


def _resolve_show(
    show_dir: Path,
    doc: Document,
    show: Show,
    options: PlanOptions,
    problems: list[Problem],
    run: BuildContext | None = None,
) -> ShowRecord:
    url = with_slash(options.base_url or show.url)
    feed_url = show.feed_url if show.feed_url and not options.base_url else url + "feed.xml"
    image_source = media_path(show_dir, show.image, doc, ("image",), problems)
    if not show.image.lower().endswith((".jpg", ".png")):
        problems.append(
            doc.problem(
                ("image",),
                "Apple requires the cover's file name to end in .jpg or .png",
                "convert or rename the image",
            )
        )
    image_path = output_path(show.image, "")
    description_html = markup.markdown_to_html(show.description, run)
    feed_description = markup.markdown_to_feed_html(show.description, run)
    if len(feed_description.encode()) > APPLE_DESCRIPTION_BYTES:
        problems.append(
            doc.problem(
                ("description",),
                f"is {len(feed_description.encode()):,} bytes as HTML; Apple's limit is 4,000",
                "shorten it",
            )
        )
    hosts = People(show.hosts)
    host_role = _host_role(show.language)
    categories = tuple(
        (parts[0], parts[1] if len(parts) > 1 else None)
        for parts in (c.split(" > ") for c in show.categories)
    )
    guid = show.guid or podcast_guid(feed_url)
    analytics = show_analytics(show, doc, guid, problems)  # checked in previews too, but
    # a preview (--base-url, serve) plays its own copy: its plays are not downloads to count
    return ShowRecord(
        title=show.title,
        description_html=description_html,
        description_text=markup.html_to_text(description_html),
        feed_description=feed_description,
        language=show.language,
        url=url,
        feed_url=feed_url,
        author=show.author,
        owner_name=show.owner.name,
        owner_email=show.owner.email,
        image_source=image_source or show_dir / show.image,
        image_path=image_path,
        image_url=url + quote(image_path),
        categories=categories,
        explicit=show.explicit,
        show_type=show.type,
        copyright=show.copyright,
        timezone=show.timezone,
        guid=guid,
        guid_computed=show.guid is None,
        hosts=hosts.all(),
        persons=tuple(PersonRole(p, host_role) for p in hosts.all()),
        subscribe=subscribe_links(show, feed_url, doc, problems),
        episodes_per_page=show.episodes_per_page,
        keep=tuple(show.keep),
        analytics=None if options.base_url else analytics,
        media_url=with_slash(show.media_url) if show.media_url else None,
    )


def with_show_credits(
    record: ShowRecord,
    show: Show,
    doc: Document,
    people: People,
    aliases: dict[str, tuple[str, str | None]],
    problems: list[Problem],
) -> ShowRecord:
    """The show's hosts and default credits from the people registry: channel podcast:person."""
    credits = show_credits(show, doc, people, aliases, _host_role(show.language), problems)
    hosts = next((group.people for group in credits if is_host(group.role)), ())
    return replace(record, hosts=hosts, credits=credits, persons=person_roles(list(credits)))


def _host_role(language: str) -> Role:
    return Role(label=host_label(language), role="host", group="cast")


def _guest_role(language: str) -> Role:
    from podpub.site.i18n import guest_label

    return Role(label=guest_label(language), role="guest", group="cast")


# --- episodes --------------------------------------------------------------------


def _resolve_episode(
    show_dir: Path,
    show: Show,
    show_record: ShowRecord,
    item: Loaded,
    published: dt.datetime,
    audio_source: Path | None,
    probe: AudioInfo | None,
    people: People,
    aliases: dict[str, tuple[str, str | None]],
    problems: list[Problem],
    run: BuildContext | None = None,
) -> EpisodeRecord | None:
    """The record of one episode, from its validated descriptor, the show and its
    probed audio (``probe``; None when the audio could not be read: no record, its
    problem said where it was found); None too when the file name makes no page name.
    Every problem found on the way is added to ``problems``."""
    ep, doc = item.model, item.doc
    key = Path(doc.file).stem
    slug = _page_name(key, doc.file, problems)
    if not slug:
        return None

    host_role = _host_role(show.language)
    hosts, credits = episode_credits(
        ep,
        doc,
        people,
        aliases,
        host_role,
        show_record.credits,
        problems,
        _guest_role(show.language),
    )
    persons = person_roles(credits)

    headlines = _headlines(ep, run)
    chapters = episode_chapters(ep)  # the headlines' and the extra ones, by start time
    if probe is None:
        return None
    check_chapters(ep, probe.duration, doc, problems)

    summary_html = markup.markdown_to_html(ep.summary, run) if ep.summary else ""
    feed_description, feed_content = _feed_notes(summary_html, headlines, list(credits))
    if len(feed_description.encode()) > APPLE_DESCRIPTION_BYTES:
        problems.append(
            doc.problem(("summary",), "is over Apple's 4,000-byte limit as HTML", "shorten it")
        )
    page_dir = f"episodes/{slug}/"
    transcripts = _transcripts(show_dir, show, show_record, item, page_dir, problems)
    audio_path, enclosure_url = _audio_address(ep, show, show_record)
    chapters_path = page_dir + "chapters.json" if chapters else None
    image = episode_image(show_dir, ep.image, doc, page_dir, show_record.url, problems)
    return EpisodeRecord(
        key=key,
        source=doc.file,
        slug=slug,
        title=ep.title,
        number=ep.number,
        season=ep.season,
        episode_type=ep.type,
        explicit=show.explicit if ep.explicit is None else ep.explicit,
        published=published,
        guid=ep.guid.strip() if ep.guid else episode_guid(show_record.guid, key),
        summary_html=summary_html,
        summary_text=markup.html_to_text(summary_html),
        feed_description=feed_description,
        feed_content=feed_content,
        headlines=tuple(headlines),
        chapters=chapters,
        hosts=hosts,
        credits=credits,
        persons=persons,
        audio=probe,
        audio_source=audio_source,
        audio_path=audio_path,
        enclosure_url=tracked(enclosure_url, show_record.analytics),
        page_path=page_dir + "index.html",
        page_url=show_record.url + page_dir,
        chapters_path=chapters_path,
        chapters_url=show_record.url + chapters_path if chapters_path else None,
        draft=ep.draft,
        transcripts=transcripts,
        chapters_vtt_path=page_dir + "chapters.vtt" if chapters else None,
        guests=guests_of(credits),
        image_source=image.source if image else None,
        image_path=image.path if image else None,
        image_url=image.url if image else None,
    )


def _page_name(key: str, file: str, problems: list[Problem]) -> str:
    """The episode's page name (its folder under episodes/), made from its descriptor's
    file name; "" with a problem when the name has no letter or digit to make one of."""
    slug = slugify(key)
    if not slug:
        problems.append(
            Problem(
                file,
                1,
                1,
                "",
                "the file name gives no usable page name",
                "rename the descriptor with letters or digits, e.g. 2023-06-02-title.yaml",
            )
        )
    return slug


def _headlines(ep: Episode, run: BuildContext | None) -> list[HeadlineView]:
    """The episode's headlines as its page and feed show them: each text in HTML."""
    return [
        HeadlineView(
            headline.title,
            markup.markdown_to_html(headline.text, run) if headline.text else "",
            headline.start,
            headline.link,
        )
        for headline in ep.headlines
    ]


def _audio_address(ep: Episode, show: Show, show_record: ShowRecord) -> tuple[str, str]:
    """Where the episode's audio goes in the site ("" for remote audio) and the
    enclosure's URL: the site's, or media_url's when the audio is served from there,
    or a remote file's own (published where it is hosted, as given)."""
    if isinstance(ep.audio, RemoteAudio):
        return "", ep.audio.url
    audio_path = output_path(ep.audio, "audio/")
    media_base = with_slash(show.media_url) if show.media_url else show_record.url
    return audio_path, media_base + quote(audio_path)


def _transcripts(
    show_dir: Path,
    show: Show,
    show_record: ShowRecord,
    item: Loaded,
    page_dir: str,
    problems: list[Problem],
) -> tuple[TranscriptRecord, ...]:
    """Transcript files, copied beside the page (same origin: browsers' players can load them)."""
    records: list[TranscriptRecord] = []
    for i, transcript in enumerate(item.model.transcripts):
        source = media_path(
            show_dir, transcript.file, item.doc, ("transcripts", i, "file"), problems
        )
        if source is None:
            continue
        path = page_dir + source.name
        mime = TRANSCRIPT_TYPES[source.suffix.lower()]
        unreadable = check_transcript(source, mime)  # the page shows its text: read it now
        if unreadable:
            problems.append(
                item.doc.problem(
                    ("transcripts", i, "file"),
                    f"{transcript.file}: {unreadable}",
                    "fix the file, or remove it from transcripts",
                )
            )
            continue
        records.append(
            TranscriptRecord(
                source=source,
                path=path,
                url=show_record.url + quote(path),
                mime=mime,
                language=transcript.language or show.language,
                captions=mime in {"text/vtt", "application/x-subrip"},
            )
        )
    return tuple(records)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _feed_notes(
    summary_html: str, headlines: list[HeadlineView], credits: list[CreditGroup]
) -> tuple[str, str]:
    """Feed description (Apple's tags, headline titles) and content:encoded (full notes)."""
    import html as html_lib

    def esc(text: str) -> str:
        return html_lib.escape(text, quote=False)

    titles = "".join(f"<li>{esc(h.title)}</li>" for h in headlines)
    description = markup.html_to_feed_html(summary_html)
    with_list = description + (f"<ul>{titles}</ul>" if titles else "")
    if len(with_list.encode()) <= APPLE_DESCRIPTION_BYTES:
        description = with_list
    items = "".join(
        f"<li><p><strong>{esc(h.title)}</strong>"
        + (f" ({_clock(h.start)})" if h.start is not None else "")
        + f"</p>{h.html}"
        + (f'<p><a href="{html_lib.escape(h.link)}">{esc(h.link)}</a></p>' if h.link else "")
        + "</li>"
        for h in headlines
    )
    credit_lines = "".join(
        f"<li>{esc(group.role.label)} : {esc(', '.join(p.name for p in group.people))}</li>"
        for group in credits
    )
    if not items and not credit_lines and description == summary_html:
        # content:encoded would repeat the description word for word: every app reads
        # the description then, and the feed is not twice its size (a show imported
        # with long notes and no headlines would double past the size budget).
        return description, ""
    content = summary_html + (f"<ol>{items}</ol>" if items else "")
    content += f"<ul>{credit_lines}</ul>" if credit_lines else ""
    return description, content


# What two episodes may not share: (the record's value, the descriptor's field, what
# the message calls it). Compared in the order of the descriptors' names.
_UNIQUE: tuple[tuple[Callable[[EpisodeRecord], str], str, str], ...] = (
    (lambda episode: episode.guid.lower(), "guid", "GUID"),
    (lambda episode: episode.slug, "", "page name"),
    (lambda episode: episode.enclosure_url, "audio", "audio URL"),
)


def _check_unique(
    episodes: list[EpisodeRecord], loaded: list[Loaded], problems: list[Problem]
) -> None:
    """Two episodes with the same GUID, page name or audio URL: the later descriptor
    (by name) is the one at fault. A few dictionary look-ups per episode, over the
    fields every record keeps at hand (an edit reads no record's contents here)."""
    docs = {item.file: item for item in loaded}  # a document is read only for a problem
    by_source = sorted(episodes, key=_source)
    found: list[tuple[str, str, str, str]] = []  # (source, field, what, first source)
    for value_of, field, what in _UNIQUE:
        seen: dict[str, str] = {}
        for episode in by_source:
            first = seen.setdefault(value_of(episode), episode.source)
            if first != episode.source:
                found.append((episode.source, field, what, first))
    order = {episode.source: i for i, episode in enumerate(by_source)}
    kinds = [field for _, field, _ in _UNIQUE]
    for source, field, what, first in sorted(found, key=lambda f: (order[f[0]], kinds.index(f[1]))):
        problems.append(
            docs[source].doc.problem(
                (field,) if field else (),
                f"same {what} as {first}",
                "each episode needs its own" + (" guid" if field == "guid" else ""),
            )
        )


def _source(episode: EpisodeRecord) -> str:
    return episode.source
