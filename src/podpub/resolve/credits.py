"""Credits: people, the roles producers write, and the podcast:person taxonomy they map to."""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from podpub.errors import Problem
from podpub.input.load import Document
from podpub.input.models import Credit, Episode, Person, PersonEntry, Show
from podpub.input.paths import slugify
from podpub.input.taxonomy import PERSON_GROUPS, TAXONOMY_ROLES, groups_of_role
from podpub.input.wordings import (
    lookup,
    normalise,
    suggestions,
    taxonomy_role_in,
    wording_table,
)
from podpub.resolve.records import CreditGroup, PersonRef, PersonRole, Role


class Mentioned(Protocol):
    """A person as a descriptor names them: the model's ``Person``, or the light copy the
    cache keeps of it (plan.Mention)."""

    @property
    def name(self) -> str | None: ...
    @property
    def id(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def image(self) -> str | None: ...


class People:
    """Everyone credited in the show: one PersonRef per id, the same in every episode.

    A person is named in three ways: by the id of their entry under ``people:`` in
    show.yaml (``{id: emma-larbi}``, or the bare id ``emma-larbi``), by name (matched
    against the registry's names, then by the slug of the name), or as a new person
    (``{name, id, url, image}``) whose id defaults to the slug of the name.

    The registry's name, url and image win; a url or image given where a person is
    credited fills a gap. Every mention is ``register``-ed before any ``get``, so the
    href and img of a person are the same on every item, whichever episode gave them.
    """

    def __init__(
        self, seed: Iterable[Person] = (), registry: Mapping[str, PersonEntry] | None = None
    ) -> None:
        self._by_id: dict[str, PersonRef] = {}
        self._order: list[str] = []
        self._registry = dict(registry or {})
        self._registry_names = {_same_name(e.name): pid for pid, e in self._registry.items()}
        self._name_ids: dict[str, str] = {}  # a name → its id (the registry does not change)
        self._id_letters: dict[str, str] = {}  # an id → the letters of the name that has it
        for pid, entry in self._registry.items():
            self._store(PersonRef(pid, entry.name, entry.url, entry.image))
        for person in seed:
            self.register(person)

    def register(self, person: Mentioned) -> None:
        """Take note of a mention (its url and image fill what the registry leaves open)."""
        pid = self.id_of(person)
        if pid is None:
            return
        known = self._by_id.get(pid)
        if known is None:
            self._store(PersonRef(pid, person.name or pid, person.url, person.image))
        elif (known.url is None and person.url) or (known.image is None and person.image):
            self._store(
                PersonRef(pid, known.name, known.url or person.url, known.image or person.image)
            )

    def get(self, person: Mentioned) -> PersonRef | None:
        """The person a mention names; None for an id that no one has (see :meth:`resolve`)."""
        pid = self.id_of(person)
        return self._by_id.get(pid) if pid is not None else None

    def ref(self, person: Person) -> PersonRef:
        """Register and return (for mentions that always carry a name)."""
        self.register(person)
        found = self.get(person)
        if found is None:
            raise KeyError(person.id)
        return found

    def resolve(
        self,
        people: Sequence[Person],
        doc: Document,
        path: tuple[str | int, ...],
        problems: list[Problem],
    ) -> tuple[PersonRef, ...]:
        """The people of one list (``hosts``, ``credits[i].people``), each problem located."""
        found: list[PersonRef] = []
        for i, person in enumerate(people):
            ref = self.get(person)
            if ref is None:
                problems.append(
                    doc.problem(
                        (*path, i, "id"),
                        f"no one has the id {person.id!r} under people: in show.yaml",
                        _id_hint(person.id or "", list(self._registry)),
                    )
                )
            elif ref not in found:
                found.append(ref)
        return tuple(found)

    def id_of(self, person: Mentioned) -> str | None:
        """The stable id a mention stands for (None: an id alone that no one has)."""
        if person.id is not None:
            if person.id in self._by_id or person.name is not None:
                return person.id
            return None
        name = person.name or ""
        known = self._name_ids.get(name)  # a show of 10,000 episodes names its hosts often
        if known is None:
            known = self._name_ids[name] = self._id_of_name(name)
        return known

    def _id_of_name(self, name: str) -> str:
        if name in self._registry:  # a bare id: `people: [emma-larbi]`
            return name
        by_name = self._registry_names.get(_same_name(name))
        if by_name:
            return by_name
        slug = slugify(name)
        if not slug:
            return name_digest(name)
        owner = self._id_letters.setdefault(slug, _letters(name))
        if owner != _letters(name):
            # Another name transliterates alike (王小明 and 汪晓鸣 are both wang-xiao-ming):
            # another person, not the same one written differently.
            return f"{slug[:69].rstrip('-')}-{name_digest(name)[2:12]}"
        return slug

    def all(self) -> tuple[PersonRef, ...]:
        return tuple(self._by_id[pid] for pid in self._order)

    def _store(self, ref: PersonRef) -> None:
        if ref.id not in self._by_id:
            self._order.append(ref.id)
            self._id_letters.setdefault(ref.id, _letters(ref.name))
        self._by_id[ref.id] = ref


def _same_name(name: str) -> str:
    """Names compared as people read them: case, accents' encoding and spacing aside."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _letters(name: str) -> str:
    """A name's letters and digits in any script, case, accents, spaces and punctuation
    aside: « Anne-Marie Dupont » and "anne marie dupont" are one person's name,
    « 王小明 » and « 汪晓鸣 » (one slug, wang-xiao-ming) two people's."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def name_digest(name: str) -> str:
    """An id for a name with no Latin letter or digit to slug (« 李明 »): stable, URL-safe."""
    return "p-" + hashlib.sha1(_same_name(name).encode()).hexdigest()[:10]


def _id_hint(pid: str, known: list[str]) -> str:
    close = difflib.get_close_matches(pid, known, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "add them under people: in show.yaml, or give their name"


def merge_credits(lines: Iterable[tuple[CreditGroup, bool]]) -> tuple[CreditGroup, ...]:
    """Credit lines in the order written, one line per role: a later line with the same
    podcast:person role and group adds its people to the first one (or, with
    ``replace``, takes its place), so show defaults and episode credits read as one list.
    """
    merged: list[CreditGroup] = []
    where: dict[tuple[str, str], int] = {}
    for line, replace in lines:
        key = (line.role.role, line.role.group)
        at = where.get(key)
        if at is None:
            where[key] = len(merged)
            merged.append(CreditGroup(line.role, _unique(line.people)))
        elif replace:
            merged[at] = CreditGroup(line.role, _unique(line.people))
        else:
            merged[at] = CreditGroup(merged[at].role, _unique(merged[at].people + line.people))
    return tuple(group for group in merged if group.people)


def _unique(people: tuple[PersonRef, ...]) -> tuple[PersonRef, ...]:
    """Each person once per line, at their first place."""
    first: dict[str, PersonRef] = {}
    for person in people:
        first.setdefault(person.id, person)
    return tuple(first.values())


def person_roles(credits: Iterable[CreditGroup]) -> tuple[PersonRole, ...]:
    seen: set[tuple[str, str, str]] = set()
    roles: list[PersonRole] = []
    for group in credits:
        for person in group.people:
            key = (person.id, group.role.role, group.role.group)
            if key not in seen:
                seen.add(key)
                roles.append(PersonRole(person, group.role))
    return tuple(roles)


def role_aliases(
    show: Show, doc: Document, problems: list[Problem]
) -> dict[str, tuple[str, str | None]]:
    """The wordings the show's credits are read with: every language's (wordings.py)
    and the show's own ``role_aliases``."""
    own: dict[str, tuple[str, str | None]] = {}
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
                    _role_hint(role, wording_table()),
                )
            )
            continue
        own[word] = (role, group)
    return wording_table(own)


