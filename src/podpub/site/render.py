"""The show-notes pages: one HTML page for the show, one per episode, and the theme's files.

This is the only module that imports Jinja2. Templates are looked up file by file: first
in the show's own template folders (``template_dirs``, in order), then in the default
theme shipped in ``podpub/site/theme/``; a show overrides one partial (``_footer.html``) by
putting a file of that name in its ``templates/`` folder, and can extend a default
template it overrides as ``theme/<name>`` (``{% extends "theme/base.html" %}``). Static
files come the same way from ``static/`` in those folders.

Every link between pages and to the show's files is relative (``../../audio/x.mp3``) and
names the ``index.html`` file, so the site works from any folder and from ``file://``.
Canonical links, Open Graph and JSON-LD use the absolute URLs of the records.

Autoescaping is on; the records' HTML fields (``*_html``, ``HeadlineView.html``) are
already sanitized and are the only values rendered ``|safe``. StrictUndefined makes a
typo in a template an error rather than an empty string.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from itertools import compress, repeat
from operator import ne
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    meta,
    nodes,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup, escape

from podpub.context import PEOPLE, BuildContext, or_no_cache
from podpub.errors import PodpubError, Problem
from podpub.media.thumbnails import cover_thumbnails
from podpub.resolve import transcripts
from podpub.resolve.records import (
    EpisodeRecord,
    PersonRef,
    ShowRecord,
    SiteRecord,
    TranscriptRecord,
)
from podpub.site import sitemap as sitefiles
from podpub.site.i18n import Translations, translations
from podpub.site.keys import Keys
from podpub.site.people import (
    Credited,
    PersonPage,
    credited_in,
    credits_ld,
    person_pages,
    person_path,
    profile_ld,
)

THEME_DIR = Path(__file__).with_name("theme")
SHOW_TEMPLATE = "index.html"
EPISODE_TEMPLATE = "episode.html"
PERSON_TEMPLATE = "person.html"
NOT_FOUND_TEMPLATE = "404.html"
REDIRECT_TEMPLATE = "redirect.html"
NOT_FOUND_LATEST = 5  # the latest episodes the 404 page lists
ASSETS_DIR = "assets"  # where the theme's static files go in the output folder
DESCRIPTION_MAX = 200  # characters of a meta description
_WEB_SCHEMES = frozenset({"http", "https", "mailto"})
CREDITED_VERSION = "v2"  # of people.Credited as the cache keeps it
EPISODE_KEYS = "episode-pages"  # the episode pages' keys: run.changed_since_last's name


def render_pages(
    site: SiteRecord,
    template_dirs: Sequence[Path],
    cache_dir: Path | None = None,
    run: BuildContext | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(path inside the output folder, content)`` for every page and site file.

    ``index.html`` first (and ``page/2/index.html``… when the episodes fill more than one
    page), then ``episodes/<slug>/index.html`` for each episode (newest first), then
    ``people/<id>/index.html`` for each person credited (and ``people/<id>/page/2/
    index.html``… when their episodes fill more than one page), then ``404.html``,
    ``sitemap.xml``, ``robots.txt``, the cover's thumbnails and the static files
    (``assets/style.css``, ``assets/player.js``). One page is rendered at a time: a
    show of 10,000 episodes never holds its pages in memory. ``cache_dir`` (the show's
    ``.podpub/``) keeps the thumbnails between runs; ``run`` is the build context whose
    cache knows which pages did not change.
    """
    for rel, render in page_renders(site, template_dirs, cache_dir, run=run):
        yield rel, render()


def page_renders(
    site: SiteRecord,
    template_dirs: Sequence[Path],
    cache_dir: Path | None = None,
    redirects: Mapping[str, str] | None = None,
    run: BuildContext | None = None,
) -> list[tuple[str, Callable[[], bytes]]]:
    """What :func:`render_pages` yields, in its order, as ``(path, function that renders
    it)``: the renderer is set up once, here; each page can then be rendered on its own,
    in any process (publish shares them out over its worker processes, engine.py).
    ``redirects``: old page folder → new (write/redirects.py): a redirect page is
    rendered at each old folder; the sitemap lists only the new ones."""
    renderer = PageRenderer(site, template_dirs, cache_dir, run)
    episodes = renderer.episode_renders()  # first: a warm build's plans come with them
    renders = renderer.show_renders()
    renders += episodes
    renders += renderer.person_renders()  # people/<id>/index.html, …/page/<n>/index.html
    renders += [
        (f"{old}index.html", renderer.redirect_render(old, new))
        for old, new in (redirects or {}).items()
    ]
    renders.append(("404.html", renderer.not_found_render()))
    people = [page.url for page in renderer.person_pages]
    files = sitefiles.site_files(site, renderer.show_page_urls() + people, run)
    renders += [(rel, partial(bytes, data)) for rel, data in files]
    renders += [(thumb.path, partial(bytes, thumb.data)) for thumb in renderer.thumbnails]
    renders += [
        (f"{ASSETS_DIR}/{name}", path.read_bytes) for name, path in renderer.static_files.items()
    ]
    return renders


def _reuses(run: BuildContext) -> bool:
    """Whether ``run`` may reuse the previous output's pages (then pages are keyed)."""
    return run.out is not None


def show_page_path(number: int) -> str:
    """``index.html`` for the first page of episodes, ``page/<n>/index.html`` after it."""
    return "index.html" if number == 1 else f"page/{number}/index.html"


def _episode_page_at(renderer: list[PageRenderer], index: int) -> bytes:
    """The page of the episode at ``index``, rendered by ``renderer[0]`` (a warm build's
    plan keeps a page's render from one rebuild to the next: it renders with the last
    renderer, not the one of the rebuild that made it, which it would keep alive)."""
    return renderer[0].episode_page(index)


def _show_page_at(renderer: list[PageRenderer], number: int) -> bytes:
    """Show page ``number``, rendered by ``renderer[0]`` (see :func:`_episode_page_at`)."""
    return renderer[0].show_page(number)


