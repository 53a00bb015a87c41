"""The cache (``.podpub/``) never serves stale data, and never changes a byte of the output.

Every test publishes real shows with the real command (``podpub publish``), real audio
files and real templates, and looks at what a listener would get: the pages and the
feed in the output folder.
"""

from __future__ import annotations

import filecmp
import os
import pickle
import shutil
from pathlib import Path

import pytest

from podpub.build.engine import PROBES
from podpub.build.store import MAGIC, CacheOptions, ShowCache, safe_loads, shard_of
from podpub.build.uptodate import snapshot
from podpub.cli import main
from podpub.resolve.records import EpisodeRecord
from podpub.site.people import PersonPage
from podpub.site.render import PageRenderer
from podpub.write.output import output_state

from conftest import AUDIO, MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def publish(show: Path, out: Path, *flags: str) -> int:
    return main(["publish", str(show), "--out", str(out), *flags])


def episode(title: str, audio: str = "audio/tone.mp3", day: int = 2) -> str:
    return (
        MINIMAL_EPISODE.replace("First episode", title)
        .replace("audio/tone.mp3", audio)
        .replace("2023-06-02", f"2023-06-{day:02d}")
    )


def with_episodes(show: Path, count: int) -> Path:
    """Episodes ep1 … epN, each with its own copy of the tone (enclosures are unique)."""
    episodes = {}
    for i in range(1, count + 1):
        shutil.copy(AUDIO / "tone.mp3", show / "audio" / f"ep{i}.mp3")
        episodes[f"ep{i}.yaml"] = episode(f"Episode {i}", f"audio/ep{i}.mp3", day=i)
    return write_show(show, episodes)


def page(out: Path, name: str = "ep1") -> str:
    return (out / "episodes" / name / "index.html").read_text(encoding="utf-8")


def feed(out: Path) -> str:
    return (out / "feed.xml").read_text(encoding="utf-8")


def same_tree(left: Path, right: Path) -> list[str]:
    """Paths whose bytes differ between two folders (or that only one of them has)."""
    differences: list[str] = []
    names = {p.relative_to(left) for p in left.rglob("*") if p.is_file()}
    names |= {p.relative_to(right) for p in right.rglob("*") if p.is_file()}
    for name in sorted(names):
        a, b = left / name, right / name
        if not (a.is_file() and b.is_file() and filecmp.cmp(a, b, shallow=False)):
            differences.append(str(name))
    return differences


def test_second_publish_has_nothing_to_do_and_says_so(small_show: Path, tmp_path: Path, capsys):
    out = tmp_path / "public"
    assert publish(small_show, out) == 0
    first = capsys.readouterr().out
    assert "1 published" in first and "1 probed, 0 cached" in first
    before = {p: p.stat().st_ino for p in out.rglob("*")}

    assert publish(small_show, out) == 0
    second = capsys.readouterr().out
    assert "Nothing changed since the last publish" in second
    assert "0 probed, 1 cached" in second
    assert {p: p.stat().st_ino for p in out.rglob("*")} == before  # not even swapped


