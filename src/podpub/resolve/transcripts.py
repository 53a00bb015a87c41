"""Transcript files read into cues, for the text on the episode page.

A producer gives transcripts in any of the Podcasting 2.0 formats (feed-rules §5.6):
WebVTT (speakers from ``<v Name>``), SubRip (speaker as ``Name:`` at the start of a
cue), the JSON format (``segments`` with ``speaker``, ``startTime``, ``body``; often one
word per segment), HTML (``<cite>`` speaker, ``<time>`` start, ``<p>`` text) or plain
text. Each is read into the same thing: a list of :class:`Cue` — a start time when the
format has one, a speaker when it names one, and plain text (markup removed: the page
escapes it). WCAG 1.2.1 asks for the transcript *on the page*, not only as a file.

The plan stage reads every transcript once to report a broken file as a located
problem before anything is written (:func:`check_file`); the page stage reads the one it
shows again when it renders that page (:func:`read_file`), so a show of thousands of
transcribed episodes never holds all their texts in memory.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

MAX_BYTES = 10_000_000  # a ten-hour transcript is about 1 MB; more is not a transcript

# Which file the page shows when an episode has several: the recommended format first.
_PREFERENCE = ("text/vtt", "application/json", "application/x-subrip", "text/html", "text/plain")
FORMAT_NAMES = {
    "text/vtt": "WebVTT",
    "application/x-subrip": "SRT",
    "application/json": "JSON",
    "text/html": "HTML",
    "text/plain": "Text",
}


class _Transcript(Protocol):
    """What :func:`best` reads of a ``records.TranscriptRecord``."""

    @property
    def mime(self) -> str: ...
    @property
    def language(self) -> str: ...


T = TypeVar("T", bound=_Transcript)


class TranscriptError(ValueError):
    """A transcript file that cannot be read; the message names the place and the fix."""


@dataclass(frozen=True)
class Cue:
    """One timed (or untimed) piece of the transcript."""

    start: float | None  # seconds; None in formats without times (plain text, some HTML)
    text: str  # plain text, markup removed
    speaker: str | None = None


@dataclass(frozen=True)
class Turn:
    """Consecutive cues of one speaker: the speaker's name is shown once per turn."""

    speaker: str | None
    cues: tuple[Cue, ...]


# --- reading files -------------------------------------------------------------------


def check_file(path: Path, mime: str) -> str | None:
    """Why the transcript at ``path`` cannot be shown, or None when it reads fine."""
    try:
        read_file(path, mime)
    except TranscriptError as exc:
        return str(exc)
    return None


def read_file(path: Path, mime: str) -> list[Cue]:
    """The cues of a transcript file of type ``mime`` (see ``models.TRANSCRIPT_TYPES``)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TranscriptError(f"cannot read the transcript: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise TranscriptError(f"the transcript is over {MAX_BYTES // 1_000_000} MB")
    return parse(data, mime)


def parse(data: bytes | str, mime: str) -> list[Cue]:
    """Cues from a transcript's content; raises :class:`TranscriptError`."""
    text = _decode(data) if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    reader = _READERS.get(mime)
    if reader is None:
        raise TranscriptError(f"podpub cannot read transcripts of type {mime}")
    cues = [cue for cue in reader(text) if cue.text]
    if not cues:
        raise TranscriptError("the transcript has no text")
    return cues


def best(transcripts: Sequence[T], language: str) -> T | None:
    """The transcript to show on the page: in the show's language, in the richest format."""
    if not transcripts:
        return None
    primary = language.split("-")[0]

    def rank(item: T) -> tuple[int, int]:
        same = item.language == language or item.language.split("-")[0] == primary
        kind = _PREFERENCE.index(item.mime) if item.mime in _PREFERENCE else len(_PREFERENCE)
        return (0 if same else 1, kind)

    return min(transcripts, key=rank)


