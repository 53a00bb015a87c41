"""A parsed feed → show.yaml's data and one descriptor per item, every change reported.

What subscribers' apps go by is kept exactly: each item's guid (trimmed, case kept), its
enclosure URL, length and duration, its pubDate instant, title, season, number and type,
and the show's podcast:guid. Everything else is converted to podpub's form (HTML to
Markdown, old categories to current ones) or, when podpub does not write it, dropped and
named in the report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from podpub.importer.categories import current_category
from podpub.importer.extras import TRANSCRIPT_EXTENSIONS, Fetcher, chapters_from_json
from podpub.importer.feedxml import Feed, Node
from podpub.importer.markup import timestamp_chapters, to_markdown
from podpub.importer.report import Report
from podpub.importer.values import parse_date, parse_duration, parse_flag, parse_positive
from podpub.input.paths import slugify
from podpub.input.taxonomy import groups_of_role
from podpub.resolve.chapters import clock
from podpub.resolve.guids import podcast_guid
from podpub.resolve.resolver import APPLE_DESCRIPTION_BYTES
from podpub.write.ledger import Entry

# Analytics services that prefix enclosure URLs and redirect to the file (kept as they are:
# the prefix is how the producer counts downloads, and the URL is what apps have).
ANALYTICS_PREFIXES = (
    "dts.podtrac.com/redirect",
    "podtrac.com/pts/redirect",
    "chtbl.com/track",
    "pdst.fm/e",
    "chrt.fm/track",
    "op3.dev/e",
    "pfx.vpixl.com",
    "claritaspod.com/measure",
    "arttrk.com/p",
    "verifi.podscribe.com/rss/p",
    "mgln.ai/e",
    "traffic.megaphone.fm",
    "prfx.byspotify.com/e",
    "tracking.swap.fm/track",
)

# Tags podpub reads on an item; any other is dropped and counted in the report.
ITEM_TAGS_READ = {
    "title", "itunes:title", "guid", "pubDate", "description", "content:encoded",
    "itunes:summary", "itunes:subtitle", "enclosure", "itunes:duration", "itunes:episode",
    "podcast:episode", "itunes:season", "podcast:season", "itunes:episodeType",
    "itunes:explicit", "podcast:chapters", "podcast:transcript", "podcast:person",
    "psc:chapters", "link", "itunes:image", "itunes:author",
}  # fmt: skip
CHANNEL_TAGS_READ = {
    "title", "description", "itunes:summary", "itunes:subtitle", "language", "link",
    "itunes:author", "itunes:owner", "itunes:image", "image", "itunes:category",
    "itunes:explicit", "itunes:type", "copyright", "podcast:guid", "podcast:locked",
    "podcast:funding", "podcast:person", "itunes:new-feed-url", "atom:link",
    "lastBuildDate", "generator", "pubDate", "docs", "managingEditor", "webMaster",
}  # fmt: skip


@dataclass
class Episode:
    """One item as a descriptor: its key (file stem), fields, and ledger entry."""

    key: str
    data: dict[str, Any]
    comments: list[str]
    entry: Entry
    published: dt.datetime  # the pubDate, with the offset it was written with
    page_key: str | None = None  # the key its page had, when the old page URL shows one
    source_url: str = ""  # the enclosure as the old feed served it (absolute): --download
    transcripts: dict[str, bytes] = field(default_factory=dict)  # show-relative path → bytes


@dataclass
class Show:
    data: dict[str, Any]
    comments: dict[str, list[str]]  # key → comment lines written above it
    cover_url: str | None
    old_feed_url: str | None


def item_label(index: int, node: Node, title: str | None = None) -> str:
    name = title if title is not None else (node.text_of("title", "itunes:title") or "untitled")
    return f"item {index} (line {node.line}) {name[:60]!r}"


# --- the channel ----------------------------------------------------------------------


def convert_show(feed: Feed, source_url: str | None, report: Report) -> Show:
    channel = feed.channel
    data: dict[str, Any] = {}
    comments: dict[str, list[str]] = {}
    title = channel.text_of("title", "itunes:title") or "Untitled show"
    if not channel.text_of("title"):
        report.convert("show title missing: 'Untitled show' written", "")
    data["title"] = title
    description_source = channel.text_of("description", "itunes:summary", "itunes:subtitle")
    description, was_html = to_markdown(description_source or title)
    if was_html:
        report.convert("show description: HTML → Markdown")
    if not description_source:
        report.convert("show description missing: the title written in its place")
    data["description"] = description
    data["language"] = _language(channel.text_of("language"), report)
    link = channel.text_of("link")
    if link is None or not re.match(r"^https?://[^/\s]+\.[^/\s]+", link):
        site = _site_of(source_url)
        comments["url"] = [
            f"The old feed gave no site address ({link!r}); set the address of the new site."
        ]
        report.advise("show.yaml url: the old feed had no site link; set the new site's")
        link = site
    data["url"] = link if link.endswith("/") or "?" in link else link + "/"
    owner = channel.first("itunes:owner")
    owner_name = owner.text_of("itunes:name") if owner else None
    owner_email = owner.text_of("itunes:email") if owner else None
    author = channel.text_of("itunes:author") or owner_name or title
    data["author"] = author
    if owner_email is None:
        owner_email = _email_in(channel.text_of("managingEditor", "webMaster"))
        if owner_email:
            report.convert("itunes:owner email taken from managingEditor")
    if owner_email is None:
        comments["owner"] = ["The old feed names no owner e-mail: add it (directories need it)."]
        report.advise("show.yaml owner.email: the old feed had none; add yours")
        data["owner"] = {"name": owner_name or author}
    else:
        data["owner"] = {"name": owner_name or author, "email": owner_email}
    data["image"] = "cover.jpg"  # renamed to the real type when the cover is downloaded
    cover_url = _cover_url(channel)
    data["categories"], comments["categories"] = _categories(channel, report)
    explicit = parse_flag(channel.text_of("itunes:explicit") or "")
    if explicit is None:
        report.convert("show itunes:explicit missing or unreadable: false written")
    data["explicit"] = bool(explicit)
    show_type = (channel.text_of("itunes:type") or "episodic").lower()
    data["type"] = show_type if show_type in ("episodic", "serial") else "episodic"
    copyright_text = channel.text_of("copyright")
    if copyright_text:
        data["copyright"] = copyright_text
    old_feed_url = _self_url(channel) or source_url
    data["guid"] = _show_guid(channel, old_feed_url, report, comments)
    _locked(channel, report)
    funding = _funding(channel.all("podcast:funding"), report)
    if funding:
        data["funding"] = funding
    hosts, credits = _people(channel.all("podcast:person"), report, "show")
    if hosts:
        data["hosts"] = hosts
    if credits:
        data["credits"] = credits
    moved = channel.text_of("itunes:new-feed-url")
    if moved and moved.rstrip("/") == (old_feed_url or "").rstrip("/"):
        report.drop("itunes:new-feed-url naming the feed itself (no move)", moved)
    elif moved:
        report.advise(
            f"the old feed already says it moved to {moved} (itunes:new-feed-url): apps follow "
            "it; import that feed if it is the newer one"
        )
        report.drop("itunes:new-feed-url of the old feed (it points away from podpub)", moved)
    _count_dropped(channel.children, CHANNEL_TAGS_READ, report, "channel")
    return Show(data, {k: v for k, v in comments.items() if v}, cover_url, old_feed_url)


def _language(value: str | None, report: Report) -> str:
    code = (value or "").strip().lower().replace("_", "-")
    if re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", code):
        if value != code:
            report.convert(f"language {value!r} → {code!r} (lower case, as Apple wants)")
        return code
    short = code[:2] if re.match(r"[a-z]{2}\b", code) else "en"
    report.convert(f"language {value!r} is no ISO 639-1 code: {short!r} written")
    return short


def _site_of(url: str | None) -> str:
    match = re.match(r"^(https?://[^/\s]+)", url or "")
    return (match.group(1) + "/") if match else "https://example.com/"


def _email_in(text: str | None) -> str | None:
    match = re.search(r"[^@\s<>()\"]+@[^@\s<>()\"]+\.[A-Za-z]{2,}", text or "")
    return match.group() if match else None


def _cover_url(channel: Node) -> str | None:
    for node in channel.all("itunes:image"):
        if node.attrs.get("href", "").strip():
            return node.attrs["href"].strip()
    image = channel.first("image")
    return image.text_of("url") if image else None


def _categories(channel: Node, report: Report) -> tuple[list[str], list[str]]:
    found: list[str] = []
    notes: list[str] = []
    for node in channel.all("itunes:category"):
        parent = node.attrs.get("text", "")
        subs: list[str | None] = [c.attrs.get("text", "") for c in node.all("itunes:category")]
        subs = subs or [None]
        for sub in subs:
            name, how = current_category(parent, sub)
            old = f"{parent} > {sub}" if sub else parent
            if how:
                what = "an old Apple category" if how == "renamed" else "not an Apple category"
                notes.append(f"{old!r} in the old feed ({what}): {name!r} is the nearest now")
                report.convert(f"category: {what} → the nearest current one", f"{old} → {name}")
            if name not in found:
                found.append(name)
    if not found:
        found = ["Society & Culture"]
        notes.append("The old feed had no category: choose yours (Apple needs one).")
        report.advise("show.yaml categories: the old feed had none; choose yours")
    return found, notes


def _self_url(channel: Node) -> str | None:
    for node in channel.all("atom:link"):
        if node.attrs.get("rel") == "self" and node.attrs.get("href", "").strip():
            return node.attrs["href"].strip()
    return None


def _show_guid(
    channel: Node, old_feed_url: str | None, report: Report, comments: dict[str, list[str]]
) -> str | None:
    given = (channel.text_of("podcast:guid") or "").strip().lower()
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", given):
        report.keep("podcast:guid")
        comments["guid"] = ["The show's podcast:guid from the old feed: never change it."]
        return given
    if old_feed_url is None:
        report.advise(
            "show.yaml guid: the old feed has no podcast:guid and no self link; give the old "
            "feed's URL to podpub import to compute it as apps do"
        )
        return None
    computed = podcast_guid(old_feed_url)
    comments["guid"] = [
        f"Computed from the old feed URL {old_feed_url} as apps do (UUIDv5): pinned, so the "
        "show keeps it at its new address."
    ]
    report.convert("podcast:guid computed from the old feed URL and pinned", computed)
    return computed


def _locked(channel: Node, report: Report) -> None:
    node = channel.first("podcast:locked")
    if node is not None:
        report.convert(
            "podcast:locked: podpub writes yes with the owner e-mail",
            f"was {node.text.strip()!r}",
        )


def _funding(nodes: list[Node], report: Report) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for node in nodes:
        url = node.attrs.get("url", "").strip()
        if not url.startswith(("https://", "http://")):
            report.drop("podcast:funding without a URL", node.text.strip())
            continue
        found.append({"url": url, "text": node.text.strip() or "Support the show"})
    return found


def _people(
    nodes: Iterable[Node], report: Report, where: str
) -> tuple[list[Any], list[dict[str, Any]]]:
    """podcast:person → hosts (role host, the default) and credits grouped by role."""
    hosts: list[Any] = []
    credits: dict[tuple[str, str | None], list[Any]] = {}
    for node in nodes:
        name = node.text.strip()
        if not name:
            report.drop("podcast:person without a name", f"{where}, line {node.line}")
            continue
        person: dict[str, str] = {"name": name}
        for attr, key in (("href", "url"), ("img", "image")):
            value = node.attrs.get(attr, "").strip()
            if re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+", value) and " " not in value:
                person[key] = value
        role = node.attrs.get("role", "host").strip().lower() or "host"
        group = node.attrs.get("group", "").strip().lower() or None
        if not groups_of_role(role):
            report.drop(f"podcast:person with a role outside the taxonomy ({where})", role)
            continue
        groups = groups_of_role(role)
        if group is not None and group not in groups:
            # the feed's group is no group of that role: the role's own (the first of them)
            report.convert("podcast:person group that is not the role's: the role's own", role)
            group = groups[0] if len(groups) > 1 else None
        elif group is None and len(groups) > 1 and role != "host":
            group = groups[0]  # podpub asks which group when a role has several
            report.convert("podcast:person without a group: the role's first", role)
        entry: Any = person if len(person) > 1 else name
        if role == "host":
            hosts.append(entry)
        else:
            credits.setdefault((role, group), []).append(entry)
        report.keep(f"podcast:person ({where})")
    lines = []
    for (role, group), people in credits.items():
        line: dict[str, Any] = {"role": role}
        if group:
            line["group"] = group
        line["people"] = people
        lines.append(line)
    return hosts, lines


def _count_dropped(nodes: list[Node], read: set[str], report: Report, where: str) -> None:
    for node in nodes:
        if node.name not in read:
            report.drop(f"<{node.name}> ({where}): podpub does not write it", "")


# --- items -------------------------------------------------------------------------------


def convert_item(
    index: int,
    node: Node,
    base_url: str | None,
    fetcher: Fetcher | None,
    report: Report,
    by_podpub: bool = False,
) -> Episode | None:
    """One item → a descriptor, or None (skipped, and the report says why)."""
    title = node.text_of("title", "itunes:title")
    label = item_label(index, node, title)
    enclosure = node.first("enclosure")
    url = enclosure.attrs.get("url", "").strip() if enclosure is not None else ""
    if not url:
        report.skip("no enclosure (no audio): nothing for apps to download", label)
        return None
    when, date_note = parse_date(node.text_of("pubDate") or "")
    if when is None:
        report.skip(f"no usable pubDate ({date_note})", label)
        return None
    if date_note:
        report.convert(f"pubDate: {date_note}", label)
    if title is None:
        title = f"Episode of {when.date().isoformat()}"
        report.convert("item without a title: one made from its date", label)
    data: dict[str, Any] = {"title": title}
    comments: list[str] = []
    other_title = node.text_of("itunes:title")
    if other_title and other_title != title:  # podpub writes one title for both
        report.drop("itunes:title that differs from <title> (the <title> is kept)", label)
    _numbers(node, data, label, report)
    data["date"] = when.isoformat()
    guid_node = node.first("guid")
    guid = guid_node.text.strip() if guid_node is not None and guid_node.text.strip() else None
    if guid is None:
        guid = url
        report.convert("no guid: the enclosure URL, which apps used as its identity", label)
    elif guid_node is not None and guid != guid_node.text:
        report.convert("guid trimmed of spaces around it (apps trim it too)", label)
    data["guid"] = guid
    explicit = parse_flag(node.text_of("itunes:explicit") or "")
    if explicit is not None:
        data["explicit"] = explicit
    chapters = _notes(node, data, label, report, by_podpub)
    _item_people(node, data, report)
    enclosure_url = _enclosure_url(url, base_url, label, report)
    audio, length, duration = _remote_audio(node, enclosure_url, label, report, comments)
    episode_key = ""  # set by the caller once the file name is known
    transcripts = _transcripts(node, fetcher, label, report)
    chapters = _linked_chapters(node, fetcher, label, report) or chapters
    if chapters:
        data["chapters"] = chapters
    data["audio"] = audio
    _count_dropped(node.children, ITEM_TAGS_READ, report, "item")
    _episode_image(node, data, base_url, label, report)
    entry = Entry(
        key=episode_key,
        file="",
        guid=guid,
        title=title,
        enclosure=url if url.startswith(("http://", "https://")) else enclosure_url,
        length=length or 0,
        duration=round(duration or 0),
        date="",  # in the show's time zone, once it is known (run.py)
        first_published=when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    served = urljoin(base_url or "", url)  # before any https rewrite: what answered until now
    result = Episode(episode_key, data, comments, entry, when, _page_key(node), served)
    result.transcripts = transcripts
    return result


def _remote_audio(
    node: Node, url: str, label: str, report: Report, comments: list[str]
) -> tuple[dict[str, Any], int | None, float | None]:
    """The item's enclosure as remote audio: URL, length, duration and type as the feed
    gives them (a length or duration it does not give is left out, with a comment)."""
    enclosure = node.first("enclosure")
    assert enclosure is not None  # convert_item skips items without one
    audio: dict[str, Any] = {"url": url}
    raw_length = enclosure.attrs.get("length", "")
    length = parse_positive(raw_length)
    if length is None:
        comments.append(
            f"The old feed gave the length {raw_length!r}: write the file's size in bytes."
        )
        report.advise(
            "give audio.length: the old feed's was missing or 0", f"{label}: {raw_length!r}"
        )
    else:
        audio["length"] = length
    raw_duration = node.text_of("itunes:duration") or ""
    duration = parse_duration(raw_duration)
    if duration is None:
        comments.append(
            f"The old feed gave the duration {raw_duration!r}: write it (seconds or H:MM:SS)."
        )
        report.advise(
            "give audio.duration: the old feed's was unreadable", f"{label}: {raw_duration!r}"
        )
    else:
        audio["duration"] = int(duration) if duration.is_integer() else duration
        if ":" in raw_duration:
            report.convert("itunes:duration H:MM:SS → seconds (same value)", "")
    mime = enclosure.attrs.get("type", "").strip().lower()
    audio["type"] = mime if re.fullmatch(r"(audio|video)/[a-z0-9.+-]+", mime) else "audio/mpeg"
    if audio["type"] != mime:
        report.convert("enclosure type missing or unreadable: audio/mpeg written", label)
    return audio, length, duration


def _numbers(node: Node, data: dict[str, Any], label: str, report: Report) -> None:
    for key, names in (
        ("number", ("itunes:episode", "podcast:episode")),
        ("season", ("itunes:season", "podcast:season")),
    ):
        text = node.text_of(*names)
        if text is None:
            continue
        value = parse_positive(text.split(".")[0] if re.fullmatch(r"\d+\.0+", text) else text)
        if value is None:
            report.drop(f"{names[0]} that is no positive whole number", f"{label}: {text!r}")
        else:
            data[key] = value
    kind = (node.text_of("itunes:episodeType") or "full").lower()
    if kind in ("trailer", "bonus"):
        data["type"] = kind
    elif kind != "full":
        report.drop("itunes:episodeType other than full, trailer, bonus", f"{label}: {kind!r}")


# The credits podpub appends to content:encoded ("<ul><li>Role : Names</li>…</ul>"): they
# come back from podcast:person, so a feed podpub wrote is read without them.
_PODPUB_CREDITS = re.compile(r"<ul>(?:<li>[^<>]+ : [^<>]+</li>)+</ul>\s*$")


def _notes(
    node: Node, data: dict[str, Any], label: str, report: Report, by_podpub: bool = False
) -> list[dict[str, str]] | None:
    """The richest description → summary:, or chapters: when it is only timestamps."""
    for name in ("content:encoded", "description", "itunes:summary", "itunes:subtitle"):
        text = node.text_of(name)
        if text:
            break
    else:
        return None
    if by_podpub and name == "content:encoded":
        text = _PODPUB_CREDITS.sub("", text)
    if len(text.encode()) > APPLE_DESCRIPTION_BYTES:
        report.advise(
            "show notes over Apple's 4,000 bytes: shorten them (podpub refuses longer)", label
        )
    markdown, was_html = to_markdown(text)
    if not markdown:
        return None
    chapters = timestamp_chapters(markdown)
    if chapters:
        report.convert("show notes that are only timestamps → chapters:", label)
        return chapters
    if was_html:
        report.convert(f"{name} HTML → Markdown", "")
    elif name != "description":
        report.convert(f"{name} (no description) → summary", "")
    data["summary"] = markdown
    return None


def _item_people(node: Node, data: dict[str, Any], report: Report) -> None:
    hosts, credits = _people(node.all("podcast:person"), report, "episode")
    if hosts:
        data["hosts"] = hosts
    if credits:
        data["credits"] = credits


def _episode_image(
    node: Node, data: dict[str, Any], base_url: str | None, label: str, report: Report
) -> None:
    """The item's itunes:image → ``image:``, its URL kept (podpub publishes it as given);
    an http:// one becomes https:// (podpub refuses artwork over http, as Apple does)."""
    image = node.first("itunes:image")
    href = image.attrs.get("href", "").strip() if image is not None else ""
    if not href:
        return
    absolute = urljoin(base_url or "", href)
    if not absolute.startswith(("http://", "https://")):
        report.drop("episode image (itunes:image) with a relative URL", f"{label}: {href!r}")
        return
    if absolute.startswith("http://"):
        absolute = "https://" + absolute[len("http://") :]
        report.convert("http:// episode image → https://", label)
    elif absolute != href:
        report.convert("relative episode image URL → absolute (against the feed's address)", label)
    data["image"] = absolute
    report.keep("episode images (itunes:image → image:)")


