"""Where a finding points: the producer's YAML for podpub's feed, the feed itself otherwise.

:class:`DescriptorLocator` maps an element of the feed podpub builds back to the
descriptor field it came from: the item's guid names the episode descriptor (channel
elements come from ``show.yaml``), the element's name and position name the field
(``itunes:category[1]`` → ``categories[1]``, ``podcast:person`` → the entry with that
name under ``hosts`` or ``credits``), and the attribute at fault refines it
(``podcast:person@href`` → that entry's ``url``). Descriptors are read again only when
a finding needs one, so a show without findings pays nothing.

:class:`FeedLocator` points into any other feed: its file or URL, the element's line,
and an XPath-like field (``channel/item[3]/enclosure@url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from podpub.context import BuildContext, or_no_cache
from podpub.errors import PodpubError
from podpub.input.load import Document, format_path, load_file
from podpub.rules.engine import FeedPage, Hit, qname

Path_ = tuple[str | int, ...]


class FeedLocator:
    """file = the feed as given, line = the element's line, field = its path in the feed."""

    def locate(self, hit: Hit, page: FeedPage | None) -> tuple[str, int | None, int | None, str]:
        file = page.name if page is not None else "feed"
        element = hit.element
        if element is None:
            return file, None, None, ""
        if hit.part:
            resource = element.get("url") or element.get("href") or file
            return resource, None, None, format_path(hit.part)
        field = xml_path(element) + (f"/{hit.missing}" if hit.missing else "")
        field += f"@{hit.attr}" if hit.attr else ""
        return file, element.sourceline, None, field


def xml_path(element: etree._Element) -> str:
    """``channel/item[3]/enclosure``: 1-based positions where a name repeats."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None and node.getparent() is not None:
        parent = node.getparent()
        assert parent is not None
        same = [child for child in parent if child.tag == node.tag]
        name = qname(node)
        parts.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
        node = parent
    return "/".join(reversed(parts)) or qname(element)


@dataclass(frozen=True)
class UrlOrigins:
    """Where the start of the URLs podpub writes comes from: show.yaml's ``url`` (and
    ``media_url``, ``feed_url``), or the ``--base-url`` of the run."""

    site_url: str  # the address the site is built for
    base_url: str | None = None  # given on the command line: it replaces show.yaml's url

    def from_flag(self, value: str) -> bool:
        return self.base_url is not None and value.startswith(self.site_url)


class DescriptorLocator:
    """Findings on podpub's own feed, located in the descriptor a value came from."""

    def __init__(
        self,
        show_dir: Path,
        sources: Mapping[str, str],
        show_file: str = "show.yaml",
        feed_name: str = "feed.xml",
        origins: UrlOrigins | None = None,
        run: BuildContext | None = None,
    ) -> None:
        self.show_dir = show_dir
        self.run = or_no_cache(run)  # a publish's cache holds every descriptor it read
        self.sources = sources  # item guid → episode descriptor ("episodes/x.yaml")
        self.show_file = show_file
        self.origins = origins
        self.fallback = FeedLocator()
        self.feed_name = feed_name
        # A plain dict, not functools.cache over a bound method: that makes a cycle
        # (self → cache → method → self) which the CLI's main process, without a
        # cyclic collector (cli.entry), never frees: every document read to locate a
        # finding (60 MiB for 3,500 warnings) stayed for the rest of the run.
        self._documents: dict[str, Document | None] = {}
        # the page whose findings the documents above were read for (its id: the page
        # itself would keep its tree): an item is on one page only, so a page's
        # documents are not kept while the next page is checked
        self._page: int | None = None

    def locate(self, hit: Hit, page: FeedPage | None) -> tuple[str, int | None, int | None, str]:
        if id(page) != self._page:
            self._documents.clear()
            self._page = id(page)
        element = hit.element
        if element is None:
            return self.show_file, None, None, ""
        if hit.scheme and self.origins is not None:
            # An http:// URL podpub wrote from the site's address: the fix is that address,
            # not the episode field the URL's path came from.
            value = (element.get(hit.attr) if hit.attr else element.text) or ""
            origin = self._origin(value.strip(), self.origins)
            if origin is not None:
                return origin
        item = next((e for e in element.iterancestors() if e.tag == "item"), None)
        if element.tag == "item":
            item = element
        if item is None:
            source = self.show_file
        else:
            source = self.sources.get((item.findtext("guid") or "").strip(), "")
        doc = self._load(source) if source else None
        path = descriptor_path(element, hit, doc.data, item is not None) if doc else None
        if doc is not None and item is not None and qname(element) == "podcast:person":
            # A person the episode does not name comes from show.yaml (hosts, people).
            show = self._load(self.show_file)
            name = (element.text or "").strip()
            if _find_person(doc.data, name, ()) is None and show is not None:
                doc, path = show, _person_path(show.data, name, hit.attr)
        if doc is None or path is None:
            return self.fallback.locate(hit, page)
        mark = doc.locate(path)
        return doc.file, mark.line, mark.column, format_path(path)

    def _origin(
        self, value: str, origins: UrlOrigins
    ) -> tuple[str, int | None, int | None, str] | None:
        """Where the address ``value`` starts with is written: ``--base-url``, or the
        show.yaml field (feed_url, media_url, url) that gives its beginning."""
        if origins.from_flag(value):
            return "--base-url", None, None, ""
        show = self._load(self.show_file)
        data = show.data if show is not None else None
        if not isinstance(data, dict):
            return None
        for key in ("feed_url", "media_url", "url"):
            given = data.get(key)
            if isinstance(given, str) and given.strip() and value.startswith(given.strip()):
                assert show is not None
                mark = show.locate((key,))
                return show.file, mark.line, mark.column, key
        return None

    def _load(self, source: str) -> Document | None:
        if source not in self._documents:
            self._documents[source] = self._load_uncached(source)
        return self._documents[source]

    def _load_uncached(self, source: str) -> Document | None:
        found = self.run.cached_document(self.show_dir / source)
        if found is not None:
            return found
        try:
            return load_file(self.show_dir / source, source)
        except PodpubError:
            return None