def resolve_role(
    credit: Credit,
    aliases: dict[str, tuple[str, str | None]],
    doc: Document,
    path: tuple[str | int, ...],
    problems: list[Problem],
) -> Role | None:
    word = normalise(credit.role)
    role, group = lookup(credit.role, aliases) or (word, None)
    if credit.group:
        group = credit.group.lower()
        role = taxonomy_role_in(credit.role, group) or role  # "Editor" in "Writing"
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


def _role_hint(word: str, aliases: dict[str, tuple[str, str | None]]) -> str:
    close = suggestions(word, aliases)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    return (
        "use a role of the podcast:person taxonomy ("
        + ", ".join(PERSON_GROUPS["Cast"][:4])
        + ", …) or add it to role_aliases in show.yaml; podpub roles lists them all"
    )


# --- credits of the show and of each episode ------------------------------------------


def register_mentions(people: People, show: Show, episodes: Iterable[Iterable[Mentioned]]) -> None:
    """Note every mention of a person before any is resolved (see :class:`People`):
    the show's, then each episode's (its hosts, then its credits' people: plan.Summary)."""
    mentions: list[Mentioned] = [*show.hosts, *(p for c in show.credits for p in c.people)]
    for named in episodes:
        mentions += named
    for person in mentions:
        people.register(person)


