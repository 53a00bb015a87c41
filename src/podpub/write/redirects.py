"""Published addresses keep working: a page that moves leaves a redirect behind.

A page moves when its episode's descriptor is renamed (its GUID kept, ledger.py sees a
rename) or when the slug of a name changes (podpub's slugs once dropped every letter
that was not ASCII: « 王小明 » was ``people/p-d891413ecd/``, now
``people/wang-xiao-ming/``). The ledger records the folder of every published page
that could move (:attr:`Ledger.pages`) and every redirect made so far
(:attr:`Ledger.redirects`); each publish compares the folders of the new site with the
recorded ones and adds a redirect for each page that moved. Redirects are kept by every
later publish, followed to their final address when a page moves twice, and dropped
only when a page lives at the old address again or the page they lead to is gone.

Each redirect is written twice (site/render.py, :func:`redirects_file`): a small page
at the old folder (meta refresh, ``rel=canonical``, ``noindex``, a link to follow by
hand), which every host serves, and a line of ``_redirects``
(``/episodes/old/ /episodes/new/ 301``), which Netlify and Cloudflare Pages read to
answer with a real 301. The sitemap lists only the new addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from podpub.input.paths import legacy_slugify, slugify
from podpub.resolve.credits import name_digest
from podpub.resolve.records import PersonRef, SiteRecord
from podpub.site.people import person_path
from podpub.write.ledger import FeedDiff, Ledger, episode_key

REDIRECTS_FILE = "_redirects"  # Netlify / Cloudflare Pages
BLOCK_START = "# podpub: pages that moved (written by podpub publish; keep your lines outside)"
BLOCK_END = "# podpub: end"


def page_folders(site: SiteRecord, people: Iterable[PersonRef] | None = None) -> dict[str, str]:
    """Every page that can move, by identity: ``episode:<key>`` and ``person:<name>``.
    ``people``: :func:`_people` of the site, when the caller has them already."""
    found = {f"episode:{e.key}": _folder(e.page_path) for e in site.episodes}
    for person in _people(site) if people is None else people:
        found.setdefault(f"person:{person.name}", _folder(person_path(person)))
    return found


def recorded_pages(folders: Mapping[str, str]) -> dict[str, str]:
    """What the ledger keeps of :func:`page_folders`: an episode at ``episodes/<key>/``
    (nearly all of them) goes without saying, so a big show's ledger stays one line
    per episode."""
    return {
        identity: folder
        for identity, folder in folders.items()
        if folder != _default_folder(identity)
    }


def with_redirects(diff: FeedDiff, site: SiteRecord) -> FeedDiff:
    """The diff whose new ledger records the site's page folders and every redirect:
    those of the last publish, and one for each page this publish moves."""
    if diff.previous is None and not diff.first_publish:
        return diff  # given its redirects already (the last ledger was let go then)
    people = _people(site)  # once: every credit of every episode
    folders = page_folders(site, people)
    renamed = {e.key: episode_key(e.old_file or "") for e in diff.of_kind("renamed")}
    redirects = plan_redirects(diff.previous, folders, renamed, people)
    ledger = replace(diff.ledger, pages=recorded_pages(folders), redirects=redirects)
    return replace(diff, ledger=ledger, previous=None)  # read: not held while staging


def plan_redirects(
    previous: Ledger | None,
    folders: Mapping[str, str],
    renamed: Mapping[str, str],
    people: Iterable[PersonRef],
) -> dict[str, str]:
    """Old folder → new folder, for the pages of ``folders`` (the new site's) that the
    last publish had elsewhere, and for the redirects it had already; ``renamed``: new
    episode key → the key it had."""
    if previous is None:
        return {}
    before = _previous_folders(previous, people)
    wanted = dict(previous.redirects)
    for identity, folder in folders.items():
        if identity.startswith("episode:"):
            key = identity.removeprefix("episode:")
            old_identity = f"episode:{renamed.get(key, key)}"
        else:
            old_identity = identity
        old = before.get(old_identity)
        if old and old != folder:
            wanted[old] = folder
    return _settled(wanted, set(folders.values()))


def _previous_folders(previous: Ledger, people: Iterable[PersonRef]) -> dict[str, str]:
    """The folders of the last publish's pages, by identity."""
    found = {f"episode:{key}": f"episodes/{key}/" for key in previous.episodes}
    if previous.pages is not None:
        found.update(previous.pages)
        return found
    # A ledger from before addresses were recorded: the slugs podpub made then.
    for key in previous.episodes:
        slug = legacy_slugify(key)
        if slug:
            found[f"episode:{key}"] = f"episodes/{slug}/"
    for person in people:
        derived = person.id == slugify(person.name)  # an id made from the name
        old_id = (legacy_slugify(person.name) or name_digest(person.name)) if derived else person.id
        found[f"person:{person.name}"] = f"people/{old_id}/"
    return found


def _settled(wanted: Mapping[str, str], live: set[str]) -> dict[str, str]:
    """Each redirect followed to a live page (a page that moved twice redirects from both
    old folders to the last); none from a folder where a page lives, none to nowhere."""
    settled: dict[str, str] = {}
    for old, new in wanted.items():
        if old in live:
            continue
        seen = {old}
        while new not in live and new in wanted and new not in seen:
            seen.add(new)
            new = wanted[new]
        if new in live:
            settled[old] = new
    return dict(sorted(settled.items()))


def redirects_file(redirects: Mapping[str, str], base_url: str, current: str | None) -> str:
    """``_redirects``: the producer's own lines (from ``current``, the file in the output
    now) and podpub's block, one ``/old/ /new/ 301`` line per redirect, with the site's
    path from the host (``/podcast/episodes/…`` for a site under /podcast/)."""
    own = _own_lines(current or "")
    root = urlsplit(base_url).path or "/"
    block = [f"{root}{old} {root}{new} 301" for old, new in redirects.items()]
    lines = own + ([BLOCK_START, *block, BLOCK_END] if block else [])
    return "\n".join(lines) + "\n" if lines else ""


def redirects_output(out: Path, redirects: Mapping[str, str], base_url: str) -> bytes | None:
    """The ``_redirects`` to write into the new site, or None for none: the producer's
    own lines in the output now are kept (the file is theirs too; safety.carry_over),
    podpub's block is replaced, and a file whose block is gone is still written, without
    it (carried over as it is, it would keep redirects that no longer hold)."""
    try:
        current = (out / REDIRECTS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    text = redirects_file(redirects, base_url, current)
    if not text and (current is None or BLOCK_START not in current.splitlines()):
        return None
    return text.encode("utf-8")


def _own_lines(text: str) -> list[str]:
    lines: list[str] = []
    inside = False
    for line in text.splitlines():
        if line == BLOCK_START:
            inside = True
        elif line == BLOCK_END:
            inside = False
        elif not inside:
            lines.append(line)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _people(site: SiteRecord) -> list[PersonRef]:
    """Everyone with a page: credited in a published episode (site/people.py)."""
    found: dict[str, PersonRef] = {}
    # Records read from one cache file share their credit lines (one pickle): each
    # line is looked at once, not once per episode that has it.
    groups = {id(group): group for episode in site.episodes for group in episode.credits}
    for group in groups.values():
        for person in group.people:
            found.setdefault(person.id, person)
    return list(found.values())


def _folder(page_path: str) -> str:
    return page_path.removesuffix("index.html")


def _default_folder(identity: str) -> str | None:
    if identity.startswith("episode:"):
        return f"episodes/{identity.removeprefix('episode:')}/"
    return None
