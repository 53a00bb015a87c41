"""The ledger comparison of a cached publish looks only at the episodes that changed.

Each test publishes a real show with the real command (``podpub publish``) twice or
more, and looks at what a producer gets: the published.lock on disk, and the changes
refused. What is counted (the records whose texts are read back from the cache, the
ledger lines rendered) is counted in a real run, in this process (``--jobs 1``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from podpub.build.kept import LentEpisodeRecord
from podpub.cli import main
from podpub.write import ledger as ledger_module
from podpub.write.ledger import LEDGER_FILE

from conftest import AUDIO, MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

EPISODES = 30
EDITED = "ep7"
# A paged feed, as a big show has: an edit rebuilds the one feed page that lists the
# episode (reading the texts of its 5 episodes), and the comparison comes next.
SHOW = MINIMAL_SHOW + "feed_page_size: 5\n"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def _publish(show: Path, *flags: str) -> int:
    return main(["publish", str(show), "--out", str(show.parent / "public"), "--jobs", "1", *flags])


def _episode(number: int, title: str = "", extra: str = "") -> str:
    return (
        MINIMAL_EPISODE.replace("First episode", title or f"Episode {number}")
        .replace("audio/tone.mp3", f"audio/ep{number}.mp3")
        .replace("2023-06-02", f"2023-06-{number:02d}")
        + extra
    )


def _show(folder: Path, extra: dict[int, str] | None = None) -> Path:
    """Episodes ep1 … ep30, each with its own copy of the tone; published once."""
    episodes = {}
    (folder / "audio").mkdir(parents=True)
    for number in range(1, EPISODES + 1):
        shutil.copy(AUDIO / "tone.mp3", folder / "audio" / f"ep{number}.mp3")
        episodes[f"ep{number}.yaml"] = _episode(number, extra=(extra or {}).get(number, ""))
    show = write_show(folder, episodes, SHOW)
    assert _publish(show) == 0
    return show


def _edit(show: Path, number: int, title: str = "", extra: str = "") -> None:
    path = show / "episodes" / f"ep{number}.yaml"
    path.write_text(_episode(number, title, extra), encoding="utf-8")


def _unpacked_while_comparing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the records whose kept contents are unpickled during the ledger
    comparison (the store lends kept records: build/kept.py)."""
    seen: list[str] = []
    comparing = [False]
    unpack, compare = LentEpisodeRecord._unpack, ledger_module.compare

    def spy_unpack(record: LentEpisodeRecord) -> None:
        if comparing[0]:
            seen.append(record.__dict__["key"])
        unpack(record)

    def spy_compare(*args: Any, **kwargs: Any) -> Any:
        comparing[0] = True
        try:
            return compare(*args, **kwargs)
        finally:
            comparing[0] = False

    monkeypatch.setattr(LentEpisodeRecord, "_unpack", spy_unpack)
    monkeypatch.setattr(ledger_module, "compare", spy_compare)
    return seen


