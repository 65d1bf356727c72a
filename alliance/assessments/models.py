"""Administered questionnaires, self-completion links and critical-item alerts.

Scoring is the instrument library's job (``alliance.instruments``, pure Python). Here an
administration keeps the answers item by item as a FHIR R4 QuestionnaireResponse and a score row
(total, severity, flags) for fast queries. Administrations are never edited or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.clients.models import Client
from alliance.core.models import UndeletableModel
from alliance.records.models import Part2Labelled


class AdministrationMode(models.TextChoices):
    IN_SESSION = "in_session", "Given in session"
    SELF_COMPLETION = "self_completion", "Self-completed from a link"
    KIOSK = "kiosk", "Self-completed on a clinic tablet"


class Administration(UndeletableModel, Part2Labelled):
    """One completed questionnaire: the answers (FHIR) and their recomputed score."""

    # No index of its own: admin_client_instr_idx starts with the client and serves its lookups,
    # and a second index would only make every insert dearer.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="administrations", db_index=False
    )
    instrument = models.CharField(max_length=30)
    mode = models.CharField(max_length=20, choices=AdministrationMode.choices)
    completed_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The clinician who entered the answers; empty when the client did.",
    )
    questionnaire_response = models.JSONField(help_text="FHIR R4 QuestionnaireResponse")
    answers = models.JSONField(help_text="Answers keyed by item id, as the client gave them")
    item_scores = models.JSONField(default=dict)
    total = models.FloatField(null=True, blank=True)
    severity = models.CharField(max_length=40, blank=True)
    critical_flags = models.JSONField(default=list)
    extras = models.JSONField(default=dict)
    submitted_total = models.FloatField(
        null=True, blank=True, help_text="A total sent in with the answers: never trusted."
    )

    class Meta:
        ordering = ["client_id", "instrument", "completed_at"]
        indexes = [
            models.Index(
                fields=["client", "instrument", "completed_at"], name="admin_client_instr_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} on {self.completed_at:%Y-%m-%d}"

    @property
    def total_mismatch(self) -> bool:
        return self.submitted_total is not None and self.submitted_total != self.total


class SelfCompletionLink(UndeletableModel):
    """A single-use, expiring link to one questionnaire. Only the token's hash is stored."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="measure_links")
    instrument = models.CharField(max_length=30)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kiosk = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    administration = models.OneToOneField(
        Administration, on_delete=models.PROTECT, null=True, blank=True, related_name="link"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.instrument} link for client {self.client_id}"


class AlertAction(models.TextChoices):
    SAFETY_ASSESSMENT = "safety_assessment", "Safety assessment done"
    CLIENT_CONTACTED = "client_contacted", "Client contacted"
    OTHER = "other", "Other (described below)"


class CriticalAlert(UndeletableModel):
    """A critical answer (e.g. PHQ-9 item 9) for the care team, until someone acts on it."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="critical_alerts")
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    # The link the answers came through: a client who corrects an invalid form after a critical
    # answer raises one alert, not two.
    link = models.ForeignKey(
        "SelfCompletionLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    instrument = models.CharField(max_length=30)
    flags = models.JSONField(default=list)
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=AlertAction.choices, blank=True)
    action_note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at"]
        indexes = [models.Index(fields=["acknowledged_at", "raised_at"], name="alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.instrument} alert for client {self.client_id}"


class MeasurementSchedule(UndeletableModel):
    """Give ``instrument`` to the client every ``every_days`` days, from ``next_due_on``."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="measure_schedules")
    instrument = models.CharField(max_length=30)
    every_days = models.PositiveSmallIntegerField()
    next_due_on = models.DateField()
    send_by_email = models.BooleanField(
        default=False,
        help_text="The client agreed to receive questionnaire links by email.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["client_id", "instrument"]
        indexes = [models.Index(fields=["ended_on", "next_due_on"], name="schedule_due_idx")]

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every_days} days"


class DueMeasure(UndeletableModel):
    """A scheduled measure that fell due; done when an administration of it arrives."""

    schedule = models.ForeignKey(
        MeasurementSchedule, on_delete=models.PROTECT, related_name="due_measures"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="due_measures")
    instrument = models.CharField(max_length=30)
    due_on = models.DateField()
    link = models.OneToOneField(
        "SelfCompletionLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="due_measure",
        help_text="The link the background task emailed to the client, if it did.",
    )
    done_by = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="due_measures_done",
    )

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_on"], name="due_measure_once")
        ]
        indexes = [models.Index(fields=["client", "done_by"], name="due_open_idx")]

    def __str__(self) -> str:
        return f"{self.instrument} due {self.due_on}"


class ImportedQuestionnaire(UndeletableModel):
    """A FHIR Questionnaire a clinic imported: licensed wording of a known instrument, or a
    questionnaire Alliance does not know (kept and shown; scored only through an SDC
    calculatedExpression it carries)."""

    title = models.CharField(max_length=300)
    url = models.CharField("canonical URL", max_length=500, blank=True)
    instrument = models.CharField(
        max_length=30, blank=True, help_text="The instrument Alliance recognized, if any."
    )
    resource = models.JSONField()
    item_texts = models.JSONField(default=dict)
    has_calculated_expression = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "imported FHIR Questionnaire"

    def __str__(self) -> str:
        return self.title