def test_publish_in_the_show_folder_has_nothing_to_do_the_second_time(
    small_show: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    """As the README has it: ``podpub publish`` in the show folder, output in ./public.
    The output folder is inside the show: it must not count as one of its inputs."""
    monkeypatch.chdir(small_show)
    assert main(["publish"]) == 0
    assert "1 probed, 0 cached" in capsys.readouterr().out

    assert main(["publish"]) == 0
    assert "Nothing changed since the last publish" in capsys.readouterr().out
    # the same folder spelled another way is the same show, with the same cache
    assert main(["publish", str(small_show)]) == 0
    assert "Nothing changed since the last publish" in capsys.readouterr().out
    assert main(["check"]) == 0
    assert main(["check"]) == 0
    (small_show / "episodes" / "ep1.yaml").touch()
    assert main(["publish", "."]) == 0
    second = capsys.readouterr().out
    assert "Nothing changed since" not in second and "0 probed, 1 cached" in second


def test_replaced_audio_file_is_probed_again(small_show: Path, tmp_path: Path, capsys):
    out = tmp_path / "public"
    publish(small_show, out)
    assert f'length="{(AUDIO / "tone.mp3").stat().st_size}"' in feed(out)
    audio = small_show / "audio" / "tone.mp3"
    replacement = small_show / "audio" / "new.mp3"
    shutil.copy(AUDIO / "tone-vbr.mp3", replacement)  # 2.56 s, another size
    os.replace(replacement, audio)  # a new file (another inode) under the old name
    capsys.readouterr()

    assert publish(small_show, out) == 0
    assert "1 probed, 0 cached" in capsys.readouterr().out
    assert f'length="{(AUDIO / "tone.mp3").stat().st_size}"' not in feed(out)
    assert f'length="{(AUDIO / "tone-vbr.mp3").stat().st_size}"' in feed(out)
    assert "(MP3, 3,4" in page(out)  # the download size on the page: 3,375 bytes now


def test_touched_descriptor_is_read_again(small_show: Path, tmp_path: Path):
    out = tmp_path / "public"
    publish(small_show, out)
    descriptor = small_show / "episodes" / "ep1.yaml"
    descriptor.write_text(episode("A corrected title"), encoding="utf-8")

    assert publish(small_show, out) == 0
    assert "A corrected title" in page(out)
    assert "A corrected title" in feed(out)
    assert "First episode" not in feed(out)


def test_edited_template_renders_every_page_again(small_show: Path, tmp_path: Path):
    with_episodes(small_show, 3)
    out = tmp_path / "public"
    publish(small_show, out)
    templates = small_show / "templates"
    templates.mkdir()
    (templates / "_footer.html").write_text(
        '<footer class="site-footer">Our own footer</footer>\n', encoding="utf-8"
    )

    assert publish(small_show, out) == 0
    pages = [out / "index.html", *(out / "episodes").glob("*/index.html")]
    assert len(pages) == 4
    assert all("Our own footer" in p.read_text(encoding="utf-8") for p in pages)

    (templates / "_footer.html").write_text(
        '<footer class="site-footer">Edited again</footer>\n', encoding="utf-8"
    )
    assert publish(small_show, out) == 0
    assert all("Edited again" in p.read_text(encoding="utf-8") for p in pages)


def test_a_partial_of_the_show_that_reads_site_keeps_every_page_current(
    small_show: Path, tmp_path: Path
):
    # A partial reached from every page (its own, and one it includes) reads the whole
    # site: an episode added far from ep1 must still reach ep1's page, which the cache
    # would otherwise keep (its own values and neighbours did not change).
    with_episodes(small_show, 3)
    templates = small_show / "templates"
    templates.mkdir()
    (templates / "_footer.html").write_text('{% include "_count.html" %}\n', encoding="utf-8")
    (templates / "_count.html").write_text(
        "<footer>{{ site.episodes|length }} episodes in all</footer>\n", encoding="utf-8"
    )
    out = tmp_path / "public"
    assert publish(small_show, out) == 0
    assert "3 episodes in all" in page(out, "ep1")

    with_episodes(small_show, 5)
    assert publish(small_show, out) == 0
    pages = [out / "index.html", *(out / "episodes").glob("*/index.html")]
    assert len(pages) == 6
    assert all("5 episodes in all" in p.read_text(encoding="utf-8") for p in pages)


def test_an_episode_edit_rerenders_its_neighbours_not_the_rest(
    small_show: Path, tmp_path: Path, capsys
):
    with_episodes(small_show, 5)
    out = tmp_path / "public"
    publish(small_show, out)
    untouched = out / "episodes" / "ep1" / "index.html"
    inode = untouched.stat().st_ino
    (small_show / "episodes" / "ep4.yaml").write_text(
        episode("Episode four, renamed", "audio/ep4.mp3", day=4), encoding="utf-8"
    )
    capsys.readouterr()

    assert publish(small_show, out) == 0
    assert "Episode four, renamed" in page(out, "ep4")
    assert "Episode four, renamed" in page(out, "ep3")  # its "next" link
    assert "Episode four, renamed" in page(out, "ep5")  # its "previous" link
    assert untouched.stat().st_ino == inode  # the same file, linked into the new site
    assert "reused" in capsys.readouterr().out


def test_an_episode_edit_rerenders_only_the_person_page_that_lists_it(
    small_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    with_episodes(small_show, 7)  # Emma Larbi hosts all seven: ep7-ep5 | ep4-ep2 | ep1
    (small_show / "show.yaml").write_text(MINIMAL_SHOW + "episodes_per_page: 3\n", encoding="utf-8")
    out = tmp_path / "public"
    assert publish(small_show, out) == 0
    people = out / "people"
    before = {p.relative_to(out): p.read_bytes() for p in people.rglob("*") if p.is_file()}
    pages = ["index.html", "page/2/index.html", "page/3/index.html"]
    assert sorted(map(str, before)) == sorted(f"people/emma-larbi/{page}" for page in pages)
    rendered: list[str] = []
    person_page = PageRenderer.person_page

    def spy(renderer: PageRenderer, page: PersonPage) -> bytes:
        data = person_page(renderer, page)  # not called when the page is unchanged
        rendered.append(page.path)
        return data

    monkeypatch.setattr(PageRenderer, "person_page", spy)
    (small_show / "episodes" / "ep4.yaml").write_text(
        episode("Episode four, renamed", "audio/ep4.mp3", day=4), encoding="utf-8"
    )

    assert publish(small_show, out, "--jobs", "1") == 0
    after = {p.relative_to(out): p.read_bytes() for p in people.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    changed = [str(rel) for rel in sorted(after) if after[rel] != before[rel]]
    assert changed == ["people/emma-larbi/page/2/index.html"]
    assert "Episode four, renamed" in after[Path(changed[0])].decode()
    assert rendered == changed  # the other pages were not even rendered again


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "code"])
def test_damaged_or_foreign_cache_is_ignored_and_rebuilt(
    small_show: Path, tmp_path: Path, damage: str, capsys
):
    out = tmp_path / "public"
    publish(small_show, out)
    probes = small_show / ".podpub" / "cache" / f"{PROBES}.pickle"
    data = probes.read_bytes()
    if damage == "garbage":
        probes.write_bytes(os.urandom(len(data)))
    elif damage == "truncated":
        probes.write_bytes(data[: len(data) // 2])
    elif damage == "foreign":  # another show's cache, copied over
        other = write_show(tmp_path / "other", {"ep1.yaml": MINIMAL_EPISODE})
        publish(other, tmp_path / "other-public")
        shutil.copy(other / ".podpub" / "cache" / f"{PROBES}.pickle", probes)
    else:  # written by another podpub (another code fingerprint)
        probes.write_bytes(data.replace(b'"code": "', b'"code": "0', 1))
    (small_show / "episodes" / "ep1.yaml").write_text(episode("Edited"), encoding="utf-8")
    capsys.readouterr()

    assert publish(small_show, out) == 0
    assert "1 probed, 0 cached" in capsys.readouterr().out  # the damaged stage was dropped
    assert "Edited" in page(out)
    assert probes.read_bytes().startswith(MAGIC)  # and written again, whole
    assert publish(small_show, out, "--no-cache") == 0


def test_cache_file_cannot_run_code(tmp_path: Path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    with pytest.raises(pickle.UnpicklingError):
        safe_loads(pickle.dumps(Evil()))
    assert not (tmp_path / "pwned").exists()


def test_content_changed_with_size_and_mtime_kept_is_caught_by_verify(
    small_show: Path, tmp_path: Path, capsys
):
    out = tmp_path / "public"
    descriptor = small_show / "episodes" / "ep1.yaml"
    descriptor.write_text(episode("Title AAAA"), encoding="utf-8")
    publish(small_show, out)
    st = descriptor.stat()
    with open(descriptor, "r+b") as handle:  # same file, same size: only the bytes change
        text = handle.read().replace(b"Title AAAA", b"Title BBBB")
        handle.seek(0)
        handle.write(text)
    os.utime(descriptor, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the time put back
    assert descriptor.stat().st_size == st.st_size
    assert descriptor.stat().st_ino == st.st_ino

    publish(small_show, out)  # the quick check cannot see it (as rsync cannot)
    assert "Title AAAA" in page(out)
    capsys.readouterr()

    assert publish(small_show, out, "--verify") == 0
    assert "Title BBBB" in page(out)
    assert "Title BBBB" in feed(out)


def test_no_cache_ignores_what_the_cache_says(small_show: Path, tmp_path: Path):
    out = tmp_path / "public"
    publish(small_show, out)
    # Make the cache lie: the probe of tone.mp3 says 99 seconds.
    cache = ShowCache(small_show, CacheOptions())
    stage = cache.stage(PROBES)
    ((key, (inputs, info)),) = stage.entries.items()
    stage.put(key, inputs, type(info)(**{**vars(info), "duration": 99.0}))
    cache.save()
    # Something to do that resolves the episode again (an unchanged show keeps its record).
    show_yaml = small_show / "show.yaml"
    show_yaml.write_text(show_yaml.read_text().replace("for tests.", "for tests, again."))

    assert publish(small_show, out) == 0
    assert "<itunes:duration>99</itunes:duration>" in feed(out)  # the cache is used…
    assert publish(small_show, out, "--no-cache") == 0
    assert "<itunes:duration>3</itunes:duration>" in feed(out)  # …and --no-cache ignores it


def many_episodes(folder: Path, count: int) -> Path:
    """A show big enough for the worker processes (more than 64 items per process)."""
    show = write_show(folder, {})
    for i in range(count):
        shutil.copy(
            AUDIO / ("tone.mp3", "tone.m4a", "tone.opus", "tone.flac")[i % 4],
            show / "audio" / f"{i:03d}{('.mp3', '.m4a', '.opus', '.flac')[i % 4]}",
        )
        text = episode(f"Episode {i}", f"audio/{i:03d}{('.mp3', '.m4a', '.opus', '.flac')[i % 4]}")
        text = text.replace("2023-06-02", f"2022-{1 + i // 28:02d}-{1 + i % 28:02d}")
        (show / "episodes" / f"e{i:03d}.yaml").write_text(text, encoding="utf-8")
    return show


def test_output_is_the_same_with_or_without_cache_and_workers(tmp_path: Path):
    show = many_episodes(tmp_path / "show", 150)
    cached, fresh, single = tmp_path / "cached", tmp_path / "fresh", tmp_path / "single"
    assert publish(show, cached) == 0  # cold, two workers where there are two CPUs
    (show / "episodes" / "e075.yaml").write_text(
        episode("Renamed", "audio/075.flac").replace("2023-06-02", "2022-03-20"),
        encoding="utf-8",
    )
    (show / "audio" / "012.mp3").unlink()
    shutil.copy(AUDIO / "tone-vbr.mp3", show / "audio" / "012.mp3")
    assert publish(show, cached, "--jobs", "2") == 0  # incremental, cached
    assert publish(show, fresh, "--no-cache", "--jobs", "2") == 0
    assert publish(show, single, "--no-cache", "--jobs", "1") == 0
    assert "Renamed" in page(cached, "e075")
    assert same_tree(cached, fresh) == []
    assert same_tree(fresh, single) == []


def test_scheduled_episode_is_published_when_its_day_comes(
    small_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    shutil.copy(AUDIO / "tone.mp3", small_show / "audio" / "later.mp3")
    (small_show / "episodes" / "later.yaml").write_text(
        episode("Scheduled", "audio/later.mp3").replace("2023-06-02", "2026-03-01"),
        encoding="utf-8",
    )
    out = tmp_path / "public"
    publish(small_show, out)
    publish(small_show, out)
    assert "Nothing changed" in capsys.readouterr().out
    assert not (out / "episodes" / "later").exists()

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp()) + 90 * 86400))
    assert publish(small_show, out) == 0
    assert "Nothing changed" not in capsys.readouterr().out
    assert "Scheduled" in page(out, "later")


def test_output_edited_by_hand_is_rebuilt_after_removal(small_show: Path, tmp_path: Path):
    out = tmp_path / "public"
    publish(small_show, out)
    shutil.rmtree(out)
    assert publish(small_show, out) == 0
    assert "First episode" in page(out)


def test_snapshot_sees_every_file_but_the_output_and_hidden_ones(small_show: Path):
    out = small_show / "public"
    (out / "x").mkdir(parents=True)
    (out / "x" / "page.html").write_text("old")
    (small_show / ".git").mkdir()
    (small_show / ".git" / "HEAD").write_text("ref")
    (small_show / "notes.txt").write_text("draft ideas")
    files = snapshot(small_show, out).files
    assert "notes.txt" in files and "episodes/ep1.yaml" in files and "audio/tone.mp3" in files
    assert not any(name.startswith((".git", "public")) for name in files)


def test_cache_folder_keeps_itself_out_of_git(small_show: Path, tmp_path: Path):
    publish(small_show, tmp_path / "public")
    assert (small_show / ".podpub" / ".gitignore").read_text().strip().endswith("*")
    header = next((small_show / ".podpub" / "cache").glob("*.pickle")).read_bytes()[:200]
    assert header.startswith(MAGIC)


def test_check_repeats_its_report_until_something_changes(small_show: Path, capsys):
    descriptor = small_show / "episodes" / "ep1.yaml"
    descriptor.write_text(episode("First").replace("title: First", "title: No"), encoding="utf-8")
    assert main(["check", str(small_show)]) == 1
    first = capsys.readouterr()
    assert "'No' as the boolean False" in first.out + first.err

    assert main(["check", str(small_show)]) == 1  # the same report, from the cache
    again = capsys.readouterr()
    assert again.out == first.out

    descriptor.write_text(episode("A fixed title"), encoding="utf-8")
    assert main(["check", str(small_show)]) == 0
    assert "'No' as the boolean False" not in capsys.readouterr().out


def test_verify_keeps_the_cache_useful_for_the_next_runs(small_show: Path, tmp_path: Path, capsys):
    out = tmp_path / "public"
    assert publish(small_show, out, "--verify") == 0
    assert "1 probed, 0 cached" in capsys.readouterr().out  # nothing hashed yet: read
    (small_show / "show.yaml").touch()
    assert publish(small_show, out, "--verify") == 0
    assert "0 probed, 1 cached" in capsys.readouterr().out  # same stamp, same hash
    (small_show / "show.yaml").touch()
    assert publish(small_show, out) == 0
    assert "0 probed, 1 cached" in capsys.readouterr().out  # and the quick check trusts it


# --- the standby site: an incremental publish writes only what changed -------------------


def retitle(show: Path, name: str, title: str) -> None:
    descriptor = show / "episodes" / f"{name}.yaml"
    lines = descriptor.read_text(encoding="utf-8").splitlines()
    descriptor.write_text(
        "\n".join(f"title: {title}" if line.startswith("title:") else line for line in lines)
        + "\n",
        encoding="utf-8",
    )


def standby_of(show: Path, out: Path) -> Path:
    """Where the standby of output ``out`` is kept: in the show's .podpub/ (output.py)."""
    return output_state(out.resolve(), show).standby


def inodes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_incremental_publishes_give_the_site_a_fresh_build_gives(tmp_path: Path, capsys):
    """Four edits in a row, each published with the cache (the replaced site kept and
    brought up to date next time): the site is byte for byte the one a publish without
    cache makes, and the pages no edit touched are the very files written at first."""
    show = with_episodes(write_show(tmp_path / "show"), 6)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    first = inodes(out)
    edits = (("ep2", "Two"), ("ep3", "Three"), ("ep2", "Two again"), ("ep1", "One"))
    for name, title in edits:
        retitle(show, name, title)
        assert publish(show, out) == 0
        assert f"title: {title}" in (show / "episodes" / f"{name}.yaml").read_text()
    assert standby_of(show, out).is_dir()  # the site before, kept for next time
    assert "Two again" in page(out, "ep2") and "Two again" in feed(out)

    fresh = tmp_path / "fresh"
    assert publish(show, fresh, "--no-cache") == 0
    assert same_tree(out, fresh) == []
    # ep6 (newest) is no neighbour of an edited episode: its page was never written again
    assert inodes(out)["episodes/ep6/index.html"] == first["episodes/ep6/index.html"]
    assert "written" in capsys.readouterr().out


def test_files_added_or_edited_by_hand_in_the_site_do_not_come_back(tmp_path: Path):
    """The replaced site becomes the standby: what a person added to it, or changed in
    it in place, must not reach a later site through it."""
    show = with_episodes(write_show(tmp_path / "show"), 3)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    retitle(show, "ep1", "One")
    assert publish(show, out) == 0  # the first site is now the standby
    (out / "stray.html").write_text("added by hand")
    (out / "episodes" / "ep3" / "notes.txt").write_text("added by hand")
    original = (out / "episodes" / "ep3" / "index.html").read_bytes()
    with open(out / "episodes" / "ep3" / "index.html", "r+b") as handle:  # same size, in place
        handle.write(original[:20].upper())
    for title in ("One again", "One more time"):  # the edited site is the standby, then live
        retitle(show, "ep1", title)
        assert publish(show, out) == 0
    fresh = tmp_path / "fresh"
    assert publish(show, fresh, "--no-cache") == 0
    assert same_tree(out, fresh) == []
    assert not (out / "stray.html").exists()


# podpub's CLI on a platform whose os module has no O_DIRECTORY and stats no file
# relative to a folder's descriptor (Windows): the standby is then looked at by whole paths
_WITHOUT_FOLDER_DESCRIPTORS = """
import os, sys
del os.O_DIRECTORY
os.supports_dir_fd.discard(os.stat)
from podpub.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_folder_descriptors_edits_by_hand_still_do_not_come_back(tmp_path: Path):
    """The standby's files are stat'ed relative to the staging folder where the platform
    can; where it cannot, every path is stat'ed whole, and a hand edit of the live site
    is caught all the same."""
    import subprocess
    import sys

    def publish_there(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _WITHOUT_FOLDER_DESCRIPTORS, "publish", *args, "--quiet"],
            capture_output=True,
            text=True,
            timeout=120,
        )

    show = with_episodes(write_show(tmp_path / "show"), 3)
    out = tmp_path / "public"
    for title in (None, "One"):  # the second publish makes the first site the standby
        if title:
            retitle(show, "ep1", title)
        result = publish_there(str(show), "--out", str(out))
        assert result.returncode == 0, result.stderr
    page = out / "episodes" / "ep3" / "index.html"
    original = page.read_bytes()
    with open(page, "r+b") as handle:  # same size, in place
        handle.write(original[:20].upper())
    for title in ("One again", "One more time"):  # the edited site is the standby, then live
        retitle(show, "ep1", title)
        result = publish_there(str(show), "--out", str(out))
        assert result.returncode == 0, result.stderr
    fresh = tmp_path / "fresh"
    assert publish(show, fresh, "--no-cache") == 0
    assert same_tree(out, fresh) == []
    assert page.read_bytes() == original


def test_a_publish_that_fails_late_leaves_the_site_and_the_next_run_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A publish stopped after it brought the standby partly up to date: the live site is
    untouched, and the next publish (with a standby no longer there) is whole."""
    from podpub.write import safety

    show = with_episodes(write_show(tmp_path / "show"), 4)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    retitle(show, "ep1", "One")
    assert publish(show, out) == 0
    before = {rel: (out / rel).read_bytes() for rel in inodes(out)}

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stopped before the swap")

    retitle(show, "ep2", "Two")
    with monkeypatch.context() as patch:
        patch.setattr(safety, "verify_staged", broken)
        assert publish(show, out) == 3  # a bug's exit status: nothing swapped in
    assert {rel: (out / rel).read_bytes() for rel in inodes(out)} == before
    assert publish(show, out) == 0
    fresh = tmp_path / "fresh"
    assert publish(show, fresh, "--no-cache") == 0
    assert same_tree(out, fresh) == []


def test_a_person_link_given_in_another_episode_reaches_every_episode(tmp_path: Path):
    """An episode's record is kept while its descriptor is unchanged, but a person's link
    can come from any episode: removing it from ep2 must remove it from ep1's page."""
    show = with_episodes(write_show(tmp_path / "show"), 2)
    credit = "credits:\n  - role: Réalisation\n    people:\n      - name: Lucas Fontaine\n"
    with_url = credit + "        url: https://lucas.example.org/\n"
    (show / "episodes" / "ep1.yaml").write_text(episode("One", "audio/ep1.mp3", 1) + credit)
    (show / "episodes" / "ep2.yaml").write_text(episode("Two", "audio/ep2.mp3", 2) + with_url)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    assert "https://lucas.example.org/" in page(out, "ep1")
    (show / "episodes" / "ep2.yaml").write_text(episode("Two", "audio/ep2.mp3", 2) + credit)
    assert publish(show, out) == 0
    assert "https://lucas.example.org/" not in page(out, "ep1")
    assert "https://lucas.example.org/" not in feed(out)


def test_an_edited_transcript_file_reaches_its_page(small_show: Path, tmp_path: Path):
    """The page shows the transcript's text: a new text in the same file (the descriptor
    untouched) is on the page after the next publish."""
    vtt = small_show / "episodes" / "ep1.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Emma Larbi>Bonjour à tous.\n")
    descriptor = small_show / "episodes" / "ep1.yaml"
    descriptor.write_text(MINIMAL_EPISODE + "transcripts:\n  - file: episodes/ep1.vtt\n")
    out = tmp_path / "public"
    assert publish(small_show, out) == 0
    assert "Bonjour à tous." in page(out)
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Emma Larbi>Bonsoir à tous.\n")
    assert publish(small_show, out) == 0
    assert "Bonsoir à tous." in page(out) and "Bonjour" not in page(out)


def test_an_alternate_audio_file_replaced_in_place_is_probed_again(
    small_show: Path, tmp_path: Path
):
    """An alternate enclosure's file is one the kept record is made of, though it lies
    deep in the record (its optional tags): another file saved under its name (the
    descriptor untouched) is published with its own length and type."""
    descriptor = small_show / "episodes" / "ep1.yaml"
    alternate = small_show / "audio" / "alt.mp3"
    shutil.copy(AUDIO / "tone-vbr.mp3", alternate)
    descriptor.write_text(MINIMAL_EPISODE + "alternate_audio: [audio/alt.mp3]\n")
    out = tmp_path / "public"
    assert publish(small_show, out) == 0
    first, second = (AUDIO / "tone-vbr.mp3").stat().st_size, (AUDIO / "tone.mp3").stat().st_size
    assert first != second and f'length="{first}"' in feed(out)
    shutil.copy(AUDIO / "tone.mp3", alternate)
    assert publish(small_show, out) == 0
    assert f'length="{second}"' in feed(out) and f'length="{first}"' not in feed(out)
    assert (out / "audio" / "alt.mp3").read_bytes() == alternate.read_bytes()


def test_a_big_stage_is_kept_in_shards_and_only_changed_shards_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A stage of many entries (10,000 episodes' records) is split in shard files: an
    edit rewrites the shard holding it, a damaged shard loses only its own entries,
    and the site is the one a fresh build gives throughout."""
    from podpub.build import store as cache

    monkeypatch.setattr(cache, "SHARD_FROM", 4)  # the test show's 12 records are "many"
    show = with_episodes(write_show(tmp_path / "show"), 12)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    folder = show / ".podpub" / "cache"
    shards = sorted(folder.glob("resolved.*.pickle"))
    # one file per shard holding a record (none for an empty shard), no single file
    expected = {
        f"resolved.{cache.shard_of(f'episodes/ep{i}.yaml'):02d}.pickle" for i in range(1, 13)
    }
    assert {p.name for p in shards} == expected and not (folder / "resolved.pickle").exists()
    entries = ShowCache(show, CacheOptions()).stage("resolved").entries
    assert sorted(entries) == [f"episodes/ep{i}.yaml" for i in sorted(range(1, 13), key=str)]

    before = {p.name: p.stat().st_mtime_ns for p in shards}
    retitle(show, "ep7", "Sept")
    assert publish(show, out) == 0
    after = {p.name: p.stat().st_mtime_ns for p in sorted(folder.glob("resolved.*.pickle"))}
    rewritten = {name for name in after if after[name] != before[name]}
    assert rewritten == {f"resolved.{cache.shard_of('episodes/ep7.yaml'):02d}.pickle"}

    (folder / sorted(rewritten)[0]).write_bytes(b"not a pickle")  # damaged: ignored
    retitle(show, "ep3", "Trois")
    assert publish(show, out) == 0
    fresh = tmp_path / "fresh"
    assert publish(show, fresh, "--no-cache") == 0
    assert same_tree(out, fresh) == []
    assert "Sept" in page(out, "ep7") and "Trois" in page(out, "ep3")


def test_kept_files_follow_keep_through_the_standby(tmp_path: Path):
    """A file the producer keeps in the output survives cached publishes (through the
    standby) and goes once show.yaml no longer keeps it."""
    show = with_episodes(write_show(tmp_path / "show"), 2)
    show_yaml = show / "show.yaml"
    plain = show_yaml.read_text()
    show_yaml.write_text(plain + "keep:\n  - google1234.html\n")
    out = tmp_path / "public"
    assert publish(show, out) == 0
    (out / "google1234.html").write_text("google-site-verification")
    (out / "CNAME").write_text("podcast.example.org\n")
    for title in ("One", "One again", "One more time"):  # the standby is used from the 3rd
        retitle(show, "ep1", title)
        assert publish(show, out) == 0
        assert (out / "google1234.html").read_text() == "google-site-verification"
    (out / "CNAME").write_text("www.example.org\n")  # edited in place: the new text is kept
    show_yaml.write_text(plain)  # no longer kept
    for title in ("Un", "Uno"):
        retitle(show, "ep1", title)
        assert publish(show, out) == 0
    assert not (out / "google1234.html").exists()
    assert (out / "CNAME").read_text() == "www.example.org\n"


def test_what_kept_records_were_made_from_outlives_an_incremental_publish(tmp_path: Path, capsys):
    """An edit keeps the other episodes' records whole, so their audio is not probed
    and their Markdown not rendered in that run; both stay in the cache all the same,
    and the next show-wide change (show.yaml edited: every record made again) probes
    no audio file again."""
    show = with_episodes(write_show(tmp_path / "show"), 3)
    for name in ("ep1", "ep3"):
        descriptor = show / "episodes" / f"{name}.yaml"
        text = descriptor.read_text(encoding="utf-8")
        descriptor.write_text(text + f"summary: The *{name}* summary.\n", encoding="utf-8")
    out = tmp_path / "public"
    assert publish(show, out) == 0
    retitle(show, "ep2", "Two")
    assert publish(show, out) == 0
    markdown = ShowCache(show, CacheOptions()).stage("markdown").entries
    rendered = "".join(html for _, html in markdown.values())
    assert "<em>ep1</em>" in rendered and "<em>ep3</em>" in rendered

    show_yaml = show / "show.yaml"
    show_yaml.write_text(
        show_yaml.read_text(encoding="utf-8").replace("author: Test", "author: Another"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert publish(show, out) == 0
    assert "3 published; 0 probed, 3 cached" in capsys.readouterr().out
    assert "<em>ep1</em>" in page(out, "ep1")


def test_a_sharded_stage_reads_only_the_shards_asked_for_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A run that asks for one key reads one shard file; what it puts lands in its
    shard beside the entries it never asked for; a later full read sees them all."""
    from podpub.build import store as cache

    monkeypatch.setattr(cache, "SHARD_FROM", 4)
    show = write_show(tmp_path / "show")
    first = ShowCache(show, CacheOptions())
    stage = first.stage("memo")
    for i in range(64):
        stage.put(f"text {i}", "v1", f"html {i}")
    first.save()

    second = ShowCache(show, CacheOptions())
    stage = second.stage("memo")
    assert stage.get("text 5", "v1") == "html 5"
    written = list((show / ".podpub" / "cache").glob("memo.*.pickle"))
    assert len(written) > 8 and len(stage.pending) == len(written) - 1  # one file read
    neighbour = next(f"new {i}" for i in range(100) if shard_of(f"new {i}") != shard_of("text 5"))
    stage.put(neighbour, "v1", "fresh")
    stage.put("text 5", "v1", "html 5, again")
    second.save(prune=["memo"])

    everything = ShowCache(show, CacheOptions()).stage("memo").entries
    assert everything[neighbour] == ("v1", "fresh")
    assert everything["text 5"] == ("v1", "html 5, again")
    # pruned: what this run did not ask for in the shards it read; the shards it did
    # not read are kept whole
    read = {shard_of("text 5"), shard_of(neighbour)}
    kept = {f"text {i}" for i in range(64) if shard_of(f"text {i}") not in read}
    assert {k for k in everything if k.startswith("text ")} == kept | {"text 5"}
    assert len(kept) > 40


def test_a_lost_document_is_read_again_from_its_descriptor(tmp_path: Path):
    """Descriptors found unchanged keep their document in the cache's documents stage,
    read only when an episode must be resolved again (here: show.yaml edited). Damaged,
    it is ignored and the descriptor read again: the site is the one a fresh build gives."""
    show = with_episodes(write_show(tmp_path / "show"), 3)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    documents = show / ".podpub" / "cache" / "documents.pickle"
    assert documents.is_file()
    documents.write_bytes(b"not a pickle")
    show_yaml = show / "show.yaml"
    show_yaml.write_text(
        show_yaml.read_text(encoding="utf-8").replace("author: Test", "author: Another"),
        encoding="utf-8",
    )
    assert publish(show, out) == 0
    fresh = tmp_path / "fresh"
    assert publish(show, fresh, "--no-cache") == 0
    assert same_tree(out, fresh) == []
    assert "Another" in feed(out)


def test_the_first_publish_leaves_a_standby_of_hard_links(tmp_path: Path):
    """A first publish replaces no site, so it keeps a copy of its own as the standby
    (hard links: no data copied), and the next publish brings up to date only what
    changed. The copy shares its files with the live site: one edited there in place
    changes in the standby too, and must still not come back."""
    show = with_episodes(write_show(tmp_path / "show"), 3)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    standby = standby_of(show, out)
    assert inodes(standby) == inodes(out)  # the very files of the site

    hand_edited = out / "episodes" / "ep3" / "index.html"
    with hand_edited.open("a", encoding="utf-8") as handle:
        handle.write("<!-- edited by hand -->")
    retitle(show, "ep1", "One")
    assert publish(show, out) == 0
    fresh = tmp_path / "fresh"
    assert publish(show, fresh, "--no-cache") == 0
    assert same_tree(out, fresh) == []
    assert "One" in page(out, "ep1")


def test_a_record_read_back_with_its_page_fields_deferred_is_the_same_record(
    small_show: Path,
):
    """Records kept by the cache leave their contents (texts, headlines, chapters,
    people, audio) pickled until read: what any step reads of one is what it holds."""
    import dataclasses

    from podpub.build.kept import CONTENT_FIELDS, lend, pack
    from podpub.write.publish import PublishOptions, check

    (record,) = check(small_show, PublishOptions(now=NOW)).episodes
    packed = pack(record)
    kept = lend(packed.index, packed.contents)
    assert not set(CONTENT_FIELDS) & set(kept.__dict__)  # nothing read yet
    assert type(record) is EpisodeRecord  # what a run without a cache makes: plain
    assert kept == record and record == kept and hash(kept) == hash(record)
    for name in record.__dataclass_fields__:
        assert getattr(kept, name) == getattr(record, name), name
    assert [h.title for h in kept.headlines] == ["One", "Two"]

    renamed = dataclasses.replace(lend(packed.index, packed.contents), title="New")
    assert renamed.title == "New" and renamed.chapters == record.chapters
    assert renamed != record
    assert safe_loads(pickle.dumps(kept)) == record  # what a cache file gives back
