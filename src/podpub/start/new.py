"""``podpub new``: a new episode descriptor, ready to fill in, that never replaces a file.

Everything is checked before the first byte is written: the show, the date, the audio
(probed as ``publish`` probes it) and the descriptor itself, loaded and validated as
``check`` would. Then the audio is copied under ``audio/`` and the descriptor created.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import math
import shutil
import zoneinfo
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from podpub.errors import PodpubError, Problem
from podpub.input.load import load_bytes, load_file
from podpub.input.models import Episode, Show
from podpub.input.paths import WINDOWS_RESERVED, missing_show_file, slugify
from podpub.input.validate import validate
from podpub.media.probe import AudioError, probe
from podpub.resolve.records import AudioInfo
from podpub.start.init import commented
from podpub.start.when import parse_when

_ARGUMENT = {"title": "TITLE", "date": "--date", "number": "--number", "audio": "--audio"}
SLUG_LIMIT = 60  # a file name people can read in a listing; the title stays whole inside


@dataclass(frozen=True)
class NewEpisode:
    """What ``podpub new`` was asked for."""

    title: str
    when: str | None = None  # --date; None: now, in the show's zone
    audio: Path | None = None
    number: int | None = None


@dataclass(frozen=True)
class NewResult:
    descriptor: str  # "episodes/2025-03-06-first-steps.yaml"
    date: dt.date | dt.datetime
    timezone: str
    number: int | None
    audio: str  # the audio: path written in the descriptor
    audio_copied: bool
    audio_info: AudioInfo | None  # None: no --audio given; the file is to come


def new_episode(show_dir: Path, request: NewEpisode, now: dt.datetime) -> NewResult:
    """Write ``episodes/<date>-<slug>.yaml`` (and copy the audio); ``now`` is aware (UTC)."""
    show, show_data = _load_show(show_dir)
    zone = zoneinfo.ZoneInfo(show.timezone)
    local_now = now.astimezone(zone)
    date = (
        parse_when(request.when, local_now)
        if request.when
        else local_now.replace(second=0, microsecond=0, tzinfo=None)
    )
    name = f"{date:%Y-%m-%d}-{_slug(request.title)}"
    descriptor = show_dir / "episodes" / f"{name}.yaml"
    display = f"episodes/{name}.yaml"
    if descriptor.exists():
        raise _refuse(
            display,
            "already exists; podpub new never replaces a file",
            "edit that file, or give another title or --date",
        )
    number = request.number
    if number is None and show.type == "serial":
        number = _next_number(show_dir / "episodes")
    audio_rel, source, info = _audio(show_dir, request.audio, name)
    text = episode_yaml(request.title, date, number, audio_rel, show_data.get("hosts"), info)
    _check_descriptor(text, display)
    copied = False
    if source is not None:
        copied = _copy_new(source, show_dir / audio_rel)
    descriptor.parent.mkdir(exist_ok=True)
    with open(descriptor, "x", encoding="utf-8") as handle:  # "x": never replace a file
        handle.write(text)
    return NewResult(display, date, show.timezone, number, audio_rel, copied, info)


def episode_yaml(
    title: str,
    date: dt.date | dt.datetime,
    number: int | None,
    audio: str,
    hosts: Any,
    info: AudioInfo | None,
) -> str:
    """The commented descriptor: title quoted (JSON is YAML), stubs as comments."""
    q = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    when = f"{date:%Y-%m-%d %H:%M}" if isinstance(date, dt.datetime) else f"{date:%Y-%m-%d}"
    audio_note = (
        f"{clock(info.duration)}, {info.size:,} bytes ({info.mime})"
        if info is not None
        else "put the episode's audio file here"
    )
    lines: list[str | tuple[str, str]] = [
        '# One episode. Its fields: the docs ("Descriptor fields"), `podpub schema episode`.',
        (f"title: {q(title)}", "no episode number in it: apps show that"),
        (f"date: {when}", "in the show's time zone; a future date waits"),
    ]
    if number is not None:
        lines.append((f"number: {number}", "itunes:episode"))
    lines += [
        (f"audio: {q(audio)}", audio_note),
        ("# summary: |", "Markdown: what listeners read in apps"),
        "#   What this episode is about, in a few sentences.",
    ]
    if isinstance(hosts, list) and hosts:
        lines.append(("hosts:", "the show's hosts; change them for this episode"))
        lines += [f"  - {q(host)}" for host in hosts]
    lines += [
        ("# headlines:", "the topics; with a start time, each is a chapter"),
        "#   - title: The first topic",
        '#     start: "0:00"',
        "#     text: A few sentences about it (Markdown).",
        "#     link: https://example.org/source",
        ("# credits:", "in your own words: Editing, Music, Produced by …"),
        "#   - role: Editing",
        "#     people: [Your Name]",
    ]
    return "".join(commented(line) + "\n" for line in lines)


def _load_show(show_dir: Path) -> tuple[Show, dict[str, Any]]:
    path = show_dir / "show.yaml"
    if not path.is_file():
        hint = "run it in the show's folder, give --show DIR, or start one with podpub init"
        raise PodpubError([missing_show_file(show_dir, hint)])
    doc = load_file(path, "show.yaml")
    show, problems = validate(doc, Show)
    if show is None:
        raise PodpubError(problems)
    return show, doc.data


def _slug(title: str) -> str:
    slug = slugify(title, SLUG_LIMIT) or "episode"
    return f"{slug}-episode" if slug in WINDOWS_RESERVED else slug


def _next_number(episodes: Path) -> int:
    """One more than the highest number of the episodes there (1 for the first)."""
    highest = 0
    for path in sorted(episodes.glob("*.yaml")):
        try:
            data = load_file(path, f"episodes/{path.name}").data
        except PodpubError:  # check reports it; a broken file holds no number to follow
            continue
        number = data.get("number") if isinstance(data, dict) else None
        if isinstance(number, int) and not isinstance(number, bool):
            highest = max(highest, number)
    return highest + 1


def _audio(
    show_dir: Path, audio: Path | None, name: str
) -> tuple[str, Path | None, AudioInfo | None]:
    """The audio: path to write, the file to copy there (None: none) and its probe."""
    if audio is None:
        return f"audio/{name}.mp3", None, None
    try:
        info = probe(audio)
    except AudioError as exc:
        raise _refuse("", str(exc), "", field="--audio") from None
    folder = (show_dir / "audio").resolve()
    source = audio.resolve()
    if source.parent == folder or folder in source.parents:
        return source.relative_to(show_dir.resolve()).as_posix(), None, info
    target = f"audio/{source.name}"
    existing = show_dir / target
    if existing.exists() and not filecmp.cmp(source, existing, shallow=False):
        raise _refuse(
            "",
            f"{target} already exists and differs from {audio}; podpub new never replaces a file",
            "rename one of them, or point --audio at the file in audio/",
            field="--audio",
        )
    return target, source, info


def _copy_new(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` unless the same file is there; True when copied."""
    if target.exists():
        return False  # the very same bytes (compared in _audio)
    target.parent.mkdir(exist_ok=True)
    try:
        with open(source, "rb") as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except BaseException:
        target.unlink(missing_ok=True)  # no half-copied audio left to be published
        raise
    shutil.copystat(source, target)
    return True


def _check_descriptor(text: str, display: str) -> None:
    """The descriptor as ``check`` reads it: a title that YAML or the model refuses is
    reported now, not at the next check."""
    doc = load_bytes(text.encode(), display)
    _, problems = validate(doc, Episode)
    if problems:  # the file is not written yet: point at the argument that gave the value
        raise PodpubError(
            [
                replace(p, file="", line=None, column=None, field=_ARGUMENT.get(p.field, p.field))
                for p in problems
            ]
        )


def _refuse(file: str, message: str, hint: str, field: str = "") -> PodpubError:
    return PodpubError([Problem(file, None, None, field, message, hint)])


def clock(seconds: float) -> str:
    """A duration as a player shows it: 0:07, 12:34, 1:02:03.

    Whole seconds dropped, not rounded, as the browser's player and the episode page
    count them: 10.9 s is 0:10 there, and must be 0:10 here too.
    """
    whole = math.floor(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