def _person_page_at(renderer: list[PageRenderer], page: PersonPage) -> bytes:
    """A person's page, rendered by ``renderer[0]`` (see :func:`_episode_page_at`)."""
    return renderer[0].person_page(page)


@dataclass(frozen=True)
class _Transcripts:
    """The transcript files whose stamps are in the keys of a plan's episode pages: the
    show's files' stamps the run took (``known``), the files among them (by path in the
    show), and the places of the pages with a file the run does not stamp (keyed anew
    every time)."""

    known: Mapping[str, Any]
    files: frozenset[str]
    always: frozenset[int]

    def changed_since(self, known: Mapping[str, Any], told: Collection[str] | None) -> bool:
        """Whether one of the files has another stamp in ``known`` (this run's) than it
        had: among the files ``told`` of (a warm build's saves since, ShowCache.told_since),
        else the show's files compared in C, by value."""
        if known is self.known:
            return False
        if told is not None:
            last = self.known
            return any(
                known.get(rel, _GONE) != last.get(rel, _GONE) for rel in told if rel in self.files
            )
        if len(known) != len(self.known):
            return True  # a file came or went: all keyed anew (rare)
        keys = known.keys()
        stamps_then = map(self.known.get, keys, repeat(_GONE))
        changed = set(compress(keys, map(ne, known.values(), stamps_then)))
        return not changed.isdisjoint(self.files)

    def merged(self, read: _Transcripts, known: Mapping[str, Any]) -> _Transcripts:
        """These files and ``read``'s, against ``known`` (this run's stamps): a file no
        page shows any more stays (it only makes a save of it key the pages anew)."""
        return _Transcripts(known, self.files | read.files, self.always | read.always)


_GONE = object()  # a file not stamped by the last run: told apart from any stamp


@dataclass
class _EpisodePagesPlan:
    """The episode pages' renders a warm build keeps for its next rebuild (engine.py's
    ``keep_plan``): each page's path and keyed render, the places of the episodes with
    transcripts (keyed anew every time), the holder of the renderer they use, and the
    person pages' plan (made of the same episode digests)."""

    renders: list[tuple[str, Callable[[], bytes]]]
    transcribed: set[int]
    renderer: list[PageRenderer]
    transcripts: _Transcripts
    people: _PersonPagesPlan | None = None
    shows: list[tuple[str, Callable[[], bytes]]] | None = None  # the show pages'

    def ready(self) -> None:
        """Make what the next rebuild asks of this plan first (the person pages listing
        each episode), now that this one has answered (engine.py's ``save_manifest``):
        not in the producer's first save."""
        if self.people is not None:
            self.people.by_episode  # noqa: B018 - a cached property, made here


@dataclass(frozen=True)
class _PersonPagesPlan:
    """The person pages and their renders a warm build keeps for its next rebuild: with
    who is credited where (people.Credited) they were made of, and the places of the
    pages listing each episode (by the episode's place in the site)."""

    credits: Credited | None
    per_page: int
    pages: list[PersonPage]
    renders: list[tuple[str, Callable[[], bytes]]]
    renderer: list[PageRenderer]

    @cached_property
    def by_episode(self) -> dict[int, list[int]]:
        """The places of the pages listing each episode, by the episode's place: made
        when a warm rebuild first asks (every run makes a plan; a command-line run
        keeps none, and would go over every person page's listing for nothing)."""
        found: dict[int, list[int]] = {}
        for place, page in enumerate(self.pages):
            for index, _roles in page.listed:
                found.setdefault(index, []).append(place)
        return found

    def same_credits(self, renderer: PageRenderer) -> bool:
        """Whether ``renderer``'s credits are those the pages were made of: the same
        tables (people.credited_in keeps them when an edit changed no one's credits),
        the same count of appearances a page."""
        now, then = renderer._credits, self.credits
        return (
            now is not None
            and then is not None
            and renderer.per_page == self.per_page
            and now.people is then.people
            and now.positions is then.positions
            and now.held_roles is then.held_roles
            and now.roles is then.roles
        )


