#!/usr/bin/env python3
"""Write the sample episode's WebVTT transcript, timed on its real audio.

The sample MP3 is spoken by espeak-ng from the descriptor's text
(``scripts/make_sample_audio.py``), so its transcript is that text: the intro, each
headline's title and text, the credits. This script rebuilds the same parts with the
same silences, measures each part by synthesizing it again (espeak-ng is deterministic),
and times each sentence inside a part in proportion to its own synthesized length. The
result is checked against the MP3: the parts must add up to the samples it decodes to,
or the audio was made by another espeak-ng and should be remade first.

Usage (needs espeak-ng and ffmpeg, like make_sample_audio.py):

    python scripts/make_sample_transcript.py           # print the WebVTT
    python scripts/make_sample_transcript.py --write   # write episodes/<episode>.vtt
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import textwrap
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_sample_audio as sample  # the audio script beside this one

SPEAKER = "Emma Larbi"  # the episode's host: who « says » the text in the transcript
LINE_LENGTH = 64  # Apple's advice for caption lines: at most 65 characters
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-Ý«])")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episode", type=Path, default=sample.EPISODE)
    parser.add_argument("--write", action="store_true", help="write the .vtt file")
    args = parser.parse_args(argv)

    episode = yaml.safe_load(args.episode.read_text(encoding="utf-8"))
    show_dir = args.episode.resolve().parent.parent
    parts = [sample.Part(sample.INTRO, sample.LEAD_IN)]
    for headline in episode["headlines"]:
        parts.append(sample.Part(headline["title"], sample.BETWEEN_PARTS))
        if headline.get("text"):
            parts.append(sample.Part(" ".join(headline["text"].split()), sample.AFTER_TITLE))
    parts.append(sample.Part(sample.OUTRO, sample.BETWEEN_PARTS))

    with tempfile.TemporaryDirectory() as tmp:
        cues, total = timed_sentences(parts, Path(tmp))
    decoded = sample.decoded_samples(show_dir / episode["audio"])
    tail = round(sample.TAIL * sample.RATE)
    if total + tail != decoded:
        print(
            f"error: the parts add up to {total + tail} samples, the MP3 to {decoded}: "
            "remake the audio with make_sample_audio.py first",
            file=sys.stderr,
        )
        return 1
    vtt = webvtt(cues)
    target = args.episode.resolve().with_suffix(".vtt")  # beside the descriptor
    if args.write:
        target.write_text(vtt, encoding="utf-8")
        print(f"wrote {target.relative_to(show_dir)} ({len(cues)} cues)")
    else:
        sys.stdout.write(vtt)
    return 0


def timed_sentences(parts: list[sample.Part], tmp: Path) -> tuple[list[tuple[int, int, str]], int]:
    """(start, end, text) in samples for each sentence, and where the speech ends."""
    cues: list[tuple[int, int, str]] = []
    position = 0
    for number, part in enumerate(parts):
        position += round(part.pause_before * sample.RATE)
        length = len(sample.synthesize(part.text, tmp / f"part-{number}.wav")) // 2
        sentences = _SENTENCE.split(part.text)
        weights = [
            len(sample.synthesize(text, tmp / f"part-{number}-{i}.wav")) // 2
            for i, text in enumerate(sentences)
        ]
        start = position
        for i, text in enumerate(sentences):
            end = position + round(length * sum(weights[: i + 1]) / sum(weights))
            cues.append((start, end, text))
            start = end
        position += length
    return cues, position


def webvtt(cues: list[tuple[int, int, str]]) -> str:
    lines = [
        "WEBVTT",
        "",
        "NOTE Made by scripts/make_sample_transcript.py from the episode's descriptor,",
        "timed on the samples of its audio.",
        "",
    ]
    for start, end, text in cues:
        wrapped = textwrap.wrap(f"<v {SPEAKER}>{_escape(text)}", LINE_LENGTH)
        lines += [f"{_stamp(start)} --> {_stamp(end)}", *wrapped, ""]
    return "\n".join(lines)


def _stamp(samples: int) -> str:
    millis = samples * 1000 // sample.RATE
    seconds, millis = divmod(millis, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


if __name__ == "__main__":
    raise SystemExit(main())
