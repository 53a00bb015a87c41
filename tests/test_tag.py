"""podpub tag: the descriptors written into real audio files, read back by mutagen and ffprobe.

Every test works on copies of tests/fixtures/audio (write_show copies them); the
repository's files are never written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from podpub.cli import main
from podpub.write.publish import PublishOptions, check, publish
from podpub.write.tags import stale_tags

from conftest import AUDIO, MINIMAL_SHOW, NOW, REPO, write_show

EPISODE = """\
title: Les actus du jour
date: 2023-06-02 18:00
number: 12
season: 2
summary: Dans l'orange bleue on revient sur *l'actualité*.
audio: audio/tone.{ext}
hosts:
  - Emma Larbi
credits:
  - role: Réalisation
    people: [Barbara Gouy, Emma Larbi]
headlines:
  - title: Sénégal
    start: "0:00.5"
    link: https://example.org/senegal
  - title: Belgorod
    start: "0:01.5"
"""
SHOW = MINIMAL_SHOW + "copyright: © 2023 Test\n"
FEED_URL = "https://podcast.example.org/feed.xml"
FFPROBE = [
    "ffprobe",
    "-v",
    "error",
    "-show_chapters",
    "-show_format",
    "-show_streams",
    "-of",
    "json",
]


def _show(tmp_path: Path, *exts: str) -> Path:
    episodes = {f"ep-{ext}.yaml": EPISODE.format(ext=ext) for ext in exts}
    return write_show(tmp_path / "show", episodes, SHOW)


def _tag(show: Path, *args: str) -> int:
    return main(["tag", str(show), *args])


def _ffprobe(path: Path) -> dict:
    if not shutil.which("ffprobe"):
        pytest.skip("ffprobe is needed (Debian package ffmpeg)")
    out = subprocess.run(
        [*FFPROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def _decoded(path: Path) -> bytes:
    """The audio as a decoder hears it: PCM from ffmpeg."""
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is needed (Debian package ffmpeg)")
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout


def _mpeg_frames(data: bytes) -> bytes:
    """An MP3's bytes after its ID3v2 tag: the MPEG frames."""
    if data.startswith(b"ID3"):
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        return data[10 + size + (10 if data[5] & 0x10 else 0) :]
    return data


# --- MP3 ----------------------------------------------------------------------------------


def test_mp3_gets_every_frame_read_back_by_mutagen(tmp_path: Path):
    show = _show(tmp_path, "mp3")
    assert _tag(show) == 0
    tags = ID3(show / "audio" / "tone.mp3")
    assert tags.version[:2] == (2, 4)
    assert tags["TIT2"].text == ["Les actus du jour"]
    assert tags["TALB"].text == ["Test show"]
    assert tags["TPE1"].text == ["Emma Larbi"]
    assert tags["TPE2"].text == ["Test"]
    assert tags["TRCK"].text == ["12"]
    assert tags["TPOS"].text == ["2"]
    assert str(tags["TDRC"].text[0]) == "2023-06-02 18:00:00"
    assert tags["TDES"].text == ["Dans l'orange bleue on revient sur l'actualité."]
    assert tags.getall("COMM")[0].text == ["Dans l'orange bleue on revient sur l'actualité."]
    assert tags["PCST"].value == 1
    assert tags["WFED"].url == FEED_URL
    assert tags["TGID"].text[0].count("-") == 4  # the episode's GUID
    assert tags["TCAT"].text == ["News > Daily News"]
    assert tags["TCON"].text == ["Podcast"]
    assert tags["TCOP"].text == ["© 2023 Test"]
    assert tags["TIPL"].people == [
        ["host", "Emma Larbi"],
        ["producer", "Barbara Gouy"],
        ["producer", "Emma Larbi"],
    ]
    assert tags["TXXX:CREDITS"].text == [
        "Présentation: Emma Larbi; Réalisation: Barbara Gouy, Emma Larbi"
    ]
    (cover,) = tags.getall("APIC")
    assert cover.type == 3 and cover.mime == "image/png"
    assert cover.data == (REPO / "cover.png").read_bytes()
    (toc,) = tags.getall("CTOC")
    assert toc.flags == 3  # top level, ordered
    chapters = {c.element_id: c for c in tags.getall("CHAP")}
    assert [
        (chapters[cid].start_time, chapters[cid].end_time, chapters[cid].sub_frames["TIT2"].text)
        for cid in toc.child_element_ids
    ] == [(500, 1500, ["Sénégal"]), (1500, 3030, ["Belgorod"])]
    first = chapters[toc.child_element_ids[0]]
    assert first.sub_frames.getall("WXXX")[0].url == "https://example.org/senegal"


