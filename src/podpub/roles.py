"""``podpub roles [QUERY]``: the roles a credit can name, and the wordings that map to each.

The podcast:person taxonomy (``input/taxonomy.py``) by group, each role with the wordings
of every language file (``input/roles/*.json``, ``input/wordings.py``). A QUERY that is a
wording podpub knows ("Edited by", « Monteuses ») says which role it maps to; any other
QUERY lists the roles, groups and wordings that contain it.
"""

from __future__ import annotations

from podpub.input.taxonomy import groups_of_role
from podpub.input.wordings import (
    Wording,
    groups_in_order,
    language_wordings,
    lookup,
    normalise,
    suggestions,
    taxonomy_keys,
    wording_table,
)


def role_listing(query: str | None = None) -> tuple[str, bool]:
    """The listing ``podpub roles`` prints, and whether QUERY matched anything."""
    lines: list[str] = []
    wanted: set[tuple[str, str]] | None = None  # (group, role) to list; None: all
    if query and query.strip():
        table = wording_table()
        wanted = _containing(normalise(query))
        found = lookup(query, table)
        if found is not None:
            lines += _maps_to(query, *found)
            wanted |= {
                (g, found[0]) for g in ([found[1]] if found[1] else groups_of_role(found[0]))
            }
        own = taxonomy_keys().get(normalise(query))
        if own is not None and (found is None or own != found[0]):
            groups = groups_of_role(own)
            lines.append(
                f"The taxonomy's own {own!r} ({', '.join(groups)}) is meant when the credit "
                "gives its group: " + " or ".join(f"group: {g}" for g in groups) + "."
            )
            wanted |= {(g, own) for g in groups}
        if not wanted:
            close = suggestions(query, table)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            return f"No role or wording matches {query!r}{hint} (podpub roles lists all)", False
        lines.append("")
    else:
        lines += [
            "The roles of the podcast:person taxonomy, by group, and the wordings that map",
            "to each (case, accents, hyphens and plurals aside). Write any of them as a",
            "credit's role; add your own under role_aliases in show.yaml.",
            "",
        ]
    lines += _groups(wanted)
    return "\n".join(lines).rstrip("\n"), True


def _maps_to(query: str, role: str, group: str | None) -> list[str]:
    groups = [group] if group else groups_of_role(role)
    lines = [f"{query!r} maps to the role {role!r} (group {' or '.join(groups)})."]
    if len(groups) > 1:
        lines.append(f"It exists in {len(groups)} groups: add group: to the credit.")
    return lines


def _groups(wanted: set[tuple[str, str]] | None) -> list[str]:
    lines: list[str] = []
    for group, roles in groups_in_order():
        key = group.lower()
        shown = [role for role in roles if wanted is None or (key, role) in wanted]
        if not shown:
            continue
        lines.append(group)
        for role in shown:
            lines.append("  " + _role_line(role, key))
        lines.append("")
    return lines


def _role_line(role: str, group: str) -> str:
    by_language: dict[str, list[str]] = {}
    for wording in _wordings_of(role, group):
        by_language.setdefault(wording.language, []).append(wording.text)
    text = role
    groups = groups_of_role(role)
    if len(groups) > 1:
        text += f" (with group: {group})"
    if by_language:
        text += ": " + "; ".join(
            f"{lang}: {', '.join(words)}" for lang, words in by_language.items()
        )
    return text


def _wordings_of(role: str, group: str) -> list[Wording]:
    """The wordings that mean ``role`` in ``group``: those naming the group, and those
    naming none when the role is in this group only."""
    only_here = groups_of_role(role) == [group]
    return [
        w
        for w in language_wordings()
        if w.role == role and (w.group == group or (w.group is None and only_here))
    ]


def _containing(query: str) -> set[tuple[str, str]]:
    """(group, role) of every role whose name, group or a wording contains ``query``."""
    found: set[tuple[str, str]] = set()
    for group, roles in groups_in_order():
        key = group.lower()
        for role in roles:
            texts = [role, group, *(w.text for w in _wordings_of(role, key))]
            if any(query in normalise(text) for text in texts):
                found.add((key, role))
    return found
