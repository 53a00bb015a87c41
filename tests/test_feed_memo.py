"""The feed stage of an incremental publish costs what changed, and changes no byte.

A paged feed (RFC 5005) is built, parsed, rule-checked and read back page by page; a page
whose inputs did not change comes from the cache (``.podpub/``). These tests publish real
shows with the real command and compare the feed files with those of a ``--no-cache``
publish; the rule engine's part (the feed rules read only the pages where a value they
compare repeats) is checked on hand-written pages against a pass over every page.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from podpub.build.engine import FEED_PAGES, READ_BACK, Engine
from podpub.build.store import MAGIC
from podpub.cli import main
from podpub.errors import PodpubError
from podpub.feed import build as feed_module
from podpub.rules.checker import check_show
from podpub.rules.engine import FeedContext, FeedPage, Finding, PageCheck
from podpub.rules.locate import FeedLocator
from podpub.rules.run import run_rules
from podpub.write import publish as publish_module
from podpub.write.publish import PublishOptions, verify_feed_files

from conftest import AUDIO, MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

PAGE_SIZE = 2
EPISODES = 7  # four pages: feed.xml (7, 6), feed-2.xml (5, 4), feed-3.xml (3, 2), feed-4.xml (1)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def episode(number: int, title: str | None = None) -> str:
    return (
        MINIMAL_EPISODE.replace("First episode", title or f"Episode {number}")
        .replace("audio/tone.mp3", f"audio/ep{number}.mp3")
        .replace("2023-06-02", f"2023-06-{number:02d}")
    )


@pytest.fixture
def paged_show(tmp_path: Path) -> Path:
    """Seven episodes, two per feed page, each with its own audio file."""
    show = write_show(
        tmp_path / "show",
        {f"ep{n}.yaml": episode(n) for n in range(1, EPISODES + 1)},
        MINIMAL_SHOW + f"feed_page_size: {PAGE_SIZE}\n",
    )
    for n in range(1, EPISODES + 1):
        shutil.copy(AUDIO / "tone.mp3", show / "audio" / f"ep{n}.mp3")
    return show


def publish(show: Path, out: Path, *flags: str) -> None:
    assert main(["publish", str(show), "--out", str(out), "--quiet", *flags]) == 0


def feed_names(out: Path) -> list[str]:
    return sorted(path.name for path in out.glob("feed*.xml"))


def retitle(show: Path, number: int, title: str) -> None:
    (show / "episodes" / f"ep{number}.yaml").write_text(episode(number, title), encoding="utf-8")


def same_feeds(left: Path, right: Path) -> None:
    assert (
        feed_names(left)
        == feed_names(right)
        == [
            "feed-2.xml",
            "feed-3.xml",
            "feed-4.xml",
            "feed.xml",
        ]
    )
    for name in feed_names(left):
        assert filecmp.cmp(left / name, right / name, shallow=False), name


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The feed URL of each page feed.build_feed builds (within this process: --jobs 1)."""
    urls: list[str] = []
    real = feed_module.build_feed

    def counting(site: Any, links: Any = ()) -> bytes:
        urls.append(site.show.feed_url)
        return real(site, links)

    monkeypatch.setattr(feed_module, "build_feed", counting)
    return urls


