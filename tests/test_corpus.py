"""Every bad input of tests/corpus/ gives exactly its expected problems: in process, and in a
bounded child process (5 s, 200 MB, exit 1, no traceback, the previous site untouched).

To add a case: write ``tests/corpus/<episode|show>/<name>.yaml`` with one defect and its
``<name>.expected``. ``PODPUB_CORPUS_WRITE=1 pytest tests/test_corpus.py`` writes the
expected files of cases that have none, from what podpub prints: read them before committing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lxml import etree

from podpub.errors import PodpubError
from podpub.write.publish import PublishOptions, check, publish

from conftest import NOW
from hostile import MEMORY_LIMIT, Case, apply, build, good_show, load_cases, run_jobs

CASES = load_cases()
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _runnable(case: Case) -> bool:
    return not ("non-root" in case.requires and ROOT)


def _problems(show_dir: Path) -> list[str]:
    try:
        check(show_dir, PublishOptions(now=NOW))
    except PodpubError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_corpus_case_gives_exactly_its_expected_problems(case: Case, tmp_path: Path):
    if not _runnable(case):
        pytest.skip("root reads any file")
    found = _problems(build(case, tmp_path / "show"))
    if not case.expected_path.exists() and os.environ.get("PODPUB_CORPUS_WRITE"):
        case.expected_path.write_text("".join(line + "\n" for line in found), encoding="utf-8")
    assert found, "a corpus case must be refused"
    assert found == case.expected()


def test_the_corpus_has_one_expected_file_per_case():
    cases = {case.source.with_suffix("") for case in CASES}
    expected = {
        path.with_suffix("") for path in (Path(__file__).parent / "corpus").rglob("*.expected")
    }
    assert cases == expected


@pytest.mark.skipif(not ROOT, reason="the in-process corpus test covers it")
def test_non_root_cases_as_a_normal_user(tmp_path: Path):
    """Cases that need a file root could read anyway run in the harness as nobody."""
    import tempfile

    cases = [case for case in CASES if "non-root" in case.requires]
    folder = Path(tempfile.mkdtemp(prefix="podpub-nobody-"))
    try:
        folder.chmod(0o755)
        shows = [build(case, folder / case.name) for case in cases]
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, 65534, 65534)  # nobody's own show: writable, the bad file not readable
        results = run_jobs(
            [{"argv": ["publish", str(show), "-q"], "user": 65534} for show in shows],
            warm_up=["check", str(shows[0])],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for case, result in zip(cases, results, strict=True):
        expected = case.expected()
        assert result["exit"] == 1, result
        assert result["stderr"].splitlines() == [
            *expected,
            f"podpub: {len(expected)} problem{'s' * (len(expected) != 1)}; nothing was written.",
        ]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_every_corpus_case_is_refused_within_bounds_leaving_the_site_untouched(tmp_path: Path):
    """The command line, in a child limited to 200 MB of address space and 5 s: exit 1, the
    expected problems and nothing else, no traceback; the previous site and ledger unchanged."""
    base = good_show(tmp_path / "base")
    publish(base, PublishOptions(out=base / "public", now=NOW))
    before_site = _snapshot(base / "public")
    before_ledger = (base / "published.lock").read_bytes()

    cases = [case for case in CASES if _runnable(case)]
    shows = []
    for case in cases:
        show_dir = tmp_path / case.id
        shutil.copytree(base, show_dir, symlinks=True)
        apply(case, show_dir)
        shows.append(show_dir)
    results = run_jobs(
        [{"argv": ["publish", str(show_dir), "-q"]} for show_dir in shows],
        warm_up=["check", str(base)],
    )

    failures = []
    for case, show_dir, result in zip(cases, shows, results, strict=True):
        expected = case.expected()
        noun = "problem" if len(expected) == 1 else "problems"
        wanted = [*expected, f"podpub: {len(expected)} {noun}; nothing was written."]
        checks = {
            "exit status 1": result["exit"] == 1,
            "exactly the expected problems": result["stderr"].splitlines() == wanted,
            "no traceback": "Traceback" not in result["stderr"],
            f"under {MEMORY_LIMIT >> 20} MB": result["max_rss"] < MEMORY_LIMIT,
            "previous site untouched": _snapshot(show_dir / "public") == before_site,
            "ledger untouched": (show_dir / "published.lock").read_bytes() == before_ledger,
            "no staging folder left": not list(show_dir.glob(".podpub/outputs/*/staging-*")),
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            failures.append(f"{case.id}: {', '.join(failed)}: {result}")
    assert not failures, "\n".join(failures)
    # The previous feed still parses strictly (it is the same bytes, but say it).
    etree.fromstring((shows[0] / "public" / "feed.xml").read_bytes(), etree.XMLParser())
