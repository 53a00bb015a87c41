"""The rule engine: rules read a parsed feed and report hits; the engine makes them findings.

A rule is a function registered with :func:`rule` under a stable id of
podcast-feed-rules.md §10 (``APL-01``, ``P20-07`` …), a default level and the directory or
app it matters to. It reads a :class:`FeedContext` (the feed's pages parsed with lxml,
plus the files it points at, through :class:`Resources`) and yields :class:`Hit` values:
an element, what is wrong, the fix. Rules know nothing about descriptors: the engine asks
a :class:`Locator` where a hit came from — the line of the producer's YAML for the feed
podpub builds (``locate.DescriptorLocator``), the feed's own line for any other feed
(``locate.FeedLocator``). So the same rules check podpub's feed and anyone else's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from lxml import etree

from podpub.errors import Problem
from podpub.feed.readback import ReadBack, parse

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
# The namespace's older URI, which the spec asks clients to treat as the same namespace.
PODCAST_GITHUB = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
PODCAST_URIS = (PODCAST, PODCAST_GITHUB, PODCAST_GITHUB.lower())
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PSC = "http://podlove.org/simple-chapters"
PREFIXES = {ITUNES: "itunes", ATOM: "atom", CONTENT: "content", PSC: "psc"} | {
    uri: "podcast" for uri in PODCAST_URIS
}

LEVELS = ("error", "warning", "info")

# Who a rule matters to (the "audience" of a finding).
ALL_APPS = "all apps"
APPLE = "Apple Podcasts"
DIRECTORIES = "Apple Podcasts, Spotify, YouTube"
PODCAST_INDEX = "Podcast Index apps"


@dataclass(frozen=True, order=True)
class Finding(Problem):
    """A :class:`Problem` found by a feed rule: its id and who it matters to."""

    rule: str = ""
    audience: str = ""

    def __str__(self) -> str:
        return f"{self.sentence()} [{self.rule} {self.level}, {self.audience}]"


@dataclass(frozen=True)
class Hit:
    """What a rule found: the element at fault, what is wrong and how to fix it.

    ``attr`` names the attribute at fault (``None``: the element or its text). ``part``
    points inside a file the element links to (``("chapters", 2, "img")`` in a JSON
    chapters file). ``level`` overrides the rule's default.
    """

    element: etree._Element | None
    message: str
    fix: str = ""
    attr: str | None = None
    part: tuple[str | int, ...] = ()
    level: str | None = None
    rule: str | None = None  # reported under another rule (a file the feed links is missing)
    missing: str | None = None  # the element (``itunes:episode``) ``element`` lacks
    # The fault is the URL's http:// scheme: for the feed podpub builds, the fix is
    # where the address's start comes from (show.yaml's url or media_url), see locate.py.
    scheme: bool = False


@dataclass
class Resource:
    """A file the feed points at (artwork, chapters, transcript), as far as it was read."""

    url: str
    data: bytes | None = None
    error: str | None = None  # why it could not be read
    content_type: str | None = None


class Resources(Protocol):
    """Where rules read the files a feed points at: local files, or HTTP."""

    def get(self, url: str) -> Resource: ...


class NoResources:
    """Nothing to read (``--offline``): the rules that need a file skip it."""

    def get(self, url: str) -> Resource:
        return Resource(url, error="not read (offline)")


@dataclass
class FeedPage:
    """One feed document: the feed, or one page of a paged feed (RFC 5005)."""

    name: str  # as the producer knows it: "feed.xml", a path, or the URL fetched
    data: bytes
    url: str | None = None  # where it is served (its atom:link self should say so)
    root: etree._Element | None = None
    error: str | None = None  # why it did not parse
    namespaces: dict[tuple[str | None, str], etree._Element] | None = None  # namespaces_in
    # What reading the page back found (feed/readback.py), kept by a check that parsed the
    # page and let its tree go (run.py: a paged feed's trees are not all held at once)
    reading: ReadBack | None = None


@dataclass
class FeedContext:
    """Everything the rules read."""

    pages: list[FeedPage]
    resources: Resources = field(default_factory=NoResources)
    now: dt.datetime | None = None  # items dated after it are in the future
    future_allowed: bool = False  # the producer asked for future items (--future)
    warn_bytes: int = 1_000_000
    error_bytes: int = 4_000_000
    guid_pinned: bool | None = None  # podpub's own feed: show.yaml pins podcast:guid
    own: bool = False  # the feed podpub builds (its fixes name descriptor fields)
    # A preview for a local or LAN address (input/preview.py): no certificate to serve
    # https with, and no app reads it, so the https rules let its http:// URLs pass.
    preview: bool = False

    def insecure(self, url: str) -> bool:
        """Whether the https rules report ``url``: http://, and not in a preview."""
        return url.strip().startswith("http://") and not self.preview

    def page(self, index: int) -> FeedContext:
        """The same context with page ``index`` alone (what the page rules read)."""
        return dataclasses.replace(self, pages=[self.pages[index]])

    @property
    def parsed(self) -> list[FeedPage]:
        return [page for page in self.pages if page.root is not None]

    @property
    def channel(self) -> etree._Element | None:
        """The first page's channel: the show (later pages repeat it)."""
        for page in self.parsed:
            found = page.root.find("channel") if page.root is not None else None
            if found is not None:
                return found
        return None

    @property
    def channels(self) -> list[etree._Element]:
        return [c for p in self.parsed if p.root is not None for c in p.root.findall("channel")[:1]]

    @property
    def items(self) -> list[etree._Element]:
        """Every item of every page, in feed order."""
        return [item for channel in self.channels for item in channel.findall("item")]


