"""The published ledger: what subscribers have already received, so no publish can hurt them.

``published.lock`` in the show folder records, after every successful publish, each
published episode: its key (the descriptor's file name), GUID, title, enclosure URL and
length, duration, pubDate, and when podpub first published it (kept forever). It is
written by podpub and committed with the show; it is JSON laid out one episode per line,
sorted by key, so a diff shows one line per changed episode.

Before anything is written, :func:`compare` sets the new site against the ledger and
refuses, one problem per episode, what would hurt subscribers (podcast-feed-rules.md §7):

* a published episode whose GUID changes (apps download it again as a new episode),
  unless ``--reissue-guid EP`` names it;
* a GUID already published for another episode (apps would merge or drop one), always;
* a published episode missing from the new site (deleted descriptor, now a draft or
  dated in the future), unless ``--remove EP`` names it;
* a change of the show's own ``podcast:guid``.

An enclosure URL change (new host, analytics prefix) is allowed and reported. A
descriptor renamed with its GUID kept (``guid:`` pinned) is recognised as a rename.
``podpub publish --dry-run`` prints the same comparison as a diff, with what each change
means for subscribers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from podpub.context import LEDGER, BuildContext, or_no_cache
from podpub.digests import data_digest
from podpub.errors import PodpubError, Problem
from podpub.input.load import Document, load_file
from podpub.resolve.analytics import same_file
from podpub.resolve.records import EpisodeRecord, SiteRecord

LEDGER_FILE = "published.lock"
WHY_SKIPPED = "it is now a draft or dated in the future"
PREFIX_NOTE = "  (analytics prefix only: the same file, no new download)"
FORMAT = 1
_TEMP_PREFIX = f".{LEDGER_FILE}.tmp-"
_PAGE_FOLDER = re.compile(r"(?:[a-z0-9][a-z0-9-]*/)+")  # "episodes/<slug>/", "people/<id>/"
_HEADER = (
    "podpub's record of every published episode: commit it with the show. "
    "Written by podpub publish; see docs/safety.md, 'The published ledger'."
)
# The cache stage that says what the ledger podpub last wrote was made of: the digest
# of its bytes (under _MADE_OF_KEY) and each entry's key → the digest of the record it
# was made from (run.record_digest), an entry each. While published.lock still has those
# bytes, an episode whose record has that digest has the very entry the ledger holds:
# the comparison skips it without reading the record's texts (10,000 of them at each
# edit otherwise). Kept in one file, saved as a delta: an edit changes two entries of
# 10,000 (the 600 KB table is not written again). Not pruned by the engine (it names
# the stages it prunes): the entries of episodes no longer published are removed here.
MADE_OF_STAGE = LEDGER
_MADE_OF_KEY = "/" + LEDGER_FILE  # no episode's key has a "/"
_MADE_OF_VERSION = "v2"  # an entry per episode (v1: one entry for the whole table)
_EPISODES_LINE = '  "episodes": ['  # render_ledger's line before the first entry


# --- the ledger --------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One published episode as subscribers received it."""

    key: str  # descriptor file name without .yaml: the episode's identity
    file: str  # descriptor path relative to the show folder
    guid: str
    title: str
    enclosure: str  # enclosure URL
    length: int  # enclosure length in bytes
    duration: int  # whole seconds
    date: str  # pubDate, ISO 8601 with the show's offset
    first_published: str  # ISO 8601 UTC: the build time of the first publish that had it
    # The podcast:person tags apps show ("Name (role); …"); None in a ledger written
    # before podpub recorded them (then unknown: no change is reported).
    people: str | None = None
    # A digest of the text apps show under the episode (description, content:encoded);
    # None in a ledger written before podpub recorded it (no change is reported then).
    notes: str | None = None

    @classmethod
    def of(cls, episode: EpisodeRecord, first_published: str) -> Entry:
        return cls(
            key=episode.key,
            file=episode.source,
            guid=episode.guid,
            title=episode.title,
            enclosure=episode.enclosure_url,
            length=episode.audio.size,
            duration=round(episode.audio.duration),
            date=episode.published.isoformat(),
            first_published=first_published,
            people=people_of(episode),
            notes=notes_of(episode),
        )


def people_of(episode: EpisodeRecord) -> str:
    """The episode's podcast:person tags in words: what a credits change changes."""
    return "; ".join(f"{p.person.name} ({p.role.role})" for p in episode.persons)


def notes_of(episode: EpisodeRecord) -> str:
    """A short digest of the episode's text in the feed: what a show-notes edit changes."""
    text = f"{episode.feed_description}\0{episode.feed_content}".encode()
    return hashlib.sha256(text).hexdigest()[:16]


# Fields a ledger written by an older podpub may lack: unknown (None), never a change.
_OPTIONAL = ("people", "notes")


@dataclass(frozen=True)
class Ledger:
    show_guid: str | None
    episodes: Mapping[str, Entry] = field(default_factory=dict)  # by key
    # The addresses of published pages that a later publish may move (redirects.py):
    # page identity ("episode:<key>", "person:<name>") → folder ("people/<id>/"); an
    # episode whose folder is episodes/<key>/ is left out. None: a ledger written before
    # podpub recorded addresses (the old addresses are then worked out as podpub made them).
    pages: dict[str, str] | None = None
    # Old page folder → the folder it redirects to: kept by every later publish.
    redirects: dict[str, str] = field(default_factory=dict)


