"""Stream a podcast feed with lxml's iterparse, refusing what a hostile feed could do.

Each ``<item>`` is read into a small :class:`Item` and its elements are freed at once, so
a 10 MB feed of 5,000 items is never held as a tree. The parser resolves no entities,
reads no DTD and touches no network; a feed that declares entities at all (the billion
laughs, XXE with file:// or http://) is refused before parsing, with a message saying why.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = (
    "https://podcastindex.org/namespace/1.0",
    "http://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)
PREFIXES = {
    ITUNES: "itunes",
    **dict.fromkeys(PODCAST, "podcast"),
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://www.w3.org/2005/Atom": "atom",
    "http://podlove.org/simple-chapters": "psc",
    "http://www.google.com/schemas/play-podcasts/1.0": "googleplay",
    "http://search.yahoo.com/mrss/": "media",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://www.rssboard.org/media-rss": "media",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    "http://purl.org/rss/1.0/modules/slash/": "slash",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://backend.userland.com/creativeCommonsRssModule": "creativeCommons",
    "http://www.spotify.com/ns/rss": "spotify",
    "http://fireside.fm/modules/rss/fireside": "fireside",
    "https://podlove.org/simple-chapters": "psc",
}

# How far into the file the prolog may go before the root element: a DTD's internal
# subset is where entities are declared; a real feed's prolog is a line or two.
PROLOG_BYTES = 65536


class FeedError(Exception):
    """The source is no feed podpub can read, or one it refuses to (the message says why)."""


@dataclass
class Node:
    """An element as the converter reads it: text, attributes, line, qualified name."""

    name: str  # "title", "itunes:duration", "podcast:person" …
    text: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)

    def first(self, name: str) -> Node | None:
        return next((c for c in self.children if c.name == name), None)

    def all(self, name: str) -> list[Node]:
        return [c for c in self.children if c.name == name]

    def text_of(self, *names: str) -> str | None:
        """The text of the first of ``names`` present with text (stripped), or None."""
        for name in names:
            for child in self.all(name):
                if child.text.strip():
                    return child.text.strip()
        return None


@dataclass
class Feed:
    """The channel (without its items) and the items, each a :class:`Node`."""

    channel: Node
    items: list[Node]
    encoding: str | None  # as the prolog declared it
    had_bom: bool
    root: str  # the root element's name: "rss", or what it was instead


def qualified(tag: str) -> str:
    """lxml's ``{namespace}local`` → ``prefix:local`` with podpub's prefixes."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    prefix = PREFIXES.get(namespace) or PREFIXES.get(namespace.rstrip("/"))
    return f"{prefix}:{local}" if prefix else f"{{{namespace}}}{local}"


def refuse_entities(head: bytes) -> None:
    """Refuse a DTD that declares entities: podcast feeds declare none, and an entity is
    how a feed expands to gigabytes or reads files and URLs on the importer's machine.
    The prolog must end (the root element start) within :data:`PROLOG_BYTES`, so that no
    declaration can hide behind padding."""
    text = head[:PROLOG_BYTES].decode("latin-1")
    root = _root_start(text)
    prolog = text[:root] if root is not None else text
    if re.search(r"<!ENTITY", prolog, re.IGNORECASE):
        raise FeedError(
            "the feed declares XML entities (a DTD with <!ENTITY …>): podpub refuses them, "
            "since they can expand to gigabytes or read local files and other URLs; a real "
            "podcast feed has none"
        )
    if root is None and len(head) >= PROLOG_BYTES:
        raise FeedError(
            f"no root element in the first {PROLOG_BYTES:,} bytes: a feed's prolog is a line "
            "or two, and a longer one is where declarations are hidden"
        )


def _root_start(text: str) -> int | None:
    """Where the root element's start tag is, past the declaration, comments, processing
    instructions and the DTD; None if not in ``text``. A scan, not a regular expression:
    linear on any input (a DTD is where hostile feeds put their tricks)."""
    at = 0
    while True:
        at = text.find("<", at)
        if at < 0 or at + 1 >= len(text):
            return None
        if text[at + 1].isalpha() or text[at + 1] == "_":
            return at
        if text.startswith("<!--", at):
            end = text.find("-->", at + 4)
        elif text.startswith("<?", at):
            end = text.find("?>", at + 2)
        elif text.startswith("<!DOCTYPE", at):
            close, subset = text.find(">", at), text.find("[", at)
            if 0 <= subset < close:  # an internal subset: to its "]", then the ">"
                end = text.find("]", subset)
                end = text.find(">", end) if end >= 0 else -1
            else:
                end = close
        else:
            end = text.find(">", at)
        if end < 0:
            return None
        at = end + 1


def parse_feed(stream: IO[bytes]) -> Feed:
    """Read a whole feed from ``stream`` (bytes), item by item."""
    head = stream.read(PROLOG_BYTES)
    refuse_entities(head)
    had_bom = head.startswith(b"\xef\xbb\xbf")
    declared = re.match(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", head)
    source = _Rewound(head, stream)
    channel: Node | None = None
    items: list[Node] = []
    root_name = ""
    depth = 0
    parser = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )
    try:
        for event, element in parser:
            if event == "start":
                depth += 1
                if depth == 1:
                    root_name = qualified(element.tag)
                elif depth == 2 and qualified(element.tag) == "channel":
                    channel = Node("channel", "", {}, element.sourceline or 0)
                continue
            depth -= 1
            if depth == 2 and channel is not None:  # a child of the channel, read and freed
                node = _node(element)
                if node.name == "item":
                    items.append(node)
                else:
                    channel.children.append(node)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML: {_syntax(exc)}") from None
    if root_name != "rss" or channel is None:
        what = f"<{root_name}>" if root_name else "nothing"
        raise FeedError(
            f"not an RSS feed: the document's root is {what}, not <rss> with a <channel>"
            + (
                " (an Atom feed: podcast apps read RSS; ask the host for its RSS feed)"
                if root_name.endswith("feed")
                else ""
            )
        )
    encoding = declared.group(1).decode("ascii") if declared else None
    return Feed(channel, items, encoding, had_bom, root_name)


def _syntax(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg if hasattr(exc, "msg") else exc)
    line = getattr(exc, "lineno", None)
    return f"{message} (line {line})" if line else message


def _node(element: etree._Element) -> Node:
    text = "".join(element.itertext()) if len(element) == 0 else (element.text or "")
    return Node(
        qualified(element.tag),
        text,
        {qualified(k): v for k, v in element.attrib.items()},
        element.sourceline or 0,
        [_node(child) for child in element if isinstance(child.tag, str)],
    )


class _Rewound(io.RawIOBase):
    """The stream again from its start: the head already read, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0 or size >= len(self.head):
                chunk, self.head = self.head, b""
                return chunk
            chunk, self.head = self.head[:size], self.head[size:]
            return chunk
        return self.rest.read(size)

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)
