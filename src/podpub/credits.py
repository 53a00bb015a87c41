"""Credits: people, the roles producers write, and the podcast:person taxonomy they map to."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from podpub.errors import Problem
from podpub.load import Document
from podpub.models import Credit, Person, Show
from podpub.paths import slugify
from podpub.records import CreditGroup, PersonRef, PersonRole, Role
from podpub.taxonomy import DEFAULT_ROLE_ALIASES, PERSON_GROUPS, TAXONOMY_ROLES, groups_of_role


class People:
    """One PersonRef per person id, so the same person carries the same href and img."""

    def __init__(self, seed: Iterable[Person] = ()) -> None:
        self._by_id: dict[str, PersonRef] = {}
        self._order: list[str] = []
        for person in seed:
            self.ref(person)

    def ref(self, person: Person) -> PersonRef:
        pid = person.id or slugify(person.name)
        known = self._by_id.get(pid)
        if (
            known is None
            or (known.url is None and person.url)
            or (known.image is None and person.image)
        ):
            known = PersonRef(
                pid,
                known.name if known else person.name,
                (known.url if known else None) or person.url,
                (known.image if known else None) or person.image,
            )
            if pid not in self._by_id:
                self._order.append(pid)
            self._by_id[pid] = known
        return known

    def all(self) -> tuple[PersonRef, ...]:
        return tuple(self._by_id[pid] for pid in self._order)


def person_roles(credits: list[CreditGroup]) -> tuple[PersonRole, ...]:
    seen: set[tuple[str, str, str]] = set()
    roles: list[PersonRole] = []
    for group in credits:
        for person in group.people:
            key = (person.id, group.role.role, group.role.group)
            if key not in seen:
                seen.add(key)
                roles.append(PersonRole(person, group.role))
    return tuple(roles)


def normalise_role(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def role_aliases(
    show: Show, doc: Document, problems: list[Problem]
) -> dict[str, tuple[str, str | None]]:
    aliases: dict[str, tuple[str, str | None]] = {
        k: (v, None) for k, v in DEFAULT_ROLE_ALIASES.items()
    }
    for word, alias in show.role_aliases.items():
        role = alias.role.lower()
        group = alias.group.lower() if alias.group else None
        groups = groups_of_role(role)
        if not groups or (group is not None and group not in groups):
            problems.append(
                doc.problem(
                    ("role_aliases", word, "role"),
                    f"{alias.role!r} is not a podcast:person role"
                    + (f" in group {alias.group!r}" if group else ""),
                    _role_hint(role),
                )
            )
            continue
        aliases[normalise_role(word)] = (role, group)
    return aliases


def resolve_role(
    credit: Credit,
    aliases: dict[str, tuple[str, str | None]],
    doc: Document,
    path: tuple[str | int, ...],
    problems: list[Problem],
) -> Role | None:
    word = normalise_role(credit.role)
    role, group = aliases.get(word, (word, None))
    if credit.group:
        group = credit.group.lower()
    groups = groups_of_role(role)
    if not groups:
        problems.append(
            doc.problem((*path, "role"), f"unknown role {credit.role!r}", _role_hint(word, aliases))
        )
        return None
    if group is None:
        if len(groups) > 1:
            problems.append(
                doc.problem(
                    (*path, "role"),
                    f"the role {credit.role!r} exists in several groups",
                    "add group: " + " or ".join(repr(g) for g in groups),
                )
            )
            return None
        group = groups[0]
    if (role, group) not in TAXONOMY_ROLES:
        problems.append(
            doc.problem(
                (*path, "group"),
                f"{credit.group!r} is not a group of role {role!r}",
                "use one of: " + ", ".join(groups),
            )
        )
        return None
    return Role(label=credit.role, role=role, group=group)


def _role_hint(word: str, aliases: dict[str, tuple[str, str | None]] | None = None) -> str:
    names = {r for r, _ in TAXONOMY_ROLES} | set(aliases or DEFAULT_ROLE_ALIASES)
    close = difflib.get_close_matches(word, sorted(names), n=3, cutoff=0.75)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return (
        "use a role of the podcast:person taxonomy ("
        + ", ".join(PERSON_GROUPS["Cast"][:4])
        + ", …) or add it to role_aliases in show.yaml"
    )
