"""``podpub import --download``: each episode's audio into audio/, resumable.

A file is downloaded to ``audio/<name>.part`` and renamed when complete; an interrupted
import leaves the part, and the next run asks the server for the rest (``Range``). Each
file's size is checked against the length the feed gave. The progress bar (rich) is shown
on a terminal only: a log or a CI run gets one line per file instead.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from podpub.importer.convert import Episode
from podpub.importer.report import Report
from podpub.net.http import Client

EXTENSIONS = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/x-m4a": ".m4a",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/flac": ".flac",
    "video/mp4": ".mp4",
}


def fetch_audio(
    client: Client, episodes: list[Episode], staging: Path, progress: bool, report: Report
) -> list[str]:
    """Download every episode's audio; return what could not be downloaded (the import
    then stops, keeping what it has: the same command resumes)."""
    folder = staging / "audio"
    folder.mkdir(exist_ok=True)
    total = sum(e.data["audio"].get("length", 0) for e in episodes)
    failed: list[str] = []
    with _bar(progress, total) as advance:
        for episode in episodes:
            audio = episode.data["audio"]
            name = episode.key + _extension(audio["url"], audio["type"])
            problem = _download(client, episode.source_url, folder / name, advance)
            if problem is not None:
                failed.append(f"{episode.source_url}: {problem}")
                continue
            mismatch = _size_problem(folder / name, audio.get("length"))
            if mismatch is not None:  # the file is the truth: podpub probes and publishes it
                report.convert(
                    "downloaded file's size differs from the feed's length "
                    "(podpub publishes the real size)",
                    f"{episode.key}: {mismatch}",
                )
            episode.data["audio"] = f"audio/{name}"
            report.convert(
                "audio downloaded into audio/ (the enclosure URL becomes the site's: "
                "publish --dry-run lists it as an enclosure change, not a GUID change)",
                "",
            )
    return failed


def _extension(url: str, mime: str) -> str:
    suffix = os.path.splitext(urlsplit(url).path)[1].lower()
    if re.fullmatch(r"\.(mp3|m4a|aac|ogg|opus|flac|mp4|wav)", suffix):
        return suffix
    return EXTENSIONS.get(mime, ".mp3")


def _download(client: Client, url: str, target: Path, advance: Any) -> str | None:
    if target.exists():
        return None  # complete in an earlier run
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    with part.open("ab") as sink:
        answer = client.stream_to(url, sink, offset=offset, progress=advance)
        if answer.error is None and offset and answer.status == 200:
            # the server ignored Range and sent the whole file: start over
            sink.truncate(0)
            sink.seek(0)
            answer = client.stream_to(url, sink, progress=advance)
    if answer.error:
        return answer.error
    if answer.status is not None and answer.status >= 400:
        return f"the server answered {answer.status}"
    os.replace(part, target)
    return None


def _size_problem(path: Path, length: int | None) -> str | None:
    size = path.stat().st_size
    if length is not None and size != length:
        return f"{size:,} bytes, the feed said {length:,}"
    return None


@contextlib.contextmanager
def _bar(progress: bool, total: int) -> Iterator[Any]:
    if not progress:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("Downloading audio", total=total or None)
        yield lambda n: bar.advance(task, n)
