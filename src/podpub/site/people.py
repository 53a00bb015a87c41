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

Who is credited where (:class:`Credited`: each person's appearances, in site order) is
kept between runs with the digests of the episodes it was made from: an edit that
leaves an episode's credits as they were (a new title, a new summary) reads the credits
of that episode only, not the 44,000 credit lines of a show of 10,000 episodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import compress, count
from operator import ne
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


# One episode's credits as the person pages read them: each person credited, with
# their roles in it in credit order.
Held = tuple[tuple[PersonRef, tuple[Role, ...]], ...]
# One of a person's appearances: the episode's position in the site, their roles in it.
Listed = tuple[int, tuple[Role, ...]]


@dataclass(frozen=True)
class PersonPage:
    """One page of a person's episodes: the first (``people/<id>/index.html``, with who
    they are) or a later one (``people/<id>/page/<n>/index.html``)."""

    person: PersonRef
    number: int  # 1, 2, … page_count
    page_count: int
    path: str  # "people/<id>/index.html", "people/<id>/page/2/index.html"…
    url: str  # canonical: "https://site/people/<id>/", "https://site/people/<id>/page/2/"
    listed: tuple[Listed, ...]  # this page's only, newest episode first
    appearance_count: int  # on all the person's pages
    roles: tuple[RoleCount, ...]  # first page only (its header); () on the others

    @property
    def folder(self) -> str:
        """The person's folder, where every one of their pages is: ``people/<id>/``."""
        return person_path(self.person).removesuffix("index.html")

    def appearances(self, episodes: Sequence[EpisodeRecord]) -> tuple[Appearance, ...]:
        """This page's appearances, ``episodes`` being the site's (what it renders)."""
        return tuple([Appearance(episodes[index], roles) for index, roles in self.listed])


@dataclass(frozen=True)
class Credited:
    """Who is credited where in a site, and the digests of the episodes it was read from
    ("" when unknown: then it is never updated, only made again)."""

    # each episode's record digest, in site order, one a line: one string, read back
    # from the cache at once (10,000 strings took a third of the time)
    digests: str
    held: tuple[Held, ...]  # each episode's credits, in site order
    people: dict[str, PersonRef]  # person id → person, in order of first credit
    # person id → the positions of their episodes in the site (newest first), and their
    # roles in each: two flat tuples, which the cache keeps in a fraction of the space
    # (and time to read back) of one pair per appearance
    positions: dict[str, tuple[int, ...]]
    held_roles: dict[str, tuple[tuple[Role, ...], ...]]
    roles: dict[str, tuple[RoleCount, ...]]  # person id → their roles, counted


def person_path(person: PersonRef, number: int = 1) -> str:
    """``people/<id>/index.html``, or ``people/<id>/page/<n>/index.html`` past the first."""
    page = "index.html" if number == 1 else f"page/{number}/index.html"
    return f"{PEOPLE_DIR}/{person.id}/{page}"


def person_pages(
    site: SiteRecord, per_page: int, credited: Credited | None = None
) -> list[PersonPage]:
    """The pages of everyone credited in a published episode, in order of first credit
    (newest episode first, credit lines in order); each person's pages in order, each
    listing ``per_page`` appearances, the newest on the first. ``credited``: who is
    credited where in ``site`` (:func:`credited`), made here when not given."""
    found = credited or credited_in(site)
    per_page = max(1, per_page)
    pages: list[PersonPage] = []
    for pid, person in found.people.items():
        listed = tuple(zip(found.positions[pid], found.held_roles[pid], strict=True))
        pages += _pages_of(site, person, listed, found.roles[pid], per_page)
    return pages


def credited_in(
    site: SiteRecord, digests: Sequence[str] = (), previous: Credited | None = None
) -> Credited:
    """Who is credited where in ``site``, whose episodes have ``digests``: ``previous``
    (made from the same show at other ``digests``) when the episodes whose digest
    changed still have the credits it holds for them, else read from every episode."""
    lines = "\n".join(digests)
    if previous is not None and previous.digests and len(previous.held) == len(digests):
        if previous.digests == lines:
            return previous
        before = previous.digests.split("\n")
        changed = list(compress(count(), map(ne, before, digests)))  # in C: 10,000
        episodes = site.episodes
        if all(_held(episodes[i]) == previous.held[i] for i in changed):
            return replace(previous, digests=lines)
    return _read_credits(site, lines)


def _read_credits(site: SiteRecord, digests: str) -> Credited:
    """One pass over the credits (44,000 appearances at 10,000 episodes), the roles
    counted as they are met."""
    people: dict[str, PersonRef] = {}
    positions: dict[str, list[int]] = {}
    held_roles: dict[str, list[tuple[Role, ...]]] = {}
    counts: dict[str, dict[str, int]] = {}  # person → role label → episodes
    held_all: list[Held] = []
    same = _Same()
    for index, episode in enumerate(site.episodes):
        held = same.held(_held(episode))
        held_all.append(held)
        for person, roles in held:
            pid = person.id
            if pid not in people:
                people[pid] = person
                positions[pid], held_roles[pid], counts[pid] = [], [], {}
            positions[pid].append(index)
            held_roles[pid].append(roles)
            _count_roles(counts[pid], roles)
    return Credited(
        digests,
        tuple(held_all),
        people,
        {pid: tuple(found) for pid, found in positions.items()},
        {pid: tuple(found) for pid, found in held_roles.items()},
        {pid: _ordered(found) for pid, found in counts.items()},
    )


class _Same:
    """One object for each person, role and credits met in one pass over a site: a
    pickle keeps an object once however often it is named (the cache's copy of who is
    credited where: 24,000 role objects for 24 roles at 10,000 episodes, read back in
    65 ms, before)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}  # value → the one object kept for it
        self._by_id: dict[int, Any] = {}  # id(an object met) → the one kept for its value
        self._met: list[Any] = []  # the objects met, alive while their ids are keys
        self._tuples: dict[tuple[int, ...], Any] = {}  # ids of kept objects → tuple

    def one(self, value: Any) -> Any:
        """The object kept for ``value`` (records share theirs: hashed once each)."""
        found = self._by_id.get(id(value))
        if found is None:
            found = self._by_id[id(value)] = self._values.setdefault(value, value)
            self._met.append(value)
        return found

    def kept_tuple(self, values: tuple[Any, ...]) -> Any:
        """The tuple kept for ``values``, each already one kept (compared by identity)."""
        return self._tuples.setdefault(tuple(map(id, values)), values)

    def held(self, held: Held) -> Held:
        pairs = tuple(
            self.kept_tuple((self.one(person), self.kept_tuple(tuple(map(self.one, roles)))))
            for person, roles in held
        )
        return self.kept_tuple(pairs)


def _held(episode: EpisodeRecord) -> Held:
    """Each person credited in ``episode`` (as first credited in it) with their roles in
    it, in credit order."""
    people: dict[str, PersonRef] = {}
    held: dict[str, list[Role]] = {}
    for group in episode.credits:
        role = group.role
        for person in group.people:
            roles = held.get(person.id)
            if roles is None:
                held[person.id] = [role]
                people[person.id] = person
            else:
                roles.append(role)
    return tuple((people[pid], tuple(roles)) for pid, roles in held.items())


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
    listed: tuple[Listed, ...],
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
        shown = listed[first : first + per_page]
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