class Locator(Protocol):
    def locate(
        self, hit: Hit, page: FeedPage | None
    ) -> tuple[str, int | None, int | None, str]: ...


#: A rule's scope: "page" rules read one feed document at a time (its channel and its
#: items), so a paged feed can be checked page by page, and a page whose inputs did not
#: change keeps its findings (:class:`PageMemo`); "feed" rules compare items across the
#: pages (unique guids, unique enclosures). "item" rules are page rules that read the
#: channel and each item on its own: what they find on an item depends on that item
#: and the channel alone, and what they find outside the items on the channel (and the
#: page's bytes) alone. They can run on a page with only some of its items: an edited
#: episode's item is checked, its 199 neighbours keep what they had (run.py). A page
#: rule that compares elements across items (the first element using a namespace) stays
#: "page": it reads the whole page. "channel" rules are page rules that read the channel
#: alone (and the page's address): an edited episode leaves what they found as it was,
#: unless the channel changed too (the show's cover is not read and decoded again).
PAGE, FEED, ITEM, CHANNEL = "page", "feed", "item", "channel"

#: What a feed rule compares across items, read from the items of a context's pages.
Values = Callable[[FeedContext], Iterable[str]]


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    audience: str
    summary: str
    check: Callable[[FeedContext], Iterable[Hit]]
    scope: str = PAGE
    # A feed rule that names the values it compares promises to report only items whose
    # value another item of the feed shares: the pages holding no repeated value need
    # not be read (run_rules). A feed rule without one reads every page.
    values: Values | None = None


RULES: list[Rule] = []


def rule(
    rule_id: str,
    level: str,
    audience: str,
    summary: str,
    scope: str = PAGE,
    values: Values | None = None,
) -> Callable[[Callable[[FeedContext], Iterable[Hit]]], Callable[[FeedContext], Iterable[Hit]]]:
    """Register a check under a rule id (one id may have several checks)."""

    def register(
        check: Callable[[FeedContext], Iterable[Hit]],
    ) -> Callable[[FeedContext], Iterable[Hit]]:
        RULES.append(Rule(rule_id, level, audience, summary, check, scope, values))
        return check

    return register