# Channel and item elements → the descriptor field they are written from.
_SHOW_FIELDS: dict[str, Path_] = {
    "rss": ("feed_size",),
    "channel": (),
    "title": ("title",),
    "link": ("url",),
    "description": ("description",),
    "language": ("language",),
    "copyright": ("copyright",),
    "itunes:image": ("image",),
    "itunes:category": ("categories",),  # only when missing: present ones are indexed
    "itunes:explicit": ("explicit",),
    "itunes:author": ("author",),
    "itunes:owner": ("owner",),
    "itunes:name": ("owner", "name"),
    "itunes:email": ("owner", "email"),
    "itunes:type": ("type",),
    "itunes:new-feed-url": ("new_feed_url",),
    "podcast:guid": ("guid",),
    "podcast:locked": ("owner", "email"),
    "podcast:medium": ("medium",),
    "podcast:license": ("license",),
    "podcast:updateFrequency": ("update_frequency",),
    "podcast:podroll": ("podroll",),
}
_ITEM_FIELDS: dict[str, Path_] = {
    "item": (),
    "title": ("title",),
    "itunes:title": ("title",),
    "description": ("summary",),
    "content:encoded": ("summary",),
    "guid": ("guid",),
    "pubDate": ("date",),
    "enclosure": ("audio",),
    "itunes:duration": ("audio",),
    "itunes:episode": ("number",),
    "podcast:episode": ("number",),
    "itunes:season": ("season",),
    "podcast:season": ("season",),
    "itunes:episodeType": ("type",),
    "itunes:explicit": ("explicit",),
    "itunes:image": ("image",),
    "podcast:chapters": ("headlines",),  # or chapters: see _chapters_field
    "podcast:license": ("license",),
}
# Repeated elements → (list field, attribute → key inside an entry).
# The key "" stands for the element's text.
_LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "podcast:funding": ("funding", {"url": "url", "": "text"}),
    "podcast:location": ("location", {"": "name"}),
    "podcast:txt": ("txt", {"purpose": "purpose", "": "text"}),
    "podcast:trailer": (
        "trailers",
        {
            "url": "audio",
            "length": "audio",
            "type": "audio",
            "pubdate": "date",
            "season": "season",
            "": "title",
        },
    ),
    "podcast:remoteItem": ("podroll", {"feedGuid": "feed_guid", "feedUrl": "feed_url"}),
    "podcast:transcript": ("transcripts", {"url": "file", "type": "file", "language": "language"}),
    "podcast:soundbite": ("soundbites", {"startTime": "start", "duration": "end", "": "title"}),
    "podcast:alternateEnclosure": ("alternate_audio", {"title": "title", "lang": "language"}),
}
_ATTRIBUTE_KEYS = {"url": "url", "href": "url", "img": "image", "language": "language"}
_CHAPTER_KEYS = {"startTime": "start", "img": "image", "url": "link", "title": "title"}


