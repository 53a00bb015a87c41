"""Issue 19 point 8: published audio that shares its inode with the show's audio.

The output's audio is a copy-on-write clone where the file system makes one, else a hard
link to the show's file. ``ffmpeg -y`` over the same name truncates and rewrites that
very file, so the published copy changes before the next publish: ``check`` and
``publish`` notice, at the episode's ``audio:`` line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import lxml.etree
import pytest

from podpub.cli import main

from conftest import MINIMAL_EPISODE, write_show

AUDIO_LINE = MINIMAL_EPISODE.splitlines().index("audio: audio/tone.mp3") + 1


def rewrite_in_place(audio: Path, seconds: int = 2) -> None:
    """What a producer does to fix an episode: ffmpeg -y over the same file name."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=330:duration={seconds}", "-c:a", "libmp3lame", "-b:a", "64k",
         str(audio)],
        check=True,
    )  # fmt: skip


def enclosure_length(out: Path) -> int:
    root = lxml.etree.fromstring((out / "feed.xml").read_bytes())
    return int(root.find("channel/item/enclosure").get("length"))


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path]:
    show = write_show(tmp_path / "show")
    out = tmp_path / "public"
    assert main(["publish", str(show), "--out", str(out)]) == 0
    return show, out


def test_check_and_publish_notice_linked_audio_rewritten_in_place(published, capsys) -> None:
    show, out = published
    source, copy = show / "audio/tone.mp3", out / "audio/tone.mp3"
    if not os.path.samefile(source, copy):
        pytest.skip("the file system cloned the audio: nothing shared to notice")
    announced = enclosure_length(out)
    capsys.readouterr()

    rewrite_in_place(source)
    assert copy.stat().st_size != announced  # the published copy changed with it
    assert main(["check", str(show), "--format", "json"]) == 0  # a warning: publish fixes it
    findings = json.loads(capsys.readouterr().out)["findings"]
    (found,) = [f for f in findings if "changed in place" in f["message"]]
    assert (found["file"], found["line"], found["field"]) == (
        "episodes/ep1.yaml",
        AUDIO_LINE,
        "audio",
    )
    assert found["level"] == "warning"
    assert "hard link" in found["message"] and "rename it over" in found["fix"]

    assert main(["publish", str(show), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "audio/tone.mp3 changed in place since the last publish" in captured.out + captured.err
    assert enclosure_length(out) == source.stat().st_size  # the feed announces it now

    assert main(["check", str(show)]) == 0  # published: nothing to say any more
    assert "changed in place" not in capsys.readouterr().out

    # The way the warning recommends: a new file renamed over the old one leaves the
    # published copy as it was, and there is nothing to say.
    before = copy.read_bytes()
    fresh = show / "audio/tone-new.mp3"
    rewrite_in_place(fresh, seconds=3)
    os.replace(fresh, source)
    assert main(["check", str(show)]) == 0
    assert "changed in place" not in capsys.readouterr().out
    assert copy.read_bytes() == before


def test_where_the_file_system_clones_the_published_copy_is_its_own(published, capsys) -> None:
    """Btrfs, XFS: the published audio is a copy-on-write clone, a file of its own that
    an in-place rewrite of the show's audio leaves as it was (run with --basetemp on
    such a file system: skipped elsewhere)."""
    show, out = published
    source, copy = show / "audio/tone.mp3", out / "audio/tone.mp3"
    if os.path.samefile(source, copy):
        pytest.skip("this file system makes no clones: the audio is a hard link")
    before = copy.read_bytes()
    assert before == source.read_bytes()
    rewrite_in_place(source)
    assert copy.read_bytes() == before
    capsys.readouterr()
    assert main(["check", str(show)]) == 0
    assert "changed in place" not in capsys.readouterr().out


def test_reflink_answers_false_where_the_file_system_cannot_clone(tmp_path: Path) -> None:
    from podpub.write.output import reflink

    source = tmp_path / "a.mp3"
    source.write_bytes(b"ID3" + bytes(4096))
    dest = tmp_path / "b.mp3"
    if reflink(source, str(dest)):  # Btrfs, XFS: a clone, its own inode, the same bytes
        assert dest.read_bytes() == source.read_bytes()
        assert dest.stat().st_ino != source.stat().st_ino
    else:  # ext4, tmpfs: nothing left behind; publish falls back to a hard link
        assert not dest.exists()