@dataclass(frozen=True)
class PageCheck:
    """What the rules make of one page of a paged feed on its own, kept between runs:
    the page rules' findings, and for each feed rule the values it compares on the page
    (None for a rule that names none), so that the feed rules need not read the page."""

    findings: tuple[Finding, ...]
    values: tuple[tuple[str, ...] | None, ...]
    # The item rules' findings on each item (and the channel rules' on the channel), by
    # its key (ItemMemo): an item whose key is the same next time keeps them, on whichever
    # page it then is. The keys (digests, all of one width) are kept end to end in one
    # string: a show's 10,000 are not 10,000 objects to read back at every run. Empty
    # when the page was checked whole (no keys, or a finding pointing into the page
    # itself, whose line depends on the items before it).
    item_keys: str = ""
    item_findings: tuple[tuple[Finding, ...], ...] = ()

    @staticmethod
    def of(
        findings: tuple[Finding, ...],
        values: tuple[tuple[str, ...] | None, ...],
        parts: Sequence[tuple[str, tuple[Finding, ...]]],
    ) -> PageCheck:
        """The check of a page, keeping ``parts`` (key → findings) unless their keys
        are not all of one width."""
        if len({len(key) for key, _ in parts}) != 1:
            return PageCheck(findings, values)
        keys = "".join(key for key, _ in parts)
        return PageCheck(findings, values, keys, tuple(found for _, found in parts))

    def items(self) -> Iterator[tuple[str, tuple[Finding, ...]]]:
        """Each kept part's key and findings."""
        if not self.item_findings:
            return iter(())
        width = len(self.item_keys) // len(self.item_findings)
        keys = (self.item_keys[at : at + width] for at in range(0, len(self.item_keys), width))
        return zip(keys, self.item_findings, strict=True)


class PageMemo(Protocol):
    """How :func:`run_rules` keeps what it found on each page of a paged feed between
    runs and shares the pages out (checker.py gives podpub's own feed one, over the
    cache and worker processes of the run)."""

    def get(self, index: int) -> PageCheck | None:
        """The check of page ``index`` kept from a run with the same inputs, or None."""
        ...

    def put(self, index: int, check: PageCheck) -> None: ...

    def map(self, fn: Callable[[int], PageCheck], indexes: list[int]) -> list[PageCheck]: ...


@runtime_checkable
class ItemMemo(PageMemo, Protocol):
    """A :class:`PageMemo` that also keys each item of a page (podpub's own feed, whose
    items are made from one episode record each): a page to check again runs its item
    rules on the items whose keys have no kept findings only."""

    def item_keys(self, index: int) -> Sequence[str]:
        """The key of each item of page ``index``, in the page's order: a digest of all
        the item rules' findings on it depend on (its episode, the channel, the run)."""
        ...

    def kept_items(self) -> Mapping[str, tuple[Finding, ...]]:
        """The item findings kept from the last run, by item key, whatever their page
        (and the channel rules' findings, by channel key)."""
        ...

    def channel_key(self, index: int) -> str:
        """What the channel rules' findings on page ``index`` depend on besides the
        channel's own elements (which run.py digests): the run, the show, the page's
        name and address."""
        ...


def parse_pages(pages: list[FeedPage]) -> None:
    """Parse each page not parsed yet (nor refused) as a strict XML parser (no entities,
    no network) does: the rules parse a page only when they read it."""
    for page in pages:
        if page.root is not None or page.error is not None:
            continue
        try:
            page.root = parse(page.data)  # the one strict reader (feed/readback.py)
        except etree.XMLSyntaxError as exc:
            page.root, page.error = None, str(exc)


def finding_order(finding: Problem) -> tuple[str, int, int, str, str]:
    return (
        finding.file,
        finding.line or 0,
        finding.column or 0,
        getattr(finding, "rule", ""),
        finding.message,
    )


# --- helpers the rules share --------------------------------------------------------


def qname(element: etree._Element) -> str:
    """``itunes:image``, ``podcast:person``, ``title``: the name as the feed writes it."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        prefix = PREFIXES.get(uri) or element.prefix or uri
        return f"{prefix}:{local}"
    return tag


def itunes(element: etree._Element, name: str) -> list[etree._Element]:
    """Apple's tags; under a misspelt itunes URI too, so that DOC-03 alone reports it.

    (``iterchildren`` matches the name in C; ``findall`` parses it as a path first: twice
    the time, on every item for every tag a rule reads.)"""
    found = list(element.iterchildren(f"{{{ITUNES}}}{name}"))
    if not found:
        for uri in _near_uris(_declared(element), ITUNES):
            found.extend(element.findall(f"{{{uri}}}{name}"))
    return found


def podcast(element: etree._Element, name: str) -> list[etree._Element]:
    """Children in the podcast namespace, under either of its two URIs (or a misspelt one,
    so that P20-01 alone reports the misspelling): those of the first URI first.

    One pass over the children for the three spellings (``findall`` made three, and
    parsed each name as a path: the GitHub URI's dots and slashes made that five to ten
    times slower than this, measured on every item for every tag a rule reads)."""
    tags = _podcast_tags(name)
    found = list(element.iterchildren(*tags))
    if len(found) > 1:  # in the order of PODCAST_URIS, each in document order
        found.sort(key=lambda child: tags.index(child.tag))
    if not found:
        for uri in _near_uris(_declared(element), PODCAST):
            found.extend(element.findall(f"{{{uri}}}{name}"))
    return found


@functools.cache
def _podcast_tags(name: str) -> tuple[str, ...]:
    """The tag of ``name`` under each spelling of the podcast namespace's URI."""
    return tuple(dict.fromkeys(f"{{{uri}}}{name}" for uri in PODCAST_URIS))


