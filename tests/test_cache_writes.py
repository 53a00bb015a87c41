"""What an edit of one episode writes into the cache (``.podpub/cache``): what it
changed, not the records of the whole site again (issue 16: one changed title in a show
of 10,000 episodes writes a few entries, not 25 MB of tables)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from podpub.build.store import CacheOptions, ShowCache
from podpub.cli import main
from test_cache import with_episodes

from conftest import NOW, write_show


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def publish(show: Path, out: Path) -> int:
    return main(["publish", "-q", str(show), "--out", str(out)])


def retitle(show: Path, name: str, title: str) -> None:
    """Give episode ``name`` (``ep7``) the title ``title``."""
    path = show / "episodes" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1), encoding="utf-8")


def cache_files(show: Path) -> dict[str, tuple[int, int, int]]:
    """Each cache file → (inode, mtime in ns, size): a file written again is replaced."""
    folder = show / ".podpub" / "cache"
    found = {}
    for entry in os.scandir(folder):
        if entry.is_file():
            st = entry.stat()
            found[entry.name] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def written_since(before: dict[str, tuple[int, int, int]], show: Path) -> dict[str, int]:
    """The cache files written since ``before`` was taken, with their sizes."""
    now = cache_files(show)
    return {name: now[name][2] for name in now if before.get(name) != now[name]}


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path]:
    """A show of 28 episodes (95 files in its site), published once."""
    show = with_episodes(write_show(tmp_path / "show"), 28)
    for number in range(1, 29):  # titles no rule finds fault with (no episode number)
        retitle(show, f"ep{number}", f"A talk about {'abcdefghijklmnopqrstuvwxyzAB'[number - 1]}")
    out = tmp_path / "out"
    assert publish(show, out) == 0
    return show, out


def test_an_edit_writes_the_output_entries_it_changed_not_the_whole_record(
    published: tuple[Path, Path],
) -> None:
    show, out = published
    before = cache_files(show)
    manifest = next(n for n in before if n.startswith("output-") and "delta" not in n)
    retitle(show, "ep7", "A new talk about g")
    assert publish(show, out) == 0
    written = written_since(before, show)

    # the record of the output's files (one entry per file) is not written again:
    # the entries of the few pages the edit changed go into its delta file
    assert manifest not in written
    assert manifest.replace(".pickle", ".delta.pickle") in written
    # of the two sites' descriptions (the live one, the standby's) only the new live
    # one is written: the standby's is the last publish's live one, kept as it is
    # (d95f933: both, and the whole record of the files, in one file)
    descriptions = [name for name in written if name.startswith("sites-")]
    assert len(descriptions) == 1
    # the last publish's findings are the ones it found: not written again
    assert not [name for name in written if name.startswith("summary-")]


def test_a_lost_summary_builds_again_and_the_next_publish_has_nothing_to_do(
    published: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The no-change shortcut prints the last publish's summary, which is kept apart
    from the state: without it, the publish builds (and keeps it again)."""
    show, out = published
    capsys.readouterr()
    assert main(["publish", str(show), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "Nothing changed since the last publish" in said.out
    (summary,) = (show / ".podpub" / "cache").glob("summary-*.pickle")
    summary.unlink()

    assert main(["publish", str(show), "--out", str(out)]) == 0
    assert "Nothing changed" not in capsys.readouterr().out
    assert main(["publish", str(show), "--out", str(out)]) == 0
    again = capsys.readouterr()
    assert "Nothing changed since the last publish" in again.out
    assert again.err == said.err  # the findings, printed again as the build printed them


def test_a_shard_with_one_entry_changed_is_saved_as_a_delta_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big stage's shard file (600 records at 10,000 episodes) is not written again
    for one changed entry: the entries changed since it was written go into its delta
    file, read with it; many changes write it whole again."""
    from podpub.build import store

    monkeypatch.setattr(store, "SHARD_FROM", 4)
    show = write_show(tmp_path / "show")
    folder = show / ".podpub" / "cache"
    first = ShowCache(show, CacheOptions())
    stage = first.stage("memo")
    for i in range(640):  # 40 a shard
        stage.put(f"text {i}", "v1", f"html {i}")
    first.save()
    shard = store.shard_of("text 5")
    same_shard = [f"text {i}" for i in range(640) if store.shard_of(f"text {i}") == shard]
    before = cache_files(show)

    second = ShowCache(show, CacheOptions())
    stage = second.stage("memo")
    stage.put("text 5", "v1", "html 5, again")
    del stage.entries[same_shard[-1]]
    stage.touch([same_shard[-1]])
    second.save()
    assert written_since(before, show).keys() == {f"memo.{shard:02d}.delta.pickle"}

    everything = ShowCache(show, CacheOptions()).stage("memo").entries
    assert everything["text 5"] == ("v1", "html 5, again")
    assert same_shard[-1] not in everything and len(everything) == 639

    third = ShowCache(show, CacheOptions())  # a change of most of the shard
    stage = third.stage("memo")
    for key in same_shard[:-1]:
        stage.put(key, "v2", "new")
    third.save()
    assert not (folder / f"memo.{shard:02d}.delta.pickle").exists()
    everything = ShowCache(show, CacheOptions()).stage("memo").entries
    assert {everything[key] for key in same_shard[:-1]} == {("v2", "new")}
    assert len(everything) == 639
