#!/usr/bin/env python3
"""Remake the sample show's episode audio: real French speech, headlines as chapters.

The sample episode (episodes/2023-06-02-les-5-actus-marquantes.yaml) needs an MP3 that
says what its descriptor says, so that its chapter times can be checked by ear. This
script speaks, with espeak-ng's French voice, an intro, then each headline (its title,
a short pause, its text), then the credits, with silences between parts; encodes it to a
small mono 32 kb/s CBR MP3 at the path the descriptor's ``audio:`` names; and prints where
each headline starts.

Start offsets come from the sample counts of the WAV parts, not from guesses. The MP3 is
encoded by ffmpeg's libmp3lame rather than the lame command: at 32 kb/s and 22.05 kHz a
frame is 104 bytes, too small for lame's Info/LAME header, so lame leaves it out; without
it players cannot trim the encoder delay and padding, and podpub has to count frames to
get the duration. ffmpeg puts the header in one larger frame. Decoders that honour it
(ffmpeg does) output exactly the WAV's samples, which the script checks by decoding;
the container duration that ffprobe and mutagen report still counts the 576-sample
encoder delay and the last frame's padding, about 75 ms more. A player that ignores the
header hears everything about 50 ms later, which the rounding below absorbs. With
``--write`` the ``start: "M:SS"`` line of each headline in the descriptor is rewritten in
place, rounded *down* so that a chapter never starts after its headline does; every other
byte of the file is kept.

Usage (from anywhere; needs espeak-ng and ffmpeg with libmp3lame, and PyYAML):

    python scripts/make_sample_audio.py            # make the MP3, print the offsets
    python scripts/make_sample_audio.py --write    # ... and update the descriptor
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EPISODE = ROOT / "episodes" / "2023-06-02-les-5-actus-marquantes.yaml"

VOICE = "fr"  # espeak-ng --voices=fr: French (France), roa/fr
SPEED = 155  # words per minute; espeak-ng's default 175 is hurried for news
RATE = 22050  # espeak-ng's output rate; MPEG-2 Layer III keeps it as is
BITRATE_KBPS = 32

INTRO = "L'orange bleue. Les 5 actus marquantes de la semaine. Un épisode présenté par Emma Larbi."
OUTRO = (
    "Réalisation : Barbara Gouy, Benjamin Milkoff, Emma Larbi, Titouan Allain et Yara El Germany."
)

LEAD_IN = 0.3  # seconds of silence at the very start
AFTER_TITLE = 0.4  # between a headline's title and its text
BETWEEN_PARTS = 0.9  # between intro, headlines and outro
TAIL = 0.6


@dataclass(frozen=True)
class Part:
    """One spoken piece, and which headline (0-based) it opens, if any."""

    text: str
    pause_before: float
    headline: int | None = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episode", type=Path, default=EPISODE, help="episode descriptor")
    parser.add_argument(
        "--write", action="store_true", help="rewrite the headlines' start lines in place"
    )
    args = parser.parse_args(argv)

    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        if not shutil.which(tool):
            package = "ffmpeg" if tool == "ffprobe" else tool
            print(f"error: {tool} is not installed (apt-get install {package})", file=sys.stderr)
            return 1

    episode_path: Path = args.episode.resolve()
    source = episode_path.read_bytes().decode("utf-8")
    episode: dict[str, Any] = yaml.safe_load(source)
    headlines: list[dict[str, Any]] = episode["headlines"]
    output = episode_path.parent.parent / episode["audio"]  # the show folder holds episodes/

    parts = [Part(INTRO, LEAD_IN)]
    for index, headline in enumerate(headlines):
        parts.append(Part(headline["title"], BETWEEN_PARTS, headline=index))
        if headline.get("text"):
            parts.append(Part(" ".join(headline["text"].split()), AFTER_TITLE))
    parts.append(Part(OUTRO, BETWEEN_PARTS))

    with tempfile.TemporaryDirectory() as tmp:
        starts, total = speak(parts, Path(tmp) / "episode.wav")
        output.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"),
                *("-i", str(Path(tmp) / "episode.wav")),
                *("-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"),
                *("-ac", "1", "-c:a", "libmp3lame", "-b:a", f"{BITRATE_KBPS}k"),
                str(output),
            ],
            check=True,
        )

    offsets = [starts[i] for i in range(len(headlines))]
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    mp3_seconds = ffprobe_duration(output)
    decoded = decoded_samples(output)
    print(
        f"{shown}: {output.stat().st_size} bytes; speech {total / RATE:.3f} s "
        f"({total} samples at {RATE} Hz); MP3 {mp3_seconds:.3f} s (ffprobe), "
        f"decodes to {decoded} samples"
    )
    if decoded != total:
        print("error: the MP3 does not decode to the speech's samples", file=sys.stderr)
        return 1
    print(f"{'#':>2}  {'offset (s)':>10}  {'start':>7}  title")
    for index, (headline, samples) in enumerate(zip(headlines, offsets, strict=True), 1):
        print(f"{index:>2}  {samples / RATE:>10.3f}  {clock(samples):>7}  {headline['title']}")

    if args.write:
        updated = rewrite_starts(source, [clock(samples) for samples in offsets])
        check_rewrite(episode, updated, [clock(samples) for samples in offsets])
        if updated != source:
            episode_path.write_bytes(updated.encode("utf-8"))
            print(f"updated {episode_path.name}")
        else:
            print(f"{episode_path.name} already up to date")
    return 0


def ffprobe_duration(path: Path) -> float:
    """The container duration ffprobe reads from the MP3's Info header."""
    result = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-show_entries", "format=duration"),
            *("-of", "default=noprint_wrappers=1:nokey=1", str(path)),
        ],
        capture_output=True,
        check=True,
        text=True,
    )
    return float(result.stdout)


