"""The audit trail: append-only, HMAC hash-chained (SEC-23, SEC-25, SEC-26).

Each row's ``hash`` is HMAC-SHA256, keyed with ``ALLIANCE_AUDIT_KEY`` (never stored in the
database), over its own fields and the previous row's hash. ``seq`` is assigned under a lock,
one more than the previous row, so a deleted, reordered or edited row breaks the chain at a
place the verifier can name. Rows are written only by ``alliance.audit.services.audit_record``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(max_length=80, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices, db_index=True)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    purpose = models.CharField(max_length=12, choices=AuditPurpose.choices)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices)
    severity = models.CharField(
        max_length=10, choices=AuditSeverity.choices, default=AuditSeverity.NORMAL
    )
    source_address = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["client", "occurred_at"], name="audit_client_time_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_username or 'anonymous'}"