def turns(cues: Iterable[Cue]) -> list[Turn]:
    """Group consecutive cues by speaker (a cue without a speaker continues the turn)."""
    grouped: list[Turn] = []
    current: list[Cue] = []
    speaker: str | None = None
    for cue in cues:
        if cue.speaker is not None and cue.speaker != speaker and current:
            grouped.append(Turn(speaker, tuple(current)))
            current = []
        if cue.speaker is not None:
            speaker = cue.speaker
        current.append(cue)
    if current:
        grouped.append(Turn(speaker, tuple(current)))
    return grouped


def is_timed(cues: Iterable[Cue]) -> bool:
    return any(cue.start is not None for cue in cues)


# --- formats -------------------------------------------------------------------------

_TIMESTAMP = r"(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TIMESTAMP}\s*-->\s*{_TIMESTAMP}(?:\s.*)?$")
_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[\s]+([^>]+)>")
_SRT_SPEAKER = re.compile(
    r"^(\w[\w.'’-]*(?: \w[\w.'’-]*){0,3})\s?:\s+(?=\S)", re.UNICODE
)  # « Emma Larbi : », "HOST:" — up to four words, then a colon
_ASS_TAG = re.compile(r"\{\\[^}]*\}")  # {\an8} positioning codes some SRT editors leave


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TranscriptError(
            f"line {line}: the transcript is not UTF-8 text (save it as UTF-8)"
        ) from None


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str | None) -> float:
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return value + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks with the line number of their first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _clean(text: str) -> str:
    """Markup and entities out, whitespace collapsed: what a reader sees."""
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _timed_cue(number: int, lines: list[str], example: str) -> tuple[float, list[str]]:
    """A cue block's start time and text lines; its timing line is first or second."""
    at = next((i for i in (0, 1) if i < len(lines) and "-->" in lines[i]), None)
    if at is None:
        raise TranscriptError(
            f"line {number}: this cue has no timing line "
            f"(write {example}, after an optional cue number or name)"
        )
    match = _TIMING.match(lines[at])
    if match is None:
        raise TranscriptError(
            f"line {number + at}: {lines[at].strip()!r} is not a cue timing (write {example})"
        )
    return _seconds(*match.groups()[:4]), lines[at + 1 :]


def _read_vtt(text: str) -> Iterator[Cue]:
    header = text.split("\n", 1)[0]
    if not re.match(r"^WEBVTT(?:[ \t]|$)", header):
        raise TranscriptError("line 1: a WebVTT file starts with the line WEBVTT")
    blocks = _blocks(text)
    next(blocks)  # the header block
    for number, lines in blocks:
        if re.match(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)", lines[0]):
            continue
        start, payload = _timed_cue(number, lines, "00:00:01.000 --> 00:00:04.000")
        joined = " ".join(payload)
        voice = _VOICE.search(joined)
        speaker = " ".join(voice.group(1).split()) if voice else None
        yield Cue(start, _clean(joined), html.unescape(speaker) if speaker else None)


def _read_srt(text: str) -> Iterator[Cue]:
    for number, lines in _blocks(text):
        start, payload = _timed_cue(number, lines, "00:00:01,000 --> 00:00:04,000")
        body = _clean(_ASS_TAG.sub("", " ".join(payload)))
        speaker = None
        match = _SRT_SPEAKER.match(body)
        if match and match.group(1)[0].isupper():
            speaker, body = match.group(1), body[match.end() :]
        yield Cue(start, body, speaker)


def _read_json(text: str) -> Iterator[Cue]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"line {exc.lineno}: not JSON ({exc.msg})") from None
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise TranscriptError(
            'a JSON transcript is {"version": "1.0.0", "segments": [...]} '
            "(Podcasting 2.0 transcript format)"
        )
    parts: list[tuple[float, str, str | None]] = []
    for index, segment in enumerate(segments):
        where = f"segments[{index}]"
        if not isinstance(segment, dict):
            raise TranscriptError(f"{where} is not an object")
        body, start, speaker = segment.get("body"), segment.get("startTime"), segment.get("speaker")
        if not isinstance(body, str):
            raise TranscriptError(f"{where}.body is missing or not text")
        if (
            isinstance(start, bool)
            or not isinstance(start, int | float)
            or not math.isfinite(start)
        ):
            raise TranscriptError(f"{where}.startTime is missing or not a number of seconds")
        if speaker is not None and not isinstance(speaker, str):
            raise TranscriptError(f"{where}.speaker is not text")
        parts.append((float(start), body, " ".join(speaker.split()) or None if speaker else None))
    yield from _sentences(parts)


