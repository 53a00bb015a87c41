"""Episode records and descriptors as the store keeps them, and the lazy views it lends.

An :class:`~podpub.resolve.records.EpisodeRecord` is a plain frozen value. The store
keeps it in two parts (:func:`pack`): its small scalar fields (its **index**: what the
show-wide steps read of every episode, such as its date, slug, GUID and URLs), stored
as they are, and every other field (texts, headlines, chapters, people, audio,
transcripts, optional tags) pickled together as one blob per record. Reading a stage
file back then builds a few strings per episode, not the hundreds of objects a record
holds: an edit of one episode in a show of 10,000 unpickles one record's contents.

:func:`lend` gives back a :class:`LentEpisodeRecord`: an ``EpisodeRecord`` whose blob
is unpickled the first time one of its contents is read, equal to (and hashed as) the
plain record. The view lives here, with the store, not among the domain records.

A descriptor's document and model are lent the same way (:class:`LentLoaded`): pickled
until a step reads them, dropped again when it is done with them (``run.done_with``).
"""

from __future__ import annotations

import pickle
import weakref
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from podpub.digests import digest_of, safe_loads
from podpub.input.load import Document
from podpub.input.models import Episode
from podpub.resolve.records import EpisodeRecord, paths_in
from podpub.resolve.resolver import Loaded, Summary

_FIELD_NAMES = tuple(EpisodeRecord.__dataclass_fields__)

# The fields read of every episode on every run (sorting, uniqueness, URLs, the paths
# the output safety check compares): strings, numbers, dates and the producer's audio
# path; the credit lines, which the person pages and the redirects read for every
# episode (one pickle per stage file: the people and roles they share are made once);
# the audio's probe, the transcripts and extras (alternate audio): files the output
# holds, which the safety checks compare. Everything else is only read for the
# episode's own page and feed item.
INDEX_FIELDS = (
    "credits",
    "audio",
    "transcripts",
    "extras",
    "key",
    "source",
    "slug",
    "title",
    "number",
    "season",
    "episode_type",
    "explicit",
    "published",
    "guid",
    "audio_source",
    "audio_path",
    "enclosure_url",
    "page_path",
    "page_url",
    "chapters_path",
    "chapters_url",
    "draft",
    "chapters_vtt_path",
    "image_source",
    "image_path",
    "image_url",
)
CONTENT_FIELDS = tuple(name for name in _FIELD_NAMES if name not in INDEX_FIELDS)


class Packed(NamedTuple):
    """A record as the store keeps it (made where it was resolved, in a worker)."""

    # the :data:`INDEX_FIELDS`' values, in that order (a field named as tuple's method)
    index: tuple[Any, ...]  # type: ignore[assignment]
    contents: bytes  # the :data:`CONTENT_FIELDS`' values, pickled as one tuple
    digest: str  # of the whole record (digests.digest_of): what later keys are made of
    paths: tuple[str, ...]  # every file the record refers to, watched by stamp


# Index fields holding a path: kept as text, made a Path again when read (unpickling
# a Path parses it: 10,000 of them in an edit, for the few steps that read one).
PATH_FIELDS = ("audio_source", "image_source")


def pack(record: EpisodeRecord) -> Packed:
    """``record`` in the store's two parts, with its digest and the files it names."""
    index = tuple(
        _text(getattr(record, name)) if name in PATH_FIELDS else getattr(record, name)
        for name in INDEX_FIELDS
    )
    contents = tuple(getattr(record, name) for name in CONTENT_FIELDS)
    paths = tuple(sorted({str(path) for path in paths_in(record)}))
    return Packed(index, pickle.dumps(contents, protocol=5), digest_of(record), paths)


def lend(index: tuple[Any, ...], contents: bytes, digest: str | None = None) -> LentEpisodeRecord:
    """The record of a :class:`Packed` (its contents unpickled on first use); ``digest``:
    the whole record's, carried by the record (as ``_digest``: the engine's
    ``record_digest`` reads it), so a later run that keeps the same object (a warm
    build) knows it without making it again."""
    record = object.__new__(LentEpisodeRecord)
    found = record.__dict__
    found.update(zip(INDEX_FIELDS, index, strict=True))
    found["_contents"] = contents
    if digest is not None:
        found["_digest"] = digest
    return record


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


def source_of(record: EpisodeRecord, name: str) -> Path | str | None:
    """A :data:`PATH_FIELDS` field of ``record`` as it is held: a lent record's text
    (no Path made: an edit's output side reads the audio and artwork of all 10,000
    episodes, only to compare them with what the standby was linked from), a plain
    record's Path. ``str()`` of either is the same text."""
    found = record.__dict__
    return found[name] if name in found else getattr(record, name)


