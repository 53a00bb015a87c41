"""What YAML would misread is read as the producer wrote it, or refused with the fix
(issue 19, points 4 and 5): old number forms in whole-number fields, values that need
quotes (a colon, a leading '#', '*', '&', '!', '@', backquote or quote)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podpub.errors import PodpubError
from podpub.write.publish import PublishOptions, publish

from conftest import MINIMAL_EPISODE, NOW, write_show

E = "episodes/ep1.yaml"


def _problems(tmp_path: Path, episode: str) -> list[str]:
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": episode})
    with pytest.raises(PodpubError) as caught:
        publish(show_dir, PublishOptions(now=NOW))
    return [str(p) for p in caught.value.problems]


def test_a_leading_zero_episode_number_is_published_as_written(tmp_path: Path):
    show_dir = write_show(
        tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE + "number: 010\nseason: 08\n"}
    )
    publish(show_dir, PublishOptions(now=NOW))
    feed = (show_dir / "public" / "feed.xml").read_text(encoding="utf-8")
    assert "<itunes:episode>10</itunes:episode>" in feed  # YAML 1.1 alone says 8
    assert "<podcast:episode>10</podcast:episode>" in feed
    assert "<itunes:season>8</itunes:season>" in feed


@pytest.mark.parametrize(
    ("written", "what", "value"),
    [
        ("0x1F", "the hexadecimal number", 31),
        ("1_000", "the number", 1000),
        ("0_10", "the octal (base 8) number", 8),
        ("0o12", "the octal (base 8) number", 10),
        ("1:30", "the base-60 number", 90),
        ("0b11", "the binary number", 3),
    ],
)
def test_other_number_forms_are_refused_with_the_decimal_to_write(
    tmp_path: Path, written: str, what: str, value: int
):
    problems = _problems(tmp_path, MINIMAL_EPISODE + f"number: {written}\n")
    assert problems == [
        f"{E}:11:9: number: YAML reads {written!r} as {what} {value}; podpub takes a whole "
        f"number only in plain decimal digits (write number: {value} if that is the number "
        "you mean)"
    ]


def test_a_byte_size_in_hexadecimal_is_refused_in_show_yaml(tmp_path: Path):
    from conftest import MINIMAL_SHOW

    show = MINIMAL_SHOW + "feed_size:\n  warn: 0x10\n"
    show_dir = write_show(tmp_path / "show", show=show)
    with pytest.raises(PodpubError) as caught:
        publish(show_dir, PublishOptions(now=NOW))
    assert any(
        "show.yaml:15:9: feed_size.warn: YAML reads '0x10' as the hexadecimal number" in str(p)
        for p in caught.value.problems
    ), caught.value.problems


@pytest.mark.parametrize(
    ("title", "where", "message", "fix"),
    [
        (
            "Interview: Maria",
            "1:17",
            "YAML syntax: the title contains ': ', which YAML reads as the start of another key",
            'title: "Interview: Maria"',
        ),
        (
            "#1 Interview",
            "1:7: title",
            "YAML reads '#1 Interview' as a comment ('#' starts one), so this field is empty",
            'title: "#1 Interview"',
        ),
        (
            "*Best* of",
            "1:13",
            "YAML syntax: the title starts with '*', which YAML reads as an alias",
            'title: "*Best* of"',
        ),
        (
            "&Co show",
            "1:8: title",
            "the title starts with '&', which YAML reads as an anchor",
            'title: "&Co show"',
        ),
        (
            "!Important news",
            "1:8: title",
            "the title starts with '!', which YAML reads as a tag",
            'title: "!Important news"',
        ),
        (
            "@home",
            "1:8",
            "YAML syntax: the title starts with '@', which YAML reads as a reserved character",
            'title: "@home"',
        ),
        (
            "`code` review",
            "1:8",
            "YAML syntax: the title starts with '`', which YAML reads as a reserved character",
            'title: "`code` review"',
        ),
        (
            '"Interview" with Maria',
            "1:20",
            "YAML syntax: the title starts with a quote, so YAML reads only up to the closing",
            "title: '\"Interview\" with Maria'",
        ),
        (
            "'It's me'",
            "1:12",
            "YAML syntax: the title is in single quotes and contains one: YAML ends it there",
            'title: "It\'s me"',
        ),
    ],
)
def test_a_value_that_needs_quotes_gets_the_fix(tmp_path, title, where, message, fix):
    episode = MINIMAL_EPISODE.replace("title: First episode", f"title: {title}")
    problems = _problems(tmp_path, episode)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{E}:{where}"), problems
    assert message in problems[0]
    assert problems[0].endswith(f"(put the title in quotes: {fix})")


def test_the_quoted_fix_reads_back_as_the_title(tmp_path: Path):
    """Writing what the fix says publishes the title the producer meant."""
    episode = MINIMAL_EPISODE.replace("title: First episode", "title: '\"Interview\" with Maria'")
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": episode})
    publish(show_dir, PublishOptions(now=NOW))
    feed = (show_dir / "public" / "feed.xml").read_text(encoding="utf-8")
    assert '<title>"Interview" with Maria</title>' in feed


def test_an_app_id_with_a_leading_zero_is_not_silently_read_as_octal(tmp_path: Path):
    from conftest import MINIMAL_SHOW

    show_dir = write_show(tmp_path / "show", show=MINIMAL_SHOW + "subscribe:\n  apple: 0123\n")
    with pytest.raises(PodpubError) as caught:
        publish(show_dir, PublishOptions(now=NOW))
    assert [str(p) for p in caught.value.problems] == [
        "show.yaml:15:10: subscribe.apple: YAML reads '0123' as the number 83 (write it in "
        'quotes to keep it as written: "0123")'
    ]


@pytest.mark.parametrize(
    ("line", "where", "message", "fix"),
    [
        (
            'title: "First episode',  # closed by the next double quote, on line 8
            "1:8",
            "YAML syntax: the title's double quote is not closed on its line: YAML reads on "
            "to the next one (line 8) and takes lines 1-8 as the title",
            'title: "First episode"',
        ),
        (
            "title: 'It is me",  # no single quote after it: read to the end of the file
            "1:8",
            "YAML syntax: the title's single quote is never closed: YAML reads every line "
            "after it as the title, looking for it",
            'title: "It is me"',
        ),
    ],
)
def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path, line, where, message, fix):
    """The parser stumbles where the quoted text happens to end (another line, or the end
    of the file): the producer is sent to the quote they left open, with the line fixed."""
    episode = MINIMAL_EPISODE.replace("title: First episode", line)
    problems = _problems(tmp_path, episode)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{E}:{where}: {message}"), problems
    assert problems[0].endswith(f"(close the quote on its line: {fix})"), problems


def test_a_quoted_value_over_two_lines_is_not_taken_for_an_unclosed_quote(tmp_path: Path):
    """A quoted value YAML folds over two lines is valid: it publishes, and an unrelated
    error after it is reported where it is, not at the quote."""
    folded = MINIMAL_EPISODE.replace("title: First episode", 'title: "First\n  episode"')
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": folded})
    publish(show_dir, PublishOptions(now=NOW))
    assert "<title>First episode</title>" in (show_dir / "public" / "feed.xml").read_text()
    broken = folded + "extra: [unclosed\n"
    problems = _problems(tmp_path / "again", broken)
    assert len(problems) == 1 and not problems[0].startswith(f"{E}:1:"), problems


@pytest.mark.parametrize(
    ("old", "new", "where", "message", "fix"),
    [
        (  # the parser stops on the next line ("while scanning a simple key")
            "date: 2023-06-02",
            "date 2023-06-02",
            "2:1",
            "'date' has no ':' after it, so YAML does not read it as a key",
            "write it with the colon: date: 2023-06-02",
        ),
        (  # read into the next line, the parser stops at "date:" ("mapping values…")
            "title: First episode",
            "title First episode",
            "1:1",
            "'title' has no ':' after it, so YAML does not read it as a key",
            "write it with the colon: title: First episode",
        ),
        (
            "headlines:",
            "headlines",
            "6:1",
            "'headlines' has no ':' after it",
            "write it with the colon: headlines:",
        ),
        (
            "  - title: Two",
            "  - title Two",
            "9:5",
            "'title' has no ':' after it",
            "write it with the colon: - title: Two",
        ),
        (  # the parser stops lines down, at headlines' colon
            "hosts:\n  - Emma Larbi",
            "hosts: [Emma Larbi",
            "4:8",
            "the list opened with '[' is not closed on its line",
            "close it on its line: hosts: [Emma Larbi]",
        ),
    ],
)
def test_a_syntax_error_is_reported_where_its_cause_is(tmp_path, old, new, where, message, fix):
    """YAML stumbles a line or more after the mistake, with words that name none; the
    producer is sent to the line to mend, told what YAML made of it, and given it mended."""
    episode = MINIMAL_EPISODE.replace(old, new, 1)
    problems = _problems(tmp_path, episode)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{E}:{where}: YAML syntax: {message}"), problems
    assert problems[0].endswith(f"({fix})"), problems


@pytest.mark.parametrize(
    ("spaces", "where", "hint"),
    [
        (3, "10:4", "this line is indented 3 spaces, and the keys of line 9 start 4 spaces in"),
        (5, "10:11", "this line is indented 5 spaces, deeper than the keys of line 9 (4 spaces)"),
    ],
)
def test_a_key_out_of_line_gets_an_indentation_fix(tmp_path, spaces, where, hint):
    """A key one space off its item's column: the parser's words say nothing of spaces;
    the fix says how far off it is and which line's keys it should line up with."""
    episode = MINIMAL_EPISODE.replace('    start: "0:01"', " " * spaces + 'start: "0:01"')
    problems = _problems(tmp_path, episode)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{E}:{where}: YAML syntax: "), problems
    assert hint in problems[0], problems


def test_a_backslash_in_double_quotes_gets_the_single_quoted_value(tmp_path: Path):
    """``"C:\\shows"``: YAML reads the backslash as the start of an escape and refuses
    ``\\s``; the fix gives the value in single quotes, where a backslash is itself."""
    episode = MINIMAL_EPISODE.replace("title: First episode", 'title: "C:\\shows"')
    problems = _problems(tmp_path, episode)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{E}:1:"), problems
    assert problems[0].endswith("where a backslash is itself: title: 'C:\\shows')"), problems