class Entries(Mapping[str, Entry]):
    """A ledger's entries by key, some still as the line podpub wrote for them in
    published.lock: such an entry is read from its line when asked for, and written
    back as that line (render_ledger). An edit of one episode in a show of 10,000
    then reads and renders one line of the ledger, not all of them."""

    def __init__(self, entries: dict[str, Entry], lines: Mapping[str, str]) -> None:
        self._entries = entries  # the entries given, and those read since
        self._given = set(entries)  # whose line, if any, is not theirs
        self._lines = lines  # key → its line of JSON, for the keys not given
        self._keys = sorted(self._given.union(lines))

    def __getitem__(self, key: str) -> Entry:
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = _entry_of_line(self._lines[key])
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._entries or key in self._lines

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def line(self, key: str) -> str | None:
        """The entry's line of JSON as podpub wrote it, if it is the one kept."""
        return None if key in self._given else self._lines.get(key)

    def lines_of(self, keys: Iterable[str]) -> dict[str, str]:
        """The kept lines of ``keys`` (those that have one)."""
        lines, given = self._lines, self._given
        return {key: lines[key] for key in keys if key in lines and key not in given}


def read_ledger(show_dir: Path) -> Ledger | None:
    """The ledger of the show, or None before the first publish. Raises PodpubError if broken."""
    found = _read_ledger_bytes(show_dir)
    return parse_ledger(found.decode("utf-8")) if found is not None else None


def _read_ledger_bytes(show_dir: Path) -> bytes | None:
    """published.lock's bytes (UTF-8), or None before the first publish."""
    path = show_dir / LEDGER_FILE
    try:
        data = path.read_bytes()
        data.decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PodpubError([_ledger_problem(None, f"cannot read it: {exc}")]) from None
    return data


def parse_ledger(text: str) -> Ledger:
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(("<<<<<<<", ">>>>>>>", "=======")):
            raise PodpubError(
                [
                    _ledger_problem(
                        number,
                        "has merge conflict markers",
                        "keep the episode lines of both sides, remove the markers, then "
                        "run podpub publish --dry-run",
                    )
                ]
            )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PodpubError(
            [
                Problem(
                    LEDGER_FILE,
                    exc.lineno,
                    exc.colno,
                    "",
                    f"is not valid JSON ({exc.msg})",
                    "podpub writes this file; restore it from version control",
                )
            ]
        ) from None
    problems: list[Problem] = []
    ledger = _ledger_from(data, problems)
    if problems:
        raise PodpubError(problems)
    return ledger


def _ledger_from(data: Any, problems: list[Problem]) -> Ledger:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        problems.append(_ledger_problem(None, f"is not a podpub ledger of format {FORMAT}"))
        return Ledger(None)
    show_guid = data.get("show_guid")
    episodes: dict[str, Entry] = {}
    raw = data.get("episodes")
    if not isinstance(raw, list):
        problems.append(_ledger_problem(None, "has no list of episodes"))
        return Ledger(None)
    wanted = _wanted_fields()
    names, kinds = tuple(wanted), tuple(wanted.values())
    for index, item in enumerate(raw):
        unknown = [name for name in _OPTIONAL if isinstance(item, dict) and name not in item]
        # an older ledger: checked as if empty, then None
        item = {**item, **dict.fromkeys(unknown, "")} if unknown else item
        # the exact types (a bool is no length): one line of 10,000 in a big show's ledger
        if not _well_formed(item, wanted, names, kinds):
            problems.append(
                _ledger_problem(
                    None,
                    f"episode {index + 1} is damaged (expected the fields {', '.join(wanted)})",
                    "restore the file from version control",
                )
            )
            continue
        entry = _entry(item, names, unknown)
        if entry.key in episodes:
            problems.append(_ledger_problem(None, f"lists {entry.key!r} twice; keep one line"))
        episodes[entry.key] = entry
    pages = _addresses(data, "pages", problems) if "pages" in data else None
    redirects = _addresses(data, "redirects", problems) or {}
    return Ledger(show_guid if isinstance(show_guid, str) else None, episodes, pages, redirects)


def _wanted_fields() -> dict[str, type]:
    """Each field of a ledger line and the exact type of its value."""
    return {
        name: (int if f.type == "int" else str) for name, f in Entry.__dataclass_fields__.items()
    }


def _well_formed(
    item: Any, wanted: dict[str, type], names: tuple[str, ...], kinds: tuple[type, ...]
) -> bool:
    return (
        isinstance(item, dict)
        and item.keys() == wanted.keys()
        and tuple(type(item[name]) for name in names) == kinds
    )


def _entry_of_line(line: str) -> Entry:
    """The entry of one line of a ledger podpub wrote itself (Entries)."""
    wanted = _wanted_fields()
    names, kinds = tuple(wanted), tuple(wanted.values())
    item = json.loads(line)
    unknown = [name for name in _OPTIONAL if isinstance(item, dict) and name not in item]
    item = {**item, **dict.fromkeys(unknown, "")} if unknown else item
    if not _well_formed(item, wanted, names, kinds):  # not what podpub writes: tampered with
        raise PodpubError([_ledger_problem(None, f"has a damaged line: {line[:80]}")])
    return _entry(item, names, unknown)


