"""The write stage looks at what changed, and still sees everything it must.

Real publishes (``podpub publish``) of a real show: the checks that used to look at
every file of the show (the output folder holding a descriptor, the audio published as
a hard link) now work from what the run knows already; these tests hold them to what a
producer must still be told.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from podpub.cli import main
from podpub.write import linked
from podpub.write.linked import LINKED_FILE
from podpub.write.output import output_state

from conftest import AUDIO, MINIMAL_EPISODE, NOW, linked_now, numbered_show


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def _show(folder: Path, count: int = 4) -> Path:
    return numbered_show(folder, count)


def test_the_linked_audio_recorded_is_what_is_on_disk_after_each_publish(tmp_path: Path):
    show = _show(tmp_path / "show")
    out = tmp_path / "public"
    record = output_state(out.resolve(), show).root / LINKED_FILE
    for step in range(3):
        if step == 1:  # an edit: the other files are kept from the standby
            (show / "episodes" / "ep2.yaml").write_text(
                MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/ep2.mp3"), encoding="utf-8"
            )
        if step == 2:  # new audio under the same name (a new file, renamed over the old)
            shutil.copy(AUDIO / "tone.mp3", show / "audio" / "new.mp3")
            (show / "audio" / "new.mp3").write_bytes(
                (show / "audio" / "new.mp3").read_bytes() + b"\0" * 10
            )
            os.replace(show / "audio" / "new.mp3", show / "audio" / "ep3.mp3")
        assert main(["publish", str(show), "--out", str(out)]) == 0
        recorded = json.loads(record.read_text(encoding="utf-8"))["files"]
        on_disk = linked_now(out, show)
        if not on_disk:
            pytest.skip("this file system clones: the published audio is not the show's file")
        assert recorded == on_disk, step
        assert len(recorded) == 4


def test_audio_rewritten_in_place_after_an_incremental_publish_is_still_noticed(
    tmp_path: Path, capsys
):
    show = _show(tmp_path / "show")
    out = tmp_path / "public"
    assert main(["publish", str(show), "--out", str(out)]) == 0
    (show / "episodes" / "ep2.yaml").write_text(
        MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/ep2.mp3"), encoding="utf-8"
    )
    assert main(["publish", str(show), "--out", str(out)]) == 0
    if os.stat(out / "audio" / "ep3.mp3").st_ino != os.stat(show / "audio" / "ep3.mp3").st_ino:
        pytest.skip("this file system clones: the published audio is not the show's file")
    with open(show / "audio" / "ep3.mp3", "ab") as handle:  # ffmpeg -y over the same name
        handle.write(b"\0" * 100)
    capsys.readouterr()

    assert main(["check", str(show)]) == 0
    assert "audio/ep3.mp3 changed in place since the last publish" in capsys.readouterr().out


def test_a_descriptor_linked_from_inside_the_output_folder_is_refused(tmp_path: Path, capsys):
    show = _show(tmp_path / "show")
    out = tmp_path / "public"
    assert main(["publish", str(show), "--out", str(out)]) == 0
    inside = out / "ep4.yaml"
    shutil.move(show / "episodes" / "ep4.yaml", inside)
    (show / "episodes" / "ep4.yaml").symlink_to(inside)
    capsys.readouterr()

    assert main(["publish", str(show), "--out", str(out)]) == 1
    assert f"it holds episodes/ep4.yaml ({inside.resolve()})" in capsys.readouterr().err
    assert inside.is_file()


def test_an_edit_looks_at_no_published_audio_to_keep_track_of_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The hard-link bookkeeping (linked-media.json) of an edit: the staging stamped the
    files it kept and the run stamped the show's audio already; neither the published
    copies nor the show's files are looked at again (two per episode on the old code)."""
    show = _show(tmp_path / "show", count=12)
    out = tmp_path / "public"
    assert main(["publish", str(show), "--out", str(out)]) == 0
    looked_at: list[str] = []

    def stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        looked_at.append(str(path))
        return os.stat(path, *args, **kwargs)

    names = {name: getattr(os, name) for name in dir(os) if not name.startswith("__")}
    monkeypatch.setattr(linked, "os", SimpleNamespace(**{**names, "stat": stat}))
    (show / "episodes" / "ep2.yaml").write_text(
        MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/ep2.mp3"), encoding="utf-8"
    )

    assert main(["publish", str(show), "--out", str(out)]) == 0
    # the edited episode's own audio is the resolver's to look at
    assert [path for path in looked_at if path.endswith(".mp3") and "ep3" not in path] == []


def test_an_edit_published_into_an_outside_folder_stats_no_audio_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """An edit of one descriptor, published into a folder outside the show: the audio
    of every other episode is the one the last publish linked (the run stamped the show's
    files once, at its start), so no audio file is looked at again, neither the show's
    nor its published copy (two stats per episode on the old code: the source's, to
    name the link, and the copy kept from the standby). The site is still the one a
    fresh publish makes."""
    show = _show(tmp_path / "show", count=12)
    out = tmp_path / "elsewhere" / "site"
    monkeypatch.setenv("PODPUB_JOBS", "1")  # every stat in this process, where it is counted
    assert main(["publish", str(show), "--out", str(out)]) == 0
    (show / "episodes" / "ep2.yaml").write_text(
        MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/ep2.mp3"), encoding="utf-8"
    )
    assert main(["publish", str(show), "--out", str(out)]) == 0  # the standby is there now
    looked_at: list[str] = []
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        looked_at.append(os.fsdecode(path) if isinstance(path, (str, bytes, Path)) else "")
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    (show / "episodes" / "ep3.yaml").write_text(
        MINIMAL_EPISODE.replace("audio/tone.mp3", "audio/ep3.mp3").replace(
            "First episode", "Episode 3, corrected"
        ),
        encoding="utf-8",
    )

    assert main(["publish", str(show), "--out", str(out)]) == 0
    monkeypatch.setattr(os, "stat", real_stat)
    # the edited episode's own audio is the resolver's to look at
    assert [path for path in looked_at if path.endswith(".mp3") and "ep3" not in path] == []
    fresh = tmp_path / "fresh"
    assert main(["publish", str(show), "--out", str(fresh), "--no-cache"]) == 0
    for published in sorted(fresh.rglob("*")):
        if published.is_file():
            rel = published.relative_to(fresh)
            assert (out / rel).read_bytes() == published.read_bytes(), rel
