"""The feed rules, one at a time, on the reference feed of podcast-feed-rules.md (Appendix A).

The reference feed passes every rule; each test changes one thing in it and expects the
one rule that guards that thing to say so, located in the feed (line and path), with its
level and the directory or app it matters to.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from podpub.resolve.guids import podcast_guid
from podpub.rules.engine import FeedContext, FeedPage, Finding
from podpub.rules.locate import FeedLocator
from podpub.rules.resources import LocalResources
from podpub.rules.run import run_rules

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEED_URL = "https://example.com/podcast/feed.xml"
COVER = "https://example.com/podcast/cover-3000.jpg"
EPISODE_IMAGE = "https://example.com/podcast/ep001-3000.jpg"
CHAPTERS = "https://example.com/podcast/ep001.chapters.json"
VTT = "https://example.com/podcast/ep001.vtt"
HTML = "https://example.com/podcast/ep001.html"

REFERENCE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <title>Example Show</title>
    <link>https://example.com/podcast/</link>
    <description><![CDATA[<p>A show about examples. <a href="https://example.com/">Website</a></p>]]></description>
    <language>en-us</language>
    <copyright>© 2026 Example Media</copyright>
    <lastBuildDate>Tue, 05 Mar 2024 19:05:00 GMT</lastBuildDate>
    <atom:link href="https://example.com/podcast/feed.xml" rel="self" type="application/rss+xml"/>
    <atom:link href="https://pubsubhubbub.appspot.com/" rel="hub"/>
    <itunes:image href="https://example.com/podcast/cover-3000.jpg"/>
    <itunes:category text="Society &amp; Culture">
      <itunes:category text="Documentary"/>
    </itunes:category>
    <itunes:explicit>false</itunes:explicit>
    <itunes:author>Example Media</itunes:author>
    <itunes:owner>
      <itunes:name>Example Media</itunes:name>
      <itunes:email>podcast@example.com</itunes:email>
    </itunes:owner>
    <itunes:type>episodic</itunes:type>
    <podcast:guid>6c967fe4-ab76-51b1-aec1-bde9677f87cb</podcast:guid>
    <podcast:locked owner="podcast@example.com">yes</podcast:locked>
    <podcast:medium>podcast</podcast:medium>
    <podcast:person role="host" href="https://example.com/people/ada"
                    img="https://example.com/people/ada.jpg">Ada Example</podcast:person>
    <podcast:funding url="https://example.com/support">Support the show</podcast:funding>
    <podcast:updateFrequency rrule="FREQ=WEEKLY">Weekly</podcast:updateFrequency>
    <item>
      <title>How Examples Work</title>
      <itunes:title>How Examples Work</itunes:title>
      <link>https://example.com/podcast/episodes/how-examples-work/</link>
      <guid isPermaLink="false">8f0c2a4e-3f5b-4b7e-9d7a-2c1d5e6f7a80</guid>
      <pubDate>Tue, 05 Mar 2024 19:00:00 GMT</pubDate>
      <description><![CDATA[<p>We explain examples.</p><ul><li>Point one</li></ul>]]></description>
      <content:encoded><![CDATA[<p>We <strong>explain</strong> examples.</p>]]></content:encoded>
      <enclosure url="https://cdn.example.com/ep001.mp3" length="24986239" type="audio/mpeg"/>
      <itunes:duration>1561</itunes:duration>
      <itunes:image href="https://example.com/podcast/ep001-3000.jpg"/>
      <itunes:explicit>false</itunes:explicit>
      <itunes:episode>1</itunes:episode>
      <itunes:season>1</itunes:season>
      <itunes:episodeType>full</itunes:episodeType>
      <podcast:season>1</podcast:season>
      <podcast:episode>1</podcast:episode>
      <podcast:transcript url="https://example.com/podcast/ep001.vtt" type="text/vtt"
                          rel="captions"/>
      <podcast:transcript url="https://example.com/podcast/ep001.html" type="text/html"/>
      <podcast:chapters url="https://example.com/podcast/ep001.chapters.json"
                        type="application/json+chapters"/>
      <podcast:soundbite startTime="73.0" duration="60.0"/>
      <podcast:person role="host" href="https://example.com/people/ada">Ada Example</podcast:person>
      <podcast:person role="guest" href="https://example.com/people/bob">Bob Guest</podcast:person>
      <podcast:person group="audio post-production" role="audio editor">Cy Editor</podcast:person>
    </item>
  </channel>
</rss>
"""
GOOD_CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 0, "title": "Intro"},
        {"startTime": 168, "title": "Interview", "img": "https://example.com/ep1/ch2.jpg"},
    ],
}
GOOD_VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Ada>Hello.\n"
GOOD_HTML = b"<p><cite>Ada:</cite> <time>0:00</time> Hello.</p>"


