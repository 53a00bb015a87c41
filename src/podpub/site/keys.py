"""Pages not rendered again when nothing they are rendered from has changed.

A page is one call ``template.render(common, **arguments)`` (pages.py). Its **render
key** is a digest of everything that call can see:

* the sources of every template the environment can load (a show's ``templates/`` and
  the default theme), and podpub's code (through the cache files' identity);
* the page's template name, the ``common`` values (show, words, assets with their
  content hashes…) and the page's own arguments (its episode, its neighbours, its
  JSON-LD, its transcript…).

The templates that use the variable ``site`` themselves, or through what they extend,
include, import or render with ``shared("…")``, are rendered every time: ``site`` is
every episode, so any change of any episode may change them. The default theme's show
pages do not read it: each is given its own slice of the episodes and their count, so
a new title re-renders the one show page that lists the episode; a person's pages are
paged the same way (people.py), so it re-renders one page of each of its people. An
episode page does not look at the other episodes either: a new title re-renders that
episode's page and its neighbours' (their previous/next links show it), not the 10,000
others.

Each episode record is digested once per run (:meth:`Keys.remember`, before the pages
are shared out over the worker processes, which inherit the digests): in a key, a
record stands for its digest (:class:`RecordDigest`), so a show or person page that
lists 50 episodes costs a digest of 50 short strings, not a pickle of the records
again.

When the key of a page equals the key recorded for the same file of the previous
publish, and that file is still in the output folder with the content recorded, the
page is not rendered: the new site gets a hard link to the old file (engine.py). A
page function that renders more than one template at the top level is always
rendered. The rule that makes this safe for the pipeline's future pages: a page must
depend only on what it passes to ``render`` (and on ``common``), which is how pages.py
is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from podpub.context import TEMPLATES, BuildContext
from podpub.digests import digest_of
from podpub.resolve.records import EpisodeRecord
from podpub.site.people import Appearance

#: Records digested once per run and standing for their digest in every key.
_RECORDS = (EpisodeRecord,)
#: Small data classes holding records: keyed on their fields, each record by its digest.
_HOLDERS = (Appearance,)


class TemplateReading(Protocol):
    """What the keys need to know of a template's source (site/render.py answers)."""

    def reads_site(self, name: str, sources: dict[str, str], seen: set[str]) -> bool: ...


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
    keyed_before: bool = False  # keys[0] was known before rendering (engine.keyed)


@dataclass(frozen=True)
class RecordDigest:
    """A record in a render key: the digest of its whole content (the same record gives
    the same digest in any run; no value a page is given can be one of these)."""

    digest: str


@dataclass(frozen=True)
class Reduced:
    """A sequence of records, or a holder of records, in a render key: its kind, and its
    parts with each record as its :class:`RecordDigest`."""

    kind: str
    parts: tuple[Any, ...]


