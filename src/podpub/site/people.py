"""The people of a show as the pages show them: a page per person, credits in JSON-LD.

``pages.py`` renders what this module works out from the records (it stays the only
Jinja2 importer): which people get a page (everyone credited in a published episode),
where the pages are (``people/<id>/index.html``: the id is stable across episodes and
already URL-safe; past ``episodes_per_page`` appearances, ``people/<id>/page/2/index.html``
… as the show's pages), the episodes each person worked on with their roles in the
producer's wording, and the schema.org properties each credit belongs to.

Each :class:`PersonPage` holds only the appearances it lists: a page's render key
(pagememo.py) is made of what it is given, so a changed episode re-renders the one page
of each of its people that lists it, not every page of a person credited 5,000 times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from podpub.resolve.records import EpisodeRecord, PersonRef, Role, SiteRecord

PEOPLE_DIR = "people"

# schema.org properties of an Episode (and CreativeWork) for podcast:person roles: the
# cast are its actors; producers, directors, music and editors have their own property;
# everyone else is a contributor.
_LD_PROPERTY_OF_ROLE = {
    "executive producer": "producer",
    "senior producer": "producer",
    "producer": "producer",
    "associate producer": "producer",
    "development producer": "producer",
    "director": "director",
    "assistant director": "director",
    "composer": "musicBy",
    "theme music": "musicBy",
    "music production": "musicBy",
    "music contributor": "musicBy",
    "editorial director": "editor",
    "managing editor": "editor",
    "story editor": "editor",
    "script editor": "editor",
    "translator": "translator",
}
_LD_PROPERTIES = ("actor", "director", "producer", "musicBy", "editor", "translator")


@dataclass(frozen=True)
class Appearance:
    """One episode a person worked on, and their roles in it (credit order)."""

    episode: EpisodeRecord
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class RoleCount:
    """A role as the producer words it, and in how many of the person's episodes."""

    label: str
    episodes: int


@dataclass(frozen=True)
class PersonPage:
    """One page of a person's episodes: the first (``people/<id>/index.html``, with who
    they are) or a later one (``people/<id>/page/<n>/index.html``)."""

    person: PersonRef
    number: int  # 1, 2, … page_count
    page_count: int
    path: str  # "people/<id>/index.html", "people/<id>/page/2/index.html"…
    url: str  # canonical: "https://site/people/<id>/", "https://site/people/<id>/page/2/"
    appearances: tuple[Appearance, ...]  # this page's only, newest episode first
    appearance_count: int  # on all the person's pages
    roles: tuple[RoleCount, ...]  # first page only (its header); () on the others

    @property
    def folder(self) -> str:
        """The person's folder, where every one of their pages is: ``people/<id>/``."""
        return person_path(self.person).removesuffix("index.html")


def person_path(person: PersonRef, number: int = 1) -> str:
    """``people/<id>/index.html``, or ``people/<id>/page/<n>/index.html`` past the first."""
    page = "index.html" if number == 1 else f"page/{number}/index.html"
    return f"{PEOPLE_DIR}/{person.id}/{page}"


def person_pages(site: SiteRecord, per_page: int) -> list[PersonPage]:
    """The pages of everyone credited in a published episode, in order of first credit
    (newest episode first, credit lines in order); each person's pages in order, each
    listing ``per_page`` appearances, the newest on the first."""
    people: dict[str, PersonRef] = {}
    appearances: dict[str, list[Appearance]] = {}
    for episode in site.episodes:
        roles: dict[str, list[Role]] = {}
        for group in episode.credits:
            for person in group.people:
                people.setdefault(person.id, person)
                roles.setdefault(person.id, []).append(group.role)
        for pid, held in roles.items():
            appearances.setdefault(pid, []).append(Appearance(episode, tuple(held)))
    per_page = max(1, per_page)
    pages: list[PersonPage] = []
    for pid, person in people.items():
        listed = appearances[pid]
        count = math.ceil(len(listed) / per_page)
        for number in range(1, count + 1):
            first = (number - 1) * per_page
            path = person_path(person, number)
            pages.append(
                PersonPage(
                    person,
                    number,
                    count,
                    path,
                    site.show.url + path.removesuffix("index.html"),
                    tuple(listed[first : first + per_page]),
                    len(listed),
                    role_counts(listed) if number == 1 else (),
                )
            )
    return pages


def role_counts(appearances: list[Appearance]) -> tuple[RoleCount, ...]:
    """The roles a person held, in the producer's words, each with its number of
    episodes: the most frequent first, then in order of first credit (newest first)."""
    counts: dict[str, int] = {}
    for appearance in appearances:
        for label in dict.fromkeys(role.label for role in appearance.roles):
            counts[label] = counts.get(label, 0) + 1
    order = sorted(counts.items(), key=lambda item: -item[1])  # stable: ties keep order
    return tuple(RoleCount(label, episodes) for label, episodes in order)


def ld_property(role: Role) -> str:
    """The schema.org property a credit goes under on the episode's PodcastEpisode."""
    if role.group == "cast":
        return "actor"
    if role.role == "editor" and role.group == "writing":
        return "editor"
    return _LD_PROPERTY_OF_ROLE.get(role.role, "contributor")


def credits_ld(episode: EpisodeRecord) -> dict[str, list[dict[str, Any]]]:
    """``actor``, ``producer``, ``director``, ``musicBy``, ``editor``, ``translator`` and
    ``contributor`` of an episode, each person once per property, in credit order."""
    found: dict[str, dict[str, PersonRef]] = {}
    for group in episode.credits:
        by_id = found.setdefault(ld_property(group.role), {})
        for person in group.people:
            by_id.setdefault(person.id, person)
    order = [*_LD_PROPERTIES, "contributor"]
    return {
        prop: [person_ld(person) for person in found[prop].values()]
        for prop in order
        if found.get(prop)
    }


def person_ld(person: PersonRef) -> dict[str, Any]:
    """A schema.org Person: the name, and the person's own page when there is one."""
    data: dict[str, Any] = {"@type": "Person", "name": person.name}
    if _is_web_url(person.url):
        data["url"] = person.url
    return data


def profile_ld(page: PersonPage) -> dict[str, Any]:
    """schema.org ProfilePage of a person's page: who they are, where else they are."""
    person: dict[str, Any] = {"@type": "Person", "name": page.person.name, "url": page.url}
    if _is_web_url(page.person.url):
        person["sameAs"] = [page.person.url]
    if _is_web_url(page.person.image):
        person["image"] = page.person.image
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": page.url,
        "mainEntity": person,
    }


def _is_web_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme.lower() in {"http", "https"}
