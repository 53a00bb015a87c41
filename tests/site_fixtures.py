"""A published site that uses every part of the pages, for the validator and browser tests.

The repository's sample show (real speech, five chapters, its WebVTT transcript) plus
what the sample leaves out: subscribe links for every app, three older episodes on the
tone fixtures so that the episodes fill two pages (``episodes_per_page: 3``), an
episode with an HTML transcript, one with a JSON transcript and a guest with a link.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from podpub.write.publish import PublishOptions, PublishResult, publish

from conftest import AUDIO, NOW, REPO

SAMPLE_SLUG = "2023-06-02-les-5-actus-marquantes"
SAMPLE_PAGE = f"episodes/{SAMPLE_SLUG}/index.html"

SUBSCRIBE = """\
subscribe:
  apple: 1234567890
  spotify: 4rOoJ6Egrf8K2IrywzwOMk
  podcast_index: 920666
  antennapod: true
  overcast: true
episodes_per_page: 3
"""

OLDER_EPISODES = {
    "2023-05-26-bonus.yaml": """\
title: Les coulisses de la rédaction
date: 2023-05-26 18:00
type: bonus
number: 3
summary: Un épisode bonus sur la fabrication de l'émission, avec **une invitée**.
audio: audio/tone.mp3
credits:
  - role: Invitée
    people:
      - {name: Ada Lovelace, url: "https://example.org/ada"}
headlines:
  - title: La conférence de rédaction
    start: "0:00"
  - title: Le montage
    start: "0:01"
transcripts:
  - file: episodes/2023-05-26-bonus.html
""",
    "2023-05-19-semaine.yaml": """\
title: L'actu de la semaine du 19 mai
date: 2023-05-19 18:00
number: 2
season: 1
summary: Les actus marquantes de la semaine du 19 mai.
audio: audio/tone.m4a
transcripts:
  - file: episodes/2023-05-19-semaine.json
""",
    "2023-05-12-premier.yaml": """\
title: Le premier épisode
date: 2023-05-12 18:00
number: 1
summary: Le tout premier épisode de L'orange bleue.
audio: audio/tone.ogg
""",
}

HTML_TRANSCRIPT = """\
<!doctype html>
<html lang="fr"><head><title>Transcription</title></head><body>
<cite>Emma Larbi :</cite>
<time datetime="PT0S">0:00</time>
<p>Bienvenue dans les coulisses de <b>L'orange bleue</b>.</p>
<cite>Ada Lovelace :</cite>
<time datetime="PT1S">0:01</time>
<p>Merci de m'avoir invitée &amp; bonjour à toutes et à tous.</p>
</body></html>
"""

JSON_TRANSCRIPT = {
    "version": "1.0.0",
    "segments": [
        {"speaker": "Emma Larbi", "startTime": 0.0, "endTime": 0.4, "body": "Bonjour"},
        {"speaker": "Emma Larbi", "startTime": 0.4, "endTime": 0.8, "body": "à"},
        {"speaker": "Emma Larbi", "startTime": 0.8, "endTime": 1.2, "body": "tous"},
        {"speaker": "Emma Larbi", "startTime": 1.2, "endTime": 1.3, "body": "."},
        {"speaker": "Yara El Germany", "startTime": 1.5, "endTime": 1.9, "body": "Salut !"},
    ],
}


def make_rich_show(folder: Path) -> Path:
    """The sample show copied into ``folder`` with the additions above."""
    folder.mkdir(parents=True)
    for name in ("show.yaml", "cover.png"):
        shutil.copy(REPO / name, folder / name)
    for sub in ("episodes", "audio", "templates"):
        shutil.copytree(REPO / sub, folder / sub)
    for fixture in ("tone.mp3", "tone.m4a", "tone.ogg"):
        shutil.copy(AUDIO / fixture, folder / "audio" / fixture)
    with open(folder / "show.yaml", "a", encoding="utf-8") as show:
        show.write(SUBSCRIBE)
    for name, text in OLDER_EPISODES.items():
        (folder / "episodes" / name).write_text(text, encoding="utf-8")
    (folder / "episodes" / "2023-05-26-bonus.html").write_text(HTML_TRANSCRIPT, encoding="utf-8")
    (folder / "episodes" / "2023-05-19-semaine.json").write_text(
        json.dumps(JSON_TRANSCRIPT, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def publish_rich_show(folder: Path) -> PublishResult:
    """Publish the rich show made in ``folder / 'show'`` into ``folder / 'public'``."""
    show = make_rich_show(folder / "show")
    return publish(show, PublishOptions(out=folder / "public", now=NOW))


def generated_pages(out: Path) -> list[Path]:
    """The HTML pages podpub wrote (not the producers' HTML transcripts beside them)."""
    return sorted(p for p in out.rglob("*.html") if p.name in {"index.html", "404.html"})
