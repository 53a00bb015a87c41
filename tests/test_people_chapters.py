"""Credits and chapters written once: the people registry, default credits, extra chapters,
and what the feed, the pages and the WebVTT track make of them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import podcastparser
import pytest
from lxml import etree, html

from podpub.errors import PodpubError
from podpub.feed.extensions import PscEntryExtension
from podpub.resolve.chapters import webvtt
from podpub.resolve.records import Chapter, CreditGroup, PersonRef, Role
from podpub.site.people import credits_ld, ld_property
from podpub.write.publish import PublishOptions, check, publish

from conftest import MINIMAL_SHOW, NOW, write_show
from factories import episode_record

NS = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
}
FEED_URL = "https://podcast.example.org/feed.xml"
EMMA = "https://example.org/emma"
EMMA_IMG = "https://example.org/emma.jpg"

SHOW_WITH_PEOPLE = (
    MINIMAL_SHOW
    + f"""\
hosts: [emma-larbi]
people:
  emma-larbi:
    name: Emma Larbi
    url: {EMMA}
    image: {EMMA_IMG}
credits:
  - role: Montage
    people: [Ann Editor]
  - role: Réalisation
    people: [Barbara Gouy]
"""
)


def episode(title: str, extra: str = "", date: str = "2023-06-02", audio: str = "tone") -> str:
    return f"""\
