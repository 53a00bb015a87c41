"""The words producers write in their credits, mapped to podcast:person roles.

One data file per language in ``input/roles/`` (``en.json``, ``fr.json``): adding German
wording is adding ``de.json``. Each lists, by taxonomy role, the wordings that mean it:
activity nouns ("Sound design", « Montage »), "… by" forms ("Edited by", « Réalisé
par »), agent nouns ("Interviewer", « Monteuse »). A wording is matched whatever its
case, accents, hyphens and inclusive endings (« invité·es »), and in the plural ("Hosts").

The table a show resolves its credits with (:func:`wording_table`) is keyed by
:func:`normalise`: the taxonomy's own role names first, then every language's wordings,
then the show's ``role_aliases``; each key gives (role, group or None).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from podpub.input.taxonomy import PERSON_GROUPS, TAXONOMY_ROLES, groups_of_role

ROLES_DIR = Path(__file__).with_name("roles")

Table = dict[str, tuple[str, str | None]]  # normalised wording → (role, group or None)

_SEPARATORS = re.compile(r"[-‐‑–—_/]+")
_INCLUSIVE = re.compile(r"·\w*")  # « invité·es », « auteur·rice »: the base word
_DROPPED = re.compile(r"[.:()\[\]«»\"“”]")


def normalise(text: str) -> str:
    """The form wordings are compared in: lower case, no accents, hyphens as spaces."""
    text = _INCLUSIVE.sub("", text.replace("’", "'"))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _DROPPED.sub(" ", _SEPARATORS.sub(" ", text.lower()))
    return " ".join(text.split())


@dataclass(frozen=True)
class Wording:
    """One wording of one language file, as written there."""

    text: str
    language: str
    role: str
    group: str | None


def _target(key: str) -> tuple[str, str | None]:
    """``"audio editor"`` → (role, None); ``"editor (video post-production)"`` → both."""
    match = re.fullmatch(r"(.+?)\s*\((.+)\)", key.strip())
    if match:
        return match[1].lower(), match[2].lower()
    return key.strip().lower(), None


@functools.cache
def language_wordings() -> tuple[Wording, ...]:
    """Every wording of every language file, in file and role order."""
    found: list[Wording] = []
    for path in sorted(ROLES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in data.get("roles", {}).items():
            role, group = _target(key)
            found += [Wording(text, path.stem, role, group) for text in texts]
    return tuple(found)


@functools.cache
def taxonomy_keys() -> dict[str, str]:
    """The taxonomy's roles by their normalised form ("co host" → "co-host")."""
    return {normalise(role): role for role, _ in sorted(TAXONOMY_ROLES)}


@functools.cache
def _default_table() -> dict[str, tuple[str, str | None]]:
    table: Table = {key: (role, None) for key, role in taxonomy_keys().items()}
    for wording in language_wordings():
        table[normalise(wording.text)] = (wording.role, wording.group)
    return table


def wording_table(extra: dict[str, tuple[str, str | None]] | None = None) -> Table:
    """The default table, with a show's own wordings (already checked) on top."""
    table = dict(_default_table())
    for word, target in (extra or {}).items():
        table[normalise(word)] = target
    return table


def lookup(word: str, table: Table) -> tuple[str, str | None] | None:
    """(role, group or None) of a producer's wording, or None when no form of it is known.

    Tried in turn: the wording, then without a plural ending ("hosts", « monteuses »).
    """
    key = normalise(word)
    for candidate in _forms(key):
        if candidate in table:
            return table[candidate]
    return None


def _forms(key: str) -> list[str]:
    forms = [key]
    if key.endswith("es"):
        forms.append(key[:-2])
    if key.endswith("s"):
        forms.append(key[:-1])
    return forms


def taxonomy_role_in(word: str, group: str) -> str | None:
    """The taxonomy role ``word`` names in ``group`` itself, if it does ("Editor",
    "Writing"): a producer who gives the group means the taxonomy's own role."""
    role = taxonomy_keys().get(normalise(word))
    return role if role is not None and group in groups_of_role(role) else None


def suggestions(word: str, table: Table, count: int = 3) -> list[str]:
    """The closest known wordings and roles, as written (accents kept), with their role:
    the closest one of each role."""
    shown = _display_forms()
    close = difflib.get_close_matches(normalise(word), sorted(table), n=4 * count, cutoff=0.7)
    found: dict[str, str] = {}  # role → its closest wording
    for key in close:
        role = table[key][0]
        if role not in found and len(found) < count:
            text = shown.get(key, key)
            found[role] = repr(text) if normalise(role) == key else f"{text!r} ({role})"
    return list(found.values())


@functools.cache
def _display_forms() -> dict[str, str]:
    forms = {key: role for key, role in taxonomy_keys().items()}
    for wording in language_wordings():
        forms.setdefault(normalise(wording.text), wording.text.lower())
    return forms


def groups_in_order() -> list[tuple[str, tuple[str, ...]]]:
    """The taxonomy's groups and their roles, as the Podcast Taxonomy Project lists them."""
    return [
        (group, tuple(role.lower() for role in roles)) for group, roles in PERSON_GROUPS.items()
    ]
