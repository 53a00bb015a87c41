"""Identifiers that must never change: the show's podcast:guid and each episode's guid."""

from __future__ import annotations

import re
import uuid

# The Podcasting 2.0 namespace's own UUID for podcast:guid (docs/tags/guid.md).
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid(feed_url: str) -> str:
    """podcast:guid per the spec: UUIDv5 of the feed URL without scheme and trailing slashes.

    Only those two strips: the spec asks for no other normalisation.
    """
    name = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_NAMESPACE, name))


def episode_guid(show_guid: str, episode_key: str) -> str:
    """Default item guid: UUIDv5 of the episode's descriptor name under the show's GUID.

    Derived from what never changes once published (the show GUID and the descriptor's
    file name), never from the title, date, audio or URL, which producers do change.
    """
    return str(uuid.uuid5(uuid.UUID(show_guid), f"episode:{episode_key}"))
