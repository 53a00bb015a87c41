"""The loader's fast path for text values (input/load.py ``_Builder._plain_scalar``).

Almost every event of a descriptor is a key or a text value with neither anchor nor tag:
those are read without the general path's calls (``_node``, ``_scalar``, ``_place``),
and must come out exactly as the general path reads them: the same data, positions,
raw texts of misread values and problems, on the shipped shows' descriptors and on
what the loader refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podpub.errors import PodpubError
from podpub.input import load

SHOWS = Path(__file__).parent / "shows"
DESCRIPTORS = sorted(SHOWS.rglob("*.yaml"))

TRICKY = [
    "a: &x 1\nb: *x\n",
    "a: 010\nb: 08\nc: 0o12\nd: '08'\n",
    "<<: {a: 1}\n",
    "a: 1\na: 2\n",
    "? [a]\n: b\n",
    "a: !!str 1\nb: !Important news\n",
    "- 1\n- two\n- 03\n- &a x\n- *a\n",
    "a:\n  - b: 1\n    b: 2\n",
    "title: No\nkey: #1 Interview\n",
    "a: [1, 2, {b: c}]\n[a, b]: 1\n",
    "a: 2004-01-05 07:00\nb: 2004-13-45\nc: 0x1F\nd: ~\n",
    "\ufeffa: b\r\nc: d\r\n",
    "a:\n" + "".join(f"  - v{i}\n" for i in range(10_005)),
]


def outcome(raw: bytes) -> tuple[Any, ...]:
    try:
        doc = load.load_bytes(raw, "episodes/x.yaml")
    except PodpubError as exc:
        return ("problems", exc.problems)
    return ("loaded", doc.data, doc.positions, doc.key_positions, doc.misread)


def general_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load._Builder, "_plain_scalar", lambda self, parent, event: False)


@pytest.mark.parametrize(
    "raw",
    [path.read_bytes() for path in DESCRIPTORS] + [text.encode() for text in TRICKY],
    ids=[path.name for path in DESCRIPTORS] + [f"tricky-{i}" for i in range(len(TRICKY))],
)
def test_the_fast_path_reads_what_the_general_path_reads(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
):
    fast = outcome(raw)
    general_path_only(monkeypatch)
    assert fast == outcome(raw)


def test_text_values_and_keys_skip_the_general_path(monkeypatch: pytest.MonkeyPatch):
    raw = (
        b'title: "A title"\nnumber: 12\nhosts:\n  - Emma Larbi\n  - Lucas Fontaine\n'
        b'headlines:\n  - title: One\n    start: "0:00"\n  - title: Two\n    link: https://x.org\n'
    )
    seen: list[str] = []
    general = load._Builder._node

    def node(self: load._Builder, event: Any, kind: type) -> tuple[bool, Any]:
        seen.append(kind.__name__)
        return general(self, event, kind)

    monkeypatch.setattr(load._Builder, "_node", node)
    doc = load.load_bytes(raw, "episodes/x.yaml")
    assert doc.data["headlines"][1] == {"title": "Two", "link": "https://x.org"}
    assert doc.positions[("headlines", 1, "link")] == (10, 11)
    # the mappings and sequences, and the one number: no key, no text value
    collections = ["MappingStartEvent", "SequenceStartEvent", "SequenceStartEvent"]
    collections += ["MappingStartEvent", "MappingStartEvent"]
    assert sorted(seen) == sorted([*collections, "ScalarEvent"])
