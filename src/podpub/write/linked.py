"""Published audio that is the show's own file (a hard link): noticed when it changes.

A publish brings each episode's audio into the output without copying its data: a
copy-on-write clone where the file system makes one (output.py, :func:`reflink`), else a
hard link. A hard link is the very same file as the show's: a tool that rewrites the
audio in place (``ffmpeg -y`` over the same name truncates and rewrites the same inode;
an editor's export over the old file) changes the published copy at once, while the
feed still announces the old length until the next publish.

After each publish, the stamp (device, inode, size, modification time) of every audio
file that went out as a hard link is kept in the output's state folder
(``.podpub/outputs/<name>-<digest>/linked-media.json``). ``podpub publish`` and
``podpub check`` compare them with the files now: a linked file whose inode is the same
but whose size or time changed was rewritten in place, and the producer is told, at the
episode's ``audio:`` line, with the fix.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from itertools import compress, repeat
from operator import and_, eq, itemgetter, not_
from pathlib import Path
from typing import Any

from podpub.context import BuildContext, or_no_cache
from podpub.digests import Stamp, stamp
from podpub.errors import PodpubError, Problem
from podpub.input.load import load_file
from podpub.resolve.records import EpisodeRecord, SiteRecord
from podpub.write.output import OUTPUTS_DIR, STATE_DIR, OutputState

LINKED_FILE = "linked-media.json"


def record_linked_media(
    state: OutputState,
    site: SiteRecord,
    staged: Mapping[str, tuple[Any, Any]] | None = None,
    touched: Collection[str] | None = None,
) -> None:
    """Keep the stamp of each episode's audio that the output shares with the show.

    ``staged``: what the staging knows of each file of the site (output.Standby.files:
    rel → (identity, stamp)), taken in this run: a linked file's identity holds its
    source's stamp, so no file is looked at again (20,000 stats at 10,000 episodes).
    ``touched``: the files the staging wrote or removed (output.Staging.touched), all
    others being the standby's: when none of them is linked media and the record says
    it is the same as the one before it, the record stands as it is (see
    :func:`_record_stands`), and the episodes are not gone through.
    """
    path = state.root / LINKED_FILE
    stands = staged is not None and touched is not None
    if stands and _record_stands(path, state.target, staged, touched):  # type: ignore[arg-type]
        return
    files: dict[str, list[int]] = {}
    sources: dict[str, str] = {}
    entries = staged or {}
    for episode in site.episodes:  # 10,000 at 10,000 episodes: each field read once
        source = episode.audio_source
        if source is None:  # remote audio: nothing of the show is shared
            continue
        rel, text = episode.audio_path, str(source)
        identity, published = entries.get(rel, (("",), None))
        # linked from this source in this run: its identity holds the source's stamp
        if identity[0] == "link" and identity[1] == text and None not in (identity[2], published):
            source_stamp = identity[2]
        else:
            known = _stats(state.target / rel, source)
            if known is None:
                continue
            published, source_stamp = known
        if published[2:] == source_stamp[2:]:  # the same inode on the same device
            files[rel] = _linked_stamp(published)
            sources[rel] = text
    # each file's source too: the next run compares stamps without going through the
    # episodes (10,000 records' fields read at 10,000 episodes, for an edit of one)
    data = {
        "target": str(state.target),
        "files": files,
        "sources": sources,
        "differs": _differs(path, files, sources),
    }
    _write_note(path, data)


def standby_is_live(state: OutputState) -> None:
    """The output's standby folder was brought up to date with its live site (serve,
    while idle): the note's record of the live site is now also that of the site
    before it, so nothing differs (see :func:`_record_stands`), and the next publish,
    which stages the standby anew with a few files changed, keeps the note as it is
    instead of going through every episode (the session's first save)."""
    path = state.root / LINKED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # none, or damaged: the next publish records anew
    if not isinstance(data, dict) or data.get("differs") == []:
        return
    data["differs"] = []
    _write_note(path, data)


def _write_note(path: Path, data: dict[str, Any]) -> None:
    """Write an output's note whole (a temporary file renamed over it), its keys sorted:
    :func:`_record_stands` reads it as bytes, ``differs`` first and ``target`` last."""
    with contextlib.suppress(OSError):  # a note for later runs: never a reason to fail
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)


def _record_stands(
    path: Path, target: Path, staged: Mapping[str, tuple[Any, Any]], touched: Collection[str]
) -> bool:
    """Whether the record of the live site holds for the new one as it is.

    The new site is the standby (the site before the live one) with ``touched`` written
    or removed. When none of those is a media file linked anew, nor one the record
    names, the new site's linked media are the standby's; and those are the live
    site's when the record says nothing differed from the site before it (its
    ``differs`` is empty: see :func:`_differs`). Read as bytes, not parsed: the record
    is written with sorted keys, ``differs`` first and ``target`` last."""
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    tail = b'"target": ' + json.dumps(str(target)).encode() + b"}"
    if not raw.startswith(b'{"differs": [], ') or not raw.endswith(tail):
        return False
    for rel in touched:
        entry = staged.get(rel)
        if entry is not None and entry[0][0] == "link":
            return False  # linked in this run: its stamps may be others
        if entry is None and json.dumps(rel).encode() + b": [" in raw:
            return False  # removed, and recorded
    return True


