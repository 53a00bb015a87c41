"""The output folder is replaced whole or not at all: full disks, crashes, SIGKILL, two
publishes at once, dangerous folders, files the producer keeps, reproducible bytes."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.feed.readback import is_rfc2822
from podpub.write.ledger import LEDGER_FILE
from podpub.write.publish import PublishOptions, publish
from podpub.write.safety import verify_staged

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, REPO, write_show
from hostile import run_jobs

EPOCH = str(int(NOW.timestamp()))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _strays(folder: Path) -> list[str]:
    """Staging folders, old sites and temporary ledgers a run may leave behind."""
    names = [p.name for p in folder.iterdir()]
    names += [p.name for p in folder.glob(".podpub/outputs/*/*") if p.name != "standby"]
    names += [p.name for p in folder.parent.iterdir() if p.name.startswith(".")]
    return [n for n in names if ".staging-" in n or ".old-" in n or ".published.lock.tmp" in n]


def _episodes(count: int, title: str = "Episode") -> dict[str, str]:
    audio = ["tone.mp3", "tone.m4a", "tone.ogg", "tone.opus", "tone.flac"]
    episodes = {}
    for i in range(count):
        # Each its own audio path (enclosure URLs must differ): links to the fixtures.
        text = MINIMAL_EPISODE.replace("First episode", f"{title} {i}")
        ext = audio[i % len(audio)]
        text = text.replace("audio/tone.mp3", f"audio/ep{i}-{ext}")
        episodes[f"ep{i:02d}.yaml"] = text.replace(
            "date: 2023-06-02", f"date: 2023-06-{1 + i % 28:02d}"
        )
    return episodes


def _show_with(tmp_path: Path, count: int, name: str = "show") -> Path:
    show_dir = write_show(tmp_path / name, _episodes(count))
    for i in range(count):
        ext = ["tone.mp3", "tone.m4a", "tone.ogg", "tone.opus", "tone.flac"][i % 5]
        shutil.copy(show_dir / "audio" / ext, show_dir / "audio" / f"ep{i}-{ext}")
    return show_dir


def _add_episode(show_dir: Path) -> None:
    text = MINIMAL_EPISODE.replace("First episode", "A new one").replace(
        "audio/tone.mp3", "audio/new.mp3"
    )
    shutil.copy(show_dir / "audio" / "tone.mp3", show_dir / "audio" / "new.mp3")
    (show_dir / "episodes" / "zz-new.yaml").write_text(text, encoding="utf-8")


# --- a full disk ---------------------------------------------------------------------


@pytest.mark.parametrize("when", ["staging-the-ledger", "writing-after-the-feed"])
def test_a_full_disk_is_a_clean_message_and_the_previous_site_stays(tmp_path: Path, when: str):
    """RLIMIT_FSIZE makes every write past a size fail with EFBIG, as a full disk would
    with ENOSPC (SIGXFSZ is ignored, so the write raises OSError)."""
    show_dir = _show_with(tmp_path, 3)
    publish(show_dir, PublishOptions(now=NOW))
    before, ledger = _snapshot(show_dir / "public"), (show_dir / LEDGER_FILE).read_bytes()
    _add_episode(show_dir)
    if when == "staging-the-ledger":
        limit = 600  # the new ledger is about 1.5 kB: it fails before the site is staged
    else:  # one byte more than the new feed: the feed is staged, a larger file then fails
        twin = tmp_path / "twin"
        shutil.copytree(show_dir, twin, symlinks=True)
        limit = (
            len(publish(twin, PublishOptions(now=NOW)).out.joinpath("feed.xml").read_bytes()) + 1
        )
    [result] = run_jobs(
        [{"argv": ["publish", str(show_dir)], "limits": {"RLIMIT_FSIZE": limit}}],
    )
    assert result["exit"] == 1, result
    lines = result["stderr"].splitlines()
    assert lines[0].startswith("published.lock: cannot be written: File too large" if when ==
                               "staging-the-ledger" else "cannot write "), lines  # fmt: skip
    assert "File too large" in lines[0] and "feed.xml" not in lines[0]
    assert "Traceback" not in result["stderr"]
    assert lines[-1] == "podpub: 1 problem; nothing was written."
    assert _snapshot(show_dir / "public") == before
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger
    assert _strays(show_dir) == []


# --- a crash while writing -----------------------------------------------------------


def test_an_exception_between_feed_and_pages_leaves_the_previous_site(tmp_path: Path):
    """feed.xml is staged first; a show template that fails stops the run during pages."""
    show_dir = _show_with(tmp_path, 2)
    publish(show_dir, PublishOptions(now=NOW))
    before, ledger = _snapshot(show_dir / "public"), (show_dir / LEDGER_FILE).read_bytes()
    _add_episode(show_dir)
    (show_dir / "templates").mkdir()
    (show_dir / "templates" / "_footer.html").write_text("{{ no_such_thing.at_all }}")
    with pytest.raises(Exception):  # noqa: B017 (a template error or its PodpubError)
        publish(show_dir, PublishOptions(now=NOW))
    assert _snapshot(show_dir / "public") == before
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger
    assert _strays(show_dir) == []


def test_sigkill_at_random_points_leaves_the_old_site_or_the_new_one(tmp_path: Path):
    """A publishing process killed at random moments: the output is always a whole site
    whose feed parses, and the next run leaves no staging folder behind."""
    show_dir = _show_with(tmp_path, 25)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    command = [sys.executable, "-m", "podpub", "publish", str(show_dir), "-q"]
    subprocess.run(command, env=env, check=True)
    old_site, old_ledger = _snapshot(show_dir / "public"), (show_dir / LEDGER_FILE).read_bytes()
    _add_episode(show_dir)
    # The expected new site and ledger, from a copy of the show.
    twin = tmp_path / "twin"
    shutil.copytree(show_dir, twin, symlinks=True)
    started = time.monotonic()
    subprocess.run([*command[:4], str(twin), "-q"], env=env, check=True)
    duration = time.monotonic() - started
    new_site, new_ledger = _snapshot(twin / "public"), (twin / LEDGER_FILE).read_bytes()
    assert new_site != old_site

    chance = random.Random(6)
    for attempt in range(6):
        delay = chance.uniform(0.05, duration)
        process = subprocess.Popen(command, env=env)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        site = _snapshot(show_dir / "public")
        assert site in (old_site, new_site), f"attempt {attempt}: killed after {delay:.2f} s"
        etree.fromstring(site["feed.xml"], etree.XMLParser())
        assert (show_dir / LEDGER_FILE).read_bytes() in (old_ledger, new_ledger)
    subprocess.run(command, env=env, check=True)
    assert _snapshot(show_dir / "public") == new_site
    assert (show_dir / LEDGER_FILE).read_bytes() == new_ledger
    assert _strays(show_dir) == []


# --- two publishes at once -------------------------------------------------------------

_HOLDER = """
import sys, time
from pathlib import Path
from podpub.write.publish import publish, PublishOptions
show, ready, release = (Path(a) for a in sys.argv[1:4])
def hold():
    ready.touch()
    while not release.exists():
        time.sleep(0.05)
