"""Producers' Markdown → sanitized HTML, for pages and for the feed.

markdown-it-py renders CommonMark with raw HTML disabled (a producer's ``<script>`` is
shown as text, and its link validator refuses ``javascript:`` and ``data:`` URLs); nh3
(the Rust ``ammonia`` sanitizer) then keeps only an allow-list of tags, attributes and
URL schemes, as a second lock on the same door. The feed gets an even smaller list:
Apple renders only ``p ol ul li a`` inside descriptions (podcast-feed-rules.md §2.3).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING, Any

import nh3

from podpub.context import MARKDOWN, BuildContext, or_no_cache

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

PAGE_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h3",
        "h4",
        "hr",
    }
)
FEED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "a"})
_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # imported when a text is parsed: an edit finds its Markdown in the cache (the
    # markdown stage) or plain (plain_paragraph), and markdown-it costs 40 ms to import
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def markdown_to_html(text: str, run: BuildContext | None = None) -> str:
    """Markdown rendered for the pages: rich but safe."""
    return _clean(_render(text, run), PAGE_TAGS)


def markdown_to_feed_html(text: str, run: BuildContext | None = None) -> str:
    """Markdown rendered for feed descriptions: Apple's tags only."""
    return _clean(_render(text, run), FEED_TAGS)


def _render(text: str, run: BuildContext | None) -> str:
    """CommonMark → HTML (before sanitizing): remembered between runs by the run's
    cache (``run``), since it is the costly part and depends on the text alone."""
    plain = plain_paragraph(text)
    if plain is not None:
        return plain
    return or_no_cache(run).memo(MARKDOWN, text, _parsed)


def _parsed(text: str) -> str:
    """markdown-it's HTML for ``text`` (the parser made on the first text not cached)."""
    return _markdown().render(text)


# Characters that mean something to CommonMark wherever they stand (emphasis, code, links,
# raw HTML, entities, escapes), characters some extensions read, and line breaks other
# than "\n"; and characters that do at the start of a line (lists, headings, quotes,
# setext underlines, tables). A text without them renders as one plain paragraph; a "*"
# is let through to :func:`_strong`, which takes only whole ``**strong**`` spans.
_INLINE_MARKUP = frozenset("\\`_[]<>&~|\r\x0b\x0c\x85\u2028\u2029")
_LINE_START_MARKUP = frozenset("-+#=>:0123456789")
# What may follow a ``**`` that closes a span: an end, a space, a line break or a
# punctuation mark (never a letter: the ``**`` could then open a span as well).
_AFTER_STRONG = frozenset(" \n.,;:!?)'\"’»…/%")


def plain_paragraph(text: str) -> str | None:
    """markdown-it's HTML for a text that is a single paragraph of plain text (most
    headlines and many summaries), maybe with ``**strong**`` words, made without parsing
    it; None for anything else.

    A third of a cold publish's resolving went to markdown-it parsing sentences with no
    Markdown in them, then half of what was left to sentences whose only Markdown is a
    few words in bold. Same bytes as markdown-it (a property test compares the two)."""
    body = text[:-1] if text.endswith("\n") else text
    if not body or not _INLINE_MARKUP.isdisjoint(body):
        return None
    lines = body.split("\n")
    for line in lines:
        if not line or line != line.strip() or line[0] in _LINE_START_MARKUP:
            return None
    if not body.isprintable() and any(ord(c) < 32 and c != "\n" for c in body):
        return None  # tabs, NUL and other control characters
    if "*" in body:
        strong = _strong(body)
        if strong is None:
            return None
        body = strong  # its tags hold no quotes: escaped with the text below
    return "<p>" + body.replace('"', "&quot;") + "</p>\n"


def _strong(text: str) -> str | None:
    """``text`` with each ``**word …**`` span made ``<strong>``, when every ``*`` in it
    is one of such spans' ``**`` in the simplest case CommonMark has: the opening one at
    the start or after a space or a line break, the closing one before a space, a line
    break, the end or a punctuation mark, each beside a letter or digit of the span (so
    one can only open and the other only close); None for any other use of ``*``."""
    parts = text.split("**")
    if len(parts) % 2 == 0 or any("*" in part for part in parts):
        return None
    made = [parts[0]]
    for at in range(1, len(parts), 2):
        before, inside, after = parts[at - 1], parts[at], parts[at + 1]
        if before[-1:] not in (" ", "\n") and (at > 1 or before):
            return None  # inside a word, or "****" (a closing run touching an opening one)
        if not inside or not inside[0].isalnum() or not inside[-1].isalnum():
            return None
        if after and after[0] not in _AFTER_STRONG:
            return None
        made += ["<strong>", inside, "</strong>", after]
    return "".join(made)


def html_to_feed_html(fragment: str) -> str:
    """Narrow already-sanitized page HTML to the feed's tags (keeps the text of the rest)."""
    return _clean(fragment, FEED_TAGS)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace folded: meta descriptions, JSON-LD."""
    text = html.unescape(_sanitizer(frozenset())(fragment))
    return " ".join(text.split())


def _clean(fragment: str, tags: frozenset[str]) -> str:
    return _sanitizer(tags)(fragment).strip()


@cache
def _sanitizer(tags: frozenset[str]) -> Callable[[str], str]:
    """nh3's sanitizer keeping ``tags`` (none: the text alone), made once per tag list:
    ``nh3.clean`` builds ammonia's whole configuration again on every call, two thirds
    of its time on a paragraph (7 calls an episode). nh3 older than its ``Cleaner``
    class gets ``clean`` with the same options."""
    options: dict[str, Any] = {"tags": set(tags)}
    if tags:
        options |= {
            "attributes": {k: v for k, v in _ATTRIBUTES.items() if k in tags},
            "url_schemes": _SCHEMES,
            "link_rel": None,
        }
    cleaner = getattr(nh3, "Cleaner", None)
    if cleaner is None:
        return partial(nh3.clean, **options)
    return cleaner(**options).clean
