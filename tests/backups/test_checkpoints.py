"""Restoring puts the backup's audit checkpoints back beside the database, append-only
(REL-07 with SEC-26): nothing already in the checkpoint file is rewritten or dropped."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from alliance.audit.chain import checkpoint_mac
from alliance.audit.checkpoints import CHECKPOINT_FILE
from alliance.backups.services import checkpoints_merge


def line(seq: int, key: str | None = None) -> str:
    head, at = f"{seq:064x}", f"2026-01-0{seq % 9 + 1}T00:00:00+00:00"
    mac = checkpoint_mac(key or settings.AUDIT_KEY, seq, head, at)
    return json.dumps({"at": at, "hash": head, "mac": mac, "seq": seq}, sort_keys=True) + "\n"


def test_the_backups_checkpoints_are_appended_and_nothing_is_rewritten(tmp_path: Path) -> None:
    # given a checkpoint file with an old checkpoint and one newer than the backup
    path = tmp_path / CHECKPOINT_FILE
    path.write_text(line(100) + line(900))
    before = path.read_bytes()

    # when a backup of 500 events with checkpoints at 100, 300 and 500 is restored, one of
    # them not made with this audit key
    merged = checkpoints_merge(
        backup_lines=(line(100) + line(300) + line(500) + line(400, key="another key")).encode(),
        folder=tmp_path,
        restored_events=500,
    )

    # then the two missing ones are appended after what was there, which is untouched
    after = path.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == line(300) + line(500)
    assert (merged.added, merged.present, merged.refused) == (2, 1, 1)
    # and the newer checkpoint is reported: events 501 to 900 are lost with this restore
    assert merged.beyond == 900
    assert "beyond this backup" in merged.describe()


def test_a_restore_into_a_new_folder_writes_the_backups_checkpoints(tmp_path: Path) -> None:
    folder = tmp_path / "new"

    merged = checkpoints_merge(
        backup_lines=(line(100) + line(200)).encode(), folder=folder, restored_events=200
    )

    assert (folder / CHECKPOINT_FILE).read_text() == line(100) + line(200)
    assert merged.beyond is None
    assert "beyond" not in merged.describe()