def _rendered_entries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the ledger entries turned into JSON text (the ledger module's json)."""
    rendered: list[str] = []

    def dumps(value: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(value, dict) and "guid" in value:
            rendered.append(value["key"])
        return json.dumps(value, *args, **kwargs)

    spy = SimpleNamespace(dumps=dumps, loads=json.loads, JSONDecodeError=json.JSONDecodeError)
    monkeypatch.setattr(ledger_module, "json", spy)
    return rendered


def test_an_edit_reads_no_other_episode_to_compare_it_with_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    show = _show(tmp_path / "show")
    _edit(show, 7, "Episode 7, retitled")
    unpacked = _unpacked_while_comparing(monkeypatch)
    rendered = _rendered_entries(monkeypatch)

    assert _publish(show) == 0

    # the other 29 records keep their texts in the cache: only the edited one is read
    assert unpacked == [] or unpacked == [EDITED]
    assert rendered == [EDITED]  # one line of the ledger written anew, the others kept
    entries = json.loads((show / LEDGER_FILE).read_text(encoding="utf-8"))["episodes"]
    assert [e["title"] for e in entries if e["key"] == EDITED] == ["Episode 7, retitled"]


def _rename(show: Path, number: int) -> None:
    """ep<N>.yaml renamed, its GUID pinned: its page moves and leaves a redirect."""
    entries = json.loads((show / LEDGER_FILE).read_text(encoding="utf-8"))["episodes"]
    guid = next(e["guid"] for e in entries if e["key"] == f"ep{number}")
    (show / "episodes" / f"ep{number}.yaml").unlink()
    (show / "episodes" / f"ep{number}-moved.yaml").write_text(
        _episode(number, extra=f"guid: {guid}\n"), encoding="utf-8"
    )


def test_the_ledger_of_incremental_publishes_is_the_ledger_of_a_fresh_one(tmp_path: Path):
    cached, fresh = _show(tmp_path / "a" / "show"), _show(tmp_path / "b" / "show")
    steps = [
        lambda show: _edit(show, 7, "Episode 7, once"),
        lambda show: _rename(show, 9),  # the ledger gains its pages and redirects
        lambda show: _edit(show, 7, "Episode 7, twice"),  # and keeps them
        lambda show: _edit(show, 30, extra="guid: one-of-its-own\n"),  # re-issued
    ]
    for number, step in enumerate(steps):
        step(cached)
        step(fresh)
        flags = ("--reissue-guid", "ep30") if number == 3 else ()
        assert _publish(cached, *flags) == 0
        assert _publish(fresh, "--no-cache", *flags) == 0
        assert (cached / LEDGER_FILE).read_bytes() == (fresh / LEDGER_FILE).read_bytes()
    assert '"redirects"' in (cached / LEDGER_FILE).read_text(encoding="utf-8")


def test_a_guid_change_of_an_episode_is_still_refused(tmp_path: Path, capsys):
    show = _show(tmp_path / "show")
    _edit(show, 7, "Episode 7, retitled")
    assert _publish(show) == 0
    before = (show / LEDGER_FILE).read_bytes()
    _edit(show, 12, extra="guid: another-guid\n")
    capsys.readouterr()

    assert _publish(show) == 1
    err = capsys.readouterr().err
    assert "episodes/ep12.yaml:11:7: guid: the GUID of this published episode changes" in err
    assert (show / LEDGER_FILE).read_bytes() == before


def test_a_ledger_put_back_by_hand_is_compared_in_full(tmp_path: Path, capsys):
    """published.lock restored from an older commit: its entries are not the ones the
    cache says this run's records made, so every episode is compared with it again."""
    show = _show(tmp_path / "show", extra={12: "guid: first-guid\n"})
    old = (show / LEDGER_FILE).read_bytes()
    _edit(show, 12, extra="guid: second-guid\n")
    assert _publish(show, "--reissue-guid", "ep12") == 0
    (show / LEDGER_FILE).write_bytes(old)  # git checkout of the older ledger
    _edit(show, 7, "Episode 7, retitled")  # something to publish
    capsys.readouterr()

    assert _publish(show) == 1
    err = capsys.readouterr().err
    assert "from 'first-guid' to 'second-guid'" in err
    assert (show / LEDGER_FILE).read_bytes() == old


def test_a_removed_episode_is_still_refused_after_cached_publishes(tmp_path: Path, capsys):
    show = _show(tmp_path / "show")
    _edit(show, 7, "Episode 7, retitled")
    assert _publish(show) == 0
    (show / "episodes" / "ep20.yaml").unlink()
    capsys.readouterr()

    assert _publish(show) == 1
    assert "publish with --remove ep20" in capsys.readouterr().err
    assert _publish(show, "--remove", "ep20") == 0
    keys = [e["key"] for e in json.loads((show / LEDGER_FILE).read_text())["episodes"]]
    assert "ep20" not in keys and len(keys) == EPISODES - 1
