"""Writing audit events (STYLE habit 7: explicit rows written by services, never signals).

``audit_record`` runs inside the caller's transaction: if it fails, the operation it records
fails too and nothing is saved (REL-06). Appending takes a lock so that the chain has one
order: a transaction-scoped advisory lock on PostgreSQL; on SQLite every write transaction
already starts with ``BEGIN IMMEDIATE`` (settings), which serialises writers.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from alliance.audit import checkpoints, reads
from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.chain import row_hash
from alliance.audit.context import source_address
from alliance.audit.models import GENESIS_HASH, AuditEvent
from alliance.core.aftercommit import after_commit

# Arbitrary constant naming the audit chain's advisory lock on PostgreSQL.
AUDIT_CHAIN_LOCK_ID = 7_115_001


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_ID])


# The newest event, which each new one links to: read on every audited request.
# Read on every audited request, written out in SQL (the newest row of the sequence's index);
# ``tests/audit/test_chain_head_sql.py`` compares it with the queryset it stands for.
CHAIN_HEAD_SQL = "SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1"


def _chain_head() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(CHAIN_HEAD_SQL)
        return [(int(seq), str(hash_)) for seq, hash_ in cursor.fetchall()]


READ_ACTIONS = frozenset({AuditAction.RECORD_VIEW, AuditAction.CHART_VIEW})


def _purpose_of(actor: Any, client_id: int | None) -> AuditPurpose:
    if client_id is None:
        return AuditPurpose.TREATMENT
    from alliance.access.policy import access_purpose  # the policy writes audit events too

    return AuditPurpose(access_purpose(actor=actor, client_id=client_id))


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    client: Any = None,
    target: models.Model | None = None,
    purpose: AuditPurpose | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    severity: AuditSeverity = AuditSeverity.NORMAL,
    detail: dict[str, Any] | None = None,
    actor_username: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one audit event and return it.

    ``detail`` holds identifiers and field names, never narrative values: the audit trail is
    read by privacy staff and must not become a second copy of the record.

    ``purpose`` defaults to the purpose of the actor's access to ``client`` as the access
    policy decides it (``access.policy.access_purpose``: break-the-glass when the access is an
    emergency grant, else treatment), so that no event under a grant reads as treatment.
    """
    if target is not None:
        object_type = object_type or target._meta.label
        object_id = object_id or str(target.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    client_id = getattr(client, "pk", client)
    # The hash must be computed over the values exactly as the database will give them back,
    # or the verifier reports an untouched row as tampered with: ids as integers (a caller
    # may pass "42"), text cut to the column sizes, and the detail as JSON reads it
    # (tuples become lists).
    client_id = None if client_id is None else int(client_id)
    if purpose is None:
        purpose = _purpose_of(actor, client_id) if is_user else AuditPurpose.TREATMENT
    if str(action) not in READ_ACTIONS and outcome == AuditOutcome.SUCCESS:
        reads.wrote(actor, target)
    detail = json.loads(json.dumps(detail or {}))
    with transaction.atomic():
        _lock_chain()
        found = _chain_head()
        head = found[0] if found else None
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": timezone.now().astimezone(UTC),
            "actor_id": actor.pk if is_user else None,
            "actor_username": (actor.get_username() if is_user else actor_username)[:80],
            "action": str(action),
            "client_id": client_id,
            "object_type": str(object_type)[:60],
            "object_id": str(object_id)[:60],
            "purpose": str(purpose),
            "outcome": str(outcome),
            "severity": str(severity),
            "source_address": source_address.get()[:64],
            "detail": detail,
            "prev_hash": prev_hash,
        }
        event = AuditEvent(**fields, hash=row_hash(settings.AUDIT_KEY, fields))
        event.save(force_insert=True)
        if checkpoints.checkpoint_due(seq):
            # After the commit, and never raising: a full checkpoint disk must not turn this
            # saved action into an error page (issue 15); the checkpoint is owed instead.
            head_hash = event.hash
            after_commit(
                lambda: checkpoints.checkpoint_attempt(seq=seq, head=head_hash),
                what=f"audit checkpoint at event #{seq}",
            )
    return event


def audit_refused(
    *,
    actor: Any,
    client_id: object,
    object_type: str,
    object_id: object,
    action: AuditAction = AuditAction.RECORD_VIEW,
) -> None:
    """A refused attempt to open a record is worth a row: the privacy officer looks for
    snooping (SEC-23). ``client_id`` is recorded only when it names a client that exists, so
    a probe with made-up ids leaves no false trail on a real record."""
    try:
        client_pk: int | None = int(str(client_id)) if client_id is not None else None
    except ValueError:
        client_pk = None
    if client_pk is not None:
        from alliance.clients.models import Client  # clients imports the audit writer

        if not Client.objects.filter(pk=client_pk).exists():
            client_pk = None
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=action,
            client=client_pk,
            object_type=object_type,
            object_id=str(object_id)[:60],
            outcome=AuditOutcome.DENIED,
        )
