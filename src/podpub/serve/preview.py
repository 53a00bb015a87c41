"""Build the show into its private preview folder, again after each change.

The preview is the published site built for ``http://127.0.0.1:PORT/`` into
``.podpub/preview/site/`` inside the show: never ``public/``, never ``published.lock``
(a ``--base-url`` build compares nothing with the ledger and records nothing). It goes
through the same cached publish as ``podpub publish`` (build/runner.py), so a rebuild
after one edit redoes only what the edit reaches.

:meth:`PreviewBuilder.rebuild` is the in-process API: rebuild after these paths changed,
and say which output files changed. The core reports what it wrote, not what differs, so
the answer compares the preview's files before and after by content digest (a file whose
size, time and inode are unchanged keeps its digest without being read again).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from podpub.build.runner import PublishRun
from podpub.build.store import CacheOptions
from podpub.errors import PodpubError, Problem
from podpub.resolve.records import SiteRecord
from podpub.write.publish import CACHE_DIR, PublishOptions, publish

PREVIEW_DIR = "preview"  # inside the show's .podpub/
SITE_DIR = "site"

Stamp = tuple[int, int, int]  # size, mtime_ns, inode
Digests = dict[str, tuple[Stamp, str]]  # output path → (stamp, content digest)


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
    _digests: Digests = field(default_factory=dict, init=False)
    _marks: dict[str, str] | None = field(default=None, init=False)
    _title: str = field(default="", init=False)
    _episodes: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.show_dir = self.show_dir.resolve()
        self.out = preview_folder(self.show_dir)

    def rebuild(self, paths: Iterable[Path | str] = ()) -> Outcome:
        """Rebuild after ``paths`` changed (none: the first build); never raises a
        PodpubError: a refused build is an Outcome with its located problems, and the
        previous preview stays as it was."""
        del paths  # the cache compares every input's stamp itself (build/uptodate.py)
        started = time.perf_counter()
        options = PublishOptions(
            out=self.out, base_url=self.site_url, drafts=self.drafts, future=self.future
        )
        run = PublishRun(
            self.show_dir,
            str(self.out),
            {"base_url": self.site_url, "drafts": self.drafts, "future": self.future},
            CacheOptions(),
            jobs=self.jobs,
            quiet=True,
            started=started,
        )
        if self._marks is not None and run.unchanged() is not None:
            return self._outcome(started, changed=())  # a save that changed nothing
        try:
            result = publish(self.show_dir, options, run=run.engine)
        except PodpubError as exc:
            run.failed()
            return Outcome(
                False, problems=tuple(exc.problems), seconds=time.perf_counter() - started
            )
        finally:
            run.progress.close()
        run.finish(result, lambda *args, **kwargs: None, [])
        self._marks = marks(result.site, run.engine.drafts)
        self._title, self._episodes = result.site.show.title, len(result.site.episodes)
        return self._outcome(started, self._changed(), tuple(result.findings))

    def _outcome(
        self, started: float, changed: tuple[str, ...], problems: tuple[Problem, ...] = ()
    ) -> Outcome:
        return Outcome(
            True,
            changed,
            problems,
            time.perf_counter() - started,
            self._episodes,
            self._title,
            dict(self._marks or {}),
        )

    def _changed(self) -> tuple[str, ...]:
        """The output files whose content differs from the last build's (or that came or
        went), and remember the new digests."""
        now = output_digests(self.out, self._digests)
        before = self._digests
        changed = {rel for rel, (_, digest) in now.items() if before.get(rel, (0, ""))[1] != digest}
        changed |= before.keys() - now.keys()
        self._digests = now
        return tuple(sorted(changed))


def output_digests(folder: Path, known: Digests) -> Digests:
    """Every file under ``folder`` → its stamp and content digest; a file whose stamp is
    in ``known`` unchanged is not read again (the publish links unchanged files)."""
    found: Digests = {}
    root = os.fspath(folder)
    for current, dirs, files in os.walk(root):
        dirs.sort()
        rel_dir = os.path.relpath(current, root)
        for name in files:
            path = os.path.join(current, name)
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            try:
                st = os.stat(path)
            except OSError:
                continue
            stamp: Stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
            old = known.get(rel)
            if old is not None and old[0] == stamp:
                found[rel] = old
                continue
            found[rel] = (stamp, _file_digest(path))
    return found


def _file_digest(path: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def marks(site: SiteRecord, drafts: set[str]) -> dict[str, str]:
    """The label of each draft or scheduled episode shown in the preview, by the URL path
    of its page ("/episodes/x/"): a listener never sees these, the producer must."""
    found: dict[str, str] = {}
    root = "/" + site.show.url.split("://", 1)[-1].partition("/")[2]
    for episode in site.episodes:
        if episode.source in drafts:
            label = "Draft"
        elif episode.published > site.build_time:
            label = f"Scheduled for {episode.published:%Y-%m-%d %H:%M %Z}".strip()
        else:
            continue
        found[root + episode.page_path.removesuffix("index.html")] = label
    return found
