"""Writing audit events: a chained row that the verifier accepts as written (SEC-26)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from alliance.audit.actions import AuditAction
from alliance.audit.checkpoints import checkpoints_read
from alliance.audit.context import source_address
from alliance.audit.models import GENESIS_HASH, AuditEvent
from alliance.audit.services import audit_record
from alliance.audit.verify import audit_verify
from tests.personas import Clinic


def test_events_form_a_chain_from_the_genesis_hash(clinic: Clinic) -> None:
    first = audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN)
    second = audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGOUT)

    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert first.hash != second.hash


LOOSE_INPUTS: dict[str, Callable[[Clinic], dict[str, Any]]] = {
    "client id as text": lambda c: {"client": str(c.client_a.pk)},
    "tuple in detail": lambda c: {"detail": {"ids": (3, 1, 2), "nested": {"b": [1], "a": None}}},
    "long object": lambda c: {"object_type": "x" * 100, "object_id": "9" * 100},
    "long username": lambda c: {"actor_username": "u" * 200},
    "unicode": lambda c: {"detail": {"field": "café\u2028", "ratio": 0.25}},
}


@pytest.mark.parametrize("case", list(LOOSE_INPUTS))
def test_what_callers_pass_loosely_still_verifies(case: str, clinic: Clinic) -> None:
    """SEC-26: the hash covers the values as stored, so an honest row never looks tampered.

    Before this was fixed, a client id passed as text ("42") was hashed as text but read back
    as a number, and the verifier reported the untouched row (and so the chain) as broken.
    """
    audit_record(actor=None, action=AuditAction.SEARCH, **LOOSE_INPUTS[case](clinic))
    audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGOUT)

    result = audit_verify()

    assert result.ok, result.describe()
    assert result.rows_checked == 2


def test_a_client_given_by_id_is_stored_as_that_client(clinic: Clinic) -> None:
    event = audit_record(
        actor=clinic.therapist_on_team,
        action=AuditAction.CHART_VIEW,
        client=str(clinic.client_a.pk),
    )

    assert AuditEvent.objects.get(seq=event.seq).client_id == clinic.client_a.pk


def test_the_source_address_comes_from_the_request_context(clinic: Clinic) -> None:
    token = source_address.set("192.0.2.10")
    try:
        event = audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN)
    finally:
        source_address.reset(token)
    outside = audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGOUT)

    assert event.source_address == "192.0.2.10"
    assert outside.source_address == "local"


@override_settings(AUDIT_CHECKPOINT_EVERY=2)
def test_a_checkpoint_is_written_every_n_events_after_commit(
    clinic: Clinic, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """SEC-26: the head is anchored outside the database every AUDIT_CHECKPOINT_EVERY rows."""
    with django_capture_on_commit_callbacks(execute=True):
        events = [
            audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN) for _ in range(5)
        ]

    points = checkpoints_read()
    assert [(p.seq, p.hash) for p in points] == [
        (events[1].seq, events[1].hash),
        (events[3].seq, events[3].hash),
    ]
    assert audit_verify().ok
