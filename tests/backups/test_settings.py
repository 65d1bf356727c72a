"""Production refuses a public or reused backup key (REL-07): the key that opens every backup
is as secret as the audit key, and is not the audit key."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance.config.settings import DEVELOPMENT_BACKUP_KEY
from tests.config.test_settings import GOOD_AUDIT, GOOD_SECRET, assert_refused, start

GOOD_BACKUP = "Qz8xW3eR5tY7uI9oP1aS3dF5gH7jK9lZ-backup-key-used-only-by-tests"


@pytest.mark.parametrize(
    ("backup_key", "needle"),
    [
        (None, "ALLIANCE_BACKUP_KEY must be set"),
        (DEVELOPMENT_BACKUP_KEY, "ALLIANCE_BACKUP_KEY must be set"),
        ("short-backup-key", "ALLIANCE_BACKUP_KEY must be set"),
        (GOOD_AUDIT, "ALLIANCE_BACKUP_KEY must differ from the secret and audit keys"),
    ],
)
def test_production_refuses_a_public_short_or_reused_backup_key(
    tmp_path: Path, backup_key: str | None, needle: str
) -> None:
    env = {"ALLIANCE_SECRET_KEY": GOOD_SECRET, "ALLIANCE_AUDIT_KEY": GOOD_AUDIT}
    if backup_key is not None:
        env["ALLIANCE_BACKUP_KEY"] = backup_key

    assert_refused(start(tmp_path, ALLIANCE_ENV="production", **env), needle)


def test_production_starts_with_its_own_backup_key(tmp_path: Path) -> None:
    result = start(
        tmp_path,
        ALLIANCE_ENV="production",
        ALLIANCE_SECRET_KEY=GOOD_SECRET,
        ALLIANCE_AUDIT_KEY=GOOD_AUDIT,
        ALLIANCE_BACKUP_KEY=GOOD_BACKUP,
    )

    assert result.returncode == 0, result.stderr
