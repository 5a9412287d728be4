"""The engine stays pure Python: no Flask, SQLAlchemy or other app modules (conventions 5)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "scorecard" / "scoring"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "jinja2", "wtforms", "alembic")
MODULES = sorted(PACKAGE.glob("*.py"))


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every imported module name with its relative level."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_package_has_its_modules() -> None:
    names = {p.stem for p in MODULES}
    assert {"__init__", "model", "engine", "calibration", "agreement", "contract"} <= names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_framework_or_app_imports(path: Path) -> None:
    for name, level in _imports(path):
        root = name.split(".")[0].lower()
        assert not root.startswith(FORBIDDEN), f"{path.name} imports {name}"
        assert level <= 1, f"{path.name} reaches outside the package with a relative import"
        if level == 0:
            assert root != "scorecard" or name.startswith("scorecard.scoring"), (
                f"{path.name} imports {name}"
            )


def test_loads_without_the_app_package() -> None:
    # Load scorecard/scoring as a stand-alone package (scorecard/__init__.py creates the Flask
    # app, so importing through it would hide what the engine itself pulls in).
    code = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "scoring_alone", {str(PACKAGE / "__init__.py")!r},
    submodule_search_locations=[{str(PACKAGE)!r}])
module = importlib.util.module_from_spec(spec)
sys.modules["scoring_alone"] = module
spec.loader.exec_module(module)
bad = sorted(m for m in sys.modules if m.split(".")[0] in
             ("flask", "sqlalchemy", "werkzeug", "scorecard", "flask_sqlalchemy"))
assert not bad, bad
assert module.evaluate and module.recommend_json
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
