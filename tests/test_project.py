"""The project's own health: system checks, migrations in sync, lint clean, self-contained."""

import csv
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from ambito import sintetico

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


# A path to the folder that sits beside a development checkout (its parent-relative
# path, its reference subfolder, or a Path join such as `BASE_DIR.parent / "<name>"`).
# The name is assembled here so that this guard does not itself mention the path.
_CARTELLA = "sha" + "red"
OUTSIDE = re.compile(rf"\.\./{_CARTELLA}|\b{_CARTELLA}/reference\b|/\s*[\"']{_CARTELLA}[\"']")


def _tracked_files():
    """The files git tracks (or, outside a git checkout, every file but the ignored ones)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", "staticfiles", "test-artifacts"}
        return [
            p.relative_to(ROOT)
            for p in ROOT.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)
        ]
    return [Path(name) for name in listed.decode().split("\0") if name]


def test_no_project_file_reaches_outside_the_repository():
    files = [p for p in _tracked_files() if p.parts[0] != "tests"]
    assert len(files) > 50  # the listing really saw the project
    offenders = []
    for path in files:
        text = (ROOT / path).read_bytes().decode("utf-8", errors="ignore")
        offenders += [
            f"{path}:{n}: {line.strip()}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert not offenders, "\n".join(offenders)


def test_code_and_settings_come_from_this_checkout():
    """An editable install of another checkout must not shadow this one's code."""
    from importlib import import_module

    from ambito.apps import ZONALE_APPS

    assert settings.BASE_DIR.resolve() == ROOT.resolve()
    for app in ZONALE_APPS:
        assert Path(import_module(app).__file__).resolve().is_relative_to(ROOT.resolve()), app


def test_istat_reference_list_is_inside_the_repository():
    path = sintetico.ISTAT_CSV
    assert path.resolve().is_relative_to(ROOT)
    assert path.relative_to(ROOT) in _tracked_files()
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7904
    assert {"Rozzano", "Binasco"} <= {r["nome"] for r in rows if r["sigla_provincia"] == "MI"}
    licence = (path.parent / "README.md").read_text(encoding="utf-8")
    assert "ISTAT" in licence and "CC BY 3.0 IT" in licence