def image(size: tuple[int, int] = (1400, 1400), mode: str = "RGB", fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0)).save(buffer, fmt)
    return buffer.getvalue()


def check(
    xml: str | bytes = REFERENCE,
    cover: bytes | None = None,
    chapters: object = GOOD_CHAPTERS,
    vtt: bytes = GOOD_VTT,
    **context: object,
) -> list[Finding]:
    data = xml.encode() if isinstance(xml, str) else xml
    cover_bytes = cover if cover is not None else image()
    chapter_bytes = chapters if isinstance(chapters, bytes) else json.dumps(chapters).encode()
    files: dict[str, Callable[[], bytes]] = {
        COVER: lambda: cover_bytes,
        EPISODE_IMAGE: lambda: image(),
        CHAPTERS: lambda: chapter_bytes,
        VTT: lambda: vtt,
        HTML: lambda: GOOD_HTML,
    }
    ctx = FeedContext(
        pages=[FeedPage("feed.xml", data, FEED_URL)],
        resources=LocalResources(files),  # type: ignore[arg-type]
        now=NOW,
        **context,  # type: ignore[arg-type]
    )
    return run_rules(ctx, FeedLocator())


def changed(old: str | tuple[str, ...], new: str | tuple[str, ...]) -> str:
    """The reference feed with ``old`` replaced by ``new`` (once; or pairwise for tuples)."""
    olds = (old,) if isinstance(old, str) else old
    news = (new,) if isinstance(new, str) else new
    feed = REFERENCE
    for before, after in zip(olds, news, strict=True):
        assert feed.count(before) >= 1, before
        feed = feed.replace(before, after, 1)
    return feed


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, "\n".join(str(f) for f in findings)
    return findings[0]


# --------------------------------------------------------------------------- baseline


def test_the_reference_feed_passes_every_rule() -> None:
    assert check() == []


def test_podcast_guid_worked_examples_of_the_spec() -> None:
    # docs/tags/guid.md: the two examples of the spec, and the reference's own.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid(FEED_URL) == "6c967fe4-ab76-51b1-aec1-bde9677f87cb"
    # Only the scheme and the trailing slashes go: no other normalisation.
    assert podcast_guid("https://podnews.net/rss//") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("https://PODNEWS.net/rss") != "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_the_reference_feeds_guid_is_the_uuid5_of_its_url_and_rule_p20_02_accepts_it() -> None:
    assert "6c967fe4-ab76-51b1-aec1-bde9677f87cb" in REFERENCE
    assert [f.rule for f in check()] == []


# ------------------------------------------------------------------ one change, one finding