@pytest.fixture
def read_back(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bytes of each feed page read back (parsed, by the rules or by publish's own
    check: feed/readback.py reads each page once) in the process running the test."""
    from lxml import etree

    from podpub.feed import readback

    pages: list[bytes] = []
    real = readback.reading_of

    def counting(root: Any) -> readback.ReadBack:
        if root.tag == "rss":  # the sitemap is read back too: not a feed page
            pages.append(etree.tostring(root))
        return real(root)

    monkeypatch.setattr(readback, "reading_of", counting)
    return pages


# --- the command line: the pages kept are the pages a fresh build gives ------------------


def test_a_title_change_rebuilds_its_page_only_and_the_feed_is_what_no_cache_gives(
    paged_show: Path, tmp_path: Path, built: list[str], read_back: list[bytes]
) -> None:
    cached, fresh = tmp_path / "cached", tmp_path / "fresh"
    publish(paged_show, cached, "--jobs", "1")  # cold: every page built and read back
    assert len(built) == 4 and len(read_back) == 4
    built.clear()
    read_back.clear()

    retitle(paged_show, 4, "Episode four, renamed")  # on feed-2.xml, with episode 5
    publish(paged_show, cached, "--jobs", "1")
    assert built == ["https://podcast.example.org/feed-2.xml"]
    assert len(read_back) == 1 and b"Episode four, renamed" in read_back[0]
    page = (cached / "feed-2.xml").read_text(encoding="utf-8")
    assert "Episode four, renamed" in page and "Episode 5" in page
    assert "Episode 4<" not in page

    publish(paged_show, fresh, "--no-cache", "--jobs", "1")
    same_feeds(cached, fresh)


def test_pages_built_by_the_workers_are_the_same_bytes(paged_show: Path, tmp_path: Path) -> None:
    cached, fresh = tmp_path / "cached", tmp_path / "fresh"
    publish(paged_show, cached)
    retitle(paged_show, 7, "Seven, renamed")  # feed.xml
    retitle(paged_show, 2, "Two, renamed")  # feed-3.xml
    publish(paged_show, cached, "--jobs", "2")  # two pages to build: one per process
    publish(paged_show, fresh, "--no-cache", "--jobs", "1")
    same_feeds(cached, fresh)
    assert "Seven, renamed" in (cached / "feed.xml").read_text(encoding="utf-8")
    assert "Two, renamed" in (cached / "feed-3.xml").read_text(encoding="utf-8")


def test_a_new_episode_moves_every_page_and_every_page_is_rebuilt(
    paged_show: Path, tmp_path: Path, built: list[str]
) -> None:
    """The newest page comes first: a new episode shifts every page by one item."""
    cached, fresh = tmp_path / "cached", tmp_path / "fresh"
    publish(paged_show, cached, "--jobs", "1")
    shutil.copy(AUDIO / "tone.mp3", paged_show / "audio" / "ep8.mp3")
    (paged_show / "episodes" / "ep8.yaml").write_text(episode(8), encoding="utf-8")
    built.clear()

    publish(paged_show, cached, "--jobs", "1")
    assert len(built) == 4
    publish(paged_show, fresh, "--no-cache", "--jobs", "1")
    same_feeds(cached, fresh)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign code"])
def test_a_damaged_feed_page_cache_is_ignored(
    paged_show: Path, tmp_path: Path, damage: str, built: list[str], read_back: list[bytes]
) -> None:
    cached, fresh = tmp_path / "cached", tmp_path / "fresh"
    publish(paged_show, cached, "--jobs", "1")
    folder = paged_show / ".podpub" / "cache"
    # the feed pages are kept in shard files (one per few pages), the read-back in one
    damaged = [*folder.glob(f"{FEED_PAGES}.*.pickle"), folder / f"{READ_BACK}.pickle"]
    assert len(damaged) > 2
    for path in damaged:
        data = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        else:  # written by another podpub (another code fingerprint)
            path.write_bytes(data.replace(b'"code": "', b'"code": "0', 1))
    retitle(paged_show, 1, "One, renamed")
    built.clear()
    read_back.clear()

    publish(paged_show, cached, "--jobs", "1")
    assert len(built) == 4 and len(read_back) == 4  # nothing taken from the damaged files
    pages = list(folder.glob(f"{FEED_PAGES}.*.pickle"))  # written again
    assert pages and all(path.read_bytes().startswith(MAGIC) for path in pages)
    publish(paged_show, fresh, "--no-cache", "--jobs", "1")
    same_feeds(cached, fresh)


def test_the_library_without_a_run_builds_the_bytes_a_cached_publish_keeps(
    paged_show: Path, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    publish(paged_show, out)
    retitle(paged_show, 3, "Three, renamed")
    publish(paged_show, out)  # three pages from the cache
    report = check_show(paged_show, PublishOptions(now=NOW))  # no run: no cache
    assert [(file.path, file.data) for file in report.files] == [
        (name, (out / name).read_bytes())
        for name in ("feed.xml", "feed-2.xml", "feed-3.xml", "feed-4.xml")
    ]


# --- the read-back: kept per page bytes, the episode count checked every time ------------


def test_a_page_read_back_before_still_must_list_its_episodes(
    paged_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = check_show(paged_show, PublishOptions(now=NOW))
    assert report.site is not None
    run = Engine(paged_show)
    verify_feed_files(report.files, report.site, run)  # read back, kept
    assert len(run.cache.stage(READ_BACK).entries) == 4

    def no_reading(data: bytes) -> tuple[list[Any], int]:
        raise AssertionError("read back again")

    monkeypatch.setattr(publish_module, "_read_back", no_reading)
    verify_feed_files(report.files, report.site, run)  # from the memo: no parsing
    padded = replace(report.files[1], episodes=(*report.files[1].episodes, report.site.episodes[0]))
    with pytest.raises(PodpubError, match="the feed lost episodes"):
        verify_feed_files([report.files[0], padded], report.site, run)


# --- the rule engine: feed rules read only the pages where a value repeats ------------


ITEM = """    <item>
      <title>{title}</title>
      <guid{permalink}>{guid}</guid>
      <enclosure url="https://cdn.example.org/{audio}.mp3" length="1" type="audio/mpeg"/>
    </item>
"""
PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Pages</title>
    <link>https://example.org/</link>
    <description>Paged.</description>
    <language>en</language>
    <atom:link href="https://example.org/{name}" rel="self" type="application/rss+xml"/>
{items}  </channel>
</rss>
"""


def pages(items: list[list[tuple[str, str]]]) -> list[FeedPage]:
    """Pages of ``(guid, audio)`` items; the guid ``plain`` has no isPermaLink (RSS-09)."""
    made = []
    for number, page in enumerate(items, 1):
        name = "feed.xml" if number == 1 else f"feed-{number}.xml"
        body = "".join(
            ITEM.format(
                title=f"{guid} on page {number}",
                guid=guid,
                audio=audio,
                permalink="" if guid == "plain" else ' isPermaLink="false"',
            )
            for guid, audio in page
        )
        data = PAGE.format(name=name, items=body).encode()
        made.append(FeedPage(name, data, f"https://example.org/{name}"))
    return made


class DictMemo:
    """A page memo in memory (checker.py's keeps it in the run's cache)."""

    def __init__(self) -> None:
        self.kept: dict[int, PageCheck] = {}

    def get(self, index: int) -> PageCheck | None:
        return self.kept.get(index)

    def put(self, index: int, check: PageCheck) -> None:
        self.kept[index] = check

    def map(self, fn: Callable[[int], PageCheck], indexes: list[int]) -> list[PageCheck]:
        return [fn(index) for index in indexes]


def findings(found: list[Finding]) -> set[tuple[Any, ...]]:
    """The findings of the guid and enclosure rules. (Checked page by page, each page
    reports the channel's findings at its own lines: podpub's feed puts them all on
    show.yaml, where they merge; tests/test_defects.py checks that.)"""
    return {
        (f.rule, f.file, f.line, f.field, f.level, f.message)
        for f in found
        if f.rule in {"RSS-07", "RSS-09"}
    }


REPEATS = [
    [("g1", "a1"), ("g2", "a2")],
    [("g3", "a3"), ("g1", "a4")],  # g1 again: RSS-09 reads pages 1 and 2
    [("g5", "a5"), ("g6", "a5")],  # a5 twice on one page: RSS-07 reads page 3
    [("g7", "a7"), ("plain", "a8")],  # nothing repeated: never read by the feed rules
    [("g9", "a2")],  # a2 again: RSS-07 reads pages 1 and 5
]


def test_feed_rules_read_only_the_pages_where_a_value_repeats_and_find_the_same() -> None:
    everything = findings(run_rules(FeedContext(pages(REPEATS)), FeedLocator()))
    repeats = {
        (rule, file, message.split(" has ")[1])
        for rule, file, _, _, _, message in everything
        if rule in {"RSS-07", "RSS-09"} and " has the same " in message
    }
    assert repeats == {
        ("RSS-09", "feed-2.xml", "the same guid as « g1 on page 1 »"),
        ("RSS-07", "feed-3.xml", "the same enclosure URL as « g5 on page 3 »"),
        ("RSS-07", "feed-5.xml", "the same enclosure URL as « g2 on page 1 »"),
    }
    assert any(
        f[0] == "RSS-09" and f[1] == "feed-4.xml" and "isPermaLink" in f[5] for f in everything
    )

    memo = DictMemo()
    assert findings(run_rules(FeedContext(pages(REPEATS)), FeedLocator(), memo)) == everything
    again = pages(REPEATS)
    assert findings(run_rules(FeedContext(again), FeedLocator(), memo)) == everything
    assert [page.root is not None for page in again] == [True, True, True, False, True]


def test_with_nothing_repeated_no_page_kept_is_parsed() -> None:
    unique = [[(f"g{n}{i}", f"a{n}{i}") for i in range(3)] for n in range(4)]
    memo = DictMemo()
    first = run_rules(FeedContext(pages(unique)), FeedLocator(), memo)
    again = pages(unique)
    assert run_rules(FeedContext(again), FeedLocator(), memo) == first
    assert all(page.root is None and page.reading is None for page in again)
    changed = pages(unique)
    memo.kept.pop(2)  # one page changed: only it is read (its reading kept, not its tree)
    assert run_rules(FeedContext(changed), FeedLocator(), memo) == first
    assert [page.reading is not None for page in changed] == [False, False, True, False]


# --- one reading back per page: publish's reading is the staged site's check's too ---------


def test_each_feed_page_is_read_back_once_per_publish(
    paged_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podpub.feed import readback

    read: list[Any] = []
    real = readback.reading_of

    def counting(root: Any) -> readback.ReadBack:
        if root.tag == "rss":  # the sitemap is read back too: not a feed page
            read.append(root)
        return real(root)

    monkeypatch.setattr(readback, "reading_of", counting)
    out = tmp_path / "out"
    # no cache, one process: every page is built and read back here, where it is counted
    publish(paged_show, out, "--no-cache", "--jobs", "1")
    assert feed_names(out) == ["feed-2.xml", "feed-3.xml", "feed-4.xml", "feed.xml"]
    # read back before staging, and that reading reused for the same bytes on disk
    assert len(read) == 4
