"""``podpub tag``: the descriptor's metadata written into the audio files themselves.

A listener who downloads the MP3, a car stereo, a podcast app that reads the file and
not the feed: they see the file's tags, not the feed. So the same title, show, hosts,
credits and chapters go into the file, with mutagen (only this module and ``probe.py``
import it; ``probe.py`` reads, this module writes). What the file should say comes from
the records (``write/tags.py``, the ``podpub tag`` command and the check's stale tags):
this module knows files and containers, not descriptors.

What each container gets (docs/tagging.md says the same):

* **MP3** (ID3v2.4): ``TIT2`` title, ``TALB`` show, ``TPE1`` hosts, ``TPE2`` show author,
  ``TRCK``/``TPOS`` episode and season numbers, ``TDRC`` date, ``TDES`` and ``COMM``
  description, ``APIC`` front cover, ``TCON`` "Podcast", ``TCOP`` copyright, the podcast
  frames ``PCST``, ``WFED`` (feed URL), ``TGID`` (episode GUID), ``TCAT`` (categories),
  the credits as ``TIPL`` (podcast:person role → name, one pair per person × role) and as
  one ``TXXX:CREDITS`` text in the producer's words (what ffprobe and most players show:
  they read one value per frame), and the chapters as ``CHAP`` frames (start, end, title,
  link) under one top-level ordered ``CTOC``.
* **M4A/MP4**: ``©nam``, ``©alb``, ``©ART``, ``aART``, ``trkn``, ``disk``, ``©day`` (UTC),
  ``desc``/``ldes``, ``covr``, ``©gen``, ``cprt``, ``pcst``, ``purl``, ``egid``,
  ``catg``, ``stik`` (podcast) and a ``----:com.apple.iTunes:CREDITS`` text. No
  chapters: mutagen cannot write MP4 chapter lists.
* **Ogg Opus/Vorbis, FLAC** (Vorbis comments): ``TITLE``, ``ALBUM``, ``ARTIST``,
  ``ALBUMARTIST``, ``TRACKNUMBER``, ``DISCNUMBER``, ``DATE``, ``DESCRIPTION``, ``GENRE``,
  ``COPYRIGHT``, ``CREDITS``, the chapters as ``CHAPTERnnn``/``CHAPTERnnnNAME``/
  ``CHAPTERnnnURL`` (the Vorbis chapter extension, read by ffmpeg and others) and the
  cover as a front-cover picture. No podcast fields: Vorbis comments define none.

Safety: a file is never edited in place. The tags are written into a copy beside it,
read back and compared with what was meant, the audio payload (the MPEG frames after
the ID3 tag, the MP4 ``mdat``, the FLAC frames, the Ogg audio packets) is checked to be
byte-identical and the copy is probed again; only then does ``os.replace`` put it in
place. A file whose tags already say what the descriptor says is not touched at all, so
a second run changes nothing (same bytes, same mtime).

``stale_tags`` is the check's side of it: a file whose tags *disagree* with its
descriptor (a title corrected since tagging, chapters moved) gets a warning; tags a
file does not have are not a disagreement (an untagged file is not stale).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.flac import FLAC
from mutagen.flac import Picture as FlacPicture
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCAT,
    TCON,
    TCOP,
    TDES,
    TDRC,
    TGID,
    TIPL,
    TIT2,
    TPE1,
    TPE2,
    TPOS,
    TRCK,
    TXXX,
    WFED,
    WXXX,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
    ID3TimeStamp,
    PictureType,
)
from mutagen.id3._tags import save_frame
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from podpub.media.images import image_size
from podpub.media.info import AudioInfo
from podpub.media.probe import AudioError, probe

GENRE = "Podcast"
CREDITS_KEY = "CREDITS"  # TXXX description, MP4 freeform name, Vorbis field
TOC_ID = "toc"
MP4_CREDITS = "----:com.apple.iTunes:" + CREDITS_KEY
MP4_PODCAST_KIND = 21  # stik: iTunes media kind "Podcast"
MP4_DESC_MAX = 255  # characters iTunes keeps in the short `desc` atom

# What a field is called in messages, in the order messages list them.
FIELD_NAMES = {
    "title": "title",
    "album": "show name (album)",
    "artist": "hosts (artist)",
    "album_artist": "author (album artist)",
    "track": "episode number",
    "disc": "season",
    "date": "date",
    "description": "description",
    "comment": "comment",
    "short_description": "short description",
    "cover": "cover art",
    "podcast": "podcast flag",
    "feed": "feed URL",
    "guid": "episode GUID",
    "category": "category",
    "genre": "genre",
    "copyright": "copyright",
    "media_kind": "media kind",
    "credits": "credits (role → person)",
    "credit_lines": "credits",
    "chapters": "chapters",
}

# Fields written twice over (ID3's people list and a text frame) that a producer
# knows as one: the list of what was tagged names them once.
_LISTED_AS = {"credits": "credits", "credit_lines": "credits"}


def listed_fields(changed: tuple[str, ...]) -> str:
    """The fields a tagging rewrote, as the producer knows them, each named once."""
    names = (_LISTED_AS.get(field, FIELD_NAMES.get(field, field)) for field in changed)
    return ", ".join(dict.fromkeys(names))


Fields = dict[str, Any]  # field → a comparable value (tuples of strings, numbers)


class TagError(Exception):
    """Tagging one file failed; the file was left as it was."""


# --- what the file should say -----------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str  # image/png or image/jpeg
    width: int = 0
    height: int = 0

    @property
    def digest(self) -> str:
        return _digest(self.data)


@dataclass(frozen=True)
class Wanted:
    """Everything podpub writes into one episode's file, whatever the container."""

    title: str
    album: str
    artists: tuple[str, ...]  # the hosts
    album_artist: str  # the show's author
    track: int | None  # episode number
    disc: int | None  # season
    date: str  # "2023-06-02T18:00:00", in the show's time zone
    date_utc: str  # "2023-06-02T16:00:00Z" (MP4)
    description: str | None
    cover: Cover | None
    feed_url: str
    guid: str
    categories: tuple[str, ...]
    copyright: str | None
    credits: tuple[tuple[str, str], ...]  # (podcast:person role, name), person × role
    credit_text: str | None  # « Présentation: Emma Larbi; Réalisation: Barbara Gouy, … »
    chapters: tuple[tuple[int, int, str, str | None], ...]  # (start ms, end ms, title, url)