def decoded_samples(path: Path) -> int:
    """How many samples ffmpeg decodes from the MP3, encoder delay and padding trimmed."""
    result = subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-v", "error", "-i", str(path)),
            *("-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"),
        ],
        capture_output=True,
        check=True,
    )
    return len(result.stdout) // 2


def speak(parts: list[Part], target: Path) -> tuple[dict[int, int], int]:
    """Synthesize every part and join them with silences into one WAV file.

    Returns the sample offset of each headline's first part, by headline index, and the
    total number of samples written.
    """
    starts: dict[int, int] = {}
    position = 0
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for number, part in enumerate(parts):
            silence = round(part.pause_before * RATE)
            out.writeframes(b"\x00\x00" * silence)
            position += silence
            if part.headline is not None:
                starts[part.headline] = position
            frames = synthesize(part.text, target.with_name(f"part-{number:02d}.wav"))
            out.writeframes(frames)
            position += len(frames) // 2
        tail = round(TAIL * RATE)
        out.writeframes(b"\x00\x00" * tail)
        position += tail
    return starts, position


def synthesize(text: str, wav: Path) -> bytes:
    """espeak-ng's rendering of ``text`` as 16-bit mono PCM at ``RATE``."""
    subprocess.run(
        ["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-w", str(wav), "--", text], check=True
    )
    with wave.open(str(wav), "rb") as spoken:
        if (spoken.getnchannels(), spoken.getsampwidth(), spoken.getframerate()) != (1, 2, RATE):
            raise SystemExit(f"unexpected espeak-ng output format: {spoken.getparams()}")
        return spoken.readframes(spoken.getnframes())


def clock(samples: int) -> str:
    """``M:SS`` (or ``H:MM:SS``), rounded down: a chapter must not start late."""
    seconds = samples // RATE
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


_HEADLINES = re.compile(r"^headlines:[ \t]*(?:#[^\r\n]*)?\r?$")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+(?P<key>\S)")
_START = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)?start:[ \t]*)"  # the key (an item's first key has the dash)
    r"(?P<value>[^#\r\n]*?)"
    r"(?P<rest>[ \t]*(?:#.*)?\r?\n?)$"  # comment and line ending, kept
)


def rewrite_starts(source: str, clocks: list[str]) -> str:
    """Replace the value of each headline's ``start:`` line, touching nothing else.

    Works on the text, not through a YAML round trip, so comments, quoting and folded
    blocks stay as the producer wrote them. Every headline must already have a ``start:``
    line (the sample descriptor has ``"0:00"`` placeholders). Values are written in double
    quotes: bare ``1:30`` is a base-60 integer to YAML 1.1.
    """
    lines = source.splitlines(keepends=True)
    begin = next((i for i, line in enumerate(lines) if _HEADLINES.match(line)), None)
    if begin is None:
        raise SystemExit("the descriptor has no top-level `headlines:` key")
    end = next(
        (i for i in range(begin + 1, len(lines)) if lines[i][:1] not in " \t#-\r\n"),
        len(lines),
    )  # the next top-level key
    items = [(i, m) for i in range(begin + 1, end) if (m := _ITEM.match(lines[i]))]
    items = [(i, m) for i, m in items if m["indent"] == items[0][1]["indent"]]
    if len(items) != len(clocks):
        raise SystemExit(f"found {len(items)} headlines, expected {len(clocks)}")
    stops = [i for i, _ in items[1:]] + [end]
    for number, ((first, item), stop) in enumerate(zip(items, stops, strict=True)):
        key_column = item.start("key")
        for i in range(first, stop):
            match = _START.match(lines[i])
            column = len(lines[i]) - len(lines[i].lstrip(" \t"))
            if match and (i == first or column == key_column):
                lines[i] = f'{match["lead"]}"{clocks[number]}"{match["rest"]}'
                break
        else:
            raise SystemExit(f'headline {number + 1} has no `start:` line; add start: "0:00"')
    return "".join(lines)


def check_rewrite(before: dict[str, Any], updated: str, clocks: list[str]) -> None:
    """The rewritten text must load as the same document with only the starts changed."""
    after = yaml.safe_load(updated)
    expected = dict(before)
    expected["headlines"] = [
        {**headline, "start": value}
        for headline, value in zip(before["headlines"], clocks, strict=True)
    ]
    if after != expected:
        raise SystemExit("rewriting the start lines changed something else; file left alone")


if __name__ == "__main__":
    sys.exit(main())
