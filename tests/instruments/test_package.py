"""The instrument library is pure Python: importing it must not import Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "alliance" / "instruments"


@pytest.mark.parametrize(
    "module",
    [
        "alliance.instruments",
        "alliance.instruments.cli",
        "alliance.instruments.fhir",
        "alliance.instruments.catalogue",
    ],
)
def test_importing_the_library_does_not_import_django(module: str) -> None:
    code = (
        f"import sys, importlib\nimportlib.import_module({module!r})\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(leaked))\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )

    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == ""


def test_no_module_of_the_library_mentions_django_imports() -> None:
    sources = list(PACKAGE.rglob("*.py"))

    assert sources
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "import django" not in text, source
        assert "from django" not in text, source
