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
