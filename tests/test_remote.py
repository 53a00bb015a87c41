"""podpub check --remote against real HTTP servers on 127.0.0.1: one finding per fault."""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from podpub.cli import main
from podpub.net.http import Client
from podpub.online.remote import Enclosure, check_enclosures
from podpub.write.publish import PublishOptions, publish
from static_server import RangeRequestHandler, running

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, write_show

EPISODE_AUDIO_LINE = 3  # `audio:` in MINIMAL_EPISODE


class IgnoresRange(RangeRequestHandler):
    """A server that answers every Range request with the whole file (200)."""

    def send_head(self):  # type: ignore[override]
        return http.server.SimpleHTTPRequestHandler.send_head(self)


class WrongType(RangeRequestHandler):
    extensions_map = {**RangeRequestHandler.extensions_map, ".mp3": "audio/mp3"}  # noqa: RUF012


class FeedAsHtml(RangeRequestHandler):
    extensions_map = {**RangeRequestHandler.extensions_map, ".xml": "text/html"}  # noqa: RUF012


class Redirects(RangeRequestHandler):
    """/go/… answers 302 to /…, as an analytics prefix does."""

    def send_head(self):  # type: ignore[override]
        if self.path.startswith("/go/"):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/go"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()


class _Quiet(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the feed rules refuse http:// media)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed (Debian package openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The certificate, trusted by podpub's HTTP client (requests reads the variable)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    return certificate


@contextlib.contextmanager
def serving(folder: Path, handler: type, tls: tuple[Path, Path]) -> Iterator[str]:
    """Serve ``folder`` over https on 127.0.0.1 (a free port); yields the base URL."""
    server = _Quiet(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with running(server, "https") as url:
        yield url


def _published_show(tmp_path: Path, base: str) -> Path:
    show = MINIMAL_SHOW.replace("https://podcast.example.org/", base)
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE}, show=show)
    publish(show_dir, PublishOptions(now=NOW))
    return show_dir


def _check(show_dir: Path, capsys, *flags: str) -> tuple[int, list[dict]]:
    capsys.readouterr()
    status = main(["check", str(show_dir), "--format", "json", *flags])
    return status, json.loads(capsys.readouterr().out)["findings"]


def _remote_findings(show_dir: Path, capsys) -> tuple[int, list[dict]]:
    """The findings --remote adds to the show's own check, and the exit status."""
    _, local = _check(show_dir, capsys)
    status, both = _check(show_dir, capsys, "--remote")
    return status, [f for f in both if f not in local]


def test_a_correct_host_gives_no_finding(tmp_path: Path, capsys, trusted):
    with serving(tmp_path / "show" / "public", RangeRequestHandler, trusted) as base:
        show_dir = _published_show(tmp_path, base)
        status, added = _remote_findings(show_dir, capsys)
    assert added == []
    assert status == 0


def test_an_untrusted_certificate_is_named_not_called_cannot_connect(
    tmp_path: Path, capsys, certificate, monkeypatch
):
    # The host answers, over TLS, with a certificate the client does not trust: a producer
    # told "cannot connect" looks for a network fault; the fix is the certificate.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    with serving(tmp_path / "show" / "public", RangeRequestHandler, certificate) as base:
        show_dir = _published_show(tmp_path, base)
        status, added = _remote_findings(show_dir, capsys)
    assert status == 1
    assert added, added
    for finding in added:
        assert "cannot connect" not in finding["message"], finding
        assert "TLS certificate" in finding["message"], finding
        assert "self-signed certificate" in finding["message"], finding


