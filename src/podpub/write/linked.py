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
from collections.abc import Iterator
from pathlib import Path

from podpub.errors import PodpubError, Problem
from podpub.input.load import load_file
from podpub.resolve.records import EpisodeRecord, SiteRecord
from podpub.write.output import OUTPUTS_DIR, STATE_DIR, OutputState

LINKED_FILE = "linked-media.json"


def record_linked_media(state: OutputState, site: SiteRecord) -> None:
    """Keep the stamp of each episode's audio that the output shares with the show."""
    files: dict[str, list[int]] = {}
    for episode in site.episodes:
        if episode.audio_source is None:  # remote audio: nothing of the show is shared
            continue
        published = state.target / episode.audio_path
        try:
            st, source = os.stat(published), os.stat(episode.audio_source)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (source.st_dev, source.st_ino):
            files[episode.audio_path] = _stamp(st)
    data = {"target": str(state.target), "files": files}
    path = state.root / LINKED_FILE
    with contextlib.suppress(OSError):  # a note for later runs: never a reason to fail
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)


def changed_linked_media(show_dir: Path, site: SiteRecord) -> list[Problem]:
    """A warning for each episode whose published audio, a hard link to the show's
    file, was rewritten in place since the publish that linked it (in any output of the
    show whose state is in its ``.podpub/``)."""
    by_audio = {e.audio_path: e for e in site.episodes if e.audio_source is not None}
    problems: list[Problem] = []
    for target, files in _recorded(show_dir):
        for rel, seen in sorted(files.items()):
            episode = by_audio.get(rel)
            if episode is None:
                continue
            try:
                now = _stamp(os.stat(target / rel))
            except OSError:
                continue
            if now[:2] == seen[:2] and now != seen:  # the same file, other contents
                problems.append(_changed(show_dir, episode, target))
    return problems


def _recorded(show_dir: Path) -> Iterator[tuple[Path, dict[str, list[int]]]]:
    for path in sorted((show_dir / STATE_DIR / OUTPUTS_DIR).glob(f"*/{LINKED_FILE}")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            target, files = Path(data["target"]), dict(data["files"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged note: nothing to compare with
        yield target, files


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


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
