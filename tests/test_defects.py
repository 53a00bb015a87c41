"""The defect show (tests/shows/defects): one defect per rule, each found once, at its line.

Every defect sits on a line of the show's YAML with a comment naming its rule. Descriptor
problems (an episode whose ``explicit`` is not a boolean) and feed findings come out of
the same run: the episode that fails its descriptor check is left out of the feed, the
rules check the rest.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.rules.checker import check_show
from podpub.write.publish import PublishOptions, publish

from conftest import NOW, REPO

DEFECTS = REPO / "tests" / "shows" / "defects"

# (rule, file, line, column, field, level): exactly what `podpub check` must report.
EXPECTED = {
    ("APL-10", "episodes/01-numero.yaml", 1, 8, "title", "warning"),
    ("APL-06", "episodes/02-sans-numero.yaml", 1, 1, "number", "error"),
    ("RSS-06", "episodes/03-opus.yaml", 4, 8, "audio", "warning"),
    ("P20-09", "episodes/04-extrait.yaml", 6, 12, "soundbites[0].start", "error"),
    ("P20-08", "episodes/05-chapitre.yaml", 10, 12, "headlines[1].image", "error"),
    ("APL-04", "episodes/06-titre-long.yaml", 2, 8, "title", "error"),
    ("P20-05", "episodes/07-soutien.yaml", 8, 11, "funding[0].text", "warning"),
    ("P20-04", "episodes/08-licence.yaml", 5, 10, "license", "error"),
    ("DOC-09", "episodes/09-lien.yaml", 6, 10, "funding[0].url", "error"),
    (None, "episodes/10-explicite.yaml", 5, 11, "explicit", "error"),  # descriptor check
    ("P20-02", "show.yaml", 3, 1, "guid", "error"),  # missing: the top of the file
    ("DOC-06", "show.yaml", 7, 9, "author", "warning"),
    ("APL-01", "show.yaml", 11, 8, "image", "error"),
    ("P20-03", "show.yaml", 20, 10, "hosts[0].url", "error"),
    ("SIZE-01", "show.yaml", 22, 3, "feed_size", "warning"),
}


@pytest.fixture
def defects(tmp_path: Path) -> Path:
    target = tmp_path / "defects"
    shutil.copytree(DEFECTS, target)
    return target


def test_each_defect_is_found_once_at_its_line(defects: Path) -> None:
    report = check_show(defects, PublishOptions(now=NOW))
    found = {
        (getattr(p, "rule", None) or None, p.file, p.line, p.column, p.field, p.level)
        for p in report.problems
    }
    assert found == EXPECTED
    assert len(report.problems) == len(EXPECTED)  # no duplicates either


def test_every_defect_line_names_its_rule_in_a_comment(defects: Path) -> None:
    """The fixture documents itself: each rule of EXPECTED is named in its file."""
    for rule, file, _, _, _, _ in EXPECTED:
        if rule is not None:
            assert re.search(rf"#.*\b{rule}\b", (defects / file).read_text(encoding="utf-8"))


def test_check_prints_the_findings_grouped_by_file_and_exits_1(
    defects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["check", str(defects)])
    out = capsys.readouterr().out
    assert status == 1
    headers = [line for line in out.splitlines() if line and not line.startswith(" ")]
    files = sorted({file for _, file, *_ in EXPECTED})
    assert headers[: len(files)] == files  # one group per file, in file order
    assert "  11:8     error    APL-01  image: the artwork is 1000×1000 px" in out
    assert "(Apple Podcasts)" in out
    assert "podpub check: 10 errors, 5 warnings" in out
    assert "publish would refuse this show" in out


def test_check_json_has_the_same_findings(
    defects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(defects), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["counts"] == {"error": 10, "warning": 5, "info": 0}
    found = {
        (f["rule"], f["file"], f["line"], f["column"], f["field"], f["level"])
        for f in document["findings"]
    }
    assert found == EXPECTED
    apple = next(f for f in document["findings"] if f["rule"] == "APL-01")
    assert apple["audience"] == "Apple Podcasts"
    assert "3000×3000" in apple["fix"]


def test_publish_refuses_the_defect_show_and_writes_nothing(defects: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    with pytest.raises(PodpubError) as caught:
        publish(defects, PublishOptions(out=out, now=NOW))
    errors = {(getattr(p, "rule", None), p.file, p.line) for p in caught.value.problems}
    assert errors == {
        (rule, file, line) for rule, file, line, _, _, lv in EXPECTED if lv == "error"
    }
    assert not out.exists()


def _cli_findings(show: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> set[tuple]:
    main(["check", str(show), "--format", "json", *flags])
    document = json.loads(capsys.readouterr().out)
    return {
        (f["rule"], f["file"], f["line"], f["column"], f["field"], f["level"], f["message"])
        for f in document["findings"]
    }


def test_a_paged_feed_checked_page_by_page_finds_what_one_pass_finds_and_nothing_stale(
    defects: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line checks each page of a paged feed on its own and keeps a page's
    findings while its inputs are unchanged; moving a defect's line is seen at once."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    show_yaml = defects / "show.yaml"
    show_yaml.write_text(show_yaml.read_text(encoding="utf-8") + "feed_page_size: 3\n")

    def one_pass() -> set[tuple]:  # the library without a run: every rule on every page
        report = check_show(defects, PublishOptions(now=NOW))
        assert len(report.files) == 3
        return {
            (
                getattr(p, "rule", None) or None,
                p.file,
                p.line,
                p.column,
                p.field,
                p.level,
                p.message,
            )
            for p in report.problems
        }

    expected = one_pass()
    assert ("APL-04", "episodes/06-titre-long.yaml", 2, 8, "title", "error") in {
        f[:6] for f in expected
    }
    assert _cli_findings(defects, capsys, "--no-cache") == expected
    assert _cli_findings(defects, capsys) == expected  # cold cache
    assert _cli_findings(defects, capsys) == expected  # from the cache

    long_title = defects / "episodes" / "06-titre-long.yaml"
    long_title.write_text("# moved down one line\n" + long_title.read_text(encoding="utf-8"))
    moved = one_pass()
    assert ("APL-04", "episodes/06-titre-long.yaml", 3, 8, "title", "error") in {
        f[:6] for f in moved
    }
    assert _cli_findings(defects, capsys) == moved
