"""Verifying the audit chain (``alliance audit verify``, SEC-26).

Walks every row in ``seq`` order and names the first one that is wrong:

- its HMAC does not match its fields (edited row, or a row written without the key);
- its ``prev_hash`` is not the previous row's hash, or its ``seq`` skips (row deleted or moved);
- the chain is shorter than, or differs from, the newest authentic checkpoint (tail cut off).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from alliance.audit.chain import row_hash
from alliance.audit.checkpoints import checkpoints_read
from alliance.audit.models import GENESIS_HASH, AuditEvent

BATCH = 5000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows_checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.rows_checked} events verified"
        return f"audit chain broken at event #{self.first_bad_seq}: {self.problem}"


def _fields(event: AuditEvent) -> dict[str, object]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "client_id": event.client_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "purpose": event.purpose,
        "outcome": event.outcome,
        "severity": event.severity,
        "source_address": event.source_address,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }


def audit_verify() -> VerifyResult:
    key = settings.AUDIT_KEY
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    hashes_at: dict[int, str] = {}
    points = [p for p in checkpoints_read() if p.is_authentic(key)]
    wanted = {p.seq for p in points}
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:BATCH])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    expected_seq,
                    f"event #{expected_seq} is missing (next stored event is #{event.seq})",
                )
            if event.prev_hash != prev_hash:
                return VerifyResult(
                    False, checked, event.seq, "does not follow the previous event's hash"
                )
            if row_hash(key, _fields(event)) != event.hash:
                return VerifyResult(False, checked, event.seq, "contents do not match its hash")
            if event.seq in wanted:
                hashes_at[event.seq] = event.hash
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last_seq = batch[-1].seq
    for point in sorted(points, key=lambda p: p.seq):
        if point.seq > checked:
            return VerifyResult(
                False,
                checked,
                checked + 1,
                f"events #{checked + 1} to #{point.seq} are missing: a checkpoint written "
                f"{point.at} saw the chain reach #{point.seq}",
            )
        if hashes_at.get(point.seq) != point.hash:
            return VerifyResult(
                False, checked, point.seq, f"differs from the checkpoint written {point.at}"
            )
    return VerifyResult(True, checked)
