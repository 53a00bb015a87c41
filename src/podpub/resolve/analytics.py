"""Analytics prefixes: every enclosure URL sent through a measuring redirect.

A prefix service (OP3, Podtrac, Chartable …) counts a download when an app asks it for
the file, then redirects to the real URL, which follows the prefix. Services differ on
whether that URL keeps its scheme, so each named service uses its own documented form:

* OP3 (https://op3.dev/setup): ``https://op3.dev/e/`` + the URL without ``https://``;
  the scheme is written only for an ``http://`` file. ``e,pg=<podcast:guid>/`` lets OP3
  attribute the downloads to the show at once (optional argument, documented there).
* Podtrac: ``https://dts.podtrac.com/redirect.<ext>/`` + the URL without its scheme
  (Podtrac's "how to measure"; Podlove Publisher's filter does the same).

A raw ``analytics_prefix`` follows OP3's rule, which is also the common convention of
prefix services: the ``https://`` of the file is left out, an ``http://`` is kept.

Only the published URLs change: the GUIDs come from the show GUID and the descriptor's
name (guids.py), never from a URL, so apps do not download anything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from podpub.errors import Problem

if TYPE_CHECKING:
    from podpub.input.load import Document
    from podpub.input.models import Show

OP3 = "https://op3.dev/e/"
PODTRAC = "https://dts.podtrac.com/redirect.{ext}/"
# Podtrac's redirect names the file's kind; other audio goes through redirect.mp3.
PODTRAC_EXTENSIONS = ("mp3", "m4a", "mp4")


@dataclass(frozen=True)
class Analytics:
    """The prefix a show's enclosure URLs go through: a named service, or a raw prefix."""

    service: str  # "op3" | "podtrac" | "prefix"
    prefix: str  # for podtrac, with ``{ext}`` to fill in
    show_guid: str | None = None  # OP3's pg= argument

    def label(self) -> str:
        """How messages name it: ``analytics: op3`` or the raw prefix."""
        return f"analytics: {self.service}" if self.service != "prefix" else self.prefix


def show_analytics(
    show: Show, doc: Document, show_guid: str, problems: list[Problem]
) -> Analytics | None:
    """The show's analytics setting, or None; both ``analytics:`` and
    ``analytics_prefix:`` given is a problem (which one would count?)."""
    if show.analytics and show.analytics_prefix:
        problems.append(
            doc.problem(
                ("analytics_prefix",),
                f"given with analytics: {show.analytics}; a download would be counted "
                "by one of them only",
                "keep one of the two (several services: chain them in analytics_prefix, "
                "e.g. https://op3.dev/e/dts.podtrac.com/redirect.mp3/)",
            )
        )
    return analytics_of(show.analytics, show.analytics_prefix, show_guid)


def analytics_of(service: str | None, prefix: str | None, show_guid: str) -> Analytics | None:
    """The analytics of ``analytics:`` (a service's name) or ``analytics_prefix:``."""
    if service == "op3":
        return Analytics("op3", OP3, show_guid)
    if service == "podtrac":
        return Analytics("podtrac", PODTRAC)
    if prefix:
        return Analytics("prefix", prefix)
    return None


def tracked(url: str, analytics: Analytics | None) -> str:
    """``url`` as published through ``analytics`` (unchanged without one)."""
    if analytics is None:
        return url
    if analytics.service == "podtrac":
        ext = url.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower()
        prefix = analytics.prefix.format(ext=ext if ext in PODTRAC_EXTENSIONS else "mp3")
        return prefix + _without_scheme(url)
    prefix = analytics.prefix
    if analytics.service == "op3" and analytics.show_guid:
        prefix = f"{OP3.removesuffix('/')},pg={analytics.show_guid}/"
    # https is what a prefix service assumes; http must be said.
    target = _without_scheme(url) if url.startswith("https://") else url
    return prefix + target


def _without_scheme(url: str) -> str:
    return url.split("://", 1)[1] if "://" in url else url


def same_file(old: str, new: str) -> bool:
    """Whether two enclosure URLs name the same file through different prefixes (one
    added, removed or swapped): they end with the same ``host/path``.

    The longest common ending that starts a URL or follows a ``/`` in both is taken; it
    names the file when its first part is a host (has a dot) and a path follows.
    """
    if old == new:
        return True
    a, b = _without_scheme(old), _without_scheme(new)
    size = 0
    while size < min(len(a), len(b)) and a[-1 - size] == b[-1 - size]:
        size += 1
    tail = a[len(a) - size :]
    while tail:
        start_a, start_b = len(a) - len(tail), len(b) - len(tail)
        if _boundary(a, start_a) and _boundary(b, start_b):
            host, _, path = tail.partition("/")
            return "." in host and bool(path)
        tail = tail.partition("/")[2]  # the next shorter ending: after a "/" in both
    return False


def _boundary(text: str, index: int) -> bool:
    return index == 0 or text[index - 1] == "/"