class Keys:
    """Render keys of one environment (one publish): template sources, ``site`` use."""

    def __init__(self, env: Any, run: BuildContext | None, reading: TemplateReading) -> None:
        self.env = env
        self.run = run  # the build context: digests of records, the templates' memo
        self.reading = reading
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
        self._records: dict[int, tuple[Any, Any]] = {}  # id → (value, digest)

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
        """What stands for a page's argument in its key, a function of its value only.

        Records are digested once per run (a neighbour is seen by three pages, an
        episode by each of its people's pages): an episode record, and each one in a
        sequence of them or in an :class:`~podpub.site.people.Appearance`, is its
        :class:`RecordDigest`; any other data class its digest; any other value goes
        into the key as it is.
        """
        if isinstance(value, _RECORDS):
            return self._record(value)
        if isinstance(value, _HOLDERS):
            parts = tuple(self.value_digest(getattr(value, f.name)) for f in fields(value))
            return Reduced(type(value).__qualname__, parts)
        if isinstance(value, (tuple, list)) and any(
            isinstance(item, (_RECORDS, _HOLDERS)) for item in value
        ):
            return Reduced(type(value).__name__, tuple(self.value_digest(v) for v in value))
        if hasattr(value, "__dataclass_fields__"):
            known = self._records.get(id(value))
            if known is None or known[0] is not value:
                known = (value, digest_of(value))
                self._records[id(value)] = known
            return known[1]
        return value

    def _record(self, record: Any) -> RecordDigest:
        known = self._records.get(id(record))
        if known is None or known[0] is not record:
            run = self.run
            digest = run.record_digest(record) if run is not None else digest_of(record)
            known = (record, RecordDigest(digest))
            self._records[id(record)] = known
        return known[1]  # type: ignore[no-any-return]

    def remember(self, records: Sequence[Any]) -> None:
        """Digest ``records`` now, over the run's worker processes: the processes that
        stage the pages afterwards inherit the digests instead of each making its own.
        Records kept from the last run (plan.py's memo) come with their digest."""
        run = self.run
        known = run.known_digests(records) if run is not None else {}
        todo = list(
            {
                id(r): r for r in records if id(r) not in self._records and id(r) not in known
            }.values()
        )
        digests = run.map(digest_of, todo) if run is not None else [digest_of(r) for r in todo]
        for record, digest in zip(todo, digests, strict=True):
            known[id(record)] = digest
            if run is not None:
                run.record_digest(record, digest)
        for record in records:
            if id(record) in known:
                self._records[id(record)] = (record, RecordDigest(known[id(record)]))

    def reads_site(self, name: str) -> bool:
        """:meth:`uses_site`, True when that cannot be told (as :meth:`key` is None)."""
        try:
            return self.uses_site(name)
        except Exception:  # a template Jinja2 cannot analyse: render the page every time
            return True

    def uses_site(self, name: str) -> bool:
        """Whether a template, or one it extends, includes or shares, reads ``site``
        (remembered across runs for the same template sources: parsing them is slow)."""
        if name not in self._uses_site:
            run = self.run
            key = f"{self.fingerprint}:{name}"

            def reads(_: str) -> bool:
                return self.reading.reads_site(name, self.sources, set())

            self._uses_site[name] = run.memo(TEMPLATES, key, reads) if run else reads(key)
        return self._uses_site[name]


def instrument(env: Any, run: BuildContext | None, reading: TemplateReading) -> None:
    """Make ``env``'s templates consult the page the run is staging (see module doc).

    ``reading`` answers what a template's source uses (site/render.py, the one module
    that imports Jinja2); the memoizing template class extends ``env``'s own."""
    keys = Keys(env, run, reading)
    env.extend(podpub_keys=keys)

    class MemoTemplate(env.template_class):  # type: ignore[name-defined,misc]
        def render(self, *args: Any, **kwargs: Any) -> str:
            slot = run.page_slot if run is not None else None  # set by the run as it stages
            if slot is None or slot.depth:  # not a page being staged, or a nested render
                return super().render(*args, **kwargs)
            if slot.keyed_before:
                # Keyed before rendering (engine.keyed: episode and person pages), and
                # only that key is ever compared: a digest of the render's arguments
                # (its JSON-LD, transcript, records) would be one more key never read
                # (5 % of a cold publish's CPU, py-spy). Whether the template reads
                # ``site`` still decides whether the page may be kept at all.
                if keys.reads_site(self.name or ""):
                    slot.unkeyable = True
                return self._render_at_depth(slot, *args, **kwargs)
            key = keys.key(self.name or "", args, kwargs)
            if key is None:
                slot.unkeyable = True
            else:
                slot.keys.append(key)
                if slot.previous == (key,) and len(slot.keys) == 1:
                    raise Reuse(slot.rel)
            return self._render_at_depth(slot, *args, **kwargs)

        def _render_at_depth(self, slot: PageSlot, *args: Any, **kwargs: Any) -> str:
            slot.depth += 1  # the templates it renders in turn are not pages
            try:
                return super().render(*args, **kwargs)
            finally:
                slot.depth -= 1

    env.template_class = MemoTemplate


def remember_records(env: Any, records: Sequence[Any], templates: Sequence[str] = ()) -> None:
    """Digest the records the pages of ``env`` show, once, before the pages are staged
    (:meth:`Keys.remember`), and find whether each of the page ``templates`` reads
    ``site``: the worker processes that stage the pages inherit the answers rather than
    each parsing the templates again (38 ms a process for the default theme, measured).
    Nothing to do for an environment that is not instrumented."""
    keys = getattr(env, "podpub_keys", None)
    if isinstance(keys, Keys):
        keys.remember(records)
        for name in templates:
            keys.reads_site(name)
