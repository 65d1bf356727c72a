"""Tamper detection: ``alliance audit verify`` names the first edited, missing or moved row.

Each test writes a real chain with ``audit_record``, then plays the attacker with database
access: it lifts the append-only triggers, changes the table, and puts the triggers back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection

from alliance import cli
from alliance.audit import checkpoints
from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose
from alliance.audit.chain import row_hash
from alliance.audit.models import GENESIS_HASH, AuditEvent
from alliance.audit.services import audit_record
from alliance.audit.verify import _fields
from alliance.core.dbguards import install_append_only, remove_append_only
from tests.personas import Clinic

TABLE = AuditEvent._meta.db_table
ROWS = 7


@contextmanager
def guards_lifted() -> Iterator[None]:
    remove_append_only(connection, TABLE)
    try:
        yield
    finally:
        install_append_only(connection, TABLE)


def sql(statement: str, params: list[object] | None = None) -> None:
    with guards_lifted(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def chain(clinic: Clinic) -> list[AuditEvent]:
    """Seven events of different kinds, by different people, about different clients."""
    written = [
        audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN),
        audit_record(
            actor=clinic.therapist_on_team,
            action=AuditAction.CHART_VIEW,
            client=clinic.client_a,
            target=clinic.client_a,
            detail={"view": "clinical"},
        ),
        audit_record(
            actor=clinic.front_desk,
            action=AuditAction.SEARCH,
            detail={"client_ids": [clinic.client_a.pk, clinic.client_b.pk]},
        ),
        audit_record(
            actor=clinic.therapist_off_team,
            action=AuditAction.CHART_VIEW,
            client=clinic.client_b,
            target=clinic.client_b,
            outcome=AuditOutcome.DENIED,
        ),
        audit_record(
            actor=None,
            actor_username="therapist.on.team",
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.DENIED,
        ),
        audit_record(
            actor=clinic.privacy_officer,
            action=AuditAction.AUDIT_REPORT_VIEW,
            purpose=AuditPurpose.OVERSIGHT,
        ),
        audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGOUT),
    ]
    assert [e.seq for e in written] == list(range(1, ROWS + 1))
    return written


def verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["audit", "verify"])
    out, err = capsys.readouterr()
    return code, out + err


def assert_broken_at(capsys: pytest.CaptureFixture[str], seq: int) -> str:
    code, message = verify(capsys)
    assert code != 0, message
    assert f"audit chain broken at event #{seq}:" in message
    return message


def test_an_intact_chain_verifies(chain: list[AuditEvent], capsys: pytest.CaptureFixture) -> None:
    """SEC-26: the untouched chain verifies, every row counted."""
    code, message = verify(capsys)

    assert code == 0
    assert f"audit chain intact: {ROWS} events verified" in message


def test_an_intact_chain_verifies_against_its_checkpoint(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: a checkpoint of the current head does not make a healthy chain fail."""
    checkpoints.checkpoint_write(seq=chain[-1].seq, head=chain[-1].hash)

    code, message = verify(capsys)

    assert code == 0, message


def flip_first_letter(text: str) -> str:
    return chr(ord(text[0]) ^ 0x20) + text[1:]


