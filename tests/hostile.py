"""The corpus of bad input (tests/corpus/) and a harness that runs podpub on it within bounds.

A corpus case is one file with one defect: ``tests/corpus/episode/<name>.yaml`` is written
as an episode descriptor of a small show, ``tests/corpus/show/<name>.yaml`` as its
``show.yaml``. ``<name>.expected`` beside it holds the exact problems podpub must print,
one per line (like the W3C feed validator's test cases). Comment lines at the top of a
case set it up:

    # defect: what is wrong (for people)
    # name: CON.yaml                      the descriptor's file name (escapes like \\xff work)
    # setup: symlink DEST TARGET          DEST, relative to the show folder
    # setup: fifo DEST | dir DEST | unreadable DEST
    # setup: copy FIXTURE DEST            a file of tests/fixtures/audio
    # setup: head FIXTURE DEST BYTES      its first BYTES bytes
    # setup: garble FIXTURE DEST AT LEN   LEN bytes from AT overwritten (fixed pseudo-random)
    # setup: random DEST BYTES            fixed pseudo-random bytes
    # setup: write DEST TEXT
    # setup: episode FILE AUDIO [LINE]    a second, good descriptor (with one more YAML line)
    # requires: non-root                  skipped where root reads any file

Run as a script (``python tests/hostile.py < jobs.json``), this module is the bounded
harness: it imports podpub once, then runs each job's command line in a forked child under
``RLIMIT_AS`` (the memory bound), ``RLIMIT_CPU`` and an alarm (the time bound), and prints
one JSON result per job: exit status or signal, stdout, stderr, peak RSS.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CORPUS = TESTS / "corpus"
AUDIO = TESTS / "fixtures" / "audio"

MEMORY_LIMIT = 200 * 1024 * 1024  # bytes of address space
TIME_LIMIT = 5  # seconds, CPU and wall clock


@dataclass
class Case:
    kind: str  # "episode" | "show"
    name: str
    source: Path
    data: bytes
    file_name: bytes  # the descriptor's name in episodes/ (raw bytes: may be non-UTF-8)
    setup: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)

    @property
    def expected_path(self) -> Path:
        return self.source.with_suffix(".expected")

    def expected(self) -> list[str]:
        return self.expected_path.read_text(encoding="utf-8").splitlines()

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.name}"


def load_cases() -> list[Case]:
    cases = []
    for kind in ("episode", "show"):
        for path in sorted((CORPUS / kind).glob("*.yaml")):
            cases.append(_case(kind, path))
    return cases


def _case(kind: str, path: Path) -> Case:
    data = path.read_bytes()
    case = Case(kind, path.stem, path, data, f"{path.stem}.yaml".encode())
    for raw in data.removeprefix(b"\xef\xbb\xbf").splitlines():
        if not raw.startswith(b"# "):
            break
        key, _, value = raw[2:].decode("utf-8", "replace").partition(": ")
        if key == "name":
            case.file_name = codecs.escape_decode(value.encode("utf-8"))[0]
        elif key == "setup":
            case.setup.append(value)
        elif key == "requires":
            case.requires.append(value)
    return case


def build(case: Case, folder: Path) -> Path:
    """The show of a case in ``folder``: the minimal show with the defect in it."""
    from conftest import MINIMAL_EPISODE, write_show

    show_dir = write_show(folder, {"ep1.yaml": MINIMAL_EPISODE} if case.kind == "show" else {})
    apply(case, show_dir)
    return show_dir


def good_show(folder: Path) -> Path:
    """A show with one good episode, whose audio no corpus case uses."""
    from conftest import MINIMAL_EPISODE, write_show

    episode = MINIMAL_EPISODE.replace("First episode", "A good episode")
    return write_show(folder, {"good.yaml": episode.replace("audio/tone.mp3", "audio/tone.m4a")})


def apply(case: Case, show_dir: Path) -> None:
    """Put the case's defect into a show folder."""
    if case.kind == "show":
        (show_dir / "show.yaml").write_bytes(case.data)
    else:
        name = os.fsdecode(case.file_name)
        (show_dir / "episodes" / name).write_bytes(case.data)
    for step in case.setup:
        _setup(show_dir, step)


