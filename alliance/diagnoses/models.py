"""The problem list: ICD-10-CM diagnoses and social or contextual factors (Z-codes).

A diagnosis is never deleted: it is resolved or ruled out, and every change writes a
``DiagnosisChange`` row in the same transaction (REL-02, REL-03). The code and its description are
copied from ``simple-icd-10-cm`` when the diagnosis is recorded, so a later code-set update never
rewrites what the clinician saw. A diagnosis entered or changed by a supervisee waits for a
supervisor's co-signature.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from alliance.clients.models import Client
from alliance.core.models import RecordDeletionError, UndeletableModel
from alliance.records.models import Part2Labelled


class DiagnosisStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional"
    ACTIVE = "active", "Active"
    IN_REMISSION = "in_remission", "In remission"
    RESOLVED = "resolved", "Resolved"
    RULED_OUT = "ruled_out", "Ruled out"


# Statuses of a problem the client still has (or may have): shown first, and the ones the
# "one primary" and "no duplicate code" rules look at.
CURRENT_STATUSES = (
    DiagnosisStatus.ACTIVE,
    DiagnosisStatus.PROVISIONAL,
    DiagnosisStatus.IN_REMISSION,
)


class DiagnosisKind(models.TextChoices):
    DIAGNOSIS = "diagnosis", "Diagnosis"
    FACTOR = "factor", "Social or contextual factor"


class CosignStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "Not required"
    PENDING = "pending", "Awaiting co-signature"
    COSIGNED = "cosigned", "Co-signed"
    RETURNED = "returned", "Returned by supervisor"


class Diagnosis(UndeletableModel, Part2Labelled):
    """One entry of a client's problem list."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="diagnoses")
    icd10_code = models.CharField(max_length=10, help_text="ICD-10-CM code, with its dot")
    description = models.CharField(
        max_length=300, help_text="The code's description when the diagnosis was recorded"
    )
    kind = models.CharField(max_length=12, choices=DiagnosisKind.choices)
    status = models.CharField(max_length=16, choices=DiagnosisStatus.choices)
    onset_on = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField(default=False)
    diagnosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cosign_status = models.CharField(
        max_length=16, choices=CosignStatus.choices, default=CosignStatus.NOT_REQUIRED
    )
    cosign_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The supervisee whose entry or change waits for co-signature.",
    )
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["client_id", "-is_primary", "icd10_code"]
        verbose_name_plural = "diagnoses"
        indexes = [
            models.Index(fields=["client", "status"], name="diagnosis_client_status_idx"),
            models.Index(fields=["cosign_status", "cosign_author"], name="diagnosis_cosign_idx"),
        ]
        constraints = [
            # The service keeps these true and explains refusals; the database makes sure
            # that two racing writers cannot break them either.
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(is_primary=True),
                name="diagnosis_one_primary",
            ),
            models.UniqueConstraint(
                fields=["client", "icd10_code"],
                condition=models.Q(status__in=CURRENT_STATUSES),
                name="diagnosis_current_code_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(is_primary=True) | models.Q(status__in=CURRENT_STATUSES),
                name="diagnosis_primary_is_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.description}"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    @property
    def is_factor(self) -> bool:
        return self.kind == DiagnosisKind.FACTOR


class ChangeEvent(models.TextChoices):
    CREATED = "created", "Recorded"
    STATUS = "status", "Status changed"
    PRIMARY = "primary", "Primary flag changed"
    COSIGNED = "cosigned", "Co-signed"
    RETURNED = "returned", "Returned for revision"


class DiagnosisChange(models.Model):
    """One version of a diagnosis: who changed what, when, and why (REL-03). Never edited."""

    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.PROTECT, related_name="changes")
    version = models.PositiveIntegerField(help_text="The diagnosis version this change made")
    event = models.CharField(max_length=12, choices=ChangeEvent.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    old_status = models.CharField(max_length=16, choices=DiagnosisStatus.choices, blank=True)
    new_status = models.CharField(max_length=16, choices=DiagnosisStatus.choices)
    is_primary = models.BooleanField(help_text="The primary flag after this change")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["diagnosis_id", "changed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnosis", "version"], name="diagnosis_change_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.diagnosis_id} v{self.version} {self.event}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RecordDeletionError("diagnosis history is never deleted (REL-02)")