def is_host(role: Role) -> bool:
    return role.role == "host" and role.group == "cast"


def show_credits(
    show: Show,
    doc: Document,
    people: People,
    aliases: dict[str, tuple[str, str | None]],
    host_role: Role,
    problems: list[Problem],
) -> tuple[CreditGroup, ...]:
    """The show's hosts (as the first credit line) and its default ``credits:``, merged."""
    hosts = people.resolve(show.hosts, doc, ("hosts",), problems)
    lines = [(CreditGroup(host_role, hosts), False)]
    lines += _credit_lines(show.credits, doc, people, aliases, problems)
    return merge_credits(lines)


def episode_credits(
    episode: Episode,
    doc: Document,
    people: People,
    aliases: dict[str, tuple[str, str | None]],
    host_role: Role,
    defaults: tuple[CreditGroup, ...],
    problems: list[Problem],
    guest_role: Role | None = None,
) -> tuple[tuple[PersonRef, ...], tuple[CreditGroup, ...]]:
    """An episode's hosts and credits: its hosts (else the show's) first, its guests
    (``guests:``, in the role ``guest_role``), then the show's default lines, then its own
    lines, merged role by role in the order written."""
    show_hosts = [group for group in defaults if is_host(group.role)]
    if episode.hosts:
        hosts = people.resolve(episode.hosts, doc, ("hosts",), problems)
        hosts_line = CreditGroup(host_role, hosts)
    else:
        hosts_line = show_hosts[0] if show_hosts else CreditGroup(host_role, ())
    lines = [(hosts_line, False)]
    if episode.guests and guest_role is not None:
        guests = people.resolve(episode.guests, doc, ("guests",), problems)
        lines.append((CreditGroup(guest_role, guests), False))
    lines += [(group, False) for group in defaults if not is_host(group.role)]
    lines += _credit_lines(episode.credits, doc, people, aliases, problems)
    credits = merge_credits(lines)
    hosts = next((group.people for group in credits if is_host(group.role)), ())
    return hosts, credits


def guests_of(credits: Iterable[CreditGroup]) -> tuple[PersonRef, ...]:
    """The people credited as guests (``guests:``, or a credit line whose role maps to
    podcast:person's "guest"): the page header names them."""
    found: dict[str, PersonRef] = {}
    for group in credits:
        if is_guest(group.role):
            for person in group.people:
                found.setdefault(person.id, person)
    return tuple(found.values())


def is_guest(role: Role) -> bool:
    return role.role == "guest" and role.group == "cast"


def _credit_lines(
    credits: Sequence[Credit],
    doc: Document,
    people: People,
    aliases: dict[str, tuple[str, str | None]],
    problems: list[Problem],
) -> list[tuple[CreditGroup, bool]]:
    lines: list[tuple[CreditGroup, bool]] = []
    for i, credit in enumerate(credits):
        role = resolve_role(credit, aliases, doc, ("credits", i), problems)
        refs = people.resolve(credit.people, doc, ("credits", i, "people"), problems)
        if role is not None:
            lines.append((CreditGroup(role, refs), credit.replace))
    return lines
