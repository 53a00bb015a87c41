"""Hostile input that the corpus cannot hold as small files, markup that tries to inject
script, and the proof that the bounded harness really bounds."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree, html

from podpub.errors import PodpubError
from podpub.input.load import MAX_DESCRIPTOR_BYTES
from podpub.write.publish import PublishOptions, check, publish

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show
from hostile import MEMORY_LIMIT, apply, good_show, load_cases, run_jobs

E = "episodes/bad.yaml"


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    def make(show_dir: Path) -> None:
        (show_dir / "episodes" / name).write_bytes(data)

    return make


def _link(target: str) -> Callable[[Path], None]:
    def make(show_dir: Path) -> None:
        (show_dir / "episodes" / "bad.yaml").symlink_to(target)

    return make


def _fifo(show_dir: Path) -> None:
    os.mkfifo(show_dir / "episodes" / "bad.yaml")


def _folder(show_dir: Path) -> None:
    (show_dir / "episodes" / "bad.yaml").mkdir()


_BIG_TITLE = b"title: " + b"x" * (MAX_DESCRIPTOR_BYTES - 100) + b"\n"
_FLOW = b"hosts: [" + b"x," * 499_000 + b"]\n"
_ALIASES = b"a: &a x\nhosts: [" + b"*a," * 330_000 + b"]\n"
_LONG_KEY = b"k" * 900_000 + b": 1\n"
_BIG_NUMBER = b"title: " + b"1." + b"0" * 900_000 + b"1\n"

# (id, how to put the bad descriptor in episodes/, the exact problems)
_OVERSIZED = _BIG_TITLE + b"x: " + b"y" * 200 + b"\n"
_KEY_LINE = MINIMAL_EPISODE.count("\n") + 1

# (id, how to put the bad descriptor in episodes/, the exact problems)
GENERATED = [
    (
        "oversized",
        _write("bad.yaml", _OVERSIZED),
        [
            f"{E}:1:1: file is {len(_OVERSIZED):,} bytes or more; descriptors are capped at "
            "1,000,000 bytes (move long texts out or split the file)"
        ],
    ),
    (
        "half-a-million-values-in-one-megabyte",
        _write("bad.yaml", _FLOW),
        [
            f"{E}:1:20003: hosts[9997]: more than 10,000 values in one descriptor "
            "(a descriptor holds one episode; split the file)"
        ],
    ),
    (
        "a-third-of-a-million-aliases",
        _write("bad.yaml", _ALIASES),
        [
            f"{E}:2:{9 + 3 * i}: hosts[{i}]: YAML aliases (*a) are not allowed "
            "(write the value out in full)"
            for i in range(50)
        ]
        + [f"{E}:2:159: stopped reading after 50 problems in this file (fix these first)"],
    ),
    (
        "a-900-kb-key",  # libyaml's own limit on a key's length answers first
        _write("bad.yaml", MINIMAL_EPISODE.encode() + _LONG_KEY),
        [
            f"{E}:{_KEY_LINE}:900001: YAML syntax: while scanning a simple key, could not find "
            "expected ':'"
        ],
    ),
    (
        "a-900-kb-number-is-not-echoed",
        _write(
            "bad.yaml",
            MINIMAL_EPISODE.replace("title: First episode\n", "").encode() + _BIG_NUMBER,
        ),
        [
            f"{E}:{_KEY_LINE - 1}:8: title: YAML reads '1.0000000000000000000000000000000000000"
            "0000000000000000000…' as the number 1.0, but this field is text (write it in "
            'quotes: "1.00000000000000000000000000000000000000000000000000000000…")'
        ],
    ),
    (
        "descriptor-linked-to-dev-zero",
        _link("/dev/zero"),
        [f"{E}: is not a regular file; a descriptor is a YAML file (remove it or rename it)"],
    ),
    (
        "descriptor-linked-to-dev-urandom",
        _link("/dev/urandom"),
        [f"{E}: is not a regular file; a descriptor is a YAML file (remove it or rename it)"],
    ),
    (
        "descriptor-is-a-fifo",
        _fifo,
        [f"{E}: is not a regular file; a descriptor is a YAML file (remove it or rename it)"],
    ),
    (
        "descriptor-is-a-folder",
        _folder,
        [f"{E}: is a folder; a descriptor is a YAML file (remove it or rename it)"],
    ),
]


def test_generated_hostile_descriptors_are_refused_within_bounds(tmp_path: Path):
    """Each in a child limited to 200 MB and 5 s: exit 1 and exactly its problems."""
    base = good_show(tmp_path / "base")
    shows = []
    for name, make, _ in GENERATED:
        show_dir = tmp_path / name
        shutil.copytree(base, show_dir, symlinks=True)
        make(show_dir)
        shows.append(show_dir)
    results = run_jobs(
        [{"argv": ["publish", str(show_dir), "-q"]} for show_dir in shows],
        warm_up=["check", str(base)],
    )
    failures = []
    for (name, _, expected), result in zip(GENERATED, results, strict=True):
        noun = "problem" if len(expected) == 1 else "problems"
        wanted = [*expected, f"podpub: {len(expected)} {noun}; nothing was written."]
        got = result["stderr"].splitlines()
        ok = result["exit"] == 1 and got == wanted and result["max_rss"] < MEMORY_LIMIT
        if not ok:
            failures.append(f"{name}: exit {result['exit']}, {result['max_rss'] >> 20} MB: {got}")
    assert not failures, "\n".join(failures)


def test_the_harness_bounds_bite(tmp_path: Path):
    """A child that asks for 300 MB fails; one that blocks on a FIFO is stopped at 5 s;
    one that writes past RLIMIT_FSIZE gets an OSError (SIGXFSZ ignored), not a crash."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    big = tmp_path / "big"
    results = run_jobs(
        [
            {"python": "bytearray(300 << 20)"},
            {"python": f"open({str(fifo)!r}).read()"},
            {"python": f"open({str(big)!r}, 'wb').write(bytes(2 << 20))", "limits": {
                "RLIMIT_FSIZE": 1 << 20}},
        ]
    )  # fmt: skip
    memory, blocked, too_big = results
    assert memory["exit"] == 99 and "MemoryError" in memory["stderr"]
    assert blocked["exit"] == -14  # SIGALRM
    assert too_big["exit"] == 99 and "File too large" in too_big["stderr"]


