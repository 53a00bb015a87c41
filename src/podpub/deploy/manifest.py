"""What is at a destination, and what a deploy must change there.

A deploy leaves a manifest at the destination's root (``.podpub-manifest.json``): each
file it put there with its size, SHA-256 and the destination's own stamp of it (an S3
ETag, a file's modification time). The next deploy lists the destination, trusts the
manifest's digest of a file whose stamp and size have not moved, asks the destination
for the digest of any other file that is there (the sha256 metadata podpub uploads
with, or the folder's bytes), and uploads only what differs.

Only files a deploy put there are ever deleted: a gh-pages branch's ``CNAME``, a
bucket's other objects, are not podpub's. And a media file that ``published.lock``
still lists is never deleted, even when the site no longer links it: subscribers'
apps download it from the feed they already hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from podpub.deploy.files import LocalFile, upload_order

MANIFEST_NAME = ".podpub-manifest.json"
MANIFEST_FORMAT = 1
MAX_MANIFEST_BYTES = 64_000_000  # read from the network: 10,000 episodes take ~2 MB


@dataclass(frozen=True)
class Remote:
    """A file as the destination lists it."""

    size: int
    stamp: str  # ETag or modification time: changes when the file is replaced


@dataclass(frozen=True)
class Owned:
    """A manifest entry: a file a deploy put at the destination."""

    size: int
    sha256: str
    stamp: str | None = None


@dataclass(frozen=True)
class Plan:
    """What a deploy does at one destination, in order."""

    uploads: tuple[LocalFile, ...]
    deletions: tuple[str, ...]
    kept: tuple[str, ...]  # no longer in the site, but the ledger lists them
    unchanged: int
    owned: dict[str, Owned] = field(default_factory=dict)  # the manifest, uploads aside


def parse_manifest(data: bytes | None) -> dict[str, Owned] | None:
    """The manifest's entries; None when there is none or it cannot be trusted (then
    every file present is compared by its digest, and nothing is deleted)."""
    if data is None or len(data) > MAX_MANIFEST_BYTES:
        return None
    try:
        raw = json.loads(data)
        files = raw["files"]
        if raw.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
            return None
        return {
            str(rel): Owned(int(entry["size"]), str(entry["sha256"]), entry.get("stamp"))
            for rel, entry in files.items()
            if _safe_rel(str(rel))
        }
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def render_manifest(owned: dict[str, Owned]) -> bytes:
    files = {
        rel: {"size": entry.size, "sha256": entry.sha256, "stamp": entry.stamp}
        for rel, entry in sorted(owned.items())
    }
    text = json.dumps({"format": MANIFEST_FORMAT, "written_by": "podpub deploy", "files": files})
    return text.encode("utf-8")


def _safe_rel(rel: str) -> bool:
    """A manifest read back names files under the destination only (it may have been
    edited by anyone who can write there): never '..', never an absolute path."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "" not in parts


def plan(
    local: Iterable[LocalFile],
    owned: dict[str, Owned] | None,
    remote: dict[str, Remote],
    remote_sha256: Callable[[str], str | None],
    protected: Callable[[str], bool],
) -> Plan:
    """Compare the files to put online with what the destination holds."""
    owned = owned or {}
    uploads: list[LocalFile] = []
    keep: dict[str, Owned] = {}
    unchanged = 0
    local = sorted(local, key=upload_order)
    for file in local:
        there = remote.get(file.rel)
        if there is not None and there.size == file.size:
            entry = owned.get(file.rel)
            if entry is not None and entry.stamp is not None and entry.stamp == there.stamp:
                digest: str | None = entry.sha256
            else:  # put there by hand, or replaced since: ask the destination
                digest = remote_sha256(file.rel)
            if digest == file.sha256:
                unchanged += 1
                keep[file.rel] = Owned(file.size, file.sha256, there.stamp)
                continue
        uploads.append(file)
    names = {file.rel for file in local}
    deletions: list[str] = []
    kept: list[str] = []
    for rel, entry in sorted(owned.items()):
        if rel in names:
            continue
        if protected(rel):
            kept.append(rel)
            keep[rel] = entry
        elif rel in remote:
            deletions.append(rel)
    return Plan(tuple(uploads), tuple(deletions), tuple(kept), unchanged, keep)


def ledger_paths(enclosures: Iterable[str]) -> Callable[[str], bool]:
    """Whether a destination path is a file that one of the ledger's enclosure URLs
    names. Matched on the end of the URL's path: the destination's prefix, the media
    host and an analytics prefix all stand before it."""
    paths = {unquote(urlsplit(url).path) for url in enclosures}
    suffixes: set[str] = set()
    for path in paths:
        parts = path.strip("/").split("/")
        suffixes.update("/".join(parts[i:]) for i in range(len(parts)))
    return lambda rel: rel in suffixes
