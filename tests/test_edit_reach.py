"""An edit of one title builds one feed item and renders the pages that show the title.

Real publishes of a generated show (``podpub publish``, in process with ``--jobs 1`` so
the work can be counted): what is counted is each feed item feedgen builds and each
page rendered; what is checked is that the site on disk is, byte for byte, the site a
``--no-cache`` publish of the edited show gives.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.feed import build as feed_build
from podpub.site.render import PageRenderer

from conftest import AUDIO, NOW, dated_show, tree
from conftest import dated_episode as episode
from conftest import publish_in_one_job as publish
from conftest import retitle_dated as retitle

EPISODES = 60  # newest first: three feed pages of 20, three show pages of 20


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return dated_show(tmp_path / "show", EPISODES, "episodes_per_page: 20\nfeed_page_size: 20\n")


class Work:
    """The feed items feedgen built (their titles) and the pages rendered (their paths)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.pages: list[str] = []

    def clear(self) -> None:
        self.items.clear()
        self.pages.clear()


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    seen = Work()
    real_item = feed_build._item

    def item(entry: Any, record: Any) -> None:
        seen.items.append(record.title)
        real_item(entry, record)

    monkeypatch.setattr(feed_build, "_item", item)
    for name, path_of in {
        "show_page": lambda r, number=1: f"page/{number}",
        "episode_page": lambda r, index: r.site.episodes[index].page_path,
        "person_page": lambda r, page: page.path,
    }.items():
        real = getattr(PageRenderer, name)

        def spied(renderer: PageRenderer, *args: Any, _real: Any = real, _path: Any = path_of):
            seen.pages.append(_path(renderer, *args))
            return _real(renderer, *args)

        monkeypatch.setattr(PageRenderer, name, spied)
    yield seen


@pytest.mark.parametrize(
    ("number", "pages"),
    [
        # ep30: the 31st newest, the 11th item of feed-2.xml (not its newest: the head
        # of that page, its lastBuildDate, is the one kept), on show page 2
        (30, {"episodes/ep29/index.html", "episodes/ep31/index.html", "page/2"}),
        # ep40: the newest of feed-2.xml, the first of show page 2 (ep41 on page 1)
        (40, {"episodes/ep39/index.html", "episodes/ep41/index.html", "page/2"}),
    ],
)
def test_a_title_edit_builds_one_feed_item_and_the_pages_showing_it(
    show: Path, tmp_path: Path, work: Work, number: int, pages: set[str]
) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    publish(show, out)
    assert len(work.items) == EPISODES  # cold: every item built once
    work.clear()

    retitle(show, number, "Renamed, once")
    publish(show, out)
    assert work.items == ["Renamed, once"]  # not the 19 others of its feed page
    person_page = "people/emma-larbi/page/2/index.html"  # 20 of her episodes a page
    assert sorted(work.pages) == sorted({f"episodes/ep{number}/index.html", person_page} | pages)

    work.clear()
    publish(show, fresh, "--no-cache")
    assert tree(out) == tree(fresh)


def test_items_kept_and_built_again_give_the_feed_a_fresh_build_gives(
    show: Path, tmp_path: Path, work: Work
) -> None:
    """Edits on several pages, a new episode (every feed page moves by one item), an
    episode removed: each incremental site is the one a --no-cache publish gives."""
    out = tmp_path / "out"
    publish(show, out)
    retitle(show, 5, "'Five & <five>'")
    retitle(show, 55, "']]> fifty-five </item>'")
    publish(show, out)
    shutil.copy(AUDIO / "tone.mp3", show / "audio" / "ep61.mp3")
    (show / "episodes" / "ep61.yaml").write_text(episode(61), encoding="utf-8")
    work.clear()
    publish(show, out)
    assert len(work.items) < EPISODES  # moved items are kept; only page heads change
    (show / "episodes" / "ep20.yaml").unlink()
    publish(show, out, "--remove", "ep20")
    publish(show, tmp_path / "fresh", "--no-cache")
    assert tree(out) == tree(tmp_path / "fresh")


def test_a_feed_whose_item_text_holds_an_item_tag_is_not_cut() -> None:
    """The cut of a feed into items is refused when an ``<item>`` tag stands anywhere
    else (in a CDATA section's HTML): its pages are then built whole."""
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n'
    item = b"    <item>\n      <title>t</title>\n    </item>\n"
    odd = b"    <item>\n      <description><![CDATA[\n    </item>\n]]></description>\n    </item>\n"
    assert feed_build.item_cuts(head + item + item + feed_build.FEED_TAIL, 2) == (
        len(head),
        len(head + item),
        len(head + item + item),
    )
    assert feed_build.item_cuts(head + item + odd + feed_build.FEED_TAIL, 2) is None
