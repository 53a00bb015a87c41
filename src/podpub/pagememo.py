"""Pages not rendered again when nothing they are rendered from has changed.

A page is one call ``template.render(common, **arguments)`` (pages.py). Its **render
key** is a digest of everything that call can see:

* the sources of every template the environment can load (a show's ``templates/`` and
  the default theme), and podpub's code (through the cache files' identity);
* the page's template name, the ``common`` values (show, words, assets with their
  content hashes…) and the page's own arguments (its episode, its neighbours, its
  JSON-LD, its transcript…).

The templates that use the variable ``site`` themselves, or through what they extend,
include, import or render with ``shared("…")``, are rendered every time: they show
every episode (the show pages count and list them), so any change of any episode
changes them, and a digest of 10,000 episodes costs about what rendering those pages
costs. An episode page does not look at the other episodes: a new title re-renders
that episode's page and its neighbours' (their previous/next links show it), not the
10,000 others.

When the key of a page equals the key recorded for the same file of the previous
publish, and that file is still in the output folder with the content recorded, the
page is not rendered: the new site gets a hard link to the old file (engine.py). A
page function that renders more than one template at the top level is always
rendered. The rule that makes this safe for the pipeline's future pages: a page must
depend only on what it passes to ``render`` (and on ``common``), which is how pages.py
is written.
"""

from __future__ import annotations

import contextvars
import hashlib
from dataclasses import dataclass, field
from typing import Any

from podpub.cache import digest_of


class Reuse(BaseException):
    """Raised by a memoized render to say: the previous file is this page, byte for byte.

    A BaseException so that no ``except Exception`` on the way can swallow it.
    """

    def __init__(self, rel: str) -> None:
        super().__init__(rel)
        self.rel = rel


@dataclass
class PageSlot:
    """The page being staged in this process: its output path and the renders it made."""

    rel: str
    previous: tuple[str, ...] | None  # the keys recorded for this file last time
    keys: list[str] = field(default_factory=list)
    depth: int = 0
    unkeyable: bool = False


_SLOT: contextvars.ContextVar[PageSlot | None] = contextvars.ContextVar(
    "podpub_page_slot", default=None
)


def current_slot() -> contextvars.ContextVar[PageSlot | None]:
    return _SLOT


class Keys:
    """Render keys of one environment (one publish): template sources, ``site`` use."""

    def __init__(self, env: Any) -> None:
        self.env = env
        sources: dict[str, str] = {}
        for name in env.list_templates():
            try:
                sources[name] = env.loader.get_source(env, name)[0]
            except Exception:  # an unreadable template: no memo for anyone
                sources[name] = f"<unreadable {name}>"
        self.sources = sources
        self.fingerprint = hashlib.blake2b(
            repr(sorted(sources.items())).encode(), digest_size=20
        ).hexdigest()
        self._uses_site: dict[str, bool] = {}
        self._common: tuple[int, str] | None = None
        self._records: dict[int, tuple[Any, str]] = {}

    def key(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        """The render key of ``template(name).render(*args, **kwargs)``, None if unkeyable."""
        try:
            if self.uses_site(name):
                return None  # see the module docstring: rendered every time
            common = args[0] if args and isinstance(args[0], dict) else {}
            extra = args[1:] if common else args
            return digest_of(
                self.fingerprint,
                name,
                self.common_digest(common),
                [self.value_digest(v) for v in extra],
                sorted((k, self.value_digest(v)) for k, v in kwargs.items()),
            )
        except Exception:  # a value that does not pickle: render it every time
            return None

    def common_digest(self, common: dict[str, Any]) -> str:
        if self._common is None or self._common[0] != id(common):
            values = {k: v for k, v in common.items() if k != "site"}
            self._common = (id(common), digest_of(sorted(values.items(), key=lambda kv: kv[0])))
        return self._common[1]

    def value_digest(self, value: Any) -> Any:
        """Records are digested once per run (a neighbour is seen by three pages); any
        other value goes into the page's key as it is."""
        if hasattr(value, "__dataclass_fields__"):
            known = self._records.get(id(value))
            if known is None or known[0] is not value:
                known = (value, digest_of(value))
                self._records[id(value)] = known
            return known[1]
        return value

    def uses_site(self, name: str) -> bool:
        """Whether a template, or one it extends, includes or shares, reads ``site``."""
        if name not in self._uses_site:
            self._uses_site[name] = self._reads_site(name, set())
        return self._uses_site[name]

    def _reads_site(self, name: str, seen: set[str]) -> bool:
        from jinja2 import meta

        if name in seen:
            return False
        seen.add(name)
        source = self.sources.get(name)
        if source is None:
            return True  # not listed: assume the worst
        try:
            ast = self.env.parse(source)
        except Exception:
            return True
        if "site" in meta.find_undeclared_variables(ast):
            return True
        referenced: list[str | None] = list(meta.find_referenced_templates(ast))
        referenced += _shared_names(ast)
        return any(other is None or self._reads_site(other, seen) for other in referenced)


def _shared_names(ast: Any) -> list[str | None]:
    """The partials a template renders with ``shared("name")`` (None: a computed name)."""
    from jinja2 import nodes

    found: list[str | None] = []
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "shared":
            first = call.args[0] if call.args else None
            found.append(first.value if isinstance(first, nodes.Const) else None)
    return found


def instrument(env: Any) -> None:
    """Make ``env``'s templates consult the page slot of the process (see module doc)."""
    from jinja2 import Template

    keys = Keys(env)

    class MemoTemplate(Template):
        def render(self, *args: Any, **kwargs: Any) -> str:
            slot = _SLOT.get()
            if slot is None or slot.depth:  # not a page being staged, or a nested render
                return super().render(*args, **kwargs)
            key = keys.key(self.name or "", args, kwargs)
            if key is None:
                slot.unkeyable = True
            else:
                slot.keys.append(key)
                if slot.previous == (key,) and len(slot.keys) == 1:
                    raise Reuse(slot.rel)
            slot.depth += 1
            try:
                return super().render(*args, **kwargs)
            finally:
                slot.depth -= 1

    env.template_class = MemoTemplate
