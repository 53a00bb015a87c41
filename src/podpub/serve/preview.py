"""Build the show into its private preview folder, again after each change.

The preview is the published site built for ``http://127.0.0.1:PORT/`` into
``.podpub/preview/site/`` inside the show: never ``public/``, never ``published.lock``
(a ``--base-url`` build compares nothing with the ledger and records nothing). It goes
through the same cached publish as ``podpub publish`` (build/runner.py), so a rebuild
after one edit redoes only what the edit reaches.

:meth:`PreviewBuilder.rebuild` is the in-process API: rebuild after these paths changed,
and say which output files changed. It runs on one warm build context
(build/rebuild.py's :class:`WarmBuild`), kept for the whole serve: the cache stays read,
only the saved paths are stamped again, and the files that changed are those whose
identity (their bytes' digest) differs between the core's descriptions of the old and
the new site, without walking the preview folder.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, count
from operator import attrgetter
from pathlib import Path

from podpub.build.engine import Engine
from podpub.build.rebuild import WarmBuild
from podpub.errors import Problem
from podpub.resolve.records import EpisodeRecord, SiteRecord
from podpub.serve.standby import bring_up_to_date
from podpub.write.linked import standby_is_live
from podpub.write.output import output_state
from podpub.write.publish import CACHE_DIR, PublishOptions, PublishResult, publish

PREVIEW_DIR = "preview"  # inside the show's .podpub/
SITE_DIR = "site"


@dataclass(frozen=True)
class Outcome:
    """One build of the preview: what it changed, or why it was refused."""

    ok: bool
    changed: tuple[str, ...] = ()  # output paths added, changed or removed (sorted)
    problems: tuple[Problem, ...] = ()  # the errors that refused it, or the warnings
    seconds: float = 0.0
    episodes: int = 0
    title: str = ""
    marks: dict[str, str] = field(default_factory=dict)  # page URL path → "Draft", …
    built: bool = True  # False: no input had changed since the last build, none was made
    inputs: tuple[str, ...] = ()  # rebuilt told no paths: the show's files found changed


def preview_folder(show_dir: Path) -> Path:
    """``SHOW/.podpub/preview/site``: podpub's own state folder, git-ignored with it."""
    return show_dir / CACHE_DIR / PREVIEW_DIR / SITE_DIR


@dataclass
class PreviewBuilder:
    """Builds one show for one preview address; keeps what the last build looked like."""

    show_dir: Path
    site_url: str  # "http://127.0.0.1:PORT/"
    drafts: bool = False
    future: bool = False
    jobs: int | None = None
    out: Path = field(init=False)
    _warm: WarmBuild = field(init=False)
    _marks: dict[str, str] = field(default_factory=dict, init=False)
    _title: str = field(default="", init=False)
    _episodes: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.show_dir = self.show_dir.resolve()
        self.out = preview_folder(self.show_dir)
        options = PublishOptions(
            out=self.out, base_url=self.site_url, drafts=self.drafts, future=self.future
        )
        params = {"base_url": self.site_url, "drafts": self.drafts, "future": self.future}
        pipeline = partial(_publish, self.show_dir, options)
        self._warm = WarmBuild(self.show_dir, self.out, params, pipeline, self.jobs)

    def rebuild(self, paths: Iterable[Path | str] = ()) -> Outcome:
        """Rebuild after ``paths`` changed (none: not known, every input is stamped
        again); never raises a PodpubError: a refused build is an Outcome with its
        located problems, and the previous preview stays as it was."""
        rebuilt = self._warm.rebuild(paths)
        if not rebuilt.ok:
            return Outcome(
                False, problems=rebuilt.problems, seconds=rebuilt.seconds, inputs=rebuilt.inputs
            )
        findings: tuple[Problem, ...] = ()
        if rebuilt.result is not None:  # built (else nothing changed since the last)
            site = rebuilt.result.site
            # without --drafts no draft is among the site's episodes (the resolve
            # leaves them out): none is looked for among 10,000
            self._marks = marks(site, self._warm.drafts if self.drafts else set())
            self._title, self._episodes = site.show.title, len(site.episodes)
            findings = tuple(rebuilt.result.findings)
        return Outcome(
            True,
            rebuilt.changes.paths,
            findings,
            rebuilt.seconds,
            self._episodes,
            self._title,
            dict(self._marks),
            built=rebuilt.result is not None,
            inputs=rebuilt.inputs,
        )

    def prepare_standby(self) -> bool:
        """Bring the preview's standby folder up to date with the live preview, if the
        next rebuild could not trust it (after the first build: ``WarmBuild.prepare_standby``);
        whether it did. Serve calls it while idle: the first save is then as quick as
        the next ones."""
        prepare = partial(bring_up_to_date, self._warm.out, self.show_dir)
        if self._warm.prepare_standby(prepare) is None:
            return False
        standby_is_live(output_state(self._warm.out, self.show_dir))
        return True

    def flush(self) -> None:
        """Save what the last rebuild leaves for the next one (``WarmBuild.flush``):
        after the browser is told to reload, not before."""
        self._warm.flush()


def _publish(show_dir: Path, options: PublishOptions, engine: Engine) -> PublishResult:
    return publish(show_dir, options, run=engine)


def marks(site: SiteRecord, drafts: set[str]) -> dict[str, str]:
    """The label of each draft or scheduled episode shown in the preview, by the URL path
    of its page ("/episodes/x/"): a listener never sees these, the producer must."""
    found: dict[str, str] = {}
    root = "/" + site.show.url.split("://", 1)[-1].partition("/")[2]
    for episode in _marked(site, drafts):
        if episode.source in drafts:
            label = "Draft"
        elif episode.published > site.build_time:
            label = f"Scheduled for {episode.published:%Y-%m-%d %H:%M %Z}".strip()
        else:
            continue
        found[root + episode.page_path.removesuffix("index.html")] = label
    return found


def _marked(site: SiteRecord, drafts: set[str]) -> Iterable[EpisodeRecord]:
    """The episodes that may be marked, in site order: the scheduled ones are the newest
    (the site lists its episodes newest first: found by a bisection, not a look at each
    of 10,000 at every rebuild), and those whose descriptor is a draft (looked for only
    when there are drafts; they are among the site's episodes with ``--drafts`` only)."""
    episodes, now = site.episodes, site.build_time
    due = bisect.bisect_left(episodes, True, key=lambda e: not e.published > now)
    if not drafts:
        return episodes[:due]
    sources = map(drafts.__contains__, map(attrgetter("source"), episodes))
    places = sorted({*range(due), *compress(count(), sources)})
    return [episodes[place] for place in places]
