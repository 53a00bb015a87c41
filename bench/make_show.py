"""Generate a realistic show of N episodes for the benchmarks: ``make_show.py N DIR``.

Every episode gets a descriptor shaped like the sample show's (title, date, Markdown
summary, hosts, credits, three to six headlines with start times, texts and links) and
its own real audio file: the tone fixtures in ``tests/fixtures/audio`` (MP3 CBR and VBR,
M4A, Opus, Vorbis, FLAC, two or three seconds each), tagged once with mutagen and then
copied with the episode's number written into the tag, so that every file is distinct
(and the Ogg page CRC is recomputed, so every file stays valid). About one in fifty
episodes is a draft, one in a hundred is scheduled in the future, one in ten has a
WebVTT transcript.

Two kinds of show (``--texts``): ``long`` (the default) gives every headline a text of one
to three sentences and often a source link, and every summary two to four sentences, like the
sample show; ``short`` gives headlines a title only and summaries one sentence (one
paragraph), like most shows in the directories. The long show weighs on text rendering,
the short one shows the fixed cost per episode.

The output is deterministic for a given N (seeded), except file times. Nothing here is
timed: run.py times the tools that read the show.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "audio"
MARKER = b"PODPUB-BENCH-EPISODE-00000000"
GENERATOR_VERSION = "3"  # bump when the generated show changes (run.py regenerates)

# (fixture, extension, share of episodes): MP3 first, as in real podcasts.
SOURCES = (
    ("tone.mp3", ".mp3", 30),
    ("tone-vbr.mp3", ".mp3", 10),
    ("tone.m4a", ".m4a", 25),
    ("tone.opus", ".opus", 20),
    ("tone.flac", ".flac", 10),
    ("tone.ogg", ".ogg", 5),
)
TEXTS = ("long", "short")
CHAPTER_STARTS = ("0:00", "0:00.3", "0:00.6", "0:00.9", "0:01.2", "0:01.5")  # audio ≥ 2 s

SHOW_YAML = """\
# A generated show for podpub's benchmarks (bench/make_show.py).
title: "Le fil de l'actu — benchmark"
description: |
  Chaque jour, la rédaction revient sur **l'actualité** : les titres marquants,
  racontés en quelques minutes. Une émission générée pour mesurer podpub.
language: fr
url: https://bench.example.org/
author: "La rédaction du fil"
owner:
  name: "La rédaction du fil"
  email: podcast@bench.example.org
image: cover.png
categories:
  - News > Daily News
explicit: false
type: episodic
copyright: "© 2024 Le fil de l'actu"
timezone: Europe/Paris
guid: 0b1f4ad2-6c8e-5e2a-9d43-3a8c1f7b2e10
hosts:
  - Emma Larbi
