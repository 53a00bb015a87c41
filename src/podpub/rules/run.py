"""Run the registered feed rules on a feed: every finding, located, in a stable order.

The rules register themselves (``engine.rule``) when their modules are imported; this
module imports them all, so that running the rules needs this module only, and the
vocabulary the rules share (``engine``) never imports a rule module.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from lxml import etree

from podpub.digests import digest_of
from podpub.feed import readback
from podpub.rules import apple, document, podcast20, rss  # noqa: F401  (they register)
from podpub.rules.engine import (
    ALL_APPS,
    CHANNEL,
    FEED,
    ITEM,
    PAGE,
    RULES,
    FeedContext,
    FeedPage,
    Finding,
    Hit,
    ItemMemo,
    Locator,
    PageCheck,
    PageMemo,
    Rule,
    finding_order,
    parse_pages,
)


def run_rules(
    context: FeedContext, locator: Locator, memo: PageMemo | None = None
) -> list[Finding]:
    """Every finding of every rule, located, without duplicates, in a stable order.

    With a ``memo`` and a paged feed, the page rules run on each page alone (each page
    repeats the channel, so its findings are the same ones, and duplicates are merged),
    a page whose inputs are unchanged answers from the memo without being parsed, and
    the feed rules read together the pages that hold a value they compare more than
    once in the feed (:func:`_feed_findings`): usually none. A memo that keys items too
    (:class:`ItemMemo`: podpub's own feed, even of one page) has a page to check again
    run its item rules on the items whose findings are not kept only.
    """
    by_item = memo if isinstance(memo, ItemMemo) else None
    if memo is None or (len(context.pages) < 2 and by_item is None):
        parse_pages(context.pages)
        return _sorted_unique(_findings(context, locator, RULES))
    page_rules = [r for r in RULES if r.scope != FEED]
    feed_rules = [r for r in RULES if r.scope == FEED]
    here = os.getpid()
    kept = [memo.get(index) for index in range(len(context.pages))]
    todo = [index for index, found in enumerate(kept) if found is None]
    # what the pages to check again found on their items last time (wherever they were)
    items = by_item.kept_items() if by_item is not None and todo else {}

    def check(index: int) -> PageCheck:  # in a worker process, maybe: parsed there
        # A copy of the page is parsed: its tree (~3 MiB for 200 items, 160 MiB for a
        # feed of 10,000) goes with it instead of staying on the context's page until
        # every page is parsed. In this process the page keeps what reading it back
        # found (the caller's internal check needs no second parse); in a worker, the
        # page is the worker's copy: the reading would go nowhere.
        page = context.pages[index]
        alone = dataclasses.replace(context, pages=[dataclasses.replace(page)])
        parse_pages(alone.pages)
        values = tuple(tuple(r.values(alone)) if r.values else None for r in feed_rules)
        root = alone.pages[0].root
        if root is not None and os.getpid() == here:
            page.reading = readback.reading_of(root)
        if by_item is not None:
            keys = _Keys(by_item.item_keys(index), by_item.channel_key(index))
            made = _check_by_item(alone, locator, page_rules, keys, items)
            if made is not None:
                return PageCheck.of(made[0], values, made[1])
            alone = dataclasses.replace(context, pages=[dataclasses.replace(page)])
            parse_pages(alone.pages)  # the page whole again: the split one was cut
        return PageCheck(tuple(_findings(alone, locator, page_rules)), values)

    fresh = dict(zip(todo, memo.map(check, todo), strict=True))
    for index, made in fresh.items():
        memo.put(index, made)
    checks = [found if found is not None else fresh[i] for i, found in enumerate(kept)]
    findings = [finding for page in checks for finding in page.findings]
    findings += _feed_findings(context, locator, feed_rules, [page.values for page in checks])
    return _sorted_unique(findings)


ItemFindings = tuple[tuple[str, tuple[Finding, ...]], ...]


class _Keys(NamedTuple):
    """What an :class:`ItemMemo` keys a page's parts on."""

    items: Sequence[str]  # each item's key, in the page's order
    channel: str  # the channel's, but for its own elements


def _check_by_item(
    alone: FeedContext,
    locator: Locator,
    rules: list[Rule],
    keys: _Keys,
    kept: Mapping[str, tuple[Finding, ...]],
) -> tuple[tuple[Finding, ...], ItemFindings] | None:
    """The page rules' findings on the one parsed page of ``alone``: the whole-page
    rules on the page, the item rules on its channel and on the items whose keys have
    no ``kept`` findings (the others' kept), the channel rules unless the channel's are
    kept. Returns the page's findings and what to keep of them (by item and channel
    key); None when the page must be checked whole (it does not parse, its items are
    not the ones keyed, or a finding depends on an item's place in the page).

    The items kept are cut out of the page's tree before the item rules run: they read
    the channel and the items checked again only. (The tree is the page's copy's.)"""
    page = alone.pages[0]
    channel = page.root.find("channel") if page.root is not None else None
    elements = channel.findall("item") if channel is not None else []
    if channel is None or len(elements) != len(keys.items):
        return None
    known = {i: kept[key] for i, key in enumerate(keys.items) if key in kept}
    checked = [item for i, item in enumerate(elements) if i not in known]
    if any(not (item.findtext("title") or "").strip() for item in checked):
        return None  # an item without a title is named by its place (engine.item_label)
    whole = _findings(alone, locator, [r for r in rules if r.scope == PAGE])
    channel_key = digest_of(keys.channel, _channel_digest(channel))
    for i in known:
        channel.remove(elements[i])
    on_channel = kept.get(channel_key)
    if on_channel is None:
        on_channel = tuple(_findings(alone, locator, [r for r in rules if r.scope == CHANNEL]))
    found: dict[int, list[Finding]] = {id(item): [] for item in checked}
    shared: list[Finding] = []
    for finding, hit in _located(alone, locator, [r for r in rules if r.scope == ITEM]):
        item = _item_of(hit)
        if item is None:
            shared.append(finding)
        elif finding.file == page.name:
            return None  # pointed into the page: its line depends on the items before it
        else:
            found[id(item)].append(finding)
    fresh = iter(checked)
    per_item = tuple(
        (key, known[i] if i in known else tuple(found[id(next(fresh))]))
        for i, key in enumerate(keys.items)
    )
    findings = (*whole, *on_channel, *shared, *(f for _, item in per_item for f in item))
    if any(finding.file == page.name for finding in on_channel):
        return findings, per_item  # its lines are the page's: found again next time
    return findings, (*per_item, (channel_key, on_channel))


def _channel_digest(channel: etree._Element) -> str:
    """A digest of the channel's own elements (not its items), as written, and of the
    document's root (its attributes, its namespaces)."""
    root = channel.getroottree().getroot()
    own = [etree.tostring(child) for child in channel if child.tag != "item"]
    return digest_of(
        root.tag, sorted(root.attrib.items()), sorted(root.nsmap.items(), key=str), own
    )


def _item_of(hit: Hit) -> etree._Element | None:
    """The item a hit is on (its element or an ancestor), if any."""
    element = hit.element
    if element is None:
        return None
    if element.tag == "item":
        return element
    return next(element.iterancestors("item"), None)


def _feed_findings(
    context: FeedContext,
    locator: Locator,
    rules: list[Rule],
    values: list[tuple[tuple[str, ...] | None, ...]],
) -> list[Finding]:
    """The feed rules' findings, each rule reading only the pages that hold one of its
    values found more than once in the whole feed (``values``: per page, per rule).

    Those pages, in feed order, hold the first occurrence and every repeat of each such
    value, and a rule that names its values reports repeats only: it finds what it would
    find reading every page. A rule that names none reads every page.
    """
    found: list[Finding] = []
    for position, registered in enumerate(rules):
        if registered.values is None:
            needed = list(range(len(context.pages)))
        else:
            needed = _repeating([page[position] or () for page in values])
        if not needed:
            continue
        pages = [context.pages[index] for index in needed]
        parse_pages(pages)
        found += _findings(dataclasses.replace(context, pages=pages), locator, [registered])
    return found


def _repeating(values: list[tuple[str, ...]]) -> list[int]:
    """The indexes of the pages holding a value that occurs twice in all of ``values``."""
    every = list(itertools.chain.from_iterable(values))
    if len(set(every)) == len(every):
        return []  # nothing repeated (the usual answer), found in C: 10,000 guids
    counts = Counter(every)
    return [index for index, page in enumerate(values) if any(counts[v] > 1 for v in page)]


def _sorted_unique(findings: Iterable[Finding]) -> list[Finding]:
    """The findings, each kept once (the first of those with the same rule, file, line,
    field and message), sorted by ``finding_order``; stable, so equal ones keep the
    order of their first occurrence. Done in C (17,000 findings in a warm rebuild of a
    show whose every episode has a warning): the first of each is the value a dict
    made from the reversed list keeps, their order the one ``dict.fromkeys`` keeps."""
    findings = list(findings)
    keys = list(map(_UNIQUE_BY, findings))
    first = dict(zip(reversed(keys), reversed(findings), strict=True))
    unique = list(map(first.__getitem__, dict.fromkeys(keys)))
    lines = map(_LINE, unique)
    columns = map(_COLUMN, unique)
    if None in lines or None in columns:  # finding_order reads a missing one as 0
        return sorted(unique, key=finding_order)
    return sorted(unique, key=_ORDER)  # the same tuples as finding_order's, made in C


_UNIQUE_BY = operator.attrgetter("rule", "file", "line", "field", "message")
_ORDER = operator.attrgetter("file", "line", "column", "rule", "message")
_LINE, _COLUMN = operator.attrgetter("line"), operator.attrgetter("column")


def _findings(context: FeedContext, locator: Locator, rules: list[Rule]) -> list[Finding]:
    """The located findings of ``rules`` on ``context``, in rule order (duplicates kept)."""
    return [finding for finding, _ in _located(context, locator, rules)]


def _located(
    context: FeedContext, locator: Locator, rules: list[Rule]
) -> Iterator[tuple[Finding, Hit]]:
    """Each hit of ``rules`` on ``context`` with its located finding, in rule order."""
    pages_by_root = {id(page.root): page for page in context.pages if page.root is not None}
    for registered in rules:
        for hit in registered.check(context):
            page = _page_of(hit, pages_by_root, context)
            file, line, column, field_path = locator.locate(hit, page)
            rule_id, audience = registered.id, registered.audience
            if hit.rule is not None:
                rule_id, audience = hit.rule, ALL_APPS
            finding = Finding(
                file,
                line,
                column,
                field_path,
                hit.message,
                hit.fix,
                hit.level or registered.level,
                rule_id,
                audience,
            )
            yield finding, hit


def _page_of(hit: Hit, pages_by_root: dict[int, FeedPage], context: FeedContext) -> FeedPage | None:
    if hit.element is None:
        return context.pages[0] if context.pages else None
    return pages_by_root.get(id(hit.element.getroottree().getroot()))
