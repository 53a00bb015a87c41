"""Local HTTP servers for the tests, on 127.0.0.1: a static file server that answers Range
requests, as real web servers do, and a server that records what it is sent.

Python's ``http.server`` ignores ``Range``: a browser's ``<audio>`` element then cannot
seek (Chromium sets ``seekable`` to nothing and puts ``currentTime`` back to 0) and may
not even report the duration of an MP3 without a Xing header. The published site is
served here the way any static host serves it: ``206 Partial Content`` with
``Content-Range`` for ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n``, ``416`` for a range
past the end, and ``Accept-Ranges: bytes`` on every file.
"""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import NamedTuple

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """``SimpleHTTPRequestHandler`` plus single byte ranges; quiet in the test log."""

    extensions_map = {  # noqa: RUF012 (the base class declares it so)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mp3": "audio/mpeg",
        ".m4a": "audio/mp4",
        ".vtt": "text/vtt",
        ".srt": "application/x-subrip",
        ".xml": "application/xml",
        ".json": "application/json",
        ".js": "text/javascript",
        ".webp": "image/webp",
    }

    def send_head(self):  # type: ignore[override]
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        match = _RANGE.match(header.strip()) if header else None
        if match is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start, end = max(size - int(last), 0), size - 1
        else:
            return super().send_head()
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        handle = open(path, "rb")  # noqa: SIM115 (closed by copyfile's caller)
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile):  # type: ignore[override]
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        self._remaining = None
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)
        return None

    def end_headers(self) -> None:
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        pass  # a browser closing a media connection early is normal, not a test failure


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port); yields the base URL, ending in ``/``."""
    handler = partial(RangeRequestHandler, directory=str(folder))
    with running(_Server(("127.0.0.1", 0), handler)) as url:
        yield url


@contextlib.contextmanager
def running(server: http.server.HTTPServer, scheme: str = "http") -> Iterator[str]:
    """``server`` serving in a thread while the block runs; yields its base URL
    (``scheme://127.0.0.1:PORT/``), then stops it and closes its socket."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- a server that records what it is sent (WebSub hubs, the Podcast Index) -------------


class Recorded(NamedTuple):
    method: str
    path: str  # with the query
    body: str
    seen: object  # what the test's ``seen()`` returned when the request came


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Records each request; /fail answers 500, /slow answers after 1.5 s."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        server = self.server
        server.requests.append(Recorded(self.command, self.path, body, server.seen()))  # type: ignore[attr-defined]
        if self.path.startswith("/slow"):
            time.sleep(1.5)
        status = 500 if self.path.startswith("/fail") else 204 if self.command == "POST" else 200
        text = b"hub is down for maintenance\n" if status == 500 else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def recorder(seen: Callable[[], object] = lambda: None) -> Iterator[tuple[str, list[Recorded]]]:
    """A recording server on a free port: yields its base URL (ending in ``/``) and the
    list its requests are appended to; ``seen()`` is called as each request comes."""
    server = _Server(("127.0.0.1", 0), _Recorder)  # quiet when a client gives up on /slow
    server.requests = []  # type: ignore[attr-defined]
    server.seen = seen  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
