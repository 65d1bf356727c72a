"""Audit tests keep their checkpoints in a fresh folder, never in the working copy's ``var/``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path: Path) -> object:
    folder = tmp_path / "audit-checkpoints"
    with override_settings(AUDIT_CHECKPOINT_DIR=folder):
        yield folder
