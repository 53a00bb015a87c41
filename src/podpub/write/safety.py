"""What stands between a staged site and the producer's output folder.

* :func:`refuse_inputs_inside` — the swap replaces the whole output folder, so no file
  the show is made of (descriptors, audio, cover, transcripts, templates) may live in it.
* :func:`carry_over` — the files a producer keeps in the output folder that podpub does
  not write (``CNAME``, ``.well-known/`` …) are brought into each new site.
* :func:`verify_staged` — the staged site is read back from disk and checked strictly
  before the swap: the feed is the bytes that were built, parses as XML without
  recovery, every item has a unique GUID, a complete enclosure and an RFC 2822 date;
  every page, chapters file and media file is there, media at their exact size.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
from collections.abc import Collection, Container, Iterable, Iterator, Mapping
from functools import partial
from itertools import compress, count, repeat
from operator import attrgetter, is_, itemgetter, ne
from pathlib import Path
from typing import Any

from podpub.context import BuildContext
from podpub.digests import data_digest, stamp
from podpub.errors import PodpubError, Problem
from podpub.feed.readback import (
    INCOMPLETE,
    NOT_A_LENGTH,
    ReadBack,
    read_back,
)
from podpub.resolve.records import SiteRecord

#: Names a producer keeps in the output folder for their host, carried over by default:
#: GitHub Pages' custom domain and Jekyll switch, domain verification and security.txt,
#: Netlify / Cloudflare Pages headers and redirects, Apache's per-folder settings.
DEFAULT_KEEP = ("CNAME", ".nojekyll", ".well-known", "_headers", "_redirects", ".htaccess")

FEED_FILE = "feed.xml"


# --- before anything is written -------------------------------------------------------


def refuse_inputs_inside(
    out: Path, show_dir: Path, site: SiteRecord, run: BuildContext | None = None
) -> None:
    """Refuse an output folder that holds files the show is made of: the swap would delete them.

    ``run``: the build context; a warm build's (build/rebuild.py) keeps the last
    rebuild's verdict in its cache's ``held`` (:class:`_WarmInputs`) and looks again
    only at the episodes whose records changed since: the others' files are where they
    were, checked then."""
    folder = out.resolve()
    target = os.path.join(str(folder), "")  # "<output>/": what lies inside it
    warm = _WarmInputs.of(run, target, show_dir, site)
    if warm is not None and warm.clean_as_last():
        return
    inside = list(itertools.islice(_inputs_inside(target, show_dir, site), 5))
    if not inside and warm is not None:
        warm.keep()
    if inside:
        raise PodpubError(
            [
                Problem(
                    "",
                    None,
                    None,
                    "",
                    f"refusing to publish into {folder}: it holds {what} "
                    f"({path}), and each publish replaces the whole folder",
                    "keep the show's files outside the output folder, or choose another "
                    "one with --out",
                )
                for what, path in inside
            ]
        )


def _inputs_inside(target: str, show_dir: Path, site: SiteRecord) -> Iterator[tuple[str, str]]:
    """The files of the show (what, path) that lie under ``target`` ("<folder>/"), in
    the order the refusal lists them: each path is a string compared with it (and put
    in words only when it is inside), 30,000 of them at 10,000 episodes.

    Media paths were resolved when they were checked (paths.media_path): compared as
    they are. A descriptor is resolved only if it, or its folder, is a link: a show of
    10,000 episodes would otherwise resolve 20,000 paths component by component."""

    def within(path: str) -> bool:
        return (path if path.endswith(os.sep) else path + os.sep).startswith(target)

    cover = str(site.show.image_source)
    if within(cover):
        yield "cover", cover
    for episode in site.episodes if _media_may_be_inside(target, show_dir) else ():
        yield from _media_inside(target, episode)
    descriptors = [e.source for e in site.episodes] + list(site.skipped)
    folders = {rel.rpartition("/")[0] for rel in descriptors}
    real = {folder: os.path.realpath(show_dir / folder) for folder in folders}
    links = _links_in(show_dir, folders)
    if not _descriptors_may_be_inside(target, real, links):
        descriptors = []  # no folder of them in the output, nor it in one: none inside
    for rel in descriptors:
        if rel in links:
            path = os.path.realpath(os.path.join(show_dir, rel))
        else:
            head, _, name = rel.rpartition("/")
            path = os.path.join(real[head], name)
        if within(path):
            yield rel, path
    templates = os.path.realpath(show_dir / "templates")
    if within(templates):
        yield "templates", templates


def _within(path: str, target: str) -> bool:
    """Whether ``path`` is ``target`` ("<folder>/") or lies under it."""
    return (path if path.endswith(os.sep) else path + os.sep).startswith(target)


def _media_inside(target: str, episode: Any) -> Iterator[tuple[str, str]]:
    """The media files of ``episode`` (what, path) that lie under ``target``.

    The sources are read as the record holds them (``source_of``): a lent record's
    text, no Path made for each of 10,000 audio files and artworks only to be put back
    into text here."""
    from podpub.build.kept import source_of

    audio = source_of(episode, "audio_source")
    if audio is not None and _within(text := str(audio), target):  # None: remote audio
        yield f"{episode.source}: audio", text
    for transcript in episode.transcripts:
        if _within(text := str(transcript.source), target):
            yield f"{episode.source}: transcript", text
    image = source_of(episode, "image_source")
    if image is not None and _within(text := str(image), target):
        yield f"{episode.source}: image", text


def _descriptors_may_be_inside(target: str, real: Mapping[str, str], links: set[str]) -> bool:
    """Whether a descriptor can lie under ``target``: one is a link, or a folder of
    them (``real``: each resolved) is in the output, or the output in it."""
    return bool(links) or any(_may_hold(path, target) for path in real.values())


def _may_hold(folder: str, target: str) -> bool:
    """Whether a file (not a link) of ``folder`` can lie under ``target`` ("<folder>/"):
    the folder is inside it, or it inside the folder (an output named like a file of
    it). Else its 10,000 descriptors are not gone through one by one."""
    folder = os.path.join(folder, "")
    return folder.startswith(target) or target.startswith(folder)


def _media_may_be_inside(target: str, show_dir: Path) -> bool:
    """Whether a media file of the show can lie under ``target`` ("<folder>/"): every
    one resolves inside the show folder (input/paths.media_path refuses the others), so
    not when the output and the show are apart (``--out`` elsewhere): the episodes'
    audio, transcripts and images are then not gone through (10,000 of each)."""
    show = os.path.join(os.path.realpath(show_dir), "")
    return target.startswith(show) or show.startswith(target)


def _links_in(show_dir: Path, folders: Iterable[str]) -> set[str]:
    """The symbolic links in the descriptors' folders (paths relative to the show):
    one listing of each folder, whose entries say what they are, instead of a look at
    each descriptor (10,000 of them in a big show)."""
    links: set[str] = set()
    for folder in folders:
        try:
            with os.scandir(os.path.join(show_dir, folder)) as entries:
                links.update(os.path.join(folder, e.name) for e in entries if e.is_symlink())
        except OSError:
            continue  # no folder to list: its descriptors are looked at as they are
    return links


class _WarmInputs:
    """:func:`refuse_inputs_inside` in a warm build (build/rebuild.py): the last
    rebuild's verdict "no file of the show lies in the output", kept in the cache's
    ``held`` (which lives as long as the warm build) with what it was found of, and a
    rebuild that finds the same looks again only at what its edit reached.

    The verdict depends on the output and show folders, on each episode's media paths
    and descriptor (its record: the digest of the record stands for them), on the
    descriptors' folders (resolved again each time: a few) and the links in them (one
    listing of each, 10,000 entries, kept while the folder's stamp is the same: a link
    put in or a file renamed changes it). The cover and the templates folder are
    looked at each time (two paths).

    A warm build's first run keeps the verdict's inputs, and its rebuilds use them. A
    command-line run keeps a mark only (the next run of the same process, if any,
    keeps the inputs): a publish pays nothing for a rebuild that will not come."""

    def __init__(
        self, held: dict[str, Any], base: tuple[Any, ...], run: BuildContext, site: SiteRecord
    ) -> None:
        self.held, self.base, self.run, self.site = held, base, run, site
        self._digests: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls, run: BuildContext | None, target: str, show_dir: Path, site: SiteRecord
    ) -> _WarmInputs | None:
        cache = run.cache if run is not None else None
        if run is None or cache is None:
            return None
        show = os.path.realpath(show_dir)
        return cls(cache.held, (target, str(show_dir), show, site.skipped), run, site)

    def clean_as_last(self) -> bool:
        """Whether no file of the show lies in the output, proved by the last verdict
        and a look at the episodes whose records changed since; False: not proved (then
        every file is looked at)."""
        known = self.held.get(_INPUTS_HELD)
        if known is None or known[0] != self.base or not known[1]:
            return False  # none kept, a mark, or nothing to keep (see keep)
        _base, last, folders, stamps, links = known
        target, show_dir, _show, _skipped = self.base
        digests = self.digests()
        if len(digests) != len(last):
            return False
        episodes = self.site.episodes
        changed = [episodes[place] for place in compress(count(), map(ne, digests, last))]
        if any(e.source.rpartition("/")[0] not in folders for e in changed):
            return False  # a descriptor in another folder: its links not listed
        if _folder_stamps(show_dir, folders) != stamps:
            return False  # a folder's entries changed: links may have come or gone
        real = {folder: os.path.realpath(os.path.join(show_dir, folder)) for folder in folders}
        if _descriptors_may_be_inside(target, real, links):
            return False  # the descriptors are looked at one by one: every one
        cover = str(self.site.show.image_source)
        templates = os.path.realpath(os.path.join(show_dir, "templates"))
        if _within(cover, target) or _within(templates, target):
            return False
        media = _media_may_be_inside(target, Path(show_dir))
        if media and any(next(_media_inside(target, e), None) for e in changed):
            return False
        self.held[_INPUTS_HELD] = (self.base, tuple(digests), folders, stamps, links)
        return True

    def keep(self) -> None:
        """Keep the clean verdict just found by looking at every file: a mark the first
        time, the inputs it was found of the next (see the class)."""
        known = self.held.get(_INPUTS_HELD)
        if known is None or known[0] != self.base:
            if not self.run.warm:  # a command-line run: maybe no run after it
                self.held[_INPUTS_HELD] = (self.base, None, None, None, None)
                return
        elif known[1] is False:
            return  # every descriptor is looked at each time: nothing to keep
        target, show_dir = self.base[:2]
        sources = map(attrgetter("source"), self.site.episodes)
        folders = frozenset(rel.rpartition("/")[0] for rel in (*sources, *self.site.skipped))
        stamps = _folder_stamps(show_dir, folders)  # before the listing: a change after counts
        links = _links_in(Path(show_dir), folders)
        real = {folder: os.path.realpath(os.path.join(show_dir, folder)) for folder in folders}
        if _descriptors_may_be_inside(target, real, links):
            # links among the descriptors, or their folder and the output in one another:
            # each is looked at (as before), and nothing kept to compare the next run with
            self.held[_INPUTS_HELD] = (self.base, False, None, None, None)
            return
        self.held[_INPUTS_HELD] = (self.base, self.digests(), folders, stamps, links)

    def digests(self) -> tuple[str, ...]:
        if self._digests is None:
            self._digests = self.run.digests_in_order(self.site.episodes)
        return self._digests


_INPUTS_HELD = "inputs-inside"  # _WarmInputs's verdict, in the show cache's ``held``


def _folder_stamps(show_dir: str, folders: Iterable[str]) -> dict[str, Any]:
    """Each folder's stamp (its entries' changes change it)."""
    return {folder: stamp(os.path.join(show_dir, folder)) for folder in folders}


# --- files the producer keeps in the output ---------------------------------------------


def carry_over(
    old: Path, staging: Path, extra: Iterable[str] = (), own: Container[str] | None = None
) -> list[str]:
    """Bring the producer's own files from the current output into the staged one.

    Only the names of :data:`DEFAULT_KEEP` and of show.yaml's ``keep:``; a path podpub
    itself wrote wins over the old copy. Hard links where the file system allows (the
    old output is deleted after the swap), copies otherwise; links are kept as links.
    ``own``: the files podpub staged, when the staging folder started as the standby
    site (output.py): anything else there under a kept name is an older copy, replaced.
    """
    if not old.is_dir():
        return []
    kept: list[str] = []
    for name in dict.fromkeys([*DEFAULT_KEEP, *extra]):
        rel = name.strip("/")
        source, dest = old / rel, staging / rel
        if not rel or not os.path.lexists(source):
            continue
        if os.path.lexists(dest) and (own is None or rel in own):
            continue
        if not source.resolve().is_relative_to(old.resolve()) and not source.is_symlink():
            continue  # a name that climbs out of the output through a parent link
        try:
            if os.path.lexists(dest):  # the standby's older copy (see ``own``)
                _remove(dest)
            dest.parent.mkdir(parents=True, exist_ok=True)
            _copy(source, dest)
        except OSError as exc:
            raise PodpubError(
                f"cannot carry {rel} over into the new site: {exc.strerror or exc}; "
                "the previous site is untouched"
            ) from None
        kept.append(rel)
    return kept


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _copy(source: Path, dest: Path) -> None:
    mode = os.lstat(source).st_mode
    if stat.S_ISLNK(mode):
        os.symlink(os.readlink(source), dest)
    elif stat.S_ISDIR(mode):
        shutil.copytree(source, dest, symlinks=True, copy_function=_link_or_copy)
    elif stat.S_ISREG(mode):
        _link_or_copy(source, dest)


def _link_or_copy(source: str | Path, dest: str | Path) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


# --- after everything is staged, before the swap -----------------------------------------


def verify_staged(
    folder: Path,
    site: SiteRecord,
    feed: bytes,
    written: Collection[str] | None = None,
    stamps: Mapping[str, Any] | None = None,
    run: BuildContext | None = None,
    readings: Mapping[str, ReadBack] | None = None,
    entries: Mapping[str, tuple[Any, Any]] | None = None,
    differs_at: Collection[str] | None = None,
) -> None:
    """Read the staged site back from disk; raise PodpubError if it is not what was built.

    ``written``: the files written in this run, when the others were kept as they were
    from the standby site (output.py): those were read back when they were written and
    still have the stamp they had then, so only their presence and size are checked.
    ``stamps``: each staged file's stamp (size first), taken by the staging as it wrote
    or kept the file, for those checks (a site of 10,000 episodes has 30,000 files).
    ``run``: the build context whose workers share the reading. ``readings``: what
    reading the built feed pages back found, by their bytes' digest (publish.py): a
    page on disk with those bytes is not parsed again (feed/readback.py). ``entries``:
    the staging's manifest (rel → (identity, stamp)), whose stamps stand for
    ``stamps`` (not copied into a table of their own: 40,000 files at 10,000 episodes).
    ``differs_at``: the only paths at which the staged site may differ from the one
    staged last in this process (output.py's ``Staging.differs_at``; None: any).
    """

    def fresh(rel: str) -> bool:
        return written is None or rel in written

    problems: list[str] = []
    on_disk = _read(folder / FEED_FILE, problems)
    if on_disk is not None and on_disk != feed:
        problems.append(f"{FEED_FILE} on disk is not the feed that was built")
    # 50 pages of 200 items in a paged feed of 10,000 episodes: over the workers
    pages = [path for path in sorted(folder.glob("*.xml")) if fresh(path.name)]
    read_one = partial(_read_feed, readings=readings or {})
    read = run.map(read_one, pages, min_items=1) if run else map(read_one, pages)
    guids: set[str] = set()
    for path, (found, items) in zip(pages, read, strict=True):
        problems += found
        for number, guid in enumerate(items, 1):  # across pages: each GUID once
            where = f"{path.name}: item {number}"
            if not guid:
                problems.append(f"{where} has no guid")
            elif guid in guids:
                problems.append(f"{where} repeats the guid {guid!r}")
            guids.add(guid)
    problems += _expected_problems(folder, site, stamps or {}, entries, run, differs_at)
    if written is None:
        json_files = sorted(folder.rglob("*.json"))
    else:
        json_files = [folder / rel for rel in sorted(written) if rel.endswith(".json")]
    # 10,000 chapters files in a new site: read by the workers
    json_read = run.map(_json_problems, json_files) if run else map(_json_problems, json_files)
    for path, (unread, valid) in zip(json_files, json_read, strict=True):
        problems += unread
        if not valid:
            problems.append(f"{path.relative_to(folder)} is not valid JSON")
    if problems:
        raise PodpubError(
            [
                Problem(
                    "", None, None, "", f"internal check of the new site: {text}", "please report"
                )
                for text in problems[:20]
            ]
        )


def _expected_problems(
    folder: Path,
    site: SiteRecord,
    stamps: Mapping[str, Any],
    entries: Mapping[str, tuple[Any, Any]] | None = None,
    run: BuildContext | None = None,
    differs_at: Collection[str] | None = None,
) -> list[str]:
    """Each file the site must have (every page, chapters file and media file) there,
    not empty, a media file at its exact size; from the stamp the staging took of it in
    this run (right after writing or checking it; ``entries``: the staging's entries,
    each holding its stamp second), else looked at now. One loop over 30,000 files at
    10,000 episodes: no call for a file as expected. In a warm build (``run``'s cache
    keeps its values between rebuilds) the last rebuild's verdict stands for the files
    whose expectation and stamp are the ones it checked (:class:`_WarmExpected`)."""
    warm = _WarmExpected.of(run, site, stamps, entries, differs_at)
    if warm is not None and warm.clean_as_last(folder):
        return []
    problems = _every_expected_problem(folder, site, stamps, entries)
    if not problems and warm is not None:
        warm.keep()
    return problems


def _every_expected_problem(
    folder: Path,
    site: SiteRecord,
    stamps: Mapping[str, Any],
    entries: Mapping[str, tuple[Any, Any]] | None = None,
) -> list[str]:
    """:func:`_expected_problems`, every file looked at."""
    from podpub.build.kept import source_of  # a lent record's text: no Path made

    # each file the site must have, and its size where it is known (the audio's)
    expected: dict[str, int | None] = {"index.html": None, site.show.image_path: None}
    local = site.show.media_url is None  # else media_url serves the audio
    for episode in site.episodes:
        expected[episode.page_path] = None
        if local and source_of(episode, "audio_source") is not None:  # remote stays hosted
            expected[episode.audio_path] = episode.audio.size
        if episode.chapters_path:
            expected[episode.chapters_path] = None
    problems: list[str] = []
    for rel, size in expected.items():
        if entries is None:
            seen = stamps.get(rel)
        else:
            entry = entries.get(rel)
            seen = entry[1] if entry is not None else stamps.get(rel)
        if seen is None:
            problems += _file_problems(folder, rel, size)
        elif seen[0] != size if size is not None else seen[0] == 0:
            problems += _size_problems(rel, seen[0], size)
    return problems


def _episode_expected(episode: Any, local: bool) -> tuple[list[str], list[int | None]]:
    """The files an episode puts in the site and their sizes (None: any but empty), in
    :func:`_every_expected_problem`'s order."""
    from podpub.build.kept import source_of

    rels: list[str] = [episode.page_path]
    sizes: list[int | None] = [None]
    if local and source_of(episode, "audio_source") is not None:
        rels.append(episode.audio_path)
        sizes.append(episode.audio.size)
    if episode.chapters_path:
        rels.append(episode.chapters_path)
        sizes.append(None)
    return rels, sizes


class _WarmExpected:
    """:func:`_expected_problems` in a warm build: the last rebuild's clean verdict, in
    the cache's ``held``, with what it was found of: each episode's record digest, the
    files expected (in order, each episode's from its start) with their sizes, and the
    stamp of each as staged. A rebuild with the same count of episodes makes again the
    expected files of the episodes whose records changed, and checks those and every
    file whose staged stamp differs from the one checked (compared in C): a file kept
    from the standby has the stamp it had. A command-line run keeps a mark only (see
    :class:`_WarmInputs`)."""

    def __init__(
        self,
        held: dict[str, Any],
        run: BuildContext,
        site: SiteRecord,
        entries: Mapping[str, tuple[Any, Any]],
        differs_at: Collection[str] | None = None,
    ) -> None:
        self.held, self.run, self.site, self.entries = held, run, site, entries
        self.differs_at = differs_at
        self.local = site.show.media_url is None
        self.base = (site.show.image_path, self.local)
        self.head = ("index.html", site.show.image_path)  # checked each time

    @classmethod
    def of(
        cls,
        run: BuildContext | None,
        site: SiteRecord,
        stamps: Mapping[str, Any],
        entries: Mapping[str, tuple[Any, Any]] | None,
        differs_at: Collection[str] | None = None,
    ) -> _WarmExpected | None:
        cache = run.cache if run is not None else None
        if run is None or cache is None or entries is None or stamps:
            return None
        return cls(cache.held, run, site, entries, differs_at)

    def clean_as_last(self, folder: Path) -> bool:
        """Whether every expected file is there as expected, proved by the last verdict
        and a look at what changed since; False: not proved (every file is looked at)."""
        known = self.held.get(_EXPECTED_HELD)
        if known is None or known[0] != self.base or not known[1]:
            return False  # none kept, a mark, or nothing to keep (see keep)
        _base, last, rels, sizes, starts, seen_last = known
        digests = self.run.digests_in_order(self.site.episodes)
        if len(digests) != len(last):
            return False
        places = list(compress(count(), map(ne, digests, last)))
        look: list[int] = []
        renamed = False
        if places:
            sizes = list(sizes)
            for place in places:
                start, stop = starts[place], starts[place + 1]
                new_rels, new_sizes = _episode_expected(self.site.episodes[place], self.local)
                if len(new_rels) != stop - start:
                    return False  # a file more or fewer: every place moves
                if new_rels != rels[start:stop]:
                    # the list of the last verdict copied only then: kept, it is the
                    # key of its places (_where)
                    rels = rels if renamed else list(rels)
                    rels[start:stop] = new_rels
                    renamed = True
                sizes[start:stop] = new_sizes
                look += range(start, stop)
            if renamed and not _unique(rels, self.head):
                return False  # a file expected twice: the full check says which size
        if self.differs_at is not None and not renamed:
            seen, again = self._seen_since(rels, seen_last, look)
            look += [place for place in again if seen[place] != seen_last[place]]
        else:
            seen = self._seen(rels)
            look += compress(count(), map(ne, seen, seen_last))
        if None in seen:  # not staged in this run: looked at on disk, each time
            look += compress(count(), map(is_, seen, repeat(None)))
        for place in look:
            if _rel_problems(folder, rels[place], sizes[place], seen[place]):
                return False
        for rel, (size, seen_now) in zip(self.head, self._head(), strict=True):
            if _rel_problems(folder, rel, size, seen_now):
                return False
        self.held[_EXPECTED_HELD] = (self.base, tuple(digests), rels, sizes, starts, seen)
        return True

    def keep(self) -> None:
        """Keep the clean verdict just found by looking at every file."""
        known = self.held.get(_EXPECTED_HELD)
        if known is None or known[0] != self.base:
            if not self.run.warm:  # a command-line run: maybe no run after it
                self.held[_EXPECTED_HELD] = (self.base, None, None, None, None, None)
                return
        elif known[1] is False:
            return  # a file expected twice (see below): nothing kept
        rels: list[str] = []
        sizes: list[int | None] = []
        starts = [0]
        for episode in self.site.episodes:
            more, their_sizes = _episode_expected(episode, self.local)
            rels += more
            sizes += their_sizes
            starts.append(len(rels))
        if not _unique(rels, self.head):  # the full check each time: which size counts
            self.held[_EXPECTED_HELD] = (self.base, False, None, None, None, None)
            return
        digests = self.run.digests_in_order(self.site.episodes)
        state = (self.base, digests, rels, sizes, starts, self._seen(rels))
        self.held[_EXPECTED_HELD] = state
        if self.run.warm:  # the places the next rebuild looks up (_seen_since): made now
            self._where(rels)

    def _seen(self, rels: list[str]) -> list[Any]:
        """The stamp each of ``rels`` was staged with (None: not staged), in C."""
        return list(map(_STAMP_OF, map(self.entries.get, rels, repeat(_NO_ENTRY))))

    def _seen_since(
        self, rels: list[str], seen_last: list[Any], look: list[int]
    ) -> tuple[list[Any], list[int]]:
        """:meth:`_seen` when the staging says where it may differ from the site staged
        last (``differs_at``), the one whose stamps are ``seen_last``: those stamps but
        at those paths and at the places ``look`` (the changed episodes' files), not
        30,000 lookups; and the places looked up again (the only ones that may differ
        from ``seen_last``). ``rels`` are the last rebuild's paths (none renamed)."""
        seen = list(seen_last)
        entries = self.entries
        where = self._where(rels)
        again = [place for place in map(where.get, self.differs_at or ()) if place is not None]
        again += look
        for place in again:
            seen[place] = entries.get(rels[place], _NO_ENTRY)[1]
        return seen, again

    def _where(self, rels: list[str]) -> dict[str, int]:
        """Each of ``rels``'s place, kept with that very list (made again when it is
        another: a rebuild that renamed a file)."""
        kept = self.held.get(_WHERE_HELD)
        if kept is not None and kept[0] is rels:
            return kept[1]
        where = {rel: place for place, rel in enumerate(rels)}
        self.held[_WHERE_HELD] = (rels, where)
        return where

    def _head(self) -> list[tuple[int | None, Any]]:
        return [(None, self.entries.get(rel, _NO_ENTRY)[1]) for rel in self.head]


_EXPECTED_HELD = "expected-files"  # _WarmExpected's verdict, in the show cache's ``held``
_WHERE_HELD = "expected-places"  # _WarmExpected._where: each expected path's place
_NO_ENTRY: tuple[Any, Any] = (None, None)  # a file the staging has no entry for
_STAMP_OF = itemgetter(1)  # an entry's stamp


def _unique(rels: list[str], head: tuple[str, ...]) -> bool:
    """Whether no path is twice in ``head`` and ``rels`` together."""
    together = set(rels)
    return len(together) == len(rels) and together.isdisjoint(head) and len(set(head)) == 2


def _rel_problems(folder: Path, rel: str, size: int | None, seen: Any) -> list[str]:
    """One expected file's problems, from the stamp it was staged with (None: on disk)."""
    if seen is None:
        return _file_problems(folder, rel, size)
    if seen[0] != size if size is not None else seen[0] == 0:
        return _size_problems(rel, seen[0], size)
    return []


def _json_problems(path: Path) -> tuple[list[str], bool]:
    """A file of the staged site read back as JSON: why it could not be read, and
    whether it is valid JSON."""
    problems: list[str] = []
    data = _read(path, problems)
    try:
        json.loads(data or b"")
    except ValueError:
        return problems, False
    return problems, True


def _read(path: Path, problems: list[str]) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(f"cannot read {path.name} back: {exc.strerror or exc}")
        return None


def _file_problems(folder: Path, rel: str, size: int | None) -> list[str]:
    try:
        st = os.stat(folder / rel)
    except OSError:
        return [f"{rel} is missing"]
    if not stat.S_ISREG(st.st_mode):
        return [f"{rel} is not a file"]
    return _size_problems(rel, st.st_size, size)


def _size_problems(rel: str, actual: int, size: int | None) -> list[str]:
    if size is not None and actual != size:
        return [f"{rel} has {actual} bytes, the feed says {size}"]
    if size is None and actual == 0:
        return [f"{rel} is empty"]
    return []


def _read_feed(path: Path, readings: Mapping[str, ReadBack]) -> tuple[list[str], list[str]]:
    """A feed file of the staged site read back (:func:`_feed_problems`): its problems
    but duplicate GUIDs, and the GUID of each item (compared across the pages). Bytes
    already read back before staging (``readings``) are not parsed again."""
    problems: list[str] = []
    data = _read(path, problems)
    if data is None:
        return problems, []
    reading = readings.get(data_digest(data))
    if reading is None:
        reading = read_back(data)
    return problems + _feed_problems(path.name, reading), reading.guids


def _feed_problems(name: str, reading: ReadBack) -> list[str]:
    """What a feed needs as a strict XML parser reads it: items with a complete
    enclosure and an RFC 2822 pubDate, RFC 2822 channel dates."""
    if reading.error is not None:
        return [f"{name} does not parse as XML ({reading.error})"]
    if not reading.rss:
        return [f"{name} is not an RSS document"] if name == FEED_FILE else []  # sitemap …
    problems = [
        f"{name}: channel {tag} {text!r} is not an RFC 2822 date"
        for tag, text in reading.bad_channel_dates
    ]
    for number, item in enumerate(reading.items, 1):
        where = f"{name}: item {number}"
        if item.enclosure == INCOMPLETE:
            problems.append(f"{where} has an incomplete enclosure")
        elif item.enclosure == NOT_A_LENGTH:
            problems.append(f"{where} has an enclosure length that is not a byte count")
        if not item.date_ok:
            problems.append(f"{where} has no RFC 2822 pubDate ({item.date!r})")
    return problems
