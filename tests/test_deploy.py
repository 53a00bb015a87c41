"""podpub deploy end to end: to a folder, and to a real S3 API (moto's server on 127.0.0.1).

boto3 talks HTTP to the server as it would to AWS, R2 or MinIO; the order of the uploads
is read from the server's own request log (moto's recorder), not from podpub's word.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import boto3
import pytest
import requests
from moto import moto_api
from moto.server import ThreadedMotoServer

from podpub.cli import main
from podpub.deploy.files import content_type, kind_of
from podpub.deploy.manifest import MANIFEST_NAME

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

BUCKET = "podcast-site"
SECOND_EPISODE = (
    MINIMAL_EPISODE.replace("First episode", "Second episode")
    .replace("2023-06-02", "2023-06-09")
    .replace("audio/tone.mp3", "audio/tone.m4a")
)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE, "ep2.yaml": SECOND_EPISODE})


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def published(capsys: pytest.CaptureFixture[str], show: Path) -> None:
    status, _, err = run(capsys, "publish", str(show), "-q", "-j", "1")
    assert status == 0, err


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def put_lines(out: str) -> list[str]:
    """The destinations of the uploads podpub printed, in order."""
    return [line.strip()[4:] for line in out.splitlines() if line.strip().startswith("put ")]


# --- to a folder --------------------------------------------------------------------


def test_deploy_to_a_folder_copies_the_site_then_only_what_changed(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "gh-pages"
    dest.mkdir()
    (dest / "CNAME").write_text("podcast.example.org\n")  # not podpub's: never touched
    published(capsys, show)

    status, out, err = run(capsys, "deploy", str(show), "--to", str(dest))
    assert status == 0, err
    site = files_of(show / "public")
    there = files_of(dest)
    assert {rel: there[rel] for rel in site} == site
    assert there["CNAME"] == b"podcast.example.org\n"
    puts = [line.removeprefix(f"{dest}/") for line in put_lines(out)]
    assert puts[0].startswith("audio/") and puts[1].startswith("audio/")  # media first
    assert puts[-1] == "feed.xml"  # the feed last
    assert set(puts) == set(site)

    status, out, _ = run(capsys, "deploy", str(show), "--to", str(dest))
    assert status == 0
    assert put_lines(out) == []
    assert "uploaded 0 files" in out and f"{len(site)} unchanged" in out

    episode = show / "episodes" / "ep1.yaml"
    episode.write_text(episode.read_text().replace("First episode", "Premier épisode"))
    published(capsys, show)
    status, out, _ = run(capsys, "deploy", str(show), "--to", str(dest))
    puts = [line.removeprefix(f"{dest}/") for line in put_lines(out)]
    assert puts and puts[-1] == "feed.xml"
    assert not any(p.startswith("audio/") for p in puts)  # the audio did not change
    assert "Premier épisode" in (dest / "feed.xml").read_text()
    assert files_of(dest)["index.html"] == (show / "public" / "index.html").read_bytes()


def test_a_page_the_site_lost_is_deleted_from_the_folder_but_not_foreign_files(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "www"
    published(capsys, show)
    assert run(capsys, "deploy", str(show), "--to", str(dest))[0] == 0
    (dest / "stats.html").write_text("mine")  # put there by someone else
    pages = sorted(p for p in (dest / "episodes").iterdir())
    assert len(pages) == 2

    (show / "episodes" / "ep2.yaml").unlink()
    status, _, err = run(capsys, "publish", str(show), "-q", "-j", "1", "--remove", "ep2")
    assert status == 0, err
    status, out, _ = run(capsys, "deploy", str(show), "--to", str(dest))
    assert status == 0
    assert "delete" in out
    assert sorted(p.name for p in (dest / "episodes").iterdir()) == ["ep1"]
    assert not (dest / "audio" / "tone.m4a").exists()  # left the ledger with its episode
    assert (dest / "stats.html").read_text() == "mine"


def test_a_tampered_manifest_deletes_nothing_outside_and_a_broken_one_nothing_at_all(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "www"
    published(capsys, show)
    assert run(capsys, "deploy", str(show), "--to", str(dest))[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("not podpub's")
    (dest / "old.html").write_text("old")
    manifest = json.loads((dest / MANIFEST_NAME).read_text())
    entry = {"size": 1, "sha256": "0" * 64, "stamp": None}
    manifest["files"].update({"../victim.txt": entry, "/etc/hostname": entry})
    (dest / MANIFEST_NAME).write_text(json.dumps(manifest))
    status, out, _ = run(capsys, "deploy", str(show), "--to", str(dest))
    assert status == 0
    assert victim.read_text() == "not podpub's" and "uploaded 0 files" in out

    (dest / MANIFEST_NAME).write_text("{not json")
    status, out, _ = run(capsys, "deploy", str(show), "--to", str(dest))
    assert status == 0
    # Without a manifest to trust, each file there is compared by its bytes: none sent.
    assert "uploaded 0 files" in out and "deleted 0" in out
    assert (dest / "old.html").read_text() == "old"
    assert json.loads((dest / MANIFEST_NAME).read_text())["format"] == 1  # written anew


def test_dry_run_lists_the_uploads_and_changes_nothing(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "www"
    published(capsys, show)
    status, out, _ = run(capsys, "deploy", str(show), "--to", str(dest), "--dry-run")
    assert status == 0
    assert f"upload {dest}/audio/tone.mp3 (audio/mpeg, public, max-age=31536000" in out
    assert f"upload {dest}/feed.xml (application/rss+xml; charset=utf-8" in out
    assert "nothing was uploaded" in out
    assert not dest.exists()


def test_deploy_to_comes_from_show_yaml_and_publish_deploy_does_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + "deploy:\n  to: ../site\n")
    status, out, err = run(capsys, "publish", str(show), "--deploy", "-j", "1")
    assert status == 0, err
    assert (tmp_path / "site" / "feed.xml").read_bytes() == (show / "public/feed.xml").read_bytes()
    assert "uploaded" in out


def test_a_relative_to_is_from_the_current_folder_and_deploy_to_from_the_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + "deploy:\n  to: ../site\n")
    published(capsys, show)
    monkeypatch.chdir(show / "episodes")
    assert run(capsys, "deploy", "..")[0] == 0
    assert (tmp_path / "site" / "feed.xml").is_file()
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "deploy", "show", "--to", "elsewhere")[0] == 0
    assert (tmp_path / "elsewhere" / "feed.xml").is_file()


def test_without_a_destination_the_error_says_how_to_give_one(
    show: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published(capsys, show)
    status, _, err = run(capsys, "deploy", str(show))
    assert status == 1
    assert "show.yaml: deploy.to: podpub deploy needs a destination (give --to DEST" in err
    assert "Traceback" not in err


def test_a_destination_that_is_no_folder_nor_s3_is_refused_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + "deploy:\n  to: ftp://host/x\n")
    status, _, err = run(capsys, "deploy", str(show))
    assert status == 1
    assert "show.yaml:15:" in err and "deploy.to" in err and "s3://BUCKET/PREFIX" in err


def test_deploy_into_the_published_folder_is_refused(
    show: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published(capsys, show)
    status, _, err = run(capsys, "deploy", str(show), "--to", str(show / "public" / "x"))
    assert status == 1
    assert "--to:" in err and "overlaps the published folder" in err


def test_a_preview_in_the_published_folder_is_never_deployed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(
        tmp_path / "show",
        {"ep1.yaml": MINIMAL_EPISODE, "ep2.yaml": SECOND_EPISODE + "draft: true\n"},
    )
    dest = tmp_path / "www"
    published(capsys, show)
    status, _, err = run(capsys, "publish", str(show), "-q", "-j", "1", "--drafts")
    assert status == 0, err
    status, _, err = run(capsys, "deploy", str(show), "--to", str(dest))
    assert status == 1
    assert "which published.lock does not record so: the folder holds a preview" in err
    assert not dest.exists()

    published(capsys, show)  # the real site again
    assert run(capsys, "deploy", str(show), "--to", str(dest))[0] == 0
    assert "Second episode" not in (dest / "feed.xml").read_text()


# --- media_url: the audio is served from there ---------------------------------------

MEDIA_SHOW = MINIMAL_SHOW + "media_url: https://cdn.example.org/podcast/\n"


def test_with_media_url_the_site_has_no_audio_and_the_player_plays_the_cdn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show", show=MEDIA_SHOW)
    published(capsys, show)
    public = show / "public"
    assert not (public / "audio").exists()
    page = (public / "episodes" / "ep1" / "index.html").read_text()
    cdn = "https://cdn.example.org/podcast/audio/tone.mp3"
    assert f'<audio id="player" controls preload="metadata" src="{cdn}"' in page
    assert f'<a href="{cdn}" download' in page
    assert "../../audio/tone.mp3" not in page
    assert f'url="{cdn}"' in (public / "feed.xml").read_text()


def test_deploy_media_puts_the_audio_at_the_media_destination_before_the_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = "deploy:\n  to: ../site\n  media: ../media\n"
    show = write_show(tmp_path / "show", show=MEDIA_SHOW + settings)
    published(capsys, show)
    status, out, err = run(capsys, "deploy", str(show))
    assert status == 0, err
    media, site = tmp_path / "media", tmp_path / "site"
    assert (media / "audio" / "tone.mp3").read_bytes() == (show / "audio/tone.mp3").read_bytes()
    assert not (site / "audio").exists()
    assert not (media / "feed.xml").exists()
    puts = put_lines(out)
    assert puts[0] == f"{media}/audio/tone.mp3" and puts[-1] == f"{site}/feed.xml"


def test_deploy_media_without_media_url_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = "deploy:\n  to: ../site\n  media: ../media\n"
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + settings)
    published(capsys, show)
    status, _, err = run(capsys, "deploy", str(show))
    assert status == 1
    assert "show.yaml:16:10: deploy.media: is set but media_url is not" in err
    assert not (tmp_path / "site").exists()


def test_media_and_site_in_the_same_place_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each deploy would take the other's files for leftovers and delete them.
    settings = "deploy:\n  to: ../www\n  media: ../www/\n"
    show = write_show(tmp_path / "show", show=MEDIA_SHOW + settings)
    published(capsys, show)
    status, _, err = run(capsys, "deploy", str(show))
    assert status == 1
    assert "show.yaml:17:10: deploy.media: is the site's destination too" in err
    assert not (tmp_path / "www").exists()


# --- to S3 (moto's server) -------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3]:
    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    for name, value in {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # The server's own log of the requests it answered, in order (moto's recorder).
    monkeypatch.setattr(moto_api.recorder, "_location", str(tmp_path / "moto-requests.jsonl"))
    client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    requests.post(f"{moto_server}/moto-api/recorder/start-recording", timeout=10)
    yield S3(client, moto_server, tmp_path / "moto-requests.jsonl")
    requests.post(f"{moto_server}/moto-api/recorder/stop-recording", timeout=10)


class S3:
    def __init__(self, client: object, url: str, log: Path) -> None:
        self.client = client
        self.url = url
        self.log = log

    def requests(self) -> list[tuple[str, str]]:
        """(method, key) of each request on the bucket since the last call."""
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        self.log.write_text("")
        found = []
        for line in lines:
            entry = json.loads(line)
            path = unquote(urlsplit(entry["url"]).path)
            prefix = f"/{BUCKET}/"
            if path.startswith(prefix):
                found.append((entry["method"], path[len(prefix) :]))
        return found

    def puts(self) -> list[str]:
        return [key for method, key in self.requests() if method == "PUT"]

    def objects(self) -> set[str]:
        answer = self.client.list_objects_v2(Bucket=BUCKET)  # type: ignore[attr-defined]
        return {item["Key"] for item in answer.get("Contents", [])}

    def head(self, key: str) -> dict:
        return self.client.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]


def test_deploy_to_s3_sets_types_and_caching_and_a_second_deploy_sends_nothing(
    show: Path, s3: S3, capsys: pytest.CaptureFixture[str]
) -> None:
    published(capsys, show)
    status, _, err = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}/show")
    assert status == 0, err
    site = files_of(show / "public")
    assert s3.objects() == {f"show/{rel}" for rel in site} | {f"show/{MANIFEST_NAME}"}
    expected = {
        "show/audio/tone.mp3": ("audio/mpeg", "public, max-age=31536000, immutable"),
        "show/audio/tone.m4a": ("audio/x-m4a", "public, max-age=31536000, immutable"),
        "show/feed.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "show/index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        "show/cover.png": ("image/png", "public, max-age=3600"),
        "show/episodes/ep1/chapters.json": (
            "application/json; charset=utf-8",
            "public, max-age=3600",
        ),
    }
    for key, (kind, cache) in expected.items():
        head = s3.head(key)
        assert (head["ContentType"], head["CacheControl"]) == (kind, cache), key
    body = s3.client.get_object(Bucket=BUCKET, Key="show/feed.xml")["Body"].read()  # type: ignore[attr-defined]
    assert body == site["feed.xml"]
    puts = s3.puts()
    assert puts[:2] == ["show/audio/tone.m4a", "show/audio/tone.mp3"]
    assert puts[-2:] == ["show/feed.xml", f"show/{MANIFEST_NAME}"]

    status, out, _ = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}/show")
    assert status == 0
    assert s3.puts() == []  # not even the manifest
    assert f"uploaded 0 files (0 B), deleted 0, {len(site)} unchanged" in out


def test_an_edit_uploads_only_the_changed_files_and_the_feed_last(
    show: Path, s3: S3, capsys: pytest.CaptureFixture[str]
) -> None:
    published(capsys, show)
    assert run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")[0] == 0
    s3.requests()
    episode = show / "episodes" / "ep2.yaml"
    episode.write_text(episode.read_text().replace("Second episode", "Deuxième épisode"))
    published(capsys, show)
    before = files_of(show / "public")
    status, _, err = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")
    assert status == 0, err
    puts = s3.puts()
    assert puts[-2:] == ["feed.xml", MANIFEST_NAME]
    assert "episodes/ep2/index.html" in puts
    assert not any(key.startswith("audio/") for key in puts)
    assert "episodes/ep1/chapters.json" not in puts  # same bytes as before
    assert len(puts) < len(before) / 2


def test_an_audio_file_the_ledger_lists_is_never_deleted(
    show: Path, s3: S3, capsys: pytest.CaptureFixture[str]
) -> None:
    published(capsys, show)
    assert run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")[0] == 0
    # The audio moves to a CDN: the site no longer has it, but apps holding the old
    # feed still download it from the site, and published.lock still lists the file.
    text = (show / "show.yaml").read_text()
    (show / "show.yaml").write_text(text + "media_url: https://cdn.example.org/\n")
    published(capsys, show)
    status, out, err = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")
    assert status == 0, err
    assert {"audio/tone.mp3", "audio/tone.m4a"} <= s3.objects()
    assert not [key for method, key in s3.requests() if method == "DELETE"]
    assert "2 kept (published.lock lists them)" in out


def test_what_the_site_lost_is_deleted_from_s3_after_the_new_feed_is_online(
    show: Path, s3: S3, capsys: pytest.CaptureFixture[str]
) -> None:
    published(capsys, show)
    assert run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")[0] == 0
    s3.requests()
    (show / "episodes" / "ep2.yaml").unlink()
    status, _, err = run(capsys, "publish", str(show), "-q", "-j", "1", "--remove", "ep2")
    assert status == 0, err
    assert run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")[0] == 0
    changes = [(m, key) for m, key in s3.requests() if m in ("PUT", "DELETE")]
    deleted = {key for m, key in changes if m == "DELETE"}
    assert {"episodes/ep2/index.html", "audio/tone.m4a"} <= deleted  # out of the ledger too
    first_delete = next(i for i, (m, _) in enumerate(changes) if m == "DELETE")
    assert changes.index(("PUT", "feed.xml")) < first_delete
    assert "audio/tone.mp3" in s3.objects() and "audio/tone.m4a" not in s3.objects()


def test_dry_run_on_s3_uploads_nothing(show: Path, s3: S3, capsys: pytest.CaptureFixture[str]):
    published(capsys, show)
    status, out, _ = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}/x", "--dry-run")
    assert status == 0
    assert f"upload s3://{BUCKET}/x/audio/tone.mp3 (audio/mpeg" in out
    assert s3.objects() == set()
    assert [m for m, _ in s3.requests() if m in ("PUT", "DELETE", "POST")] == []


def test_s3_errors_are_one_located_line_with_the_fix(
    show: Path, s3: S3, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    published(capsys, show)
    status, _, err = run(capsys, "deploy", str(show), "--to", "s3://no-such-bucket/x")
    assert status == 1
    assert "--to: the bucket 'no-such-bucket' does not exist at http://127.0.0.1:" in err
    assert "create it" in err and "Traceback" not in err

    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    status, _, err = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")
    assert status == 1
    assert "--to: no credentials for S3 (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in err

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed}")
    status, _, err = run(capsys, "deploy", str(show), "--to", f"s3://{BUCKET}")
    assert status == 1
    assert f"--to: cannot reach http://127.0.0.1:{closed}" in err
    assert "AWS_ENDPOINT_URL" in err and "Traceback" not in err
    assert s3.objects() == set()


@pytest.mark.parametrize(
    ("rel", "kind", "order"),
    [
        ("audio/a.mp3", "audio/mpeg", 0),
        ("audio/a.opus", "audio/ogg", 0),
        ("audio/a.flac", "audio/flac", 0),
        ("episodes/a/transcript.vtt", "text/vtt; charset=utf-8", 1),
        ("episodes/a/transcript.srt", "application/x-subrip; charset=utf-8", 1),
        ("assets/style.css", "text/css; charset=utf-8", 1),
        ("episodes/a/index.html", "text/html; charset=utf-8", 2),
        ("sitemap.xml", "application/xml; charset=utf-8", 2),
        ("feed-2.xml", "application/rss+xml; charset=utf-8", 3),
        ("feed.xml", "application/rss+xml; charset=utf-8", 3),
    ],
)
def test_content_types_and_upload_order(rel: str, kind: str, order: int) -> None:
    assert (content_type(rel), kind_of(rel)) == (kind, order)


def test_publish_deploy_to_s3_with_the_endpoint_from_show_yaml(
    tmp_path: Path, s3: S3, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # else boto3 would find the server without us
    settings = f"deploy:\n  to: s3://{BUCKET}/pod\n  endpoint_url: {s3.url}\n"
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + settings)
    status, out, err = run(capsys, "publish", str(show), "--deploy", "-j", "1")
    assert status == 0, err
    assert f"Site → s3://{BUCKET}/pod/: uploaded" in out
    assert "pod/feed.xml" in s3.objects()


def test_publish_deploy_refuses_preview_flags(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys, "publish", str(show), "--deploy", "--drafts", "--out", str(tmp_path / "o")
    )
    assert status == 1
    assert "--deploy puts the published show online: not with --dry-run, --drafts" in err
    assert not (tmp_path / "o").exists()


def test_publish_deploy_quiet_prints_nothing_on_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + "deploy:\n  to: ../site\n")
    status, out, err = run(capsys, "publish", str(show), "--deploy", "-q", "-j", "1")
    assert (status, out) == (0, ""), err
    assert (tmp_path / "site" / "feed.xml").is_file()
