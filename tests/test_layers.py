"""The structure stays true: import-linter's contracts (pyproject.toml) hold on the code.

The contracts are the stage layers (errors < input < media < resolve < feed < site <
rules < build < write < features < cli, function-local imports included) and the one
way in of each outside library. The first test runs ``lint-imports`` on podpub as it
is; the others break a copy of the code on purpose and prove that the same command
then fails and names the contract and the import, so a contract cannot pass vacuously.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "podpub"
# lint-imports, run by this Python (import-linter is in the test extra, as pytest is)
LINT_IMPORTS = [
    sys.executable,
    "-c",
    "from importlinter.cli import lint_imports_command; lint_imports_command()",
]


def lint_imports(project: Path, package_parent: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with ``project``'s pyproject.toml, on the podpub found in
    ``package_parent``."""
    return subprocess.run(
        [*LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=project,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_contract_is_kept() -> None:
    result = lint_imports(REPO, REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    # each contract was really checked, by name
    for name in ("Stages import only", "YAML enters", "Jinja2 enters", "Pillow enters"):
        assert name in result.stdout


@pytest.fixture
def broken_copy(tmp_path: Path):
    """A copy of podpub and its contracts, to break; returns (project, add_line)."""
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    shutil.copytree(SRC, project / "src" / "podpub", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")

    def add_function(module: str, body: str) -> None:
        path = project / "src" / Path(*module.split(".")).with_suffix(".py")
        path.write_text(path.read_text() + f"\n\ndef _breaks_a_contract():\n    {body}\n")

    return project, add_function


def test_an_import_up_the_layers_inside_a_function_breaks_the_build(broken_copy) -> None:
    project, add_function = broken_copy
    # the kind of import that held the old cycles together: a stage reaching up to build/
    add_function("podpub.resolve.markup", "from podpub.build import engine  # noqa")
    result = lint_imports(project, project / "src")
    assert result.returncode == 1
    assert "Stages import only the stages below them" in result.stdout
    assert "BROKEN" in result.stdout
    assert "podpub.resolve.markup -> podpub.build.engine" in result.stdout


def test_an_outside_library_imported_elsewhere_breaks_the_build(broken_copy) -> None:
    project, add_function = broken_copy
    add_function("podpub.rules.apple", "from PIL import Image  # noqa")
    result = lint_imports(project, project / "src")
    assert result.returncode == 1
    assert "Pillow enters through media/images only BROKEN" in result.stdout
    assert "podpub.rules.apple -> PIL" in result.stdout


def test_the_engine_lends_every_service_a_stage_may_ask_for(tmp_path: Path) -> None:
    """The stages know the run only as ``context.BuildContext``: a service named there and
    missing from the engine would fail a cached publish midway (exit 3, a bug)."""
    from podpub.build.engine import Engine
    from podpub.context import BuildContext

    engine = Engine(tmp_path)
    asked = {name for name in vars(BuildContext) if not name.startswith("_")}
    asked |= set(BuildContext.__annotations__)
    assert asked >= {"map", "memo", "record_digest", "keyed", "cache", "out"}
    assert sorted(name for name in asked if not hasattr(engine, name)) == []


def test_a_cycle_inside_a_stage_breaks_the_build(broken_copy) -> None:
    """The old cycle of the rule engine and the rule modules it imported to register
    them: within one package, so only the acyclic contract can see it."""
    project, add_function = broken_copy
    add_function("podpub.rules.engine", "from podpub.rules import apple  # noqa")
    result = lint_imports(project, project / "src")
    assert result.returncode == 1
    assert "No import cycle at any depth (modules of a package, packages of podpub) BROKEN" in (
        result.stdout
    )
    assert "Stages import only the stages below them" in result.stdout  # still kept
    assert "in podpub.rules" in result.stdout and ".engine -> .apple" in result.stdout
