"""The project's own health: system checks, migrations in sync, lint clean."""

import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_system_check_passes():
    call_command("check", stdout=StringIO())


def test_migrations_are_in_sync(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_ruff_check_passes():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _lint_imports(cwd):
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    return subprocess.run([lint, "--no-cache"], cwd=cwd, capture_output=True, text=True)


def test_dependencies_point_one_way():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_back_edge_breaks_the_contract(tmp_path):
    """The territory importing an app (here the indicators) fails the check."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for app in ("ambito", "fondi", "servizi", "programmi", "indicatori"):
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("templates", "static")
        )
    selectors = tmp_path / "ambito" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nimport indicatori.models  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "ambito.selectors -> indicatori.models" in result.stdout
