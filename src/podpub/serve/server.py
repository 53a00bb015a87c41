"""The preview's HTTP server on 127.0.0.1: files with byte ranges, live reload, errors.

* Files of the preview folder, with ``Accept-Ranges: bytes`` and ``206 Partial Content``
  for a single ``Range`` (the page's player seeks in the audio; Apple refuses hosts that
  do not answer ranges, so the preview behaves as a real host must);
* ``/_podpub/events``: Server-Sent Events, one ``build`` event with the build's number
  on connection and after every build; ``/_podpub/live.js`` reloads the page when the
  number changes and labels draft and scheduled episodes;
* HTML responses get ``<script src="/_podpub/live.js">`` at serve time: the pages on
  disk are the published ones, byte for byte, and never carry it;
* while the last build was refused, every page is an error page listing the located
  problems (with the script: fixing the file brings the site back by itself).

Nothing is cached by the browser (``Cache-Control: no-store``): a reload shows the build.
"""

from __future__ import annotations

import html
import http.server
import json
import mimetypes
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from podpub.errors import Problem

EVENTS_PATH = "/_podpub/events"
SCRIPT_PATH = "/_podpub/live.js"
KEEPALIVE_SECONDS = 15.0  # an SSE comment line now and then: proxies close idle streams
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
}
_TAG = '<script src="' + SCRIPT_PATH + '?build={}" defer></script>'

# Reload when the build number the stream announces is not the one the page was served
# from (its script tag carries it: a save between the page's load and the stream's
# opening still reloads it; EventSource reconnects by itself after a restart of serve),
# and label the draft and scheduled episodes: a banner on their page, a badge on links.
_SCRIPT = """\
(function () {
  "use strict";
  var marks = %s;
  var script = document.currentScript;
  var seen = script ? new URL(script.src).searchParams.get("build") : null;
  var source = new EventSource("%s");
  source.addEventListener("build", function (event) {
    if (seen !== null && event.data !== seen) { window.location.reload(); }
    seen = event.data;
  });
  function label(text) {
    var span = document.createElement("span");
    span.className = "podpub-preview-mark";
    span.textContent = text;
    span.style.cssText = "display:inline-block;margin:0 .4em;padding:0 .4em;" +
      "border-radius:.3em;background:#8a3b00;color:#fff;font-size:.8em;font-weight:bold";
    return span;
  }
  function mark() {
    var here = marks[window.location.pathname.replace(/index\\.html$/, "")];
    if (here) {
      var banner = label(here);
      banner.setAttribute("role", "note");
      banner.style.display = "block";
      banner.style.margin = "0";
      banner.style.textAlign = "center";
      banner.style.borderRadius = "0";
      document.body.insertBefore(banner, document.body.firstChild);
    }
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      var path = new URL(links[i].href, window.location.href).pathname;
      var text = marks[path.replace(/index\\.html$/, "")];
      if (text && links[i].closest("main") && links[i].textContent.trim()) {
        links[i].appendChild(label(text));
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else { mark(); }
})();
"""


