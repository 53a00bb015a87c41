"""What a probe reads from an audio file: a plain frozen value, without mutagen.

Apart from ``probe.py`` (which imports mutagen) so that the records and the cache can
name it without loading mutagen: a run that finds its audio unchanged never reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioInfo:
    """What mutagen read from an audio file (see ``media/probe.py``)."""

    size: int  # bytes: enclosure length
    mime: str  # enclosure type from the real container: audio/mpeg, audio/x-m4a, audio/ogg ...
    duration: float  # seconds
    bitrate: int | None  # bits per second
    sample_rate: int | None  # Hz
    codec: str  # mp3, aac, alac, opus, vorbis, flac
    channels: int | None = None