def _setup(show_dir: Path, step: str) -> None:
    from conftest import MINIMAL_EPISODE

    action, _, rest = step.partition(" ")
    args = rest.split(" ")
    dest = show_dir / args[0]
    dest.parent.mkdir(parents=True, exist_ok=True)
    if action == "symlink":
        dest.symlink_to(args[1])
    elif action == "fifo":
        os.mkfifo(dest)
    elif action == "dir":
        dest.mkdir()
    elif action == "unreadable":
        shutil.copy(AUDIO / "tone.mp3", dest)
        dest.chmod(0)
    elif action == "write":
        dest.write_text(rest.partition(" ")[2], encoding="utf-8")
    elif action == "random":
        dest.write_bytes(random.Random(1).randbytes(int(args[1])))
    elif action == "episode":
        name, audio, extra = args[0], args[1], " ".join(args[2:])
        text = MINIMAL_EPISODE.replace("audio/tone.mp3", audio)
        (show_dir / "episodes" / name).write_text(text + (extra + "\n" if extra else ""))
    else:
        fixture, dest = AUDIO / args[0], show_dir / args[1]
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = bytearray(fixture.read_bytes())
        if action == "head":
            data = data[: int(args[2])]
        elif action == "garble":
            at, length = int(args[2]), int(args[3])
            data[at : at + length] = random.Random(2).randbytes(length)
        elif action != "copy":
            raise ValueError(f"unknown setup step {step!r}")
        dest.write_bytes(bytes(data))


# --- the bounded harness --------------------------------------------------------------


def run_jobs(jobs: list[dict], warm_up: list[str] | None = None) -> list[dict]:
    """Run jobs in the harness subprocess; each job: {"argv": [...], "cwd": "..."}.

    ``warm_up``: a command line run once in the harness before the jobs (say, a check of a
    good show), so that every lazy import and cache is in place before the children fork.
    """
    import subprocess

    process = subprocess.run(
        [sys.executable, str(Path(__file__))],
        input=json.dumps({"warm_up": warm_up, "jobs": jobs}),
        capture_output=True,
        text=True,
        check=False,
        timeout=60 + len(jobs) * (TIME_LIMIT + 1),
    )
    if process.returncode != 0:
        raise RuntimeError(f"harness failed: {process.stderr}")
    return [json.loads(line) for line in process.stdout.splitlines()]


def _warm_up(argv: list[str] | None = None) -> None:
    """Import what a publish imports, so children pay only for the input they are given."""
    import contextlib
    import io

    import podpub.cli
    import podpub.feed.build
    import podpub.input.validate
    import podpub.media.probe
    import podpub.resolve.resolver
    import podpub.site.render
    import podpub.write.ledger
    import podpub.write.output
    import podpub.write.publish
    import podpub.write.safety

    if argv:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            podpub.cli.main(argv)


def _run_one(job: dict) -> dict:
    """Fork a child for the job; its output comes through pipes (RLIMIT_FSIZE spares pipes)."""
    import selectors

    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(out_read)
        os.close(err_read)
        _child(job, out_write, err_write)
    os.close(out_write)
    os.close(err_write)
    chunks: dict[int, list[bytes]] = {out_read: [], err_read: []}
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                data = os.read(key.fd, 65536)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
                    os.close(key.fd)
    _, status, usage = os.wait4(pid, 0)
    return {
        "exit": os.waitstatus_to_exitcode(status),  # negative: killed by that signal
        "stdout": b"".join(chunks[out_read]).decode("utf-8", "replace"),
        "stderr": b"".join(chunks[err_read]).decode("utf-8", "replace"),
        "max_rss": usage.ru_maxrss * 1024,
    }


def _child(job: dict, out: int, err: int) -> None:
    """In the forked child: the bounds, then podpub's own command line (or a probe of them)."""
    import resource

    try:
        os.dup2(out, 1)
        os.dup2(err, 2)
        limits = {"RLIMIT_AS": MEMORY_LIMIT, "RLIMIT_CPU": TIME_LIMIT, **job.get("limits", {})}
        for name, value in limits.items():
            resource.setrlimit(getattr(resource, name), (value, value))
        signal.alarm(TIME_LIMIT)
        if "user" in job:  # root reads any file: run as this user to see a permission refused
            os.setgid(job["user"])
            os.setuid(job["user"])
        if job.get("cwd"):
            os.chdir(job["cwd"])
        if "python" in job:  # tests of the harness itself
            exec(job["python"], {})
            status = 0
        else:
            from podpub.cli import main

            status = main(job["argv"])
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(99)


def main() -> None:
    sys.path.insert(0, str(TESTS))
    request = json.loads(sys.stdin.read())
    _warm_up(request["warm_up"])
    for job in request["jobs"]:
        print(json.dumps(_run_one(job)), flush=True)


if __name__ == "__main__":
    main()