def read_cover(image: Path) -> Cover | None:
    """The show's cover (``image``) as the files embed it (None if neither PNG nor JPEG)."""
    data = image.read_bytes()
    if data.startswith(b"\x89PNG"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    else:
        return None
    try:
        width, height = image_size(data)
    except Exception:  # the dimensions are a courtesy to readers; the bytes are what counts
        width = height = 0
    return Cover(data, mime, width, height)


# --- comparing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    field: str
    in_file: Any  # None: the file does not have it
    wanted: Any  # None: podpub would not write it (the file's value would be removed)

    def describe(self) -> str:
        name = FIELD_NAMES.get(self.field, self.field)
        has, says = _shown(self.in_file), _shown(self.wanted)
        return f"{name} (the file has {has}, the descriptor says {says})"


def differences(in_file: Fields, wanted: Fields) -> list[Difference]:
    """Every managed field whose value in the file is not the wanted one."""
    keys = [k for k in FIELD_NAMES if k in in_file or k in wanted]
    return [
        Difference(k, in_file.get(k), wanted.get(k))
        for k in keys
        if in_file.get(k) != wanted.get(k)
    ]


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return f"{len(value)} entries, the first {_entry(value[0])}"
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    text = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return repr(text if len(text) <= 60 else text[:59] + "…")


def _entry(entry: tuple[Any, ...]) -> str:
    """A chapter or credit as messages show it: ``(7000, 18000, 'Sénégal', None)``."""
    return "(" + ", ".join(repr(part) for part in entry if part is not None) + ")"


# --- containers -------------------------------------------------------------------------


def common_fields(w: Wanted) -> Fields:
    """The tags every format carries the same way: names, numbers, cover."""
    f: Fields = {"title": (w.title,), "album": (w.album,)}
    if w.artists:
        f["artist"] = w.artists
    f["album_artist"] = (w.album_artist,)
    if w.track is not None:
        f["track"] = (str(w.track),)
    if w.disc is not None:
        f["disc"] = (str(w.disc),)
    if w.cover:
        f["cover"] = (w.cover.mime, w.cover.digest)
    return f


class Container:
    """How one kind of file carries tags: what podpub wants there, reads, writes."""

    name = ""

    def wanted(self, w: Wanted) -> Fields:
        raise NotImplementedError

    def read(self, path: Path) -> Fields:
        raise NotImplementedError

    def write(self, path: Path, w: Wanted) -> None:
        raise NotImplementedError

    def payload_digest(self, path: Path) -> str:
        """A digest of the audio itself, everything but the tags."""
        raise NotImplementedError


class Id3Container(Container):
    name = "MP3 (ID3v2.4)"

    def wanted(self, w: Wanted) -> Fields:
        f = common_fields(w)
        f["date"] = (ID3TimeStamp(w.date).text,)
        if w.description:
            f["description"] = f["comment"] = (w.description,)
        f.update(podcast=(1,), feed=(w.feed_url,), guid=(w.guid,), genre=(GENRE,))
        if w.categories:
            f["category"] = w.categories
        if w.copyright:
            f["copyright"] = (w.copyright,)
        if w.credits:
            f["credits"] = w.credits
        if w.credit_text:
            f["credit_lines"] = (w.credit_text,)
        if w.chapters:
            f["chapters"] = w.chapters
        return f

    def read(self, path: Path) -> Fields:
        tags = _load_id3(path)
        if tags is None:
            return {}
        f: Fields = {}
        for key, frame_id in (
            ("title", "TIT2"),
            ("album", "TALB"),
            ("artist", "TPE1"),
            ("album_artist", "TPE2"),
            ("track", "TRCK"),
            ("disc", "TPOS"),
            ("date", "TDRC"),
            ("description", "TDES"),
            ("guid", "TGID"),
            ("category", "TCAT"),
            ("genre", "TCON"),
            ("copyright", "TCOP"),
            ("credit_lines", "TXXX:" + CREDITS_KEY),
        ):
            values = tuple(str(v) for frame in tags.getall(frame_id) for v in frame.text)
            if values:
                f[key] = values
        comments = tuple(v for c in tags.getall("COMM") if c.desc == "" for v in c.text)
        if comments:
            f["comment"] = comments
        covers = [a for a in tags.getall("APIC") if a.type == PictureType.COVER_FRONT]
        if covers:
            f["cover"] = (covers[0].mime, _digest(covers[0].data)) + (("more",) * (len(covers) - 1))
        if tags.getall("PCST"):
            f["podcast"] = tuple(frame.value for frame in tags.getall("PCST"))
        if tags.getall("WFED"):
            f["feed"] = tuple(frame.url for frame in tags.getall("WFED"))
        people = tuple(tuple(pair) for frame in tags.getall("TIPL") for pair in frame.people)
        if people:
            f["credits"] = people
        chapters = _id3_chapters(tags)
        if chapters:
            f["chapters"] = chapters
        return f

    def write(self, path: Path, w: Wanted) -> None:
        try:
            tags = _ChaptersInOrderID3(path)
        except ID3NoHeaderError:
            tags = _ChaptersInOrderID3()
        for frame_id in ("TIT2", "TALB", "TPE1", "TPE2", "TRCK", "TPOS", "TDRC", "TDES"):
            tags.delall(frame_id)
        for frame_id in ("PCST", "WFED", "TGID", "TCAT", "TCON", "TCOP", "TIPL", "CHAP", "CTOC"):
            tags.delall(frame_id)
        tags.delall("TXXX:" + CREDITS_KEY)
        # (mutagen makes a frame's fields from its _framespec when it runs: unknown to mypy)
        for key, frame in list(tags.items()):
            if (isinstance(frame, COMM) and frame.desc == "") or (  # type: ignore[attr-defined]
                isinstance(frame, APIC) and frame.type == PictureType.COVER_FRONT  # type: ignore[attr-defined]
            ):
                del tags[key]
        for frame in self._frames(w):
            tags.add(frame)
        tags.save(path, v2_version=4)

    def _frames(self, w: Wanted) -> Iterator[Any]:
        utf8 = Encoding.UTF8
        yield TIT2(encoding=utf8, text=[w.title])
        yield TALB(encoding=utf8, text=[w.album])
        if w.artists:
            yield TPE1(encoding=utf8, text=list(w.artists))
        yield TPE2(encoding=utf8, text=[w.album_artist])
        if w.track is not None:
            yield TRCK(encoding=utf8, text=[str(w.track)])
        if w.disc is not None:
            yield TPOS(encoding=utf8, text=[str(w.disc)])
        yield TDRC(encoding=utf8, text=[w.date])
        if w.description:
            yield TDES(encoding=utf8, text=[w.description])
            yield COMM(encoding=utf8, lang="XXX", desc="", text=[w.description])
        if w.cover:
            yield APIC(
                encoding=utf8,
                mime=w.cover.mime,
                type=PictureType.COVER_FRONT,
                desc="",
                data=w.cover.data,
            )
        yield PCST(value=1)
        yield WFED(url=w.feed_url)
        yield TGID(encoding=utf8, text=[w.guid])
        if w.categories:
            yield TCAT(encoding=utf8, text=list(w.categories))
        yield TCON(encoding=utf8, text=[GENRE])
        if w.copyright:
            yield TCOP(encoding=utf8, text=[w.copyright])
        if w.credits:
            yield TIPL(encoding=utf8, people=[list(pair) for pair in w.credits])
        if w.credit_text:
            yield TXXX(encoding=utf8, desc=CREDITS_KEY, text=[w.credit_text])
        yield from _id3_chapter_frames(w.chapters)

    def payload_digest(self, path: Path) -> str:
        with open(path, "rb") as fileobj:
            start = 0
            while True:  # ID3v2 tags, possibly more than one, head the file
                fileobj.seek(start)
                size = _id3v2_size(fileobj.read(10))
                if size is None:
                    break
                start += size
            end = os.fstat(fileobj.fileno()).st_size
            if end - start >= 128:
                fileobj.seek(end - 128)
                if fileobj.read(3) == b"TAG":  # ID3v1 at the very end: a tag, not audio
                    end -= 128
            return _digest_range(fileobj, start, end)


class _ChaptersInOrderID3(ID3):
    """ID3 that writes its ``CHAP`` frames last, in the order of their start times.

    mutagen orders frames by importance and then by encoded size, so chapters would land
    in the file in the order of their titles' lengths. The ``CTOC`` gives the order, but
    readers that ignore it (ffmpeg 5 lists chapters in file order) would show them
    shuffled. This reaches into mutagen's ``_write`` and ``save_frame``: the tests check
    the chapter order as ffprobe reads it.
    """

    def _write(self, config: Any) -> bytearray:
        chapters = sorted(self.getall("CHAP"), key=lambda c: (c.start_time, c.element_id))
        self.delall("CHAP")
        try:
            data = super()._write(config)
        finally:
            for chapter in chapters:
                self.add(chapter)
        for chapter in chapters:
            data += save_frame(chapter, config=config)
        return data


def _load_id3(path: Path) -> ID3 | None:
    try:
        return ID3(path)
    except ID3NoHeaderError:
        return None


def _id3_chapters(tags: ID3) -> tuple[Any, ...]:
    """Chapters in the order of the top-level table of contents.

    Chapters without exactly one top-level, ordered ``CTOC`` that lists all of them come
    back with a marker first, so they never equal what podpub writes (it rewrites them).
    """
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    tocs = [t for t in tags.getall("CTOC") if t.flags & CTOCFlags.TOP_LEVEL]
    if not chaps and not tocs:
        return ()
    order = list(tocs[0].child_element_ids) if len(tocs) == 1 else []
    complete = (
        len(tocs) == 1
        and bool(tocs[0].flags & CTOCFlags.ORDERED)
        and sorted(order) == sorted(chaps)
        and len(order) == len(chaps)
    )
    if not complete:
        order = sorted(chaps, key=lambda cid: chaps[cid].start_time)
    entries = tuple(_id3_chapter(chaps[cid]) for cid in order if cid in chaps)
    return entries if complete else (("no complete, ordered table of contents",), *entries)


def _id3_chapter(frame: CHAP) -> tuple[int, int, str, str | None]:
    # mutagen makes a frame's fields from its _framespec when it runs: unknown to mypy
    found: Any = frame
    title = next((str(f.text[0]) for f in found.sub_frames.getall("TIT2") if f.text), "")
    url = next((f.url for f in found.sub_frames.getall("WXXX")), None)
    return (found.start_time, found.end_time, title, url)


def _id3_chapter_frames(chapters: Sequence[tuple[int, int, str, str | None]]) -> Iterator[Any]:
    """One ``CHAP`` per chapter (``chp0``…) and the top-level ordered ``CTOC`` listing them."""
    if not chapters:
        return
    ids = [f"chp{i}" for i in range(len(chapters))]
    yield CTOC(
        element_id=TOC_ID,
        flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
        child_element_ids=ids,
        sub_frames=[],
    )
    for cid, (start, end, title, url) in zip(ids, chapters, strict=True):
        sub_frames: list[Any] = [TIT2(encoding=Encoding.UTF8, text=[title])]
        if url:
            sub_frames.append(WXXX(encoding=Encoding.UTF8, desc="", url=url))
        yield CHAP(element_id=cid, start_time=start, end_time=end, sub_frames=sub_frames)


class Mp4Container(Container):
    name = "MP4 (iTunes atoms; no chapters)"

    def wanted(self, w: Wanted) -> Fields:
        f = common_fields(w)
        f["date"] = (w.date_utc,)
        if w.description:
            f["description"] = (w.description,)
            f["short_description"] = (_cut(w.description, MP4_DESC_MAX),)
        f.update(podcast=(True,), feed=(w.feed_url,), guid=(w.guid,), genre=(GENRE,))
        f["media_kind"] = (MP4_PODCAST_KIND,)
        if w.categories:
            f["category"] = w.categories
        if w.copyright:
            f["copyright"] = (w.copyright,)
        if w.credit_text:
            f["credit_lines"] = (w.credit_text,)
        return f

    _TEXT_ATOMS = (
        ("title", "\xa9nam"),
        ("album", "\xa9alb"),
        ("artist", "\xa9ART"),
        ("album_artist", "aART"),
        ("date", "\xa9day"),
        ("description", "ldes"),
        ("short_description", "desc"),
        ("feed", "purl"),
        ("guid", "egid"),
        ("category", "catg"),
        ("genre", "\xa9gen"),
        ("copyright", "cprt"),
    )

    def read(self, path: Path) -> Fields:
        tags = MP4(path).tags
        if tags is None:
            return {}
        f: Fields = {}
        for key, atom in self._TEXT_ATOMS:
            if atom in tags:
                f[key] = tuple(str(v) for v in tags[atom])
        for key, atom in (("track", "trkn"), ("disc", "disk")):
            if atom in tags:
                f[key] = tuple(str(number) for number, _ in tags[atom])
        if tags.get("covr"):
            covers = tags["covr"]
            mime = "image/png" if covers[0].imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
            f["cover"] = (mime, _digest(bytes(covers[0]))) + (("more",) * (len(covers) - 1))
        if "pcst" in tags:
            f["podcast"] = (bool(tags["pcst"]),)
        if "stik" in tags:
            f["media_kind"] = tuple(tags["stik"])
        if MP4_CREDITS in tags:
            f["credit_lines"] = tuple(
                bytes(v).decode("utf-8", "replace") for v in tags[MP4_CREDITS]
            )
        return f

    def write(self, path: Path, w: Wanted) -> None:
        mp4 = MP4(path)
        if mp4.tags is None:
            mp4.add_tags()
        tags = mp4.tags
        assert tags is not None
        wanted = self.wanted(w)
        for key, atom in self._TEXT_ATOMS:
            _set_or_delete(tags, atom, list(wanted[key]) if key in wanted else None)
        _set_or_delete(tags, "trkn", [(w.track, 0)] if w.track is not None else None)
        _set_or_delete(tags, "disk", [(w.disc, 0)] if w.disc is not None else None)
        cover = None
        if w.cover:
            kind = MP4Cover.FORMAT_PNG if w.cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
            cover = [MP4Cover(w.cover.data, imageformat=kind)]
        _set_or_delete(tags, "covr", cover)
        tags["pcst"] = True
        tags["stik"] = [MP4_PODCAST_KIND]
        credits = [MP4FreeForm(w.credit_text.encode("utf-8"))] if w.credit_text else None
        _set_or_delete(tags, MP4_CREDITS, credits)
        mp4.save()

    def payload_digest(self, path: Path) -> str:
        """The contents of every top-level ``mdat`` box, in order (the coded audio)."""
        digest = hashlib.sha256()
        with open(path, "rb") as fileobj:
            size = os.fstat(fileobj.fileno()).st_size
            at = 0
            while at + 8 <= size:
                fileobj.seek(at)
                header = fileobj.read(16)
                box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
                head = 8
                if box_size == 1:
                    box_size, head = int.from_bytes(header[8:16], "big"), 16
                elif box_size == 0:
                    box_size = size - at
                if box_size < head:
                    raise TagError("its MP4 box structure is damaged")
                if kind == b"mdat":
                    digest.update(_digest_range(fileobj, at + head, at + box_size).encode())
                at += box_size
        return digest.hexdigest()


def _set_or_delete(tags: Any, key: str, value: Any) -> None:
    if value is None:
        tags.pop(key, None)
    else:
        tags[key] = value


# Vorbis comment chapters: CHAPTER001=00:00:07.000, CHAPTER001NAME=…, CHAPTER001URL=…
_VORBIS_CHAPTER = re.compile(r"^CHAPTER(\d{3})(NAME|URL)?$", re.IGNORECASE)
_VORBIS_TEXT = (
    ("title", "TITLE"),
    ("album", "ALBUM"),
    ("artist", "ARTIST"),
    ("album_artist", "ALBUMARTIST"),
    ("track", "TRACKNUMBER"),
    ("disc", "DISCNUMBER"),
    ("date", "DATE"),
    ("description", "DESCRIPTION"),
    ("genre", "GENRE"),
    ("copyright", "COPYRIGHT"),
    ("credit_lines", CREDITS_KEY),
)


class VorbisContainer(Container):
    """Ogg Opus, Ogg Vorbis and FLAC: Vorbis comments, and a front-cover picture."""

    def __init__(self, name: str, opener: Callable[[Path], Any], header_packets: int = 0):
        self.name = name
        self._open = opener
        self._header_packets = header_packets  # Ogg: packets before the audio; 0: FLAC

    def wanted(self, w: Wanted) -> Fields:
        f = common_fields(w)
        f["date"] = (w.date,)
        if w.description:
            f["description"] = (w.description,)
        f["genre"] = (GENRE,)
        if w.copyright:
            f["copyright"] = (w.copyright,)
        if w.credit_text:
            f["credit_lines"] = (w.credit_text,)
        if w.chapters:
            f["chapters"] = tuple(
                (_chapter_time(start), title, url) for start, _, title, url in w.chapters
            )
        return f

    def read(self, path: Path) -> Fields:
        audio = self._open(path)
        comments = audio.tags
        f: Fields = {}
        if comments is not None:
            for key, name in _VORBIS_TEXT:
                values = tuple(comments.get(name, []))
                if values:
                    f[key] = values
            chapters = _vorbis_chapters(comments)
            if chapters:
                f["chapters"] = chapters
        covers = [p for p in self._pictures(audio) if p.type == PictureType.COVER_FRONT]
        if covers:
            f["cover"] = (covers[0].mime, _digest(covers[0].data)) + (("more",) * (len(covers) - 1))
        return f

    def write(self, path: Path, w: Wanted) -> None:
        audio = self._open(path)
        if audio.tags is None:
            audio.add_tags()
        comments = audio.tags
        wanted = self.wanted(w)
        for key in list(comments.keys()):
            if _VORBIS_CHAPTER.match(key):
                del comments[key]
        for key, name in _VORBIS_TEXT:
            if key in wanted:
                comments[name] = list(wanted[key])
            elif name in comments:
                del comments[name]
        for number, (start, _, title, url) in enumerate(w.chapters, start=1):
            comments[f"CHAPTER{number:03d}"] = [_chapter_time(start)]
            comments[f"CHAPTER{number:03d}NAME"] = [title]
            if url:
                comments[f"CHAPTER{number:03d}URL"] = [url]
        self._set_cover(audio, w.cover)
        audio.save()

    def _pictures(self, audio: Any) -> list[FlacPicture]:
        if isinstance(audio, FLAC):
            return list(audio.pictures)
        pictures = []
        for value in (audio.tags or {}).get("METADATA_BLOCK_PICTURE", []):
            try:
                pictures.append(FlacPicture(base64.b64decode(value)))
            except (ValueError, MutagenError):
                continue  # not a picture block: not ours to judge
        return pictures

    def _set_cover(self, audio: Any, cover: Cover | None) -> None:
        keep = [p for p in self._pictures(audio) if p.type != PictureType.COVER_FRONT]
        if cover:
            picture = FlacPicture()
            picture.type = PictureType.COVER_FRONT
            picture.mime = cover.mime
            picture.width, picture.height = cover.width, cover.height
            picture.depth = 24
            picture.data = cover.data
            keep.append(picture)
        if isinstance(audio, FLAC):
            audio.clear_pictures()
            for picture in keep:
                audio.add_picture(picture)
        elif keep:
            audio.tags["METADATA_BLOCK_PICTURE"] = [
                base64.b64encode(p.write()).decode("ascii") for p in keep
            ]
        elif "METADATA_BLOCK_PICTURE" in audio.tags:
            del audio.tags["METADATA_BLOCK_PICTURE"]

    def payload_digest(self, path: Path) -> str:
        if self._header_packets:
            return _ogg_audio_digest(path, self._header_packets)
        return _flac_audio_digest(path)


def _vorbis_chapters(comments: Any) -> tuple[tuple[str, str, str | None], ...]:
    found: dict[str, dict[str, str]] = {}
    for key, values in comments.items():  # (lower-case key, [values])
        match = _VORBIS_CHAPTER.match(key)
        if match:
            value = values[0] if isinstance(values, list) and values else str(values)
            found.setdefault(match.group(1), {})[(match.group(2) or "").upper()] = value
    return tuple(
        (parts.get("", ""), parts.get("NAME", ""), parts.get("URL"))
        for _, parts in sorted(found.items())
    )


def _ogg_audio_digest(path: Path, header_packets: int) -> str:
    """A digest of the packets after the headers (identification, comments, setup): the
    coded audio, whatever pages the tags were re-paginated into."""
    digest = hashlib.sha256()
    count = 0
    pending: bytes | None = None

    def emit(packet: bytes) -> None:
        nonlocal count
        if count >= header_packets:
            digest.update(len(packet).to_bytes(8, "big") + packet)
        count += 1

    with open(path, "rb") as fileobj:
        size = os.fstat(fileobj.fileno()).st_size
        while fileobj.tell() < size:
            page = OggPage(fileobj)
            for i, packet in enumerate(page.packets):
                if i == 0 and page.continued:
                    pending = (pending or b"") + packet
                else:
                    if pending is not None:
                        emit(pending)
                    pending = packet
    if pending is not None:
        emit(pending)
    return digest.hexdigest()


def _flac_audio_digest(path: Path) -> str:
    """A digest of the FLAC frames: everything after the last metadata block."""
    with open(path, "rb") as fileobj:
        size = os.fstat(fileobj.fileno()).st_size
        at = _id3v2_size(fileobj.read(10)) or 0
        fileobj.seek(at)
        if fileobj.read(4) != b"fLaC":
            raise TagError("it has no FLAC stream marker")
        at += 4
        last = False
        while not last:
            fileobj.seek(at)
            header = fileobj.read(4)
            if len(header) < 4:
                raise TagError("its FLAC metadata is cut short")
            last = bool(header[0] & 0x80)
            at += 4 + int.from_bytes(header[1:4], "big")
        return _digest_range(fileobj, at, size)


def container_of(audio: AudioInfo) -> Container:
    """The container of an episode's file, from what ``media/probe.py`` found in it."""
    if audio.mime == "audio/mpeg":
        return Id3Container()
    if audio.mime == "audio/x-m4a":
        return Mp4Container()
    if audio.mime == "audio/flac":
        return VorbisContainer("FLAC (Vorbis comments)", FLAC)
    if audio.codec == "opus":
        return VorbisContainer("Ogg Opus (Vorbis comments)", OggOpus, header_packets=2)
    return VorbisContainer("Ogg Vorbis (Vorbis comments)", OggVorbis, header_packets=3)


# --- tagging one file, safely --------------------------------------------------------------

#: What tagging one file may raise: the file is then left as it was (write/tags.py reports it)
TAG_ERRORS = (TagError, AudioError, MutagenError, OSError, ValueError)


def retag(path: Path, duration: float, wanted: Wanted, container: Container) -> tuple[str, ...]:
    """Bring one file's tags in line with ``wanted``; touch it only if they differ.
    Returns the fields rewritten (none when the file already said it all)."""
    want = container.wanted(wanted)
    diffs = differences(container.read(path), want)
    if diffs:
        _write_beside(path, container, wanted, duration)
    return tuple(d.field for d in diffs)


def _write_beside(path: Path, container: Container, wanted: Wanted, duration: float) -> None:
    """Tag a copy beside ``path``, verify it, and only then put it in place."""
    original = os.stat(path)
    payload = container.payload_digest(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.podpub-", suffix=path.suffix)
    copy = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
        container.write(copy, wanted)
        left = differences(container.read(copy), container.wanted(wanted))
        if left:
            raise TagError(
                "the tags read back differ from those written: "
                + "; ".join(d.describe() for d in left)
            )
        if container.payload_digest(copy) != payload:
            raise TagError("writing the tags would have changed the audio data")
        probed = probe(copy)  # still the same audio, readable as the feed will read it
        if abs(probed.duration - duration) > 0.05:
            raise TagError(
                f"the tagged copy plays {probed.duration:.2f} s instead of {duration:.2f} s"
            )
        os.chmod(copy, stat.S_IMODE(original.st_mode))
        _fsync(copy)
        os.replace(copy, path)
        _fsync(path.parent)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk: the swap survives a power cut."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder
    finally:
        os.close(fd)


# --- small helpers --------------------------------------------------------------------------


def _chapter_time(millis: int) -> str:
    """``HH:MM:SS.mmm``: the time format of the Vorbis chapter extension's CHAPTERnnn."""
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest_range(fileobj: Any, start: int, end: int) -> str:
    digest = hashlib.sha256()
    fileobj.seek(start)
    left = max(0, end - start)
    while left:
        chunk = fileobj.read(min(left, 1 << 20))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest()


def _id3v2_size(head: bytes) -> int | None:
    """Total size of the ID3v2 tag ``head`` starts with (header and footer), if any."""
    if len(head) < 10 or not head.startswith(b"ID3") or any(b >= 0x80 for b in head[6:10]):
        return None
    body = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
    return 10 + body + (10 if head[5] & 0x10 else 0)
