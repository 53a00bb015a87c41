"""Read what the feed must say about an episode's audio file: length, type, duration.

This is the only podpub module that imports mutagen; the pipeline imports it lazily.

Why not just ``mutagen.File(path)``:

* ``mutagen.File`` guesses the format from a score that adds the file name's extension to
  the header, and its ``mime[0]`` is not an enclosure type (``audio/mp3`` for MP3,
  ``audio/mp4`` for M4A). The container is what players read, so :func:`probe` sniffs the
  first bytes itself (magic numbers), decides the format and the enclosure MIME type from
  them, checks that the extension agrees, and then hands the open file to the one mutagen
  reader for that format. Each file is opened once; the readers only seek within it.
* Producer mistakes deserve a sentence saying what to do, not a mutagen traceback: a
  directory or a FIFO given as audio, an empty or unreadable file, a text file or an HTML
  error page saved as ``.mp3``, a WAV, an Ogg Vorbis file named ``.mp3``, a half-copied
  file. Each raises :class:`AudioError` whose ``str()`` is that sentence.

Duration sources, and how far to trust them:

* MP3: the Xing/Info or VBRI header written by the encoder gives the exact frame count.
  mutagen subtracts the encoder delay and padding when a LAME tag states them; headers
  written by ffmpeg ("Lavf") keep them in, about 50-80 ms more than gapless players play,
  which is harmless for a feed's whole-second duration. Without such a header mutagen
  *estimates* the duration from the first frame's bitrate and the file size, which is
  right for constant bitrate and arbitrarily wrong for variable bitrate (a 2.6 s VBR
  fixture comes out as 0.32 s). So when the first frame carries no usable header,
  :func:`probe` counts the frames itself (:func:`_count_mpeg_frames`, one pass through a
  memory map of the file) and uses ``frames × samples per frame ÷ sample rate``. That pass
  only happens for such files; most encoders (LAME, ffmpeg) write the header.
* MP4: the audio track's media header (``mdhd``). It includes the AAC priming samples
  (about 46 ms at 22 kHz), which players trim: the value can be a few tens of
  milliseconds longer than what ffprobe reports.
* Ogg Opus and Vorbis: the granule position of the last page, i.e. what is really in the
  file. FLAC: the STREAMINFO sample count.

Truncation (a partial copy or download): where the header declares how much audio there is
independently of the file size, :func:`probe` compares the two and refuses a file much
smaller than declared. That works for MP3 with a Xing/VBRI header and MP4 with an average
bitrate in its ``esds``; for FLAC it uses the smallest frame size in STREAMINFO as a lower
bound. For Ogg (and MP3 without header) the duration is measured from the data that is
there, so a cut file is simply a shorter episode.
"""

from __future__ import annotations

import codecs
import math
import mmap
import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from mutagen.flac import FLAC
from mutagen.mp3 import MPEGInfo
from mutagen.mp4 import MP4, MP4Info
from mutagen.oggopus import OggOpus, OggOpusInfo
from mutagen.oggvorbis import OggVorbis, OggVorbisInfo

from podpub.media.info import AudioInfo

__all__ = ["AudioError", "probe"]


