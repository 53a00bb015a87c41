"""Telling the apps that the feed changed: WebSub and the Podcast Index's pubnotify.

Apps poll feeds every hour or less often; a ping makes the ones that listen fetch the feed
within minutes (podcast-feed-rules.md §6):

* WebSub: ``websub_hub:`` in show.yaml writes ``<atom:link rel="hub">`` into the feed
  (subscribers find the hub there) and, after each upload, the hub is told with a form
  POST ``hub.mode=publish&hub.url=<feed URL>``; a hub answers 2xx (usually 204).
* Podcast Index: ``pubnotify: true`` sends ``GET <pubnotify_endpoint>?url=<feed URL>``
  (no API key needed for that endpoint; it refreshes feeds already in the index).

A ping that fails is a warning with its reason (status, timeout), never a failure: the
feed is online whether or not an app was told, and apps poll anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from podpub.errors import PodpubError, raise_if_any
from podpub.input.load import load_file
from podpub.input.models import Show
from podpub.input.paths import missing_show_file, with_slash
from podpub.input.validate import validate
from podpub.net.http import Answer, Client
from podpub.resolve.records import ShowRecord
from podpub.resolve.resolver import SHOW_FILE


@dataclass(frozen=True)
class Pings:
    """Whom to tell that the feed at ``feed_url`` changed."""

    feed_url: str
    websub_hub: str | None = None
    pubnotify_endpoint: str | None = None  # None: pubnotify is off

    def __bool__(self) -> bool:
        return bool(self.websub_hub or self.pubnotify_endpoint)


@dataclass
class Notified:
    """What a round of pings did: one line per app told, one warning per failure."""

    sent: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def pings_of(show: ShowRecord, feed_url: str) -> Pings:
    """The pings show.yaml asks for, for the feed at ``feed_url``."""
    extras = show.extras
    return Pings(feed_url, extras.websub_hub, extras.pubnotify_endpoint)


def pings_in(show_dir: Path) -> Pings:
    """The pings of ``show_dir`` from show.yaml alone (``podpub notify`` needs no episode
    read); PodpubError with the located problems of a show.yaml that does not validate."""
    path = show_dir / SHOW_FILE
    if not path.is_file():
        raise PodpubError([missing_show_file(show_dir)])
    show, problems = validate(load_file(path, SHOW_FILE), Show)
    raise_if_any(problems)
    assert show is not None
    return pings_for(show)


def pings_for(show: Show) -> Pings:
    """The pings show.yaml's settings ask for (the feed URL as publish writes it)."""
    feed_url = show.feed_url or with_slash(show.url) + "feed.xml"
    endpoint = show.pubnotify_endpoint if show.pubnotify else None
    return Pings(feed_url, show.websub_hub, endpoint)


def send(pings: Pings, client: Client) -> Notified:
    """Ping the WebSub hub and the Podcast Index, as asked; never raises."""
    done = Notified()
    if pings.websub_hub:
        data = {"hub.mode": "publish", "hub.url": pings.feed_url}
        _record(done, f"WebSub hub {pings.websub_hub}", client.post(pings.websub_hub, data=data))
    endpoint = pings.pubnotify_endpoint
    if endpoint:
        separator = "&" if "?" in endpoint else "?"
        answer = client.get(endpoint + separator + urlencode({"url": pings.feed_url}))
        _record(done, f"the Podcast Index ({endpoint})", answer)
    return done


def notify_apps(show: ShowRecord, feed_url: str, client: Client) -> list[str]:
    """The deploy's hook: ping what show.yaml asks for; the warnings of failed pings."""
    return send(pings_of(show, feed_url), client).warnings


def _record(done: Notified, who: str, answer: Answer) -> None:
    if answer.error is None and answer.status is not None and 200 <= answer.status < 300:
        done.sent.append(f"Notified {who}: HTTP {answer.status}.")
        return
    reason = answer.error or f"HTTP {answer.status}{_detail(answer)}"
    done.warnings.append(
        f"warning: could not notify {who}: {reason}. The feed is online; apps will "
        "find the new episodes at their next poll (podpub notify tries again)."
    )


def _detail(answer: Answer) -> str:
    """A short reason from the body (hubs explain a refusal in one line)."""
    text = (answer.body or b"")[:200].decode("utf-8", "replace").strip().splitlines()
    return f" ({text[0]})" if text else ""
