"""A page is keyed before it renders: an edit renders exactly the pages that show it.

Real publishes of real shows (``podpub publish``, in process with ``--jobs 1`` so the
renders can be counted): what is counted is each page function the site calls, started
and finished, and what is checked is what a reader gets on disk.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.cli import main
from podpub.site import people
from podpub.site.render import PageRenderer, show_page_path

from conftest import AUDIO, MINIMAL_SHOW, NOW, dated_episode, write_show


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def publish(show: Path, out: Path) -> int:
    return main(["publish", str(show), "--out", str(out), "--jobs", "1"])


episode = dated_episode  # conftest: a day apart from 2 January 2022


def show_of(folder: Path, count: int, per_page: int) -> Path:
    """ep1 … epN (Emma Larbi hosts them all), ``per_page`` episodes a page."""
    show = write_show(
        folder,
        {f"ep{i}.yaml": episode(i) for i in range(1, count + 1)},
        MINIMAL_SHOW + f"episodes_per_page: {per_page}\n",
    )
    for i in range(1, count + 1):
        shutil.copy(AUDIO / "tone.mp3", show / "audio" / f"ep{i}.mp3")
    return show


def files_of(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.html") if p.is_file()}


class Renders:
    """The pages whose render started, and those whose render finished."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []

    def spy(self, method: Any, path_of: Any) -> Any:
        renders = self

        def spied(renderer: PageRenderer, *args: Any) -> bytes:
            rel = path_of(renderer, *args)
            renders.started.append(rel)
            data = method(renderer, *args)
            renders.finished.append(rel)
            return data  # type: ignore[no-any-return]

        return spied


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[Renders]:
    """Every page function of the site, spied on (the run stays in this process)."""
    seen = Renders()
    pages = {
        "show_page": lambda r, number=1: show_page_path(number),
        "episode_page": lambda r, index: r.site.episodes[index].page_path,
        "person_page": lambda r, page: page.path,
        "not_found_page": lambda r: "404.html",
        "redirect_page": lambda r, old, new: f"{old}index.html",
    }
    for name, path_of in pages.items():
        monkeypatch.setattr(PageRenderer, name, seen.spy(getattr(PageRenderer, name), path_of))
    yield seen


def test_a_title_edit_renders_its_page_its_neighbours_and_the_pages_listing_it(
    tmp_path: Path, renders: Renders
):
    show = show_of(tmp_path / "show", 300, per_page=20)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    before = files_of(out)
    renders.started.clear()
    renders.finished.clear()
    # newest first: ep150 is the 151st episode, on the 8th page of 20 (show's and Emma's)
    (show / "episodes" / "ep150.yaml").write_text(episode(150, "Renamed"), encoding="utf-8")

    assert publish(show, out) == 0
    after = files_of(out)
    expected = {
        "episodes/ep150/index.html",
        "episodes/ep149/index.html",  # its "next" link names ep150
        "episodes/ep151/index.html",  # its "previous" link
        "page/8/index.html",
        "people/emma-larbi/page/8/index.html",
    }
    assert sorted(renders.started) == sorted(expected)
    assert renders.finished == renders.started  # no render started, then abandoned
    assert after.keys() == before.keys()
    assert {rel for rel in after if after[rel] != before[rel]} == expected
    assert all(b"Renamed" in after[rel] for rel in expected)


SITE_READING_INDEX = """\
{#- a show's own show page that reads the whole site -#}
<!doctype html><html lang="{{ lang }}"><title>{{ show.title }}</title>
<p>Page {{ page_number }}; the first episode of all: {{ site.episodes[-1].title }}</p>
</html>
"""


def test_a_show_template_reading_site_is_rendered_again_after_any_edit(
    tmp_path: Path, renders: Renders
):
    show = show_of(tmp_path / "show", 7, per_page=3)  # ep7-ep5 | ep4-ep2 | ep1
    (show / "templates").mkdir()
    (show / "templates" / "index.html").write_text(SITE_READING_INDEX, encoding="utf-8")
    out = tmp_path / "public"
    assert publish(show, out) == 0
    assert "the first episode of all: Episode 1" in (out / "index.html").read_text()
    renders.started.clear()
    (show / "episodes" / "ep1.yaml").write_text(episode(1, "Renamed"), encoding="utf-8")

    assert publish(show, out) == 0
    for number in (1, 2, 3):  # page 1 and 2 do not list ep1, but read it through ``site``
        assert "the first episode of all: Renamed" in (out / show_page_path(number)).read_text()
    assert {"index.html", "page/2/index.html", "page/3/index.html"} <= set(renders.started)
    assert "episodes/ep4/index.html" not in renders.started  # the theme's do not read it


@pytest.fixture
def credits_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The episodes whose credits the person pages read, by title (people.py)."""
    read: list[str] = []
    held = people._held

    def spied(episode: Any) -> Any:
        read.append(episode.title)
        return held(episode)

    monkeypatch.setattr(people, "_held", spied)
    return read


def test_a_title_edit_reads_the_credits_of_that_episode_only(
    tmp_path: Path, credits_read: list[str]
):
    show = show_of(tmp_path / "show", 60, per_page=20)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    assert len(credits_read) == 60  # the first publish reads them all
    credits_read.clear()
    (show / "episodes" / "ep30.yaml").write_text(episode(30, "Renamed"), encoding="utf-8")

    assert publish(show, out) == 0
    # who is credited where is the last run's, brought up to date with one episode
    assert credits_read == ["Renamed"]
    assert "Renamed" in (out / "people/emma-larbi/page/2/index.html").read_text()


def test_person_pages_after_a_credit_edit_are_those_of_a_fresh_build(tmp_path: Path):
    show = show_of(tmp_path / "show", 30, per_page=4)
    out = tmp_path / "public"
    assert publish(show, out) == 0

    def same_as_fresh(name: str) -> None:
        fresh = tmp_path / name
        assert main(["publish", str(show), "--out", str(fresh), "--no-cache"]) == 0
        assert files_of(out) == files_of(fresh)

    # ep10 gets a guest (a new person, credited before Emma in ep10), ep20 a new title:
    # the first needs the credits read again, the second not
    guest = episode(10).replace("hosts:", "guests:\n  - Maria Lopez\nhosts:")
    (show / "episodes" / "ep10.yaml").write_text(guest, encoding="utf-8")
    (show / "episodes" / "ep20.yaml").write_text(episode(20, "Renamed"), encoding="utf-8")
    assert publish(show, out) == 0
    assert "Episode 10" in (out / "people/maria-lopez/index.html").read_text()
    same_as_fresh("fresh-1")

    (show / "episodes" / "ep10.yaml").write_text(episode(10), encoding="utf-8")  # gone again
    assert publish(show, out) == 0
    assert not (out / "people/maria-lopez").exists()
    same_as_fresh("fresh-2")