def normal_uri(uri: str) -> str:
    """A namespace URI without scheme, case and trailing slash: to recognise misspellings."""
    return re.sub(r"^[a-z]+://", "", uri.strip().lower()).rstrip("/")


def is_podcast_uri(uri: str) -> bool:
    """The podcast namespace, spelt right or nearly (http://, a trailing slash, case)."""
    return uri in PODCAST_URIS or _is_near(uri, PODCAST)


def podcast_elements(root: etree._Element) -> Iterator[etree._Element]:
    """Every podcast:* element of the document (lxml filters the names in C)."""
    uris = (*PODCAST_URIS, *_near_uris(_declared(root), PODCAST))
    yield from root.iter(*(f"{{{uri}}}*" for uri in uris))


def _declared(element: etree._Element) -> tuple[str, ...]:
    """The namespace URIs declared on the document's root (where feeds declare them)."""
    return tuple(sorted(set(element.getroottree().getroot().nsmap.values())))


@functools.cache
def _near_uris(declared: tuple[str, ...], exact: str) -> tuple[str, ...]:
    """Declared URIs that are misspellings of ``exact`` (or of its GitHub twin)."""
    return tuple(u for u in declared if u not in PODCAST_URIS and u != exact and _is_near(u, exact))


@functools.cache
def _is_near(uri: str, exact: str) -> bool:
    twins = PODCAST_URIS if exact == PODCAST else (exact,)
    return normal_uri(uri) in {normal_uri(u) for u in twins}


def namespaces_in(page: FeedPage) -> dict[tuple[str | None, str], etree._Element]:
    """(prefix, URI) → the first element that uses it: the root's declarations and every
    namespace an element's name is in. Computed once per page (feeds are large)."""
    if page.namespaces is None:
        found: dict[tuple[str | None, str], etree._Element] = {}
        if page.root is not None:
            for prefix, uri in page.root.nsmap.items():
                found.setdefault((prefix, uri), page.root)
            if page.data.count(b"xmlns") == len(found):
                # no namespace declared below the root (nor "xmlns" written anywhere
                # else): every element's (prefix, URI) is one of the root's, found at
                # the root first. A feed page of 200 items need not be walked.
                page.namespaces = found
                return found
            for element in page.root.iter(etree.Element):
                tag = element.tag
                if tag[0] == "{":
                    found.setdefault((element.prefix, tag[1:].split("}", 1)[0]), element)
        page.namespaces = found
    return page.namespaces


def local_name(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text(element: etree._Element | None) -> str:
    return (element.text or "") if element is not None else ""


def first(elements: list[etree._Element]) -> etree._Element | None:
    return elements[0] if elements else None


def item_label(item: etree._Element) -> str:
    """How a message names an item: its title, or its position."""
    title = (item.findtext("title") or "").strip()
    if title:
        return f"« {title[:60]} »"
    parent = item.getparent()
    index = parent.index(item) if parent is not None else 0
    return f"item {index + 1}"


def duration_seconds(item: etree._Element) -> float | None:
    """The item's itunes:duration in seconds (integer seconds or [[H:]M:]S), if readable."""
    value = text(first(itunes(item, "duration"))).strip()
    if not value:
        return None
    try:
        parts = [float(part) for part in value.split(":")]
    except ValueError:
        return None
    if len(parts) > 3 or any(part < 0 for part in parts):
        return None
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def unreachable(element: etree._Element, what: str, resource: Resource, attr: str) -> Hit | None:
    """A linked file that could not be read: DOC-07 (public, reachable), not the rule's own."""
    if resource.error is None or "offline" in resource.error:
        return None
    return Hit(
        element,
        f"cannot read the {what} at {resource.url}: {resource.error}",
        "check that it is published at that address and needs no password",
        attr=attr,
        level="error",
        rule="DOC-07",
    )
