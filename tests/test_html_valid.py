"""Every generated page is valid HTML to the Nu HTML Checker (vnu), the W3C's validator.

vnu comes from npm's ``vnu-jar`` package (pinned in tests/node/package.json, installed
by ``npm ci``), which carries the checker's current release; it runs on the system's
Java. The test is skipped only when Java or node/npm are absent (CI installs them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from site_fixtures import generated_pages, publish_rich_show

from conftest import NODE_DIR


@pytest.fixture(scope="module")
def vnu(node_modules: Path) -> list[str]:
    """The command that runs the checker."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is needed for the Nu HTML Checker (Debian: default-jre-headless)")
    jar = node_modules / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():  # node_modules from before vnu-jar was added to package.json
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"],
            cwd=NODE_DIR,
            check=True,
            capture_output=True,
        )
    return [java, "-Xss2m", "-jar", str(jar)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_rich_show(tmp_path_factory.mktemp("valid")).out


def check(vnu: list[str], files: list[Path], *options: str) -> list[dict]:
    """vnu's messages (errors and warnings) about ``files``."""
    result = subprocess.run(
        [*vnu, "--format", "json", "--exit-zero-always", *options, *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stderr)["messages"]


def describe(messages: list[dict], root: Path) -> str:
    return "\n".join(
        f"{m.get('url', '').removeprefix('file:' + str(root) + '/')}:{m.get('lastLine')}: "
        f"{m.get('type')}/{m.get('subType', '')}: {m.get('message')}"
        for m in messages
    )


def test_every_generated_page_is_valid_html(vnu, site):
    pages = generated_pages(site)
    relative = {str(p.relative_to(site)) for p in pages}
    # Every kind of page the site has: show pages, episodes, people's pages, the 404.
    people = {"people/emma-larbi/index.html", "people/emma-larbi/page/2/index.html"}
    assert {"index.html", "page/2/index.html", "404.html", *people} <= relative
    assert sum(p.startswith("episodes/") for p in relative) == 4
    messages = check(vnu, pages)
    assert messages == [], describe(messages, site)  # no error, and no warning either


def test_the_stylesheet_is_valid_css(vnu, site):
    messages = check(vnu, [site / "assets" / "style.css"], "--css")
    assert messages == [], describe(messages, site)