@dataclass
class PreviewState:
    """What the server shows, changed by the builder thread after every build."""

    site: Path  # the preview folder
    build: int = 0  # the number of the build shown; the pages reload when it changes
    problems: tuple[Problem, ...] | None = None  # the refused build's errors, or None
    marks: dict[str, str] = field(default_factory=dict)
    stopping: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def show_build(self, marks: dict[str, str]) -> None:
        with self.changed:
            self.build += 1
            self.problems, self.marks = None, dict(marks)
            self.changed.notify_all()

    def show_problems(self, problems: tuple[Problem, ...]) -> None:
        with self.changed:
            self.build += 1
            self.problems = problems
            self.changed.notify_all()

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threaded server (an open event stream holds one thread) on a loopback port."""

    daemon_threads = True  # event streams never block the exit

    def __init__(self, port: int, state: PreviewState) -> None:
        self.state = state
        super().__init__(("127.0.0.1", port), PreviewHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "podpub-serve"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for the builds and their problems."""

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        try:
            if path == EVENTS_PATH:
                self._events()
            elif path == SCRIPT_PATH:
                self._send(200, _TYPES[".js"], self._script(), head)
            else:
                self._file(path, head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload, a seek): nothing to answer

    def _script(self) -> bytes:
        state = self.server.state
        marks = json.dumps(state.marks, ensure_ascii=False).replace("</", "<\\/")
        return (_SCRIPT % (marks, EVENTS_PATH)).encode()

    def _events(self) -> None:
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        shown = None
        while True:
            with state.changed:
                if state.build == shown and not state.stopping:
                    state.changed.wait(KEEPALIVE_SECONDS)
                if state.stopping:
                    return
                build = state.build
            if build == shown:
                self.wfile.write(b": keep-alive\n\n")
            else:
                self.wfile.write(f"retry: 500\nevent: build\ndata: {build}\n\n".encode())
                shown = build
            self.wfile.flush()

    def _file(self, path: str, head: bool) -> None:
        state = self.server.state
        target = _inside(state.site, path)
        if state.problems is not None and (target is None or target.suffix == ".html"):
            self._send(500, _TYPES[".html"], error_page(state.problems, state.build), head)
            return
        if target is None or not target.is_file():
            missing = state.site / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"<h1>Not found</h1>"
            self._send(404, _TYPES[".html"], _with_script(body, state.build), head)
            return
        kind = _TYPES.get(target.suffix.lower()) or (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        if target.suffix == ".html":
            self._send(200, kind, _with_script(target.read_bytes(), state.build), head)
            return
        self._send_file(target, kind, head)

    def _send_file(self, target: Path, kind: str, head: bool) -> None:
        size = target.stat().st_size
        start, end, status = 0, size - 1, 200
        match = _RANGE.match((self.headers.get("Range") or "").strip())
        if match is not None and match.group(1) + match.group(2):
            first, last = match.groups()
            if first:
                start, end = int(first), min(int(last), size - 1) if last else size - 1
            else:
                start = max(size - int(last), 0)
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if head:
            return
        with open(target, "rb") as handle:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                block = handle.read(min(left, 1 << 16))
                if not block:
                    break
                self.wfile.write(block)
                left -= len(block)

    def _send(self, status: int, kind: str, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _inside(site: Path, path: str) -> Path | None:
    """The file of the preview folder a URL path names (``/x/`` → ``x/index.html``);
    None for a path that leaves the folder."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if any(part == ".." or "\\" in part or "\0" in part for part in parts):
        return None
    # No part is "..": the path stays inside the folder. A link inside it was made by
    # the publish (media may be linked to the show's files) and is followed.
    target = site.joinpath(*parts) if parts else site
    if target.is_dir():
        return target / "index.html"
    return None if path.endswith("/") else target


def _with_script(page: bytes, build: int) -> bytes:
    """The page with the live-reload script before its last ``</body>`` (or at its end)."""
    tag = _TAG.format(build).encode()
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def error_page(problems: tuple[Problem, ...], build: int) -> bytes:
    """The page shown while the show does not build: every located problem."""
    items = "\n".join(
        "<li><code>{}</code> {}{}</li>".format(
            html.escape(problem.where() or "(the show)"),
            html.escape(f"{problem.field}: " if problem.field else ""),
            html.escape(problem.message + (f" ({problem.hint})" if problem.hint else "")),
        )
        for problem in problems
    )
    count = len(problems)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>podpub: the show does not build</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}}
h1{{color:#a00}}li{{margin:.5em 0}}code{{background:#f3f3f3;padding:0 .2em}}</style>
</head><body><main>
<h1>The show does not build: {count} problem{"s" * (count != 1)}</h1>
<p>Fix the file and save it: this page turns back into the site by itself.</p>
<ul>
{items}
</ul>
</main></body></html>
"""
    return _with_script(page.encode(), build)
