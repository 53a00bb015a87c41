"""Site addresses for a build: a public one, or a preview one on this machine or the LAN.

``--base-url`` (publish) and ``podpub serve`` build a site for another address than
``show.yaml``'s ``url``. A preview address is one no podcast app will ever read: this
machine (``localhost``, ``127.0.0.1``, ``::1``), a private or link-local address, a
single-label LAN host (``nas:8000``), or an mDNS name (``*.local``). Such a host has no
certificate a browser trusts, so the directories' https rules do not apply to it.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# Names that only exist on a LAN (RFC 6762 .local, RFC 8375 home.arpa, RFC 6761 tests).
_LOCAL_SUFFIXES = (".local", ".localhost", ".home.arpa", ".lan", ".internal", ".test")
_HOST_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def is_preview_host(host: str) -> bool:
    """Whether ``host`` (a name or an IP, without brackets or port) is local or private."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return False
    if host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # A single label (no dot) resolves on the LAN only: "nas", "raspberrypi".
        return "." not in host and bool(_HOST_LABEL.match(host))
    return address.is_loopback or address.is_private or address.is_link_local


def is_preview_url(url: str) -> bool:
    """Whether ``url`` is an http(s) address on a preview host (see :func:`is_preview_host`)."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and is_preview_host(parts.hostname or "")


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a site's base address (with the fix), or None if it can.

    Public addresses need a dotted host name; preview addresses may be any local host.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
        host = parts.hostname
        if is_preview_host(host) or re.match(r"^[^\s/?#]+\.[^\s/?#]+$", host):
            return None
    return (
        f"{url!r} is not an absolute URL; give one such as https://preview.example.org/ "
        "or, for a preview on this machine, http://localhost:8000/"
    )