title: {title}
date: {date}
audio: audio/{audio}.mp3
headlines:
  - title: Sénégal
    start: "0:01"
    link: https://example.org/senegal
    image: https://example.org/senegal.jpg
  - title: Belgorod
    start: "0:02"
{extra}"""


def _publish(show: Path, tmp_path: Path) -> Path:
    out = tmp_path / "public"
    publish(show, PublishOptions(out=out, now=NOW))
    return out


def _persons(element: etree._Element) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (p.text, p.get("role"), p.get("group"), p.get("href"), p.get("img"))
        for p in element.findall("podcast:person", NS)
    ]


# --- people and credits --------------------------------------------------------------------


@pytest.fixture
def team_show(tmp_path: Path) -> Path:
    first = episode(
        "Premier",
        "credits:\n"
        "  - role: Réalisation\n    people: [Carl Dupont, {id: emma-larbi}]\n"
        "  - role: Musique\n    people: [{name: Dan Music, url: https://example.org/dan}]\n",
    )
    second = episode(
        "Second",
        "hosts: [Emma  LARBI, Bob Guest]\n"
        "credits:\n"
        "  - role: Montage\n    people: [Eve Editor]\n    replace: true\n"
        "  - role: Musique\n    people: [Dan Music]\n"
        "  - role: Invité\n    people: [Zoé Guest]\n",
        date="2023-06-09",
        audio="tone-vbr",
    )
    return write_show(tmp_path / "show", {"ep1.yaml": first, "ep2.yaml": second}, SHOW_WITH_PEOPLE)


def test_show_credits_merge_with_each_episodes_in_the_order_written(team_show, tmp_path):
    feed = etree.parse(str(_publish(team_show, tmp_path) / "feed.xml"))
    channel = feed.find("channel")
    assert _persons(channel) == [
        ("Emma Larbi", "host", "cast", EMMA, EMMA_IMG),
        ("Ann Editor", "audio editor", "audio post-production", None, None),
        ("Barbara Gouy", "producer", "creative direction", None, None),
    ]
    second, first = channel.findall("item")
    dan = ("Dan Music", "music contributor", "audio post-production", "https://example.org/dan")
    assert _persons(first) == [
        ("Emma Larbi", "host", "cast", EMMA, EMMA_IMG),
        ("Ann Editor", "audio editor", "audio post-production", None, None),
        ("Barbara Gouy", "producer", "creative direction", None, None),
        ("Carl Dupont", "producer", "creative direction", None, None),
        ("Emma Larbi", "producer", "creative direction", EMMA, EMMA_IMG),
        (*dan, None),
    ]
    # Hosts by name (case and spacing aside) are the registry's person; `replace` swaps
    # the show's editor; Dan's url, given in the first episode only, is on both items.
    assert _persons(second) == [
        ("Emma Larbi", "host", "cast", EMMA, EMMA_IMG),
        ("Bob Guest", "host", "cast", None, None),
        ("Eve Editor", "audio editor", "audio post-production", None, None),
        ("Barbara Gouy", "producer", "creative direction", None, None),
        (*dan, None),
        ("Zoé Guest", "guest", "cast", None, None),
    ]


def test_pages_link_credits_to_one_page_per_person(team_show, tmp_path):
    out = _publish(team_show, tmp_path)
    page = html.parse(str(out / "episodes" / "ep1" / "index.html"))
    rows = page.xpath("//section[contains(@class, 'credits')]//dl/div")
    assert [(row.findtext("dt"), [(a.text, a.get("href")) for a in row.iter("a")]) for row in rows][
        :2
    ] == [
        ("Présentation", [("Emma Larbi", "../../people/emma-larbi/index.html")]),
        ("Montage", [("Ann Editor", "../../people/ann-editor/index.html")]),
    ]
    people = sorted(p.parent.name for p in (out / "people").glob("*/index.html"))
    assert people == [
        "ann-editor",
        "barbara-gouy",
        "bob-guest",
        "carl-dupont",
        "dan-music",
        "emma-larbi",
        "eve-editor",
        "zoe-guest",
    ]
    emma = html.parse(str(out / "people" / "emma-larbi" / "index.html"))
    assert emma.findtext(".//h1") == "Emma Larbi"
    assert emma.xpath("//main//a/@href")[0] == EMMA
    assert emma.xpath("//img[@class='person-image']/@src") == [EMMA_IMG]
    (summary,) = emma.xpath("//p[@class='person-summary']")  # the most frequent role first
    assert " ".join(summary.text_content().split()) == (
        "Présentation (2 épisodes), Réalisation (1 épisode)"
    )
    cards = emma.xpath("//li[@class='episode-card']")
    assert [
        (card.findtext(".//h3/a"), card.findtext(".//p[@class='person-roles']")) for card in cards
    ] == [("Second", "Présentation"), ("Premier", "Présentation, Réalisation")]
    assert cards[0].xpath(".//h3/a/@href") == ["../../episodes/ep2/index.html"]
    (ld,) = emma.xpath("//script[@type='application/ld+json']/text()")
    profile = json.loads(ld)
    assert profile["@type"] == "ProfilePage"
    assert profile["mainEntity"]["sameAs"] == [EMMA]


def test_episode_json_ld_puts_each_credit_under_its_schema_org_property(team_show, tmp_path):
    out = _publish(team_show, tmp_path)
    page = html.parse(str(out / "episodes" / "ep2" / "index.html"))
    (ld,) = page.xpath("//script[@type='application/ld+json']/text()")
    data = json.loads(ld)
    names = {key: [p["name"] for p in data[key]] for key in ("actor", "producer", "musicBy")}
    assert names == {
        "actor": ["Emma Larbi", "Bob Guest", "Zoé Guest"],
        "producer": ["Barbara Gouy"],
        "musicBy": ["Dan Music"],
    }
    assert data["contributor"] == [{"@type": "Person", "name": "Eve Editor"}]
    assert data["actor"][0] == {"@type": "Person", "name": "Emma Larbi", "url": EMMA}


def test_schema_org_property_of_each_kind_of_role():
    def role(name: str, group: str) -> Role:
        return Role(name, name, group)

    assert ld_property(role("guest", "cast")) == "actor"
    assert ld_property(role("executive producer", "creative direction")) == "producer"
    assert ld_property(role("director", "creative direction")) == "director"
    assert ld_property(role("theme music", "audio post-production")) == "musicBy"
    assert ld_property(role("editor", "writing")) == "editor"
    assert ld_property(role("editor", "video post-production")) == "contributor"
    assert ld_property(role("translator", "writing")) == "translator"
    assert ld_property(role("audio engineer", "audio production")) == "contributor"
    ada = PersonRef("ada", "Ada")
    twice = episode_record(
        1, credits=(CreditGroup(role("producer", "creative direction"), (ada, ada)),)
    )
    assert credits_ld(twice) == {"producer": [{"@type": "Person", "name": "Ada"}]}


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            "credits:\n  - role: Montage\n    people: [{id: emma-larbie}]\n",
            "episodes/ep1.yaml:13:19: credits[0].people[0].id: no one has the id 'emma-larbie' "
            "under people: in show.yaml (did you mean 'emma-larbi'?)",
        ),
        (
            "credits:\n  - role: Montage\n    people: [{url: https://example.org/x}]\n",
            "episodes/ep1.yaml:13:14: credits[0].people[0]: give the person's name, or the id "
            "of someone under people:",
        ),
    ],
)
def test_a_person_who_cannot_be_found_is_a_located_error(tmp_path, extra, problem):
    show = write_show(tmp_path / "show", {"ep1.yaml": episode("Un", extra)}, SHOW_WITH_PEOPLE)
    with pytest.raises(PodpubError) as caught:
        check(show, PublishOptions(now=NOW))
    assert [str(p) for p in caught.value.problems] == [problem]


def test_a_show_credit_with_an_unknown_role_is_located_in_show_yaml(tmp_path):
    show_yaml = MINIMAL_SHOW + "credits:\n  - role: Montag\n    people: [Ann]\n"
    show = write_show(tmp_path / "show", {"ep1.yaml": episode("Un")}, show_yaml)
    with pytest.raises(PodpubError) as caught:
        check(show, PublishOptions(now=NOW))
    assert [str(p) for p in caught.value.problems] == [
        "show.yaml:15:11: credits[0].role: unknown role 'Montag' "
        "(did you mean 'montage' (audio editor)?)"
    ]


def test_a_name_without_latin_letters_still_gets_a_page(tmp_path):
    extra = "credits:\n  - role: Traduction\n    people: [李明]\n"
    show = write_show(tmp_path / "show", {"ep1.yaml": episode("Un", extra)}, MINIMAL_SHOW)
    out = _publish(show, tmp_path)
    page = out / "people" / "li-ming" / "index.html"  # transliterated (issue 19, point 12)
    assert html.parse(str(page)).findtext(".//h1") == "李明"


# --- chapters --------------------------------------------------------------------------------


@pytest.fixture
def chaptered(tmp_path: Path) -> Path:
    extra = (
        "chapters:\n"
        '  - title: Générique <début> & fin\n    start: "0:00"\n'
        '  - title: Fin\n    start: "0:02.5"\n    link: https://example.org/fin\n'
    )
    show = write_show(tmp_path / "show", {"ep1.yaml": episode("Un", extra)}, MINIMAL_SHOW)
    return _publish(show, tmp_path)


EXPECTED = [
    (0, "Générique <début> & fin", None, None),
    (1, "Sénégal", "https://example.org/senegal", "https://example.org/senegal.jpg"),
    (2, "Belgorod", None, None),
    (2.5, "Fin", "https://example.org/fin", None),
]


def test_json_chapters_have_the_extra_chapters_in_time_order(chaptered):
    data = json.loads((chaptered / "episodes" / "ep1" / "chapters.json").read_text("utf-8"))
    assert data["version"] == "1.2.0"
    assert [
        (c["startTime"], c["title"], c.get("url"), c.get("img")) for c in data["chapters"]
    ] == EXPECTED


def test_podlove_simple_chapters_in_the_feed_as_podcastparser_reads_them(chaptered):
    feed = (chaptered / "feed.xml").read_bytes()
    root = etree.fromstring(feed)
    assert root.nsmap["psc"] == "http://podlove.org/simple-chapters"
    (block,) = root.findall("channel/item/psc:chapters", NS)
    assert block.get("version") == "1.2"
    assert [c.get("start") for c in block] == [
        "00:00:00.000",
        "00:00:01.000",
        "00:00:02.000",
        "00:00:02.500",
    ]
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(feed))
    chapters = parsed["episodes"][0]["chapters"]
    assert [(c["start"], c["title"], c.get("href"), c.get("image")) for c in chapters] == [
        (int(start), title, url, img) for start, title, url, img in EXPECTED
    ]


def test_webvtt_chapters_track_on_the_player(chaptered):
    page = html.parse(str(chaptered / "episodes" / "ep1" / "index.html"))
    (track,) = page.xpath("//audio/track")
    assert track.get("kind") == "chapters"
    assert track.get("srclang") == "fr"
    src = (chaptered / "episodes" / "ep1" / track.get("src")).resolve()
    assert src == (chaptered / "episodes" / "ep1" / "chapters.vtt").resolve()
    assert src.read_text("utf-8") == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:01.000\nGénérique &lt;début&gt; &amp; fin\n\n"
        "2\n00:00:01.000 --> 00:00:02.000\nSénégal\n\n"
        "3\n00:00:02.000 --> 00:00:02.500\nBelgorod\n\n"
        "4\n00:00:02.500 --> 00:00:03.030\nFin\n"
    )
    listed = page.xpath("//section[contains(@class, 'chapters')]//span[@class='chapter-title']")
    assert [span.text for span in listed] == [title for _, title, _, _ in EXPECTED]


def test_webvtt_of_long_episodes_counts_hours():
    vtt = webvtt([Chapter(3725.25, "Two"), Chapter(0, "One")], 7400).decode()
    assert "00:00:00.000 --> 01:02:05.250\nOne" in vtt
    assert "01:02:05.250 --> 02:03:20.000\nTwo" in vtt


def test_simple_chapters_must_ascend():
    psc = PscEntryExtension()
    psc.chapter(5, "Five")
    with pytest.raises(ValueError):
        psc.chapter(5, "Five again")


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            'chapters:\n  - title: Deux\n    start: "0:02"\n',
            "episodes/ep1.yaml:13:12: chapters[0].start: starts at 0:02, like the headline "
            "'Belgorod' (two chapters cannot start at the same time; move one, or drop this one)",
        ),
        (
            'chapters:\n  - title: B\n    start: "0:02.5"\n  - title: A\n    start: "0:00"\n',
            "episodes/ep1.yaml:15:12: chapters[1].start: starts at 0:00, not after the chapter "
            "before it (0:02.5) (chapters go in ascending order)",
        ),
        (
            'chapters:\n  - title: Outro\n    start: "0:04"\n',
            "episodes/ep1.yaml:13:12: chapters[0].start: starts at 0:04, after the end of the "
            "audio (0:03) (check the time or the audio file)",
        ),
    ],
)
def test_extra_chapters_are_checked_with_the_headlines(tmp_path, extra, problem):
    show = write_show(tmp_path / "show", {"ep1.yaml": episode("Un", extra)}, MINIMAL_SHOW)
    with pytest.raises(PodpubError) as caught:
        check(show, PublishOptions(now=NOW))
    assert [str(p) for p in caught.value.problems] == [problem]
