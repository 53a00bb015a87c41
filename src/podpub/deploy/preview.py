"""A preview is never deployed: the feed in the published folder must be the ledger's.

``podpub publish --drafts`` or ``--base-url`` writes a preview into the same folder as a
real publish, and leaves published.lock alone. Deployed, it would put drafts (or links
to a preview host) in front of every subscriber. What the ledger records is exactly
what the last real publish put in the feed: each GUID with its enclosure URL. A feed
that lists anything else is a preview, or a folder some other tool wrote.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from podpub.errors import PodpubError
from podpub.write.ledger import LEDGER_FILE, Ledger

FEED_FILE = "feed.xml"
_REPUBLISH = "run podpub publish (without --drafts, --future or --base-url), then deploy"


def refuse_preview(out: Path, ledger: Ledger | None) -> Ledger:
    """The ledger; PodpubError unless every item of ``out/feed.xml`` is in it as it is
    there."""
    items = _feed_items(out / FEED_FILE)
    if ledger is None:
        raise PodpubError(
            f"there is no {LEDGER_FILE}: {out} was not written by a publish that "
            f"subscribers can have ({_REPUBLISH})"
        )
    published = {entry.guid.strip().lower(): entry.enclosure for entry in ledger.episodes.values()}
    for guid, enclosure in items:
        if published.get(guid.strip().lower()) != enclosure:
            raise PodpubError(
                f"{out / FEED_FILE} lists {guid!r} ({enclosure}), which {LEDGER_FILE} does "
                f"not record so: the folder holds a preview ({_REPUBLISH})"
            )
    return ledger


def _feed_items(path: Path) -> list[tuple[str, str]]:
    """(guid, enclosure URL) of each item of the feed podpub wrote."""
    try:
        root = etree.parse(
            str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        ).getroot()
    except OSError:
        raise PodpubError(
            f"there is no {FEED_FILE} in {path.parent}: run podpub publish first"
        ) from None
    except etree.XMLSyntaxError as exc:
        raise PodpubError(f"{path} is not a feed ({exc}): run podpub publish again") from None
    return [
        (item.findtext("guid") or "", item.find("enclosure").get("url", ""))
        for item in root.iterfind("channel/item")
        if item.find("enclosure") is not None
    ]