def _own_ledger(text: str, keys: list[str]) -> Ledger | None:
    """The ledger in ``text``, a file podpub rendered itself (render_ledger) with the
    entries of ``keys`` (sorted): its entries left as their lines (:class:`Entries`),
    the rest read; None if the text is not laid out so."""
    count = len(keys)
    lines = text.split("\n", count + 6)  # the rest (pages, redirects) in one piece
    if len(lines) < count + 7 or lines[4] != _EPISODES_LINE:
        return None
    if lines[5 + count] not in ("  ]", "  ],"):
        return None
    try:
        head = json.loads("\n".join(lines[:5]) + "]}")
        tail = json.loads('{"episodes": [\n' + "\n".join(lines[5 + count :]))
    except json.JSONDecodeError:
        return None
    problems: list[Problem] = []
    pages = _addresses(tail, "pages", problems) if "pages" in tail else None
    redirects = _addresses(tail, "redirects", problems) or {}
    show_guid = head.get("show_guid")
    if problems or head.get("format") != FORMAT or not isinstance(show_guid, (str, type(None))):
        return None
    rows = {
        key: row[4:].removesuffix(",") for key, row in zip(keys, lines[5 : 5 + count], strict=True)
    }
    return Ledger(show_guid, Entries({}, rows), pages, redirects)


def _entry(item: dict[str, Any], names: tuple[str, ...], unknown: list[str]) -> Entry:
    """The entry of a checked ledger line, made without Entry's frozen ``__init__``
    (eleven ``object.__setattr__`` calls per line: a third of reading 10,000 lines);
    its fields in their declared order, as render_ledger writes them back."""
    entry = object.__new__(Entry)
    values = entry.__dict__
    for name in names:
        values[name] = item[name]
    for name in unknown:
        values[name] = None
    return entry


def _addresses(data: dict[str, Any], name: str, problems: list[Problem]) -> dict[str, str]:
    """An optional section of page addresses: an object of strings (absent in ledgers
    written before podpub kept the addresses of pages)."""
    raw = data.get(name, {})
    # Folders podpub made (slugs), nothing else: a redirect page is written at each, and a
    # hand-edited "../" must not lead a publish out of the output folder.
    folders = list(raw.values()) + (list(raw) if name == "redirects" else [])
    if (
        not isinstance(raw, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items())
        or not all(_PAGE_FOLDER.fullmatch(folder) for folder in folders)
    ):
        problems.append(
            _ledger_problem(
                None,
                f'its "{name}" section is damaged (expected an object of addresses)',
                "restore the file from version control",
            )
        )
        return {}
    return dict(raw)


def _ledger_problem(line: int | None, message: str, hint: str = "") -> Problem:
    return Problem(LEDGER_FILE, line, 1 if line else None, "", message, hint)


def render_ledger(ledger: Ledger) -> bytes:
    """JSON with one episode per line, sorted by key: a diff shows what changed."""
    lines = [
        "{",
        f'  "comment": {json.dumps(_HEADER)},',
        f'  "format": {FORMAT},',
        f'  "show_guid": {json.dumps(ledger.show_guid)},',
        '  "episodes": [',
    ]
    episodes = ledger.episodes
    keys = sorted(episodes)
    kept = episodes.line if isinstance(episodes, Entries) else None
    for i, key in enumerate(keys):
        text = kept(key) if kept is not None else None
        if text is None:
            text = _entry_text(episodes[key])
        lines.append(f"    {text}{',' if i < len(keys) - 1 else ''}")
    lines.append("  ]")
    for name, section in (("pages", ledger.pages), ("redirects", ledger.redirects)):
        if section:
            lines[-1] += ","
            lines += _section_lines(name, section)
    lines += ["}", ""]
    return "\n".join(lines).encode("utf-8")


def _entry_text(entry: Entry) -> str:
    """An entry's line of JSON; what is not known (an imported or older entry) is left out."""
    fields = {
        name: value
        for name, value in entry.__dict__.items()
        if not (name in _OPTIONAL and value is None)
    }
    return json.dumps(fields, ensure_ascii=False, separators=(", ", ": "))


def _section_lines(name: str, section: dict[str, str]) -> list[str]:
    """An address section, one pair per line, sorted: a diff shows each move."""
    keys = sorted(section)
    lines = [f"  {json.dumps(name)}: {{"]
    for i, key in enumerate(keys):
        pair = (
            f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(section[key], ensure_ascii=False)}"
        )
        lines.append(f"    {pair}{',' if i < len(keys) - 1 else ''}")
    lines.append("  }")
    return lines


# --- comparing a new site with the ledger ------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str  # title | audio | date | guid | enclosure | credits | notes
    old: str
    new: str
    prefix_only: bool = False  # enclosure: the same file through another analytics prefix


@dataclass(frozen=True)
class EpisodeChange:
    kind: str  # added | removed | changed | renamed
    key: str
    file: str
    title: str
    changes: tuple[Change, ...] = ()
    old_file: str | None = None  # renamed: the descriptor it was
    why: str = ""  # removed: why it leaves the site
    refused: str = ""  # what the producer must do for this change to be published


