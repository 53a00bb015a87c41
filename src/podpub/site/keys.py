"""Pages not rendered again when nothing they are rendered from has changed.

A page is one call ``template.render(common, **arguments)`` (render.py). Its **render
key** is known before it renders, made of what the page is *declared* to be rendered
from (render.py's ``PageRenderer.*_render``):

* the template set: the sources of every template the environment can load (a show's
  ``templates/`` and the default theme), and podpub's code (through the cache files'
  identity), as :attr:`Keys.fingerprint`;
* the ``common`` values but ``site`` (show, words, assets with their content hashes…),
  as :meth:`Keys.common_digest`, once per run;
* the page's own arguments: its episode, its neighbours, the episodes it lists, its
  number… each episode record as its digest (made once per run, :meth:`Keys.remember`).

The templates that use the variable ``site`` themselves, or through what they extend,
include, import or render with ``shared("…")``, are found once per template set (the
answer is kept across runs under the fingerprint, :meth:`Keys.reads_site`): their pages
get no key and are rendered every time, as ``site`` is every episode and any change of
any episode may change them. The default theme's pages do not read it: a show page is
given its own slice of the episodes and their count, so a new title re-renders the one
show page that lists the episode; a person's pages are paged the same way (people.py),
so it re-renders one page of each of its people; an episode page re-renders when it or
a neighbour changes (their previous/next links show them), not the 10,000 others.

When the key of a page equals the key recorded for the same file of the previous
publish, and that file is still there with the content recorded, the page is not
rendered at all: the new site keeps or links the old file (build/engine.py). The rule
that makes this safe: a page depends only on what it is declared with (and on
``common``), which is how render.py is written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any, Protocol

from podpub.context import TEMPLATES, BuildContext
from podpub.digests import digest_of, stamp


class TemplateReading(Protocol):
    """What the keys need to know of a template's source (site/render.py answers)."""

    def reads_site(self, name: str, sources: dict[str, str], seen: set[str]) -> bool: ...


class Keys:
    """What every page key of one template set (one publish) is made of."""

    def __init__(self, env: Any, run: BuildContext, reading: TemplateReading) -> None:
        self.run = run  # the build context: digests of records, the templates' memo
        self.reading = reading
        # a warm build's rebuild takes the last one's sources while every file of the
        # template folders has the stamp it had (a stat each, not a read and the
        # partials written in place: a twentieth of a warm rebuild)
        held = run.cache.held if run.cache is not None and run.warm else None
        stamps = _template_stamps(env) if held is not None else None
        last = held.get(_SOURCES_HELD) if held is not None else None
        if stamps is not None and last is not None and last[0] == stamps:
            self.sources, self.fingerprint = last[1]
        else:
            self.sources = _sources(env)
            self.fingerprint = hashlib.blake2b(
                repr(sorted(self.sources.items())).encode(), digest_size=20
            ).hexdigest()
            if held is not None and stamps is not None:
                held[_SOURCES_HELD] = (stamps, (self.sources, self.fingerprint))
        self._reads_site: dict[str, bool] = {}

    def common_digest(self, common: dict[str, Any]) -> str:
        """The digest of the values every page sees, but ``site`` (no key includes it:
        a page whose template reads it has no key)."""
        values = {k: v for k, v in common.items() if k != "site"}
        return digest_of(sorted(values.items(), key=lambda kv: kv[0]))

    def remember(self, records: Sequence[Any]) -> tuple[str, ...]:
        """Digest ``records`` now, over the run's worker processes: the processes that
        stage the pages afterwards inherit the digests instead of each making its own.
        Records kept from the last run (the resolver's memo) come with their digest.
        Returns each record's digest, in order."""
        return self.run.digests_in_order(records)

    def reads_site(self, name: str) -> bool:
        """Whether template ``name``, or one it extends, includes or shares, reads
        ``site`` (True when that cannot be told). Kept across runs for the same template
        sources: parsing them is slow (38 ms for the default theme, measured)."""
        if name not in self._reads_site:
            key = f"{self.fingerprint}:{name}"
            self._reads_site[name] = self.run.memo(TEMPLATES, key, self._reading_of(name))
        return self._reads_site[name]

    def _reading_of(self, name: str) -> Any:
        def reads(_: str) -> bool:
            try:
                return self.reading.reads_site(name, self.sources, set())
            except Exception:  # a template Jinja2 cannot analyse: render it every time
                return True

        return reads


def _sources(env: Any) -> dict[str, str]:
    """Every template's source, as the environment's loader gives it, by name."""
    sources: dict[str, str] = {}
    for name in env.list_templates():
        try:
            sources[name] = env.loader.get_source(env, name)[0]
        except Exception:  # an unreadable template: its own entry in the fingerprint
            sources[name] = f"<unreadable {name}>"
    return sources


def _template_stamps(env: Any) -> tuple[Any, ...] | None:
    """The environment's template folders (its loader's first one's search path: the
    show's folders, then the theme), then each file under them with its stamp, in
    order; None when the loader is not one whose folders are known."""
    try:
        folders = tuple(env.loader.loaders[0].searchpath)
    except (AttributeError, IndexError, TypeError):
        return None
    found: list[tuple[str, Any]] = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            paths = [os.path.join(root, name) for name in sorted(files)]
            found += zip(paths, map(stamp, paths), strict=True)
    return (folders, *found)


_SOURCES_HELD = "template-sources"  # Keys' sources and fingerprint, in the cache's ``held``
