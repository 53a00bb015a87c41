"""podpub init and podpub new (issue 17): a new show that passes check, episodes that
never replace a file, and the README's first-show session end to end."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from podpub.cli import cli, main
from podpub.errors import PodpubError
from podpub.input.load import load_file
from podpub.start.new import NewEpisode, new_episode
from podpub.start.when import parse_when

from conftest import AUDIO

ANSWERS = [
    "--title",
    "Field Notes",
    "--language",
    "en",
    "--author",
    "Jane Doe",
    "--email",
    "jane@example.org",
    "--url",
    "https://podcast.example.org/",
    "--category",
    "Technology",
]


def init_show(folder: Path, *extra: str) -> None:
    assert main(["init", str(folder), "--yes", *ANSWERS, *extra]) == 0


def test_first_show_in_five_minutes_as_the_readme_shows(tmp_path, monkeypatch, capsys):
    """init → new --audio → check → publish, in an empty folder: a feed with the episode."""
    monkeypatch.chdir(tmp_path)
    assert main(["init", "my-show", "--yes", *ANSWERS]) == 0
    out = capsys.readouterr().out
    assert "Next steps:" in out and 'podpub new "My first episode"' in out
    monkeypatch.chdir(tmp_path / "my-show")
    audio = tmp_path / "recording.mp3"
    shutil.copy(AUDIO / "tone.mp3", audio)
    assert (
        main(["new", "Our first conversation", "--audio", str(audio), "--date", "2025-03-06"]) == 0
    )
    out = capsys.readouterr().out
    assert "Wrote episodes/2025-03-06-our-first-conversation.yaml" in out
    assert "Audio copied to audio/recording.mp3: 0:0" in out  # the probed duration
    assert main(["check"]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out
    assert main(["publish"]) == 0
    feed = (tmp_path / "my-show" / "public" / "feed.xml").read_text(encoding="utf-8")
    assert "<title>Our first conversation</title>" in feed
    assert "https://podcast.example.org/audio/recording.mp3" in feed
    assert (
        tmp_path / "my-show/public/episodes/2025-03-06-our-first-conversation/index.html"
    ).is_file()
    ignored = (tmp_path / "my-show" / ".gitignore").read_text().splitlines()
    assert "public/" in ignored and ".podpub/" in ignored


def test_init_asks_at_a_terminal_and_suggests_the_category(tmp_path):
    answers = [
        "Field Notes",
        "English",  # refused: not an ISO 639-1 code; asked again
        "en",
        "Jane Doe",
        "jane-at-example",  # refused: not an e-mail address
        "jane@example.org",
        "podcast.example.org",  # refused: not an absolute URL
        "https://podcast.example.org",
        "Tecnology",  # refused with a did-you-mean
        "Technology",
    ]
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "show")], input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Title of the show" in result.output
    assert "'English' is not an ISO 639-1 language code" in result.output
    assert "'jane-at-example' is not an e-mail address" in result.output
    assert "did you mean 'Technology'" in result.output
    show = (tmp_path / "show" / "show.yaml").read_text(encoding="utf-8")
    assert 'url: "https://podcast.example.org/"' in show  # the slash every URL derives from
    assert '  - "Technology"' in show
    assert main(["check", str(tmp_path / "show")]) == 0


def test_init_takes_a_subcategory_written_loosely(tmp_path):
    init_show(tmp_path / "show", "--category", "daily news")
    assert '- "News > Daily News"' in (tmp_path / "show" / "show.yaml").read_text()


def test_init_refuses_a_folder_that_holds_a_show(tmp_path, capsys):
    (tmp_path / "show.yaml").write_text("title: mine\n")
    assert main(["init", str(tmp_path), "--yes", *ANSWERS]) == 1
    assert "a show already lives here" in capsys.readouterr().err
    assert (tmp_path / "show.yaml").read_text() == "title: mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["show.yaml"]


def test_init_refuses_a_file_in_place_of_the_folder(tmp_path, capsys):
    (tmp_path / "notes").write_text("mine\n")
    assert main(["init", str(tmp_path / "notes"), "--yes", *ANSWERS]) == 1
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err
    assert (tmp_path / "notes").read_text() == "mine\n"


def test_init_in_a_folder_it_cannot_write_says_so(tmp_path, capsys):
    (tmp_path / "parent").mkdir()
    (tmp_path / "parent" / "show").write_text("")  # a file where a folder is needed
    assert main(["init", str(tmp_path / "parent" / "show" / "deeper"), "--yes", *ANSWERS]) == 1
    err = capsys.readouterr().err
    assert "cannot write the new show" in err and "internal error" not in err


def test_init_yes_names_each_missing_flag_and_writes_nothing(tmp_path, capsys):
    assert main(["init", str(tmp_path / "show"), "--yes", "--title", "Field Notes"]) == 1
    err = capsys.readouterr().err
    for flag in ("--language", "--author", "--email", "--url", "--category"):
        assert f"{flag}: needed with --yes" in err
    assert "--title:" not in err
    assert not (tmp_path / "show").exists()


def test_init_refuses_a_bad_answer_with_its_flag(tmp_path, capsys):
    args = ["init", str(tmp_path / "show"), "--yes", *ANSWERS[:-2], "--category", "Sprots"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "--category: 'Sprots' is not an Apple Podcasts category; did you mean 'Sports'?" in err
    assert not (tmp_path / "show" / "show.yaml").exists()


def test_init_suggests_each_category_once(tmp_path):
    # 'Busines > Entrepreneurship' is close both to the pair and to the subcategory alone;
    # both name the same category, which the question's hint offered twice.
    answers = ["Field Notes", "en", "Jane Doe", "jane@example.org", "https://example.org/"]
    answers += ["Busines > Entrepreneurship", "Business > Entrepreneurship"]
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "show")], input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.output
    hint = next(line for line in result.output.splitlines() if "did you mean" in line)
    assert hint.count("'Business > Entrepreneurship'") == 1, hint


def test_init_cover_is_valid_apple_artwork_and_small(tmp_path):
    init_show(tmp_path / "show")
    data = (tmp_path / "show" / "cover.png").read_bytes()
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size, image.mode) == ("PNG", (3000, 3000), "RGB")
    assert len(data) < 512_000  # Apple's artwork limit


def test_init_keeps_an_existing_cover_and_gitignore(tmp_path, capsys):
    folder = tmp_path / "show"
    folder.mkdir()
    shutil.copy(Path(__file__).parents[1] / "cover.png", folder / "cover.png")
    (folder / ".gitignore").write_text("*.wav\n")
    before = (folder / "cover.png").read_bytes()
    init_show(folder)
    assert "Kept what was there: cover.png" in capsys.readouterr().out
    assert (folder / "cover.png").read_bytes() == before
    assert (folder / ".gitignore").read_text().splitlines()[0] == "*.wav"
    assert "public/" in (folder / ".gitignore").read_text().splitlines()


OTHER_AUDIO = ("tone.m4a", "tone-vbr.mp3", "tone-vbr-noxing.mp3")


def serial_show(tmp_path: Path, numbers: list[int]) -> Path:
    folder = tmp_path / "show"
    init_show(folder, "--timezone", "Europe/Paris")
    text = (folder / "show.yaml").read_text().replace("type: episodic", "type: serial")
    (folder / "show.yaml").write_text(text)
    # Each episode its own file (one audio URL per episode); podpub new gets tone.mp3.
    for index, (number, audio) in enumerate(zip(numbers, OTHER_AUDIO, strict=False)):
        shutil.copy(AUDIO / audio, folder / "audio" / audio)
        (folder / "episodes" / f"0{index}.yaml").write_text(
            f"title: Part {number}\ndate: 2025-01-0{index + 1}\nnumber: {number}\n"
            f"audio: audio/{audio}\n"
        )
    return folder


def test_new_numbers_a_serial_show_after_the_highest(tmp_path):
    folder = serial_show(tmp_path, [3, 7, 5])
    now = dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC)
    result = new_episode(folder, NewEpisode("Part eight", audio=AUDIO / "tone.mp3"), now)
    assert result.number == 8
    data = load_file(folder / result.descriptor, result.descriptor).data
    assert data["number"] == 8 and data["hosts"] == ["Jane Doe"]
    assert main(["check", str(folder)]) == 0


def test_new_dates_now_in_the_show_time_zone(tmp_path):
    folder = serial_show(tmp_path, [])
    late_evening_utc = dt.datetime(2025, 12, 31, 23, 30, 45, tzinfo=dt.UTC)  # Paris: 00:30
    result = new_episode(folder, NewEpisode("New year", audio=AUDIO / "tone.mp3"), late_evening_utc)
    assert result.descriptor == "episodes/2026-01-01-new-year.yaml"
    assert load_file(folder / result.descriptor, "x").data["date"] == "2026-01-01 00:30"
    assert result.number == 1


@pytest.mark.parametrize(
    "title",
    [
        "Interview: Maria",
        "#1 hashtag",
        "*starred",
        "&anchor",
        "!tagged",
        "@handle",
        "`code`",
        '"Quoted" title',
        "'single'",
        "No",
        "12",
        "Été à Montréal — épisode spécial",
    ],
)
def test_new_writes_any_title_exactly(tmp_path, title):
    folder = serial_show(tmp_path, [])
    now = dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC)
    result = new_episode(folder, NewEpisode(title, audio=AUDIO / "tone.mp3"), now)
    assert load_file(folder / result.descriptor, "x").data["title"] == title
    assert main(["check", str(folder)]) == 0


def test_new_never_replaces_a_descriptor(tmp_path, capsys):
    folder = serial_show(tmp_path, [])
    args = ["new", "Same title", "--date", "2025-03-06", "--show", str(folder)]
    assert main([*args, "--audio", str(AUDIO / "tone.mp3")]) == 0
    path = folder / "episodes" / "2025-03-06-same-title.yaml"
    before = path.read_text()
    capsys.readouterr()
    assert main([*args, "--number", "9"]) == 1
    assert "episodes/2025-03-06-same-title.yaml: already exists" in capsys.readouterr().err
    assert path.read_text() == before


def test_new_says_the_duration_the_player_and_the_page_show(tmp_path, capsys):
    # 10.9 s of audio: the browser's player and the episode page say 0:10 / 10 sec;
    # podpub new said 0:11 (rounded), in its output and in the descriptor's comment.
    folder = tmp_path / "show"
    init_show(folder)
    audio = tmp_path / "talk.mp3"
    tone = "sine=frequency=440:duration=10.9"
    ffmpeg = ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", tone, "-b:a", "64k"]
    subprocess.run([*ffmpeg, str(audio)], check=True)
    capsys.readouterr()
    assert main(["new", "Talk", "--audio", str(audio), "--show", str(folder)]) == 0
    assert "Audio copied to audio/talk.mp3: 0:10 long." in capsys.readouterr().out
    descriptor = next((folder / "episodes").glob("*-talk.yaml")).read_text(encoding="utf-8")
    assert "# 0:10," in descriptor


def test_new_never_replaces_an_audio_file_of_the_same_name(tmp_path, capsys):
    folder = serial_show(tmp_path, [])
    shutil.copy(AUDIO / "tone.mp3", folder / "audio" / "tone.mp3")
    other = tmp_path / "elsewhere" / "tone.mp3"  # same name, other bytes
    other.parent.mkdir()
    shutil.copy(AUDIO / "tone-vbr.mp3", other)
    assert main(["new", "Clash", "--audio", str(other), "--show", str(folder)]) == 1
    assert "--audio: audio/tone.mp3 already exists and differs" in capsys.readouterr().err
    assert (folder / "audio" / "tone.mp3").read_bytes() == (AUDIO / "tone.mp3").read_bytes()
    assert list((folder / "episodes").iterdir()) == []


def test_new_refuses_unreadable_audio_and_writes_nothing(tmp_path, capsys):
    folder = serial_show(tmp_path, [])
    assert main(["new", "Broken", "--audio", str(AUDIO / "text.mp3"), "--show", str(folder)]) == 1
    assert "--audio" in capsys.readouterr().err
    assert list((folder / "audio").iterdir()) == []
    assert list((folder / "episodes").iterdir()) == []


FRIDAY = dt.datetime(2025, 3, 7, 15, 20, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-06", dt.date(2025, 3, 6)),
        ("2025-03-06 09:00", dt.datetime(2025, 3, 6, 9, 0)),
        ("2025-03-06T09:00:00+00:00", dt.datetime(2025, 3, 6, 10, 0)),  # in the show's zone
        ("today", dt.date(2025, 3, 7)),
        ("now", dt.datetime(2025, 3, 7, 15, 20)),
        ("tomorrow 9am", dt.datetime(2025, 3, 8, 9, 0)),
        ("friday 18:30", dt.datetime(2025, 3, 7, 18, 30)),
        ("next friday 09:00", dt.datetime(2025, 3, 14, 9, 0)),  # a week away on a Friday
        ("Next  Monday at 7pm", dt.datetime(2025, 3, 10, 19, 0)),
    ],
)
def test_dates_podpub_new_reads(text, expected):
    assert parse_when(text, FRIDAY) == expected


@pytest.mark.parametrize("text", ["March 3rd 2025", "2025-02-30", "next fryday", "today 25:00"])
def test_dates_podpub_new_refuses_name_the_forms(text):
    with pytest.raises(PodpubError) as caught:
        parse_when(text, FRIDAY)
    assert "next friday" in str(caught.value.problems[0])


def test_init_without_a_terminal_or_answers_names_the_flags(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "show"), "--title", "X"], input="")
    assert isinstance(result.exception, PodpubError)
    fields = {problem.field for problem in result.exception.problems}
    assert fields == {"--language", "--author", "--email", "--url", "--category"}
    assert not (tmp_path / "show").exists()
