"""The optional feed tags: written only when asked for, from the descriptor's values, with
every extra audio file probed like the episodes' own; feed moves, and a feed that
outgrows its budget (max_items, RFC 5005 pages)."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from podpub.errors import PodpubError
from podpub.media.probe import probe
from podpub.resolve.resolver import PlanOptions, probe_sequentially, resolve
from podpub.rules.checker import check_show
from podpub.write.publish import PublishOptions, publish

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

PODCAST = "https://podcastindex.org/namespace/1.0"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"podcast": PODCAST, "itunes": ITUNES, "atom": ATOM}
OPTIONAL = {
    "funding",
    "license",
    "location",
    "medium",
    "trailer",
    "txt",
    "updateFrequency",
    "podroll",
    "soundbite",
    "alternateEnclosure",
    "transcript",
}


def episode(n: int, audio: str = "audio/tone.mp3", extra: str = "") -> str:
    return f"title: Episode title {n}\ndate: 2023-06-{n:02d}\naudio: {audio}\n{extra}"


def feed_of(show: Path, tmp_path: Path, **options: object) -> etree._Element:
    out = tmp_path / "public"
    publish(show, PublishOptions(out=out, now=NOW, **options))  # type: ignore[arg-type]
    return etree.fromstring((out / "feed.xml").read_bytes())


def podcast_tags(root: etree._Element) -> set[str]:
    return {e.tag.split("}")[1] for e in root.iter() if str(e.tag).startswith(f"{{{PODCAST}}}")}


def test_a_show_that_asks_for_nothing_gets_no_optional_tag(small_show: Path, tmp_path) -> None:
    root = feed_of(small_show, tmp_path)
    assert podcast_tags(root) & OPTIONAL == set()
    assert root.find(".//itunes:new-feed-url", NS) is None


SHOW_EXTRAS = """\
guid: 375e050f-7f52-5e9b-9cfc-9414515d1a5b
funding:
  - url: https://podcast.example.org/support/
    text: Support us
license: CC-BY-NC-4.0
location: Paris
medium: music
txt:
  - applepodcastsverify-code
update_frequency:
  text: Every Friday
  rrule: FREQ=WEEKLY;BYDAY=FR
trailers:
  - title: Our trailer
    audio: audio/tone.m4a
    date: 2023-05-30 08:00
podroll:
  - feed_guid: 9b024349-ccf0-5f69-a609-6b82873eab3c