publish(show, PublishOptions(), before_commit=hold)
"""


def test_a_second_publish_waits_then_says_another_is_running(tmp_path: Path):
    show_dir = _show_with(tmp_path, 2)
    publish(show_dir, PublishOptions(now=NOW))
    before = _snapshot(show_dir / "public")
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, show_dir, ready, release])
    try:
        for _ in range(200):
            if ready.exists():
                break
            time.sleep(0.05)
        assert ready.exists(), "the first publish never reached its commit"
        command = [sys.executable, "-m", "podpub", "publish", str(show_dir), "-q"]
        second = subprocess.run(command, capture_output=True, text=True, check=False)
        assert second.returncode == 1
        out = (show_dir / "public").resolve()
        assert second.stderr.splitlines()[0] == (
            f"another podpub publish is writing {out}; wait for it to finish"
        )
        assert _snapshot(show_dir / "public") == before
        # A third one, started while the first still holds the lock, waits for it and runs.
        third = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        release.touch()
        assert holder.wait(timeout=30) == 0
        assert third.wait(timeout=30) == 0, third.stderr.read() if third.stderr else ""
    finally:
        release.touch()
        holder.wait(timeout=30)
    assert _strays(show_dir) == []


# --- dangerous output folders -----------------------------------------------------------


def test_dangerous_output_folders_are_refused_before_anything_is_touched(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    show_dir = write_show(tmp_path / "parent" / "show")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    cases = {
        "": "the output folder is empty (--out \"\"); give a folder",
        "/": "refusing to publish into /: choose a folder of its own",
        str(home): f"refusing to publish into {home}: choose a folder of its own",
        str(tmp_path): f"refusing to publish into {tmp_path}: choose a folder of its own",
        str(show_dir): f"refusing to publish into {show_dir}: it holds the show itself; use a "
        "folder inside it such as public/",
        str(show_dir.parent): f"refusing to publish into {show_dir.parent}: it holds the show "
        "itself; use a folder inside it such as public/",
        str(show_dir / "episodes"): f"refusing to publish into {show_dir / 'episodes'}: it "
        f"holds episodes/ep1.yaml ({show_dir / 'episodes' / 'ep1.yaml'}), and each publish "
        "replaces the whole folder (keep the show's files outside the output folder, or "
        "choose another one with --out)",
        str(show_dir / "audio"): f"refusing to publish into {show_dir / 'audio'}: it holds "
        f"episodes/ep1.yaml: audio ({show_dir / 'audio' / 'tone.mp3'}), and each publish "
        "replaces the whole folder (keep the show's files outside the output folder, or "
        "choose another one with --out)",
    }  # fmt: skip

    def files() -> list[str]:  # all but the show's own cache (.podpub/), which is no output
        return sorted(str(p) for p in tmp_path.rglob("*") if ".podpub" not in p.parts)

    before = files()
    for out, message in cases.items():
        assert main(["publish", str(show_dir), "--out", out]) == 1, out
        assert capsys.readouterr().err.splitlines()[0] == message
    assert files() == before  # not even a lock file


# --- what survives a swap, what does not ----------------------------------------------------


def test_files_the_producer_keeps_survive_and_stale_files_go(tmp_path: Path):
    keep = "keep:\n  - google1234.html\n  - media/\n  - index.html\n"
    show_dir = write_show(tmp_path / "show", show=MINIMAL_SHOW + keep)
    out = show_dir / "public"
    publish(show_dir, PublishOptions(now=NOW))
    kept = {
        "CNAME": b"podcast.example.org\n",
        ".nojekyll": b"",
        ".well-known/security.txt": b"Contact: mailto:security@example.org\n",
        "_headers": b"/*\n  X-Frame-Options: DENY\n",
        "google1234.html": b"google-site-verification: google1234.html",
        "media/trailer.mp3": (show_dir / "audio" / "tone.mp3").read_bytes(),
    }
    for rel, data in kept.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    (out / "stale.html").write_text("an old page")
    (out / "episodes" / "gone").mkdir()
    (out / "episodes" / "gone" / "index.html").write_text("a removed episode's page")
    own_index = (out / "index.html").read_bytes()
    (out / "index.html").write_text("the producer's index: podpub's own wins")
    for _ in range(2):
        publish(show_dir, PublishOptions(now=NOW))
        site = _snapshot(out)
        assert {rel: site.get(rel) for rel in kept} == kept
        assert "stale.html" not in site and "episodes/gone/index.html" not in site
        assert site["index.html"] == own_index


def test_same_input_same_bytes_with_source_date_epoch(tmp_path: Path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    outputs = []
    for name in ("one", "two"):
        show_dir = _show_with(tmp_path, 3, name)
        command = [sys.executable, "-m", "podpub", "publish", str(show_dir), "-q"]
        subprocess.run(command, env=env, check=True, cwd=tmp_path)
        outputs.append((show_dir, _snapshot(show_dir / "public")))
    (one, first), (two, second) = outputs
    assert first == second
    assert (one / LEDGER_FILE).read_bytes() == (two / LEDGER_FILE).read_bytes()
    assert b'"first_published": "2026-01-01T00:00:00Z"' in (one / LEDGER_FILE).read_bytes()


# --- the check of the staged site -------------------------------------------------------------


def test_the_staged_site_is_read_back_before_the_swap(tmp_path: Path):
    show_dir = write_show(tmp_path / "show")
    result = publish(show_dir, PublishOptions(now=NOW))
    site, out = result.site, result.out
    feed = (out / "feed.xml").read_bytes()
    verify_staged(out, site, feed)  # the published site passes

    def problems() -> list[str]:
        with pytest.raises(PodpubError) as caught:
            verify_staged(out, site, feed)
        return [p.message for p in caught.value.problems]

    (out / "feed.xml").write_bytes(feed[: len(feed) // 2])
    assert problems()[:2] == [
        "internal check of the new site: feed.xml on disk is not the feed that was built",
        "internal check of the new site: feed.xml does not parse as XML "
        + problems()[1].split("as XML ", 1)[1],
    ]
    (out / "feed.xml").write_bytes(feed.replace(b"Fri, 02 Jun 2023", b"Mon, 02 Jun 2023"))
    assert "has no RFC 2822 pubDate ('Mon, 02 Jun 2023 00:00:00 +0200')" in problems()[-1]
    (out / "feed.xml").write_bytes(feed)
    audio = out / site.episodes[0].audio_path
    audio.unlink()
    audio.write_bytes(b"short")
    assert problems() == [
        f"internal check of the new site: {site.episodes[0].audio_path} has 5 bytes, the feed "
        f"says {site.episodes[0].audio.size}"
    ]
    (out / site.episodes[0].page_path).unlink()
    assert f"{site.episodes[0].page_path} is missing" in problems()[0]


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("Fri, 02 Jun 2023 18:00:00 +0200", True),
        ("Thu, 01 Jan 1970 00:00:00 +0000", True),
        ("Sat, 02 Jun 2023 18:00:00 +0200", False),  # wrong weekday
        ("Fri, 2 Jun 2023 18:00:00 +0200", False),
        ("2023-06-02T18:00:00+02:00", False),
        ("Fri, 02 Jun 2023 18:00:00 GMT", False),
    ],
)
def test_rfc_2822_dates(text: str, valid: bool):
    assert is_rfc2822(text) is valid


def test_the_sample_show_publishes_without_touching_the_repository(tmp_path: Path):
    """A publish of the repository's own show into a temporary folder leaves the repository's
    published.lock as it is (only a publish into public/ records)."""
    ledger = REPO / LEDGER_FILE
    before = ledger.read_bytes() if ledger.exists() else None
    assert main(["publish", str(REPO), "--out", str(tmp_path / "out"), "--dry-run"]) in (0, 1)
    assert (ledger.read_bytes() if ledger.exists() else None) == before