_SENTENCE_END = re.compile(r"[.!?…»”\"]\s*$")
_NO_SPACE_BEFORE = re.compile(r"^[,.;:!?…)\]»”%]")


def _sentences(parts: list[tuple[float, str, str | None]]) -> Iterator[Cue]:
    """Segments joined into sentences: word-level JSON would otherwise be one word a line."""
    start: float | None = None
    words: list[str] = []
    speaker: str | None = None
    for time, body, who in parts:
        body = " ".join(body.split())
        if not body:
            continue
        if words and who is not None and who != speaker:
            yield Cue(start, " ".join(words), speaker)
            words = []
        if not words:
            start, speaker = time, who if who is not None else speaker
        if words and _NO_SPACE_BEFORE.match(body):
            words[-1] += body
        else:
            words.append(body)
        if _SENTENCE_END.search(body):
            yield Cue(start, " ".join(words), speaker)
            words = []
    if words:
        yield Cue(start, " ".join(words), speaker)


def _read_html(text: str) -> Iterator[Cue]:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml's ParserError and friends: an empty or broken document
        raise TranscriptError(f"cannot read the HTML: {exc}") from None
    for bad in root.xpath("//script|//style|//template|//head"):
        bad.drop_tree()
    paragraphs = root.xpath("//p|//li")
    if not paragraphs:
        yield from _read_plain(root.text_content())
        return
    speaker: str | None = None
    pending: float | None = None
    for element in root.iter("cite", "time", "p", "li"):
        if element.tag in ("cite", "time") and _inside(element, ("p", "li")):
            continue  # read with its paragraph
        if element.tag == "cite":
            speaker = _speaker(element.text_content()) or speaker
        elif element.tag == "time":
            pending = _html_time(element)
        elif not _inside(element, ("p", "li")):
            for cite in element.iter("cite"):
                speaker = _speaker(cite.text_content()) or speaker
            for stamp in element.iter("time"):
                pending = _html_time(stamp) if pending is None else pending
            body = _paragraph_text(element)
            if body:
                yield Cue(pending, body, speaker)
                pending = None


def _inside(element: object, tags: tuple[str, ...]) -> bool:
    parent = element.getparent()  # type: ignore[attr-defined]
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _speaker(text: str) -> str | None:
    name = " ".join(text.split()).rstrip(":").strip()
    return name or None


def _html_time(element: object) -> float | None:
    for value in (element.get("datetime"), element.text_content()):  # type: ignore[attr-defined]
        if value:
            match = re.fullmatch(_TIMESTAMP, value.strip())
            if match:
                return _seconds(*match.groups())
            match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", value.strip())
            if match and any(match.groups()):
                hours, minutes, seconds = match.groups()
                return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    return None


def _paragraph_text(element: object) -> str:
    """The paragraph's text without its speaker and time labels."""
    import copy

    clone = copy.deepcopy(element)
    for label in clone.xpath(".//cite|.//time"):  # type: ignore[attr-defined]
        label.drop_tree()
    return " ".join(clone.text_content().split())  # type: ignore[attr-defined]


def _read_plain(text: str) -> Iterator[Cue]:
    paragraphs = [" ".join(block) for _, block in _blocks(text)]
    if len(paragraphs) == 1:  # no blank lines: one paragraph a line
        paragraphs = [line for line in text.split("\n") if line.strip()]
    for paragraph in paragraphs:
        yield Cue(None, " ".join(paragraph.split()))


_READERS = {
    "text/vtt": _read_vtt,
    "application/x-subrip": _read_srt,
    "application/json": _read_json,
    "text/html": _read_html,
    "text/plain": _read_plain,
}
