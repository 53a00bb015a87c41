"""A warm rebuild (serve's preview, build/rebuild.py) after one edit visits what the edit
reaches, not every file of the site: the last rebuild's list of the site's files (its
episode files, its episode pages) is taken whole and made again only where the edit
changed an episode, and the files it staged and the edit did not reach are kept from
the trusted standby wholesale, with no look at each. Real rebuilds of a generated show
(``--jobs 1``, so the work can be counted); after each of a run of edits of every kind
(a title, a transcript added and then edited, chapters removed, an audio file replaced
or only touched), the preview is, byte for byte, what a publish without cache makes.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.build.engine import Engine
from podpub.serve.preview import PreviewBuilder, preview_folder
from podpub.write.publish import PublishOptions, publish

from conftest import (
    AUDIO,
    PREVIEW_URL,
    dated_episode,
    dated_show,
    rebuilt_and_saved,
    retitle_dated,
    tree,
)

URL = PREVIEW_URL
EPISODES = 60  # each with its own audio and a chapters JSON and WebVTT file


pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return dated_show(tmp_path / "show", EPISODES, "episodes_per_page: 20\n")


@pytest.fixture
def visited(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """What the rebuilds visited one by one: the files whose standby copy was looked at
    (engine's ``_keep_unchanged``) and the renders keyed as last time (one each)."""
    seen: Counter[str] = Counter()
    look, as_last = Engine._keep_unchanged, Engine.renders_as_last

    def looked(engine: Engine, staging: Any, files: Any, previous: Any) -> Any:
        seen["looked at"] += len(files)
        return look(engine, staging, files, previous)

    def keyed_as_last(engine: Engine, rels: Any, renders: Any) -> Any:
        seen["keyed as last time"] += len(rels)
        return as_last(engine, rels, renders)

    monkeypatch.setattr(Engine, "_keep_unchanged", looked)
    monkeypatch.setattr(Engine, "renders_as_last", keyed_as_last)
    yield seen


def rebuilt(builder: PreviewBuilder, *paths: Path) -> list[str]:
    """Rebuild after ``paths`` were saved, then save, as serve does: the files changed."""
    return list(rebuilt_and_saved(builder, *paths).changed)


def test_an_edit_visits_what_it_reaches_not_every_file(
    show: Path, builder: PreviewBuilder, visited: Counter[str]
) -> None:
    """Two titles changed in turn (the second rebuild starts from the first's plan): each
    rebuild looks at fewer files than the show has episodes (the site has five files an
    episode), and keys none of the others as last time one by one."""
    for number, title in [(30, "Renamed"), (7, "Renamed too")]:
        visited.clear()
        retitle_dated(show, number, title)
        changed = rebuilt(builder, show / "episodes" / f"ep{number}.yaml")
        assert f"episodes/ep{number}/index.html" in changed
        assert visited["looked at"] < EPISODES, visited
        assert visited["keyed as last time"] == 0, visited


def test_warm_rebuilds_after_edits_of_every_kind_make_the_bytes_of_a_fresh_build(
    show: Path, builder: PreviewBuilder, tmp_path: Path, visited: Counter[str]
) -> None:
    """Each edit's rebuild makes the site a publish without cache makes; one that
    changed a title looks at fewer files than there are episodes, also after an edit
    that made the rebuild look at every file (chapters dropped, a media file saved)."""
    episodes, audio = show / "episodes", show / "audio"
    vtt = episodes / "ep20.vtt"

    def add_transcript() -> list[Path]:
        vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Emma Larbi>Bonjour.\n")
        descriptor = episodes / "ep20.yaml"
        descriptor.write_text(dated_episode(20) + "transcripts:\n  - file: episodes/ep20.vtt\n")
        return [descriptor, vtt]

    def edit_transcript() -> list[Path]:
        vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Emma Larbi>Bonsoir.\n")
        return [vtt]

    def drop_chapters() -> list[Path]:  # two files fewer: the plan's places move
        descriptor = episodes / "ep12.yaml"
        descriptor.write_text(dated_episode(12).split("headlines:")[0])
        return [descriptor]

    def credit_another() -> list[Path]:  # a person page added, another's pages change
        descriptor = episodes / "ep44.yaml"
        descriptor.write_text(
            dated_episode(44).replace("- Emma Larbi", "- Emma Larbi\n  - Jean Dupont")
        )
        return [descriptor]

    def replace_audio() -> list[Path]:  # another file at the same path, descriptor untouched
        target = audio / "ep33.mp3"
        target.unlink()
        shutil.copy(AUDIO / "tone-vbr.mp3", target)
        return [target]

    def touch_audio() -> list[Path]:  # the same bytes, another stamp
        target = audio / "ep41.mp3"
        os.utime(target, ns=(1_000_000_000, 1_000_000_000))
        return [target]

    retitled: list[Callable[[], list[Path]]] = []

    def retitle(number: int, title: str) -> Callable[[], list[Path]]:
        def edit() -> list[Path]:
            retitle_dated(show, number, title)
            return [episodes / f"ep{number}.yaml"]

        retitled.append(edit)
        return edit

    edits = [
        retitle(5, "Five"),
        retitle(40, "Forty"),
        retitle(5, "Five again"),
        add_transcript,
        edit_transcript,
        retitle(21, "Beside the transcript"),
        drop_chapters,
        retitle(13, "Beside the dropped chapters"),
        credit_another,
        retitle(45, "Beside the guest"),
        replace_audio,
        touch_audio,
        retitle(60, "The newest"),
    ]
    for number, edit in enumerate(edits):
        visited.clear()
        saved = edit()
        changed = rebuilt(builder, *saved)
        assert changed, edit
        if edit in retitled:  # the others may make the site's list again: rarer edits
            assert visited["looked at"] < EPISODES, (edit, visited)
        fresh = tmp_path / f"fresh-{number}"
        publish(show, PublishOptions(out=fresh, base_url=URL))  # no cache, no workers
        assert tree(preview_folder(show)) == tree(fresh), edit
    page = tree(preview_folder(show))["episodes/ep20/index.html"]
    assert b"Bonsoir." in page and b"Bonjour." not in page


def test_edits_in_a_row_compare_the_standby_where_the_last_rebuild_looked_only(
    show: Path, builder: PreviewBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edits saved one after another, as a producer edits in serve: from the second
    rebuild on, the standby is the site before the last one, which differs from the
    last only where the last rebuild looked, so the standby's 300 entries are taken
    whole and only those places compared (``Engine._keep_all_but``). The preview stays,
    byte for byte, what a publish without cache makes (feed pages and sitemap too),
    also when a file of the site is renamed (a transcript's): the old one is gone."""
    taken: list[int] = []
    keep_all_but = Engine._keep_all_but

    def counted(engine: Engine, staging: Any, plan: Any, places: Any, *rest: Any) -> Any:
        taken.append(len(places))
        return keep_all_but(engine, staging, plan, places, *rest)

    monkeypatch.setattr(Engine, "_keep_all_but", counted)
    episodes = show / "episodes"

    def retitle(number: int, title: str) -> list[Path]:
        retitle_dated(show, number, title)
        return [episodes / f"ep{number}.yaml"]

    def transcript(name: str) -> list[Path]:  # episode 30's transcript, in a file so named
        (episodes / name).write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Emma>Salut.\n")
        descriptor = episodes / "ep30.yaml"
        descriptor.write_text(dated_episode(30) + f"transcripts:\n  - file: episodes/{name}\n")
        return [descriptor, episodes / name]

    edits: list[Callable[[], list[Path]]] = [
        lambda: retitle(10, "Ten"),
        lambda: retitle(11, "Beside ten"),
        lambda: retitle(10, "Ten again"),
        lambda: transcript("ep30.vtt"),  # a file more: the whole list made again
        lambda: retitle(60, "Newest"),
        lambda: transcript("ep30-fr.vtt"),  # the same place, another name
        lambda: retitle(1, "Oldest"),
    ]
    whole: list[int] = []  # the edits whose rebuild took the standby whole
    for number, edit in enumerate(edits):
        before = len(taken)
        assert rebuilt(builder, *edit())
        if len(taken) > before:
            whole.append(number)
        fresh = tmp_path / f"fresh-{number}"
        publish(show, PublishOptions(out=fresh, base_url=URL))  # no cache, no workers
        assert tree(preview_folder(show)) == tree(fresh), number
    assert "episodes/ep30/ep30.vtt" not in tree(preview_folder(show))
    # the first rebuild too (serve prepared the standby as the live site, which its
    # plan is told: engine._plan_on_prepared); not the one adding a file, nor the next
    # (its plan is new)
    assert whole == [0, 1, 2, 5, 6], (whole, taken)
    assert all(0 < looked < EPISODES for looked in taken), taken


def test_saves_of_every_kind_are_told_to_the_steps_that_compared_every_stamp(
    show: Path, builder: PreviewBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm rebuild is told which files the watcher saw saved (``ShowCache.told_since``):
    the last resolve's stamps, the episodes folder's listing, the media sources of the
    last rebuild's plan, the transcripts' stamps and the linked-media note look at those
    only. After saves of every kind in a row (a file saved as it was, an episode made
    and then removed, an audio file replaced, another rewritten with the same length
    and duration, an alternate audio added, a date moved, a template of the show made
    and then changed), the preview is, byte for
    byte, what a publish without cache makes; the episodes folder is listed again only
    when an episode was made or removed (or the whole show resolved again)."""
    from podpub.resolve import resolver

    listed: list[Path] = []
    visible_names = resolver._visible_names

    def listing(show_dir: Path) -> Any:
        listed.append(show_dir)
        return visible_names(show_dir)

    monkeypatch.setattr(resolver, "_visible_names", listing)
    episodes, audio = show / "episodes", show / "audio"

    def retitle(number: int, title: str) -> list[Path]:
        retitle_dated(show, number, title)
        return [episodes / f"ep{number}.yaml"]

    def saved_as_it_was(number: int) -> list[Path]:
        path = episodes / f"ep{number}.yaml"
        path.write_bytes(path.read_bytes())
        return [path]

    def made(number: int) -> list[Path]:
        shutil.copy(AUDIO / "tone.mp3", audio / f"ep{number}.mp3")
        (episodes / f"ep{number}.yaml").write_text(dated_episode(number))
        return [episodes / f"ep{number}.yaml", audio / f"ep{number}.mp3"]

    def removed(number: int) -> list[Path]:
        (episodes / f"ep{number}.yaml").unlink()
        return [episodes / f"ep{number}.yaml"]

    def audio_replaced(number: int) -> list[Path]:
        shutil.copy(AUDIO / "tone-vbr.mp3", audio / f"ep{number}.mp3")
        return [audio / f"ep{number}.mp3"]

    def audio_rewritten(number: int) -> list[Path]:
        # other bytes of the same length and duration (the record stays the same),
        # saved as an editor saves: a new file renamed over the old one
        data = bytearray((AUDIO / "tone.mp3").read_bytes())
        data[len(data) // 2] ^= 0xFF
        temporary = audio / f".ep{number}.mp3.part"
        temporary.write_bytes(bytes(data))
        os.replace(temporary, audio / f"ep{number}.mp3")
        return [audio / f"ep{number}.mp3"]

    def alternate_added(number: int) -> list[Path]:
        shutil.copy(AUDIO / "tone-vbr.mp3", audio / "alt.mp3")
        descriptor = episodes / f"ep{number}.yaml"
        descriptor.write_text(dated_episode(number) + "alternate_audio: [audio/alt.mp3]\n")
        return [descriptor, audio / "alt.mp3"]

    def date_moved(number: int) -> list[Path]:
        descriptor = episodes / f"ep{number}.yaml"
        text = dated_episode(number).replace("2022-02-10", "2022-03-15")
        assert text != dated_episode(number)
        descriptor.write_text(text)
        return [descriptor]

    def footer(text: str) -> list[Path]:  # the show's own partial, over the theme's
        (show / "templates").mkdir(exist_ok=True)
        (show / "templates" / "_footer.html").write_text(f"<footer>{text}</footer>\n")
        return [show / "templates" / "_footer.html"]

    edits: list[Callable[[], list[Path]]] = [
        lambda: retitle(10, "Ten"),
        lambda: saved_as_it_was(11),
        lambda: made(61),  # listed
        lambda: audio_replaced(20),
        lambda: audio_rewritten(21),
        lambda: alternate_added(30),
        lambda: date_moved(40),
        lambda: removed(61),  # listed
        lambda: retitle(12, "Twelve"),
        lambda: footer("Made by hand"),  # every page made again
        lambda: footer("Made again"),  # and again: the templates' stamps changed
    ]
    listed_by: list[int] = []  # the edits whose rebuild listed the episodes folder
    for number, edit in enumerate(edits):
        before = len(listed)
        assert rebuilt(builder, *edit()) is not None
        listed_by += [number] * (len(listed) - before)
        fresh = tmp_path / f"fresh-{number}"
        publish(show, PublishOptions(out=fresh, base_url=URL))  # no cache, no workers
        assert tree(preview_folder(show)) == tree(fresh), number
    site = tree(preview_folder(show))
    assert "episodes/ep61/index.html" not in site and "audio/alt.mp3" in site
    assert site["audio/ep21.mp3"] == (audio / "ep21.mp3").read_bytes()
    assert b"<footer>Made again</footer>" in site["index.html"]
    length = (AUDIO / "tone-vbr.mp3").stat().st_size
    assert f'length="{length}"'.encode() in site["feed.xml"]
    # listed where an episode was made or removed, and by the full resolve after the
    # date moved (the schedule changed); never for an edit of an existing descriptor
    assert set(listed_by) == {2, 6, 7}, listed_by
    # a save refused (a broken descriptor) with another one beside it, then the fix
    # alone: the other save is in the site too (the watcher does not name it again)
    broken, beside = episodes / "ep13.yaml", episodes / "ep14.yaml"
    broken.write_text("title: [\n")
    retitle_dated(show, 14, "Fourteen")
    assert not builder.rebuild([broken, beside]).ok
    broken.write_text(dated_episode(13))
    assert rebuilt(builder, broken) is not None
    publish(show, PublishOptions(out=tmp_path / "fresh-fixed", base_url=URL))
    site = tree(preview_folder(show))
    assert site == tree(tmp_path / "fresh-fixed")
    assert b"Fourteen" in site["episodes/ep14/index.html"]
