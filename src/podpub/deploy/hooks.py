"""What runs after a successful deploy: the remote check of the new files, then the pings.

* Nothing runs when the deploy uploaded nothing (a cron job every quarter of an hour
  must not ping the hubs each time).
* Is the site online? An S3 destination is taken as online (a bucket behind a CDN or a
  static website). A folder is online only once a web server serves it: the feed URL is
  asked first, and when nothing answers (a gh-pages worktree not pushed yet, a volume
  served later) the check and the pings are skipped with one line saying so.
* The remote check (online/remote.py): how the feed URL is served, and the enclosures
  that are new: uploaded by this deploy, or never checked without a fault at this
  destination (.podpub/deploy-checked.json). Its findings are warnings: the files are
  online; a host fault is for the producer to fix on the host, not a failed deploy.
* The pings (online/notify.py), only when a feed file was uploaded: a failed ping is a
  warning with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from podpub.deploy.files import FEED, content_type, kind_of
from podpub.errors import PodpubError
from podpub.input.models import Show
from podpub.input.paths import with_slash
from podpub.net.http import Client
from podpub.online.notify import pings_for, send
from podpub.online.remote import Enclosure, check_enclosures, check_feed_served, site_enclosures
from podpub.resolve.records import SiteRecord
from podpub.write.ledger import read_ledger
from podpub.write.publish import CACHE_DIR

CHECKED_FILE = "deploy-checked.json"  # under .podpub/: enclosures found served well


@dataclass(frozen=True)
class Deployed:
    """What a deploy put online, as the steps after it need it."""

    show: Show  # show.yaml's settings
    site: SiteRecord | None  # the site just published, or resolved for deploy.media
    destination: str  # the site's destination (a folder's path, s3://…)
    to_folder: bool  # the site went to a folder: online only if a server serves it
    site_uploads: tuple[str, ...] = ()  # relative to the site's URL
    media_uploads: tuple[str, ...] = ()  # relative to media_url


@dataclass
class Aftermath:
    """What the steps after a deploy have to say."""

    lines: list[str] = field(default_factory=list)  # all went well, or was skipped
    warnings: list[str] = field(default_factory=list)  # host faults, failed pings


def after_deploy(show_dir: Path, deployed: Deployed) -> Aftermath:
    """The remote check of what the deploy made new, then the pings; never raises for
    what the network answers (a fault online is a warning: the deploy is done)."""
    done = Aftermath()
    if not deployed.site_uploads and not deployed.media_uploads:
        return done  # nothing changed online: nothing new to check, nobody to tell
    feed_url = feed_url_of(deployed)
    with Client() as client:
        answer = client.get_headers(feed_url)
        if answer.status is None:
            if deployed.to_folder:
                done.lines.append(
                    f"Remote check and notifications skipped: {feed_url} does not answer "
                    f"({answer.error}); the folder is online once a web server serves it "
                    "there (then: podpub check --remote, podpub notify)."
                )
                return done
            done.warnings.append(
                f"warning: the feed {feed_url} does not answer ({answer.error}): the site is "
                f"uploaded to {deployed.destination}, but apps read it at that address. Serve "
                "the bucket there (static website hosting or a CDN), then run podpub check "
                "--remote."
            )
        else:
            _check_remote(show_dir, deployed, feed_url, client, done)
        if any(kind_of(rel) == FEED for rel in deployed.site_uploads):
            notified = send(replace(pings_for(deployed.show), feed_url=feed_url), client)
            done.lines += notified.sent
            done.warnings += notified.warnings
    return done


def feed_url_of(deployed: Deployed) -> str:
    if deployed.site is not None:
        return deployed.site.show.feed_url
    return pings_for(deployed.show).feed_url


# --- the remote check of the new enclosures ---------------------------------------------


def _check_remote(
    show_dir: Path, deployed: Deployed, feed_url: str, client: Client, done: Aftermath
) -> None:
    enclosures = _published_enclosures(show_dir, deployed)
    checked = _read_checked(show_dir, deployed.destination)
    uploaded = _uploaded_addresses(deployed)
    new = [e for e in enclosures if e.url not in checked or _address_in(e.url, uploaded)]
    findings = check_feed_served(show_dir, feed_url, client)
    findings += check_enclosures(show_dir, new, client)
    faults = [f for f in findings if f.level in ("error", "warning")]
    notes = [f for f in findings if f not in faults]  # redirects: worth seeing, not faults
    count = f"{len(new)} new enclosure{'s' * (len(new) != 1)}"
    if faults:
        done.warnings.append(
            f"warning: the remote check of the feed and {count} found "
            f"{len(faults)} fault{'s' * (len(faults) != 1)} in how the host serves them "
            "(the deploy is done; fix the host, then run podpub check --remote):"
        )
        done.warnings += [f"  {finding}" for finding in faults]
    else:
        done.lines.append(f"Remote check: the feed and {count} are served as apps need.")
    done.lines += [f"  {finding}" for finding in notes]
    # Each message about an enclosure starts with its URL: a URL with a fault is checked
    # again at the next deploy, until the host is fixed.
    faulty = {f.message.split(" ", 1)[0] for f in faults}
    good = {e.url for e in enclosures if e.url not in faulty}
    _write_checked(show_dir, deployed.destination, good)


def _published_enclosures(show_dir: Path, deployed: Deployed) -> list[Enclosure]:
    """The enclosures of the feed just deployed: the site's, or published.lock's (podpub
    deploy alone reads no episode; the ledger is what the published feed says)."""
    if deployed.site is not None:
        return site_enclosures(deployed.site)
    try:
        ledger = read_ledger(show_dir)
    except PodpubError:
        return []
    if ledger is None:
        return []
    return [
        # The type the feed gives the file is the one deploy uploads it with (DOC-11).
        Enclosure(e.enclosure, e.length, _type_of(e.enclosure), e.file, ("audio",))
        for e in ledger.episodes.values()
    ]


def _type_of(url: str) -> str:
    return content_type(urlsplit(url).path.rsplit("/", 1)[-1])


def _uploaded_addresses(deployed: Deployed) -> set[str]:
    """Where the uploaded files are served, without the scheme (host/path)."""
    show = deployed.show
    roots = [(str(show.url), deployed.site_uploads)]
    if show.media_url is not None:
        roots.append((str(show.media_url), deployed.media_uploads))
    return {_bare(with_slash(root) + rel) for root, rels in roots for rel in rels}


def _address_in(url: str, addresses: set[str]) -> bool:
    """Whether ``url`` serves one of ``addresses``, through an analytics prefix or not
    (``https://op3.dev/e/podcast.example.org/audio/x.mp3`` serves
    ``podcast.example.org/audio/x.mp3``)."""
    parts = _bare(url).split("/")
    return any(_bare("/".join(parts[i:])) in addresses for i in range(len(parts)))


def _bare(url: str) -> str:
    return url.split("://", 1)[-1]


def _checked_path(show_dir: Path) -> Path:
    return show_dir / CACHE_DIR / CHECKED_FILE


def _read_checked(show_dir: Path, destination: str) -> set[str]:
    """The enclosure URLs found served well at ``destination`` by earlier deploys."""
    try:
        data = json.loads(_checked_path(show_dir).read_text(encoding="utf-8"))
        return set(data["destinations"][destination])
    except (OSError, ValueError, KeyError, TypeError):
        return set()  # none: every enclosure is new to the check


def _write_checked(show_dir: Path, destination: str, urls: Iterable[str]) -> None:
    path = _checked_path(show_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        destinations = dict(data["destinations"])
    except (OSError, ValueError, KeyError, TypeError):
        destinations = {}
    destinations[destination] = sorted(urls)
    try:  # a cache: if it cannot be written, the next deploy checks more, that is all
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": 1, "destinations": destinations}, indent=1)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError:
        pass


__all__ = ["Aftermath", "Deployed", "after_deploy"]