def _enclosure_url(url: str, base_url: str | None, label: str, report: Report) -> str:
    absolute = url
    if not url.startswith(("http://", "https://")):
        absolute = urljoin(base_url or "", url)
        if not absolute.startswith(("http://", "https://")):
            report.advise("the enclosure URL is relative: give its full URL", f"{label}: {url!r}")
            return url
        report.convert("relative enclosure URL → absolute (against the feed's address)", label)
    if absolute.startswith("http://"):
        absolute = "https://" + absolute[len("http://") :]
        report.convert(
            "http:// enclosure → https:// (directories refuse http; publish --dry-run shows "
            "it as an enclosure change, the GUID stays)",
            label,
        )
    lowered = absolute.lower()
    prefix = next((p for p in ANALYTICS_PREFIXES if p in lowered), None)
    if prefix:
        report.keep(f"analytics prefix in enclosure URLs ({prefix}), kept as it was")
    return absolute


def _transcripts(
    node: Node, fetcher: Fetcher | None, label: str, report: Report
) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for transcript in node.all("podcast:transcript"):
        url = transcript.attrs.get("url", "").strip()
        mime = transcript.attrs.get("type", "").strip().lower()
        extension = TRANSCRIPT_EXTENSIONS.get(mime)
        if extension is None:
            report.drop("podcast:transcript of a type podpub does not read", f"{label}: {mime}")
            continue
        if fetcher is None:
            report.drop("podcast:transcript (not fetched)", label)
            continue
        body, why = fetcher.get(url)
        if body is None:
            report.drop(f"podcast:transcript that could not be fetched ({why})", label)
            continue
        language = transcript.attrs.get("language", "").strip().lower()
        basename = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if not basename.lower().endswith(extension) or not re.fullmatch(r"[\w.-]+", basename):
            basename = ""
        found[f"{extension}|{language}|{basename}"] = body
        report.keep("podcast:transcript (fetched into transcripts/)")
    return found