@dataclass(frozen=True)
class FeedDiff:
    """The new site against the last publish, and what a publish would refuse."""

    first_publish: bool
    episodes: tuple[EpisodeChange, ...]
    problems: tuple[Problem, ...]
    ledger: Ledger  # the ledger to write once the new site is published
    show_guid_change: tuple[str, str] | None = None
    # the ledger of the last publish, if any, until with_redirects() has read its pages
    # (10 MiB at 10,000 episodes, not held while the site is staged); its redirects stay
    previous: Ledger | None = None
    previous_redirects: Mapping[str, str] = field(default_factory=dict)
    # key → the digest of the record each entry of ``ledger`` is made from (with a run):
    # kept once the ledger is written, for the next comparison (MADE_OF_STAGE).
    made_of: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def moved_pages(self) -> dict[str, str]:
        """Page folders this publish moves: old folder → new (redirects.py added them)."""
        before = self.previous_redirects
        return {old: new for old, new in self.ledger.redirects.items() if before.get(old) != new}

    def of_kind(self, kind: str) -> list[EpisodeChange]:
        return [e for e in self.episodes if e.kind == kind]

    def changed(self, what: str) -> list[EpisodeChange]:
        return [e for e in self.episodes if any(c.field == what for c in e.changes)]

    def prefix_changed(self) -> list[EpisodeChange]:
        """The episodes whose enclosure changed only its analytics prefix (same file)."""
        return [
            e
            for e in self.episodes
            if any(c.field == "enclosure" and c.prefix_only for c in e.changes)
        ]

    def lines(self) -> list[str]:
        """The diff, one episode per line, changed fields indented below it."""
        out: list[str] = []
        for episode in self.episodes:
            refused = f"  [refused: {episode.refused}]" if episode.refused else ""
            if episode.kind == "added":
                out.append(f"  + {episode.file}  {episode.title!r}{refused}")
            elif episode.kind == "removed":
                out.append(f"  - {episode.file}  {episode.title!r}: {episode.why}{refused}")
            elif episode.kind == "renamed":
                out.append(f"  > {episode.file}  renamed from {episode.old_file}, GUID kept")
            else:
                out.append(f"  ~ {episode.file}  {episode.title!r}{refused}")
            out += [
                f"      {c.field}: {c.old} → {c.new}" + (PREFIX_NOTE if c.prefix_only else "")
                for c in episode.changes
            ]
        out += [f"  → /{old} redirects to /{new}" for old, new in self.moved_pages().items()]
        return out

    def consequences(self) -> list[str]:
        """What subscribers will notice, in words, one sentence per kind of change."""
        sentences: list[str] = []
        added, removed = len(self.of_kind("added")), len(self.of_kind("removed"))
        guids = len(self.changed("guid"))
        if self.show_guid_change:
            sentences.append(
                "The show's podcast:guid changes: the Podcast Index would take it for "
                "another podcast."
            )
        if guids:
            head = _verb(guids, "The GUID of {n} changes", "The GUIDs of {n} change")
            sentences.append(
                f"{head.format(n=_n(guids, 'episode'))}: apps will download {_them(guids)} again."
            )
        if added:
            sentences.append(
                f"{_n(added, 'new episode')}: apps will offer {_them(added)} to subscribers."
            )
        if removed:
            sentences.append(
                f"{_n(removed, 'episode')} {_verb(removed, 'leaves', 'leave')} the feed: "
                f"directories drop {_them(removed)} at their next crawl; listeners who "
                f"downloaded {_them(removed)} keep {_them(removed)}."
            )
        prefixed = len(self.prefix_changed())
        if prefixed:
            sentences.append(
                f"{_n(prefixed, 'enclosure URL')} {_verb(prefixed, 'changes its', 'change their')} "
                f"analytics prefix only: the same file{'s' * (prefixed != 1)}, the GUIDs "
                "unchanged; apps keep their downloads, nothing is downloaded again."
            )
        for what, (one, other), sentence in _FIELD_SENTENCES:
            count = len(self.changed(what))
            if what == "enclosure":
                count -= prefixed
            if count:
                text = sentence.format(
                    them=_them(count),
                    they=_verb(count, "it", "they"),
                    s=_verb(count, "s", ""),
                    title=_verb(count, "title", "titles"),
                )
                head = _verb(count, one, other).format(n=_n(count, "episode"))
                sentences.append(f"{head}: {text}.")
        renamed = len(self.of_kind("renamed"))
        if renamed:
            sentences.append(
                f"{_n(renamed, 'descriptor')} renamed with {'its' if renamed == 1 else 'their'} "
                "GUID kept: nothing changes for subscribers."
            )
        if not sentences:
            sentences.append("Nothing changes for subscribers since the last publish.")
        moved = len(self.moved_pages())
        if moved:
            sentences.append(
                f"{_n(moved, 'page')} move{'s' * (moved == 1)} to a new address: the old "
                f"address{'es' * (moved != 1)} redirect{'s' * (moved == 1)} there "
                "(a redirect page, and a line in _redirects)."
            )
        return sentences