class AudioError(Exception):
    """An audio file podpub cannot publish; ``str(exc)`` tells the producer what to do.

    ``path`` is the file that was probed, so a caller can point at it in a report.
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class _Format:
    """A container podpub publishes, the names it may have and its enclosure type."""

    what: str  # "an Ogg Vorbis file": used in sentences
    extensions: tuple[str, ...]  # accepted extensions; the first one is suggested
    mime: str  # enclosure type (feed rules §3.5)


_MP3 = _Format("an MP3 file", (".mp3",), "audio/mpeg")
_MP4 = _Format("an MP4 (M4A) file", (".m4a", ".mp4", ".m4b"), "audio/x-m4a")
_OPUS = _Format("an Ogg Opus file", (".opus", ".ogg"), "audio/ogg")
_VORBIS = _Format("an Ogg Vorbis file", (".ogg", ".oga"), "audio/ogg")
_FLAC = _Format("a FLAC file", (".flac",), "audio/flac")

_ALL_EXTENSIONS = frozenset(
    ext for fmt in (_MP3, _MP4, _OPUS, _VORBIS, _FLAC) for ext in fmt.extensions
)

_HEAD_SIZE = 512  # enough for any magic number, including an Ogg page's first packet

# Below this fraction of the size its header declares, a file is taken as cut short.
# MP3 Xing/VBRI headers count bytes and frames exactly (leave room for tags counted in);
# an MP4 esds average bitrate is an encoder's figure, so be more lenient there.
_MP3_TRUNCATED_BELOW = 0.75
_MP4_TRUNCATED_BELOW = 0.5

_ENCODE_MP3 = "encode it to MP3, e.g. `ffmpeg -i {name} -codec:a libmp3lame -b:a 128k {stem}.mp3`"


def probe(path: Path) -> AudioInfo:
    """Read size, enclosure type, duration and stream details of one audio file.

    Supports MP3, MP4 (AAC or ALAC, as .m4a/.mp4/.m4b), Ogg Opus, Ogg Vorbis and FLAC.
    Raises :class:`AudioError` for anything that cannot be published as is: see the module
    docstring. Only ``os.stat`` touches a path that is not a regular file, so a FIFO or a
    device never blocks or gets read.
    """
    path = Path(path)
    name = path.name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise AudioError(f"{path} does not exist; check the `audio:` path", path) from None
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror or exc}", path) from exc
    if stat.S_ISDIR(st.st_mode):
        raise AudioError(f"{path} is a folder, not an audio file; name the file itself", path)
    if not stat.S_ISREG(st.st_mode):
        raise AudioError(
            f"{path} is not a regular file ({_file_kind(st.st_mode)}); "
            "point `audio:` at an audio file",
            path,
        )
    if st.st_size == 0:
        raise AudioError(f"{name} is empty (0 bytes); export the episode's audio again", path)

    try:
        fileobj = open(path, "rb", opener=_open_nonblocking)  # noqa: SIM115 (closed below)
    except PermissionError:
        raise AudioError(
            f"cannot read {path}: permission denied; make it readable (chmod a+r)", path
        ) from None
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror or exc}", path) from exc
    with fileobj:
        try:
            st = os.fstat(fileobj.fileno())  # the file we opened, should it have been swapped
            if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
                raise AudioError(f"{path} changed while it was read; try again", path)
            return _probe_open(fileobj, path, st.st_size)
        except OSError as exc:  # a disk or network-share error while sniffing
            raise AudioError(f"cannot read {path}: {exc.strerror or exc}", path) from exc


def _open_nonblocking(path: str, flags: int) -> int:
    """Open without blocking: should the path become a FIFO after ``os.stat``."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def _probe_open(fileobj: BinaryIO, path: Path, size: int) -> AudioInfo:
    """Sniff the container, check the extension, then read it with mutagen."""
    name = path.name
    audio_start, fmt = _sniff(fileobj, path)
    _check_extension(path, fmt)
    fileobj.seek(0)
    try:
        if fmt is _MP3:
            return _read_mp3(fileobj, path, size, audio_start)
        if fmt is _MP4:
            return _read_mp4(fileobj, path, size)
        if fmt is _FLAC:
            return _read_flac(fileobj, path, size)
        return _read_ogg(fileobj, path, size, fmt)
    except AudioError:
        raise
    except Exception as exc:  # mutagen raises far more than MutagenError on bad data
        detail = str(exc) or type(exc).__name__
        hint = "it looks damaged; export or encode it again"
        if fmt is _MP4:
            hint += " (an MP4 cut short loses its index, the 'moov' box, when it comes last)"
        raise AudioError(
            f"could not read audio metadata from {name}: {detail}; {hint}", path
        ) from exc


# --- sniffing -----------------------------------------------------------------------------