@pytest.mark.parametrize(
    "column", ["actor_username", "action", "object_type", "purpose", "outcome", "source_address"]
)
def test_a_flipped_byte_in_a_middle_row_is_named(
    column: str, chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: one byte changed in any chained field of row 4 breaks the chain at row 4."""
    original = getattr(AuditEvent.objects.get(seq=4), column)

    sql(f"UPDATE {TABLE} SET {column} = %s WHERE seq = 4", [flip_first_letter(original)])

    message = assert_broken_at(capsys, 4)
    assert "contents do not match its hash" in message


def test_an_event_moved_to_another_client_is_named(
    chain: list[AuditEvent], clinic: Clinic, capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: hiding who was looked at (changing the client of a row) is detected."""
    sql(f"UPDATE {TABLE} SET client_id = %s WHERE seq = 2", [clinic.client_b.pk])

    assert_broken_at(capsys, 2)


def test_a_shifted_time_is_named(chain: list[AuditEvent], capsys: pytest.CaptureFixture) -> None:
    """SEC-26: moving an event's time by one microsecond is detected."""
    moved = AuditEvent.objects.get(seq=3).occurred_at + timedelta(microseconds=1)

    sql(f"UPDATE {TABLE} SET occurred_at = %s WHERE seq = 3", [moved])

    assert_broken_at(capsys, 3)


def test_an_edited_detail_is_named(chain: list[AuditEvent], capsys: pytest.CaptureFixture) -> None:
    """SEC-26: removing a client id from a search's recorded results is detected."""
    sql(f"UPDATE {TABLE} SET detail = %s WHERE seq = 3", ['{"client_ids": []}'])

    assert_broken_at(capsys, 3)


def test_a_deleted_middle_row_is_named(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: deleting row 4 is reported as row 4 missing."""
    sql(f"DELETE FROM {TABLE} WHERE seq = 4")

    message = assert_broken_at(capsys, 4)
    assert "missing" in message


def test_a_deleted_row_with_later_rows_renumbered_is_named(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: closing the gap by renumbering the later rows still breaks at row 4."""
    sql(f"DELETE FROM {TABLE} WHERE seq = 4")
    for seq in range(5, ROWS + 1):
        sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [seq - 1, seq])

    message = assert_broken_at(capsys, 4)
    assert "previous event's hash" in message


def test_two_swapped_rows_are_named(chain: list[AuditEvent], capsys: pytest.CaptureFixture) -> None:
    """SEC-26: reordering rows 3 and 5 breaks the chain at row 3."""
    sql(f"UPDATE {TABLE} SET seq = -3 WHERE seq = 3")
    sql(f"UPDATE {TABLE} SET seq = 3 WHERE seq = 5")
    sql(f"UPDATE {TABLE} SET seq = 5 WHERE seq = -3")

    assert_broken_at(capsys, 3)


def test_a_tail_cut_after_a_checkpoint_is_named(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: with a checkpoint at row 7, deleting rows 6 and 7 is reported from row 6."""
    checkpoints.checkpoint_write(seq=chain[-1].seq, head=chain[-1].hash)

    sql(f"DELETE FROM {TABLE} WHERE seq >= 6")

    message = assert_broken_at(capsys, 6)
    assert "#6 to #7 are missing" in message


def test_a_cut_tail_replaced_by_new_events_is_named(
    chain: list[AuditEvent], clinic: Clinic, capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: cutting the tail and letting the application write on differs at the checkpoint."""
    checkpoints.checkpoint_write(seq=chain[-1].seq, head=chain[-1].hash)
    sql(f"DELETE FROM {TABLE} WHERE seq >= 6")

    for _ in range(3):
        audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN)

    message = assert_broken_at(capsys, ROWS)
    assert "checkpoint" in message


def test_a_forged_checkpoint_is_not_trusted(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: a checkpoint line without the audit key's MAC cannot fail (or pass) the chain."""
    checkpoints.checkpoint_path().parent.mkdir(parents=True, exist_ok=True)
    checkpoints.checkpoint_path().write_text(
        '{"seq": 99, "hash": "' + "f" * 64 + '", "at": "2026-01-01T00:00:00", "mac": "00"}\n'
    )

    code, message = verify(capsys)

    assert code == 0, message


def rewrite_from(seq: int, key: str) -> None:
    """Change row ``seq`` and re-chain every row from it onward, hashed with ``key``."""
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    previous = AuditEvent.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
    prev_hash = previous or GENESIS_HASH
    for event in rows:
        if event.seq == seq:
            event.outcome = AuditOutcome.SUCCESS if event.outcome != "success" else "failure"
        event.prev_hash = prev_hash
        event.hash = row_hash(key, _fields(event))
        sql(
            f"UPDATE {TABLE} SET outcome = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.outcome, event.prev_hash, event.hash, event.seq],
        )
        prev_hash = event.hash


def test_rows_rehashed_with_the_wrong_key_are_named(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: an attacker without the audit key cannot re-chain an edit: it fails at the edit."""
    rewrite_from(4, key="an-attacker-guess-at-the-audit-key-000000")

    message = assert_broken_at(capsys, 4)
    assert "contents do not match its hash" in message


def test_rows_rehashed_with_the_right_key_verify(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26 (control): the same rewrite with the real key verifies, so the key is what counts.

    This is why the audit key lives outside the database, and checkpoints off the box.
    """
    from django.conf import settings

    rewrite_from(4, key=settings.AUDIT_KEY)

    code, message = verify(capsys)

    assert code == 0, message


def test_a_checkpoint_catches_a_rewrite_with_the_right_key(
    chain: list[AuditEvent], capsys: pytest.CaptureFixture
) -> None:
    """SEC-26: even with the key, rewriting rows before a checkpoint is caught by that anchor."""
    from django.conf import settings

    checkpoints.checkpoint_write(seq=chain[-1].seq, head=chain[-1].hash)

    rewrite_from(4, key=settings.AUDIT_KEY)

    message = assert_broken_at(capsys, ROWS)
    assert "differs from the checkpoint" in message
