"""A publish does not hold what it is done with: memory that grows with the show.

The command line's main process runs without the cyclic garbage collector (cli.entry):
what a stage leaves in a reference cycle stays until the process ends. And a paged feed
of 10,000 episodes parses to 160 MiB of XML trees: the rules check the pages one by one,
and must not keep every page's tree until the last page is checked.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podpub.build.store import CacheOptions, ShowCache
from podpub.feed.readback import read_back
from podpub.rules.engine import FeedContext, FeedPage, Hit
from podpub.rules.locate import DescriptorLocator, FeedLocator
from podpub.rules.run import run_rules
from test_feed_memo import PAGE, DictMemo

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

ITEM = """    <item>
      <title>{guid}</title>
      <guid isPermaLink="false">{guid}</guid>
      <enclosure url="https://cdn.example.org/{guid}.mp3" length="1" type="audio/mpeg"/>
    </item>
"""


def paged_feed(count: int) -> list[FeedPage]:
    """``count`` pages of two items each, no value repeated across pages."""
    made = []
    for number in range(1, count + 1):
        name = "feed.xml" if number == 1 else f"feed-{number}.xml"
        items = "".join(ITEM.format(guid=f"p{number}-{n}") for n in (1, 2))
        data = PAGE.format(name=name, items=items).encode()
        made.append(FeedPage(name, data, f"https://example.org/{name}"))
    return made


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """As in the command line's main process (cli.entry)."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def test_a_paged_feed_checked_page_by_page_keeps_no_page_tree_but_its_reading() -> None:
    pages = paged_feed(4)
    assert run_rules(FeedContext(pages), FeedLocator(), DictMemo())  # (no itunes:image…)
    # each tree went with its page's check; what publish's own check reads from it stayed
    assert [page.root for page in pages] == [None] * 4
    assert [page.reading for page in pages] == [read_back(page.data) for page in pages]


def test_the_descriptor_locator_is_freed_without_the_cycle_collector(
    tmp_path: Path, no_cycle_collector: None
) -> None:
    show = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE}, MINIMAL_SHOW)
    locator = DescriptorLocator(show, {"guid-1": "episodes/ep1.yaml"})
    document = locator._load("episodes/ep1.yaml")  # what locating a finding reads
    assert document is not None
    gone = weakref.ref(locator)
    del locator, document
    assert gone() is None  # with it, every descriptor document it read


def test_the_locator_lets_a_pages_documents_go_when_the_next_page_is_checked(
    tmp_path: Path,
) -> None:
    episodes = {f"ep{n}.yaml": MINIMAL_EPISODE.replace("First", f"Number {n}") for n in (1, 2)}
    show = write_show(tmp_path / "show", episodes, MINIMAL_SHOW)
    sources = {f"p{n}-1": f"episodes/ep{n}.yaml" for n in (1, 2)}
    locator = DescriptorLocator(show, sources)
    first, second = paged_feed(2)
    for page in (first, second):
        page.root = read_back_root(page.data)
        title = page.root.find("channel/item/title")
        file, line, _, field = locator.locate(Hit(title, "a finding"), page)
        assert (file, line, field) == (sources[title.text], 1, "title")
        # the documents read for this page's findings, and those only
        assert list(locator._documents) == [sources[title.text]]


def read_back_root(data: bytes) -> Any:
    from podpub.feed.readback import parse

    return parse(data)