def test_mp3_title_and_chapters_as_ffprobe_reads_them(tmp_path: Path):
    show = _show(tmp_path, "mp3")
    _tag(show)
    probe = _ffprobe(show / "audio" / "tone.mp3")
    tags = probe["format"]["tags"]
    assert tags["title"] == "Les actus du jour"
    assert tags["album"] == "Test show"
    assert tags["artist"] == "Emma Larbi"
    assert tags["CREDITS"] == "Présentation: Emma Larbi; Réalisation: Barbara Gouy, Emma Larbi"
    assert [(c["start_time"], c["end_time"], c["tags"]["title"]) for c in probe["chapters"]] == [
        ("0.500000", "1.500000", "Sénégal"),
        ("1.500000", "3.030000", "Belgorod"),
    ]


def test_mp3_audio_frames_are_byte_identical_after_tagging(tmp_path: Path):
    show = _show(tmp_path, "mp3")
    path = show / "audio" / "tone.mp3"
    before = path.read_bytes()
    _tag(show)
    after = path.read_bytes()
    assert after != before
    assert _mpeg_frames(after) == _mpeg_frames(before)
    assert len(_mpeg_frames(before)) > 10_000


def test_a_second_run_changes_nothing(tmp_path: Path, capsys):
    show = _show(tmp_path, "mp3", "m4a", "ogg", "opus", "flac")
    assert _tag(show) == 0
    files = sorted((show / "audio").iterdir())
    state = {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in files}
    capsys.readouterr()
    assert _tag(show) == 0
    out = capsys.readouterr().out
    assert out.count("tags already up to date") == 5
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in files} == (
        state
    )
    assert sorted((show / "audio").iterdir()) == files  # no temporary copy left behind


def test_tagging_keeps_the_files_permissions(tmp_path: Path):
    show = _show(tmp_path, "mp3")
    path = show / "audio" / "tone.mp3"
    path.chmod(0o640)
    _tag(show)
    assert path.stat().st_mode & 0o777 == 0o640


# --- other containers ---------------------------------------------------------------------


def test_m4a_gets_itunes_atoms_and_no_chapters(tmp_path: Path):
    show = _show(tmp_path, "m4a")
    path = show / "audio" / "tone.m4a"
    before = _decoded(path)
    assert _tag(show) == 0
    tags = MP4(path).tags
    assert tags["©nam"] == ["Les actus du jour"]
    assert tags["©alb"] == ["Test show"]
    assert tags["©ART"] == ["Emma Larbi"]
    assert tags["trkn"] == [(12, 0)]
    assert tags["disk"] == [(2, 0)]
    assert tags["©day"] == ["2023-06-02T16:00:00Z"]
    assert tags["pcst"] is True
    assert tags["purl"] == [FEED_URL]
    assert tags["stik"] == [21]
    assert bytes(tags["covr"][0]) == (REPO / "cover.png").read_bytes()
    assert bytes(tags["----:com.apple.iTunes:CREDITS"][0]).decode() == (
        "Présentation: Emma Larbi; Réalisation: Barbara Gouy, Emma Larbi"
    )
    probe = _ffprobe(path)
    assert probe["format"]["tags"]["title"] == "Les actus du jour"
    assert probe["chapters"] == []  # mutagen cannot write MP4 chapters (README says so)
    assert _decoded(path) == before


