"""`podpub check` as producers and CI run it: the sample show is clean, --strict, JSON,
--feed on a file and on a URL (a real HTTP server on 127.0.0.1), and publish's refusal."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.write.publish import PublishOptions, publish
from test_rules import REFERENCE

from conftest import MINIMAL_SHOW, NOW, REPO, write_show

RICH = REPO / "tests" / "shows" / "rich"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's "now" (nothing in these shows is dated after it)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, folder): a real HTTP server on 127.0.0.1 serving the folder."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --------------------------------------------------------------------------- clean shows


def test_the_sample_show_has_no_error_and_no_warning(sample_show: Path, capsys) -> None:
    status, out, _ = run(["check", str(sample_show), "--strict"], capsys)
    assert status == 0, out
    assert "podpub check: 0 errors, 0 warnings" in out
    status, out, _ = run(["check", str(sample_show), "--format", "json"], capsys)
    assert status == 0
    assert json.loads(out)["findings"] == []


def test_the_rich_show_has_no_error_and_no_warning(tmp_path: Path, capsys) -> None:
    rich = tmp_path / "rich"
    shutil.copytree(RICH, rich)
    status, out, _ = run(["check", str(rich), "--strict"], capsys)
    assert status == 0, out
    assert "0 errors, 0 warnings — 'Les Ondes Claires', 3 episodes" in out


# --------------------------------------------------------------------------- --strict, publish


def test_a_warning_fails_only_with_strict(tmp_path: Path, capsys) -> None:
    show = write_show(tmp_path / "show")  # no guid pinned: P20-02 is a warning
    status, out, _ = run(["check", str(show)], capsys)
    assert status == 0
    assert "warning  P20-02  guid: podcast:guid" in out
    assert "pin it in show.yaml: guid: " in out
    status, _, _ = run(["check", str(show), "--strict"], capsys)
    assert status == 1


def test_publish_prints_warnings_and_publishes(tmp_path: Path, capsys) -> None:
    show = write_show(tmp_path / "show")
    status, _, err = run(["publish", str(show), "--out", str(tmp_path / "out")], capsys)
    assert status == 0
    assert "[P20-02 warning, Podcast Index apps]" in err
    assert (tmp_path / "out" / "feed.xml").is_file()


def test_publish_refuses_a_cover_apple_rejects_and_keeps_the_old_site(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show")
    out = tmp_path / "out"
    publish(show, PublishOptions(out=out, now=NOW))
    before = (out / "feed.xml").read_bytes()
    Image.new("RGBA", (3000, 3000), (0, 0, 0, 0)).save(show / "cover.png")
    with pytest.raises(PodpubError) as caught:
        publish(show, PublishOptions(out=out, now=NOW))
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == ("show.yaml", "image")
    assert problem.line == MINIMAL_SHOW.splitlines().index("image: cover.png") + 1
    assert "alpha channel" in problem.message and "[APL-01 error, Apple Podcasts]" in str(problem)
    assert (out / "feed.xml").read_bytes() == before


def test_descriptor_problems_and_feed_findings_come_in_one_run(tmp_path: Path, capsys) -> None:
    bad_episode = "title: Two\ndate: 2023-06-09\naudio: audio/tone.m4a\nnumber: zero\n"
    numbered = 'title: "Épisode 3 : le retour"\ndate: 2023-06-16\naudio: audio/tone.flac\n'
    show = write_show(tmp_path / "show", {"ep2.yaml": bad_episode, "ep3.yaml": numbered})
    status, out, _ = run(["check", str(show), "--format", "json"], capsys)
    assert status == 1
    found = {(f["file"], f["rule"]) for f in json.loads(out)["findings"]}
    assert ("episodes/ep2.yaml", None) in found  # the descriptor check
    assert ("episodes/ep3.yaml", "APL-10") in found  # the feed rules, on the other episodes
    assert ("episodes/ep3.yaml", "RSS-06") in found  # FLAC: Apple does not list it


# --------------------------------------------------------------------------- --feed


def test_check_feed_reads_a_file_and_points_at_its_lines(tmp_path: Path, capsys) -> None:
    feed = tmp_path / "other.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        "<title>Other</title><link>https://other.example/</link>\n"
        "<description>x</description><language>fr</language>\n"
        "<item><title>Ep</title><guid>ep-1</guid>\n"
        '<enclosure url="https://other.example/a.mp3" length="10" type="audio/mp3"/>\n'
        "<pubDate>Fri, 02 Jun 2023 18:00:00 +0200</pubDate></item>\n"
        "</channel></rss>\n",
        encoding="utf-8",
    )
    status, out, _ = run(["check", "--feed", str(feed), "--offline"], capsys)
    assert status == 1
    assert out.splitlines()[0] == str(feed)
    lines = [line.split() for line in out.splitlines() if line.startswith("  ")]
    found = {(parts[2], parts[0]) for parts in lines}
    assert ("RSS-06", "6") in found  # audio/mp3, on line 6
    assert ("RSS-09", "5") in found  # guid without isPermaLink="false"
    assert ("APL-01", "2") in found  # no artwork
    assert "publish would refuse" not in out  # not a podpub show


def _serve_feed(root: Path, base: str) -> str:
    """A feed on the local server whose artwork and chapters live there too."""
    Image.new("RGB", (1000, 1000), "navy").save(root / "cover.png")
    (root / "chapters.json").write_text(
        json.dumps({"version": "1.2.0", "chapters": [{"startTime": 5}, {"startTime": 1}]})
    )
    feed = REFERENCE.replace("https://example.com/podcast/cover-3000.jpg", base + "cover.png")
    feed = feed.replace('<itunes:image href="https://example.com/podcast/ep001-3000.jpg"/>', "")
    feed = feed.replace("https://example.com/podcast/ep001.chapters.json", base + "chapters.json")
    (root / "feed.xml").write_text(feed, encoding="utf-8")
    return base + "feed.xml"


def test_check_feed_fetches_a_url_and_the_files_it_links(server, capsys) -> None:
    base, root = server
    url = _serve_feed(root, base)
    status, out, _ = run(["check", "--feed", url, "--format", "json", "--offline"], capsys)
    offline = " ".join(f["message"] for f in json.loads(out)["findings"])
    assert "1000×1000" not in offline  # --offline: the artwork was not read
    status, out, _ = run(["check", "--feed", url, "--format", "json"], capsys)
    assert status == 1
    document = json.loads(out)
    assert document["checked"] == url
    by_rule = {f["rule"]: f for f in document["findings"]}
    assert "1000×1000 px" in by_rule["APL-01"]["message"]  # the real image, over HTTP
    assert by_rule["APL-01"]["file"] == url
    assert by_rule["P20-08"]["file"] == base + "chapters.json"
    assert by_rule["P20-08"]["field"] == "chapters[1].startTime"
    assert by_rule["RSS-03"]["level"] == "warning"  # served from 127.0.0.1, says example.com
    # The transcripts the feed names are not on this server: reported as unreachable.
    assert by_rule["DOC-07"]["message"].startswith("cannot read the transcript")


def test_check_feed_on_an_unreachable_url_is_a_located_problem(capsys) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    status, _, err = run(["check", "--feed", f"http://127.0.0.1:{port}/feed.xml"], capsys)
    assert status == 1
    assert f"http://127.0.0.1:{port}/feed.xml: cannot fetch the feed: cannot connect" in err


def test_check_feed_json_for_ci(tmp_path: Path, capsys) -> None:
    show = tmp_path / "rich"
    shutil.copytree(RICH, show)
    out = tmp_path / "public"
    publish(show, PublishOptions(out=out, now=NOW))
    status, text, _ = run(["check", "--feed", str(out / "feed.xml"), "--offline", "-h"], capsys)
    assert status == 0 and "--feed FILE_OR_URL" in text
    status, text, _ = run(
        ["check", "--feed", str(out / "feed.xml"), "--offline", "--format", "json"], capsys
    )
    assert status == 0, text
    assert json.loads(text) == {
        "checked": str(out / "feed.xml"),
        "counts": {"error": 0, "warning": 0, "info": 0},
        "findings": [],
    }


@pytest.mark.parametrize("command", ["check", "tag", "deploy", "serve", "notify", "new"])
def test_no_show_here_names_the_folder_and_no_other_command(
    command: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    # `podpub check` / `podpub tag` in an empty folder told the producer to run
    # "podpub publish SHOW_DIR", and tag said "no show.yaml in ." rather than where.
    monkeypatch.chdir(tmp_path)
    assert main([command, "An episode"] if command == "new" else [command]) == 1
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert f"no show.yaml in {tmp_path.resolve()}" in said, said
    assert "podpub publish" not in said, said
    if command == "deploy":
        assert "podpub deploy SHOW_DIR" in said, said


def test_deploy_called_on_a_relative_folder_says_where_it_looked(tmp_path: Path, monkeypatch):
    # deploy had its own copy of the message and said "no show.yaml in ." when a script
    # gave it a relative folder; the shared one says which folder
    from podpub.deploy.run import DeployOptions, deploy

    monkeypatch.chdir(tmp_path)
    with pytest.raises(PodpubError) as caught:
        deploy(Path("."), DeployOptions())
    assert [p.message for p in caught.value.problems] == [f"no show.yaml in {tmp_path.resolve()}"]
