"""CPU per item of three parts of a cold publish: descriptors read, audio probed, pages rendered.

    python bench/cold_parts.py SHOW_DIR [--repeat 7]

Publishes SHOW_DIR once in this process (``--no-cache``, one process, into a temporary
folder: the show's own files are not written), keeping the page renderer it made; then
times, each ``--repeat`` times (the best run is shown: CPU time, ``time.process_time``,
steadier than wall time on a shared machine):

* ``load_bytes``: every descriptor's bytes (already read) into a document with positions;
* ``probe``: every audio file of the show;
* the episode, person and show pages' renders (the renderer's own methods: the
  template and what each page prepares).

A digest of the pages' bytes is printed with the figures: two versions of podpub that
print the same digest rendered the same pages.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import podpub.site.render as render
from podpub.cli import main
from podpub.input.load import load_bytes
from podpub.media.probe import probe


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The least CPU time ``work()`` took in ``repeat`` runs, and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        result = work()
        best = min(best, time.process_time() - started)
    return best, result


def published_renderer(show: Path) -> render.PageRenderer:
    """Publish ``show`` in this process and return the PageRenderer the publish made."""
    made: list[render.PageRenderer] = []
    setup = render.PageRenderer.__init__

    def keep(self: render.PageRenderer, *args: Any, **kwargs: Any) -> None:
        setup(self, *args, **kwargs)
        made.append(self)

    render.PageRenderer.__init__ = keep  # type: ignore[method-assign]
    os.environ["PODPUB_JOBS"] = "1"
    with tempfile.TemporaryDirectory(prefix="podpub-cold-parts-") as out:
        try:
            main(["publish", str(show), "-q", "--no-cache", "--out", str(Path(out) / "site")])
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise
    render.PageRenderer.__init__ = setup  # type: ignore[method-assign]
    return made[-1]


def line(what: str, seconds: float, count: int, unit: str) -> None:
    print(f"{what:16s} {count:6d} {unit:12s} {seconds * 1e6 / max(count, 1):9.1f} µs each")


def run(show: Path, repeat: int) -> None:
    descriptors = sorted((show / "episodes").glob("*.yaml"))
    raws = [(path.read_bytes(), f"episodes/{path.name}") for path in descriptors]
    spent, _ = best_of(repeat, lambda: [load_bytes(raw, name) for raw, name in raws])
    line("load_bytes", spent, len(raws), "descriptors")
    audio = sorted(path for path in (show / "audio").iterdir() if path.is_file())
    spent, _ = best_of(repeat, lambda: [probe(path) for path in audio])
    line("probe", spent, len(audio), "audio files")

    renderer = published_renderer(show)
    digest = hashlib.sha256()
    episodes = range(len(renderer.site.episodes))
    people = renderer.person_pages
    shows = range(1, renderer.page_count + 1)
    for what, count, work in (
        ("episode pages", len(episodes), lambda: [renderer.episode_page(i) for i in episodes]),
        ("person pages", len(people), lambda: [renderer.person_page(page) for page in people]),
        ("show pages", len(shows), lambda: [renderer.show_page(number) for number in shows]),
    ):
        spent, pages = best_of(repeat, work)
        digest.update(b"".join(pages))
        line(what, spent, count, "pages")
    print(f"pages' digest    {digest.hexdigest()[:16]}")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("show", type=Path, help="a show folder (a bench show: bench/make_show.py)")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each part (the best shown)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = arguments(sys.argv[1:])
    run(args.show.resolve(), max(1, args.repeat))
