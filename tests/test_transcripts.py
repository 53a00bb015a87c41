"""Transcripts: every Podcasting 2.0 format read into cues, and shown on the episode page."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from podpub.errors import PodpubError
from podpub.resolve.records import TranscriptRecord
from podpub.resolve.transcripts import Cue, TranscriptError, best, parse, turns
from podpub.site.render import render_pages
from podpub.write.publish import PublishOptions, publish

from conftest import MINIMAL_EPISODE, NOW, REPO, write_show
from factories import site_record

VTT = """\
WEBVTT Kind: captions

NOTE a comment
that spans two lines

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Emma Larbi>Bonjour &amp; <i>bienvenue</i>
dans l'orange bleue.</v>

00:00:04.500 --> 00:00:06.000
<v.loud Emma Larbi>Au programme :

00:01:02.250 --> 00:01:05.000
<v Yara El Germany><c.yellow>Merci</c> <00:01:03.000>Emma.
"""


def test_webvtt_cues_speakers_and_times():
    assert parse(VTT.encode(), "text/vtt") == [
        Cue(1.0, "Bonjour & bienvenue dans l'orange bleue.", "Emma Larbi"),
        Cue(4.5, "Au programme :", "Emma Larbi"),
        Cue(62.25, "Merci Emma.", "Yara El Germany"),
    ]


def test_webvtt_with_windows_line_endings_and_a_byte_order_mark():
    data = ("\ufeff" + VTT).replace("\n", "\r\n").encode()
    assert [cue.start for cue in parse(data, "text/vtt")] == [1.0, 4.5, 62.25]


def test_subrip_with_speaker_names_as_the_spec_writes_them():
    srt = (
        "1\n00:00:01,000 --> 00:00:02,500\nEmma Larbi : Bonjour\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\n<i>et bienvenue.</i>\n\n"
        "3\n01:00:00,000 --> 01:00:01,000\n{\\an8}HOST: fin\n"
    )
    assert parse(srt, "application/x-subrip") == [
        Cue(1.0, "Bonjour", "Emma Larbi"),
        Cue(2.5, "et bienvenue.", None),
        Cue(3600.0, "fin", "HOST"),
    ]


def test_word_level_json_becomes_sentences():
    segments = [
        {"speaker": "Emma", "startTime": 0.5, "endTime": 0.9, "body": "Bonjour"},
        {"speaker": "Emma", "startTime": 0.9, "endTime": 1.2, "body": "à"},
        {"speaker": "Emma", "startTime": 1.2, "endTime": 1.5, "body": "tous"},
        {"speaker": "Emma", "startTime": 1.5, "endTime": 1.6, "body": "."},
        {"speaker": "Emma", "startTime": 2.0, "endTime": 2.5, "body": "Voici"},
        {"speaker": "Yara", "startTime": 3.0, "endTime": 3.5, "body": "Salut !"},
        {"startTime": 4, "endTime": 5, "body": "Sans nom"},
    ]
    data = json.dumps({"version": "1.0.0", "segments": segments})
    assert parse(data, "application/json") == [
        Cue(0.5, "Bonjour à tous.", "Emma"),
        Cue(2.0, "Voici", "Emma"),
        Cue(3.0, "Salut !", "Yara"),
        Cue(4.0, "Sans nom", "Yara"),  # no speaker: the same voice goes on
    ]


def test_html_transcript_with_cite_and_time():
    page = """<html><head><title>t</title><script>alert(1)</script></head><body>
    <cite>Kevin:</cite><time>0:00</time><p>Welcome to <b>the</b> show.</p>
    <p><cite>Dave:</cite> <time datetime="PT1M2S">1:02</time> Thanks &amp; bye.</p>
    <p>More from Dave.</p></body></html>"""
    assert parse(page, "text/html") == [
        Cue(0.0, "Welcome to the show.", "Kevin"),
        Cue(62.0, "Thanks & bye.", "Dave"),
        Cue(None, "More from Dave.", "Dave"),
    ]


def test_plain_text_paragraphs():
    assert parse("Un.\nDeux.\n\nTrois.\n", "text/plain") == [
        Cue(None, "Un. Deux."),
        Cue(None, "Trois."),
    ]
    assert parse("Une ligne\nune autre\n", "text/plain") == [
        Cue(None, "Une ligne"),
        Cue(None, "une autre"),
    ]


@pytest.mark.parametrize(
    ("mime", "data", "message"),
    [
        ("text/vtt", "1\n00:00:01.000 --> 00:00:02.000\nx\n", "line 1: a WebVTT file starts"),
        ("text/vtt", "WEBVTT\n\n00:01.000 -> 00:02.000\nx\n", "line 3: this cue has no timing"),
        ("text/vtt", "WEBVTT\n\n1\n00:01.000 --> soon\nx\n", "line 4: '00:01.000 --> soon' is"),
        ("text/vtt", "WEBVTT\n", "the transcript has no text"),
        ("application/x-subrip", "1\nhello\n", "(write 00:00:01,000 --> 00:00:04,000, after"),
        ("application/json", '{"segments": [{"body": "x"}]}', "segments[0].startTime"),
        ("application/json", '{"version": "1.0.0"', "line 1: not JSON"),
        ("application/json", "[]", "Podcasting 2.0 transcript format"),
        ("text/plain", b"caf\xe9\n", "line 1: the transcript is not UTF-8"),
    ],
)
def test_broken_files_say_where_and_how_to_fix(mime, data, message):
    with pytest.raises(TranscriptError) as caught:
        parse(data if isinstance(data, bytes) else data.encode(), mime)
    assert message in str(caught.value)


def test_turns_group_cues_by_speaker():
    cues = [Cue(0, "a", "A"), Cue(1, "b", None), Cue(2, "c", "B"), Cue(3, "d", "B")]
    grouped = turns(cues)
    assert [(t.speaker, [c.text for c in t.cues]) for t in grouped] == [
        ("A", ["a", "b"]),
        ("B", ["c", "d"]),
    ]


def _record(tmp: Path, name: str, mime: str, language: str = "fr") -> TranscriptRecord:
    return TranscriptRecord(
        source=tmp / name,
        path=f"episodes/episode-1/{name}",
        url=f"https://podcast.example.org/episodes/episode-1/{name}",
        mime=mime,
        language=language,
        captions=mime == "text/vtt",
    )


def test_the_page_shows_the_transcript_in_the_shows_language_and_richest_format(tmp_path):
    plain = _record(tmp_path, "t.txt", "text/plain")
    english = _record(tmp_path, "en.vtt", "text/vtt", "en")
    french = _record(tmp_path, "fr.vtt", "text/vtt", "fr-ca")
    assert best([plain, english, french], "fr") is french
    assert best([plain, english], "fr") is plain
    assert best([english], "fr") is english
    assert best([], "fr") is None


def _page(tmp_path: Path, records: tuple[TranscriptRecord, ...]) -> lxml.html.HtmlElement:
    site = site_record(1)
    site = replace(site, episodes=(replace(site.episodes[0], transcripts=records),))
    pages = dict(render_pages(site, []))
    return lxml.html.document_fromstring(pages["episodes/episode-1/index.html"].decode())


def test_the_transcript_on_the_page(tmp_path):
    (tmp_path / "t.vtt").write_text(VTT.replace("Emma.", "<b>Emma</b> &lt;/script&gt;."))
    (tmp_path / "t.txt").write_text("Texte brut.")
    vtt = _record(tmp_path, "t.vtt", "text/vtt")
    doc = _page(tmp_path, (vtt, _record(tmp_path, "t.txt", "text/plain")))
    (section,) = doc.xpath("//section[@id='transcript']")
    assert section.xpath("string(.//h2)") == "Transcription"
    details = section.find(".//details")
    assert details is not None and details.get("open") is None  # collapsed, no script needed
    assert details.findtext("summary") == "Lire la transcription"
    speakers = [s.text_content() for s in section.xpath(".//p[@class='speaker']")]
    assert speakers == ["Emma Larbi", "Yara El Germany"]  # once per turn
    cues = section.xpath(".//p[@class='cue']")
    assert [cue.xpath("string(span)") for cue in cues] == [
        "Bonjour & bienvenue dans l'orange bleue.",
        "Au programme :",
        "Merci Emma </script>.",  # text, escaped: the producer's markup does not reach the page
    ]
    links = section.xpath(".//a[@class='cue-time']")
    assert [a.get("href") for a in links] == [
        "../../audio/ep1.mp3#t=1",
        "../../audio/ep1.mp3#t=4.5",
        "../../audio/ep1.mp3#t=62.25",
    ]
    assert [a.get("data-start") for a in links] == ["1", "4.5", "62.25"]
    assert [a.xpath("string(time/@datetime)") for a in links] == ["PT1S", "PT4.5S", "PT62.25S"]
    assert [a.text_content() for a in links] == ["0:01", "0:04", "1:02"]
    # Both files offered for download, each with its type.
    files = section.xpath(".//p[@class='transcript-files']/a")
    assert [(a.text_content(), a.get("href"), a.get("type")) for a in files] == [
        ("WebVTT", "../../episodes/episode-1/t.vtt", "text/vtt"),
        ("Text", "../../episodes/episode-1/t.txt", "text/plain"),
    ]


def test_an_untimed_transcript_has_no_time_links(tmp_path):
    (tmp_path / "t.txt").write_text("Premier paragraphe.\n\nSecond.")
    doc = _page(tmp_path, (_record(tmp_path, "t.txt", "text/plain"),))
    section = doc.xpath("//section[@id='transcript']")[0]
    assert section.xpath(".//a[@class='cue-time']") == []
    assert section.xpath(".//p[@class='transcript-hint']") == []
    assert [p.text_content() for p in section.xpath(".//p[@class='cue']")] == [
        "Premier paragraphe.",
        "Second.",
    ]


def test_a_transcript_in_another_language_is_marked(tmp_path):
    (tmp_path / "en.txt").write_text("Hello.")
    doc = _page(tmp_path, (_record(tmp_path, "en.txt", "text/plain", "en"),))
    (body,) = doc.xpath("//div[@class='transcript-body']")
    assert body.get("lang") == "en"


def test_no_transcript_no_section():
    doc = lxml.html.document_fromstring(
        dict(render_pages(site_record(1), []))["episodes/episode-1/index.html"].decode()
    )
    assert doc.xpath("//section[@id='transcript']") == []


# --- through publish ------------------------------------------------------------------


def test_a_broken_transcript_is_a_located_problem_and_nothing_is_written(tmp_path):
    episode = MINIMAL_EPISODE + "transcripts:\n  - file: episodes/ep1.vtt\n"
    show = write_show(tmp_path / "show", {"ep1.yaml": episode})
    (show / "episodes" / "ep1.vtt").write_text("WEBVTT\n\n0:01 --> later\nx\n")
    with pytest.raises(PodpubError) as caught:
        publish(show, PublishOptions(out=tmp_path / "out", now=NOW))
    (problem,) = caught.value.problems
    assert problem.file == "episodes/ep1.yaml"
    assert problem.field == "transcripts[0].file"
    assert (problem.line, problem.column) == (12, 11)  # the file name in the descriptor
    assert "episodes/ep1.vtt: line 3: '0:01 --> later' is not a cue timing" in problem.message
    assert not (tmp_path / "out").exists()


def test_the_sample_episode_has_its_transcript_on_its_page(sample_show, tmp_path):
    out = tmp_path / "public"
    publish(sample_show, PublishOptions(out=out, now=NOW))
    slug = "2023-06-02-les-5-actus-marquantes"
    assert (out / "episodes" / slug / f"{slug}.vtt").read_bytes() == (
        REPO / "episodes" / f"{slug}.vtt"
    ).read_bytes()
    doc = lxml.html.document_fromstring((out / "episodes" / slug / "index.html").read_bytes())
    cues = doc.xpath("//section[@id='transcript']//p[@class='cue']")
    assert len(cues) == 16
    texts = [cue.xpath("string(span)") for cue in cues]
    assert texts[0] == "L'orange bleue."
    assert "Un traité contre la pollution plastique négocié à l'Unesco" in texts
    # The headline's cue starts within a second after its chapter (both timed on the audio).
    third = texts.index("Un traité contre la pollution plastique négocié à l'Unesco")
    start = float(cues[third].xpath("string(a/@data-start)"))
    assert 35 <= start < 36
