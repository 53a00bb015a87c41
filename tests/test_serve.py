"""``podpub serve`` as a producer runs it: a real subprocess on a free port, real HTTP
(requests), real file saves picked up by the watcher, real headless Chromium for the
live reload. And the in-process API: PreviewBuilder.rebuild() says what changed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from podpub.cli import main
from podpub.serve.preview import PreviewBuilder, preview_folder
from podpub.serve.server import EVENTS_PATH, SCRIPT_PATH
from test_browser import CHROMIUM_FLAGS, chromium_path

from conftest import MINIMAL_EPISODE, NOW, write_show

SECOND = (
    MINIMAL_EPISODE.replace("First episode", "Second episode")
    .replace("2023-06-02", "2023-06-09")
    .replace("tone.mp3", "tone-vbr.mp3")
)
DRAFT = (
    MINIMAL_EPISODE.replace("First episode", "Unfinished episode")
    .replace("2023-06-02", "2023-06-16")
    .replace("tone.mp3", "tone.m4a")
    + "draft: true\n"
)
SCHEDULED = (
    MINIMAL_EPISODE.replace("First episode", "Episode of the future")
    .replace("2023-06-02", "2099-01-01")
    .replace("tone.mp3", "tone-vbr-noxing.mp3")
)
EPISODES = {"ep1.yaml": MINIMAL_EPISODE, "ep2.yaml": SECOND}
START_TIMEOUT = 60.0  # the first build of a cold cache on a busy machine
CHANGE_TIMEOUT = 2.0  # the promise: a save shows within two seconds


@dataclass
class Served:
    """A running ``podpub serve``: its URL and what it printed so far."""

    process: subprocess.Popen[str]
    show: Path
    url: str = ""
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)

    def get(self, path: str = "", **kwargs: Any) -> requests.Response:
        return requests.get(self.url + path, timeout=10, **kwargs)

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def _read(stream: Any, into: list[str]) -> None:
    for line in stream:
        into.append(line)


def start(show: Path, *args: str) -> Served:
    """``podpub serve SHOW --port 0 ARGS`` with Ctrl-C as at a terminal; waits for its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "podpub", "serve", str(show), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A job started in the background of a script ignores SIGINT; a terminal's does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    served = Served(process, show)
    for stream, into in ((process.stdout, served.out), (process.stderr, served.err)):
        threading.Thread(target=_read, args=(stream, into), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        for line in served.out:
            if line.startswith("Serving "):
                served.url = line.split(" at ", 1)[1].split()[0]
                return served
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"serve did not start: {''.join(served.out + served.err)}")


