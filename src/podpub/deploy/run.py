"""podpub deploy: put the published site online, and media_url's media where it serves them.

settings        show.yaml's deploy: and media_url, --to overriding deploy.to
plans           every destination listed and compared first: an error stops the
                deploy before anything is uploaded
uploads         the media destination's, then the site's (media, assets, pages,
                and the feed last)
deletions       only once the new feed is online, and never a file the ledger lists
manifests       last, so an interrupted deploy only leaves files to compare again
after_deploy    the remote check of the new files and the notifications (hooks.py):
                their faults are warnings, never a failed deploy
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from podpub.deploy.files import LocalFile, Setting, local_files, site_files
from podpub.deploy.folder import FolderTarget
from podpub.deploy.hooks import Aftermath, Deployed, after_deploy
from podpub.deploy.manifest import (
    MANIFEST_NAME,
    Owned,
    Plan,
    Remote,
    ledger_paths,
    parse_manifest,
    plan,
    render_manifest,
)
from podpub.deploy.preview import refuse_preview
from podpub.errors import PodpubError, Problem
from podpub.input.load import Document, load_file
from podpub.input.models import Deploy, Show
from podpub.input.paths import missing_show_file
from podpub.input.validate import validate
from podpub.resolve.optional_tags import media_files
from podpub.resolve.records import SiteRecord
from podpub.resolve.resolver import PlanOptions, resolve
from podpub.write.ledger import read_ledger
from podpub.write.publish import CACHE_DIR, DEFAULT_OUT, build_time

SHOW_FILE = "show.yaml"
# The CLI's closing line when a deploy stops after it began to upload (never "nothing
# was written": files are online).
NOTHING_UPLOADED = "nothing was uploaded"
STOPPED_PART_WAY = (
    "some files were uploaded, but the feed online is still the previous one: fix the "
    "cause and run podpub deploy again"
)
FINISHED_PART_WAY = (
    "the new feed is online, but old files were not all cleaned up: fix the cause and "
    "run podpub deploy again"
)


class Target(Protocol):
    name: str

    def open(self, dry_run: bool) -> None: ...
    def read_manifest(self) -> bytes | None: ...
    def listing(self, rels: set[str]) -> dict[str, Remote]: ...
    def sha256(self, rel: str) -> str | None: ...
    def put(self, file: LocalFile) -> None: ...
    def delete(self, rel: str) -> None: ...
    def write_manifest(self, data: bytes) -> None: ...


@dataclass(frozen=True)
class DeployOptions:
    to: str | None = None  # --to: overrides deploy.to
    out: Path | None = None  # the published folder (default: SHOW_DIR/public)
    dry_run: bool = False


@dataclass(frozen=True)
class Step:
    """One destination and what the deploy does there."""

    role: str  # "media" or "site"
    target: Target
    plan: Plan
    previous: dict[str, Owned] | None  # the manifest found there

    @property
    def changes(self) -> bool:
        """Whether the deploy changes anything there (else not even the manifest)."""
        plan = self.plan
        return bool(plan.uploads or plan.deletions) or plan.owned != self.previous


@dataclass(frozen=True)
class DeployResult:
    steps: tuple[Step, ...]
    notes: tuple[str, ...]  # what the producer should know (media not uploaded …)
    after: Aftermath | None = None  # the remote check and the pings (not on --dry-run)

    def uploaded(self, role: str) -> tuple[str, ...]:
        """The paths uploaded to the ``role`` destination, in order."""
        return tuple(f.rel for s in self.steps if s.role == role for f in s.plan.uploads)


def deploy(
    show_dir: Path,
    options: DeployOptions,
    site: SiteRecord | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> DeployResult:
    """Upload what changed to the site's (and the media's) destination; PodpubError with
    a located, one-line problem for anything that stops it."""
    try:
        result, show, site = _plan(show_dir, options, site)
    except PodpubError as exc:
        raise PodpubError(exc.problems, NOTHING_UPLOADED) from None
    if options.dry_run:
        return result
    run_steps(result.steps, report)
    site_step = result.steps[-1]
    deployed = Deployed(
        show,
        site,
        site_step.target.name,
        isinstance(site_step.target, FolderTarget),
        result.uploaded("site"),
        result.uploaded("media"),
    )
    return replace(result, after=after_deploy(show_dir, deployed))


def _plan(
    show_dir: Path, options: DeployOptions, site: SiteRecord | None
) -> tuple[DeployResult, Show, SiteRecord | None]:
    """Every destination opened and compared with what is to upload; nothing uploaded."""
    doc, show = load_settings(show_dir)
    out = options.out or show_dir / DEFAULT_OUT
    notes: list[str] = []
    destinations: list[tuple[str, Target, dict[str, Path]]] = []
    site_target = open_target(site_destination(doc, show, options), show_dir, show, out)
    if show.deploy.media is not None:
        if show.media_url is None:
            raise PodpubError([_media_without_url(doc)])
        where = setting_at(doc, ("deploy", "media"))
        media_target = open_target((show.deploy.media, where), show_dir, show, out)
        if media_target.name == site_target.name:
            raise where.error(
                f"is the site's destination too ({site_target.name})",
                "give the media their own place (s3://BUCKET/media), or remove media_url and "
                "deploy.media: the site then carries the audio",
            )
        site = site or resolve(show_dir, PlanOptions(now=build_time()))
        destinations.append(("media", media_target, media_files(site)))
    elif show.media_url is not None:
        notes.append(
            f"media_url ({show.media_url}) serves the audio: it was not uploaded (set "
            "deploy.media in show.yaml to have podpub deploy put it there)"
        )
    destinations.append(("site", site_target, site_files(out)))
    ledger = refuse_preview(out, read_ledger(show_dir))
    protected = ledger_paths(entry.enclosure for entry in ledger.episodes.values())
    # Every destination compared first: an error stops the deploy before any upload.
    steps = tuple(
        _step(role, target, files, show_dir, options.dry_run, protected)
        for role, target, files in destinations
    )
    return DeployResult(steps, tuple(notes)), show, site


def _step(
    role: str,
    target: Target,
    files: dict[str, Path],
    show_dir: Path,
    dry_run: bool,
    protected: Callable[[str], bool],
) -> Step:
    """What the deploy will do at one destination, from its manifest and its listing."""
    target.open(dry_run)
    local = local_files(files, show_dir / CACHE_DIR / f"deploy-{role}-digests.json")
    owned = parse_manifest(target.read_manifest())
    remote = target.listing({f.rel for f in local} | set(owned or ()))
    return Step(role, target, plan(local, owned, remote, target.sha256, protected), owned)


def run_steps(steps: tuple[Step, ...], report: Callable[[str], None]) -> None:
    """Uploads in order (media destination first, the site's feed last); then deletions,
    the site's last feed being online; then the manifests."""
    done = 0
    try:
        for step in steps:
            for file in step.plan.uploads:
                report(f"  put {_display(step, file.rel)}")
                step.target.put(file)
                done += 1
    except PodpubError as exc:
        if not done:
            raise PodpubError(exc.problems, NOTHING_UPLOADED) from None
        stopped = Problem(
            "",
            None,
            None,
            "",
            f"the deploy stopped after {done} of {sum(len(s.plan.uploads) for s in steps)} "
            "uploads; the feed online is still the previous one (it goes last)",
            "fix the cause and run podpub deploy again: it uploads only what is missing",
        )
        raise PodpubError([*exc.problems, stopped], STOPPED_PART_WAY) from None
    try:
        _finish(steps, report)
    except PodpubError as exc:
        raise PodpubError(exc.problems, FINISHED_PART_WAY) from None


def _finish(steps: tuple[Step, ...], report: Callable[[str], None]) -> None:
    for step in reversed(steps):  # the site's pages stop linking first, then the media go
        for rel in step.plan.deletions:
            report(f"  delete {_display(step, rel)}")
            step.target.delete(rel)
    for step in steps:
        if not step.changes:  # a deploy of an unchanged site sends nothing at all
            continue
        owned = dict(step.plan.owned)
        uploaded = {file.rel: file for file in step.plan.uploads}
        remote = step.target.listing(set(uploaded))  # the new stamps, one listing
        for rel, file in uploaded.items():
            there = remote.get(rel)
            owned[rel] = Owned(file.size, file.sha256, there.stamp if there else None)
        step.target.write_manifest(render_manifest(owned))


def _display(step: Step, rel: str) -> str:
    return f"{step.target.name.rstrip('/')}/{rel}"


def load_settings(show_dir: Path) -> tuple[Document, Show]:
    path = show_dir / SHOW_FILE
    if not path.is_file():
        hint = "run podpub in the show folder, or give the folder: podpub deploy SHOW_DIR"
        raise PodpubError([missing_show_file(show_dir, hint)])
    doc = load_file(path, SHOW_FILE)
    show, problems = validate(doc, Show)
    if show is None or any(p.level == "error" for p in problems):
        raise PodpubError(problems)
    return doc, show


def site_destination(doc: Document, show: Show, options: DeployOptions) -> tuple[str, Setting]:
    """The site's destination and where it was given (for messages)."""
    if options.to is not None:
        given = Setting("", None, None, "--to")
        try:  # the same rules as deploy.to in show.yaml
            Deploy(to=options.to)
        except ValidationError as exc:
            raise given.error(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
        if options.to.startswith("s3://"):
            return options.to, given
        # A folder on the command line is the shell's: relative to the current folder
        # (deploy.to in show.yaml is relative to the show folder).
        return str(Path(options.to).expanduser().absolute()), given
    if show.deploy.to is None:
        raise Setting(SHOW_FILE, None, None, "deploy.to").error(
            "podpub deploy needs a destination",
            "give --to DEST (a folder or s3://BUCKET/PREFIX), or set it in show.yaml: "
            "deploy: {to: s3://BUCKET/PREFIX}",
        )
    return show.deploy.to, setting_at(doc, ("deploy", "to"))


def setting_at(doc: Document, path: tuple[str, ...]) -> Setting:
    mark = doc.locate(path)
    return Setting(doc.file, mark.line, mark.column, ".".join(path))


def open_target(destination: tuple[str, Setting], show_dir: Path, show: Show, out: Path) -> Target:
    url, setting = destination
    if url.startswith("s3://"):
        try:  # boto3 only for S3 deploys: an optional extra
            from podpub.deploy.s3 import S3Settings, S3Target
        except ImportError:
            raise setting.error(
                "deploying to S3 needs boto3, which is not installed",
                "pip install 'podpub[s3]'",
            ) from None

        settings = S3Settings(show.deploy.endpoint_url, show.deploy.region, show.deploy.profile)
        return S3Target(url, settings, setting)
    folder = Path(os.path.normpath((show_dir / Path(url).expanduser()).absolute()))
    _refuse_overlap(folder, show_dir, out, setting)
    return FolderTarget(folder, setting)


def _refuse_overlap(folder: Path, show_dir: Path, out: Path, setting: Setting) -> None:
    """A destination that is the show folder or the published folder, or holds or sits
    in the published folder, would have the deploy write over its own input."""
    real, real_out = folder.resolve(), out.resolve()
    if real == show_dir.resolve() or real.is_relative_to(real_out) or real_out.is_relative_to(real):
        raise setting.error(
            f"{folder} is the show folder or overlaps the published folder {out}",
            "deploy to another folder (a mounted volume, a gh-pages worktree)",
        )


def _media_without_url(doc: Document) -> Problem:
    return doc.problem(
        ("deploy", "media"),
        "is set but media_url is not: the feed and pages link the audio inside the site, "
        "which is uploaded with it",
        "set media_url to the address that serves deploy.media, or remove deploy.media",
    )


__all__ = ["MANIFEST_NAME", "DeployOptions", "DeployResult", "deploy"]
