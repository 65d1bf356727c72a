"""The restore drill in-process, on the suite's database (REL-07): back up a clinic with a
signed document of every type, verify the backup in a throwaway database (counts, the audit
chain with its checkpoints, every signature), restore it into an empty database; and the
failures the drill exists to catch.

The database must see what the test wrote (pg_dump is another connection), so these tests
commit (``transaction=True``) and the suite's flush empties the database after each.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from alliance import cli
from alliance.audit import checkpoints
from alliance.audit.models import AuditEvent
from alliance.backups import databases
from alliance.backups.archive import archive_read
from alliance.backups.errors import BackupTampered, DatabaseNotEmpty
from alliance.backups.services import backup_create, backup_restore, backup_verify
from alliance.core.dbguards import install_append_only, remove_append_only
from alliance.disclosures.services import report_addendum_add
from alliance.notes.guards import install_note_guards, remove_note_guards
from alliance.notes.models import Note
from alliance.notes.services import addendum_add
from alliance.safety.risk import risk_addendum_add
from tests.backups.conftest import empty_database
from tests.disclosures.conftest import signed_report
from tests.notes.conftest import signed
from tests.personas import PASSWORD, Clinic
from tests.plans.conftest import activate, complete_draft, open_episode
from tests.safety.conftest import signed_assessment, signed_plan

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_KIND = [
    "note",
    "note addendum",
    "assessment",
    "assessment addendum",
    "safety plan",
    "treatment plan",
    "report",
    "report addendum",
]


@dataclass
class Records:
    note: Note


def records_of_every_kind(clinic: Clinic) -> Records:
    """One signed document of every type, and an addendum to each type that takes one."""
    doctor, therapist, client = clinic.psychiatrist, clinic.therapist_on_team, clinic.client_a
    note = signed(doctor, client)
    addendum_add(actor=doctor, note=note, text="Called back: sleeping better.", password=PASSWORD)
    assessment = signed_assessment(therapist, client)
    risk_addendum_add(
        actor=therapist, assessment=assessment, text="Sister confirmed.", password=PASSWORD
    )
    signed_plan(therapist, client)
    activate(therapist, complete_draft(therapist, client, open_episode(clinic)))
    report = signed_report(therapist, client)
    report_addendum_add(
        actor=therapist, report=report, text="Police reference added.", password=PASSWORD
    )
    head = AuditEvent.objects.order_by("-seq").first()
    assert head is not None
    checkpoints.checkpoint_write(seq=head.seq, head=head.hash)
    return Records(note)


def live_counts() -> dict[str, int]:
    """Every table of the suite's database and its rows, through Django's connection."""
    counts = {}
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def checks(report: Any) -> dict[str, tuple[int, list[int]]]:
    return {c["label"]: (c["checked"], c["failed"]) for c in report.documents}


def test_a_backup_verifies_and_restores_with_every_count_the_chain_and_signatures(
    clinic: Clinic, tmp_path: Path
) -> None:
    """REL-07: dump → restore into an empty database → the SEC-26 and REL-01 verifiers."""
    # given a clinic with a signed document of every kind, and a checkpoint of its chain
    records_of_every_kind(clinic)

    # when it is backed up
    made = backup_create(output=tmp_path / "clinic.backup")

    # then one file only its owner can read, whose manifest counts the rows and names no one
    assert stat.S_IMODE((tmp_path / "clinic.backup").stat().st_mode) == 0o600
    assert not (tmp_path / "clinic.backup.partial").exists()
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    manifest = archive_read(path=made.path, secret=settings.BACKUP_KEY, into=unpacked)
    assert manifest == made.manifest
    assert manifest.tables == live_counts()
    assert manifest.audit_events == AuditEvent.objects.count()
    assert manifest.checkpoints == 1
    text = manifest.to_json().decode()
    for person in (clinic.client_a, clinic.client_b):
        assert person.legal_last_name not in text
        assert person.date_of_birth.isoformat() not in text
    assert set(json.loads(text)) == {
        "alliance_version",
        "audit_events",
        "checkpoints",
        "created_at",
        "format",
        "format_version",
        "migrations",
        "tables",
        "vendor",
    }

    # when the backup is verified in a throwaway database
    report = backup_verify(path=made.path)

    # then every count, the whole chain and every signature pass
    assert report.ok, report.describe()
    assert report.tables == manifest.tables
    assert report.audit["rows_checked"] == manifest.audit_events
    found = checks(report)
    assert list(found) == EVERY_KIND
    assert all(checked >= 1 and not failed for checked, failed in found.values()), found

    # when it is restored into an empty database
    restored_checkpoints = tmp_path / "restored-checkpoints"
    with empty_database(tmp_path) as target:
        done = backup_restore(path=made.path, database=target, checkpoint_dir=restored_checkpoints)

        # then every table has the rows it had, and the checkpoint is back beside it
        assert databases.contents(target).tables == manifest.tables
    assert done.checkpoints is not None and done.checkpoints.added == 1
    assert (restored_checkpoints / checkpoints.CHECKPOINT_FILE).read_bytes() == (
        checkpoints.checkpoint_path().read_bytes()
    )


def test_the_commands_print_counts_and_exit_zero(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.backup"

    assert cli.main(["backup", "--output", str(path)]) == 0
    assert "backup written" in capsys.readouterr().out
    assert cli.main(["backup", "verify", str(path)]) == 0

    out = capsys.readouterr().out
    assert "audit chain intact" in out
    assert "note addendum" in out
    assert out.rstrip().splitlines()[-1].startswith("PASS")
    if connection.vendor == "postgresql":
        # the throwaway database is gone
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_database WHERE datname LIKE 'alliance_verify_%'"
            )
            assert cursor.fetchone()[0] == 0


def test_a_tampered_audit_row_and_a_tampered_note_fail_verification(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """REL-07 with SEC-26 and REL-01: the restored database holds an edited audit row and an
    edited signed note (edited by someone with database access, guards lifted, before the
    backup); verify names both and exits 1."""
    # given a clinic whose database was edited behind the application's back
    records = records_of_every_kind(clinic)
    edited_seq = AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[3]
    remove_append_only(connection, AuditEvent._meta.db_table)
    remove_note_guards(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET actor_username = %s WHERE seq = %s",
                ["someone.else", edited_seq],
            )
        Note.all_kinds.filter(pk=records.note.pk).update(content={"subjective": "Rewritten."})
    finally:
        install_append_only(connection, AuditEvent._meta.db_table)
        install_note_guards(connection)
    path = tmp_path / "clinic.backup"
    assert cli.main(["backup", "--output", str(path)]) == 0
    capsys.readouterr()

    # when the backup is verified
    code = cli.main(["backup", "verify", str(path)])

    # then it fails, naming the event and the note
    assert code == 1
    err = capsys.readouterr().err
    assert f"audit chain broken at event #{edited_seq}: contents do not match its hash" in err
    assert f"note #{records.note.pk}: does not match its signature" in err
    assert "FAIL (2 problems)" in err


def test_a_flipped_byte_fails_authentication_and_nothing_is_restored(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """REL-07: the backup file is authenticated; one changed bit and it is refused whole."""
    path = tmp_path / "clinic.backup"
    backup_create(output=path)
    sealed = bytearray(path.read_bytes())
    sealed[len(sealed) // 2] ^= 0x01
    tampered = tmp_path / "tampered.backup"
    tampered.write_bytes(bytes(sealed))

    assert cli.main(["backup", "verify", str(tampered)]) == 1
    assert "failed authentication" in capsys.readouterr().err
    assert cli.main(["restore", str(tampered)]) == 1
    assert "failed authentication" in capsys.readouterr().err
    with empty_database(tmp_path) as target:
        with pytest.raises(BackupTampered):
            backup_restore(path=tampered, database=target)
        assert databases.contents(target).tables == {}


def test_a_restore_refuses_a_database_that_holds_records(clinic: Clinic, tmp_path: Path) -> None:
    """REL-07: a restore never overwrites records, not even with their own backup."""
    path = tmp_path / "clinic.backup"
    backup_create(output=path)

    with empty_database(tmp_path) as target:
        backup_restore(path=path, database=target)
        before = databases.contents(target).tables

        with pytest.raises(DatabaseNotEmpty, match="A restore never overwrites records"):
            backup_restore(path=path, database=target)
        assert databases.contents(target).tables == before