def wait_for(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``check()`` holds; fails after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return write_show(tmp_path / "show", dict(EPISODES))


@pytest.fixture
def served(show: Path) -> Iterator[Served]:
    running = start(show)
    yield running
    status = running.stop()
    assert status in (0, 130), running.err
    assert "Traceback" not in "".join(running.err)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_saved_edit_shows_within_two_seconds(served: Served) -> None:
    page = served.get()
    assert page.status_code == 200 and "First episode" in page.text
    assert served.url.startswith("http://127.0.0.1:")
    edit(served.show / "episodes" / "ep1.yaml", "First episode", "Renamed episode")
    elapsed = wait_for(lambda: "Renamed episode" in served.get().text, CHANGE_TIMEOUT)
    assert elapsed < CHANGE_TIMEOUT
    wait_for(lambda: any(line.startswith("Rebuilt in ") for line in served.out), 5)
    rebuilt = next(line for line in served.out if line.startswith("Rebuilt in "))
    assert "episodes/ep1.yaml" in rebuilt and "index.html" in rebuilt


def test_a_broken_descriptor_is_the_page_until_it_is_fixed(served: Served) -> None:
    episode = served.show / "episodes" / "ep1.yaml"
    edit(episode, "date: 2023-06-02", "date: March 3rd 2025")
    wait_for(lambda: served.get().status_code == 500, CHANGE_TIMEOUT)
    page = served.get("episodes/")  # every page: the problems, not a stale site
    assert "does not build" in page.text
    assert "episodes/ep1.yaml:2:7" in page.text and "date:" in page.text
    assert SCRIPT_PATH in page.text  # so that fixing the file brings the site back
    printed = "".join(served.err)
    assert "episodes/ep1.yaml:2:7: date:" in printed and "Traceback" not in printed
    edit(episode, "date: March 3rd 2025", "date: 2023-06-02")
    wait_for(lambda: served.get().status_code == 200, CHANGE_TIMEOUT)
    assert "First episode" in served.get().text


def test_a_range_request_on_the_audio_answers_206_with_those_bytes(served: Served) -> None:
    audio = (served.show / "audio" / "tone.mp3").read_bytes()
    part = served.get("audio/tone.mp3", headers={"Range": "bytes=100-355"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-355/{len(audio)}"
    assert part.headers["Accept-Ranges"] == "bytes"
    assert part.content == audio[100:356]
    tail = served.get("audio/tone.mp3", headers={"Range": "bytes=-64"})
    assert tail.status_code == 206 and tail.content == audio[-64:]
    past = served.get("audio/tone.mp3", headers={"Range": f"bytes={len(audio)}-"})
    assert past.status_code == 416
    whole = served.get("audio/tone.mp3")
    assert whole.status_code == 200 and whole.content == audio
    assert whole.headers["Content-Type"] == "audio/mpeg"
    # Only the preview folder is served: not the show's descriptors beside it.
    for escape in ("..%2f..%2f..%2fshow.yaml", "%2e%2e/%2e%2e/%2e%2e/show.yaml"):
        answer = served.get(escape)
        assert answer.status_code == 404 and "owner:" not in answer.text


def test_the_preview_never_touches_public_or_the_ledger(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show", dict(EPISODES))
    os.environ["SOURCE_DATE_EPOCH"] = str(int(NOW.timestamp()))
    try:
        assert main(["publish", str(show), "-q"]) == 0
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    before = _tree(show / "public") | {"published.lock": _stamp(show / "published.lock")}
    running = start(show)
    try:
        edit(show / "episodes" / "ep1.yaml", "First episode", "Renamed episode")
        wait_for(lambda: "Renamed episode" in running.get().text, CHANGE_TIMEOUT)
        feed = running.get("feed.xml")
        assert feed.headers["Content-Type"].startswith("application/rss+xml")
        assert f'url="{running.url}audio/tone.mp3"' in feed.text  # built for the preview
    finally:
        assert running.stop() in (0, 130)
    after = _tree(show / "public") | {"published.lock": _stamp(show / "published.lock")}
    assert after == before
    site = preview_folder(show)
    assert (site / "index.html").is_file()
    # The pages on disk are the published ones: the live-reload script is added as served.
    assert not any(b"_podpub" in page.read_bytes() for page in site.rglob("*.html"))


def _stamp(path: Path) -> tuple[int, int, bytes]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, path.read_bytes()


def _tree(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    return {str(p.relative_to(folder)): _stamp(p) for p in folder.rglob("*") if p.is_file()}


def test_drafts_and_scheduled_episodes_are_shown_marked(tmp_path: Path) -> None:
    episodes = {**EPISODES, "ep3.yaml": DRAFT, "ep4.yaml": SCHEDULED}
    show = write_show(tmp_path / "show", episodes)
    plain = start(show)
    try:
        assert "Unfinished episode" not in plain.get().text
        assert "Episode of the future" not in plain.get().text
    finally:
        plain.stop()
    running = start(show, "--drafts", "--future")
    try:
        index = running.get().text
        assert "Unfinished episode" in index and "Episode of the future" in index
        script = running.get(SCRIPT_PATH.lstrip("/")).text
        assert '"/episodes/ep3/": "Draft"' in script
        assert '"/episodes/ep4/": "Scheduled for 2099-01-01' in script
    finally:
        assert running.stop() in (0, 130)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_it_cleanly(show: Path, sig: int) -> None:
    running = start(show)
    events = requests.get(running.url + EVENTS_PATH.lstrip("/"), stream=True, timeout=10)
    assert events.headers["Content-Type"].startswith("text/event-stream")
    assert running.stop(sig) in (0, 130)
    events.close()
    assert "Stopped." in "".join(running.out)
    assert "Traceback" not in "".join(running.err)
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url, timeout=2)


def test_a_port_in_use_is_refused_with_the_fix(show: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "podpub", "serve", str(show), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port 0" in done.stderr
    assert "Traceback" not in done.stderr


def test_rebuild_says_which_output_files_changed(show: Path) -> None:
    builder = PreviewBuilder(show, "http://127.0.0.1:9/", jobs=1)
    first = builder.rebuild()
    assert first.ok and "index.html" in first.changed and "audio/tone.mp3" in first.changed
    assert builder.rebuild().changed == ()  # nothing saved: nothing changed
    edit(show / "episodes" / "ep2.yaml", "Second episode", "Second, renamed")
    changed = builder.rebuild([show / "episodes" / "ep2.yaml"]).changed
    assert "episodes/ep2/index.html" in changed and "feed.xml" in changed
    # ep1's page names its neighbour: it changes; its chapters and the media do not.
    assert not {"episodes/ep1/chapters.json", "audio/tone.mp3", "cover.png"} & set(changed)
    edit(show / "episodes" / "ep2.yaml", "hosts:", "hosts: [")
    refused = builder.rebuild([show / "episodes" / "ep2.yaml"])
    assert not refused.ok and refused.problems[0].file == "episodes/ep2.yaml"
    assert "Second, renamed" in (preview_folder(show) / "index.html").read_text()  # kept


def test_the_browser_reloads_by_itself(served: Served) -> None:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            tab = browser.new_page()
            tab.goto(served.url, wait_until="load")
            assert "First episode" in tab.inner_text("body")
            episode = served.show / "episodes" / "ep1.yaml"
            edit(episode, "First episode", "Reloaded episode")
            tab.wait_for_function(
                "document.body.innerText.includes('Reloaded episode')", timeout=5000
            )
            edit(episode, "date: 2023-06-02", "date: March 3rd 2025")
            tab.wait_for_function(
                "document.body.innerText.includes('does not build')", timeout=5000
            )
            edit(episode, "date: March 3rd 2025", "date: 2023-06-02")
            tab.wait_for_function(
                "document.body.innerText.includes('Reloaded episode')", timeout=5000
            )
        finally:
            browser.close()


def test_the_browser_shows_draft_and_scheduled_marks(tmp_path: Path) -> None:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    episodes = {**EPISODES, "ep3.yaml": DRAFT, "ep4.yaml": SCHEDULED}
    running = start(write_show(tmp_path / "show", episodes), "--drafts", "--future")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            try:
                tab = browser.new_page()
                tab.goto(running.url + "episodes/ep3/", wait_until="load")
                banner = tab.locator("body > .podpub-preview-mark")
                assert banner.inner_text() == "Draft"
                tab.goto(running.url + "episodes/ep4/", wait_until="load")
                assert banner.inner_text().startswith("Scheduled for 2099-01-01")
                tab.goto(running.url, wait_until="load")
                badges = tab.locator("main a .podpub-preview-mark").all_inner_texts()
                assert "Draft" in badges and any(b.startswith("Scheduled") for b in badges)
                tab.goto(running.url + "episodes/ep1/", wait_until="load")
                assert tab.locator("body > .podpub-preview-mark").count() == 0
            finally:
                browser.close()
    finally:
        assert running.stop() in (0, 130)


def test_a_save_the_watcher_does_not_report_is_built_after_the_first_build(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole-show build writes thousands of files into .podpub/, inside the watched
    folder: on Linux they can fill the kernel's inotify queue, which then drops the
    events that follow, a producer's save among them (seen at 10,000 episodes: a save
    made as serve printed its address never reached the preview). Here the watcher
    reports nothing at all; the save made during the first build must still be built."""
    from podpub.serve import run, watch

    def deaf(_show_dir: Path, stop: threading.Event | None = None) -> Iterator[set[Path]]:
        assert stop is not None
        stop.wait()
        return
        yield  # a generator that reports no change

    monkeypatch.setattr(watch, "changes", deaf)
    descriptor = show / "episodes" / "ep2.yaml"
    said: list[str] = []

    def echo(line: str = "", **_kwargs: Any) -> None:
        said.append(line)
        if line.startswith("Built "):  # the first build is done, the save comes now
            edit(descriptor, "Second episode", "Second, saved unreported")

    stop = threading.Event()
    thread = threading.Thread(
        target=run.serve, args=(show, run.ServeOptions(port=0, jobs=1), echo, stop)
    )
    thread.start()
    try:
        page = preview_folder(show) / "episodes" / "ep2" / "index.html"

        def shown() -> bool:
            try:
                return "Second, saved unreported" in page.read_text("utf-8")
            except FileNotFoundError:  # the preview is swapped in by renames
                return False

        wait_for(shown, 20)
    finally:
        stop.set()
        thread.join(timeout=20)
    # the producer is told which save was built, as after a save the watcher reports
    assert any(line.startswith("Rebuilt") and "episodes/ep2.yaml" in line for line in said), said


def _linked_twins(site: Path, standby: Path) -> list[str]:
    """The files of ``site`` that ``standby`` does not hold as the very same file (a hard
    link), and the files ``standby`` holds that ``site`` has not."""
    live = {p.relative_to(site) for p in site.rglob("*") if p.is_file()}
    try:
        kept = {p.relative_to(standby) for p in standby.rglob("*") if p.is_file()}
        other = {rel for rel in live & kept if not os.path.samefile(site / rel, standby / rel)}
    except OSError:  # renamed away while it is prepared
        return ["(the standby is being prepared)"]
    return sorted(str(rel) for rel in (live ^ kept) | other)


def test_the_first_save_finds_the_standby_ready_and_is_built_right(
    show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve's first build leaves the site before it as the standby (the folder the next
    build starts from): here the preview of an earlier serve, for another address, so
    every page differs. The first save would bring all of it up to date (15,000 files
    linked again at 10,000 episodes: seconds, once per session). While serve is idle
    the standby is made the live site (the same files, hard links), so the first save
    finds it ready; and what that save builds is the site a fresh publish makes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))  # the same pages
    earlier = start(show)  # another free port, so another address in every page
    assert earlier.stop() in (0, 130)
    running = start(show)
    try:
        site = preview_folder(show)
        standby = _standby_of(site, show)
        wait_for(lambda: not _linked_twins(site, standby), 20)
        edit(show / "episodes" / "ep1.yaml", "First episode", "Renamed episode")
        wait_for(lambda: "Renamed episode" in running.get().text, CHANGE_TIMEOUT)
        fresh = tmp_path / "fresh"
        publish = ["publish", str(show), "-q", "--out", str(fresh), "--no-cache"]
        assert main([*publish, "--base-url", running.url]) == 0
        wait_for(lambda: any("Rebuilt" in line for line in running.out), 10)
        assert _contents(site) == _contents(fresh)
    finally:
        assert running.stop() in (0, 130)
    assert "Traceback" not in "".join(running.err)


def _standby_of(site: Path, show: Path) -> Path:
    """The standby folder of output ``site`` (in its state folder in ``.podpub/outputs/``,
    which names the output in its ``target`` file); it may be away while it is prepared."""
    for state in (show / ".podpub" / "outputs").iterdir():
        target = state / "target"
        if target.is_file() and target.read_bytes() == os.fsencode(site.resolve()):
            return state / "standby"
    raise AssertionError(f"no state folder for {site}")


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _children_removing() -> list[int]:
    """This process's children that run the replaced standby's removal."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"rmtree" in command:
                found.append(int(pid))
    return found


def test_a_replaced_standby_is_removed_by_a_process_that_is_not_serves_child(tmp_path: Path):
    """The standby serve replaces is removed in the background (30,000 unlinks at 10,000
    episodes); the removal is not serve's child: serve keeps no list of processes to
    reap, leaves no zombie, and a Ctrl-C or a restart of serve does not cut it short."""
    from podpub.serve.standby import bring_up_to_date
    from podpub.write.output import Standby, output_state

    show, site = tmp_path / "show", tmp_path / "site"
    show.mkdir()
    site.mkdir()
    (site / "index.html").write_text("live", encoding="utf-8")
    state = output_state(site, show)
    state.standby.mkdir()
    for number in range(200):  # an old site in the standby's place
        (state.standby / f"old-{number}.html").write_text("old", encoding="utf-8")
    live = Standby({"index.html": (("bytes", "digest"), None)})

    assert bring_up_to_date(site, show, live, None) is not None
    assert _children_removing() == []
    assert sorted(p.name for p in state.standby.iterdir()) == ["index.html"]
    assert os.path.samefile(state.standby / "index.html", site / "index.html")
    aside = state.root.parent
    wait_for(lambda: not list(aside.glob("replaced-standby-*")), 20)