def _differs(path: Path, files: dict[str, list[int]], sources: dict[str, str]) -> list[str]:
    """The files whose record is not the one at ``path`` (the live site's), sorted:
    every file when it cannot be read (the next run then records again)."""
    try:
        before = json.loads(path.read_text(encoding="utf-8"))
        old_files, old_sources = dict(before["files"]), dict(before["sources"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return sorted(files)
    names = files.keys() | old_files.keys()
    return sorted(
        rel
        for rel in names
        if files.get(rel) != old_files.get(rel) or sources.get(rel) != old_sources.get(rel)
    )


def changed_linked_media(
    show_dir: Path, site: SiteRecord, run: BuildContext | None = None
) -> list[Problem]:
    """A warning for each episode whose published audio, a hard link to the show's
    file, was rewritten in place since the publish that linked it (in any output of the
    show whose state is in its ``.podpub/``).

    The published copy is looked at only when the show's file no longer has the stamp
    recorded: while it has it, that very file (inode) is unchanged, so the published
    copy is either it, unchanged, or another file (no longer a link): nothing to say.
    ``run``: the show's files were stamped at its start (no stat of them again). The
    episodes are gone through only for the files that changed (the note names each
    file's source), not for each run."""
    context = or_no_cache(run)
    stamp_of = _stamps(context)
    # a source's stamp as the run took it, by its path in the show: looked up in place
    known = getattr(context.cache, "known", None) or {}
    show = os.path.join(os.path.realpath(show_dir), "")
    cut = len(show)
    episodes = _Episodes(site)
    problems: list[Problem] = []
    held = context.cache.held if context.cache is not None else {}
    for target, files, sources in _recorded(show_dir, held):
        found: list[tuple[str, Problem]] = []
        maybe = _maybe_rewritten_since(target, files, sources, known, show, context.cache)
        for rel in maybe:  # a few of 10,000
            seen = files[rel]
            source = sources.get(rel)
            now = known.get(source[cut:]) if source and source[:cut] == show else None
            if now is None and source is not None:
                now = stamp_of(source)
            if _same_as(now, seen):
                continue  # the file linked then is as it was: so is its published copy
            episode = episodes.with_audio(rel)
            if episode is None or episode.audio_source is None:
                continue
            if source is None and _same_as(stamp_of(str(episode.audio_source)), seen):
                continue  # a note of an older podpub, without the sources
            try:
                now = _stamp(os.stat(target / rel))
            except OSError:
                continue
            if now[:2] == seen[:2] and now != seen:  # the same file, other contents
                found.append((rel, _changed(show_dir, episode, target)))
        problems += [problem for _, problem in sorted(found, key=lambda pair: pair[0])]
    return problems


def _maybe_rewritten(
    files: dict[str, list[int]],
    sources: dict[str, str],
    known: Mapping[str, Stamp | None],
    show: str,
) -> list[str]:
    """The published files (of ``files``, in its order) whose show's file may have
    changed since it was linked: all but those whose source, in the show, has the very
    stamp the run took of it. Compared in C (10,000 at 10,000 episodes); the others
    are looked at one by one, as they were."""
    rels = list(files)
    texts = list(map(sources.get, rels, repeat("")))  # "": no source recorded
    in_show = map(str.startswith, texts, repeat(show))
    now = map(known.get, map(itemgetter(slice(len(show), None)), texts))
    try:
        same = map(eq, now, map(_AS_STAMP, files.values()))
        return list(compress(rels, map(not_, map(and_, in_show, same))))
    except (IndexError, TypeError):  # a damaged note: each file looked at
        return rels


def _maybe_rewritten_since(
    target: Path,
    files: dict[str, list[int]],
    sources: dict[str, str],
    known: Mapping[str, Stamp | None],
    show: str,
    cache: Any,
) -> list[str]:
    """:func:`_maybe_rewritten`; in a warm build, from its last answer for the same
    note: only the published files whose source was saved since (ShowCache.told_since)
    are compared again, not the 10,000 of every rebuild."""
    if cache is None:
        return _maybe_rewritten(files, sources, known, show)
    name = f"{_MAYBE_HELD}{target}"
    last = cache.held.get(name)
    told = None
    if last is not None and _same_note(last[0][0], last[0][1], files, sources):
        told = cache.told_since(last[0][2])
    if told is None:
        maybe, by_source = _maybe_rewritten(files, sources, known, show), None
    else:
        maybe, by_source = last[1]
        if told:
            if by_source is None:
                by_source = _published_by_source(sources, show)
            again = {rel for source in told for rel in by_source.get(source, ())}
            if again:
                compared = {rel: files[rel] for rel in again if rel in files}
                maybe = [rel for rel in maybe if rel not in again]
                maybe += _maybe_rewritten(compared, sources, known, show)
    cache.held[name] = ((files, sources, known), (maybe, by_source))
    return maybe


def _same_note(
    files_then: dict[str, list[int]],
    sources_then: dict[str, str],
    files: dict[str, list[int]],
    sources: dict[str, str],
) -> bool:
    """Whether a note read again holds what it held (the same tables; or equal ones,
    compared in C: the note is written anew when serve prepares its standby)."""
    if files_then is files and sources_then is sources:
        return True
    return files_then == files and sources_then == sources


def _published_by_source(sources: dict[str, str], show: str) -> dict[str, list[str]]:
    """The published files of a note by their source's path in the show."""
    cut = len(show)
    found: dict[str, list[str]] = {}
    for rel, source in sources.items():
        if source[:cut] == show:
            found.setdefault(source[cut:], []).append(rel)
    return found


# _maybe_rewritten_since's last answer for an output's note, in the show cache's ``held``
_MAYBE_HELD = "linked-media-maybe:"


# a stamp as this file records it ([device, inode, size, mtime]) in digests.stamp's form
_AS_STAMP = itemgetter(2, 3, 1, 0)


def _stamps(run: BuildContext) -> Callable[[str], Stamp | None]:
    """How to stamp a show's file: from the stamps the run's cache took at its start,
    else now (a run without a cache took none)."""
    return stamp if run.cache is None else run.cache.stamp


class _Episodes:
    """The site's episodes by their published audio's path, indexed on first use."""

    def __init__(self, site: SiteRecord) -> None:
        self.site = site
        self._by_audio: dict[str, EpisodeRecord] | None = None

    def with_audio(self, rel: str) -> EpisodeRecord | None:
        if self._by_audio is None:
            self._by_audio = {
                e.audio_path: e for e in self.site.episodes if e.audio_source is not None
            }
        return self._by_audio.get(rel)


def _recorded(
    show_dir: Path, held: dict[str, tuple[Any, Any]]
) -> Iterator[tuple[Path, dict[str, list[int]], dict[str, str]]]:
    """Each output's note of the media it linked: its folder, each file's stamp and
    source. A note whose stamp is the one ``held`` (the show cache's, which a warm
    build keeps across its rebuilds) has it with is not parsed again (serve's warm
    rebuild: a 1 MB file at 10,000 episodes, rewritten by a publish only when a link
    changed). The tables given are not to be changed."""
    for path in sorted((show_dir / STATE_DIR / OUTPUTS_DIR).glob(f"*/{LINKED_FILE}")):
        seen = stamp(path)
        name = f"{_NOTE_HELD}{path.parent.name}"
        known = held.get(name)
        if known is not None and seen is not None and known[0] == seen:
            yield known[1]
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            target, files = Path(data["target"]), dict(data["files"])
            sources = dict(data.get("sources", {}))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a damaged note: nothing to compare with
        if seen is not None:  # stamped before reading: a write after it is read next time
            held[name] = (seen, (target, files, sources))
        yield target, files, sources


# an output's note, in the show cache's ``held``, with the stamp it had when read
_NOTE_HELD = "linked-media:"


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _of(st: os.stat_result) -> Stamp:
    """A stat in the form of :func:`podpub.digests.stamp`: (size, mtime, inode, device)."""
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _linked_stamp(found: Stamp) -> list[int]:
    """A stamp of :func:`podpub.digests.stamp`'s form as this file records it."""
    size, mtime, inode, device = found
    return [device, inode, size, mtime]


def _same_as(found: Stamp | None, seen: list[int]) -> bool:
    return found is not None and _linked_stamp(found) == seen


def _stats(published: Path, source: Path) -> tuple[Stamp, Stamp] | None:
    """The stamps of a published file and of the show's file, looked at now."""
    try:
        return _of(os.stat(published)), _of(os.stat(source))
    except OSError:
        return None


def _changed(show_dir: Path, episode: EpisodeRecord, target: Path) -> Problem:
    line, column = _audio_line(show_dir, episode.source)
    return Problem(
        episode.source,
        line,
        column,
        "audio",
        f"{episode.audio_path} changed in place since the last publish, and the copy "
        f"published in {target} is the same file (a hard link): listeners have been "
        "downloading the new audio while the feed announces the old length",
        "publish to announce the new audio; next time, write the "
        "new audio under another name and rename it over the old one (mv new.mp3 old.mp3): "
        "the published copy then stays as it was until you publish",
        level="warning",
    )


def _audio_line(show_dir: Path, file: str) -> tuple[int | None, int | None]:
    try:
        doc = load_file(show_dir / file, file)
    except PodpubError:
        return None, None
    mark = doc.marks.get(("audio",))
    return (mark.line, mark.column) if mark else (None, None)