# What each kind of change means for subscribers: (field, (what changes for one episode,
# for several), the sentence): "The title of 1 episode changes", "The titles of 2
# episodes change", "The credits of 1 episode change": the verb agrees with its noun.
_FIELD_SENTENCES = (
    (
        "enclosure",
        ("The enclosure URL of {n} changes", "The enclosure URLs of {n} change"),
        "apps that go by the GUID keep their downloads; apps that go by the URL may "
        "download {them} again",
    ),
    (
        "audio",
        ("The audio file of {n} changes", "The audio files of {n} change"),
        "new downloads get the new audio; apps that already downloaded {them} keep the old file",
    ),
    (
        "date",
        ("The date of {n} changes", "The dates of {n} change"),
        "{they} move{s} in apps' episode lists; nothing is downloaded again",
    ),
    (
        "title",
        ("The title of {n} changes", "The titles of {n} change"),
        "apps show the new {title}; nothing is downloaded again",
    ),
    (
        "credits",
        ("The credits of {n} change", "The credits of {n} change"),
        "the podcast:person tags change, so apps that show the people of an episode show the "
        "new names and roles; nothing is downloaded again",
    ),
    (
        "notes",
        ("The show notes of {n} change", "The show notes of {n} change"),
        "apps show the new text at their next refresh; nothing is downloaded again",
    ),
)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _verb(count: int, one: str, other: str) -> str:
    return one if count == 1 else other


def _them(count: int) -> str:
    return "it" if count == 1 else "them"


def episode_key(name: str) -> str:
    """What a producer types after --remove / --reissue-guid: a key, a file name or a path."""
    base = Path(name.strip()).name
    for suffix in (".yaml", ".yml"):
        base = base.removesuffix(suffix)
    return base


def _norm(guid: str) -> str:
    return guid.strip().lower()


def compare(
    show_dir: Path,
    site: SiteRecord,
    remove: Iterable[str] = (),
    reissue_guid: Iterable[str] = (),
    run: BuildContext | None = None,
) -> FeedDiff:
    """Set the new site against the ledger: the diff, and every change a publish refuses.

    With a run, an episode whose record is the one its entry in the ledger was made
    from (MADE_OF_STAGE) keeps that entry as it is: nothing of it can have changed.
    """
    now = site.build_time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    remove_keys = {episode_key(name): name for name in remove}
    reissue_keys = {episode_key(name): name for name in reissue_guid}
    run = or_no_cache(run)
    made_of = _record_digests(run, site)
    ledger, made_before = _previous_ledger(show_dir, run)
    old: Mapping[str, Entry] = ledger.episodes if ledger else {}
    # the episodes whose entry is the ledger's as it is: not even read
    same = {key for key, digest in made_of.items() if made_before.get(key) == digest}
    new = {e.key: Entry.of(e, now) for e in site.episodes if e.key not in same}
    published = {e.key for e in site.episodes}

    gone = [k for k in sorted(old) if k not in published]
    fresh = [k for k in sorted(new) if k not in old]
    by_guid = {new[k].guid: k for k in fresh}
    renames = {k: by_guid[old[k].guid] for k in gone if old[k].guid in by_guid}
    diff = _Comparison(show_dir, site, ledger, old, new, renames, reissue_keys)
    for key in sorted((set(old) | published) - same):
        if key in renames:
            continue  # told as its new key's "renamed"
        if key in diff.renamed_to:
            diff.renamed(key)
        elif key not in old:
            diff.added(key)
        elif key not in published:
            diff.removed(key, fresh, key in remove_keys)
        else:
            diff.changed(key)
    problems, changes = diff.problems, diff.changes

    episodes = _new_entries(new, old, same)
    problems += _flag_problems(remove_keys, reissue_keys, old, episodes)
    show_change = None
    if ledger and ledger.show_guid and ledger.show_guid != site.show.guid:
        show_change = (ledger.show_guid, site.show.guid)
        problems.append(_show_guid_changed(*show_change))
    return FeedDiff(
        first_publish=ledger is None,
        episodes=tuple(changes),
        problems=tuple(problems),
        ledger=Ledger(site.show.guid, episodes),
        show_guid_change=show_change,
        previous=ledger,
        previous_redirects=ledger.redirects if ledger else {},
        made_of=made_of,
    )


