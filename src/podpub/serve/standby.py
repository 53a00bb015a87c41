"""The preview's standby folder brought up to date while serve is idle.

A publish stages the new site in the standby (the site before the live one: see
write/output.py) and keeps its files that are still wanted. After serve's first build,
the standby is the site before it, read from disk: the next rebuild would check each of
its files and replace every one that differs from the live site (at 10,000 episodes,
40,000 files checked; 30,000 replaced after a build for another address, each an unlink
of the file's last link: a minute on a busy disk). Here, while the producer reads the
page, the standby is made the live site itself, in one of two ways:

* few of its files differ from the live site's (by their descriptions: serve started
  again for the same address): the standby is brought up to date in place, as a
  publish would (``Staging``: each file checked, the differing ones linked again);
* many differ, or the standby is not described apart from the live site (a copy of it
  being made, or a site for another address): a new folder of hard links to the live
  site's files (no data copied) takes its place, and the old one is removed in a
  detached process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from podpub.digests import stamp
from podpub.errors import PodpubError
from podpub.write.output import OutputState, Staging, Standby, output_state, publish_lock

# At most this many files differing between the standby and the live site are replaced
# in place: an unlink of a file's last link costs up to 2 ms on a busy disk.
IN_PLACE_AT_MOST = 500
ASIDE_MARK = "replaced-standby-"  # in .podpub/outputs/: a standby being removed


def bring_up_to_date(target: Path, show_dir: Path, live: Standby, standby: Any) -> Any:
    """Make the standby folder of output ``target`` hold the live site ``live``
    describes: its new description (``Standby``), or None if it could not (another
    publish into the folder holds its lock, a file cannot be written); the folder is
    then as described before, or gone (a rebuild then stages without it).

    ``standby`` (its description, None if none) is not trusted: it may be an older
    site read from disk, whose files a producer could have edited (hard links)."""
    try:
        state = output_state(target, show_dir)
        with publish_lock(state):
            _remove_left_aside(state)
            if standby is None or standby is live or _differing(live, standby) > IN_PLACE_AT_MOST:
                return _linked_anew(target, state, live)
            return _brought_up_to_date(target, state, live, standby)
    except (PodpubError, OSError):
        return None  # the next rebuild stages from the standby as it was described


def _differing(live: Standby, standby: Standby) -> int:
    """How many files the standby's description has otherwise than the live site's."""
    old = standby.files
    other = sum(
        1 for rel, (identity, _) in live.files.items() if old.get(rel, (None,))[0] != identity
    )
    return other + len(old.keys() - live.files.keys())


def _brought_up_to_date(target: Path, state: OutputState, live: Standby, standby: Any) -> Any:
    """The standby folder, taken into a staging folder, with each file of ``live``
    kept or linked from ``target``, then put back as the standby."""
    staging = Staging(target, state, standby)  # a discard removes in place: no fork (below)
    try:
        root = os.path.join(target, "")
        for rel, (identity, _stamp) in live.files.items():
            staging.link(rel, root + rel, identity)
        prepared = staging.finish()
    except BaseException:
        _put_back(staging.path, state)
        raise
    if not _become_standby(staging.path, state):
        staging.discard()  # the standby found in its place stays, as described
        return None
    return prepared


def _linked_anew(target: Path, state: OutputState, live: Standby) -> Any:
    """A new folder of hard links to each file of the live site, described as the live
    site is (the same files: the same stamps), put in the standby's place."""
    building = state.staging(f"standby-{os.getpid()}-{time.time_ns()}")
    try:
        folders = _link_all(target, building, live)
        dirs = {rel: stamp(os.path.join(building, rel)) for rel in folders}
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if not _become_standby(building, state):
        shutil.rmtree(building, ignore_errors=True)
        return None
    return Standby(dict(live.files), dirs)


def _link_all(target: Path, building: Path, live: Standby) -> set[str]:
    """Link each file of ``live`` from ``target`` into ``building``; the folders made
    ("" the root)."""
    source, dest = os.path.join(target, ""), os.path.join(building, "")
    link, made = os.link, {""}
    os.mkdir(building)
    for rel in live.files:
        parent = rel.rpartition("/")[0]
        if parent not in made:
            os.makedirs(dest + parent, exist_ok=True)
            while parent not in made:
                made.add(parent)
                parent = parent.rpartition("/")[0]
        link(source + rel, dest + rel, follow_symlinks=False)
    return made


def _put_back(folder: Path, state: OutputState) -> None:
    """A preparation cut short (Ctrl-C, a full disk): the folder is the standby again.
    Its files are then some as described, some linked from the live site: a rebuild
    checks each before keeping it (the description on disk is the one before)."""
    try:
        os.rename(folder, state.standby)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _become_standby(folder: Path, state: OutputState) -> bool:
    """Rename ``folder`` to the standby's name. A folder found there (the standby
    replaced, or a copy of the live site made in the background after the first
    build: write/output.py's ``copy_as_standby``) is moved aside and removed in a
    detached process (:func:`_removed_aside`)."""
    for _attempt in range(2):
        try:
            os.rename(folder, state.standby)
            return True
        except OSError:
            aside = state.root.parent / f"{ASIDE_MARK}{os.getpid()}-{time.time_ns()}"
            try:
                os.rename(state.standby, aside)
            except OSError:
                return False
            _removed_aside(aside)
    return False


def _removed_aside(folder: Path) -> None:
    """Remove a replaced standby in a process of its own, at a lower priority. Its
    files are the old site's (at 10,000 episodes, 30,000 unlinks of a file's last link
    after a build for another address: a minute on a busy disk): the next rebuild must
    not wait for them. So the folder is not put among the output's staging folders,
    which each publish removes first (write/output.py's ``_remove_stale_staging``), but
    beside the outputs' own folders, where nothing else looks; one a serve killed left
    is removed by the next (:func:`_remove_left_aside`).

    A new process, not a fork (write/background.py's ``remove_in_background``): a fork
    of serve would hold its listening socket until the removal ends, and serve started
    again on the same port would be refused it. That process forks the remover and
    leaves at once (a few milliseconds, waited for here): the remover is nobody's child
    in serve, which keeps no list of processes to reap and leaves no zombie."""
    try:
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", _REMOVE, os.fspath(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C at serve's terminal does not cut it short
            check=True,
            timeout=REMOVER_START_SECONDS,
        )
    except (OSError, subprocess.SubprocessError):
        shutil.rmtree(folder, ignore_errors=True)  # no process to do it: done here


# The remover's start: ``-I -S`` (no site packages, no environment) starts in ~10 ms; the
# first process forks the removal and exits, the second one removes at a lower priority.
_REMOVE = (
    "import os, shutil, sys\n"
    "if os.fork(): os._exit(0)\n"
    "os.nice(10)\n"
    "shutil.rmtree(sys.argv[1], ignore_errors=True)"
)
REMOVER_START_SECONDS = 10.0


def _remove_left_aside(state: OutputState) -> None:
    """Remove the replaced standbys another serve process left (killed before its
    detached removal was done, or still removing: a second removal does no harm)."""
    mine = f"{ASIDE_MARK}{os.getpid()}-"
    for folder in state.root.parent.glob(ASIDE_MARK + "*"):
        if not folder.name.startswith(mine):
            _removed_aside(folder)
