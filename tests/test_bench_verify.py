"""The benchmark's incremental == fresh check (bench/run.py --verify).

The benchmark only means something if the incremental site it times is the site a fresh
build makes: these tests check that its comparison finds a site that differs from a
fresh build (a page edited, a file left over, a file missing) and passes a site that
does not, on real publishes of a generated show.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str, path: Path):  # type: ignore[no-untyped-def]
    """bench/ is scripts, not a package: load run.py under a name no test module has."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


bench_run = _load("podpub_bench_run", BENCH / "run.py")
make_show = bench_run.make_show


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """A generated show of 12 episodes, published with its cache into ``out``."""
    root = tmp_path_factory.mktemp("bench")
    show = root / "show"
    make_show(12, show, texts="short")
    out = root / "out-podpub"
    argv = [sys.executable, "-m", "podpub", "publish", str(show), "--out", str(out), "--quiet"]
    subprocess.run(argv, check=True, env=_env(), capture_output=True)
    return show, out, argv


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    env["PODPUB_JOBS"] = "1"
    return env


def _verify(published: tuple[Path, Path, list[str]]) -> bench_run.Verdict:
    show, out, argv = published
    return bench_run.verify_fresh(show, out, out.parent / "out-fresh", argv, _env())


def test_an_incremental_site_equal_to_the_fresh_build_passes(
    published: tuple[Path, Path, list[str]],
) -> None:
    verdict = _verify(published)
    files = sum(len(names) for _, _, names in os.walk(published[1]))
    assert verdict.same, verdict.differences
    assert verdict.files == files > 12
    assert verdict.line() == f"incremental == fresh: yes ({files:,} files)"
    assert not (published[1].parent / "out-fresh").exists()  # the fresh site is removed


def test_a_page_edited_a_file_added_and_one_removed_are_each_reported(
    published: tuple[Path, Path, list[str]],
) -> None:
    out = published[1]
    index = out / "index.html"
    feed = out / "feed.xml"
    original, original_feed = index.read_bytes(), feed.read_bytes()
    try:
        index.write_bytes(original.replace(b"</body>", b"<!-- stale --></body>"))
        (out / "left-over.html").write_text("an old page")
        feed.unlink()
        verdict = _verify(published)
    finally:
        index.write_bytes(original)
        feed.write_bytes(original_feed)
        (out / "left-over.html").unlink()
    assert not verdict.same
    assert verdict.differences == [
        "only in incremental: left-over.html",
        "only in fresh: feed.xml",
        "bytes differ: index.html",
    ]
    assert verdict.line().startswith("incremental == fresh: NO, 3 differences in ")


def test_the_verdicts_are_printed_under_the_table() -> None:
    result = bench_run.Result(10_000, 9_700, "short")
    result.verdicts["one-changed"] = bench_run.Verdict(41_234, [])
    result.verdicts["template-changed"] = bench_run.Verdict(41_234, ["bytes differ: a.html"])
    lines = bench_run.verdicts([result]).splitlines()
    assert lines[1] == "- short, 10,000, one-changed: incremental == fresh: yes (41,234 files)"
    assert lines[2] == (
        "- short, 10,000, template-changed: incremental == fresh: NO, 1 difference "
        "in 41,234 files: bytes differ: a.html"
    )


def test_what_a_run_leaves_is_moved_aside_not_deleted_until_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between timed runs the benchmark frees no inode (a rename keeps the same inode):
    deleting a big site just before a build slows that build on ext4 without a journal.
    The set-aside sites are deleted once, when the benchmark ends."""
    monkeypatch.setattr(bench_run, "WORK", tmp_path)
    site = tmp_path / "out-podpub-short-10"
    (site / "episodes").mkdir(parents=True)
    page = site / "episodes" / "index.html"
    page.write_text("<p>an earlier build</p>")
    inode = page.stat().st_ino

    bench_run.set_aside(site)

    assert not site.exists()
    kept = list((tmp_path / bench_run.TRASH_NAME).rglob("index.html"))
    assert [p.stat().st_ino for p in kept] == [inode]
    bench_run.empty_trash()
    assert not (tmp_path / bench_run.TRASH_NAME).exists()
