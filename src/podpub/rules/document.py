"""Document rules (podcast-feed-rules.md §1 and SIZE-01): XML, encoding, namespaces, URLs, size."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from podpub.rules.engine import (
    ALL_APPS,
    APPLE,
    ATOM,
    CHANNEL,
    CONTENT,
    ITEM,
    ITUNES,
    PODCAST_URIS,
    FeedContext,
    Hit,
    itunes,
    local_name,
    namespaces_in,
    normal_uri,
    qname,
    rule,
)

KNOWN_URIS = {"itunes": ITUNES, "content": CONTENT, "atom": ATOM}

ITUNES_NAMES = frozenset(
    [
        "image",
        "category",
        "explicit",
        "author",
        "owner",
        "name",
        "email",
        "type",
        "new-feed-url",
        "block",
        "complete",
        "title",
        "episode",
        "season",
        "episodeType",
        "duration",
        "summary",
        "subtitle",
        "keywords",
    ]
)
PODCAST_NAMES = frozenset(
    [
        "guid",
        "locked",
        "person",
        "transcript",
        "chapters",
        "funding",
        "soundbite",
        "season",
        "episode",
        "location",
        "trailer",
        "license",
        "alternateEnclosure",
        "source",
        "integrity",
        "medium",
        "liveItem",
        "contentLink",
        "socialInteract",
        "block",
        "txt",
        "remoteItem",
        "podroll",
        "updateFrequency",
        "podping",
        "value",
        "valueRecipient",
        "valueTimeSplit",
        "chat",
        "publisher",
        "image",
        "images",
    ]
)

# Elements whose whole value is one short text: leading or trailing spaces are a mistake.
_SIMPLE_TEXT = ("title", "link", "language", "copyright", "guid", "pubDate", "lastBuildDate")
_SIMPLE_ITUNES = ("title", "author", "name", "email", "duration", "episode", "season", "type")


@rule(
    "DOC-01", "error", ALL_APPS, "well-formed XML: <rss version=2.0> with one <channel>", scope=ITEM
)
def well_formed(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.pages:
        if page.root is None:
            yield Hit(
                None,
                f"{page.name} is not well-formed XML ({page.error})",
                "every app refuses it: fix the XML at that line",
            )
            continue
        root = page.root
        if root.tag != "rss" or root.get("version") != "2.0":
            yield Hit(root, f'the root is <{qname(root)}>, not <rss version="2.0">', "")
        channels = root.findall("channel")
        if len(channels) != 1:
            yield Hit(root, f"{len(channels)} <channel> elements; RSS has exactly one")


@rule("DOC-02", "error", APPLE, "XML declaration with UTF-8, file encoded in UTF-8", scope=ITEM)
def declaration(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        head = page.data[:100].lstrip(b"\xef\xbb\xbf")
        match = re.match(rb"<\?xml\s[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", head)
        if not head.startswith(b"<?xml"):
            yield Hit(
                page.root,
                "the feed does not start with an XML declaration",
                'start it with <?xml version="1.0" encoding="UTF-8"?>',
            )
        elif match is None or match.group(1).lower() not in (b"utf-8", b"utf8"):
            yield Hit(
                page.root,
                'the XML declaration does not say encoding="UTF-8"',
                'write <?xml version="1.0" encoding="UTF-8"?> and save the file as UTF-8',
            )
        else:
            try:
                page.data.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Hit(page.root, f"byte {exc.start} is not UTF-8", "save the feed as UTF-8")


@rule("DOC-03", "error", APPLE, "exact namespace URIs (itunes is http://, podcast is https://)")
def namespaces(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        for (prefix, uri), element in namespaces_in(page).items():
            for name, exact in KNOWN_URIS.items():
                near = normal_uri(uri) == normal_uri(exact)
                if uri != exact and (near or prefix == name):
                    yield Hit(
                        element,
                        f"xmlns:{prefix} is {uri!r}; the {name} namespace is exactly {exact!r}",
                        "namespace URIs are exact, case-sensitive strings: apps ignore "
                        "every tag of a misspelt one",
                    )


@rule("DOC-04", "error", APPLE, "element names in the exact case (itunes:episodeType)", scope=ITEM)
def element_case(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.parsed:
        assert page.root is not None
        for element in page.root.iter():
            if not isinstance(element.tag, str) or not element.tag.startswith("{"):
                continue
            uri = element.tag[1:].split("}", 1)[0]
            names = (
                ITUNES_NAMES if uri == ITUNES else PODCAST_NAMES if uri in PODCAST_URIS else None
            )
            name = local_name(element)
            if names is None or name in names:
                continue
            for known in names:
                if known.lower() == name.lower():
                    yield Hit(
                        element,
                        f"<{qname(element)}> is not a tag; element names are case-sensitive",
                        f"write <{qname(element).split(':')[0]}:{known}>",
                    )


@rule("DOC-06", "warning", APPLE, "no leading or trailing spaces in values", scope=ITEM)
def no_padding(ctx: FeedContext) -> Iterator[Hit]:
    for channel in ctx.channels:
        for parent in [channel, *channel.findall("item")]:
            elements = [parent.find(name) for name in _SIMPLE_TEXT]
            elements += [e for name in _SIMPLE_ITUNES for e in itunes(parent, name)]
            owner = itunes(parent, "owner")
            if owner:
                elements += itunes(owner[0], "name") + itunes(owner[0], "email")
            for element in elements:
                value = element.text if element is not None else None
                if value and value != value.strip():
                    yield Hit(
                        element,
                        f"<{qname(element)}> has spaces or line breaks around {value.strip()!r}",
                        "remove them",
                    )


def _urls(ctx: FeedContext) -> Iterator[tuple[etree._Element, str | None, str]]:
    """(element, attribute or None for text, URL) for every URL the apps follow."""
    for channel in ctx.channels:
        for element in channel.iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag == "link" and element.text:
                yield element, None, element.text.strip()
            for attr in ("url", "href", "img", "uri", "feedUrl"):
                value = element.get(attr)
                if value:
                    yield element, attr, value


_NOT_URL_ASCII = re.compile(r"[^\x21-\x7e]")


@rule("DOC-09", "error", APPLE, "URLs in ASCII (percent-encoded)", scope=ITEM)
def ascii_urls(ctx: FeedContext) -> Iterator[Hit]:
    for element, attr, url in _urls(ctx):
        match = _NOT_URL_ASCII.search(url)
        if match is not None:
            bad = match.group()
            where = f"{qname(element)}@{attr}" if attr else qname(element)
            yield Hit(
                element,
                f"the URL in {where} contains {bad!r}: {url}",
                "Apple takes ASCII URLs only: percent-encode it (or rename the file)",
                attr=attr,
            )


@rule("DOC-10", "warning", ALL_APPS, "https links", scope=ITEM)
def https_links(ctx: FeedContext) -> Iterator[Hit]:
    for channel in ctx.channels:
        for parent in [channel, *channel.findall("item")]:
            link = parent.find("link")
            if link is not None and ctx.insecure(link.text or ""):
                yield Hit(
                    link,
                    f"the link {link.text!r} is http://",
                    "serve the site over https",
                    scheme=True,
                )
        for element in channel.findall(f"{{{ATOM}}}link"):
            if not ctx.insecure(element.get("href") or ""):
                continue
            if element.get("rel") == "hub":
                # the WebSub hub is another service's address, not the site's: the fix
                # is its https:// address, not the show's url
                yield Hit(
                    element,
                    f"the WebSub hub's address is http:// ({element.get('href')})",
                    "give the hub's https:// address",
                    "href",
                )
                continue
            yield Hit(
                element,
                "the feed's address is http://",
                "serve it over https",
                "href",
                scheme=True,
            )


@rule(
    "DOC-12",
    "warning",
    ALL_APPS,
    "itunes:new-feed-url: an absolute URL of another feed",
    scope=CHANNEL,
)
def new_feed_url(ctx: FeedContext) -> Iterator[Hit]:
    channel = ctx.channel
    if channel is None:
        return
    for element in itunes(channel, "new-feed-url"):
        url = (element.text or "").strip()
        if not re.match(r"^https?://[^/\s]+", url):
            yield Hit(
                element, f"itunes:new-feed-url {url!r} is not an absolute URL", "", level="error"
            )
        selves = [
            a.get("href") for a in channel.findall(f"{{{ATOM}}}link") if a.get("rel") == "self"
        ]
        if url and url in selves:
            yield Hit(
                element,
                "itunes:new-feed-url points at this feed itself",
                "give the new address, or remove new_feed_url",
            )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.2f} MB" if size >= 100_000 else f"{size:,} bytes"


@rule(
    "SIZE-01", "warning", ALL_APPS, "feed size budget (warn 1 MB, fail 4 MB by default)", scope=ITEM
)
def size_budget(ctx: FeedContext) -> Iterator[Hit]:
    for page in ctx.pages:
        size = len(page.data)
        if size <= ctx.warn_bytes:
            continue
        over_error = size > ctx.error_bytes
        limit = ctx.error_bytes if over_error else ctx.warn_bytes
        fix = (
            "list fewer episodes (max_items in show.yaml or --max-items) or page the feed "
            "(feed_page_size in show.yaml)"
            if ctx.own
            else "list fewer episodes, or page the feed (RFC 5005)"
        )
        yield Hit(
            page.root,
            f"{page.name} is {_megabytes(size)}, over the budget of {_megabytes(limit)}: apps "
            "download the whole feed at every refresh and some give up",
            fix,
            level="error" if over_error else "warning",
        )