def _sniff(fileobj: BinaryIO, path: Path) -> tuple[int, _Format]:
    """Decide the container from magic numbers; return where the audio starts and its format.

    ID3v2 tags are skipped first (they prefix MP3 files, and sometimes FLAC and raw AAC).
    Formats podcast apps do not play, text and unknown data raise :class:`AudioError`.
    """
    name, stem = path.name, path.stem
    offset = 0
    head = fileobj.read(_HEAD_SIZE)
    had_id3 = False
    while (tag_size := _id3v2_size(head)) is not None:
        had_id3 = True
        offset += tag_size
        fileobj.seek(offset)
        head = fileobj.read(_HEAD_SIZE)
    if head.startswith(b"ID3"):  # a damaged or cut ID3 tag: MP3 is all it can prefix
        return offset, _MP3
    if not head:
        raise AudioError(f"{name} holds only an ID3 tag and no audio; export it again", path)

    if head.startswith(b"fLaC"):
        return offset, _FLAC
    if head[4:8] == b"ftyp":
        return offset, _MP4
    if head.startswith(b"OggS"):
        return offset, _sniff_ogg(head, path)
    if _is_mpeg_audio_header(head):
        return offset, _MP3
    if _is_adts_header(head):
        raise AudioError(
            f"{name} is raw AAC (ADTS) audio, which podcast apps do not take as is; put it in "
            f"an M4A container without re-encoding: `ffmpeg -i {name} -c copy {stem}.m4a`",
            path,
        )
    unsupported = _unsupported_container(head)
    if unsupported:
        raise AudioError(
            f"{name} is {unsupported}, which podcast apps do not play; "
            + _ENCODE_MP3.format(name=name, stem=stem),
            path,
        )
    text = _as_text(head)
    if text is not None:
        snippet = " ".join(text.split())[:40]
        why = (
            "it looks like a web page: maybe a failed download"
            if snippet.startswith("<")
            else f'it starts with "{snippet}"'
        )
        raise AudioError(
            f"{name} is a text file, not audio ({why}); point `audio:` at the episode's audio",
            path,
        )
    if had_id3 or path.suffix.lower() == ".mp3":
        # MP3 with junk before the first frame: mutagen looks for a frame sync further on.
        return offset, _MP3
    raise AudioError(
        f"{name} is not in an audio format podpub knows; podcasts need MP3 (best), "
        "M4A (AAC), Opus, Ogg Vorbis or FLAC",
        path,
    )


def _id3v2_size(head: bytes) -> int | None:
    """Total size of the ID3v2 tag ``head`` starts with (header, footer included), if any."""
    if len(head) < 10 or not head.startswith(b"ID3") or any(b >= 0x80 for b in head[6:10]):
        return None
    body = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
    footer = 10 if head[5] & 0x10 else 0
    return 10 + body + footer


def _sniff_ogg(head: bytes, path: Path) -> _Format:
    """Tell Opus from Vorbis by the first packet of the first Ogg page."""
    packet = head[27 + head[26] :] if len(head) > 27 else b""
    if packet.startswith(b"OpusHead"):
        return _OPUS
    if packet.startswith(b"\x01vorbis"):
        return _VORBIS
    others = {b"\x7fFLAC": "FLAC", b"Speex   ": "Speex", b"\x80theora": "Theora video"}
    codec = next((what for magic, what in others.items() if packet.startswith(magic)), None)
    what = f"an Ogg file with {codec}" if codec else "an Ogg file with an unknown codec"
    raise AudioError(
        f"{path.name} is {what}; podcast Ogg files must hold Opus or Vorbis — "
        + _ENCODE_MP3.format(name=path.name, stem=path.stem),
        path,
    )


def _is_mpeg_audio_header(head: bytes) -> bool:
    """A plausible MPEG audio frame header (any layer): sync, version, layer, rates."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _is_layer3_header(head: bytes) -> bool:
    return _is_mpeg_audio_header(head) and (head[1] >> 1) & 3 == 1


def _is_adts_header(head: bytes) -> bool:
    """An AAC ADTS frame: MPEG sync with the layer bits 00 that MPEG audio never uses."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def _unsupported_container(head: bytes) -> str | None:
    if head.startswith(b"RIFF") and head[8:12] in (b"WAVE", b"RF64"):
        return "a WAV file"
    if head.startswith(b"RF64") or head.startswith(b"BW64"):
        return "a WAV file"
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "an AIFF file"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "a Windows Media (WMA/WMV) file"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "a Matroska/WebM file"
    if head.startswith(b"#!AMR"):
        return "an AMR voice recording"
    if head.startswith(b"caff"):
        return "a Core Audio (CAF) file"
    if head.startswith(b"MAC "):
        return "a Monkey's Audio (APE) file"
    if head.startswith(b"wvpk"):
        return "a WavPack file"
    if head.startswith(b".snd"):
        return "a Sun/NeXT audio (AU) file"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "an image"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    return None


