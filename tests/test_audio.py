"""Tests for ``podpub.media.probe.probe`` on the fixtures of scripts/make_audio_fixtures.sh."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import struct
import subprocess
import threading
import wave
from pathlib import Path

import pytest

from podpub.media import probe as audio
from podpub.media.probe import AudioError, probe
from podpub.resolve.records import AudioInfo

FIXTURES = Path(__file__).parent / "fixtures" / "audio"
FFPROBE = shutil.which("ffprobe")
FFMPEG = shutil.which("ffmpeg")

# name: (mime, codec, sample rate, channels or None when not checked, generated length)
GOOD = {
    "tone.mp3": ("audio/mpeg", "mp3", 44100, 1, 3.0),
    "tone-vbr.mp3": ("audio/mpeg", "mp3", 22050, 1, 2.5),
    "tone-vbr-noxing.mp3": ("audio/mpeg", "mp3", 16000, 1, 2.5),
    # mutagen reports 2 channels for mono AAC-LC (see audio._read_mp4): not checked.
    "tone.m4a": ("audio/x-m4a", "aac", 22050, None, 2.0),
    "tone.opus": ("audio/ogg", "opus", 48000, 1, 2.0),
    "tone.ogg": ("audio/ogg", "vorbis", 16000, 1, 2.0),
    "tone.flac": ("audio/flac", "flac", 8000, 1, 2.0),
}


def ffprobe_duration(path: Path) -> float | None:
    """The duration ffprobe reads, or None without ffprobe."""
    if not FFPROBE:
        return None
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def copy_as(tmp_path: Path, fixture: str, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(FIXTURES / fixture, target)
    return target


# --- good files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD))
def test_probe_good_fixture(name: str) -> None:
    mime, codec, sample_rate, channels, generated = GOOD[name]
    path = FIXTURES / name
    info = probe(path)
    assert isinstance(info, AudioInfo)
    assert info.mime == mime
    assert info.codec == codec
    assert info.size == os.path.getsize(path)
    assert info.sample_rate == sample_rate
    if channels is not None:
        assert info.channels == channels
    assert isinstance(info.bitrate, int) and 4_000 < info.bitrate < 100_000
    expected = ffprobe_duration(path)
    if expected is None:
        expected = generated
    # ffprobe trims encoder delay that MP4's mdhd still counts: a few tens of ms.
    assert info.duration == pytest.approx(expected, abs=0.1)


def test_probe_accepts_str_and_upper_case_extension(tmp_path: Path) -> None:
    path = copy_as(tmp_path, "tone.mp3", "EPISODE.MP3")
    assert probe(str(path)).mime == "audio/mpeg"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fixture", "name", "mime"),
    [
        ("tone.opus", "episode.ogg", "audio/ogg"),  # Opus may be named .ogg
        ("tone.ogg", "episode.oga", "audio/ogg"),
        ("tone.m4a", "episode.mp4", "audio/x-m4a"),
        ("tone.m4a", "episode.m4b", "audio/x-m4a"),
    ],
)
def test_other_accepted_extensions(tmp_path: Path, fixture: str, name: str, mime: str) -> None:
    assert probe(copy_as(tmp_path, fixture, name)).mime == mime


def test_vbr_without_xing_counts_frames() -> None:
    """mutagen alone estimates 0.32 s from the first frame; the frames say 2.59 s."""
    info = probe(FIXTURES / "tone-vbr-noxing.mp3")
    if FFPROBE:
        out = subprocess.run(
            [
                FFPROBE,
                *("-v", "error", "-count_packets", "-select_streams", "a:0"),
                *("-show_entries", "stream=nb_read_packets", "-of", "json"),
                str(FIXTURES / "tone-vbr-noxing.mp3"),
            ],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        frames = int(json.loads(out)["streams"][0]["nb_read_packets"])
        assert info.duration == pytest.approx(frames * 576 / 16000)
    assert info.duration == pytest.approx(2.592, abs=0.03)
    assert info.bitrate == pytest.approx(info.size * 8 / info.duration, rel=0.05)


def test_id3_tag_before_audio_is_skipped(tmp_path: Path) -> None:
    """A big ID3v2 tag (cover art) before the first frame changes nothing but the size."""
    body = 200_000
    tag = b"ID3\x03\x00\x00" + bytes((body >> s) & 0x7F for s in (21, 14, 7, 0))
    data = (FIXTURES / "tone-vbr-noxing.mp3").read_bytes()
    path = tmp_path / "tagged.mp3"
    path.write_bytes(tag + b"\x00" * body + data)
    info = probe(path)
    assert info.size == len(data) + body + 10
    assert info.duration == pytest.approx(probe(FIXTURES / "tone-vbr-noxing.mp3").duration)


def test_damaged_xing_frame_count_falls_back_to_counting(tmp_path: Path) -> None:
    data = bytearray((FIXTURES / "tone-vbr.mp3").read_bytes())
    at = data.index(b"Xing") + 8  # tag, flags, then the frame count
    data[at : at + 4] = struct.pack(">I", 50_000_000)
    path = tmp_path / "bad-xing.mp3"
    path.write_bytes(data)
    assert probe(path).duration == pytest.approx(probe(FIXTURES / "tone-vbr.mp3").duration, abs=0.1)


# --- bad files ----------------------------------------------------------------------------


def test_empty_file() -> None:
    with pytest.raises(AudioError, match=r"empty\.mp3 is empty \(0 bytes\)"):
        probe(FIXTURES / "empty.mp3")


@pytest.mark.parametrize("name", ["text.mp3", "text.m4a"])
def test_text_file_with_audio_extension(name: str) -> None:
    with pytest.raises(AudioError, match="is a text file, not audio") as caught:
        probe(FIXTURES / name)
    assert "This is not audio" in str(caught.value)


def test_html_page_saved_as_mp3(tmp_path: Path) -> None:
    path = tmp_path / "episode.mp3"
    path.write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>\n")
    with pytest.raises(AudioError, match="web page"):
        probe(path)


def test_vorbis_named_mp3() -> None:
    with pytest.raises(AudioError) as caught:
        probe(FIXTURES / "vorbis-named.mp3")
    assert str(caught.value) == (
        "vorbis-named.mp3 is an Ogg Vorbis file named .mp3; rename it to .ogg"
    )


@pytest.mark.parametrize(
    ("fixture", "name", "message"),
    [
        ("tone.mp3", "episode.ogg", "is an MP3 file named .ogg; rename it to .mp3"),
        ("tone.m4a", "episode.mp3", "is an MP4 (M4A) file named .mp3; rename it to .m4a"),
        ("tone.ogg", "episode.opus", "is an Ogg Vorbis file named .opus; rename it to .ogg"),
        ("tone.opus", "episode.oga", "is an Ogg Opus file named .oga; rename it to .opus"),
        ("tone.flac", "episode.wav", "is a FLAC file named .wav; rename it to .flac"),
        ("tone.mp3", "episode", "its name has no extension; rename it to episode.mp3"),
    ],
)
def test_mislabelled(tmp_path: Path, fixture: str, name: str, message: str) -> None:
    with pytest.raises(AudioError, match=re.escape(message)):
        probe(copy_as(tmp_path, fixture, name))


def test_truncated_mp3() -> None:
    with pytest.raises(AudioError, match=r"truncated\.mp3 looks truncated: .* 0:08 .*\(30%\)"):
        probe(FIXTURES / "truncated.mp3")


def test_truncated_m4a(tmp_path: Path) -> None:
    """tone.m4a has its index first (faststart): cut, it still says 2 s."""
    data = (FIXTURES / "tone.m4a").read_bytes()
    path = tmp_path / "cut.m4a"
    path.write_bytes(data[: len(data) * 4 // 10])
    with pytest.raises(AudioError, match="looks truncated"):
        probe(path)


def test_truncated_flac(tmp_path: Path) -> None:
    data = (FIXTURES / "tone.flac").read_bytes()
    path = tmp_path / "cut.flac"
    path.write_bytes(data[: len(data) * 7 // 10])
    with pytest.raises(AudioError, match="looks truncated"):
        probe(path)


def test_wav_named_mp3(tmp_path: Path) -> None:
    path = tmp_path / "episode.mp3"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 8000)
    with pytest.raises(AudioError, match=r"is a WAV file, which podcast apps do not play.*ffmpeg"):
        probe(path)


def test_unknown_binary(tmp_path: Path) -> None:
    path = tmp_path / "episode.m4a"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(AudioError, match="not in an audio format podpub knows"):
        probe(path)


def test_id3_tag_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "episode.mp3"
    path.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10)
    with pytest.raises(AudioError, match="only an ID3 tag"):
        probe(path)


@pytest.mark.skipif(not FFMPEG, reason="needs ffmpeg")
def test_mp2_named_mp3(tmp_path: Path) -> None:
    path = tmp_path / "episode.mp3"
    subprocess.run(
        [
            FFMPEG,
            *("-nostdin", "-loglevel", "error", "-f", "lavfi", "-i"),
            *("sine=frequency=440:sample_rate=32000:duration=1", "-c:a", "mp2", "-f", "mp2"),
            str(path),
        ],
        check=True,
    )
    with pytest.raises(AudioError, match=r"MPEG Layer II audio \(MP2\), not MP3"):
        probe(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="does not exist"):
        probe(tmp_path / "nope.mp3")


def test_directory_refused(tmp_path: Path) -> None:
    folder = tmp_path / "episode.mp3"
    folder.mkdir()
    with pytest.raises(AudioError, match="is a folder, not an audio file"):
        probe(folder)


def _probe_in_thread(path: Path) -> BaseException | AudioInfo | None:
    """Run probe in a thread so that a blocking open fails the test instead of hanging it."""
    result: list[BaseException | AudioInfo] = []

    def run() -> None:
        try:
            result.append(probe(path))
        except BaseException as exc:
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "probe blocked"
    return result[0] if result else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "episode.mp3"
    os.mkfifo(fifo)
    outcome = _probe_in_thread(fifo)
    assert isinstance(outcome, AudioError)
    assert "is not a regular file (a named pipe)" in str(outcome)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_as(tmp_path, "tone.mp3", "episode.mp3")

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(audio.os, "open", denied)
    with pytest.raises(AudioError, match="permission denied; make it readable"):
        probe(path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    path = copy_as(tmp_path, "tone.mp3", "episode.mp3")
    path.chmod(0)
    try:
        with pytest.raises(AudioError, match="permission denied"):
            probe(path)
    finally:
        path.chmod(0o644)


def test_mutagen_crash_becomes_audio_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("index out of range")

    monkeypatch.setattr(audio, "MPEGInfo", broken)
    with pytest.raises(AudioError, match=r"could not read audio metadata from tone\.mp3"):
        probe(FIXTURES / "tone.mp3")


@pytest.mark.parametrize("name", sorted(GOOD))
def test_damaged_files_raise_only_audio_error(tmp_path: Path, name: str) -> None:
    """Cut and scrambled copies: an AudioInfo with a sane duration, or an AudioError."""
    rng = random.Random(name)
    data = (FIXTURES / name).read_bytes()
    path = tmp_path / name
    for attempt in range(60):
        damaged = bytearray(data)
        if attempt % 2:
            damaged = damaged[: rng.randrange(1, len(damaged))]
        else:
            for _ in range(rng.randrange(1, 8)):
                damaged[rng.randrange(min(len(damaged), 400))] = rng.randrange(256)
        path.write_bytes(damaged)
        try:
            info = probe(path)
        except AudioError as exc:
            assert str(exc)
        else:
            assert 0 < info.duration < 60
            assert info.size == len(damaged)
