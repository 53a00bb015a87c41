"""The people of a show as the pages show them: a page per person, credits in JSON-LD.

``render.py`` renders what this module works out from the records (it stays the only
Jinja2 importer): which people get a page (everyone credited in a published episode),
where the pages are (``people/<id>/index.html``: the id is stable across episodes and
already URL-safe; past ``episodes_per_page`` appearances, ``people/<id>/page/2/index.html``
… as the show's pages), the episodes each person worked on with their roles in the
producer's wording, and the schema.org properties each credit belongs to.

Each :class:`PersonPage` holds only the appearances it lists: a page's render key
(keys.py) is made of what it is given, so a changed episode re-renders the one page
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
    listing ``per_page`` appearances, the newest on the first.

    One pass over the credits (every page of an edit's rebuild starts from here: 44,000
    appearances at 10,000 episodes), the roles counted as they are met."""
    people: dict[str, PersonRef] = {}
    appearances: dict[str, list[Appearance]] = {}
    counts: dict[str, dict[str, int]] = {}  # person → role label → episodes
    for episode in site.episodes:
        for pid, held in _roles_of(episode, people).items():
            appearances.setdefault(pid, []).append(Appearance(episode, held))
            _count_roles(counts.setdefault(pid, {}), held)
    per_page = max(1, per_page)
    pages: list[PersonPage] = []
    for pid, person in people.items():
        pages += _pages_of(site, person, appearances[pid], _ordered(counts[pid]), per_page)
    return pages


def _roles_of(episode: EpisodeRecord, people: dict[str, PersonRef]) -> dict[str, tuple[Role, ...]]:
    """Each person credited in ``episode`` → their roles in it, in credit order; each
    person first met is added to ``people``."""
    held: dict[str, list[Role]] = {}
    for group in episode.credits:
        role = group.role
        for person in group.people:
            roles = held.get(person.id)
            if roles is None:
                held[person.id] = [role]
                people.setdefault(person.id, person)
            else:
                roles.append(role)
    return {pid: tuple(roles) for pid, roles in held.items()}


def _count_roles(counts: dict[str, int], roles: tuple[Role, ...]) -> None:
    """One more episode for each label of ``roles`` (a label held twice counts once)."""
    if len(roles) == 1:  # most credits: no label to count once
        label = roles[0].label
        counts[label] = counts.get(label, 0) + 1
        return
    for label in dict.fromkeys(role.label for role in roles):
        counts[label] = counts.get(label, 0) + 1


def _ordered(counts: dict[str, int]) -> tuple[RoleCount, ...]:
    """The most frequent first, then in order of first credit (newest first)."""
    order = sorted(counts.items(), key=lambda item: -item[1])  # stable: ties keep order
    return tuple(RoleCount(label, episodes) for label, episodes in order)


def _pages_of(
    site: SiteRecord,
    person: PersonRef,
    listed: list[Appearance],
    roles: tuple[RoleCount, ...],
    per_page: int,
) -> list[PersonPage]:
    """A person's pages, ``per_page`` appearances each; the roles on the first only."""
    count = math.ceil(len(listed) / per_page)
    pages = []
    for number in range(1, count + 1):
        first = (number - 1) * per_page
        path = person_path(person, number)
        url = site.show.url + path.removesuffix("index.html")
        page_roles = roles if number == 1 else ()
        shown = tuple(listed[first : first + per_page])
        pages.append(PersonPage(person, number, count, path, url, shown, len(listed), page_roles))
    return pages


def role_counts(appearances: list[Appearance]) -> tuple[RoleCount, ...]:
    """The roles a person held, in the producer's words, each with its number of
    episodes: the most frequent first, then in order of first credit (newest first)."""
    counts: dict[str, int] = {}
    for appearance in appearances:
        _count_roles(counts, appearance.roles)
    return _ordered(counts)


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