def _as_text(head: bytes) -> str | None:
    """The head decoded as UTF-8 when it reads like text (no NULs, no control bytes)."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if not text.strip() or any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return None
    return text.removeprefix("\ufeff")


def _check_extension(path: Path, fmt: _Format) -> None:
    """The name must say what the file is: apps and directories go by the extension."""
    ext = path.suffix.lower()
    if ext in fmt.extensions:
        return
    want = fmt.extensions[0]
    if not ext:
        raise AudioError(
            f"{path.name} is {fmt.what} but its name has no extension; "
            f"rename it to {path.name}{want}",
            path,
        )
    raise AudioError(f"{path.name} is {fmt.what} named {ext}; rename it to {want}", path)


# --- readers --------------------------------------------------------------------------------


def _read_mp3(fileobj: BinaryIO, path: Path, size: int, audio_start: int) -> AudioInfo:
    """MPEG audio: refuse Layer I/II, count frames when no Xing/VBRI header says how many."""
    info = MPEGInfo(fileobj, audio_start)  # reads the stream info only, not the ID3 tag
    if info.layer != 3:
        raise AudioError(
            f"{path.name} is MPEG Layer {'I' * info.layer} audio (MP{info.layer}), not MP3; "
            + _ENCODE_MP3.format(name=path.name, stem=path.stem),
            path,
        )
    first = getattr(info, "frame_offset", audio_start)  # the frame mutagen synced on
    fileobj.seek(first)
    frame = fileobj.read(64)
    duration, bitrate = float(info.length), int(info.bitrate)
    has_count, header_frame = _vbr_header(frame)
    # A count so large that frames would be smaller than the smallest MPEG frame is a
    # damaged header, not a long episode: then count the frames like when there is none.
    if has_count and bitrate >= _min_bitrate(frame):
        _check_duration(duration, path)
        _check_truncated(
            size - first, duration * bitrate / 8, _MP3_TRUNCATED_BELOW, duration, bitrate, path
        )
    elif _is_layer3_header(frame):
        # No frame count: mutagen's length is size ÷ first frame's bitrate. Count instead.
        ref = _HEADER.unpack_from(frame)[0] & _STREAM_MASK
        frames, audio_bytes = _count_mpeg_frames(fileobj, first + header_frame, size, ref)
        samples_per_frame = 1152 if (frame[1] >> 3) & 3 == 3 else 576
        duration = frames * samples_per_frame / int(info.sample_rate)
        _check_duration(duration, path)
        bitrate = round(audio_bytes * 8 / duration)
    else:  # mutagen moved on from frame_offset: keep its (size-based) figures
        _check_duration(duration, path)
    return AudioInfo(
        size=size,
        mime=_MP3.mime,
        duration=duration,
        bitrate=bitrate or None,
        sample_rate=int(info.sample_rate) or None,
        codec="mp3",
        channels=int(info.channels) or None,
    )


def _read_mp4(fileobj: BinaryIO, path: Path, size: int) -> AudioInfo:
    """MP4: AAC or ALAC only; a video-only or AC-3 file is refused.

    ``channels`` is mutagen's: for AAC it comes from the AudioSpecificConfig, but when that
    leaves the count open (mono AAC-LC, which an HE-AAC v2 decoder may play as stereo)
    mutagen falls back to the sample entry's field, which MP4 writers set to 2.
    """
    info = cast(MP4Info, MP4(fileobj).info)  # mutagen's FileType says None
    codec_id = str(info.codec)
    if not codec_id:
        raise AudioError(f"{path.name} has no audio track; export the episode's audio", path)
    if codec_id == "mp4a" or codec_id.startswith("mp4a.40."):
        codec = "aac"
    elif codec_id == "alac":
        codec = "alac"
    else:
        described = info.codec_description or codec_id
        raise AudioError(
            f"{path.name} holds {described} audio in an MP4 container; podcast apps expect "
            f"AAC: `ffmpeg -i {path.name} -codec:a aac -b:a 128k {path.stem}.m4a`",
            path,
        )
    duration, bitrate = float(info.length), int(info.bitrate)
    _check_duration(duration, path)
    if bitrate:
        _check_truncated(
            size, duration * bitrate / 8, _MP4_TRUNCATED_BELOW, duration, bitrate, path
        )
    return AudioInfo(
        size=size,
        mime=_MP4.mime,
        duration=duration,
        bitrate=bitrate or None,
        sample_rate=int(info.sample_rate) or None,
        codec=codec,
        channels=int(info.channels) or None,
    )


def _read_ogg(fileobj: BinaryIO, path: Path, size: int, fmt: _Format) -> AudioInfo:
    """Ogg Opus or Vorbis; Opus always decodes at 48 kHz, whatever rate went in."""
    info: OggOpusInfo | OggVorbisInfo  # mutagen's FileType says None
    if fmt is _OPUS:
        info = cast(OggOpusInfo, OggOpus(fileobj).info)
        codec, sample_rate = "opus", 48000
    else:
        info = cast(OggVorbisInfo, OggVorbis(fileobj).info)
        codec, sample_rate = "vorbis", int(info.sample_rate)
    duration = float(info.length)
    _check_duration(duration, path)
    return AudioInfo(
        size=size,
        mime=fmt.mime,
        duration=duration,
        bitrate=int(info.bitrate) or None,
        sample_rate=sample_rate or None,
        codec=codec,
        channels=int(info.channels) or None,
    )


def _read_flac(fileobj: BinaryIO, path: Path, size: int) -> AudioInfo:
    """FLAC: duration from STREAMINFO; a zero sample count means "unknown" there."""
    info = FLAC(fileobj).info
    duration = float(info.length)
    _check_duration(duration, path)
    # Every frame but the last holds max_blocksize samples and is at least min_framesize
    # bytes: audio smaller than that was cut short (0 means the encoder did not say).
    # mutagen's bitrate is the bytes after the metadata blocks over the duration.
    min_frame = int(getattr(info, "min_framesize", 0))
    max_block = int(getattr(info, "max_blocksize", 0))
    audio_bytes = int(info.bitrate) * duration / 8
    if min_frame and max_block:
        at_least = (int(info.total_samples) // max_block) * min_frame
        if audio_bytes < at_least:
            raise AudioError(
                f"{path.name} looks truncated: its header says {_clock(duration)} of audio, "
                f"at least {at_least} bytes, but it has {int(audio_bytes)}; copy it again",
                path,
            )
    return AudioInfo(
        size=size,
        mime=_FLAC.mime,
        duration=duration,
        bitrate=int(info.bitrate) or None,
        sample_rate=int(info.sample_rate) or None,
        codec="flac",
        channels=int(info.channels) or None,
    )


# --- checks -------------------------------------------------------------------------------


def _check_duration(duration: float, path: Path) -> None:
    if not math.isfinite(duration) or duration <= 0:
        raise AudioError(
            f"{path.name} has no duration (its header says 0 s or nothing); "
            "it may hold no audio: export it again",
            path,
        )


def _check_truncated(
    actual: int, declared: float, ratio: float, duration: float, bitrate: int, path: Path
) -> None:
    """Refuse a file far smaller than its header's duration × bitrate implies."""
    if declared > 0 and actual < declared * ratio:
        raise AudioError(
            f"{path.name} looks truncated: its header says {_clock(duration)} at "
            f"{bitrate // 1000} kb/s, about {int(declared)} bytes, but it has only {actual} "
            f"({actual / declared:.0%}); copy or download it again",
            path,
        )


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