CASES = [
    # (what, old, new, rule, level)
    ("not XML", "<title>Example Show</title>", "<title>Example & Show</title>", "DOC-01", "error"),
    ("no declaration", '<?xml version="1.0" encoding="UTF-8"?>\n', "", "DOC-02", "error"),
    (
        "https itunes namespace",
        'xmlns:itunes="http://www.itunes.com',
        'xmlns:itunes="https://www.itunes.com',
        "DOC-03",
        "error",
    ),
    (
        "wrong case",
        "<itunes:episodeType>full</itunes:episodeType>",
        "<itunes:episodetype>full</itunes:episodetype>",
        "DOC-04",
        "error",
    ),
    (
        "padded author",
        "<itunes:author>Example Media</itunes:author>",
        "<itunes:author> Example Media </itunes:author>",
        "DOC-06",
        "warning",
    ),
    ("accented URL", "example.com/ep001.mp3", "example.com/épisode.mp3", "DOC-09", "error"),
    (
        "http link",
        "<link>https://example.com/podcast/</link>",
        "<link>http://example.com/podcast/</link>",
        "DOC-10",
        "warning",
    ),
    (
        "new-feed-url is this feed",
        "<itunes:type>episodic</itunes:type>",
        "<itunes:type>episodic</itunes:type><itunes:new-feed-url>"
        "https://example.com/podcast/feed.xml</itunes:new-feed-url>",
        "DOC-12",
        "warning",
    ),
    ("no channel title", "<title>Example Show</title>", "<title></title>", "RSS-01", "error"),
    (
        "bad language",
        "<language>en-us</language>",
        "<language>english</language>",
        "RSS-02",
        "error",
    ),
    (
        "self link elsewhere",
        'href="https://example.com/podcast/feed.xml" rel="self"',
        'href="https://example.com/other.xml" rel="self"',
        "RSS-03",
        "warning",
    ),
    (
        "item without pubDate",
        "<pubDate>Tue, 05 Mar 2024 19:00:00 GMT</pubDate>",
        "",
        "RSS-04",
        "error",
    ),
    ("length zero", 'length="24986239"', 'length="0"', "RSS-05", "error"),
    (
        "http enclosure",
        'url="https://cdn.example.com/ep001.mp3"',
        'url="http://cdn.example.com/ep001.mp3"',
        "RSS-05",
        "error",
    ),
    ("audio/mp3", 'type="audio/mpeg"', 'type="audio/mp3"', "RSS-06", "error"),
    ("type against extension", 'type="audio/mpeg"', 'type="audio/x-m4a"', "RSS-06", "error"),
    ("Opus enclosure", 'type="audio/mpeg"', 'type="audio/ogg"', "RSS-06", "warning"),
    (
        "two enclosures",
        "<itunes:duration>1561</itunes:duration>",
        '<enclosure url="https://cdn.example.com/x.mp3" length="1" type="audio/mpeg"/>'
        "<itunes:duration>1561</itunes:duration>",
        "RSS-08",
        "warning",
    ),
    ("guid is no permalink", ' isPermaLink="false"', "", "RSS-09", "error"),
    (
        "wrong weekday",
        "<pubDate>Tue, 05 Mar 2024 19:00:00 GMT</pubDate>",
        "<pubDate>Wed, 05 Mar 2024 19:00:00 GMT</pubDate>",
        "RSS-10",
        "error",
    ),
    (
        "not RFC 2822",
        "<pubDate>Tue, 05 Mar 2024 19:00:00 GMT</pubDate>",
        "<pubDate>2024-03-05T19:00:00Z</pubDate>",
        "RSS-10",
        "error",
    ),
    (
        "future pubDate",
        "<pubDate>Tue, 05 Mar 2024 19:00:00 GMT</pubDate>",
        "<pubDate>Sat, 05 Mar 2033 19:00:00 GMT</pubDate>",
        "RSS-10",
        "error",
    ),
    (
        "bold in description",
        "<p>We explain examples.</p><ul>",
        "<p>We <b>explain</b> examples.</p><ul>",
        "RSS-11",
        "warning",
    ),
    (
        "artwork over http",
        'href="https://example.com/podcast/cover-3000.jpg"',
        'href="http://example.com/podcast/cover-3000.jpg"',
        "APL-01",
        "error",
    ),
    (
        "old category",
        '<itunes:category text="Society &amp; Culture">',
        '<itunes:category text="Society &amp; culture">',
        "APL-02",
        "error",
    ),
    (
        "subcategory under the wrong parent",
        '<itunes:category text="Documentary"/>',
        '<itunes:category text="Daily News"/>',
        "APL-02",
        "error",
    ),
    (
        "explicit yes",
        "<itunes:explicit>false</itunes:explicit>\n    <itunes:author>",
        "<itunes:explicit>yes</itunes:explicit>\n    <itunes:author>",
        "APL-03",
        "error",
    ),
    (
        "no owner e-mail",
        "<itunes:email>podcast@example.com</itunes:email>",
        "",
        "APL-05",
        "warning",
    ),
    (
        "serial without numbers",
        ("<itunes:type>episodic</", "<itunes:episode>1</itunes:episode>"),
        ("<itunes:type>serial</", ""),
        "APL-06",
        "error",
    ),
    (
        "season zero",
        "<itunes:season>1</itunes:season>",
        "<itunes:season>0</itunes:season>",
        "APL-07",
        "error",
    ),
    (
        "teaser",
        "<itunes:episodeType>full</itunes:episodeType>",
        "<itunes:episodeType>teaser</itunes:episodeType>",
        "APL-08",
        "error",
    ),
    ("no duration", "<itunes:duration>1561</itunes:duration>", "", "APL-09", "warning"),
    (
        "number in the title",
        "<title>How Examples Work</title>\n      <itunes:title>How Examples Work</itunes:title>",
        "<title>Episode 12: How Examples Work</title>\n      "
        "<itunes:title>Episode 12: How Examples Work</itunes:title>",
        "APL-10",
        "warning",
    ),
    (
        "show name in the title",
        "<title>How Examples Work</title>\n      <itunes:title>How Examples Work</itunes:title>",
        "<title>Example Show: How It Works</title>\n      "
        "<itunes:title>Example Show: How It Works</itunes:title>",
        "APL-10",
        "warning",
    ),
    (
        "block yes",
        "<itunes:type>episodic</itunes:type>",
        "<itunes:type>episodic</itunes:type><itunes:block>yes</itunes:block>",
        "APL-11",
        "info",
    ),
    (
        "summary instead of description",
        "<description><![CDATA[<p>We explain examples.</p><ul><li>Point one</li></ul>]]>"
        "</description>",
        "<itunes:summary>We explain examples.</itunes:summary>",
        "APL-12",
        "warning",
    ),
    (
        "http podcast namespace",
        'xmlns:podcast="https://podcastindex.org',
        'xmlns:podcast="http://podcastindex.org',
        "P20-01",
        "error",
    ),
    (
        "no podcast:guid",
        "<podcast:guid>6c967fe4-ab76-51b1-aec1-bde9677f87cb</podcast:guid>",
        "",
        "P20-02",
        "warning",
    ),
    (
        "http person href",
        'href="https://example.com/people/bob"',
        'href="http://example.com/people/bob"',
        "P20-03",
        "error",
    ),
    ("locked maybe", '">yes</podcast:locked>', '">maybe</podcast:locked>', "P20-04", "error"),
    ("transcript type", 'type="text/html"/>', 'type="text/markdown"/>', "P20-04", "error"),
    ("medium", "<podcast:medium>podcast</", "<podcast:medium>radio</", "P20-04", "error"),
    (
        "own licence without url",
        "<podcast:medium>podcast</podcast:medium>",
        "<podcast:medium>podcast</podcast:medium><podcast:license>my-licence</podcast:license>",
        "P20-04",
        "error",
    ),
    (
        "long funding label",
        ">Support the show</podcast:funding>",
        ">" + "Support the show, " * 10 + "</podcast:funding>",
        "P20-05",
        "warning",
    ),
    ("season 1.5", "<podcast:season>1</", "<podcast:season>1.5</", "P20-06", "error"),
    ("role not in taxonomy", 'role="guest"', 'role="sidekick"', "P20-07", "warning"),
    (
        "item list forgets the host",
        '<podcast:person role="host" href="https://example.com/people/ada">Ada Example'
        "</podcast:person>",
        "",
        "P20-07",
        "warning",
    ),
    (
        "soundbite past the end",
        'startTime="73.0" duration="60.0"',
        'startTime="1550" duration="60.0"',
        "P20-09",
        "error",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "rule", "level"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_one_defect_gives_one_finding_of_its_rule(
    old: str, new: str, rule: str, level: str
) -> None:
    finding = only(check(changed(old, new)))
    assert (finding.rule, finding.level) == (rule, level), str(finding)
    assert finding.file == "feed.xml"
    assert finding.message and finding.audience


@pytest.mark.parametrize("rule", sorted({case[3] for case in CASES}))
def test_every_rule_names_who_it_matters_to(rule: str) -> None:
    case = next(c for c in CASES if c[3] == rule)
    audience = only(check(changed(case[1], case[2]))).audience
    assert audience in {
        "all apps",
        "Apple Podcasts",
        "Apple Podcasts, Spotify, YouTube",
        "Podcast Index apps",
    }


# --------------------------------------------------------------------------- locations


def test_a_finding_points_at_the_line_and_path_of_the_element() -> None:
    finding = only(check(changed('type="audio/mpeg"', 'type="audio/mp3"')))
    line = next(n for n, text in enumerate(REFERENCE.splitlines(), start=1) if "<enclosure" in text)
    assert finding.line == line
    assert finding.field == "channel/item/enclosure@type"
    assert "audio/mpeg" in finding.hint


def test_a_category_typo_gets_a_did_you_mean() -> None:
    finding = only(check(changed('text="Society &amp; Culture"', 'text="Society &amp; Cultur"')))
    assert "did you mean 'Society & Culture'" in finding.message


def test_the_future_is_a_warning_when_the_producer_asked_for_it() -> None:
    future = changed(
        "<pubDate>Tue, 05 Mar 2024 19:00:00 GMT</pubDate>",
        "<pubDate>Sat, 05 Mar 2033 19:00:00 GMT</pubDate>",
    )
    assert only(check(future, future_allowed=True)).level == "warning"


def test_the_github_uri_of_the_podcast_namespace_is_the_same_namespace() -> None:
    github = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
    feed = changed("https://podcastindex.org/namespace/1.0", github)
    assert check(feed) == []  # its tags are still read: a bad one is still found
    bad = feed.replace('">yes</podcast:locked>', '">maybe</podcast:locked>')
    assert only(check(bad)).rule == "P20-04"


# --------------------------------------------------------------------------- artwork (Pillow)


@pytest.mark.parametrize(
    ("cover", "words"),
    [
        (image((1000, 1000)), "1000×1000 px"),
        (image((3200, 3200)), "3200×3200 px"),
        (image((1400, 1600)), "not square"),
        (image(mode="RGBA", fmt="PNG"), "alpha channel"),
        (image(mode="CMYK"), "CMYK"),
        (image(fmt="PNG"), "PNG image but its name ends in .jpg"),
        (b"<html>not found</html>", "not a readable image"),
    ],
    ids=["small", "large", "not square", "alpha", "cmyk", "png named jpg", "not an image"],
)
def test_the_artwork_is_read_from_the_real_image(cover: bytes, words: str) -> None:
    findings = check(cover=cover)
    assert {(f.rule, f.field) for f in findings} == {("APL-01", "channel/itunes:image@href")}
    assert any(words in finding.message for finding in findings), findings


def test_a_cover_that_cannot_be_fetched_is_a_reachability_error() -> None:
    class Unreachable(LocalResources):
        def get(self, url: str):  # type: ignore[no-untyped-def]
            from podpub.rules.engine import Resource

            if url == COVER:
                return Resource(url, error="HTTP 404")
            return super().get(url)

    ctx = FeedContext(
        pages=[FeedPage("feed.xml", REFERENCE.encode(), FEED_URL)],
        resources=Unreachable(
            {
                EPISODE_IMAGE: lambda: image(),
                CHAPTERS: lambda: json.dumps(GOOD_CHAPTERS).encode(),
                VTT: lambda: GOOD_VTT,
                HTML: lambda: GOOD_HTML,
            }
        ),
        now=NOW,
    )
    finding = only(run_rules(ctx, FeedLocator()))
    assert (finding.rule, finding.level) == ("DOC-07", "error")
    assert "HTTP 404" in finding.message


# --------------------------------------------------------------------------- chapters, transcripts


@pytest.mark.parametrize(
    ("chapters", "words", "part"),
    [
        (b"{not json", "not JSON", "channel/item/podcast:chapters@url"),
        ({"chapters": []}, "no version", "channel/item/podcast:chapters"),
        (
            {"version": "1.2.0", "chapters": [{"startTime": 10}, {"startTime": 5}]},
            "not after the one before",
            "chapters[1].startTime",
        ),
        (
            {"version": "1.2.0", "chapters": [{"startTime": 0}, {"startTime": 1600}]},
            "after the end of the audio",
            "chapters[1].startTime",
        ),
        (
            {"version": "1.2.0", "chapters": [{"startTime": 0, "img": "http://x.org/a.jpg"}]},
            "http://",
            "chapters[0].img",
        ),
    ],
    ids=["not json", "no version", "descending", "past the end", "http image"],
)
def test_json_chapters_are_read_and_checked(chapters: object, words: str, part: str) -> None:
    finding = only(check(chapters=chapters))
    assert finding.rule == "P20-08"
    assert words in finding.message
    assert finding.field == part


def test_a_transcript_that_is_not_its_declared_format_is_found() -> None:
    finding = only(check(vtt=b"this is not WebVTT"))
    assert finding.rule == "P20-08"
    assert "text/vtt" in finding.message


# --------------------------------------------------------------------------- size budget


def test_the_size_budget_warns_then_fails() -> None:
    size = len(REFERENCE.encode())
    warned = only(check(warn_bytes=size - 1, error_bytes=size * 2))
    assert (warned.rule, warned.level) == ("SIZE-01", "warning")
    failed = only(check(warn_bytes=size // 2, error_bytes=size - 1))
    assert (failed.rule, failed.level) == ("SIZE-01", "error")
    assert check(warn_bytes=size, error_bytes=size) == []  # at the limit is within it


@pytest.mark.parametrize(
    ("title", "numbered"),
    [
        ("Episode 12: How Examples Work", True),
        ("Épisode 1 : la mise en route", True),
        ("#12 How Examples Work", True),
        ("How Examples Work #12", True),
        ("S01E02 - How Examples Work", True),
        ("12 - How Examples Work", True),
        ("Les 5 actus marquantes de la semaine", False),
        ("2023: the year in review", False),
        ("La note de 440 hertz", False),
    ],
)
def test_apl_10_tells_a_baked_in_number_from_a_number_in_the_title(
    title: str, numbered: bool
) -> None:
    feed = changed(
        "<title>How Examples Work</title>\n      <itunes:title>How Examples Work</itunes:title>",
        f"<title>{title}</title>\n      <itunes:title>{title}</itunes:title>",
    )
    assert [f.rule for f in check(feed)] == (["APL-10"] if numbered else [])


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["feed.xml", "episodes/ep1.yaml"]),
            st.sampled_from([None, 0, 1, 7]),
            st.sampled_from([None, 1, 3]),
            st.sampled_from(["title", "guid"]),
            st.sampled_from(["too long", "missing"]),
            st.sampled_from(["error", "warning"]),
            st.sampled_from(["RSS-1", "APPLE-2"]),
        ),
        max_size=40,
    )
)
def test_findings_are_reported_once_each_in_file_and_line_order(parts: list[tuple]) -> None:
    """Each finding once (the first of those with the same rule, file, line, field and
    message: another column or level is the same finding), sorted by file, line,
    column, rule and message (a missing line or column first), those that sort the
    same in the order they were found: what a producer reads, whatever the rules'
    order. (The report sorts 17,000 findings in a warm rebuild; it does so in C.)"""
    from podpub.rules.engine import finding_order
    from podpub.rules.run import _sorted_unique

    findings = [
        Finding(file, line, column, field, message, level=level, rule=rule)
        for file, line, column, field, message, level, rule in parts
    ]
    first: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        key = (finding.rule, finding.file, finding.line, finding.field, finding.message)
        first.setdefault(key, finding)
    expected = sorted(first.values(), key=finding_order)
    assert [id(f) for f in _sorted_unique(findings)] == [id(f) for f in expected]