def test_an_edit_writes_the_site_holding_none_of_the_stores_summaries_or_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of one episode asks the store for every episode's summary and record
    (and the feed rules for documents): once the site is checked, they are saved and
    the main process writes the site holding none of them (at 10,000 episodes, 50 MiB
    less through the write); the cache keeps every entry, and the next edit's site is
    the one a fresh build gives."""
    from podpub.build import engine as engine_module
    from podpub.build import store
    from podpub.context import DESCRIPTORS, DOCUMENTS, RESOLVED
    from test_cache import publish, retitle, same_tree, with_episodes

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    monkeypatch.setattr(store, "SHARD_FROM", 4)  # the show's 12 episodes are "many"
    show = with_episodes(write_show(tmp_path / "show"), 12)
    out = tmp_path / "public"
    assert publish(show, out) == 0

    held: dict[str, set[str]] = {}
    write_site = engine_module.Engine.stage_files

    def watched(self: Any, staging: Any, files: Any) -> None:
        for name in (DESCRIPTORS, DOCUMENTS, RESOLVED):
            held[name] = set(self.cache.stages[name]._entries)
        write_site(self, staging, files)

    monkeypatch.setattr(engine_module.Engine, "stage_files", watched)
    retitle(show, "ep7", "Sept")
    assert publish(show, out) == 0
    assert held == {DESCRIPTORS: set(), DOCUMENTS: set(), RESOLVED: set()}

    keys = {f"episodes/ep{i}.yaml" for i in range(1, 13)}
    for name in (DESCRIPTORS, DOCUMENTS, RESOLVED):  # every entry still kept
        assert set(ShowCache(show, CacheOptions()).stage(name).entries) == keys, name
    retitle(show, "ep3", "Trois")
    assert publish(show, out) == 0
    assert publish(show, tmp_path / "fresh", "--no-cache") == 0
    assert same_tree(out, tmp_path / "fresh") == []


def test_a_publish_that_renders_every_page_ends_holding_few_records_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold publish renders every page and feed item in this process (one job): the
    records' contents (texts, headlines, chapters) read for them are let go as it moves
    on, but for the few read last (at 10,000 episodes, 50 MiB held to the end before);
    the pages show each episode's own texts all the same."""
    from podpub.build import kept, runner
    from test_cache import page, publish, with_episodes

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    monkeypatch.setenv("PODPUB_JOBS", "1")
    monkeypatch.setattr(kept, "KEEP_UNPACKED", 3, raising=False)
    show = with_episodes(write_show(tmp_path / "show"), 12)
    held: list[bool] = []
    finish = runner.PublishRun.finish

    def watched(self: Any, result: Any, *args: Any, **kwargs: Any) -> None:
        held.extend(episode.unpacked() for episode in result.site.episodes)
        finish(self, result, *args, **kwargs)

    monkeypatch.setattr(runner.PublishRun, "finish", watched)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    assert len(held) == 12 and sum(held) <= 3
    for n in (1, 6, 12):
        assert f"Episode {n}" in page(out, f"ep{n}")


def test_an_edit_writes_the_site_holding_none_of_the_stages_only_the_check_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resolve's tables, the feed rules' findings and the feed pages' readings
    are read whole (one file each) by the check of an edit and by nothing after it: the
    main process writes the site holding none of them (at 10,000 episodes, 20 MiB less
    through the write); each is saved with every entry the next run asks for, and the
    next edit gives the site a fresh build gives."""
    from podpub.build import engine as engine_module
    from podpub.context import FINDINGS, LAST_RESOLVE, READ_BACK
    from test_cache import publish, retitle, same_tree, with_episodes

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    show = with_episodes(write_show(tmp_path / "show"), 12)
    out = tmp_path / "public"
    assert publish(show, out) == 0
    kept = {
        name: set(ShowCache(show, CacheOptions()).stage(name).entries)
        for name in (FINDINGS, LAST_RESOLVE, READ_BACK)
    }
    assert all(kept.values())

    held: dict[str, bool] = {}
    write_site = engine_module.Engine.stage_files

    def watched(self: Any, staging: Any, files: Any) -> None:
        for name in (FINDINGS, LAST_RESOLVE, READ_BACK):
            held[name] = name in self.cache.stages
        write_site(self, staging, files)

    monkeypatch.setattr(engine_module.Engine, "stage_files", watched)
    retitle(show, "ep7", "Sept")
    assert publish(show, out) == 0
    assert held == {FINDINGS: False, LAST_RESOLVE: False, READ_BACK: False}

    for name, keys in kept.items():  # every entry still kept (an edit changes none's keys)
        assert set(ShowCache(show, CacheOptions()).stage(name).entries) == keys, name
    retitle(show, "ep3", "Trois")
    assert publish(show, out) == 0
    assert publish(show, tmp_path / "fresh", "--no-cache") == 0
    assert same_tree(out, tmp_path / "fresh") == []


def test_a_record_whose_contents_were_read_and_forgotten_is_back_to_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept record's contents (texts, headlines, chapters) are read for its pages and
    forgotten when more recent ones are read (kept.KEEP_UNPACKED): the record is then
    the size it was before, not a dict five times that for the rest of the run (13 MiB
    of 10,000 records in each process that rendered them all); a read after it still
    gives the record's contents."""
    import sys

    from podpub.build import kept as kept_module
    from podpub.build.kept import lend, pack
    from podpub.write.publish import PublishOptions, check
    from test_cache import with_episodes

    monkeypatch.setattr(kept_module, "KEEP_UNPACKED", 1)
    site = check(with_episodes(write_show(tmp_path / "show"), 2), PublishOptions(now=NOW))
    first, second = (pack(record) for record in site.episodes)
    lent = lend(first.index, first.contents, first.digest)
    other = lend(second.index, second.contents, second.digest)
    size = sys.getsizeof(lent.__dict__)

    assert lent.summary_html == site.episodes[0].summary_html  # read: its contents unpickled
    assert lent.unpacked()
    assert other.chapters == site.episodes[1].chapters  # read after it: the first forgets
    assert not lent.unpacked()
    assert sys.getsizeof(lent.__dict__) == size
    assert lent == site.episodes[0]