@pytest.mark.parametrize(("ext", "reader"), [("ogg", OggVorbis), ("opus", OggOpus), ("flac", FLAC)])
def test_vorbis_comments_with_chapters_and_cover(tmp_path: Path, ext: str, reader):
    show = _show(tmp_path, ext)
    path = show / "audio" / f"tone.{ext}"
    before = _decoded(path)
    assert _tag(show) == 0
    tags = reader(path).tags
    assert tags["TITLE"] == ["Les actus du jour"]
    assert tags["ALBUM"] == ["Test show"]
    assert tags["ARTIST"] == ["Emma Larbi"]
    assert tags["TRACKNUMBER"] == ["12"]
    assert tags["DATE"] == ["2023-06-02T18:00:00"]
    assert tags["CHAPTER001"] == ["00:00:00.500"]
    assert tags["CHAPTER001NAME"] == ["Sénégal"]
    assert tags["CHAPTER001URL"] == ["https://example.org/senegal"]
    assert tags["CHAPTER002NAME"] == ["Belgorod"]
    probe = _ffprobe(path)
    assert [(c["start_time"], c["tags"]["title"]) for c in probe["chapters"]] == [
        ("0.500000", "Sénégal"),
        ("1.500000", "Belgorod"),
    ]
    assert any(s.get("disposition", {}).get("attached_pic") for s in probe["streams"])
    assert _decoded(path) == before  # tags only: the decoded audio is the same


# --- stale tags, failures, selection ---------------------------------------------------------


def _stale(show: Path) -> list[str]:
    """The stale-tag warnings, as the library gives them to podpub check."""
    return [str(p) for p in stale_tags(show, check(show, PublishOptions(now=NOW)))]


def test_check_warns_about_stale_tags_at_the_audio_line(tmp_path: Path, capsys):
    show = _show(tmp_path, "mp3")
    assert _stale(show) == []  # an untagged file is not stale
    _tag(show)
    assert _stale(show) == []
    descriptor = show / "episodes" / "ep-mp3.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(
        text.replace("title: Les actus du jour", "title: Les actus de vendredi").replace(
            '"0:01.5"', '"0:02"'
        ),
        encoding="utf-8",
    )
    (warning,) = _stale(show)
    assert warning.startswith("episodes/ep-mp3.yaml:6:8: audio: the tags of tone.mp3 disagree")
    assert "title (the file has 'Les actus du jour', the descriptor says 'Les actus de" in warning
    assert "chapters (the file has 2 entries, the first (500, 1500, 'Sénégal', 'https:" in warning
    assert warning.endswith("(run podpub tag to write them again) [warning]")
    capsys.readouterr()
    assert main(["check", str(show), "--format", "json"]) == 0  # a warning: exit status 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    (finding,) = [f for f in findings if "the tags of tone.mp3" in f["message"]]
    assert (finding["line"], finding["column"], finding["level"]) == (6, 8, "warning")
    _tag(show)
    assert _stale(show) == []
    assert ID3(show / "audio" / "tone.mp3")["TIT2"].text == ["Les actus de vendredi"]


def test_a_file_that_cannot_be_tagged_is_left_as_it_was(tmp_path: Path, capsys):
    show = _show(tmp_path, "mp3", "flac")
    path = show / "audio" / "tone.mp3"
    path.write_bytes(b"ID3\x05" + path.read_bytes()[4:])  # an ID3v2.5 tag: no such version
    before = path.read_bytes()
    assert _tag(show) == 1
    err = capsys.readouterr().err
    assert "episodes/ep-mp3.yaml:6:8: audio: could not tag tone.mp3:" in err
    assert "ID3v2.5 not supported (the file was left as it was)" in err
    assert "1 file not tagged (left as they were); 1 tagged." in err
    assert path.read_bytes() == before
    assert FLAC(show / "audio" / "tone.flac").tags["TITLE"] == ["Les actus du jour"]
    assert sorted(p.name for p in (show / "audio").iterdir() if p.name.startswith(".")) == []