def test_every_problem_of_a_run_comes_together(tmp_path: Path):
    """Ten corpus defects in one show: one run reports each of them, nothing else."""
    wanted_ids = [
        "yaml-alias-scalar", "yaml-python-tag", "yaml-non-utf8", "yaml-duplicate-key",
        "type-title-boolean", "type-date-impossible", "text-bidi-override", "path-dev-zero",
        "path-fifo", "audio-text-m4a",
    ]  # fmt: skip
    cases = {case.name: case for case in load_cases() if case.kind == "episode"}
    show_dir = write_show(tmp_path / "show", {})
    expected: list[str] = []
    for name in wanted_ids:
        apply(cases[name], show_dir)
        expected += cases[name].expected()
    with pytest.raises(PodpubError) as caught:
        check(show_dir, PublishOptions(now=NOW))
    assert [str(p) for p in caught.value.problems] == sorted(expected)


# --- markup that tries to run script --------------------------------------------------

ATTACKS = (
    "<script>alert('s')</script> **bold** "
    "<img src=x onerror=alert('img')> "
    "[click](javascript:alert('js')) [data](data:text/html;base64,PHNjcmlwdD4=) "
    "[vb](vbscript:msgbox) <iframe src=https://evil.example></iframe> "
    "<svg onload=alert('svg')></svg> <a href=\"https://ok.example\" onclick=\"alert('a')\">ok</a>"
)
TITLE = "</script><script>alert('t')</script> <b onmouseover=alert(1)>&amp; \"quotes\" 'single'"


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    episode = (
        MINIMAL_EPISODE.replace("title: First episode", f"title: {_yaml(TITLE)}")
        .replace("title: One", f"title: {_yaml(TITLE)}")
        .replace('start: "0:00"', f'start: "0:00"\n    text: {_yaml(ATTACKS)}')
        + f"summary: {_yaml(ATTACKS)}\n"
    )
    show = MINIMAL_SHOW.replace("description: A show for tests.", f"description: {_yaml(ATTACKS)}")
    show = show.replace("author: Test", f"author: {_yaml(TITLE)}")
    show_dir = write_show(tmp_path_factory.mktemp("attack") / "show", {"ep1.yaml": episode}, show)
    publish(show_dir, PublishOptions(now=NOW))
    return show_dir / "public"


