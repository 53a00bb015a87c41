"""The documentation: the site builds strict, and nothing a producer can type or write
is undocumented (issue 19: commands, flags, show.yaml and episode fields)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

REPO = Path(__file__).resolve().parents[1]


def load_hooks():
    spec = importlib.util.spec_from_file_location("podpub_docs_hooks", REPO / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = load_hooks()
COMMANDS = hooks.walk_commands()
MODELS = hooks.walk_models(hooks.Episode, hooks.walk_models(hooks.Show, []))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_the_docs_build_strict_with_every_command_and_flag(site):
    page = (site / "commands" / "index.html").read_text(encoding="utf-8")
    for name, command in COMMANDS:
        assert f"<code>{name}</code>" in page, name
        for param in command.params:
            for flag in getattr(param, "opts", []) if isinstance(param, click.Option) else []:
                assert flag in page, f"{name} {flag} is missing from the Commands page"


def test_the_docs_list_every_descriptor_field(site):
    page = (site / "fields" / "index.html").read_text(encoding="utf-8")
    for model in MODELS:
        assert f'id="{model.__name__.lower()}"' in page, model.__name__
        for name in model.model_fields:
            assert f"<code>{name}</code>" in page, f"{model.__name__}.{name}"
    assert "<code>owner</code>" in page and 'href="#owner"' in page  # nested models linked


def test_the_home_page_links_the_guides(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="go-online/"' in home and 'href="first-show/"' in home


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_and_option_has_help(name, command):
    assert (command.help or "").strip(), f"{name} has no help text (its docstring)"
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{name} {'/'.join(param.opts)} has no help="
        else:  # click arguments take no help=: the command's help must name them
            metavar = re.sub(r"[\[\].]", "", param.human_readable_name).upper()
            assert metavar in command.help, f"{name}: its help does not explain {metavar}"


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_every_descriptor_field_has_a_description(model):
    assert (model.__doc__ or "").strip(), f"{model.__name__} has no docstring"
    for name, info in model.model_fields.items():
        assert (info.description or "").strip(), f"{model.__name__}.{name} has no description"


def test_the_walks_reach_the_nested_models():
    names = {model.__name__ for model in MODELS}
    assert {"Show", "Episode", "Owner", "Credit", "Headline", "Transcript"} <= names
    assert {"podpub init", "podpub new", "podpub publish", "podpub check"} <= {
        n for n, _ in COMMANDS
    }


def test_nav_keeps_pages_of_other_work_only_when_they_exist(tmp_path):
    (tmp_path / "serve.md").write_text("# Serve\n")
    nav = [{"Home": "index.md"}, {"Guides": [{"Serve": "serve.md"}, {"Deploy": "deploy.md"}]}]
    assert hooks._present(nav, tmp_path) == [
        {"Home": "index.md"},
        {"Guides": [{"Serve": "serve.md"}]},
    ]


def test_readme_is_a_first_page_with_the_ci_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert len(lines) <= 250
    assert any("docs/go-online.md" in line for line in lines[:15])  # the first screen
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    test_command = (
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest"
    )
    assert test_command in readme
    assert ci == test_command  # CI runs exactly what the README tells a newcomer
    assert (
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && podpub publish"
        in readme
    )
    for target in re.findall(r"\]\((docs/[^)#]*)", readme):
        # Only a page another branch brings may be missing (the nav drops it until then)
        exists = (REPO / target).exists() or Path(target).name in hooks.OPTIONAL_PAGES
        assert exists, f"README links to missing {target}"


def test_links_to_a_page_not_there_yet_become_plain_text(tmp_path):
    (tmp_path / "serve.md").write_text("# Serve\n")
    text = "[Serve](serve.md), [Import](import.md#download) and [Nope](nope.md)."
    assert hooks.unlink_missing(text, tmp_path) == "[Serve](serve.md), Import and [Nope](nope.md)."


def test_publish_quiet_help_says_warnings_are_still_printed():
    # --quiet keeps the findings (warnings, notes) on stderr: a help saying "nothing"
    # would make a producer think a cron job with --quiet hides them
    publish = dict(COMMANDS)["podpub publish"]
    quiet = next(p for p in publish.params if "--quiet" in getattr(p, "opts", []))
    assert "warnings" in quiet.help and "nothing" not in quiet.help.lower()