def test_only_the_episodes_named_are_tagged(tmp_path: Path, capsys):
    show = _show(tmp_path, "mp3", "flac")
    flac = (show / "audio" / "tone.flac").read_bytes()
    assert _tag(show, "episodes/ep-mp3.yaml") == 0
    assert "Tagged audio/tone.mp3" in capsys.readouterr().out
    assert (show / "audio" / "tone.flac").read_bytes() == flac
    assert _tag(show, "ep-mp") == 1
    err = capsys.readouterr().err
    assert "ep-mp: no such episode to tag (did you mean 'ep-mp3'?)" in err


def test_tag_an_episode_from_inside_the_show_folder(tmp_path: Path, monkeypatch, capsys):
    show = _show(tmp_path, "mp3", "flac")
    monkeypatch.chdir(show)
    assert main(["tag", "ep-flac"]) == 0
    assert capsys.readouterr().out.startswith("Tagged audio/tone.flac")


def test_publish_after_tagging_gives_the_tagged_size(tmp_path: Path):
    show = _show(tmp_path, "mp3")
    out = tmp_path / "public"
    first = publish(show, PublishOptions(out=out, now=NOW))
    assert first.site.episodes[0].audio.size == (AUDIO / "tone.mp3").stat().st_size
    _tag(show)
    tagged = (show / "audio" / "tone.mp3").stat().st_size
    assert tagged > (AUDIO / "tone.mp3").stat().st_size
    second = publish(show, PublishOptions(out=out, now=NOW))
    assert second.site.episodes[0].audio.size == tagged
    assert f'length="{tagged}"' in (out / "feed.xml").read_text(encoding="utf-8")
    assert (out / "audio" / "tone.mp3").read_bytes() == (show / "audio" / "tone.mp3").read_bytes()


def test_tags_follow_the_show_registry_and_extra_chapters(tmp_path: Path):
    show_yaml = SHOW + (
        "people:\n  emma-larbi:\n    name: Emma Larbi\n    url: https://example.org/emma\n"
        "credits:\n  - role: Montage\n    people: [Ann Editor]\n"
    )
    episode = EPISODE.format(ext="mp3") + 'chapters:\n  - title: Générique\n    start: "0:00"\n'
    show = write_show(tmp_path / "show", {"ep.yaml": episode}, show_yaml)
    assert _tag(show) == 0
    tags = ID3(show / "audio" / "tone.mp3")
    assert tags["TIPL"].people == [
        ["host", "Emma Larbi"],
        ["audio editor", "Ann Editor"],
        ["producer", "Barbara Gouy"],
        ["producer", "Emma Larbi"],
    ]
    titles = [c.sub_frames["TIT2"].text[0] for c in tags.getall("CHAP")]
    assert sorted(titles) == ["Belgorod", "Générique", "Sénégal"]
    probe = _ffprobe(show / "audio" / "tone.mp3")
    assert [c["tags"]["title"] for c in probe["chapters"]] == ["Générique", "Sénégal", "Belgorod"]
    assert os.listdir(show / "audio").count("tone.mp3") == 1


def test_a_draft_is_tagged_only_with_drafts(tmp_path: Path, capsys):
    show = _show(tmp_path, "mp3")
    descriptor = show / "episodes" / "ep-mp3.yaml"
    descriptor.write_text(descriptor.read_text("utf-8") + "draft: true\n", encoding="utf-8")
    assert _tag(show, "ep-mp3") == 1
    assert "it is a draft or dated in the future: add --drafts or --future" in (
        capsys.readouterr().err
    )
    assert _tag(show, "ep-mp3", "--drafts") == 0
    assert ID3(show / "audio" / "tone.mp3")["TIT2"].text == ["Les actus du jour"]


def test_tag_a_descriptor_path_from_inside_the_show_folder(tmp_path: Path, monkeypatch, capsys):
    show = _show(tmp_path, "mp3", "flac")
    monkeypatch.chdir(show)
    assert main(["tag", "episodes/ep-mp3.yaml"]) == 0
    assert capsys.readouterr().out.startswith("Tagged audio/tone.mp3")
