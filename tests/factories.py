"""Build records by hand for unit tests of the feed and page stages."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import replace
from pathlib import Path
from typing import Any

from podpub.resolve.records import (
    AudioInfo,
    Chapter,
    CreditGroup,
    EpisodeRecord,
    HeadlineView,
    PersonRef,
    PersonRole,
    Role,
    ShowRecord,
    SiteRecord,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
HOST = Role(label="Présentation", role="host", group="cast")
PRODUCER = Role(label="Réalisation", role="producer", group="creative direction")
EMMA = PersonRef(id="emma-larbi", name="Emma Larbi")
TEAM = tuple(
    PersonRef(id=name.lower().replace(" ", "-"), name=name)
    for name in ["Barbara Gouy", "Benjamin Milkoff", "Emma Larbi", "Titouan Allain"]
)


def show_record(**changes: Any) -> ShowRecord:
    show = ShowRecord(
        title="L'orange bleue — les actus",
        description_html=(
            "<p>Chaque semaine, <strong>L'orange bleue</strong> revient sur l'actu.</p>"
        ),
        description_text="Chaque semaine, L'orange bleue revient sur l'actu.",
        feed_description="<p>Chaque semaine, L'orange bleue revient sur l'actu.</p>",
        language="fr",
        url="https://podcast.example.org/",
        feed_url="https://podcast.example.org/feed.xml",
        author="L'orange bleue",
        owner_name="L'orange bleue",
        owner_email="podcast@example.org",
        image_source=Path("/nonexistent/cover.png"),
        image_path="cover.png",
        image_url="https://podcast.example.org/cover.png",
        categories=(("News", "Daily News"),),
        explicit=False,
        show_type="episodic",
        copyright="© 2023 L'orange bleue",
        timezone="Europe/Paris",
        guid="6c967fe4-ab76-51b1-aec1-bde9677f87cb",
        guid_computed=False,
        hosts=(EMMA,),
        persons=(PersonRole(EMMA, HOST),),
    )
    return replace(show, **changes)


def episode_record(n: int = 1, **changes: Any) -> EpisodeRecord:
    slug = f"episode-{n}"
    chapters = (Chapter(0.0, "Intro"), Chapter(12.5, "Sénégal"), Chapter(30.0, "Belgorod"))
    credits = (CreditGroup(HOST, (EMMA,)), CreditGroup(PRODUCER, TEAM))
    persons = tuple(PersonRole(p, group.role) for group in credits for p in group.people)
    episode = EpisodeRecord(
        key=f"ep{n}",
        source=f"episodes/ep{n}.yaml",
        slug=slug,
        title=f"Les actus <n°{n}> & co",
        number=n,
        season=None,
        episode_type="full",
        explicit=False,
        published=dt.datetime(2023, 6, 2, 18, 0, tzinfo=PARIS) + dt.timedelta(days=7 * (n - 1)),
        guid=f"00000000-0000-5000-8000-{n:012d}",
        summary_html="<p>Dans l'orange bleue on revient sur l'actualité.</p>",
        summary_text="Dans l'orange bleue on revient sur l'actualité.",
        feed_description="<p>Dans l'orange bleue on revient sur l'actualité.</p>",
        feed_content=(
            "<p>Dans l'orange bleue on revient sur l'actualité.</p><ul><li>Sénégal</li></ul>"
        ),
        headlines=(
            HeadlineView("Sénégal", "<p>Neuf personnes tuées.</p>", 12.5, None),
            HeadlineView("Belgorod", "<p>Deux civils tués.</p>", 30.0, "https://example.org/b"),
        ),
        chapters=chapters,
        hosts=(EMMA,),
        credits=credits,
        persons=persons,
        audio=AudioInfo(
            size=123456,
            mime="audio/mpeg",
            duration=61.2,
            bitrate=32000,
            sample_rate=22050,
            codec="mp3",
            channels=1,
        ),
        audio_source=Path("/nonexistent/a.mp3"),
        audio_path=f"audio/ep{n}.mp3",
        enclosure_url=f"https://podcast.example.org/audio/ep{n}.mp3",
        page_path=f"episodes/{slug}/index.html",
        page_url=f"https://podcast.example.org/episodes/{slug}/",
        chapters_path=f"episodes/{slug}/chapters.json",
        chapters_url=f"https://podcast.example.org/episodes/{slug}/chapters.json",
    )
    return replace(episode, **changes)


def site_record(count: int = 2, **show_changes: Any) -> SiteRecord:
    episodes = tuple(episode_record(n) for n in range(count, 0, -1))  # newest first
    return SiteRecord(
        show=show_record(**show_changes),
        episodes=episodes,
        build_time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