def _yaml(text: str) -> str:
    import json

    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _assert_inert(document: html.HtmlElement, where: str) -> None:
    scripts = [s for s in document.iter("script") if s.get("type") != "application/ld+json"]
    assert all(not (s.text or "").count("alert") for s in scripts), where
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in {"iframe", "svg", "object", "embed"}, where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, element.tag, name)
            if name in {"href", "src", "action", "formaction"}:
                scheme = value.strip().lower().split(":", 1)[0]
                assert scheme not in {"javascript", "data", "vbscript"}, (where, value)


def test_pages_carry_the_text_but_no_script(attacked: Path):
    pages = [attacked / "index.html", *sorted((attacked / "episodes").glob("*/index.html"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        document = html.document_fromstring(text)
        _assert_inert(document, page.name)
        assert "alert('t')" not in "".join(
            (s.text or "")
            for s in document.iter("script")
            if s.get("type") != "application/ld+json"
        )
    episode = html.document_fromstring(pages[1].read_text(encoding="utf-8"))
    assert TITLE in episode.findtext(".//h1") or TITLE in episode.text_content()


def test_json_ld_keeps_the_title_and_cannot_be_closed_from_inside(attacked: Path):
    import json

    page = (attacked / "episodes" / "ep1" / "index.html").read_text(encoding="utf-8")
    document = html.document_fromstring(page)
    blocks = [s.text for s in document.iter("script") if s.get("type") == "application/ld+json"]
    assert blocks and all("</script" not in block.lower() for block in blocks)
    names = [json.loads(block).get("name") for block in blocks]
    assert TITLE in names


def test_feed_html_is_sanitized_and_the_feed_parses_strictly(attacked: Path):
    feed = etree.fromstring((attacked / "feed.xml").read_bytes(), etree.XMLParser())
    assert feed.findtext("channel/item/title") == TITLE
    fragments = [
        feed.findtext("channel/description"),
        feed.findtext("channel/item/description"),
        feed.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded"),
    ]
    for fragment in fragments:
        assert fragment
        _assert_inert(html.fragment_fromstring(fragment, create_parent="div"), "feed")
        assert "<script" not in fragment.lower()


def _stale_stat(monkeypatch: pytest.MonkeyPatch, path: Path, size: int) -> None:
    """``os.stat`` of ``path`` gives ``size`` bytes: the file grew after its stat."""
    from podpub.input import load

    real = os.stat

    def stat(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(target, *args, **kwargs)
        if Path(target) == path:
            return os.stat_result((*found[:6], size, *found[7:]))
        return found

    monkeypatch.setattr(load.os, "stat", stat)


def test_a_descriptor_that_grew_after_its_stat_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from podpub.input.load import read_descriptor

    path = tmp_path / "ep.yaml"
    path.write_text(MINIMAL_EPISODE, encoding="utf-8")
    _stale_stat(monkeypatch, path, 10)
    assert read_descriptor(path, "episodes/ep.yaml") == MINIMAL_EPISODE.encode()


def test_a_descriptor_that_grew_past_the_cap_after_its_stat_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from podpub.input.load import read_descriptor

    path = tmp_path / "ep.yaml"
    path.write_bytes(_OVERSIZED)
    _stale_stat(monkeypatch, path, 10)
    with pytest.raises(PodpubError) as caught:
        read_descriptor(path, "episodes/ep.yaml")
    (problem,) = caught.value.problems
    assert f"file is {MAX_DESCRIPTOR_BYTES + 1:,} bytes or more" in problem.message