def _linked_chapters(
    node: Node, fetcher: Fetcher | None, label: str, report: Report
) -> list[dict[str, str]] | None:
    linked = node.first("podcast:chapters")
    if linked is not None and fetcher is not None:
        body, why = fetcher.get(linked.attrs.get("url", "").strip())
        if body is not None:
            chapters, why = chapters_from_json(body)
            if chapters:
                report.convert("podcast:chapters (JSON) fetched → chapters:", label)
                return chapters
        report.drop(f"podcast:chapters that could not be read ({why})", label)
    inline = node.first("psc:chapters")
    if inline is not None:
        chapters = []
        for chapter in inline.all("psc:chapter"):
            start = parse_duration(chapter.attrs.get("start", ""))
            title = chapter.attrs.get("title", "").strip()
            if start is None or not title:
                continue
            item = {"title": title, "start": clock(start)}
            href = chapter.attrs.get("href", "").strip()
            if href.startswith(("https://", "http://")):
                item["link"] = href
            image = chapter.attrs.get("image", "").strip()
            if image.startswith(("https://", "http://")):
                item["image"] = image
            chapters.append(item)
        if chapters:
            report.convert("Podlove Simple Chapters (psc:chapters) → chapters:", label)
            return chapters
    return None


def _page_key(node: Node) -> str | None:
    """The old page's own ``<date>-<slug>`` (podpub's pages, many generators' too): kept as
    the key, so the episode's page keeps its address."""
    link = (node.text_of("link") or "").split("?")[0].split("#")[0].rstrip("/")
    last = link.rsplit("/", 1)[-1]
    return last if re.fullmatch(r"\d{4}-\d{2}-\d{2}-[a-z0-9]+(-[a-z0-9]+)*", last) else None


def episode_key(episode: Episode, taken: set[str]) -> str:
    """``<date>-<slug>``, unique in the show (a second one of the same day gets -2 …)."""
    if episode.page_key and episode.page_key not in taken:
        taken.add(episode.page_key)
        return episode.page_key
    day = dt.datetime.fromisoformat(episode.data["date"]).date()  # in the feed's own offset
    stem = f"{day.isoformat()}-{slugify(episode.data['title'], 60)}"
    stem = stem.rstrip("-")
    key, n = stem, 2
    while key in taken:
        key, n = f"{stem}-{n}", n + 1
    taken.add(key)
    return key