class _Comparison:
    """What :func:`compare` found so far, episode by episode: the changes and the
    problems, and ``new`` (each entry as the ledger will keep it: a renamed or
    changed episode keeps the date it was first published)."""

    def __init__(
        self,
        show_dir: Path,
        site: SiteRecord,
        ledger: Ledger | None,
        old: Mapping[str, Entry],
        new: dict[str, Entry],
        renames: dict[str, str],
        reissue_keys: Mapping[str, str],
    ) -> None:
        self.show_dir, self.site, self.ledger = show_dir, site, ledger
        self.old, self.new, self.reissue_keys = old, new, reissue_keys
        self.renamed_to = {target: source for source, target in renames.items()}
        self.problems: list[Problem] = []
        self.changes: list[EpisodeChange] = []

    @functools.cached_property
    def owners(self) -> dict[str, str]:
        """Which key published each GUID (compared trimmed and case-insensitively): made
        when an added episode or a changed GUID asks."""
        return {_norm(entry.guid): key for key, entry in self.old.items()}

    def renamed(self, key: str) -> None:
        """``key`` is the new name of a descriptor the ledger knows by its GUID."""
        source, after = self.old[self.renamed_to[key]], self.new[key]
        fields = _field_changes(source, after)
        self.changes.append(
            EpisodeChange("renamed", key, after.file, after.title, fields, old_file=source.file)
        )
        self.new[key] = replace(after, first_published=source.first_published)

    def added(self, key: str) -> None:
        """``key`` is published for the first time: refused if its GUID is another's."""
        entry = self.new[key]
        problem = _guid_taken(entry, self.owners, self.renamed_to)
        if problem:
            self.problems.append(problem)
        self.changes.append(
            EpisodeChange(
                "added", key, entry.file, entry.title, refused=problem.hint if problem else ""
            )
        )

    def removed(self, key: str, fresh: list[str], asked: bool) -> None:
        """``key`` is in the ledger and not in this publish (``asked``: with --remove);
        ``fresh``: the keys published for the first time (the refusal names them)."""
        removed = _removed(self.old[key], self.site, fresh, self.new, asked, self.problems)
        self.changes.append(removed)
        if self.problems and removed.refused and removed.why == WHY_SKIPPED:
            self.problems[-1] = _at_skip_reason(self.show_dir, self.problems[-1])

    def changed(self, key: str) -> None:
        """``key`` was published before: its changes, if any, and a changed GUID refused
        (another episode's, or without --reissue-guid)."""
        before, after = self.old[key], self.new[key]
        self.new[key] = replace(after, first_published=before.first_published)
        fields = _field_changes(before, after)
        if not fields:
            return
        refused = ""
        if before.guid != after.guid:
            refused = self._guid_refusal(key, before, after)
        self.changes.append(
            EpisodeChange("changed", key, after.file, after.title, fields, refused=refused)
        )

    def _guid_refusal(self, key: str, before: Entry, after: Entry) -> str:
        """The hint of the problem a changed GUID makes ("" when --reissue-guid asks for it)."""
        taken = _guid_taken(after, self.owners, self.renamed_to)
        if taken:
            self.problems.append(taken)
            return taken.hint
        if key in self.reissue_keys:
            return ""
        self.problems.append(_guid_changed(self.show_dir, before, after, self.site, self.ledger))
        return f"publish with --reissue-guid {key}"


def _record_digests(run: BuildContext, site: SiteRecord) -> dict[str, str]:
    """Each episode's key → its record's digest (the run has them: kept records bring
    theirs from the cache); {} for a run without a cache, which keeps none to compare
    with next time (digesting 10,000 records for nothing)."""
    if run.cache is None:
        return {}
    return {episode.key: run.record_digest(episode) for episode in site.episodes}


def _previous_ledger(show_dir: Path, run: BuildContext) -> tuple[Ledger | None, Mapping[str, str]]:
    """The ledger of the last publish, and what its entries were made from (key → the
    record digest; {} when not known). Known when published.lock has the very bytes
    podpub last wrote (their digest is the one kept with what they were made of): its
    entries are then left as their lines (:class:`Entries`), each read if asked for."""
    data = _read_ledger_bytes(show_dir)
    if data is None:
        return None, {}
    text = data.decode("utf-8")
    kept = _kept_made_of(run)
    if kept is not None and kept[0] == data_digest(data):
        made_before: Mapping[str, str] = kept[1]
        own = _own_ledger(text, sorted(made_before))  # mostly sorted: about a pass
        if own is not None:
            return own, made_before
    return parse_ledger(text), {}


def _kept_made_of(run: BuildContext) -> tuple[str, Mapping[str, str]] | None:
    """What the ledger last written was made of, as the run's cache kept it: (the
    digest of its bytes, key → record digest); None when nothing is kept."""
    if run.cache is None:
        return None
    stage = _made_of_stage(run)
    head = stage.entry(_MADE_OF_KEY)
    if head is None or head[1] != _MADE_OF_VERSION:
        return None
    version = _MADE_OF_VERSION
    return head[0], {key: e[1] for key, e in stage.entries.items() if e[0] == version}


def _made_of_stage(run: BuildContext) -> Any:
    """The cache's stage of what the ledger was made of, kept in one file."""
    run.cache.single_file.add(MADE_OF_STAGE)  # before it is read: a save writes a delta
    return run.cache.stage(MADE_OF_STAGE)


def _new_entries(
    new: dict[str, Entry], old: Mapping[str, Entry], same: set[str]
) -> Mapping[str, Entry]:
    """The entries of the new ledger: ``new``, and those of ``same`` as they are in
    ``old`` (their lines, when old is :class:`Entries`)."""
    if not same:
        return new
    if isinstance(old, Entries):
        return Entries(new, old.lines_of(same))
    return {**new, **{key: old[key] for key in same}}