"""


def test_show_level_tags_carry_the_descriptor_values(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + SHOW_EXTRAS)
    channel = feed_of(show, tmp_path).find("channel")
    funding = channel.find("podcast:funding", NS)
    assert (funding.get("url"), funding.text) == (
        "https://podcast.example.org/support/",
        "Support us",
    )
    assert channel.find("podcast:license", NS).text == "CC-BY-NC-4.0"
    assert channel.find("podcast:location", NS).text == "Paris"
    assert channel.find("podcast:medium", NS).text == "music"
    txt = channel.find("podcast:txt", NS)
    assert (txt.text, txt.get("purpose")) == ("applepodcastsverify-code", None)
    frequency = channel.find("podcast:updateFrequency", NS)
    assert (frequency.text, frequency.get("rrule")) == ("Every Friday", "FREQ=WEEKLY;BYDAY=FR")
    trailer = channel.find("podcast:trailer", NS)
    assert trailer.text == "Our trailer"
    assert trailer.get("url") == "https://podcast.example.org/audio/tone.m4a"
    assert trailer.get("length") == str((show / "audio" / "tone.m4a").stat().st_size)
    assert trailer.get("type") == "audio/x-m4a"
    assert trailer.get("pubdate") == "Tue, 30 May 2023 08:00:00 +0200"
    remote = channel.find("podcast:podroll/podcast:remoteItem", NS)
    assert remote.get("feedGuid") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_alternate_audio_is_probed_and_published_beside_the_enclosure(tmp_path: Path) -> None:
    extra = "alternate_audio:\n  - audio/tone.opus\n  - file: audio/tone.flac\n    title: FLAC\n"
    show = write_show(tmp_path / "show", {"ep1.yaml": episode(2, extra=extra)})
    item = feed_of(show, tmp_path).find("channel/item")
    assert item.find("enclosure").get("type") == "audio/mpeg"  # the first file stays it
    alternates = item.findall("podcast:alternateEnclosure", NS)
    got = [
        (a.get("type"), a.get("length"), a.get("codecs"), a.get("title"),
         a.find("podcast:source", NS).get("uri"))
        for a in alternates
    ]  # fmt: skip
    opus, flac = probe(show / "audio" / "tone.opus"), probe(show / "audio" / "tone.flac")
    assert got == [
        ("audio/ogg", str(opus.size), "opus", None, "https://podcast.example.org/audio/tone.opus"),
        (
            "audio/flac",
            str(flac.size),
            "flac",
            "FLAC",
            "https://podcast.example.org/audio/tone.flac",
        ),
    ]
    assert alternates[0].get("bitrate") == str(opus.bitrate)
    assert (tmp_path / "public" / "audio" / "tone.opus").is_file()
    assert (tmp_path / "public" / "audio" / "tone.flac").is_file()


def test_every_audio_file_is_probed_once(tmp_path: Path) -> None:
    """Episode audio, alternates and trailers go through one prober, each file once."""
    episodes = {
        "ep1.yaml": episode(2, extra="alternate_audio: [audio/tone.opus, audio/tone.m4a]\n"),
        "ep2.yaml": episode(
            3, audio="audio/tone.m4a", extra="alternate_audio: [audio/tone.opus]\n"
        ),
    }
    trailer = "trailers:\n  - {title: T, audio: audio/tone.mp3, date: 2023-05-01}\n"
    show = write_show(tmp_path / "show", episodes, MINIMAL_SHOW + trailer)
    calls: list[list[Path]] = []

    def counting(paths: list[Path]):  # type: ignore[no-untyped-def]
        calls.append(list(paths))
        return probe_sequentially(paths)

    site = resolve(show, PlanOptions(now=NOW), prober=counting)
    assert len(calls) == 1
    names = sorted(path.name for path in calls[0])
    assert names == ["tone.m4a", "tone.mp3", "tone.opus"]
    assert [a.audio.mime for a in site.episodes[1].extras.alternates] == [
        "audio/ogg",
        "audio/x-m4a",
    ]


def test_an_alternate_that_is_not_audio_is_located_in_its_descriptor(tmp_path: Path) -> None:
    from conftest import AUDIO

    extra = "alternate_audio:\n  - audio/text.mp3\n"
    show = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE + extra})
    (show / "audio" / "text.mp3").write_bytes((AUDIO / "text.mp3").read_bytes())
    with pytest.raises(PodpubError) as caught:
        resolve(show, PlanOptions(now=NOW))
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == ("episodes/ep1.yaml", "alternate_audio[0].file")
    assert problem.line == len(MINIMAL_EPISODE.splitlines()) + 2


def test_episode_level_tags_and_transcripts(tmp_path: Path) -> None:
    (tmp_path / "show").mkdir()
    extra = (
        "soundbites:\n  - {start: '0:00.5', end: '0:02', title: Best bit}\n"
        "funding: [{url: 'https://podcast.example.org/tip/', text: Tip}]\n"
        "license: {name: house-licence, url: 'https://podcast.example.org/licence/'}\n"
        "location: [{name: Lyon, country: FR, geo: 'geo:45.75,4.85', rel: creator}]\n"
        "txt: [{text: 'false', purpose: ai-content}]\n"
        "transcripts: [{file: episodes/ep1.vtt}, {file: episodes/ep1.srt, language: en}]\n"
    )
    show = write_show(tmp_path / "show", {"ep1.yaml": episode(2, extra=extra)})
    (show / "episodes" / "ep1.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n")
    (show / "episodes" / "ep1.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n")
    item = feed_of(show, tmp_path).find("channel/item")
    bite = item.find("podcast:soundbite", NS)
    assert (bite.get("startTime"), bite.get("duration"), bite.text) == ("0.5", "1.5", "Best bit")
    assert item.find("podcast:funding", NS).text == "Tip"
    assert item.find("podcast:license", NS).get("url") == "https://podcast.example.org/licence/"
    place = item.find("podcast:location", NS)
    assert (place.text, place.get("rel"), place.get("country")) == ("Lyon", "creator", "FR")
    assert item.find("podcast:txt", NS).get("purpose") == "ai-content"
    transcripts = [
        (t.get("type"), t.get("language"), t.get("rel"))
        for t in item.findall("podcast:transcript", NS)
    ]
    assert transcripts == [
        ("text/vtt", "fr", "captions"),
        ("application/x-subrip", "en", "captions"),
    ]
    url = item.find("podcast:transcript", NS).get("url")
    assert (tmp_path / "public" / url.removeprefix("https://podcast.example.org/")).is_file()


# --------------------------------------------------------------------------- feed moves


def test_a_pinned_guid_survives_the_move_and_new_feed_url_is_written(tmp_path: Path) -> None:
    pinned = "guid: 375e050f-7f52-5e9b-9cfc-9414515d1a5b\n"
    old = write_show(
        tmp_path / "old",
        show=MINIMAL_SHOW + pinned + "new_feed_url: https://new.example.org/feed.xml\n",
    )
    old_channel = feed_of(old, tmp_path / "a").find("channel")
    assert old_channel.find("itunes:new-feed-url", NS).text == "https://new.example.org/feed.xml"
    new = write_show(
        tmp_path / "new",
        show=MINIMAL_SHOW.replace("https://podcast.example.org/", "https://new.example.org/")
        + pinned,
    )
    new_channel = feed_of(new, tmp_path / "b").find("channel")
    assert new_channel.find("podcast:guid", NS).text == old_channel.find("podcast:guid", NS).text
    old_items = {g.text for g in old_channel.iter("guid")}
    assert {g.text for g in new_channel.iter("guid")} == old_items  # item GUIDs too


# --------------------------------------------------------------------------- size budget


def three_episodes(tmp_path: Path, show_extra: str = "") -> Path:
    episodes = {
        "ep1.yaml": episode(2),
        "ep2.yaml": episode(9, audio="audio/tone.m4a"),
        "ep3.yaml": episode(16, audio="audio/tone-vbr.mp3"),
    }
    return write_show(tmp_path / "show", episodes, MINIMAL_SHOW + show_extra)


def test_max_items_trims_the_feed_but_says_so_and_keeps_the_site(tmp_path: Path) -> None:
    show = three_episodes(tmp_path)
    report = check_show(show, PublishOptions(now=NOW, max_items=2))
    note = next(p for p in report.problems if p.field == "max_items")
    assert note.level == "info" and "newest 2 of 3 episodes" in note.message
    root = feed_of(show, tmp_path, max_items=2)
    assert [t.text for t in root.iter("title")][1:] == ["Episode title 16", "Episode title 9"]
    assert len(list((tmp_path / "public" / "episodes").iterdir())) == 3  # every page stays


def test_paged_feed_links_its_pages_and_every_app_finds_the_next_one(tmp_path: Path) -> None:
    show = three_episodes(tmp_path, "feed_page_size: 1\n")
    out = tmp_path / "public"
    publish(show, PublishOptions(out=out, now=NOW))
    assert sorted(p.name for p in out.glob("feed*.xml")) == ["feed-2.xml", "feed-3.xml", "feed.xml"]
    base = "https://podcast.example.org/"
    pages = {
        name: etree.fromstring((out / name).read_bytes()).find("channel")
        for name in ("feed.xml", "feed-2.xml", "feed-3.xml")
    }
    links = {
        name: {a.get("rel"): a.get("href") for a in channel.findall("atom:link", NS)}
        for name, channel in pages.items()
    }
    assert links["feed.xml"] == {
        "self": base + "feed.xml",
        "first": base + "feed.xml",
        "next": base + "feed-2.xml",
        "last": base + "feed-3.xml",
    }
    assert links["feed-2.xml"]["previous"] == base + "feed.xml"
    assert links["feed-2.xml"]["next"] == base + "feed-3.xml"
    assert "next" not in links["feed-3.xml"]
    titles = [[i.findtext("title") for i in c.findall("item")] for c in pages.values()]
    assert titles == [["Episode title 16"], ["Episode title 9"], ["Episode title 2"]]
    data = (out / "feed.xml").read_bytes()
    gpodder = podcastparser.parse(base + "feed.xml", io.BytesIO(data))
    assert gpodder["paged_feed_next"] == base + "feed-2.xml"
    assert {"rel": "next", "href": base + "feed-2.xml", "type": "application/rss+xml"} in (
        feedparser.parse(data).feed.links
    )
    # Every page passes the rules on its own (publish would have refused otherwise).
    assert check_show(show, PublishOptions(now=NOW)).errors == []


def test_the_budget_is_configurable_and_a_feed_over_it_is_refused(tmp_path: Path) -> None:
    show = three_episodes(tmp_path, "feed_size: {warn: 1 kB, error: 3 kB}\n")
    with pytest.raises(PodpubError) as caught:
        publish(show, PublishOptions(out=tmp_path / "public", now=NOW))
    (problem,) = [p for p in caught.value.problems if getattr(p, "rule", "") == "SIZE-01"]
    assert problem.level == "error" and problem.field == "feed_size"
    assert "over the budget of 3,000 bytes" in problem.message
    assert not (tmp_path / "public").exists()
    paged = show / "show.yaml"
    paged.write_text(paged.read_text() + "feed_page_size: 1\n")
    publish(show, PublishOptions(out=tmp_path / "public", now=NOW))  # each page fits
