"""published.lock: a publish never changes a GUID, reuses one, or drops an episode unasked."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.write.ledger import LEDGER_FILE, compare, parse_ledger
from podpub.write.publish import PublishOptions, dry_run, publish

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, REPO, write_show

LATER = NOW + dt.timedelta(days=30)
SHOW_GUID_PIN = "guid: 375e050f-7f52-5e9b-9cfc-9414515d1a5b\n"


def _episode(title: str, audio: str = "audio/tone.mp3", extra: str = "") -> str:
    return MINIMAL_EPISODE.replace("First episode", title).replace("audio/tone.mp3", audio) + extra


def _show(tmp_path: Path) -> Path:
    """Two published episodes, a.yaml (MP3) and b.yaml (Ogg)."""
    show_dir = write_show(
        tmp_path / "show",
        {"a.yaml": _episode("Episode A"), "b.yaml": _episode("Episode B", "audio/tone.ogg")},
    )
    publish(show_dir, PublishOptions(now=NOW))
    return show_dir


def _problems(show_dir: Path, **options) -> list[str]:
    with pytest.raises(PodpubError) as caught:
        publish(show_dir, PublishOptions(now=LATER, **options))
    return [str(p) for p in caught.value.problems]


def _ledger(show_dir: Path) -> dict:
    return json.loads((show_dir / LEDGER_FILE).read_text(encoding="utf-8"))


def _guids(show_dir: Path) -> dict[str, str]:
    return {e["key"]: e["guid"] for e in _ledger(show_dir)["episodes"]}


# --- the file --------------------------------------------------------------------------


def test_first_publish_records_each_episode_on_its_own_line(tmp_path: Path):
    show_dir = _show(tmp_path)
    text = (show_dir / LEDGER_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["format"] == 1
    assert [e["key"] for e in data["episodes"]] == ["a", "b"]
    first = data["episodes"][0]
    assert set(first) == {
        "key", "file", "guid", "title", "enclosure", "length", "duration", "date",
        "first_published", "people", "notes",
    }  # fmt: skip
    assert first["file"] == "episodes/a.yaml"
    assert first["enclosure"] == "https://podcast.example.org/audio/tone.mp3"
    assert first["date"] == "2023-06-02T00:00:00+02:00"
    assert first["first_published"] == "2026-01-01T00:00:00Z"
    feed = (show_dir / "public" / "feed.xml").read_text(encoding="utf-8")
    assert f">{first['guid']}</guid>" in feed
    # One line per episode: a diff of the file shows one line per changed episode.
    lines = [line for line in text.splitlines() if '"key": ' in line]
    assert len(lines) == 2 and lines[0].lstrip().startswith('{"key": "a"')


def test_the_ledger_comment_points_at_a_section_the_docs_have(tmp_path: Path):
    # A producer opening published.lock follows its comment to learn what it is;
    # the section it named had moved out of the README into docs/.
    show_dir = _show(tmp_path)
    comment = json.loads((show_dir / LEDGER_FILE).read_text(encoding="utf-8"))["comment"]
    where = re.search(r"see (\S+), '([^']+)'", comment)
    assert where, comment
    page = REPO / where[1]
    assert page.is_file(), comment
    headings = [line for line in page.read_text(encoding="utf-8").splitlines() if line[:1] == "#"]
    assert any(where[2] in heading for heading in headings), comment


def test_first_published_is_kept_forever(tmp_path: Path):
    show_dir = _show(tmp_path)
    (show_dir / "episodes" / "a.yaml").write_text(_episode("Episode A, corrected"))
    publish(show_dir, PublishOptions(now=LATER))
    entry = _ledger(show_dir)["episodes"][0]
    assert entry["title"] == "Episode A, corrected"
    assert entry["first_published"] == "2026-01-01T00:00:00Z"


def test_an_unchanged_publish_leaves_the_ledger_file_alone(tmp_path: Path):
    show_dir = _show(tmp_path)
    ledger = show_dir / LEDGER_FILE
    before = (ledger.read_bytes(), ledger.stat().st_mtime_ns)
    publish(show_dir, PublishOptions(now=LATER))
    assert (ledger.read_bytes(), ledger.stat().st_mtime_ns) == before


# --- GUIDs -----------------------------------------------------------------------------


def test_a_changed_guid_is_refused_where_it_is_written(tmp_path: Path):
    show_dir = _show(tmp_path)
    old = _guids(show_dir)["a"]
    (show_dir / "episodes" / "a.yaml").write_text(_episode("Episode A", extra="guid: fresh\n"))
    assert _problems(show_dir) == [
        f"episodes/a.yaml:11:7: guid: the GUID of this published episode changes from "
        f"'{old}' to 'fresh': every app would download it again as a new episode (keep it: "
        f"write guid: '{old}' in episodes/a.yaml; or, to re-issue it on purpose, publish "
        "with --reissue-guid a)"
    ]
    assert _guids(show_dir)["a"] == old


def test_reissue_guid_lets_one_guid_change_and_records_it(tmp_path: Path):
    show_dir = _show(tmp_path)
    (show_dir / "episodes" / "a.yaml").write_text(_episode("Episode A", extra="guid: fresh\n"))
    result = publish(show_dir, PublishOptions(now=LATER, reissue_guid=("episodes/a.yaml",)))
    assert _guids(show_dir)["a"] == "fresh"
    assert result.changes is not None
    assert (
        "The GUID of 1 episode changes: apps will download it again."
        in result.changes.consequences()
    )


def test_a_guid_published_for_another_episode_is_refused_even_when_reissuing(tmp_path: Path):
    show_dir = _show(tmp_path)
    guid_b = _guids(show_dir)["b"]
    # a takes b's GUID (in upper case, with spaces): apps would merge the two.
    (show_dir / "episodes" / "a.yaml").write_text(
        _episode("Episode A", extra=f'guid: " {guid_b.upper()} "\n')
    )
    (show_dir / "episodes" / "b.yaml").write_text(
        _episode("Episode B", "audio/tone.ogg", extra="guid: b-new\n")
    )
    found = _problems(show_dir, reissue_guid=("a", "b"))
    assert found == [
        f"episodes/a.yaml: guid: the GUID '{guid_b.upper()}' was published for "
        "episodes/b.yaml; apps would take this episode for that one (give this episode its "
        "own guid)"
    ]


def test_a_new_episode_cannot_take_the_old_guid_of_a_reissued_one(tmp_path: Path):
    show_dir = _show(tmp_path)
    guid_a = _guids(show_dir)["a"]
    (show_dir / "episodes" / "a.yaml").write_text(_episode("Episode A", extra="guid: a-new\n"))
    (show_dir / "episodes" / "c.yaml").write_text(
        _episode("Episode C", "audio/tone.m4a", extra=f"guid: {guid_a}\n")
    )
    found = _problems(show_dir, reissue_guid=("a",))
    assert found == [
        f"episodes/c.yaml: guid: the GUID '{guid_a}' was published for episodes/a.yaml; apps "
        "would take this episode for that one (give this episode its own guid)"
    ]


def test_a_changed_show_guid_is_refused_with_the_pin_to_write(tmp_path: Path):
    show_dir = _show(tmp_path)
    old = _ledger(show_dir)["show_guid"]
    moved = MINIMAL_SHOW.replace("url: https://podcast.example.org/", "url: https://new.example/")
    (show_dir / "show.yaml").write_text(moved)
    found = _problems(show_dir)
    assert found[-1].startswith(f"show.yaml: guid: the show's podcast:guid changes from {old}")
    assert found[-1].endswith(f"(pin it: write guid: {old} in show.yaml)")
    # Every default item GUID derives from it: each episode says why, and how to fix it.
    assert all(f"pin guid: {old} in show.yaml" in line for line in found[:2])


def test_a_moved_feed_with_its_guid_pinned_only_reports_new_enclosures(tmp_path: Path):
    show_dir = write_show(
        tmp_path / "show",
        {"a.yaml": _episode("Episode A")},
        show=MINIMAL_SHOW + SHOW_GUID_PIN,
    )
    publish(show_dir, PublishOptions(now=NOW))
    moved = MINIMAL_SHOW.replace("url: https://podcast.example.org/", "url: https://new.example/")
    (show_dir / "show.yaml").write_text(moved + SHOW_GUID_PIN)
    result = publish(show_dir, PublishOptions(now=LATER))
    assert result.changes is not None
    [change] = result.changes.episodes
    assert [(c.field, c.new) for c in change.changes] == [
        ("enclosure", "https://new.example/audio/tone.mp3")
    ]
    assert result.changes.consequences() == [
        "The enclosure URL of 1 episode changes: apps that go by the GUID keep their "
        "downloads; apps that go by the URL may download it again."
    ]


# --- episodes leaving the feed ---------------------------------------------------------


def test_a_deleted_descriptor_is_refused_and_the_old_site_stays(tmp_path: Path):
    show_dir = _show(tmp_path)
    feed = (show_dir / "public" / "feed.xml").read_bytes()
    (show_dir / "episodes" / "b.yaml").unlink()
    assert _problems(show_dir) == [
        "episodes/b.yaml: published since 2026-01-01 as 'Episode B', but its descriptor is "
        "gone: directories would drop it from the feed (restore episodes/b.yaml, or publish "
        "with --remove b to remove it on purpose)"
    ]
    assert (show_dir / "public" / "feed.xml").read_bytes() == feed


@pytest.mark.parametrize(
    ("change", "why", "where"),
    [
        ("draft: true\n", "it is now a draft or dated in the future", "11:1: draft"),
        ("date: 2030-01-01\n", "it is now a draft or dated in the future", "2:1: date"),
    ],
)
def test_a_published_episode_turned_draft_or_future_is_refused(tmp_path: Path, change, why, where):
    show_dir = _show(tmp_path)
    text = _episode("Episode B", "audio/tone.ogg")
    if change.startswith("date"):
        text = text.replace("date: 2023-06-02\n", change)
    else:
        text += change
    (show_dir / "episodes" / "b.yaml").write_text(text)
    assert _problems(show_dir) == [
        f"episodes/b.yaml:{where}: published since 2026-01-01 as 'Episode B', but {why}: "
        "directories "
        "would drop it from the feed (publish with --remove b to remove it on purpose)"
    ]


def test_a_newly_invalid_descriptor_fails_the_run_and_the_old_site_stays(tmp_path: Path):
    show_dir = _show(tmp_path)
    feed = (show_dir / "public" / "feed.xml").read_bytes()
    ledger = (show_dir / LEDGER_FILE).read_bytes()
    (show_dir / "episodes" / "b.yaml").write_text(
        _episode("Episode B", "audio/tone.ogg") + "x: 1\n"
    )
    assert _problems(show_dir)[0].startswith("episodes/b.yaml:11:1: x: unknown key 'x'")
    assert (show_dir / "public" / "feed.xml").read_bytes() == feed
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger


def test_remove_drops_the_episode_its_page_and_its_ledger_line(tmp_path: Path):
    show_dir = _show(tmp_path)
    assert (show_dir / "public" / "episodes" / "b" / "index.html").is_file()
    (show_dir / "episodes" / "b.yaml").unlink()
    result = publish(show_dir, PublishOptions(now=LATER, remove=("b.yaml",)))
    assert [e.key for e in result.site.episodes] == ["a"]
    assert list(_guids(show_dir)) == ["a"]
    assert not (show_dir / "public" / "episodes" / "b").exists()  # stale page gone
    assert b"Episode B" not in (show_dir / "public" / "feed.xml").read_bytes()


def test_flags_must_name_what_they_allow(tmp_path: Path):
    show_dir = _show(tmp_path)
    assert _problems(show_dir, remove=("bb",), reissue_guid=("a",)) == [
        "--reissue-guid: 'a' keeps its GUID; change its guid: field first, if that is really "
        "what you want",
        "--remove: 'bb' is not a published episode (did you mean b?)",
    ]
    assert _problems(show_dir, remove=("a",)) == [
        "--remove: 'a' is still published; delete its descriptor or mark it draft: true first"
    ]


def test_a_renamed_descriptor_that_kept_its_guid_is_a_rename(tmp_path: Path):
    show_dir = _show(tmp_path)
    guid_b = _guids(show_dir)["b"]
    (show_dir / "episodes" / "b.yaml").unlink()
    (show_dir / "episodes" / "b-renamed.yaml").write_text(
        _episode("Episode B", "audio/tone.ogg", extra=f"guid: {guid_b}\n")
    )
    result = publish(show_dir, PublishOptions(now=LATER))
    assert result.changes is not None
    [change] = result.changes.episodes
    assert (change.kind, change.old_file) == ("renamed", "episodes/b.yaml")
    entry = next(e for e in _ledger(show_dir)["episodes"] if e["key"] == "b-renamed")
    assert (entry["guid"], entry["first_published"]) == (guid_b, "2026-01-01T00:00:00Z")


def test_a_rename_without_the_guid_is_refused_with_the_guid_to_keep(tmp_path: Path):
    show_dir = _show(tmp_path)
    guid_b = _guids(show_dir)["b"]
    (show_dir / "episodes" / "b.yaml").rename(show_dir / "episodes" / "b-renamed.yaml")
    assert _problems(show_dir) == [
        "episodes/b.yaml: published since 2026-01-01 as 'Episode B', but its descriptor is "
        "gone: directories would drop it from the feed (restore episodes/b.yaml, or publish "
        "with --remove b to remove it on purpose; if you renamed it to episodes/b-renamed.yaml, "
        f"keep its GUID there: guid: {guid_b})"
    ]


# --- dry run ---------------------------------------------------------------------------


def test_dry_run_prints_the_semantic_diff_and_writes_nothing(tmp_path: Path, capsys):
    show_dir = _show(tmp_path)
    ledger = (show_dir / LEDGER_FILE).read_bytes()
    feed = (show_dir / "public" / "feed.xml").read_bytes()
    guids = _guids(show_dir)
    episodes = show_dir / "episodes"
    (episodes / "a.yaml").write_text(
        _episode("Episode A, v2", "audio/tone.m4a", extra="guid: a2\n").replace(
            "date: 2023-06-02", "date: 2023-06-03"
        )
    )
    (episodes / "b.yaml").write_text(_episode("Episode B", "audio/tone.ogg", extra="guid: b2\n"))
    (episodes / "c.yaml").write_text(_episode("Episode C", "audio/tone.opus"))
    assert main(["publish", str(show_dir), "--dry-run"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Compared with published.lock (the last publish):",
        "  ~ episodes/a.yaml  'Episode A, v2'  [refused: publish with --reissue-guid a]",
        "      title: 'Episode A' → 'Episode A, v2'",
        "      audio: 12,323 bytes, 0:03 → 7,232 bytes, 0:02",
        "      date: 2023-06-02T00:00:00+02:00 → 2023-06-03T00:00:00+02:00",
        f"      guid: '{guids['a']}' → 'a2'",
        "      enclosure: https://podcast.example.org/audio/tone.mp3 → "
        "https://podcast.example.org/audio/tone.m4a",
        "  ~ episodes/b.yaml  'Episode B'  [refused: publish with --reissue-guid b]",
        f"      guid: '{guids['b']}' → 'b2'",
        "  + episodes/c.yaml  'Episode C'",
        "What subscribers will see:",
        "  The GUIDs of 2 episodes change: apps will download them again.",
        "  1 new episode: apps will offer it to subscribers.",
        "  The enclosure URL of 1 episode changes: apps that go by the GUID keep their "
        "downloads; apps that go by the URL may download it again.",
        "  The audio file of 1 episode changes: new downloads get the new audio; apps that "
        "already downloaded it keep the old file.",
        "  The date of 1 episode changes: it moves in apps' episode lists; nothing is "
        "downloaded again.",
        "  The title of 1 episode changes: apps show the new title; nothing is downloaded again.",
        "Dry run: nothing was written.",
    ]
    assert err.splitlines()[-1] == "podpub: 2 problems; nothing was written."
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger
    assert (show_dir / "public" / "feed.xml").read_bytes() == feed
    # With the flags, the same dry run passes (exit 0) and still writes nothing.
    assert main(["publish", str(show_dir), "--dry-run", "--reissue-guid", "a",
                 "--reissue-guid", "b"]) == 0  # fmt: skip
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger


def test_dry_run_before_the_first_publish(tmp_path: Path, capsys):
    show_dir = write_show(tmp_path / "show")
    assert main(["publish", str(show_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "No published.lock yet: this is the first publish."
    assert out[1] == "  + episodes/ep1.yaml  'First episode'"
    assert not (show_dir / LEDGER_FILE).exists()
    assert not (show_dir / "public").exists()


# --- previews and failures -------------------------------------------------------------


def test_previews_are_never_recorded(tmp_path: Path):
    show_dir = _show(tmp_path)
    ledger = (show_dir / LEDGER_FILE).read_bytes()
    (show_dir / "episodes" / "c.yaml").write_text(
        _episode("Draft C", "audio/tone.opus", extra="draft: true\n")
    )
    publish(show_dir, PublishOptions(out=tmp_path / "preview", now=LATER, drafts=True))
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger
    # --base-url: another address (the show GUID, so every default GUID, derives from it).
    publish(show_dir, PublishOptions(out=tmp_path / "p2", now=LATER, base_url="https://x.example"))
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger
    publish(show_dir, PublishOptions(now=LATER))  # the draft stays out: nothing dropped


def test_a_failure_before_the_swap_leaves_the_ledger_and_no_temporary_file(tmp_path: Path):
    show_dir = _show(tmp_path)
    ledger = (show_dir / LEDGER_FILE).read_bytes()
    (show_dir / "episodes" / "c.yaml").write_text(_episode("Episode C", "audio/tone.opus"))

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        publish(show_dir, PublishOptions(now=LATER), before_commit=crash)
    assert (show_dir / LEDGER_FILE).read_bytes() == ledger
    assert sorted(p.name for p in show_dir.iterdir() if p.name.startswith(".published")) == []


def test_a_damaged_ledger_is_a_located_problem(tmp_path: Path):
    show_dir = _show(tmp_path)
    text = (show_dir / LEDGER_FILE).read_text(encoding="utf-8")
    lines = text.splitlines()
    conflicted = "\n".join([*lines[:5], "<<<<<<< HEAD", lines[5], "=======", *lines[6:]])
    (show_dir / LEDGER_FILE).write_text(conflicted)
    assert _problems(show_dir) == [
        "published.lock:6:1: has merge conflict markers (keep the episode lines of both sides, "
        "remove the markers, then run podpub publish --dry-run)"
    ]
    (show_dir / LEDGER_FILE).write_text(text.replace('"guid": ', '"guid" ', 1))
    assert _problems(show_dir)[0].startswith("published.lock:6:")
    with pytest.raises(PodpubError, match="episode 1 is damaged"):
        parse_ledger('{"format": 1, "show_guid": null, "episodes": [{"key": "a"}]}')
    entry = json.loads(text)["episodes"][0]
    for wrong in ({"length": True}, {"length": str(entry["length"])}, {"title": None}):
        damaged = {"format": 1, "show_guid": None, "episodes": [{**entry, **wrong}]}
        with pytest.raises(PodpubError, match="episode 1 is damaged"):
            parse_ledger(json.dumps(damaged))
    assert parse_ledger(json.dumps({"format": 1, "show_guid": None, "episodes": [entry]}))


def test_compare_against_no_ledger_is_a_first_publish(tmp_path: Path):
    show_dir = write_show(tmp_path / "show")
    _, diff = dry_run(show_dir, PublishOptions(now=NOW))
    assert diff.first_publish and [e.kind for e in diff.episodes] == ["added"]
    assert compare(show_dir, _, ()).problems == ()