def _field_changes(before: Entry, after: Entry) -> tuple[Change, ...]:
    found: list[Change] = []
    if before.title != after.title:
        found.append(Change("title", repr(before.title), repr(after.title)))
    if (before.length, before.duration) != (after.length, after.duration):
        found.append(
            Change(
                "audio",
                f"{before.length:,} bytes, {_clock(before.duration)}",
                f"{after.length:,} bytes, {_clock(after.duration)}",
            )
        )
    if before.date != after.date:
        found.append(Change("date", before.date, after.date))
    if before.guid != after.guid:
        found.append(Change("guid", repr(before.guid), repr(after.guid)))
    if before.enclosure != after.enclosure:
        prefix_only = same_file(before.enclosure, after.enclosure)
        found.append(Change("enclosure", before.enclosure, after.enclosure, prefix_only))
    if before.people is not None and before.people != after.people:
        found.append(Change("credits", before.people or "nobody", after.people or "nobody"))
    elif before.notes is not None and before.notes != after.notes:
        # (credits are in content:encoded too: their own change already says so)
        found.append(Change("notes", "the text published before", "new text"))
    return tuple(found)


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _guid_taken(entry: Entry, owners: dict[str, str], renamed_to: dict[str, str]) -> Problem | None:
    """A GUID that subscribers already have for another episode."""
    owner = owners.get(_norm(entry.guid))
    if owner is None or owner == entry.key or renamed_to.get(entry.key) == owner:
        return None
    return Problem(
        entry.file,
        None,
        None,
        "guid",
        f"the GUID {entry.guid!r} was published for episodes/{owner}.yaml; apps would take "
        "this episode for that one",
        "give this episode its own guid",
    )


def _guid_changed(
    show_dir: Path, before: Entry, after: Entry, site: SiteRecord, ledger: Ledger | None
) -> Problem:
    line, column = _locate_guid(show_dir, after.file)
    if ledger and ledger.show_guid and ledger.show_guid != site.show.guid and line is None:
        hint = (
            f"the show's podcast:guid changed, and this episode's GUID derives from it: pin "
            f"guid: {ledger.show_guid} in show.yaml"
        )
    else:
        hint = (
            f"keep it: write guid: {before.guid!r} in {after.file}; or, to re-issue it on "
            f"purpose, publish with --reissue-guid {after.key}"
        )
    return Problem(
        after.file,
        line,
        column,
        "guid",
        f"the GUID of this published episode changes from {before.guid!r} to {after.guid!r}: "
        "every app would download it again as a new episode",
        hint,
    )


def _locate_guid(show_dir: Path, file: str) -> tuple[int | None, int | None]:
    """Where ``guid:`` is written in a descriptor, if it is (a default GUID is written nowhere)."""
    doc = _descriptor(show_dir, file)
    mark = doc.marks.get(("guid",)) if doc is not None else None
    return (mark.line, mark.column) if mark else (None, None)


def _descriptor(show_dir: Path, file: str) -> Document | None:
    try:
        return load_file(show_dir / file, file)
    except PodpubError:
        return None


def _at_skip_reason(show_dir: Path, problem: Problem) -> Problem:
    """A published episode that is now a draft or future-dated: point at the line that
    made it so (``draft: true``, else ``date:``), where the producer undoes it."""
    doc = _descriptor(show_dir, problem.file)
    if doc is None or not isinstance(doc.data, dict):
        return problem
    key = "draft" if doc.data.get("draft") is True else "date"
    mark = doc.key_marks.get((key,))
    if mark is None:
        return problem
    return replace(problem, line=mark.line, column=mark.column, field=key)


def _removed(
    entry: Entry,
    site: SiteRecord,
    fresh: list[str],
    new: dict[str, Entry],
    allowed: bool,
    problems: list[Problem],
) -> EpisodeChange:
    skipped = entry.file in site.skipped or any(
        episode_key(name) == entry.key for name in site.skipped
    )
    why = WHY_SKIPPED if skipped else "its descriptor is gone"
    refused = ""
    if not allowed:
        hint = f"publish with --remove {entry.key} to remove it on purpose"
        if not skipped:
            hint = f"restore {entry.file}, or " + hint
            twin = next(
                (
                    new[k]
                    for k in fresh
                    if new[k].enclosure == entry.enclosure or new[k].title == entry.title
                ),
                None,
            )
            if twin is not None:
                hint += (
                    f"; if you renamed it to {twin.file}, keep its GUID there: guid: {entry.guid}"
                )
        problems.append(
            Problem(
                entry.file,
                None,
                None,
                "",
                f"published since {entry.first_published[:10]} as {entry.title!r}, but "
                f"{why}: directories would drop it from the feed",
                hint,
            )
        )
        refused = f"publish with --remove {entry.key}"
    return EpisodeChange("removed", entry.key, entry.file, entry.title, why=why, refused=refused)


def _show_guid_changed(old: str, new: str) -> Problem:
    return Problem(
        "show.yaml",
        None,
        None,
        "guid",
        f"the show's podcast:guid changes from {old} to {new} (it is computed from the feed "
        "URL when show.yaml has none)",
        f"pin it: write guid: {old} in show.yaml",
    )