class _Field:
    """A field of a :class:`LentEpisodeRecord` kept in the record's ``__dict__`` under
    its own name; subclasses say how a read finds it there."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __set__(self, record: object, value: object) -> None:
        record.__dict__[self.name] = value


class _PathField(_Field):
    """A :data:`PATH_FIELDS` field of a :class:`LentEpisodeRecord`: its text, made a
    Path on first read."""

    def __get__(self, record: object, owner: type | None = None) -> object:
        if record is None:
            return self
        found = record.__dict__
        value = found[self.name]
        if isinstance(value, str):
            value = found[self.name] = Path(value)
        return value


class _Content(_Field):
    """A :data:`CONTENT_FIELDS` field of a :class:`LentEpisodeRecord`: in the record's
    ``__dict__`` under its own name when set (``replace()`` makes a record through
    ``__init__``), else at its place in the contents read (``_values``)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.place = CONTENT_FIELDS.index(name)

    def __get__(self, record: object, owner: type | None = None) -> object:
        if record is None:
            return self
        found = record.__dict__
        if self.name in found:
            return found[self.name]
        if found.get("_values") is None:
            record._unpack()  # type: ignore[attr-defined]
        return found["_values"][self.place]


# How many records keep their contents unpickled (the most recently read): a page or
# feed page reads its episodes' contents, then moves on to the next ones. Without a
# bound, the main process and each worker end up holding the contents of every record
# they rendered (texts, headlines, chapters: 50 MiB of 10,000 episodes) to the end.
KEEP_UNPACKED = 512


class LentEpisodeRecord(EpisodeRecord):
    """An :class:`EpisodeRecord` read back from the store, its :data:`CONTENT_FIELDS`
    still pickled until one is read; equal to (and hashed as) the plain record.

    The contents read stay for the :data:`KEEP_UNPACKED` records read last; an older
    one forgets them (its pickle stays: read again if asked)."""

    # the records unpacked lately, oldest first (weakly: a record gone is skipped)
    _lately: ClassVar[deque[weakref.ref[LentEpisodeRecord]]] = deque()

    def _unpack(self) -> None:
        # The contents as one tuple under one key, not a key per field: the record's
        # ``__dict__`` stays the compact one its class's instances share the keys of
        # (296 bytes, not 1,584 once nine keys more are added, a size it keeps when
        # they are forgotten): 13 MiB in each process that reads every record's
        # contents at 10,000 episodes, and a worker does not write the whole dict anew.
        found = self.__dict__
        found["_values"] = tuple(safe_loads(found["_contents"]))
        lately = LentEpisodeRecord._lately
        lately.append(weakref.ref(self))
        while len(lately) > KEEP_UNPACKED:
            oldest = lately.popleft()()
            if oldest is not None and oldest is not self:
                oldest._forget()

    def _forget(self) -> None:
        """Back to the contents' pickle (a lent record's contents are only ever set by
        :meth:`_unpack`: ``replace()`` makes a record without a pickle)."""
        found = self.__dict__
        if "_contents" in found:
            found["_values"] = None  # the key stays: the dict keeps its shared keys

    def unpacked(self) -> bool:
        """Whether its contents are read (what an edit should not need of the others)."""
        found = self.__dict__
        return "_contents" not in found or found.get("_values") is not None

    def __getstate__(self) -> dict[str, object]:  # pickled whole, as a plain record is
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EpisodeRecord):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _FIELD_NAMES)

    __hash__ = EpisodeRecord.__hash__


for _name in CONTENT_FIELDS:
    setattr(LentEpisodeRecord, _name, _Content(_name))
for _name in PATH_FIELDS:
    setattr(LentEpisodeRecord, _name, _PathField(_name))


# --- descriptors ----------------------------------------------------------------------


def pack_document(loaded: Loaded) -> bytes:
    """A descriptor's document and model as the store keeps them (the documents stage)."""
    return pickle.dumps((loaded.doc, loaded.model), protocol=5)


class LentLoaded(Loaded):
    """A descriptor's :class:`~podpub.resolve.resolver.Loaded` whose document and model
    stay pickled (from the documents stage, or as a worker sent them) until a step
    reads them, and are dropped again when the step is done with them (:meth:`drop`):
    a document with every node's position is six times its pickle, and the main
    process, which takes its share of each step over the episodes, would otherwise end
    up holding all of them (300 MiB at 10,000 episodes)."""

    def __init__(
        self,
        summary: Summary,
        blob: bytes | None = None,
        fetch: Callable[[], bytes] | None = None,
    ) -> None:
        self.summary, self.file = summary, summary.file
        self._blob, self._fetch = blob, fetch  # fetch: where the blob is, when not given
        self._pair: tuple[Document, Episode] | None = None

    @property
    def doc(self) -> Document:  # type: ignore[override]
        return self._unpickled()[0]

    @property
    def model(self) -> Episode:  # type: ignore[override]
        return self._unpickled()[1]

    def _unpickled(self) -> tuple[Document, Episode]:
        if self._pair is None:
            self._pair = safe_loads(self.blob())
        return self._pair

    def blob(self) -> bytes:
        if self._blob is None:
            assert self._fetch is not None
            self._blob, self._fetch = self._fetch(), None
        return self._blob

    def drop(self) -> None:
        """Forget the unpickled document and model (read again from the blob if asked)."""
        self._pair = None

    def __getstate__(self) -> dict[str, object]:  # sent as its blob, never unpickled
        return {"summary": self.summary, "blob": self.blob()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["summary"], state["blob"])  # type: ignore[misc]