feed_page_size: 200  # RFC 5005 pages: one feed of 10,000 items would be ~40 MB
"""

FOOTER = """\
{#- The benchmark show's own footer (run.py edits it for the template-changed case). -#}
<footer class="site-footer">
  <div class="wrap">
    <p>La rédaction du fil vous donne rendez-vous chaque jour.</p>
    <p><a href="{{ root }}{{ feed_href }}">{{ t.rss_feed }}</a></p>
  </div>
</footer>
"""

PEOPLE = (
    "Barbara Gouy",
    "Benjamin Milkoff",
    "Emma Larbi",
    "Titouan Allain",
    "Yara El Germany",
    "Louise Martin",
    "Hugo Bernard",
    "Chloé Petit",
    "Karim Benali",
    "Inès Moreau",
    "Lucas Fontaine",
    "Sarah Cohen",
)
TOPICS = (
    "la réforme des retraites",
    "les élections européennes",
    "la sécheresse dans le Sud",
    "le prix de l'énergie",
    "la grève des transports",
    "le sommet du climat",
    "l'intelligence artificielle",
    "la rentrée scolaire",
    "le budget de l'État",
    "les Jeux olympiques",
    "la crise du logement",
    "l'inflation alimentaire",
    "la pollution plastique",
    "les négociations à l'Unesco",
    "l'Opep réunie à Vienne",
    "la santé mentale des jeunes",
)
PLACES = ("Paris", "Lyon", "Marseille", "Dakar", "Montréal", "Bruxelles", "Genève", "Abidjan")
VERBS = ("revient sur", "décrypte", "raconte", "explique", "fait le point sur", "analyse")
SENTENCES = (
    "À {place}, les discussions sur {topic} ont repris ce {day}, après des semaines de blocage.",
    "Selon plusieurs sources, {topic} devrait encore occuper le débat public à {place}.",
    "Les experts interrogés restent prudents : **rien n'est joué** pour {topic}.",
    "Une délégation venue de {place} a présenté ses propositions sur {topic}.",
    "Le gouvernement promet des annonces sur {topic} d'ici à la fin du mois.",
    "Sur le terrain, à {place}, les habitants attendent surtout des réponses concrètes.",
    "Retour sur {topic}, un dossier que la rédaction suit depuis le début de l'année.",
)
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of episodes")
    parser.add_argument("folder", type=Path, help="show folder to create (replaced)")
    parser.add_argument(
        "--texts", choices=TEXTS, default="long", help="headline and summary texts (see above)"
    )
    args = parser.parse_args(argv)
    make_show(args.count, args.folder, texts=args.texts)
    print(f"{args.count} episodes in {args.folder}")
    return 0


def make_show(count: int, folder: Path, texts: str = "long") -> None:
    """Write a show of ``count`` episodes into ``folder`` (emptied first)."""
    if texts not in TEXTS:
        raise ValueError(f"texts must be one of {TEXTS}, not {texts!r}")
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "episodes").mkdir(parents=True)
    (folder / "audio").mkdir()
    (folder / "transcripts").mkdir()
    (folder / "templates").mkdir()
    (folder / "show.yaml").write_text(SHOW_YAML, encoding="utf-8")
    (folder / "templates" / "_footer.html").write_text(FOOTER, encoding="utf-8")
    shutil.copy(REPO / "cover.png", folder / "cover.png")
    templates = [AudioTemplate(FIXTURES / name, ext) for name, ext, _ in SOURCES]
    weights = [share for _, _, share in SOURCES]
    rng = random.Random(count)
    first = dt.datetime(2004, 1, 5, 7, 0)
    step = dt.timedelta(days=20 * 365) / max(count, 1)  # twenty years of episodes
    for index in range(count):
        template = rng.choices(templates, weights)[0]
        name = f"{index + 1:06d}"
        audio = f"audio/{name}{template.extension}"
        (folder / audio).write_bytes(template.copy_for(index + 1))
        when = first + step * index
        transcript = None
        if rng.random() < 0.1:
            transcript = f"transcripts/{name}.vtt"
            (folder / transcript).write_text(_vtt(rng), encoding="utf-8")
        text = _descriptor(rng, index, when, audio, transcript, short=texts == "short")
        (folder / "episodes" / f"{when:%Y-%m-%d}-{name}.yaml").write_text(text, encoding="utf-8")


# --- descriptors -----------------------------------------------------------------------


def _descriptor(
    rng: random.Random,
    index: int,
    when: dt.datetime,
    audio: str,
    transcript: str | None,
    short: bool = False,
) -> str:
    topic = rng.choice(TOPICS)
    lines = [
        f"# Episode {index + 1}, generated by bench/make_show.py.",
        f"title: {_quote(f'{rng.choice(VERBS).capitalize()} {topic} ({index + 1})')}",
    ]
    if rng.random() < 0.01:  # scheduled: left out unless --future
        lines.append("date: 2099-01-01 07:00")
    else:
        lines.append(f"date: {when:%Y-%m-%d %H:%M}")
    if rng.random() < 0.9:
        lines.append(f"number: {index + 1}")
    if rng.random() < 0.3:
        lines.append(f"season: {1 + index // 500}")
    kind = rng.random()
    if kind < 0.02:
        lines.append("type: trailer")
    elif kind < 0.06:
        lines.append("type: bonus")
    lines.append("summary: |")
    for sentence in _sentences(rng, 1 if short else 2 + rng.randrange(3)):
        lines.append(f"  {sentence}")
    lines.append(f"audio: {audio}")
    lines.append("hosts:")
    lines.append(f"  - {rng.choice(PEOPLE[:3])}")
    lines.append("credits:")
    lines.append("  - role: Réalisation")
    lines.append("    people:")
    for person in rng.sample(PEOPLE, 2 + rng.randrange(4)):
        lines.append(f"      - {person}")
    if rng.random() < 0.5:
        lines.append("  - role: Montage")
        lines.append(f"    people: [{rng.choice(PEOPLE)}]")
    lines.append("headlines:")
    for start in CHAPTER_STARTS[: 3 + rng.randrange(4)]:
        lines.append(f"  - title: {_quote(rng.choice(TOPICS).capitalize())}")
        lines.append(f'    start: "{start}"')
        if short:  # titles only
            continue
        lines.append("    text: >-")
        for sentence in _sentences(rng, 1 + rng.randrange(3)):
            lines.append(f"      {sentence}")
        if rng.random() < 0.4:
            link = f"https://www.example.org/actu/{index + 1}/{rng.randrange(1000)}"
            lines.append(f"    link: {link}")
    if transcript:
        lines.append("transcripts:")
        lines.append(f"  - file: {transcript}")
    if rng.random() < 0.02:
        lines.append("draft: true")
    return "\n".join(lines) + "\n"


def _sentences(rng: random.Random, count: int) -> list[str]:
    return [
        rng.choice(SENTENCES).format(
            place=rng.choice(PLACES), topic=rng.choice(TOPICS), day=rng.choice(DAYS)
        )
        for _ in range(count)
    ]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _vtt(rng: random.Random) -> str:
    cues = ["WEBVTT", ""]
    for i in range(2):
        cues += [f"00:00:0{i}.000 --> 00:00:0{i + 1}.000", _sentences(rng, 1)[0], ""]
    return "\n".join(cues)


# --- audio -----------------------------------------------------------------------------


class AudioTemplate:
    """A fixture tagged once with a marker; each copy writes its number into the marker."""

    def __init__(self, source: Path, extension: str) -> None:
        self.extension = extension
        self.data = _tagged(source)
        self.offset = self.data.find(MARKER)
        if self.offset < 0 or self.data.find(MARKER, self.offset + 1) >= 0:
            raise SystemExit(f"{source.name}: the tag marker must occur exactly once")
        self.ogg = self.data.startswith(b"OggS")

    def copy_for(self, number: int) -> bytes:
        data = bytearray(self.data)
        stamp = MARKER[:-8] + f"{number:08d}".encode()
        data[self.offset : self.offset + len(MARKER)] = stamp
        if self.ogg:
            _fix_ogg_crc(data, self.offset)
        return bytes(data)


def _tagged(source: Path) -> bytes:
    """The fixture's bytes with a realistic tag holding ``MARKER`` (written by mutagen)."""
    import mutagen
    from mutagen.id3 import COMM, ID3, TALB, TDRC, TIT2, TPE1

    buffer = io.BytesIO(source.read_bytes())
    comment = MARKER.decode()
    if source.suffix == ".mp3":
        tags = ID3()
        tags.add(TIT2(encoding=3, text="Le fil de l'actu"))
        tags.add(TPE1(encoding=3, text="La rédaction du fil"))
        tags.add(TALB(encoding=3, text="Le fil de l'actu — benchmark"))
        tags.add(TDRC(encoding=3, text="2024"))
        tags.add(COMM(encoding=3, lang="fra", desc="", text=comment))
        tags.save(buffer)
    else:
        audio = mutagen.File(buffer)
        if audio is None:
            raise SystemExit(f"mutagen cannot read {source}")
        buffer.seek(0)
        if audio.tags is None:
            audio.add_tags()
        if source.suffix == ".m4a":
            audio.tags["\xa9nam"] = ["Le fil de l'actu"]
            audio.tags["\xa9ART"] = ["La rédaction du fil"]
            audio.tags["\xa9cmt"] = [comment]
        else:
            audio.tags["title"] = ["Le fil de l'actu"]
            audio.tags["artist"] = ["La rédaction du fil"]
            audio.tags["comment"] = [comment]
        audio.save(buffer)
    return buffer.getvalue()


def _ogg_crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _fix_ogg_crc(data: bytearray, inside: int) -> None:
    """Recompute the CRC of the Ogg page that holds offset ``inside`` (after an edit)."""
    start = data.rfind(b"OggS", 0, inside)
    segments = data[start + 26]
    length = 27 + segments + sum(data[start + 27 : start + 27 + segments])
    data[start + 22 : start + 26] = b"\0\0\0\0"
    crc = 0
    for byte in data[start : start + length]:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[(crc >> 24) ^ byte]
    data[start + 22 : start + 26] = crc.to_bytes(4, "little")


if __name__ == "__main__":
    sys.exit(main())
