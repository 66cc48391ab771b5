"""The structure docs/architecture.md describes: layers, module size, no hidden imports."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
# The application's packages, lowest layer last (docs/architecture.md).
PACKAGES = [
    "config",
    "hooks",
    "pages",
    "api",
    "sso",
    "privacy",
    "afterwards",
    "following",
    "meetings",
    "webinars",
    "series",
    "core",
]
LONGEST_MODULE = 400


def application_modules():
    for package in PACKAGES:
        for path in sorted((BASE / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 (the project's own tool, fixed arguments)
        [str(lint_imports), "--no-cache"], cwd=BASE, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_import_contracts_name_every_application_package():
    linter = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert linter["root_packages"] == list(PACKAGES)
    acyclic = [c for c in linter["contracts"] if c["type"] == "acyclic_siblings"]
    assert [c["ancestors"] for c in acyclic] == [list(PACKAGES)]


def test_no_application_module_is_longer_than_a_sitting():
    long = {
        str(path.relative_to(BASE)): length
        for path in application_modules()
        if (length := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long == {}


def test_imports_inside_functions_are_only_in_app_ready():
    # Django connects receivers and checks in AppConfig.ready(), once the registry is built;
    # anywhere else a delayed import hides a dependency the contracts should see.
    delayed = []
    for path in application_modules():
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and function.name == "ready":
                continue
            delayed += [
                f"{path.relative_to(BASE)}:{node.lineno}"
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]
    assert delayed == []