# --- MPEG frames ----------------------------------------------------------------------------

# kb/s by bitrate index, for MPEG-1 and for MPEG-2/2.5, Layer III.
_L3_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0),
}
# Hz by sample-rate index, by the header's version bits (0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1).
_RATES = {0: (11025, 12000, 8000), 2: (22050, 24000, 16000), 3: (44100, 48000, 32000)}
# Sync, version, layer and sample-rate bits: the same in every frame of one stream.
_STREAM_MASK = 0xFFFE0C00
_HEADER = struct.Struct(">I")


def _vbr_header(frame: bytes) -> tuple[bool, int]:
    """Whether a Layer III frame carries a frame count (Xing/Info or VBRI) and its size.

    Returns ``(has_count, size)``: ``size`` is the frame's length when it holds such a
    header (it is metadata, not audio, and must not be counted), else 0.
    """
    if not _is_layer3_header(frame):
        return False, 0
    version_bits, mono = (frame[1] >> 3) & 3, frame[3] >> 6 == 3
    side_info = (17 if mono else 32) if version_bits == 3 else (9 if mono else 17)
    length = _frame_length(_HEADER.unpack_from(frame)[0])
    for at in (4 + side_info, 6 + side_info):  # +2 when a CRC follows the header
        if frame[at : at + 4] in (b"Xing", b"Info"):
            flags = int.from_bytes(frame[at + 4 : at + 8], "big")
            return bool(flags & 1), length
    if frame[36:40] == b"VBRI":
        return True, length
    return False, 0


