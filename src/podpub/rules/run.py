"""Run the registered feed rules on a feed: every finding, located, in a stable order.

The rules register themselves (``engine.rule``) when their modules are imported; this
module imports them all, so that running the rules needs this module only, and the
vocabulary the rules share (``engine``) never imports a rule module.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterable

from podpub.feed import readback
from podpub.rules import apple, document, podcast20, rss  # noqa: F401  (they register)
from podpub.rules.engine import (
    ALL_APPS,
    FEED,
    PAGE,
    RULES,
    FeedContext,
    FeedPage,
    Finding,
    Hit,
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
    once in the feed (:func:`_feed_findings`): usually none.
    """
    if memo is None or len(context.pages) < 2:
        parse_pages(context.pages)
        return _sorted_unique(_findings(context, locator, RULES))
    page_rules = [r for r in RULES if r.scope == PAGE]
    feed_rules = [r for r in RULES if r.scope == FEED]
    here = os.getpid()

    def check(index: int) -> PageCheck:  # in a worker process, maybe: parsed there
        # A copy of the page is parsed: its tree (~3 MiB for 200 items, 160 MiB for a
        # feed of 10,000) goes with it instead of staying on the context's page until
        # every page is parsed. In this process the page keeps what reading it back
        # found (the caller's internal check needs no second parse); in a worker, the
        # page is the worker's copy: the reading would go nowhere.
        page = context.pages[index]
        alone = dataclasses.replace(context, pages=[dataclasses.replace(page)])
        parse_pages(alone.pages)
        findings = tuple(_findings(alone, locator, page_rules))
        values = tuple(tuple(r.values(alone)) if r.values else None for r in feed_rules)
        root = alone.pages[0].root
        if root is not None and os.getpid() == here:
            page.reading = readback.reading_of(root)
        return PageCheck(findings, values)

    kept = [memo.get(index) for index in range(len(context.pages))]
    todo = [index for index, found in enumerate(kept) if found is None]
    fresh = dict(zip(todo, memo.map(check, todo), strict=True))
    for index, made in fresh.items():
        memo.put(index, made)
    checks = [found if found is not None else fresh[i] for i, found in enumerate(kept)]
    findings = [finding for page in checks for finding in page.findings]
    findings += _feed_findings(context, locator, feed_rules, [page.values for page in checks])
    return _sorted_unique(findings)


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
    counts = Counter(value for page in values for value in page)
    return [index for index, page in enumerate(values) if any(counts[v] > 1 for v in page)]


def _sorted_unique(findings: Iterable[Finding]) -> list[Finding]:
    found: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        key = (finding.rule, finding.file, finding.line, finding.field, finding.message)
        found.setdefault(key, finding)
    return sorted(found.values(), key=finding_order)


def _findings(context: FeedContext, locator: Locator, rules: list[Rule]) -> list[Finding]:
    """The located findings of ``rules`` on ``context``, in rule order (duplicates kept)."""
    pages_by_root = {id(page.root): page for page in context.pages if page.root is not None}
    found: list[Finding] = []
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
            found.append(finding)
    return found


def _page_of(hit: Hit, pages_by_root: dict[int, FeedPage], context: FeedContext) -> FeedPage | None:
    if hit.element is None:
        return context.pages[0] if context.pages else None
    return pages_by_root.get(id(hit.element.getroottree().getroot()))
