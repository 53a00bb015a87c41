"""The feed as podcast apps read it: strict lxml, feedparser and gPodder's podcastparser."""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from lxml import etree

from podpub.feed.build import EMPTY_FEED_DATE, build_feed, chapters_json
from podpub.feed.extensions import ItunesExtension, PodcastEntryExtension, PodcastExtension
from podpub.resolve.records import Chapter, PersonRef, PersonRole, Role, SiteRecord

from factories import PARIS, episode_record, show_record, site_record

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PSC = "http://podlove.org/simple-chapters"
NS = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT, "psc": PSC}
FEED_URL = "https://podcast.example.org/feed.xml"
STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
TRICKY = "Ça <coûte> 5 € & plus ]]> fin"


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, STRICT)


def channel(data: bytes) -> etree._Element:
    found = parse(data).find("channel")
    assert found is not None
    return found


def items(data: bytes) -> list[etree._Element]:
    return channel(data).findall("item")


def text(element: etree._Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    return found.text or ""


def gpodder(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = podcastparser.parse(FEED_URL, io.BytesIO(data))
    return result


@pytest.fixture(scope="module")
def site() -> SiteRecord:
    return site_record(3)


@pytest.fixture(scope="module")
def data(site: SiteRecord) -> bytes:
    return build_feed(site)


# --------------------------------------------------------------------------- document


def test_document_is_strict_rss_2_with_apples_declaration(data: bytes) -> None:
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss ')
    root = parse(data)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    assert len(root.findall("channel")) == 1
    assert len(root) == 1


def test_namespaces_are_exactly_the_five_uris_on_the_root(data: bytes) -> None:
    root = parse(data)
    assert root.nsmap == NS
    # Declared once, on the root only.
    assert data.count(b"xmlns:") == 5
    for prefix, uri in NS.items():
        assert f'xmlns:{prefix}="{uri}"'.encode() in data


def test_text_is_utf8_not_character_references(data: bytes) -> None:
    assert "Sénégal".encode() in data
    assert "—".encode() in data
    # Only the two characters the best-practice profile asks for are references.
    assert set(re.findall(rb"&#x?[0-9A-Fa-f]+;", data)) <= {b"&#x26;", b"&#x3C;"}


def test_same_records_give_byte_identical_feeds(site: SiteRecord, data: bytes) -> None:
    assert build_feed(site) == data
    assert build_feed(site_record(3)) == data  # equal records built again


def test_feedparser_reads_it_without_complaint(data: bytes) -> None:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"


# --------------------------------------------------------------------------- channel


def test_channel_title_link_language_copyright(data: bytes) -> None:
    ch = channel(data)
    assert text(ch, "title") == "L'orange bleue — les actus"
    assert text(ch, "link") == "https://podcast.example.org/"
    assert text(ch, "language") == "fr"
    assert text(ch, "copyright") == "© 2023 L'orange bleue"
    assert ch.find("docs") is None
    assert text(ch, "generator") == "podpub"
    parsed = feedparser.parse(data).feed
    assert parsed.title == "L'orange bleue — les actus"
    assert parsed.link == "https://podcast.example.org/"
    gp = gpodder(data)
    assert gp["title"] == "L'orange bleue — les actus"
    assert gp["link"] == "https://podcast.example.org/"
    assert gp["language"] == "fr"


def test_channel_description_is_html_in_cdata(data: bytes) -> None:
    html = "<p>Chaque semaine, L'orange bleue revient sur l'actu.</p>"
    assert f"<description><![CDATA[{html}]]></description>".encode() in data
    assert text(channel(data), "description") == html
    assert gpodder(data)["description"] == html


def test_atom_self_link(data: bytes) -> None:
    links = channel(data).findall("atom:link", NS)
    assert [dict(link.attrib) for link in links] == [
        {"href": FEED_URL, "rel": "self", "type": "application/rss+xml"}
    ]


def test_last_build_date_is_the_newest_episode(site: SiteRecord, data: bytes) -> None:
    value = text(channel(data), "lastBuildDate")
    newest = max(e.published for e in site.episodes)
    assert value == email.utils.format_datetime(newest)
    assert email.utils.parsedate_to_datetime(value) == newest


def test_feed_without_episodes_has_a_fixed_last_build_date() -> None:
    empty = replace(site_record(0), build_time=dt.datetime(2030, 5, 5, tzinfo=dt.UTC))
    data = build_feed(empty)
    assert items(data) == []
    value = text(channel(data), "lastBuildDate")
    assert value == "Thu, 01 Jan 1970 00:00:00 +0000"
    assert email.utils.parsedate_to_datetime(value) == EMPTY_FEED_DATE
    assert build_feed(site_record(0)) == data  # build_time plays no part


def test_itunes_channel_tags(data: bytes) -> None:
    ch = channel(data)
    image = ch.find("itunes:image", NS)
    assert image is not None
    assert dict(image.attrib) == {"href": "https://podcast.example.org/cover.png"}
    assert image.text is None
    assert text(ch, "itunes:explicit") == "false"
    assert text(ch, "itunes:author") == "L'orange bleue"
    assert text(ch, "itunes:owner/itunes:name") == "L'orange bleue"
    assert text(ch, "itunes:owner/itunes:email") == "podcast@example.org"
    assert text(ch, "itunes:type") == "episodic"
    for absent in ("new-feed-url", "block", "complete", "summary", "keywords"):
        assert ch.find(f"itunes:{absent}", NS) is None
    gp = gpodder(data)
    assert gp["cover_url"] == "https://podcast.example.org/cover.png"
    assert gp["explicit"] is False
    assert gp["itunes_owner"] == {"name": "L'orange bleue", "email": "podcast@example.org"}
    assert gp["type"] == "episodic"


def test_category_tree_is_parent_with_nested_subcategory(data: bytes) -> None:
    assert re.search(
        rb'<itunes:category text="News">\s*<itunes:category text="Daily News"/>\s*'
        rb"</itunes:category>",
        data,
    )
    categories = channel(data).findall("itunes:category", NS)
    assert len(categories) == 1
    (news,) = categories
    assert dict(news.attrib) == {"text": "News"}
    assert [(child.tag, dict(child.attrib), len(child)) for child in news] == [
        (f"{{{ITUNES}}}category", {"text": "Daily News"}, 0)
    ]
    assert gpodder(data)["itunes_categories"] == [["News", "Daily News"]]


def test_category_ampersand_is_escaped_and_lone_category_has_no_child() -> None:
    site = site_record(1, categories=(("Society & Culture", "Documentary"), ("History", None)))
    data = build_feed(site)
    assert b'<itunes:category text="Society &amp; Culture">' in data
    assert b'<itunes:category text="History"/>' in data
    assert gpodder(data)["itunes_categories"] == [["Society & Culture", "Documentary"], ["History"]]


def test_explicit_show_says_true() -> None:
    data = build_feed(site_record(1, explicit=True))
    assert text(channel(data), "itunes:explicit") == "true"
    assert gpodder(data)["explicit"] is True


def test_serial_show_type() -> None:
    data = build_feed(site_record(1, show_type="serial"))
    assert text(channel(data), "itunes:type") == "serial"
    assert gpodder(data)["type"] == "serial"


def test_podcast_guid_locked_and_channel_person(data: bytes) -> None:
    ch = channel(data)
    assert text(ch, "podcast:guid") == "6c967fe4-ab76-51b1-aec1-bde9677f87cb"
    locked = ch.find("podcast:locked", NS)
    assert locked is not None
    assert locked.text == "yes"
    assert dict(locked.attrib) == {"owner": "podcast@example.org"}
    persons = ch.findall("podcast:person", NS)
    assert [(p.text, dict(p.attrib)) for p in persons] == [
        ("Emma Larbi", {"role": "host", "group": "cast"})
    ]
    parsed = feedparser.parse(data).feed
    assert parsed.podcast_guid == "6c967fe4-ab76-51b1-aec1-bde9677f87cb"


def test_person_href_and_img_when_known_and_role_group_lower_case() -> None:
    ada = PersonRef(
        id="ada", name="Ada", url="https://example.org/ada", image="https://example.org/ada.jpg"
    )
    cohost = Role(label="Co-animation", role="Co-Host", group="Cast")
    show = {"persons": (PersonRole(ada, cohost),)}
    data = build_feed(site_record(1, **show))
    (person,) = channel(data).findall("podcast:person", NS)
    assert person.text == "Ada"
    assert dict(person.attrib) == {
        "role": "co-host",
        "group": "cast",
        "href": "https://example.org/ada",
        "img": "https://example.org/ada.jpg",
    }


# --------------------------------------------------------------------------- items


def test_items_count_and_order_are_the_records(site: SiteRecord, data: bytes) -> None:
    guids = [e.guid for e in site.episodes]  # newest first
    assert [text(item, "guid") for item in items(data)] == guids
    assert [e.id for e in feedparser.parse(data).entries] == guids
    assert [e["guid"] for e in gpodder(data)["episodes"]] == guids


def test_item_title_link_and_itunes_title(site: SiteRecord, data: bytes) -> None:
    episode = site.episodes[0]
    item = items(data)[0]
    assert text(item, "title") == episode.title == "Les actus <n°3> & co"
    assert text(item, "itunes:title") == episode.title
    assert text(item, "link") == episode.page_url
    assert feedparser.parse(data).entries[0].title == episode.title
    gp = gpodder(data)["episodes"][0]
    assert gp["title"] == episode.title
    assert gp["link"] == episode.page_url


def test_guid_is_not_a_permalink(site: SiteRecord, data: bytes) -> None:
    for item, episode in zip(items(data), site.episodes, strict=True):
        (guid,) = item.findall("guid")
        assert guid.text == episode.guid
        assert dict(guid.attrib) == {"isPermaLink": "false"}
    for entry in feedparser.parse(data).entries:
        assert entry.guidislink is False


def test_enclosure_url_length_and_type(site: SiteRecord, data: bytes) -> None:
    episode = site.episodes[0]
    (enclosure,) = items(data)[0].findall("enclosure")
    assert dict(enclosure.attrib) == {
        "url": episode.enclosure_url,
        "length": "123456",
        "type": "audio/mpeg",
    }
    (fp,) = feedparser.parse(data).entries[0].enclosures
    assert (fp.href, fp.length, fp.type) == (episode.enclosure_url, "123456", "audio/mpeg")
    (gp,) = gpodder(data)["episodes"][0]["enclosures"]
    assert gp == {"url": episode.enclosure_url, "file_size": 123456, "mime_type": "audio/mpeg"}


def test_exact_audio_size_and_mime_are_used() -> None:
    audio = replace(episode_record(1).audio, size=98_765_432, mime="audio/x-m4a")
    episode = episode_record(1, audio=audio)
    site = replace(site_record(0), episodes=(episode,))
    (enclosure,) = items(build_feed(site))[0].findall("enclosure")
    assert enclosure.get("length") == "98765432"
    assert enclosure.get("type") == "audio/x-m4a"


@pytest.mark.parametrize(("seconds", "expected"), [(61.2, 61), (61.6, 62), (3600.0, 3600)])
def test_duration_is_whole_seconds(seconds: float, expected: int) -> None:
    audio = replace(episode_record(1).audio, duration=seconds)
    site = replace(site_record(0), episodes=(episode_record(1, audio=audio),))
    data = build_feed(site)
    assert text(items(data)[0], "itunes:duration") == str(expected)
    assert feedparser.parse(data).entries[0].itunes_duration == str(expected)
    assert gpodder(data)["episodes"][0]["total_time"] == expected


def test_item_explicit_false_and_true() -> None:
    site = replace(
        site_record(0),
        episodes=(episode_record(2, explicit=True), episode_record(1, explicit=False)),
    )
    data = build_feed(site)
    assert [text(item, "itunes:explicit") for item in items(data)] == ["true", "false"]
    assert [e["explicit"] for e in gpodder(data)["episodes"]] == [True, False]


def test_pubdate_is_rfc2822_in_paris_offset_with_right_weekday(data: bytes) -> None:
    value = text(items(data)[-1], "pubDate")  # episode 1: Friday 2 June 2023, 18:00 Paris
    assert value == "Fri, 02 Jun 2023 18:00:00 +0200"
    assert RFC2822.match(value)
    parsed = email.utils.parsedate_to_datetime(value)
    assert parsed == dt.datetime(2023, 6, 2, 18, 0, tzinfo=PARIS)
    assert value[:3] == parsed.strftime("%a") == "Fri"
    entry = feedparser.parse(data).entries[-1]
    assert tuple(entry.published_parsed)[:6] == (2023, 6, 2, 16, 0, 0)  # UTC
    assert gpodder(data)["episodes"][-1]["published"] == parsed.timestamp()


def test_pubdate_in_winter_uses_the_winter_offset() -> None:
    published = dt.datetime(2024, 3, 5, 19, 0, tzinfo=PARIS)  # a Tuesday, CET
    site = replace(site_record(0), episodes=(episode_record(1, published=published),))
    data = build_feed(site)
    value = text(items(data)[0], "pubDate")
    assert value == "Tue, 05 Mar 2024 19:00:00 +0100"
    assert value == email.utils.format_datetime(published)


def test_every_pubdate_matches_email_utils(site: SiteRecord, data: bytes) -> None:
    for item, episode in zip(items(data), site.episodes, strict=True):
        assert text(item, "pubDate") == email.utils.format_datetime(episode.published)


def test_item_description_and_content_encoded_in_cdata(site: SiteRecord, data: bytes) -> None:
    episode = site.episodes[0]
    item = items(data)[0]
    assert text(item, "description") == episode.feed_description
    assert text(item, "content:encoded") == episode.feed_content
    assert f"<description><![CDATA[{episode.feed_description}]]></description>".encode() in data
    assert f"<content:encoded><![CDATA[{episode.feed_content}]]></content:encoded>".encode() in data
    entry = feedparser.parse(data).entries[0]
    assert entry.summary == episode.feed_description
    assert entry.content[0].value == episode.feed_content
    assert gpodder(data)["episodes"][0]["description_html"] == episode.feed_content


def test_itunes_and_podcast_numbers() -> None:
    site = replace(
        site_record(0),
        episodes=(
            episode_record(2, season=3, episode_type="bonus"),
            episode_record(1, number=None, chapters_url=None, chapters_path=None),
        ),
    )
    first, second = items(build_feed(site))
    assert text(first, "itunes:episode") == "2"
    assert text(first, "itunes:season") == "3"
    assert text(first, "itunes:episodeType") == "bonus"
    assert text(first, "podcast:episode") == "2"
    assert text(first, "podcast:season") == "3"
    for tag in ("itunes:episode", "itunes:season", "podcast:episode", "podcast:season"):
        assert second.find(tag, NS) is None
    assert second.find("podcast:chapters", NS) is None
    assert text(second, "itunes:episodeType") == "full"


def test_item_persons_are_the_full_list_with_role_and_group(data: bytes) -> None:
    persons = items(data)[0].findall("podcast:person", NS)
    assert len(persons) == 5  # the host, then the four producers (the host again among them)
    assert [(p.text, p.get("role"), p.get("group")) for p in persons] == [
        ("Emma Larbi", "host", "cast"),
        ("Barbara Gouy", "producer", "creative direction"),
        ("Benjamin Milkoff", "producer", "creative direction"),
        ("Emma Larbi", "producer", "creative direction"),
        ("Titouan Allain", "producer", "creative direction"),
    ]
    for person in persons:
        assert set(person.attrib) == {"role", "group"}  # no href/img: unknown


def test_podcast_chapters_url_and_type(site: SiteRecord, data: bytes) -> None:
    (chapters,) = items(data)[0].findall("podcast:chapters", NS)
    assert dict(chapters.attrib) == {
        "url": site.episodes[0].chapters_url,
        "type": "application/json+chapters",
    }


def test_title_and_html_with_markup_characters_round_trip() -> None:
    description = f"<p>{TRICKY.replace('&', '&amp;').replace('<', '&lt;')}</p>"
    episode = episode_record(
        1, title=TRICKY, feed_description=description, feed_content=f"{description}]]>"
    )
    site = replace(site_record(0, title=TRICKY), episodes=(episode,))
    data = build_feed(site)
    item = items(data)[0]
    assert text(channel(data), "title") == TRICKY
    assert text(item, "title") == TRICKY
    assert text(item, "itunes:title") == TRICKY
    assert text(item, "description") == description
    assert text(item, "content:encoded") == f"{description}]]>"
    assert b"]]]]><![CDATA[>" in data  # CDATA split around the "]]>" (DOC-05)
    # The RSS best-practice profile's hexadecimal references in plain text (W3C validator).
    assert "<title>Ça &#x3C;coûte&gt; 5 € &#x26; plus ]]&gt; fin</title>".encode() in data
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.feed.title == TRICKY
    assert parsed.entries[0].title == TRICKY
    assert gpodder(data)["episodes"][0]["title"] == TRICKY
    assert gpodder(data)["title"] == TRICKY


# --------------------------------------------------------------------------- chapters


def test_chapters_json_is_valid_and_ascending() -> None:
    episode = episode_record(1)
    data = chapters_json(episode, show_record())
    document = json.loads(data.decode("utf-8"))
    assert document == {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Intro"},
            {"startTime": 12.5, "title": "Sénégal"},
            {"startTime": 30, "title": "Belgorod"},
        ],
        "title": "Les actus <n°1> & co",
        "podcastName": "L'orange bleue — les actus",
    }
    starts = [c["startTime"] for c in document["chapters"]]
    assert starts == sorted(starts)
    assert all(isinstance(s, int | float) and not isinstance(s, bool) for s in starts)
    assert type(starts[0]) is int
    assert "Sénégal".encode() in data  # UTF-8, not \u escapes
    assert chapters_json(episode, show_record()) == data


def test_chapters_json_url_img_and_order() -> None:
    chapters = (
        Chapter(90.0, "Suite", url="https://example.org/s", img="https://example.org/s.jpg"),
        Chapter(0.0, "Début"),
    )
    document = json.loads(chapters_json(episode_record(1, chapters=chapters), show_record()))
    assert document["chapters"] == [
        {"startTime": 0, "title": "Début"},
        {
            "startTime": 90,
            "title": "Suite",
            "url": "https://example.org/s",
            "img": "https://example.org/s.jpg",
        },
    ]


# --------------------------------------------------------------------------- extensions


def _channel_element() -> tuple[etree._Element, etree._Element]:
    root = etree.Element("rss", nsmap={"itunes": ITUNES, "podcast": PODCAST})
    return root, etree.SubElement(root, "channel")


def test_itunes_block_complete_and_new_feed_url_only_when_set() -> None:
    root, ch = _channel_element()
    ext = ItunesExtension()
    ext.extend_rss(root)
    assert len(ch) == 0
    ext.block(True)
    ext.complete(True)
    ext.new_feed_url("https://new.example.org/feed.xml")
    ext.extend_rss(root)
    assert text(ch, "itunes:block") == "Yes"
    assert text(ch, "itunes:complete") == "Yes"
    assert text(ch, "itunes:new-feed-url") == "https://new.example.org/feed.xml"


def test_extension_values_are_checked() -> None:
    itunes = ItunesExtension()
    with pytest.raises(ValueError):
        itunes.show_type("weekly")
    with pytest.raises(ValueError):
        itunes.owner("Name only")
    podcast = PodcastEntryExtension()
    with pytest.raises(ValueError):
        podcast.season(0)
    with pytest.raises(ValueError):
        podcast.person("  ")


def test_podcast_extension_declares_its_namespace() -> None:
    assert PodcastExtension().extend_ns() == {"podcast": PODCAST}
    assert ItunesExtension().extend_ns() == {"itunes": ITUNES}


def test_podcast_episode_accepts_a_decimal() -> None:
    item = etree.Element("item")
    ext = PodcastEntryExtension()
    ext.episode(315.5, display="Ep. 315½")
    ext.extend_rss(item)
    (episode,) = item
    assert (episode.text, dict(episode.attrib)) == ("315.5", {"display": "Ep. 315½"})


def test_hex_references_only_in_element_text_never_in_attributes_or_cdata() -> None:
    episode = episode_record(
        1,
        title="Q&A <live>",
        feed_description="<p>Q&amp;A</p>",
        enclosure_url="https://cdn.example.org/a.mp3?x=1&y=2",
    )
    site = replace(site_record(0, author="Tom & Jerry"), episodes=(episode,))
    data = build_feed(site)
    assert b"<title>Q&#x26;A &#x3C;live&gt;</title>" in data
    assert b"<itunes:author>Tom &#x26; Jerry</itunes:author>" in data
    assert b'url="https://cdn.example.org/a.mp3?x=1&amp;y=2"' in data  # an attribute
    assert b"<![CDATA[<p>Q&amp;A</p>]]>" in data  # the HTML of the description, as is
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.entries[0].title == "Q&A <live>"
    assert parsed.entries[0].enclosures[0].href == "https://cdn.example.org/a.mp3?x=1&y=2"


# --- notes written once ------------------------------------------------------------------


def _published_items(tmp_path: Path, episode: str) -> list[etree._Element]:
    from podpub.cli import main

    from conftest import write_show

    show = write_show(tmp_path / "show", {"ep1.yaml": episode})
    assert main(["publish", str(show), "--out", str(tmp_path / "out"), "-q"]) == 0
    return items((tmp_path / "out" / "feed.xml").read_bytes())


def test_notes_that_content_encoded_would_repeat_are_written_once(tmp_path: Path) -> None:
    # an imported show: long notes, no headlines, no credits; twice over, a 2 MB feed of
    # 1,000 such episodes went past the 4 MB size budget
    notes = "Notes about this episode, with [a link](https://example.org/). " * 25
    episode = f"title: One\ndate: 2023-06-02\naudio: audio/tone.mp3\nsummary: |\n  {notes}\n"
    (item,) = _published_items(tmp_path, episode)
    assert "Notes about this episode" in text(item, "description")
    assert item.find("content:encoded", NS) is None


def test_content_encoded_stays_when_it_says_more_than_the_description(tmp_path: Path) -> None:
    episode = (
        "title: One\ndate: 2023-06-02\naudio: audio/tone.mp3\nsummary: Short notes.\n"
        "headlines:\n  - title: Topic\n    start: '0:00'\n    text: What was said.\n"
    )
    (item,) = _published_items(tmp_path, episode)
    assert "What was said." in text(item, "content:encoded")
    assert "What was said." not in text(item, "description")