class PageRenderer:
    """The Jinja environment of one site, built once; renders its pages one by one."""

    def __init__(
        self,
        site: SiteRecord,
        template_dirs: Sequence[Path],
        cache_dir: Path | None = None,
        run: BuildContext | None = None,
    ):
        self.site = site
        self.run = or_no_cache(run)  # the build context: its cache keys the pages
        self.show = site.show
        per_page = max(1, site.show.episodes_per_page)
        self.per_page = per_page
        self.page_count = max(1, math.ceil(len(site.episodes) / per_page))
        self.thumbnails = cover_thumbnails(site.show.image_source, cache_dir, ASSETS_DIR)
        self.t: Translations = translations(site.show.language)
        self.env = make_environment(template_dirs, self.t, self.run)
        # with a run that may reuse the last output: what every page's key is made of
        reading = _TemplateReading(self.env)
        self.keys = Keys(self.env, self.run, reading) if _reuses(self.run) else None
        self.static_files = find_static_files(template_dirs)
        self.assets = {  # cache-busting names: a new style.css is never served stale
            name: f"{ASSETS_DIR}/{quote(name)}?v={_digest(path)}"
            for name, path in self.static_files.items()
        }
        self.show_template = self.env.get_template(SHOW_TEMPLATE)
        self.episode_template = self.env.get_template(EPISODE_TEMPLATE)
        self.person_template = self.env.get_template(PERSON_TEMPLATE)
        self.series_ld = _series_ld(self.show)
        self.feed_href = _feed_href(self.show)
        self.common: dict[str, Any] = {
            "site": site,
            "show": self.show,
            "t": self.t.messages,
            "lang": self.show.language,
            "dir": "rtl" if self.t.locale.character_order == "right-to-left" else "ltr",
            "og_locale": self.t.og_locale(),
            "assets": self.assets,
            "feed_href": self.feed_href,
            "cover_path": urlpath(self.show.image_path),
            # the cover as the pages show it: a small file for the header and the icon,
            # a srcset for the show page; the full cover when there are no thumbnails
            "cover_icon": self.thumbnails[0].path if self.thumbnails else None,
            "cover_thumbs": self.thumbnails,
            "page_count": self.page_count,
            "canonical": None,
            "jsonld": None,
            "noindex": False,
        }
        shared_cache: dict[tuple[str, str], Markup] = {}

        @pass_context
        def shared(context: Context, name: str) -> Markup:
            """A partial that depends on the site, not the page: rendered once per ``root``."""
            key = (name, context["root"])
            html = shared_cache.get(key)
            if html is None:
                template = self.env.get_template(name)
                html = Markup(template.render(self.common, root=key[1]))
                shared_cache[key] = html
            return html

        self.env.globals["shared"] = shared
        self._key_base: tuple[str, str] | None = None
        # each episode's digest, in the order of site.episodes: what stands for it in the
        # keys of the pages that show it (made once per run, before the workers fork)
        self._episode_digests: list[str] = []
        if self.keys is not None:
            self._episode_digests = list(self.keys.remember(site.episodes))
            self._key_base = (self.keys.fingerprint, self.keys.common_digest(self.common))
        self._credits = self._credited()
        self._person_pages: list[PersonPage] | None = None  # made when asked (person_pages)
        # a warm build's: the changed episodes' places (_stale_episode_pages), the plan
        # kept this run (episode_renders) and the person pages' of the last rebuild
        self._changed: set[int] | None = None
        self._pages_plan: _EpisodePagesPlan | None = None
        self._people_plan: _PersonPagesPlan | None = None
        self._last_pages_plan: _EpisodePagesPlan | None = None

    @property
    def person_pages(self) -> list[PersonPage]:
        """The pages of everyone credited (people.py), made on first use: a warm
        rebuild that changed nobody's credits takes the last rebuild's list instead."""
        if self._person_pages is None:
            self._person_pages = person_pages(self.site, self.per_page, self._credits)
        return self._person_pages

    def _credited(self) -> Credited | None:
        """Who is credited where: with a run that keys the pages, the last run's answer
        brought up to date (people.py), and kept for the next run; else None (made by
        :func:`person_pages` from every episode)."""
        if self.keys is None:
            return None
        stage = self.run.cache.stage(PEOPLE)
        last = stage.get(PEOPLE, CREDITED_VERSION)
        previous = last if isinstance(last, Credited) else None
        found = credited_in(self.site, self._episode_digests, previous)
        if found is not previous:
            stage.put(PEOPLE, CREDITED_VERSION, found)
        return found

    def _keyed(self, template: str, render: Callable[[], bytes], *parts: Any) -> Any:
        """``render`` with its key, known before it renders (site/keys.py): the template
        set, the site-wide values and ``parts``, what the page is declared to be rendered
        from, each episode record as its digest. A page whose template reads ``site`` has
        none (rendered every time); without a run that may reuse the output, neither."""
        keys = self.keys
        if keys is None or keys.reads_site(template):
            return render
        return self.run.keyed(render, template, self._key_base, *parts, digested=True)

    def _digests(self, start: int, stop: int) -> tuple[str, ...]:
        """The digests of ``site.episodes[start:stop]``, for a page's key."""
        return tuple(self._episode_digests[max(0, start) : stop])

    def show_renders(self) -> list[tuple[str, Callable[[], bytes]]]:
        """Each show page's path and render, keyed as :meth:`show_render` keys one.

        A warm rebuild (after :meth:`episode_renders`, which found the last rebuild's
        plan) takes the last rebuild's renders and keys again only the pages listing a
        changed episode: not 500 keys of 20 digests each at 10,000 episodes."""
        numbers = range(1, self.page_count + 1)
        plan, changed, kept = self._last_pages_plan, self._changed, self._pages_plan
        if plan is not None and plan.shows and changed is not None and kept is not None:
            renders = list(plan.shows)
            for number in sorted({index // self.per_page + 1 for index in changed}):
                render = self.show_render(number, plan.renderer)
                renders[number - 1] = (show_page_path(number), render)
        else:
            holder = kept.renderer if kept is not None else None
            renders = [(show_page_path(n), self.show_render(n, holder)) for n in numbers]
        if kept is not None:
            kept.shows = list(renders)
        return renders

    def show_render(
        self, number: int, renderer: list[PageRenderer] | None = None
    ) -> Callable[[], bytes]:
        """Show page ``number``, keyed on its number, the count of pages and of episodes
        and the episodes it lists: a new title re-renders the one page that lists it.
        ``renderer``: the holder of the renderer it renders with (a warm build's plan)."""
        if renderer is None:
            render: Callable[[], bytes] = partial(self.show_page, number)
        else:
            render = partial(_show_page_at, renderer, number)
        if self.keys is None:
            return render
        first = (number - 1) * self.per_page
        listed = self._digests(first, first + self.per_page)
        counts = (number, self.page_count, len(self.site.episodes))
        return self._keyed(SHOW_TEMPLATE, render, "show", counts, listed)

    def not_found_render(self) -> Callable[[], bytes]:
        """``404.html``, keyed on the latest episodes it lists."""
        if self.keys is None:
            return self.not_found_page
        latest = self._digests(0, NOT_FOUND_LATEST)
        return self._keyed(NOT_FOUND_TEMPLATE, self.not_found_page, "404", latest)

    def redirect_render(self, old: str, new: str) -> Callable[[], bytes]:
        """The redirect page at ``old``, keyed on where it is and where it sends to."""
        render = partial(self.redirect_page, old, new)
        return self._keyed(REDIRECT_TEMPLATE, render, "redirect", old, new)

    def show_page_urls(self) -> list[str]:
        """Canonical URLs of the show's pages: ``url``, ``url/page/2/``…"""
        pages = range(1, self.page_count + 1)
        return [self.show.url + show_page_path(n).removesuffix("index.html") for n in pages]

    def show_page(self, number: int = 1) -> bytes:
        """Page ``number`` of the show: the newest episodes on the first, older ones after."""
        show = self.show
        data = {
            "@context": "https://schema.org",
            **self.series_ld,
            "description": show.description_text,
            "image": show.image_url,
            "inLanguage": show.language,
            "author": _author_ld(show),
        }
        if show.hosts:
            data["actor"] = [_person_ld(person) for person in show.hosts]
        first = (number - 1) * self.per_page
        return self.show_template.render(
            self.common,
            page="show",
            date_style="long",
            root="../../" if number > 1 else "",
            canonical=self.show_page_urls()[number - 1],
            episode=None,
            jsonld=json_ld(data),
            page_number=number,
            episode_count=len(self.site.episodes),  # not ``site``: the page's key (keys.py)
            page_episodes=self.site.episodes[first : first + self.per_page],
            page_links=page_links(number, self.page_count),
            pages_dir="",  # _pagination.html: the pages are index.html, page/<n>/index.html
        ).encode("utf-8")

    def not_found_page(self) -> bytes:
        """``404.html``: served by the web server at any missing address, so its links
        are absolute paths from the site's root (``/podcast/...``), not relative ones."""
        root = urlsplit(self.show.url).path or "/"
        return (
            self.env.get_template(NOT_FOUND_TEMPLATE)
            .render(
                self.common,
                page="not-found",
                date_style="long",
                root=root,
                episode=None,
                noindex=True,
                latest=self.site.episodes[:NOT_FOUND_LATEST],
            )
            .encode("utf-8")
        )

    def redirect_page(self, old: str, new: str) -> bytes:
        """The page left at a moved page's old folder ``old``: it sends the browser on to
        ``new`` (meta refresh; a link for those who do not follow it) and tells search
        engines where the page now is (``rel=canonical``) and not to index this one."""
        root = "../" * old.count("/")
        return (
            self.env.get_template(REDIRECT_TEMPLATE)
            .render(
                self.common,
                page="redirect",
                root=root,
                canonical=self.show.url + new,
                target=root + urlpath(new),
                episode=None,
                noindex=True,
            )
            .encode("utf-8")
        )

    def episode_page(self, index: int) -> bytes:
        episodes = self.site.episodes
        episode = episodes[index]
        root = "../" * episode.page_path.count("/")
        shown = transcripts.best(episode.transcripts, self.show.language)
        cues = self._transcript_cues(shown) if shown else []
        return self.episode_template.render(
            self.common,
            page="episode",
            date_style="full",
            root=root,
            canonical=episode.page_url,
            episode=episode,
            newer=episodes[index - 1] if index > 0 else None,
            older=episodes[index + 1] if index + 1 < len(episodes) else None,
            audio_href=self.audio_href(episode, root),
            episode_image=_episode_image_href(episode, root),
            jsonld=json_ld(self.episode_ld(episode)),
            transcript=shown,
            transcript_turns=transcripts.turns(cues),
            transcript_timed=transcripts.is_timed(cues),
        ).encode("utf-8")

    def audio_href(self, episode: EpisodeRecord, root: str) -> str:
        """The player's and download link's address: the enclosure URL when the site holds
        no copy (media_url serves the audio) or when it goes through an analytics prefix
        (plays on the site count too), and for remote audio; else the site's own copy."""
        remote = episode.audio_source is None  # played where it is hosted
        if remote or self.show.media_url is not None or self.show.analytics is not None:
            return episode.enclosure_url
        return root + urlpath(episode.audio_path)

    def episode_render(self, index: int) -> Callable[[], bytes]:
        """The render of an episode page, keyed (with a cache) on everything it shows: its
        record and its neighbours' (their titles are its previous/next links) and the
        stamps of its transcript files (their text is on the page). An unchanged page is
        then not even prepared (its JSON-LD, its transcript read and parsed): at 10,000
        episodes that is most of a rebuild."""
        render = partial(self.episode_page, index)
        if self.keys is None:
            return render
        episodes = self.site.episodes
        neighbours = self._digests(index - 1, index + 2)
        # as the run stamped them at its start (the records were checked against the same)
        stamp_of = self.run.cache.stamp
        transcript_stamps = tuple([stamp_of(t.source) for t in episodes[index].transcripts])
        # the page, its neighbours and where it sits among them (first, last, between)
        where = (index > 0, index + 1 < len(episodes))
        return self._keyed(
            EPISODE_TEMPLATE, render, "episode", where, neighbours, transcript_stamps
        )

    def episode_renders(self) -> list[tuple[str, Callable[[], bytes]]]:
        """Each episode page's path and render, keyed as :meth:`episode_render` keys
        one: written out in one loop, since an edit of one episode asks for the 10,000
        keys of the pages it does not change (no call per page but the key's own, and
        a transcript's stamp only for an episode that has one)."""
        episodes = self.site.episodes
        page = self.episode_page
        keys = self.keys
        if keys is None or keys.reads_site(EPISODE_TEMPLATE):
            return [(episode.page_path, partial(page, i)) for i, episode in enumerate(episodes)]
        run = self.run
        base = self._key_base
        stamp_of = run.cache.stamp
        last = len(episodes) - 1
        stale = self._stale_episode_pages(base)
        plan = run.plan_as_last(EPISODE_KEYS) if stale is not None else None
        if isinstance(plan, _EpisodePagesPlan) and stale is not None:
            self._people_plan, self._last_pages_plan = plan.people, plan
            return self._episode_renders_as_planned(plan, stale)
        holder = [self]  # the renderer the pages render with (a warm build's plan: the last)
        paths = [episode.page_path for episode in episodes]
        pages = list(map(partial, repeat(_episode_page_at), repeat(holder), range(len(episodes))))
        transcribed = {index for index, episode in enumerate(episodes) if episode.transcripts}
        if stale is None:
            renders = [
                (path, self._episode_key(index, render, stamp_of, last))
                for index, (path, render) in enumerate(zip(paths, pages, strict=True))
            ]
        else:
            # Every page keyed as the last publish keyed it, in one call
            # (renders_as_last): made of the same base, neighbours and place; then those
            # that may differ (a changed episode and its neighbours, a page showing
            # transcripts, whose stamps are in its key, or one the last publish made no
            # key for) keyed anew.
            found = run.renders_as_last(paths, pages)
            renders = list(zip(paths, found, strict=True))  # type: ignore[arg-type]
            anew = {index for index in stale if 0 <= index <= last} | transcribed
            if None in found:
                anew.update(index for index, kept in enumerate(found) if kept is None)
            for index in sorted(anew):
                render = self._episode_key(index, pages[index], stamp_of, last)
                renders[index] = (paths[index], render)
        read = self._transcripts_read(transcribed)
        self._pages_plan = _EpisodePagesPlan(list(renders), transcribed, holder, read)
        run.keep_plan(EPISODE_KEYS, self._pages_plan)
        return renders

    def _episode_renders_as_planned(
        self, plan: _EpisodePagesPlan, stale: set[int]
    ) -> list[tuple[str, Callable[[], bytes]]]:
        """The episode pages of a warm build's last rebuild (its plan, kept whole: one
        list copy), with those that may differ keyed anew: the changed episodes and their
        neighbours, and the pages showing transcripts (their stamps are in the key)."""
        episodes = self.site.episodes
        last = len(episodes) - 1
        plan.renderer[0] = self  # its pages render with this site from now on
        stamp_of = self.run.cache.stamp
        stale = {index for index in stale if 0 <= index <= last}
        transcribed = plan.transcribed - stale
        transcribed.update(index for index in stale if episodes[index].transcripts)
        read = self._transcripts_read(stale & transcribed)
        known = self.run.cache.known
        told = self.run.cache.told_since(plan.transcripts.known)
        if plan.transcripts.changed_since(known, told):  # a transcript saved: all keyed anew
            anew = stale | transcribed
        else:  # those the run stamps itself (not among the show's files), and the changed
            anew = stale | plan.transcripts.always
        renders = list(plan.renders)
        for index in sorted(anew):
            render = partial(_episode_page_at, plan.renderer, index)
            keyed = self._episode_key(index, render, stamp_of, last)
            renders[index] = (episodes[index].page_path, keyed)
        kept = plan.transcripts.merged(read, known)
        self._pages_plan = _EpisodePagesPlan(list(renders), transcribed, plan.renderer, kept)
        self.run.keep_plan(EPISODE_KEYS, self._pages_plan)
        return renders

    def _transcripts_read(self, places: Iterable[int]) -> _Transcripts:
        """The transcript files of the episodes at ``places`` (their stamps are in their
        pages' keys), by path in the show as the run stamped them; an episode one of
        whose files the run did not stamp (outside the show) among ``always``."""
        cache = self.run.cache
        roots = {
            os.path.join(str(cache.show_dir), ""),
            os.path.join(str(cache.show_dir.resolve()), ""),
        }
        known, episodes = cache.known, self.site.episodes
        files: set[str] = set()
        always: set[int] = set()
        for index in places:
            for transcript in episodes[index].transcripts:
                text = str(transcript.source)
                rel = next((text[len(root) :] for root in roots if text.startswith(root)), None)
                if rel is not None and rel in known:
                    files.add(rel)
                else:
                    always.add(index)
        return _Transcripts(known, frozenset(files), frozenset(always))

    def _episode_key(
        self, index: int, render: Callable[[], bytes], stamp_of: Callable[[Any], Any], last: int
    ) -> Callable[[], bytes]:
        """The page of episode ``index`` keyed on its digest and its neighbours', its
        place (first, last, between) and its transcripts' stamps."""
        shown = self.site.episodes[index].transcripts
        stamps = tuple([stamp_of(t.source) for t in shown]) if shown else ()
        where = (index > 0, index < last)
        neighbours = tuple(self._episode_digests[max(0, index - 1) : index + 2])
        return self.run.keyed(
            render,
            *(EPISODE_TEMPLATE, self._key_base, "episode", where, neighbours, stamps),
            digested=True,
        )

    def _stale_episode_pages(self, base: Any) -> set[int] | None:
        """The places of the episode pages whose key may differ from the one the last
        publish made of the same page: each episode whose digest changed, and its
        neighbours (their previous/next links show it); None: every page's (another
        template set or site-wide values, another count of episodes, no last publish).
        The key of a page with transcripts is always made (their stamps are in it)."""
        base_text = repr(base)  # the template set's fingerprint, the common values' digest
        changed = self.run.changed_since_last(EPISODE_KEYS, base_text, self._episode_digests)
        if changed is None:
            return None
        self._changed = changed
        return {place for index in changed for place in (index - 1, index, index + 1)}

    def person_renders(self) -> list[tuple[str, Callable[[], bytes]]]:
        """Each person page's path and render, keyed as :meth:`person_render` keys one.

        A warm rebuild whose edit left everyone's credits as they were takes the last
        rebuild's pages and renders (one list copy) and keys again only the pages that
        list a changed episode: not 889 keys, each of 20 digests, at 10,000 episodes."""
        if self.keys is None:
            return [(page.path, self.person_render(page)) for page in self.person_pages]
        plan, changed = self._people_plan, self._changed
        if plan is not None and changed is not None and plan.same_credits(self):
            plan.renderer[0] = self  # its pages render with this site from now on
            self._person_pages = plan.pages
            renders = list(plan.renders)
            reached = {place for index in changed for place in plan.by_episode.get(index, ())}
            for place in sorted(reached):
                page = plan.pages[place]
                renders[place] = (page.path, self.person_render(page, plan.renderer))
            kept = replace(plan, credits=self._credits, renders=list(renders))
            kept.__dict__["by_episode"] = plan.by_episode  # the same pages: the same places
        else:
            holder = [self]
            pages = self.person_pages
            renders = [(page.path, self.person_render(page, holder)) for page in pages]
            kept = _PersonPagesPlan(
                self._credits, self.per_page, list(pages), list(renders), holder
            )
        if self._pages_plan is not None:  # kept with the episode pages' (their values)
            self._pages_plan.people = kept
        return renders

    def person_render(
        self, page: PersonPage, renderer: list[PageRenderer] | None = None
    ) -> Callable[[], bytes]:
        """The render of a person's page, keyed (with a cache) on the person, the page's
        place among theirs, the counts and roles of its header and the episodes it
        lists (their records, which hold the person's roles in each). ``renderer``: the
        holder of the renderer it renders with (a warm build's plan), else this one."""
        if renderer is None:
            render: Callable[[], bytes] = partial(self.person_page, page)
        else:
            render = partial(_person_page_at, renderer, page)
        if self.keys is None:
            return render
        place = (page.person, page.number, page.page_count, page.path, page.url)
        header = (page.appearance_count, page.roles)
        digests = self._episode_digests
        # each episode as its digest: its record holds the person's roles in it
        listed = tuple([digests[index] for index, _ in page.listed])
        return self._keyed(PERSON_TEMPLATE, render, "person", place, header, listed)

    def person_page(self, page: PersonPage) -> bytes:
        """Page ``page.number`` of a person's: who they are (on the first), and the
        episodes of that page with their roles in each, newest first.

        Given only the page's appearances and the counts, never the person's whole list:
        its render key (keys.py) changes only when an episode it lists does.
        """
        return self.person_template.render(
            self.common,
            page="person",
            date_style="long",
            root="../" * page.path.count("/"),
            canonical=page.url,
            episode=None,
            person=page.person,
            person_roles=page.roles,
            appearance_count=page.appearance_count,
            page_appearances=page.appearances(self.site.episodes),
            page_number=page.number,
            page_count=page.page_count,
            page_links=page_links(page.number, page.page_count),
            pages_dir=page.folder,
            jsonld=json_ld(profile_ld(page)) if page.number == 1 else None,
        ).encode("utf-8")

    def _transcript_cues(self, shown: TranscriptRecord) -> list[transcripts.Cue]:
        try:
            return transcripts.read_file(shown.source, shown.mime)
        except transcripts.TranscriptError as exc:  # changed since the plan stage read it
            raise PodpubError(
                [Problem(str(shown.source), None, None, "transcripts", str(exc))]
            ) from None

    def episode_ld(self, episode: EpisodeRecord) -> dict[str, Any]:
        """schema.org PodcastEpisode (feed-rules §8.1): what search engines read."""
        duration = iso_duration(episode.audio.duration)
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "PodcastEpisode",
            "@id": episode.page_url + "#episode",
            "url": episode.page_url,
            "name": episode.title,
            "description": episode.summary_text,
            "datePublished": episode.published.isoformat(),
            "duration": duration,
        }
        if episode.number is not None:
            data["episodeNumber"] = episode.number
        if episode.season is not None:
            data["partOfSeason"] = {
                "@type": "PodcastSeason",
                "seasonNumber": episode.season,
                "partOfSeries": {"@id": self.series_ld["@id"]},
            }
        data["partOfSeries"] = self.series_ld
        data["image"] = episode.image_url or self.show.image_url
        data["author"] = _author_ld(self.show)
        data.update(credits_ld(episode))  # actor, producer, … contributor (people.py)
        data["associatedMedia"] = {
            "@type": "AudioObject",
            "contentUrl": episode.enclosure_url,
            "encodingFormat": episode.audio.mime,
            "contentSize": str(episode.audio.size),
            "duration": duration,
        }
        data["inLanguage"] = self.show.language
        return data


def _episode_image_href(episode: EpisodeRecord, root: str) -> str | None:
    """The page's address of the episode's own artwork: the site's copy beside the page
    (relative, so file:// and previews show it too), or its https URL; None: it has none."""
    if episode.image_path:
        return root + urlpath(episode.image_path)
    return episode.image_url


def make_environment(
    template_dirs: Sequence[Path], t: Translations, run: BuildContext | None = None
) -> Environment:
    """The Jinja environment: show folders first, then the default theme; strict; escaped.

    With a run that uses its cache, templates are compiled once and kept (Jinja2's
    bytecode cache, checked against each source)."""
    search = [str(folder) for folder in template_dirs] + [str(THEME_DIR)]
    env = Environment(
        loader=_InliningLoader(
            [
                FileSystemLoader(search),
                PrefixLoader({THEME_PREFIX: FileSystemLoader(str(THEME_DIR))}),
            ]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates are read once per publish
    )
    env.template_class = _TextEscapingTemplate
    context = or_no_cache(run)
    if context.cache is not None and context.cache_options.enabled:  # None: nothing kept
        _keep_bytecode(env, context.cache.folder / "templates")

    escaped = {key: str(escape(text)) for key, text in t.messages.items()}

    def tr(key: str, /, **values: Any) -> Markup:
        """A message with ``{name}`` placeholders; values are escaped unless they are Markup.

        (Plain replacement rather than ``str.format``: five times faster, and a value
        containing braces cannot be taken for a placeholder.)
        """
        text = escaped[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", _escaped(value))
        return Markup(text)

    def plural(key: str, count: int, /, **values: Any) -> Markup:
        return Markup(escape(t.plural(key, count, **values)))

    def names(people: Sequence[PersonRef]) -> Markup:
        """« Barbara Gouy, Emma Larbi et Titouan Allain », linked where a person has a URL."""
        return joined([_person_html(person) for person in people])

    def credit_names(people: Sequence[PersonRef], root: str) -> Markup:
        """The same list, each name linked to the person's page on this site."""
        return joined([_person_page_html(person, root) for person in people])

    def joined(rendered: list[str]) -> Markup:
        """HTML pieces joined as the language joins a list (« A, B et C »)."""
        tokens = [f"\x00{i}\x00" for i in range(len(rendered))]
        text = _escaped(t.join(tokens))
        for token, html in zip(tokens, rendered, strict=True):
            text = text.replace(token, html)
        return Markup(text)

    env.globals.update(tr=tr, plural=plural)
    env.filters.update(
        date=t.date,
        duration=t.duration,
        filesize=t.filesize,
        names=names,
        credit_names=credit_names,
        clock=clock,
        seconds=fragment_seconds,
        iso_duration=iso_duration,
        offset=offset_duration,
        urlpath=urlpath,
        weblink=weblink,
        hostname=hostname,
        excerpt=excerpt,
        transcript_format=lambda mime: transcripts.FORMAT_NAMES.get(mime, mime),
    )
    return env


try:  # markupsafe's escaping of a str, without the Markup that escape() wraps it in
    from markupsafe import _escape_inner as _escape_text
except ImportError:  # a markupsafe without it: its public escape, as text

    def _escape_text(s: str, /) -> str:
        return str(escape(s))


def _escaped(value: Any) -> str:
    """What ``{{ value }}`` writes with autoescape on: ``markupsafe.escape(value)``, as
    text. Jinja2 calls ``escape`` for every value a page writes out (150 on an episode
    page), and the Markup it returns, made in Python, costs four times the escaping
    itself: where a value is written out (a yield, or the pieces of a ``{% set %}``
    block, joined and then marked safe) only its text is ever read."""
    if type(value) is str:
        return _escape_text(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_text(str(value))


class _TextEscapingTemplate(Template):
    """A compiled template whose values are written out by :func:`_escaped` (the same
    text as Jinja2's ``escape``): the compiled module's ``escape`` is used for written
    values only (jinja2/compiler.py, ``_output_child_pre``)."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: Any,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = _escaped
        return template


THEME_PREFIX = "theme"  # a show's template extends "theme/episode.html" to reach the theme's

# An ``{% include "_x.html" %}`` as the default theme writes it, with what Jinja2's
# lstrip_blocks and trim_blocks remove around it: the spaces before it on its line, the
# line end after it.
_INCLUDE = re.compile(r'(?m)(?:^[ \t]*)?\{% include "(_[a-z0-9_]+\.html)" %\}\n?')
# A partial's opening comment, and the white space its ``-#}`` removes.
_OPENING_COMMENT = re.compile(r"\A\{#-.*?-#\}\s*", re.S)
# What a partial cannot hold to be written in place: tags whose meaning depends on
# the template they stand in, white-space control that would reach into the page.
_NOT_INLINE = re.compile(r"\{%-?\s*(?:extends|block|macro|import|from|call)\b|\A(?:\{[%{#]-|\s)")


class _InliningLoader(ChoiceLoader):
    """The loader of the environment: a show's folders, then the default theme.

    The default theme's page templates are given with each partial the show does not
    replace written in place of its ``{% include %}``: an include costs a template
    lookup and a copy of the page's context (10 µs; a person page includes
    _episode_meta.html for each of its 100 episodes: two thirds of its time, and a
    ninth of an episode page's), where the same text in place costs nothing. The pages
    are the same bytes: the partial's text is what the include rendered, in the same
    context, without its opening comment and with what lstrip_blocks and trim_blocks
    took around the include tag; a partial the show replaces stays an include, and a
    show's own templates are given as written.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        if filename is None or not _in_theme(filename) or Path(filename).name.startswith("_"):
            return source, filename, uptodate
        return _INCLUDE.sub(lambda m: self._inline(environment, m), source), filename, uptodate

    def load(
        self,
        environment: Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """The template ``name``, compiled from :meth:`get_source` (ChoiceLoader's own
        ``load`` asks its loaders for theirs, and would never see the partials in place);
        named as ChoiceLoader names it (``theme/x.html`` is ``x.html``)."""
        found = self.get_source(environment, name)
        filename = found[1]
        if filename is not None and _in_theme(filename):  # the PrefixLoader's, or by name
            name = name.removeprefix(f"{THEME_PREFIX}/")
        return _Found(found).load(environment, name, globals)

    def _inline(self, environment: Environment, include: re.Match[str]) -> str:
        """The theme's partial in place of ``include``; the include as it was when the
        show replaces the partial or the partial cannot stand in place."""
        try:
            source, filename, _ = super().get_source(environment, include.group(1))
        except TemplateNotFound:
            return include.group(0)
        body = _OPENING_COMMENT.sub("", source, count=1)
        if filename is None or not _in_theme(filename) or _NOT_INLINE.search(body):
            return include.group(0)
        return body


class _Found(BaseLoader):
    """A loader of one source already found: Jinja2's own ``load`` (the bytecode cache,
    the compilation) for what :class:`_InliningLoader` found."""

    def __init__(self, found: tuple[str, str | None, Callable[[], bool] | None]) -> None:
        self.found = found

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.found


def _in_theme(filename: str) -> bool:
    return os.path.dirname(os.path.normpath(filename)) == _THEME_FOLDER


_THEME_FOLDER = os.path.normpath(THEME_DIR.absolute())


def page_links(current: int, count: int, around: int = 2) -> list[int | None]:
    """Page numbers to link from page ``current``: the first, the last, the ``around``
    pages on each side, and None where numbers are left out (an ellipsis).

    200 pages of episodes get ``1 … 48 49 [50] 51 52 … 200``, not 200 links.
    """
    shown = {1, count, *range(current - around, current + around + 1)}
    links: list[int | None] = []
    previous = 0
    for number in sorted(n for n in shown if 1 <= n <= count):
        if number - previous > 1:
            links.append(None)
        links.append(number)
        previous = number
    return links


def find_static_files(template_dirs: Sequence[Path]) -> dict[str, Path]:
    """Name → file: the theme's ``static/`` files, each overridable by a show's ``static/``."""
    found: dict[str, Path] = {}
    for folder in [THEME_DIR / "static", *(Path(d) / "static" for d in reversed(template_dirs))]:
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    found[path.name] = path
    return dict(sorted(found.items()))


# --- values the templates format -------------------------------------------------------


def urlpath(path: str) -> str:
    """A path inside the output folder as a URL path: ``audio/été 1.mp3`` → ``audio/%C3%A9t…``."""
    return quote(path, safe="/")


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration in whole seconds: 81.2 → ``PT1M21S``, 0 → ``PT0S``.

    Rounded with ``round`` as ``<itunes:duration>`` is (feedext), so the JSON-LD duration
    and the feed's always agree (feed-rules §8.1 checker).
    """
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs or text == "PT":
        text += f"{secs}S"
    return text


def offset_duration(seconds: float) -> str:
    """A chapter start as an HTML ``<time datetime>`` duration: 12.5 → ``PT12.5S``."""
    return f"PT{fragment_seconds(seconds)}S"


def clock(seconds: float) -> str:
    """A chapter start as players show it: 12.5 → ``0:12``, 3725 → ``1:02:05``."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fragment_seconds(seconds: float) -> str:
    """The value of a ``#t=`` media fragment: 83.0 → ``83``, 12.5 → ``12.5``."""
    if not math.isfinite(seconds) or seconds <= 0:
        return "0"
    if seconds == int(seconds):
        return str(int(seconds))
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def weblink(url: str | None) -> str | None:
    """The URL if it is a web (or mail) link, else None: no ``javascript:`` in an href."""
    if url and urlsplit(url).scheme.lower() in _WEB_SCHEMES:
        return url
    return None


def hostname(url: str) -> str:
    """``https://www.example.org/a/b`` → ``example.org``: a source link's visible text."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def excerpt(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """Plain text cut at a word boundary for a meta description."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.—-") + "…"


def json_ld(data: Any) -> Markup:
    """JSON safe inside ``<script type="application/ld+json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c`` … so a title containing ``</script>`` or
    ``<!--`` cannot end the script element; JSON parsers read the same text.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES:
        text = text.replace(char, escaped)
    return Markup(text)


_JSON_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


# --- helpers ---------------------------------------------------------------------------


def _person_html(person: PersonRef) -> str:
    url = weblink(person.url)
    if url:
        return f'<a href="{_escaped(url)}">{_escaped(person.name)}</a>'
    return _escaped(person.name)


def _person_page_html(person: PersonRef, root: str) -> str:
    href = root + urlpath(person_path(person))
    return f'<a href="{_escaped(href)}">{_escaped(person.name)}</a>'


def _person_ld(person: PersonRef) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": person.name}
    if weblink(person.url):
        data["url"] = person.url
    return data


def _author_ld(show: ShowRecord) -> dict[str, Any]:
    host_names = {person.name for person in show.hosts}
    kind = "Person" if show.author in host_names else "Organization"
    return {"@type": kind, "name": show.author}


def _series_ld(show: ShowRecord) -> dict[str, Any]:
    return {
        "@type": "PodcastSeries",
        "@id": show.url + "#series",
        "name": show.title,
        "url": show.url,
        "webFeed": show.feed_url,
    }


def _feed_href(show: ShowRecord) -> str:
    """The feed's path inside the output folder, from its URL (``feed.xml`` by default)."""
    if show.feed_url.startswith(show.url) and len(show.feed_url) > len(show.url):
        return show.feed_url[len(show.url) :]  # already a URL: percent-encoded
    return "feed.xml"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


class _BytecodeCache(FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError):  # a full disk: compiled next time too
            super().dump_bytecode(bucket)


def _keep_bytecode(env: Environment, folder: Path) -> None:
    """Keep the compiled templates in ``folder`` (the run's cache) between runs."""
    with contextlib.suppress(OSError):  # a read-only show folder: compile each time
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = _BytecodeCache(str(folder))


class _TemplateReading:
    """What site/keys.py asks of Jinja2 about the templates' sources (it imports none)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        # What each source says by itself, source → (it reads ``site``, the templates
        # it names), None if it does not parse (its own name plays no part). Every page
        # template reaches base.html and a dozen partials: each is parsed once, not once
        # per page template that reaches it (episode, person, index and 404 pages: 67 ms
        # before, 38 ms after, in each process that renders pages; measured).
        self._own: dict[str, tuple[bool, list[str | None]] | None] = {}

    def reads_site(self, name: str, sources: dict[str, str], seen: set[str]) -> bool:
        """Whether template ``name``, or one it extends, includes or shares, uses the
        variable ``site`` (a source that cannot be read or parsed: assume it does)."""
        if name in seen:
            return False
        seen.add(name)
        source = sources.get(name)
        if source is None:
            return True  # not listed: assume the worst
        own = self._own_reading(source)
        if own is None:
            return True
        reads, referenced = own
        if reads:
            return True
        return any(other is None or self.reads_site(other, sources, seen) for other in referenced)

    def _own_reading(self, source: str) -> tuple[bool, list[str | None]] | None:
        """Whether ``source`` itself reads ``site``, and the templates it names."""
        if source in self._own:
            return self._own[source]
        try:
            ast = self.env.parse(source)
        except Exception:
            self._own[source] = None
            return None
        if "site" in meta.find_undeclared_variables(ast):  # may raise: not kept, as before
            self._own[source] = (True, [])
            return self._own[source]
        referenced: list[str | None] = list(meta.find_referenced_templates(ast))
        referenced += _shared_names(ast)
        self._own[source] = (False, referenced)
        return self._own[source]


def _shared_names(ast: Any) -> list[str | None]:
    """The partials a template renders with ``shared("name")`` (None: a computed name)."""
    found: list[str | None] = []
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "shared":
            first = call.args[0] if call.args else None
            found.append(first.value if isinstance(first, nodes.Const) else None)
    return found