def descriptor_path(element: etree._Element, hit: Hit, data: Any, in_item: bool) -> Path_ | None:
    """The descriptor field ``element`` (and ``hit.attr``/``hit.part``) was written from."""
    if hit.missing:  # the field that would have written the missing element
        table = _ITEM_FIELDS if in_item else _SHOW_FIELDS
        return table.get(hit.missing)
    name = qname(element)
    if name == "itunes:category":
        top = element
        while top.getparent() is not None and qname(top.getparent()) == "itunes:category":
            top = top.getparent()
        parent = top.getparent()
        siblings = [e for e in parent if e.tag == top.tag] if parent is not None else [top]
        return ("categories", siblings.index(top))
    if name == "podcast:person":
        return _person_path(data, (element.text or "").strip(), hit.attr)
    if name == "podcast:source":
        parent = element.getparent()
        return (
            descriptor_path(parent, Hit(parent, ""), data, in_item) if parent is not None else None
        )
    if name == "podcast:chapters" and hit.part:
        return _chapter_path(data, hit, element)
    if name in _LISTS:
        key, attributes = _LISTS[name]
        parent = element.getparent()
        same = [e for e in parent if e.tag == element.tag] if parent is not None else [element]
        path: Path_ = (key, same.index(element))
        if name == "podcast:location" and not isinstance(data.get("location"), list):
            path = ("location",)  # written as one place, not a list
        field = attributes.get(hit.attr or "")
        if field and _entry_has(data, path, field):
            path = (*path, field)
        return path
    if name == "atom:link" and element.get("rel") == "hub":
        return ("websub_hub",)
    if name == "atom:link":
        return ("feed_url",) if isinstance(data, dict) and "feed_url" in data else ("url",)
    if name == "podcast:chapters":
        return (_chapters_field(data),)
    table = _ITEM_FIELDS if in_item else _SHOW_FIELDS
    return table.get(name)


def _chapters_field(data: Any) -> str:
    """The field an episode's chapters come from: its headlines, else its extra chapters
    (an episode with no headlines must not be pointed at a "headlines:" it lacks)."""
    if isinstance(data, dict) and not data.get("headlines") and data.get("chapters"):
        return "chapters"
    return "headlines"


def _entry_has(data: Any, path: Path_, key: str) -> bool:
    """Whether the entry at ``path`` is a mapping with ``key`` (not a one-value shortcut)."""
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(node, dict) and key in node


def _person_path(data: Any, name: str, attr: str | None) -> Path_ | None:
    """Where a person with this name is written: hosts, credits' people, or people."""
    found = _find_person(data, name, ())
    if found is None:
        return ("credits",) if isinstance(data, dict) and "credits" in data else ("hosts",)
    key = _ATTRIBUTE_KEYS.get(attr or "")
    return (*found, key) if key else found


def _find_person(node: Any, name: str, path: Path_) -> Path_ | None:
    if isinstance(node, dict):
        if node.get("name") == name:
            return path
        for key in ("hosts", "credits", "people", *node.keys()):
            if key in node:
                found = _find_person(node[key], name, (*path, key))
                if found is not None:
                    return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if value == name:
                return (*path, i)
            found = _find_person(value, name, (*path, i))
            if found is not None:
                return found
    return None


def _chapter_path(data: Any, hit: Hit, element: etree._Element) -> Path_:
    """A chapter of the JSON file → the headline (or extra chapter) with its title."""
    index = hit.part[1] if len(hit.part) > 1 and isinstance(hit.part[1], int) else None
    key = _CHAPTER_KEYS.get(str(hit.part[2])) if len(hit.part) > 2 else None
    timed = [
        (field, i, entry)
        for field in ("headlines", "chapters")
        for i, entry in enumerate(data.get(field) or [] if isinstance(data, dict) else [])
        if isinstance(entry, dict) and "start" in entry
    ]
    timed.sort(key=lambda t: _clock(t[2].get("start")))
    if index is None or index >= len(timed):
        return (_chapters_field(data),)
    field, i, _ = timed[index]
    return (field, i, key) if key else (field, i)


def _clock(value: Any) -> float:
    if not isinstance(value, str):
        return 0.0
    seconds = 0.0
    for part in value.strip().split(":"):
        try:
            seconds = seconds * 60 + float(part)
        except ValueError:
            return 0.0
    return seconds
