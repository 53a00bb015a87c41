"""An edit resolves what it changed: the other episodes' kept records stay unread.

Real runs of the resolve stage over a show of 300 episodes, with the cache of a first
run: one descriptor edited, then what the second run read is counted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from podpub.build.engine import Engine
from podpub.build.kept import LentEpisodeRecord
from podpub.build.store import ShowCache
from podpub.context import DESCRIPTORS
from podpub.resolve import resolver
from podpub.resolve.options import PlanOptions
from podpub.resolve.records import EpisodeRecord

from conftest import AUDIO, MINIMAL_EPISODE, NOW, write_show

EPISODES = 300


def big_show(folder: Path) -> Path:
    """300 episodes, each with its own audio file and a credit line."""
    write_show(folder, {})
    episodes = {}
    for i in range(1, EPISODES + 1):
        shutil.copy(AUDIO / "tone.mp3", folder / "audio" / f"ep{i}.mp3")
        text = MINIMAL_EPISODE.replace("First episode", f"Episode {i}")
        text = text.replace("audio/tone.mp3", f"audio/ep{i}.mp3")
        text = text.replace("2023-06-02", f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}")
        episodes[f"ep{i}.yaml"] = text + f"credits:\n  - role: Réalisation\n    people: [P{i}]\n"
    for name, text in episodes.items():
        (folder / "episodes" / name).write_text(text, encoding="utf-8")
    return folder


def resolve_with_cache(show: Path) -> tuple[Any, list[Any]]:
    """One run of the resolve stage with the show's cache, kept for the next run."""
    engine = Engine(show, jobs=1)
    site, problems = resolver.resolve_all(show, PlanOptions(now=NOW), run=engine)
    engine.save()
    return site, problems


def edit(show: Path, name: str, old: str, new: str) -> None:
    path = show / "episodes" / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of what a run reads: episode descriptors parsed, kept records whose
    contents (texts, chapters, people: build/kept.py) were read."""
    counts = {"descriptors": 0, "contents": 0}
    load_file = resolver.load_file
    unpack = LentEpisodeRecord._unpack

    def counting_unpack(record: LentEpisodeRecord) -> None:
        counts["contents"] += 1
        unpack(record)

    def counting_load(path: Path, rel: str) -> Any:
        if rel.startswith("episodes/"):
            counts["descriptors"] += 1
        return load_file(path, rel)

    monkeypatch.setattr(resolver, "load_file", counting_load)
    monkeypatch.setattr(LentEpisodeRecord, "_unpack", counting_unpack)
    return counts


def test_an_edit_reads_one_descriptor_and_no_other_record(tmp_path: Path, counted):
    show = big_show(tmp_path / "show")
    _, problems = resolve_with_cache(show)
    assert not [p for p in problems if p.level == "error"]
    assert counted["descriptors"] == EPISODES
    edit(show, "ep150.yaml", "title: Episode 150", "title: Episode 150, revised")
    counted.update({"descriptors": 0, "contents": 0})

    site, problems = resolve_with_cache(show)

    assert counted["descriptors"] == 1  # the edited one
    assert counted["contents"] == 0  # no kept record's contents were unpickled
    assert [e.title for e in site.episodes if e.key == "ep150"] == ["Episode 150, revised"]
    # what the stages read of the kept records is what a run without a cache makes
    fresh, _ = resolver.resolve_all(show, PlanOptions(now=NOW))
    assert all(type(e) is EpisodeRecord for e in fresh.episodes)  # plain values
    assert site.episodes == fresh.episodes
    assert [e.credits for e in site.episodes] == [e.credits for e in fresh.episodes]


def test_an_edit_that_repeats_another_episodes_guid_is_caught(tmp_path: Path):
    show = big_show(tmp_path / "show")
    first, _ = resolve_with_cache(show)
    guid = next(e.guid for e in first.episodes if e.key == "ep7")
    edit(show, "ep200.yaml", "title: Episode 200", f"title: Episode 200\nguid: {guid}")

    _, problems = resolve_with_cache(show)

    found = [p for p in problems if "same GUID" in p.message]
    assert [(p.file, p.message) for p in found] == [
        ("episodes/ep7.yaml", "same GUID as episodes/ep200.yaml")
    ]


def test_kept_records_read_back_share_each_person_and_role(tmp_path: Path):
    """Every episode names the same host under the same role: read back from the store,
    the 300 records hold one host and one role object, not one per record (reading the
    kept records is most of what an edit of a big show costs before rendering)."""
    show = big_show(tmp_path / "show")
    resolve_with_cache(show)
    edit(show, "ep150.yaml", "title: Episode 150", "title: Episode 150, revised")

    site, _ = resolve_with_cache(show)

    kept = [e for e in site.episodes if e.key != "ep150"]
    hosts = [group for e in kept for group in e.credits if group.role.role == "host"]
    assert len(hosts) == len(kept)
    assert len({id(group.role) for group in hosts}) == 1
    assert len({id(person) for group in hosts for person in group.people}) == 1
    directors = [group.role for e in kept for group in e.credits if group.role.role != "host"]
    assert len({id(role) for role in directors}) == 1  # « Réalisation », 299 times
    # and what the show-wide steps read of every descriptor: the people it names
    stored = ShowCache(show).stage(DESCRIPTORS).entries
    summaries = [summary for key, (_, (summary, _)) in stored.items() if "ep150" not in key]
    assert len(summaries) == EPISODES - 1
    assert len({id(summary.mentions[0]) for summary in summaries}) == 1  # the host


def test_a_title_edit_does_not_load_the_markdown_parser(tmp_path: Path):
    """Every text's HTML is kept (the markdown stage): an edit that changes no text
    does without markdown-it, which costs a run 40 ms to import."""
    show = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE})
    edit_file(show / "show.yaml", "description: A show", "description: A *show*")
    publish = [sys.executable, "-c", PUBLISH_AND_SAY_IF_MARKDOWN, str(show)]
    first = subprocess.run(publish, capture_output=True, text=True, check=True)
    assert first.stdout.split()[-1] == "True"  # the first run parses the description
    edit(show, "ep1.yaml", "title: First episode", "title: First episode, revised")

    second = subprocess.run(publish, capture_output=True, text=True, check=True)

    assert second.stdout.split()[-1] == "False"


def edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


PUBLISH_AND_SAY_IF_MARKDOWN = """
import sys
from podpub.cli import main
assert main(["publish", sys.argv[1], "-q"]) == 0
print("markdown_it" in sys.modules)
"""
