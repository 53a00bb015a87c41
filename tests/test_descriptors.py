"""Bad descriptors: each gives its exact located message, and all problems come together."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.write.publish import PublishOptions, check

from conftest import AUDIO, MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

E = "episodes/ep1.yaml"

# (name, episode descriptor, the exact problems podpub must report)
BAD_EPISODES = [
    (
        "unknown key with a did-you-mean",
        MINIMAL_EPISODE + "sumary: typo\n",
        [f"{E}:11:1: sumary: unknown key 'sumary' (did you mean 'summary'?)"],
    ),
    (
        "unknown key in a nested host",
        MINIMAL_EPISODE.replace("  - Emma Larbi\n", "  - nmae: Emma Larbi\n"),
        [f"{E}:5:5: hosts[0].nmae: unknown key 'nmae' (did you mean 'name'?)"],
    ),
    (
        "missing required field",
        MINIMAL_EPISODE.replace("audio: audio/tone.mp3\n", ""),
        [f"{E}:1:1: audio: required field 'audio' is missing (add it)"],
    ),
    (
        "a boolean where text belongs",
        MINIMAL_EPISODE.replace("title: First episode", "title: No"),
        [
            f"{E}:1:8: title: YAML reads 'No' as the boolean False, but this field is text "
            '(write it in quotes: "No")'
        ],
    ),
    (
        "a number where text belongs",
        MINIMAL_EPISODE + "guid: 0012\n",
        [
            f"{E}:11:7: guid: YAML reads '0012' as the number 10, but this field is text "
            '(write it in quotes: "0012")'
        ],
    ),
    (
        "a sexagesimal chapter start",
        MINIMAL_EPISODE.replace('start: "0:01"', "start: 1:30"),
        [
            f"{E}:10:12: headlines[1].start: YAML reads '1:30' as the number 90, but this field "
            'is text (write it in quotes: "1:30")'
        ],
    ),
    (
        "an impossible date",
        MINIMAL_EPISODE.replace("date: 2023-06-02", "date: 2024-02-30"),
        [
            f"{E}:2:7: date: '2024-02-30' is not a real date (day is out of range for month) "
            "(check day and month)"
        ],
    ),
    (
        "an unparsable date",
        MINIMAL_EPISODE.replace("date: 2023-06-02", "date: next friday"),
        [
            f"{E}:2:7: date: 'next friday' is not a date; write 2023-06-02, or 2023-06-02 18:00 "
            "for a time (in the show's time zone), or 2023-06-02T18:00:00+02:00"
        ],
    ),
    (
        "a duplicate key",
        MINIMAL_EPISODE + "title: Again\n",
        [
            f"{E}:11:1: title: duplicate key 'title' (first written on line 1) "
            "(keep only one of them)"
        ],
    ),
    (
        "a tab in the indentation",
        MINIMAL_EPISODE.replace("  - Emma Larbi", "\t- Emma Larbi"),
        [
            f"{E}:5:1: YAML syntax: while scanning for the next token, found character that "
            "cannot start any token (YAML indents with spaces, never tabs)"
        ],
    ),
    (
        "an episode type that does not exist",
        MINIMAL_EPISODE + "type: teaser\n",
        [f"{E}:11:7: type: Input should be 'full', 'trailer' or 'bonus'"],
    ),
    (
        "chapters out of order",
        MINIMAL_EPISODE.replace('start: "0:01"', 'start: "0:00"'),
        [
            f"{E}:10:12: headlines[1].start: starts at 0:00, not after the chapter before it "
            "(0:00) (chapters go in ascending order)"
        ],
    ),
    (
        "a chapter after the end of the audio",
        MINIMAL_EPISODE.replace('start: "0:01"', 'start: "9:00"'),
        [
            f"{E}:10:12: headlines[1].start: starts at 9:00, after the end of the audio (0:03) "
            "(check the time or the audio file)"
        ],
    ),
    (
        "an unknown credit role",
        MINIMAL_EPISODE + "credits:\n  - role: Realisaton\n    people: [Barbara Gouy]\n",
        [
            f"{E}:12:11: credits[0].role: unknown role 'Realisaton' "
            "(did you mean 'réalisation' (producer)?)"
        ],
    ),
    (
        "a credit role in a group it is not in",
        MINIMAL_EPISODE + "credits:\n  - role: Host\n    group: Writing\n    people: [Barbara]\n",
        [
            f"{E}:13:12: credits[0].group: 'Writing' is not a group of role 'host' "
            "(use one of: cast)"
        ],
    ),
    (
        "audio path leaving the show folder",
        MINIMAL_EPISODE.replace("audio/tone.mp3", "../tone.mp3"),
        [f"{E}:3:8: audio: '../tone.mp3' leaves the show folder; keep media inside it"],
    ),
    (
        "audio file missing",
        MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/missing.mp3"),
        [f"{E}:3:8: audio: file 'audio/missing.mp3' not found (check the path)"],
    ),
    (
        "audio file misspelled",  # the folder's nearest name: a typo
        MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/tonne.mp3"),
        [f"{E}:3:8: audio: file 'audio/tonne.mp3' not found (did you mean 'audio/tone.mp3'?)"],
    ),
    (
        "audio file in a misspelled folder",  # the show's folder of the nearest name
        MINIMAL_EPISODE.replace("audio/tone.mp3", "audios/tone.mp3"),
        [
            f"{E}:3:8: audio: file 'audios/tone.mp3' not found (there is no folder 'audios/'; "
            "did you mean 'audio/tone.mp3'?)"
        ],
    ),
    (
        "a control character in a title",
        MINIMAL_EPISODE.replace("title: First episode", 'title: "First\\u0007episode"'),
        [
            f"{E}:1:8: title: contains the character U+0007 (control character) at position 6, "
            "which feeds and pages cannot carry safely; remove it"
        ],
    ),
    (
        "an empty file",
        "",
        [f"{E}:1:1: file is empty (write the descriptor's fields)"],
    ),
    (
        "a list instead of a mapping",
        "- title: x\n",
        [f"{E}:1:1: expected a mapping of fields, found a list"],
    ),
]


BAD_AUDIO = [
    (
        "text.mp3",
        'text.mp3 is a text file, not audio (it starts with "This is not audio. Just '
        "a text file with\"); point `audio:` at the episode's audio",
    ),
    ("vorbis-named.mp3", "vorbis-named.mp3 is an Ogg Vorbis file named .mp3; rename it to .ogg"),
    ("empty.mp3", "empty.mp3 is empty (0 bytes); export the episode's audio again"),
    (
        "truncated.mp3",
        "truncated.mp3 looks truncated: its header says 0:08 at 32 kb/s, about "
        "32182 bytes, but it has only 9695 (30%); copy or download it again",
    ),
]


@pytest.mark.parametrize(("fixture", "message"), BAD_AUDIO)
def test_bad_audio_is_located_in_the_audio_field(tmp_path: Path, fixture: str, message: str):
    episode = MINIMAL_EPISODE.replace("audio/tone.mp3", f"audio/{fixture}")
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": episode})
    shutil.copy(AUDIO / fixture, show_dir / "audio" / fixture)
    assert _problems(show_dir) == [f"{E}:3:8: audio: {message}"]


def test_bad_audio_does_not_stop_the_other_episodes_being_checked(tmp_path: Path):
    good = MINIMAL_EPISODE.replace("title: First episode", "title: Good")
    empty = MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/empty.mp3")
    text = MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/text.mp3")
    show_dir = write_show(
        tmp_path / "show", {"a.yaml": empty, "b.yaml": good + "sumary: x\n", "c.yaml": text}
    )
    for fixture in ("empty.mp3", "text.mp3"):
        shutil.copy(AUDIO / fixture, show_dir / "audio" / fixture)
    found = [line.split(": ")[0:2] for line in _problems(show_dir)]
    assert found == [
        ["episodes/a.yaml:3:8", "audio"],
        ["episodes/b.yaml:11:1", "sumary"],
        ["episodes/c.yaml:3:8", "audio"],
    ]


def _problems(show_dir: Path) -> list[str]:
    with pytest.raises(PodpubError) as caught:
        check(show_dir, PublishOptions(now=NOW))
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("episode", "expected"),
    [pytest.param(text, expected, id=name) for name, text, expected in BAD_EPISODES],
)
def test_bad_episode_gives_located_message(tmp_path: Path, episode: str, expected: list[str]):
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": episode})
    assert _problems(show_dir) == expected


def test_bad_show_file(tmp_path: Path):
    show = (
        MINIMAL_SHOW.replace("language: fr", "language: French")
        .replace("News > Daily News", "News > Daily news")
        .replace("email: test@example.org", "email: nobody")
        .replace("timezone: Europe/Paris", "timezone: Paris")
    )
    show_dir = write_show(tmp_path / "show", show=show)
    assert _problems(show_dir) == [
        "show.yaml:3:11: language: 'French' is not an ISO 639-1 language code such as 'fr' or "
        "'fr-fr' (lower case; Apple rejects anything else)",
        "show.yaml:8:10: owner.email: 'nobody' is not an e-mail address",
        "show.yaml:11:5: categories[0]: 'Daily news' is not a subcategory of 'News'; "
        "did you mean 'Daily News'? (case matters)",
        "show.yaml:13:11: timezone: 'Paris' is not an IANA time zone such as 'Europe/Paris'",
    ]


def test_every_problem_of_every_file_is_reported_together(tmp_path: Path):
    show_dir = write_show(
        tmp_path / "show",
        {
            "a.yaml": MINIMAL_EPISODE.replace("title: First episode", "title: Yes"),
            "b.yaml": MINIMAL_EPISODE + "colour: blue\n",
            "c.yaml": MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/nothing.mp3"),
        },
    )
    found = _problems(show_dir)
    assert [line.split(":")[0] for line in found] == [
        "episodes/a.yaml",
        "episodes/b.yaml",
        "episodes/c.yaml",
    ]


def test_cli_prints_problems_and_exits_1_without_traceback(tmp_path: Path, capsys):
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE + "sumary: x\n"})
    status = main(["publish", str(show_dir)])
    err = capsys.readouterr().err
    assert status == 1
    assert "episodes/ep1.yaml:11:1: sumary: unknown key 'sumary'" in err
    assert "1 problem; nothing was written." in err
    assert "Traceback" not in err
    assert not (show_dir / "public").exists()


def test_duplicate_guids_are_refused_ignoring_case_and_spaces(tmp_path: Path):
    first = MINIMAL_EPISODE + "guid: same-guid\n"
    second = MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/tone.ogg") + 'guid: " SAME-GUID"\n'
    show_dir = write_show(tmp_path / "show", {"a.yaml": first, "b.yaml": second})
    assert _problems(show_dir) == [
        "episodes/b.yaml:11:7: guid: same GUID as episodes/a.yaml (each episode needs its own guid)"
    ]