@pytest.mark.parametrize(
    ("handler", "rule", "level", "says"),
    [
        (
            IgnoresRange,
            "DOC-08",
            "error",
            "ignores byte ranges: 'Range: bytes=0-1' answered HTTP 200, not 206 Partial Content",
        ),
        (WrongType, "DOC-11", "warning", "is served as audio/mp3, the feed says audio/mpeg"),
    ],
)
def test_a_faulty_host_gives_one_located_finding(
    tmp_path: Path, capsys, trusted, handler: type, rule: str, level: str, says: str
):
    with serving(tmp_path / "show" / "public", handler, trusted) as base:
        show_dir = _published_show(tmp_path, base)
        status, added = _remote_findings(show_dir, capsys)
    [finding] = added
    assert (finding["file"], finding["line"], finding["field"]) == (
        "episodes/ep1.yaml",
        EPISODE_AUDIO_LINE,
        "audio",
    )
    assert (finding["rule"], finding["level"]) == (rule, level)
    assert finding["message"] == f"{base}audio/tone.mp3 {says}"
    assert status == (1 if level == "error" else 0)


def test_a_file_online_of_another_length_is_an_error(tmp_path: Path, capsys, trusted):
    with serving(tmp_path / "show" / "public", RangeRequestHandler, trusted) as base:
        show_dir = _published_show(tmp_path, base)
        served = show_dir / "public" / "audio" / "tone.mp3"
        size = served.stat().st_size
        data = served.read_bytes()
        served.unlink()  # a copy, not the producer's file (publish may hard-link it)
        served.write_bytes(data[:-100])  # an upload cut short
        status, added = _remote_findings(show_dir, capsys)
    [finding] = added
    assert (finding["file"], finding["line"], finding["rule"]) == (
        "episodes/ep1.yaml",
        EPISODE_AUDIO_LINE,
        "RSS-05",
    )
    assert finding["message"] == (
        f"{base}audio/tone.mp3 is {size - 100:,} bytes online, the feed says {size:,}"
    )
    assert status == 1


def test_the_feed_served_as_html_points_at_the_site_url(tmp_path: Path, capsys, trusted):
    with serving(tmp_path / "show" / "public", FeedAsHtml, trusted) as base:
        show_dir = _published_show(tmp_path, base)
        _, added = _remote_findings(show_dir, capsys)
    [finding] = added
    assert (finding["file"], finding["line"], finding["field"]) == ("show.yaml", 4, "url")
    assert finding["rule"] == "DOC-11"
    assert "is served as text/html, not as RSS" in finding["message"]


def test_redirects_are_followed_and_reported(tmp_path: Path, trusted):
    with serving(tmp_path / "show" / "public", Redirects, trusted) as base:
        show_dir = _published_show(tmp_path, base)
        size = (show_dir / "public" / "audio" / "tone.mp3").stat().st_size
        moved = Enclosure(
            f"{base}go/audio/tone.mp3", size, "audio/mpeg", "episodes/ep1.yaml", ("audio",)
        )
        with Client() as client:
            [finding] = check_enclosures(show_dir, [moved], client)
    assert finding.level == "info"
    assert finding.message == f"{moved.url} redirects (1×) to {base}audio/tone.mp3"
    assert finding.line == EPISODE_AUDIO_LINE


def test_remote_and_feed_together_are_refused(tmp_path: Path, capsys):
    show_dir = write_show(tmp_path / "show")
    assert main(["check", str(show_dir), "--remote", "--feed", "x.xml"]) == 1
    assert "--remote checks the show's own feed and media; drop --feed" in capsys.readouterr().err


def test_text_report_blames_the_host_not_the_show(tmp_path: Path, capsys, trusted):
    with serving(tmp_path / "show" / "public", IgnoresRange, trusted) as base:
        show_dir = _published_show(tmp_path, base)
        capsys.readouterr()
        assert main(["check", str(show_dir), "--remote"]) == 1
    out = capsys.readouterr().out
    assert (f"  3:8      error    DOC-08  audio: {base}audio/tone.mp3 ignores byte ranges") in out
    assert "publish would refuse this show" not in out  # publish does not fetch anything
    assert out.rstrip().endswith(
        "The show online is not served as apps need: fix the host, then check again."
    )
