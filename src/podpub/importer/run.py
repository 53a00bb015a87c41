"""``podpub import``: fetch, parse, convert, then write the show folder in one move.

The folder is made beside its target and renamed into place at the end: an import that
fails or is interrupted leaves no half-made show. The staging folder is kept then, so
``--download`` resumes the audio files it had begun.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podpub.errors import PodpubError, Problem
from podpub.importer import download as downloads
from podpub.importer.convert import Episode, convert_item, convert_show, episode_key
from podpub.importer.extras import MAX_COVER_BYTES, Fetcher
from podpub.importer.feedxml import Feed, FeedError, parse_feed
from podpub.importer.report import Report
from podpub.importer.source import MAX_FEED_BYTES, open_source
from podpub.importer.values import parse_date
from podpub.importer.zones import guess_timezone
from podpub.input.load import dump_yaml
from podpub.input.models import in_show_zone
from podpub.input.paths import slugify
from podpub.media.images import cover_kind
from podpub.net.http import Client
from podpub.write.ledger import LEDGER_FILE, Ledger, render_ledger

REPORT_FILE = "import-report.md"


@dataclass(frozen=True)
class ImportOptions:
    download: bool = False
    since: dt.date | None = None
    limit: int | None = None
    timeout: float = 10.0  # seconds per read
    deadline: float = 60.0  # seconds for the whole feed
    max_bytes: int = MAX_FEED_BYTES
    progress: bool = False  # a progress bar for --download (on a terminal only)


@dataclass
class ImportResult:
    folder: Path
    report: Report
    episodes: int
    timings: dict[str, float] = field(default_factory=dict)


def import_show(source: str, target: Path | None, options: ImportOptions) -> ImportResult:
    """Import the feed at ``source`` (URL or file) into ``target`` (default: the show's
    slug); raise :class:`PodpubError` when the feed cannot be read or the folder is taken."""
    report = Report(source=source)
    if target is not None:
        _refuse_taken(target)  # before any download
    with Client(timeout=options.timeout, deadline=options.deadline) as client:
        feed, source_url, base_url = _read(source, client, options, report)
        show = convert_show(feed, source_url, report)
        folder = target or Path(slugify(show.data["title"], 60) or "show")
        _refuse_taken(folder)
        staging = _staging(folder)
        fetcher = Fetcher(client)
        episodes = _episodes(
            feed, base_url or show.data["url"], fetcher, options, report, show.data
        )
        _cover(show.cover_url, show.data, fetcher, staging, report)
        if options.download:
            failed = downloads.fetch_audio(client, episodes, staging, options.progress, report)
            if failed:
                raise PodpubError([_download_problem(source, line) for line in failed])
        _write(staging, show.data, show.comments, episodes, report)
    if folder.exists():  # an empty folder given as DIR
        folder.rmdir()
    os.replace(staging, folder)
    return ImportResult(folder, report, len(episodes))


def _read(
    source: str, client: Client, options: ImportOptions, report: Report
) -> tuple[Feed, str | None, str | None]:
    try:
        opened = open_source(source, client, options.max_bytes)
        with opened.stream:
            feed = parse_feed(opened.stream)
    except FeedError as exc:
        raise PodpubError([Problem(source, None, None, "", str(exc), _hint(str(exc)))]) from None
    if opened.redirects:
        kind = "permanently (301/308)" if opened.permanent_move else "temporarily"
        report.advise(
            f"{source} redirected {kind} to {opened.final_url}"
            + (
                " — the feed has already moved: import that address next time"
                if opened.permanent_move
                else ""
            )
        )
    if feed.encoding and feed.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        report.convert(f"the feed's {feed.encoding} text → UTF-8 descriptors", "")
    if feed.had_bom:
        report.convert("a byte order mark before the XML declaration (ignored)", "")
    return feed, opened.url, opened.final_url or opened.url


def _hint(message: str) -> str:
    if "entities" in message:
        return "ask the host for the feed without a DTD"
    if "larger than" in message or "cap" in message:
        return "a podcast feed is a few MB at most; check the address"
    if "still sending" in message or "no answer" in message:
        return "the server did not finish in time; try again later or save the feed to a file"
    return "check the address or the file; podpub imports RSS podcast feeds"


def _download_problem(source: str, line: str) -> Problem:
    return Problem(
        source,
        None,
        None,
        "",
        f"audio not downloaded: {line}",
        "run the same command again: the downloads resume where they stopped",
    )


def _staging(folder: Path) -> Path:
    """The folder the show is made in, beside ``folder``: what an interrupted import left
    there is removed, but for its audio downloads, which the import resumes."""
    staging = folder.parent / f".{folder.name}.import"
    staging.mkdir(parents=True, exist_ok=True)
    for child in staging.iterdir():
        if child.name == "audio" and child.is_dir():
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    return staging


def _refuse_taken(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PodpubError(
            [
                Problem(
                    str(folder),
                    None,
                    None,
                    "",
                    "already exists and is not empty: an import never writes over a show",
                    "give another DIR: podpub import SOURCE DIR",
                )
            ]
        )


def _episodes(
    feed: Feed,
    base_url: str | None,
    fetcher: Fetcher,
    options: ImportOptions,
    report: Report,
    show: dict[str, Any],
) -> list[Episode]:
    chosen = _chosen(feed, options, report)
    by_podpub = (feed.channel.text_of("generator") or "").startswith("podpub")
    episodes: list[Episode] = []
    guids: dict[str, str] = {}
    enclosures: dict[str, str] = {}
    for index, node in chosen:
        episode = convert_item(index, node, base_url, fetcher, report, by_podpub)
        if episode is None:
            continue
        label = f"item {index} (line {node.line}) {episode.data['title'][:60]!r}"
        first = guids.setdefault(episode.entry.guid.lower(), label)
        if first != label:
            report.skip(
                "duplicate GUID: apps keep one episode for it (kept the first)",
                f"{label} repeats the GUID of {first}",
            )
            continue
        url = episode.data["audio"]["url"]
        other = enclosures.setdefault(url, label)
        if other != label:
            report.skip(
                "same audio URL as an earlier item (kept the first)", f"{label}, like {other}"
            )
            continue
        episodes.append(episode)
    report.keep("item guid, exactly as it was", len(episodes))
    timezone = guess_timezone([e.published for e in episodes])
    if timezone != "UTC":
        show["timezone"] = timezone  # the new feed's pubDates keep the old offsets
        report.convert(f"time zone {timezone}: the one that gives every pubDate its offset")
    taken: set[str] = set()
    zone = zoneinfo.ZoneInfo(timezone)
    for episode in episodes:
        episode.key = episode_key(episode, taken)
        episode.entry = dataclasses.replace(
            episode.entry,
            key=episode.key,
            file=f"episodes/{episode.key}.yaml",
            date=in_show_zone(episode.published, zone).isoformat(),  # as publish will say
        )
    report.counts = {
        "items in the feed": len(feed.items),
        "episodes imported": len(episodes),
        "items skipped": sum(len(v) for v in report.skipped.values()),
    }
    return episodes


def _chosen(feed: Feed, options: ImportOptions, report: Report) -> list[tuple[int, Any]]:
    """The items --since and --limit leave (newest first for --limit), in feed order."""
    items = list(enumerate(feed.items, 1))
    if options.since is None and options.limit is None:
        return items
    dated = [(index, node, parse_date(node.text_of("pubDate") or "")[0]) for index, node in items]
    if options.since is not None:
        start = dt.datetime.combine(options.since, dt.time(), dt.UTC)
        left = [(i, n, w) for i, n, w in dated if w is None or w >= start]
        if len(left) < len(dated):
            why = f"published before --since {options.since}"
            report.skipped[why] = [""] * (len(dated) - len(left))
        dated = left
    if options.limit is not None and len(dated) > options.limit:
        newest = sorted(
            dated, key=lambda t: t[2] or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True
        )
        keep = {i for i, _, _ in newest[: options.limit]}
        report.skipped[f"older than the newest {options.limit} (--limit)"] = [""] * (
            len(dated) - len(keep)
        )
        dated = [t for t in dated if t[0] in keep]
    return [(i, n) for i, n, _ in dated]


def _cover(
    url: str | None, data: dict[str, Any], fetcher: Fetcher, staging: Path, report: Report
) -> None:
    if url is None:
        report.advise("the old feed has no cover: put one in the show folder as cover.jpg")
        return
    body, why = fetcher.get(url, max_bytes=MAX_COVER_BYTES)
    kind = cover_kind(body) if body is not None else why
    if isinstance(kind, str):
        report.advise(f"the cover {url} was not kept ({kind}): add cover.jpg yourself")
        return
    name = "cover.png" if kind[0] == "png" else "cover.jpg"
    (staging / name).write_bytes(body or b"")
    data["image"] = name
    report.keep(f"cover ({kind[1]}×{kind[2]} {kind[0].upper()}), downloaded")


def _write(
    staging: Path,
    show: dict[str, Any],
    comments: dict[str, list[str]],
    episodes: list[Episode],
    report: Report,
) -> None:
    (staging / "episodes").mkdir(exist_ok=True)
    _atomic(staging / "show.yaml", _yaml_with_comments(show, comments))
    for episode in episodes:
        _transcript_files(staging, episode)
        text = "".join(f"# {line}\n" for line in episode.comments) + dump_yaml(episode.data)
        _atomic(staging / "episodes" / f"{episode.key}.yaml", text)
    ledger = Ledger(show.get("guid"), {e.key: e.entry for e in episodes})
    (staging / LEDGER_FILE).write_bytes(render_ledger(ledger))
    _atomic(staging / REPORT_FILE, report.markdown())


def _transcript_files(staging: Path, episode: Episode) -> None:
    if not episode.transcripts:
        return
    (staging / "transcripts").mkdir(exist_ok=True)
    listed: list[dict[str, str]] = []
    for kind, body in episode.transcripts.items():
        extension, language, basename = kind.split("|", 2)
        # in a folder of its own, under the old file's name: podpub publishes it beside the
        # page under that name, so a feed that podpub wrote keeps its transcript URLs
        name = f"transcripts/{episode.key}/{basename or 'transcript' + extension}"
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(body)
        entry = {"file": name}
        if language:
            entry["language"] = language
        listed.append(entry)
    audio = episode.data.pop("audio")
    episode.data["transcripts"] = listed
    episode.data["audio"] = audio  # audio stays last: the line a producer looks for


def _yaml_with_comments(data: dict[str, Any], comments: dict[str, list[str]]) -> str:
    head = "# Imported by podpub import: see import-report.md for what changed and why.\n"
    parts = [head]
    for key, value in data.items():
        parts += [f"# {line}\n" for line in comments.get(key, [])]
        parts.append(dump_yaml({key: value}))
    return "".join(parts)


def _atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
