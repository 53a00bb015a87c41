"""After a deploy: the remote check of the new files and the pings, with real servers.

The site goes to a real S3 API (moto's server on 127.0.0.1) or to a folder served over
https on 127.0.0.1; the WebSub hub and the Podcast Index are a local server that
records what it is sent and what the bucket held at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import test_deploy
import test_remote
from static_server import RangeRequestHandler, recorder
from test_deploy import BUCKET, S3, published, run
from test_remote import IgnoresRange, serving

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, write_show

# The fixtures of those tests, used here too: moto's S3 server, the trusted certificate.
moto_server, s3 = test_deploy.moto_server, test_deploy.s3
certificate, trusted = test_remote.certificate, test_remote.trusted

FEED = "https://podcast.example.org/feed.xml"
SECOND_EPISODE = (
    MINIMAL_EPISODE.replace("First episode", "Second episode")
    .replace("2023-06-02", "2023-06-09")
    .replace("audio/tone.mp3", "audio/tone-vbr.mp3")
)


def pings(base: str, hub: str = "hub") -> str:
    return f"websub_hub: {base}{hub}\npubnotify: true\npubnotify_endpoint: {base}pubnotify\n"


def feed_in_bucket(s3: S3) -> Callable[[], bytes | None]:
    def seen() -> bytes | None:
        try:
            answer = s3.client.get_object(Bucket=BUCKET, Key="show/feed.xml")  # type: ignore[attr-defined]
        except s3.client.exceptions.NoSuchKey:  # type: ignore[attr-defined]
            return None
        return answer["Body"].read()

    return seen


# --- the pings ----------------------------------------------------------------------


def test_after_a_deploy_to_s3_the_hub_and_the_index_are_told_once_the_feed_is_there(
    tmp_path: Path, s3: S3, capsys: pytest.CaptureFixture[str]
) -> None:
    with recorder(feed_in_bucket(s3)) as (base, requests):
        show = write_show(tmp_path / "show", show=MINIMAL_SHOW + pings(base))
        published(capsys, show)
        status, out, err = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}/show")
        assert status == 0, err
        feed = (show / "public" / "feed.xml").read_bytes()
        [(method, path, body, hub_saw), (get, query, _, index_saw)] = requests
        assert (method, path) == ("POST", "/hub")
        assert parse_qs(body) == {"hub.mode": ["publish"], "hub.url": [FEED]}
        assert (get, urlsplit(query).path) == ("GET", "/pubnotify")
        assert parse_qs(urlsplit(query).query) == {"url": [FEED]}
        assert hub_saw == feed and index_saw == feed  # told once the new feed was online
        assert f"Notified WebSub hub {base}hub: HTTP 204." in out
        assert f"Notified the Podcast Index ({base}pubnotify): HTTP 200." in out
        # The bucket is not served at the site's address here: said once, on stderr.
        assert f"warning: the feed {FEED} does not answer (cannot connect)" in err
        assert err.count("\n") == 1

        # Nothing changed: nothing uploaded, nobody told (cron runs this every 15 min).
        status, _, _ = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}/show")
        assert status == 0 and len(requests) == 2

        episode = show / "episodes" / "ep1.yaml"
        episode.write_text(episode.read_text().replace("First episode", "Premier épisode"))
        published(capsys, show)
        status, _, _ = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}/x", "--dry-run")
        assert status == 0 and len(requests) == 2  # a dry run pings nothing


def test_a_failing_hub_is_a_warning_and_the_deploy_succeeds(
    tmp_path: Path, s3: S3, capsys: pytest.CaptureFixture[str]
) -> None:
    with recorder() as (base, requests):
        show = write_show(tmp_path / "show", show=MINIMAL_SHOW + pings(base, hub="fail"))
        published(capsys, show)
        status, out, err = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}/show")
    assert status == 0
    assert [r[1].split("?")[0] for r in requests] == ["/fail", "/pubnotify"]  # both tried
    assert (
        f"warning: could not notify WebSub hub {base}fail: HTTP 500 (hub is down for "
        "maintenance). The feed is online;"
    ) in err
    assert "Notified the Podcast Index" in out
    assert "show/feed.xml" in s3.objects()


def test_a_folder_nothing_serves_is_neither_checked_nor_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with recorder() as (base, requests):
        show = write_show(tmp_path / "show", show=MINIMAL_SHOW + pings(base))
        published(capsys, show)
        status, out, err = run(capsys, "deploy", str(show), "--to", str(tmp_path / "www"))
    assert status == 0
    assert requests == []
    assert err == ""
    [line] = [line for line in out.splitlines() if "skipped" in line]
    assert line.startswith(
        f"Remote check and notifications skipped: {FEED} does not answer (cannot connect)"
    )


# --- the remote check of the new enclosures -----------------------------------------------


def _findings(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def test_a_host_that_ignores_ranges_is_one_located_warning_for_the_new_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], trusted: tuple[Path, Path]
) -> None:
    www = tmp_path / "www"
    with serving(www, IgnoresRange, trusted) as base:
        show_yaml = MINIMAL_SHOW.replace("https://podcast.example.org/", base)
        show = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE}, show=show_yaml)
        published(capsys, show)
        status, _, err = run(capsys, "deploy", str(show), "--to", str(www))
        assert status == 0, err  # a host fault never fails the deploy
        assert err.startswith(
            "warning: the remote check of the feed and 1 new enclosure found 1 fault in how "
            "the host serves them (the deploy is done; fix the host, then run podpub check "
            "--remote):"
        )
        [finding] = _findings(err)
        assert finding.startswith(
            f"episodes/ep1.yaml:3:8: audio: {base}audio/tone.mp3 ignores byte ranges: "
            "'Range: bytes=0-1' answered HTTP 200, not 206 Partial Content (serve the media "
            "from a host that answers Range requests"
        )
        assert finding.endswith("[DOC-08 error, Apple Podcasts]")

        (show / "episodes" / "ep2.yaml").write_text(SECOND_EPISODE)
        published(capsys, show)
        status, _, err = run(capsys, "deploy", str(show), "--to", str(www))
        assert status == 0
        # The new file is checked, and the first again: a fault is told until it is fixed.
        findings = _findings(err)
        assert len(findings) == 2
        assert {f.split(":", 1)[0] for f in findings} == {"episodes/ep1.yaml", "episodes/ep2.yaml"}


def test_files_served_well_are_not_checked_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], trusted: tuple[Path, Path]
) -> None:
    www = tmp_path / "www"
    with serving(www, RangeRequestHandler, trusted) as base:
        show_yaml = MINIMAL_SHOW.replace("https://podcast.example.org/", base)
        show = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE}, show=show_yaml)
        published(capsys, show)
        status, out, err = run(capsys, "deploy", str(show), "--to", str(www))
        assert (status, err) == (0, "")
        assert "Remote check: the feed and 1 new enclosure are served as apps need." in out

        (show / "episodes" / "ep2.yaml").write_text(SECOND_EPISODE)
        published(capsys, show)
        status, out, err = run(capsys, "deploy", str(show), "--to", str(www))
        assert (status, err) == (0, "")
        assert "Remote check: the feed and 1 new enclosure are served as apps need." in out


# --- a deploy that stops part-way -------------------------------------------------------------


def test_an_upload_that_fails_part_way_does_not_claim_nothing_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show")
    published(capsys, show)
    www = tmp_path / "www"
    www.mkdir()
    (www / "episodes").write_text("a file where the pages' folder goes")
    status, _, err = run(capsys, "deploy", str(show), "--to", str(www))
    assert status == 1
    assert (www / "audio" / "tone.mp3").is_file()  # the media went first
    assert not (www / "feed.xml").exists()
    closing = err.strip().splitlines()[-1]
    assert "nothing was written" not in err
    assert closing.endswith(
        "some files were uploaded, but the feed online is still the previous one: fix the "
        "cause and run podpub deploy again."
    )