def _flag_problems(
    remove: dict[str, str],
    reissue: dict[str, str],
    old: Mapping[str, Entry],
    new: Mapping[str, Entry],
) -> list[Problem]:
    """--remove and --reissue-guid must name what they allow: a typo must not pass silently."""
    problems: list[Problem] = []
    if not remove and not reissue:
        return problems
    known = sorted(set(old) | set(new))
    for key, name in sorted(remove.items()):
        if key not in old:
            problems.append(_flag_problem("--remove", name, "is not a published episode", known))
        elif key in new:
            problems.append(
                _flag_problem(
                    "--remove",
                    name,
                    "is still published; delete its descriptor or mark it draft: true first",
                    [],
                )
            )
    for key, name in sorted(reissue.items()):
        if key not in new:
            problems.append(_flag_problem("--reissue-guid", name, "is not in this publish", known))
        elif key not in old or old[key].guid == new[key].guid:
            problems.append(
                _flag_problem(
                    "--reissue-guid",
                    name,
                    "keeps its GUID; change its guid: field first, if that is really what you want",
                    [],
                )
            )
    return problems


def _flag_problem(flag: str, name: str, message: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(episode_key(name), known, n=1, cutoff=0.6)
    return Problem(
        flag, None, None, "", f"{name!r} {message}", f"did you mean {close[0]}?" if close else ""
    )


# --- writing the ledger ------------------------------------------------------------


class PendingLedger:
    """The new ledger, written beside the old one before the swap and renamed after it.

    Written first so that a full disk fails the run before the site is swapped; renamed
    after, so that a run that fails or is killed before the swap leaves the old ledger.
    """

    def __init__(self, show_dir: Path, ledger: Ledger) -> None:
        self.target = show_dir / LEDGER_FILE
        data = render_ledger(ledger)  # not held: 5 MB at 10,000 episodes, while staging
        self.digest = data_digest(data)  # what the next comparison knows it by
        self.temp: Path | None = None
        try:
            if self.target.read_bytes() == data:
                return  # unchanged: leave the file (and its time stamp) alone
        except OSError:
            pass
        _remove_stale_temps(show_dir)
        self.temp = show_dir / f"{_TEMP_PREFIX}{os.getpid()}"
        try:
            with open(self.temp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            self.discard()
            raise PodpubError(
                [_ledger_problem(None, f"cannot be written: {exc.strerror or exc}")]
            ) from None

    def commit(self) -> None:
        if self.temp is not None:
            os.replace(self.temp, self.target)
            self.temp = None

    def discard(self) -> None:
        if self.temp is not None:
            with contextlib.suppress(OSError):
                self.temp.unlink()
            self.temp = None


def _remove_stale_temps(show_dir: Path) -> None:
    """Temporary ledgers left by a killed run (their process is gone)."""
    for leftover in show_dir.glob(_TEMP_PREFIX + "*"):
        pid = leftover.name.removeprefix(_TEMP_PREFIX)
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours, from an earlier run in this process: not in use
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def guard(
    show_dir: Path, site: SiteRecord, options: Any, run: BuildContext | None = None
) -> FeedDiff:
    """compare(), raising every refused change as one PodpubError (publish stops there)."""
    diff = compare(show_dir, site, options.remove, options.reissue_guid, run)
    if diff.problems:
        raise PodpubError(list(diff.problems))
    return diff


@contextlib.contextmanager
def recording(
    show_dir: Path, diff: FeedDiff | None, run: BuildContext | None = None
) -> Iterator[None]:
    """Write the new ledger around the block: staged before it, renamed in once it
    succeeded; with a run, what it was made of is then kept for the next comparison."""
    pending = PendingLedger(show_dir, diff.ledger) if diff is not None else None
    try:
        yield
    except BaseException:
        if pending is not None:
            pending.discard()
        raise
    if pending is not None and diff is not None:
        pending.commit()
        _remember_made_of(or_no_cache(run), pending.digest, diff.made_of)


def _remember_made_of(run: BuildContext, digest: str, made_of: Mapping[str, str]) -> None:
    """Keep, for the next comparison, the digest of the ledger's bytes now on disk and
    the record digest of each of its entries (only once they are on disk: a failed run
    leaves the old file, whose digest then no longer matches)."""
    if run.cache is None or not made_of:  # nowhere to keep it, or nothing to keep
        return
    stage = _made_of_stage(run)
    stage.hold(made_of, _MADE_OF_VERSION, keep=_MADE_OF_KEY)  # only changed entries put
    entries = stage.entries
    head = entries.get(_MADE_OF_KEY)
    if head is None or head != (digest, _MADE_OF_VERSION):
        stage.put(_MADE_OF_KEY, digest, _MADE_OF_VERSION)


def describe(diff: FeedDiff, dry_run: bool) -> list[str]:
    """What the CLI prints: the diff (dry run only) and what it means for subscribers."""
    count = len(diff.ledger.episodes)
    if diff.first_publish:
        head = (
            f"No {LEDGER_FILE} yet: this is the first publish"
            if dry_run
            else f"First publish: {LEDGER_FILE} now records {_n(count, 'episode')}; "
            "commit it with the show"
        )
        lines = [head + "."]
    else:
        lines = [f"Compared with {LEDGER_FILE} (the last publish):" if dry_run else "Changes:"]
    if dry_run:
        lines += diff.lines() or ["  (no episode changes)"]
        lines.append("What subscribers will see:")
    lines += [f"  {sentence}" for sentence in diff.consequences()]
    if dry_run:
        lines.append("Dry run: nothing was written.")
    return lines
