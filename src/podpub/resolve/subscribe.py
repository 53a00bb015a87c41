"""The show page's subscribe links: podcast apps and directories that list the show.

``show.yaml`` gives each service an id or a URL (``subscribe: {apple: 1234567890}``);
this module turns them into the links the page shows, in a fixed order. The links are
plain ``<a href>``: no logo, script or widget is loaded from the services, so a page
view sends no request anywhere but the site.
"""

from __future__ import annotations

from urllib.parse import urlencode

from podpub.errors import Problem
from podpub.input.load import Document
from podpub.input.models import Show
from podpub.resolve.records import SubscribeLink

# key: (name shown, URL template for an id)
SERVICES: dict[str, tuple[str, str]] = {
    "apple": ("Apple Podcasts", "https://podcasts.apple.com/podcast/id{id}"),
    "spotify": ("Spotify", "https://open.spotify.com/show/{id}"),
    "podcast_index": ("Podcast Index", "https://podcastindex.org/podcast/{id}"),
    "antennapod": ("AntennaPod", "https://antennapod.org/deeplink/subscribe?{query}"),
    "overcast": ("Overcast", "https://overcast.fm/itunes{id}"),
}


def subscribe_links(
    show: Show, feed_url: str, doc: Document, problems: list[Problem]
) -> tuple[SubscribeLink, ...]:
    """The links ``show.subscribe`` asks for, in :data:`SERVICES` order."""
    given = show.subscribe
    apple_id = given.apple if given.apple and given.apple.isdigit() else None
    links: list[SubscribeLink] = []
    for key, value in (
        ("apple", given.apple),
        ("spotify", given.spotify),
        ("podcast_index", given.podcast_index),
    ):
        if value:
            links.append(_link(key, value))
    if given.antennapod:
        query = urlencode({"url": feed_url, "title": show.title})
        links.append(_link("antennapod", SERVICES["antennapod"][1].format(query=query)))
    if isinstance(given.overcast, str):
        links.append(_link("overcast", given.overcast))
    elif given.overcast and apple_id:
        links.append(_link("overcast", apple_id))
    elif given.overcast:
        problems.append(
            doc.problem(
                ("subscribe", "overcast"),
                "Overcast finds a show by its Apple Podcasts id, and subscribe.apple gives none",
                "add subscribe.apple: <the digits after /id in the Apple Podcasts URL>, "
                "or give Overcast's URL of the show",
            )
        )
    return tuple(links)


def _link(key: str, value: str) -> SubscribeLink:
    name, template = SERVICES[key]
    url = value if value.startswith(("https://", "http://")) else template.format(id=value)
    return SubscribeLink(key, name, url)