def _min_bitrate(frame: bytes) -> int:
    """The lowest average bitrate a Layer III stream can have, less 5 % for rounding."""
    kbps = 32 if (frame[1] >> 3) & 3 == 3 else 8
    return kbps * 950


def _frame_length(header: int) -> int:
    """Bytes in the Layer III frame with this header (0 for free-format or bad index)."""
    version_bits = (header >> 19) & 3
    kbps = _L3_KBPS[1 if version_bits == 3 else 2][(header >> 12) & 15]
    rate = _RATES.get(version_bits, (0, 0, 0))[(header >> 10) & 3] if (header >> 10) & 3 != 3 else 0
    if not kbps or not rate:
        return 0
    per_kbit = 144_000 if version_bits == 3 else 72_000
    return per_kbit * kbps // rate + ((header >> 9) & 1)


def _count_mpeg_frames(fileobj: BinaryIO, start: int, size: int, ref: int) -> tuple[int, int]:
    """Count Layer III frames from ``start`` to the end: ``(frames, bytes of frames)``.

    Walks frame headers through a memory map (the OS reads the file once, no copy). A
    frame must match ``ref``: the first frame's sync, version, layer and sample-rate bits
    (``header & _STREAM_MASK``). On anything else
    (an ID3v1 or APE tag at the end, junk in the middle) it looks for the next offset whose
    header matches and is followed by another matching header; a last frame cut short is
    not counted.
    """
    with mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ) as data:
        end = min(size, len(data))
        pos = start
        frames = audio_bytes = 0
        unpack = _HEADER.unpack_from
        while pos + 4 <= end:
            header = unpack(data, pos)[0]
            length = _frame_length(header) if header & _STREAM_MASK == ref else 0
            if length and pos + length <= end:
                frames += 1
                audio_bytes += length
                pos += length
                continue
            if length:  # the last frame, cut short
                break
            pos = _resync(data, pos + 1, end, ref)
            if pos < 0:
                break
        return frames, audio_bytes


def _resync(data: mmap.mmap, pos: int, end: int, ref: int) -> int:
    """The next offset holding two consecutive frames of the stream, or -1."""
    while (pos := data.find(b"\xff", pos, end)) >= 0 and pos + 4 <= end:
        header = _HEADER.unpack_from(data, pos)[0]
        length = _frame_length(header) if header & _STREAM_MASK == ref else 0
        if length:
            after = pos + length
            if after + 4 > end or _HEADER.unpack_from(data, after)[0] & _STREAM_MASK == ref:
                return pos
        pos += 1
    return -1
