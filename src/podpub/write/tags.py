"""``podpub tag``: the records of the show written into its audio files, and the check's
warnings for files whose tags disagree with their descriptor.

The files and their containers are ``media/tag.py``'s (the only mutagen writer); this
module says what each episode's file should say, from its record (hence from the
descriptors), and points every problem at the descriptor's ``audio:`` line.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from podpub.errors import PodpubError, Problem
from podpub.input.load import load_file
from podpub.media.tag import (
    FIELD_NAMES,
    TAG_ERRORS,
    Container,
    Cover,
    Wanted,
    container_of,
    differences,
    read_cover,
    retag,
)
from podpub.resolve.chapters import spans
from podpub.resolve.records import EpisodeRecord, ShowRecord, SiteRecord

__all__ = ["FIELD_NAMES", "TagResult", "TagRun", "select_episodes", "stale_tags", "tag_episodes"]


def wanted_tags(episode: EpisodeRecord, show: ShowRecord, cover: Cover | None) -> Wanted:
    """What ``episode``'s file should say, from the records (hence from the descriptors)."""
    published = episode.published
    credit_text = "; ".join(
        f"{group.role.label}: {', '.join(person.name for person in group.people)}"
        for group in episode.credits
    )
    return Wanted(
        title=episode.title,
        album=show.title,
        artists=tuple(person.name for person in episode.hosts),
        album_artist=show.author,
        track=episode.number,
        disc=episode.season,
        date=published.replace(tzinfo=None).isoformat(timespec="seconds"),
        date_utc=published.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        description=episode.summary_text or None,
        cover=cover,
        feed_url=show.feed_url,
        guid=episode.guid,
        categories=tuple(f"{c} > {s}" if s else c for c, s in show.categories),
        copyright=show.copyright,
        credits=tuple((credit.role.role, credit.person.name) for credit in episode.persons),
        credit_text=credit_text or None,
        chapters=tuple(
            (_ms(chapter.start), _ms(end), chapter.title, chapter.url)
            for chapter, end in spans(episode.chapters, episode.audio.duration)
        ),
    )


@dataclass(frozen=True)
class TagResult:
    episode: EpisodeRecord
    path: Path
    container: str
    changed: tuple[str, ...]  # fields rewritten; () when the file already said it all

    @property
    def written(self) -> bool:
        return bool(self.changed)


def tag_file(episode: EpisodeRecord, path: Path, wanted: Wanted, container: Container) -> TagResult:
    """Bring one episode's file (``path``, its audio) in line with ``wanted``; touch it
    only if they differ."""
    changed = retag(path, episode.audio.duration, wanted, container)
    return TagResult(episode, path, container.name, changed)


@dataclass
class TagRun:
    results: list[TagResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # notes: remote audio, not tagged


def select_episodes(site: SiteRecord, names: Sequence[str]) -> list[EpisodeRecord]:
    """The episodes named on the command line (key, file name or path); all when none."""
    if not names:
        return list(site.episodes)
    by_key = {episode.key: episode for episode in site.episodes}
    chosen: list[EpisodeRecord] = []
    problems: list[Problem] = []
    for name in names:
        key = Path(name).name.removesuffix(".yaml").removesuffix(".yml")
        episode = by_key.get(key)
        if episode is None:
            problems.append(_unknown_episode(name, key, site))
        elif episode not in chosen:
            chosen.append(episode)
    if problems:
        raise PodpubError(problems)
    return chosen


def _unknown_episode(name: str, key: str, site: SiteRecord) -> Problem:
    left_out = [s for s in site.skipped if Path(s).stem == key]
    if left_out:
        hint = "it is a draft or dated in the future: add --drafts or --future"
    else:
        close = difflib.get_close_matches(key, [e.key for e in site.episodes], n=2, cutoff=0.6)
        hint = (
            "did you mean " + " or ".join(repr(c) for c in close) + "?"
            if close
            else "name an episode by its descriptor's file name, e.g. episodes/2023-06-02.yaml"
        )
    return Problem(name, None, None, "", "no such episode to tag", hint)


def tag_episodes(show_dir: Path, site: SiteRecord, episodes: Iterable[EpisodeRecord]) -> TagRun:
    """Tag each episode's file; a file that fails is left as it was and reported."""
    run = TagRun()
    cover = read_cover(site.show.image_source)
    for episode in episodes:
        path = episode.audio_source
        if path is None:  # remote audio: there is no file here to write
            run.skipped.append(_remote_note(show_dir, episode))
            continue
        container = container_of(episode.audio)
        try:
            wanted = wanted_tags(episode, site.show, cover)
            run.results.append(tag_file(episode, path, wanted, container))
        except TAG_ERRORS as exc:
            run.problems.append(
                _audio_problem(
                    show_dir,
                    episode,
                    f"could not tag {path.name}: {_reason(exc)}",
                    "the file was left as it was",
                )
            )
    return run


def stale_tags(show_dir: Path, site: SiteRecord) -> list[Problem]:
    """Warnings for files whose tags disagree with their descriptor (``podpub check``).

    Only tags the file has count: an untagged file is not stale, a title corrected
    since the last ``podpub tag`` is.
    """
    warnings: list[Problem] = []
    cover = read_cover(site.show.image_source) if site.episodes else None
    for episode in site.episodes:
        if episode.audio_source is None:  # remote audio: no file here to read
            continue
        container = container_of(episode.audio)
        try:
            in_file = container.read(episode.audio_source)
        except Exception as exc:
            # Damaged tags make mutagen raise IndexError, struct.error… as well as its own
            # errors (its fuzzing shows it): a warning for the producer, never a traceback.
            warnings.append(
                _audio_problem(
                    show_dir,
                    episode,
                    f"could not read the tags of {episode.audio_source.name}: {_reason(exc)}",
                    "podpub tag rewrites them",
                    level="warning",
                )
            )
            continue
        want = container.wanted(wanted_tags(episode, site.show, cover))
        stale = [d for d in differences(in_file, want) if d.in_file is not None]
        if stale:
            warnings.append(
                _audio_problem(
                    show_dir,
                    episode,
                    f"the tags of {episode.audio_source.name} disagree with this descriptor: "
                    + "; ".join(d.describe() for d in stale),
                    "run podpub tag to write them again",
                    level="warning",
                )
            )
    return warnings


def _remote_note(show_dir: Path, episode: EpisodeRecord) -> Problem:
    return _audio_problem(
        show_dir,
        episode,
        f"remote audio ({episode.enclosure_url}) skipped: podpub tags only files in the show "
        "folder",
        "tag it where it is hosted, or import with --download to keep a local copy",
        level="note",
    )


def _audio_problem(
    show_dir: Path, episode: EpisodeRecord, message: str, hint: str, level: str = "error"
) -> Problem:
    """A problem located at the ``audio:`` line of the episode's descriptor."""
    try:
        doc = load_file(show_dir / episode.source, episode.source)
    except PodpubError:
        return Problem(episode.source, None, None, "audio", message, hint, level)
    return doc.problem(("audio",), message, hint, level=level)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower() + (f" ({exc.filename})" if exc.filename else "")
    return str(exc) or type(exc).__name__


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
