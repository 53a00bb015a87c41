"""Chapters: the headlines with a start time, plus any extra chapters, in time order.

One list serves every place a listener meets chapters: the JSON chapters file
(``feed.chapters_json``), Podlove Simple Chapters in the feed (``feedext``), the WebVTT
chapters track of the page's player (:func:`webvtt`), the page's chapter list, and the
ID3 ``CHAP`` frames or Vorbis ``CHAPTERxxx`` comments of the audio file (``tag``).

A chapter ends where the next one starts; the last one ends with the audio
(:func:`spans`). That is why chapters must be strictly ascending and start before the
end of the audio: each then has a positive length and none overlaps another.
"""

from __future__ import annotations

from collections.abc import Sequence

from podpub.errors import Problem
from podpub.input.load import Document
from podpub.input.models import Episode
from podpub.resolve.records import Chapter, EpisodeRecord

WEBVTT_MIME = "text/vtt"
# a chapter's start as checked: where it is in the descriptor, the time, the title
_Timed = tuple[tuple[str | int, ...], float, str]


def episode_chapters(episode: Episode) -> tuple[Chapter, ...]:
    """Headlines with a start time and the extra ``chapters:``, ordered by start time."""
    chapters = [
        Chapter(headline.start, headline.title, headline.link, headline.image)
        for headline in episode.headlines
        if headline.start is not None
    ]
    chapters += [
        Chapter(extra.start, extra.title, extra.link, extra.image) for extra in episode.chapters
    ]
    return tuple(sorted(chapters, key=lambda chapter: chapter.start))


def check_chapters(
    episode: Episode, duration: float, doc: Document, problems: list[Problem]
) -> None:
    """Each list ascending as written, no two chapters at one time, all within the audio."""
    timed: list[_Timed] = [
        (("headlines", i, "start"), h.start, h.title)
        for i, h in enumerate(episode.headlines)
        if h.start is not None
    ]
    extras: list[_Timed] = [
        (("chapters", i, "start"), c.start, c.title) for i, c in enumerate(episode.chapters)
    ]
    for entries in (timed, extras):
        _check_ascending(entries, doc, problems)
    headline_at = {start: title for _, start, title in timed}
    for path, start, _ in extras:
        if start in headline_at:
            problems.append(
                doc.problem(
                    path,
                    f"starts at {clock(start)}, like the headline {headline_at[start]!r}",
                    "two chapters cannot start at the same time; move one, or drop this one",
                )
            )
    for path, start, _ in timed + extras:
        if start >= duration:
            problems.append(
                doc.problem(
                    path,
                    f"starts at {clock(start)}, after the end of the audio "
                    f"({clock(int(duration))})",
                    "check the time or the audio file",
                )
            )


def _check_ascending(
    entries: list[_Timed],
    doc: Document,
    problems: list[Problem],
) -> None:
    previous: float | None = None
    for path, start, _ in entries:
        if previous is not None and start <= previous:
            problems.append(
                doc.problem(
                    path,
                    f"starts at {clock(start)}, not after the chapter before it "
                    f"({clock(previous)})",
                    "chapters go in ascending order",
                )
            )
        previous = start


def spans(chapters: Sequence[Chapter], duration: float) -> list[tuple[Chapter, float]]:
    """Each chapter with its end: the next chapter's start, or the end of the audio."""
    ordered = sorted(chapters, key=lambda chapter: chapter.start)
    if not ordered:
        return []
    ends = [chapter.start for chapter in ordered[1:]] + [duration]
    return [(chapter, max(end, chapter.start)) for chapter, end in zip(ordered, ends, strict=True)]


def webvtt(chapters: Sequence[Chapter], duration: float) -> bytes:
    """A WebVTT chapters file (``<track kind="chapters">``): one cue per chapter, titled."""
    lines = ["WEBVTT", ""]
    for number, (chapter, end) in enumerate(spans(chapters, duration), start=1):
        lines += [str(number), f"{timestamp(chapter.start)} --> {timestamp(end)}"]
        lines += [_cue_text(chapter.title), ""]
    return "\n".join(lines).encode("utf-8")


def _cue_text(title: str) -> str:
    """A title as WebVTT cue text: markup characters escaped, on one line, no ``-->``."""
    text = " ".join(title.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text or "-"


def timestamp(seconds: float) -> str:
    """``HH:MM:SS.mmm``: WebVTT cue times and Podlove Simple Chapters' ``start``."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def clock(seconds: float) -> str:
    """``1:02:03``, ``2:03`` or ``2:03.5``: a time as producers write it in descriptors."""
    millis = round(seconds * 1000)
    whole, fraction = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return text + (f".{fraction:03d}".rstrip("0") if fraction else "")


def episode_vtt(episode: EpisodeRecord) -> bytes:
    """The WebVTT chapters file of an episode (the last chapter ends with its audio)."""
    return webvtt(episode.chapters, episode.audio.duration)
