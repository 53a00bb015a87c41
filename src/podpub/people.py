"""The people of a show as the pages show them: a page per person, credits in JSON-LD.

``pages.py`` renders what this module works out from the records (it stays the only
Jinja2 importer): which people get a page (everyone credited in a published episode),
where the page is (``people/<id>/index.html``: the id is stable across episodes and
already URL-safe), the episodes each person worked on with their roles in the
producer's wording, and the schema.org properties each credit belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from podpub.records import EpisodeRecord, PersonRef, Role, SiteRecord

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
class PersonPage:
    person: PersonRef
    path: str  # "people/<id>/index.html", inside the output folder
    url: str  # canonical: "https://site/people/<id>/"
    appearances: tuple[Appearance, ...]  # newest episode first


def person_path(person: PersonRef) -> str:
    return f"{PEOPLE_DIR}/{person.id}/index.html"


def person_pages(site: SiteRecord) -> list[PersonPage]:
    """A page for everyone credited in a published episode, in order of first credit
    (newest episode first, credit lines in order)."""
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
    return [
        PersonPage(
            person,
            person_path(person),
            site.show.url + person_path(person).removesuffix("index.html"),
            tuple(appearances[pid]),
        )
        for pid, person in people.items()
    ]


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
