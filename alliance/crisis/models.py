"""Crisis episodes, their timeline of actions, and the follow-up tasks they leave behind.

An episode starts from a walk-in, a call or a critical-item alert and ends with a disposition.
Its timeline (``CrisisAction``) is append-only: a wrong entry is corrected by a new entry that
names it, never edited (the database refuses, ``crisis.guards``). Follow-up tasks belong to the
client's whole care team; they are completed or marked not needed with a reason, never
deleted. Nothing here is ever hard-deleted (REL-02).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.assessments.models import CriticalAlert
from alliance.clients.models import Client
from alliance.core.models import UndeletableModel


class CrisisSource(models.TextChoices):
    WALK_IN = "walk_in", "Walk-in"
    PHONE_CALL = "phone_call", "Phone call"
    ALERT = "critical_alert", "Critical-item alert"
    OTHER = "other", "Other"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Disposition(models.TextChoices):
    SAFETY_PLAN_UPDATED = "safety_plan_updated", "Safety plan updated, stays in the community"
    MOBILE_CRISIS = "mobile_crisis", "Mobile crisis team"
    EMERGENCY_DEPARTMENT = "emergency_department", "Emergency department"
    VOLUNTARY_HOSPITALISATION = "voluntary_hospitalisation", "Voluntary hospitalization"
    INVOLUNTARY_HOSPITALISATION = "involuntary_hospitalisation", "Involuntary hospitalization"
    OTHER = "other", "Other (described in the note)"


# Dispositions that send the client to a facility: they record where, and the discharge date,
# from which the 7-day follow-up appointment is counted.
FACILITY_DISPOSITIONS = frozenset(
    {
        Disposition.EMERGENCY_DEPARTMENT,
        Disposition.VOLUNTARY_HOSPITALISATION,
        Disposition.INVOLUNTARY_HOSPITALISATION,
    }
)


class CrisisEpisode(UndeletableModel):
    """One crisis, from its start to its disposition (and the discharge, if any)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="crisis_episodes")
    source = models.CharField(max_length=20, choices=CrisisSource.choices)
    alert = models.ForeignKey(
        CriticalAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crisis_episodes",
        help_text="The critical-item alert the episode started from, if any.",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    presenting_concern = models.TextField()
    status = models.CharField(
        max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    disposition = models.CharField(max_length=30, choices=Disposition.choices, blank=True)
    disposition_note = models.TextField(blank=True)
    facility = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discharge_date = models.DateField(null=True, blank=True)
    discharge_recorded_at = models.DateTimeField(null=True, blank=True)
    discharge_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["client", "status"], name="crisis_client_status_idx"),
            models.Index(fields=["client", "-started_at"], name="crisis_client_started_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", disposition="", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False) & ~models.Q(disposition=""),
                name="crisis_closed_has_disposition",
            )
        ]

    def __str__(self) -> str:
        return f"Crisis episode of {self.started_at:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == EpisodeStatus.OPEN

    @property
    def goes_to_facility(self) -> bool:
        return self.disposition in FACILITY_DISPOSITIONS

    @property
    def awaits_discharge(self) -> bool:
        """Sent to an emergency department or hospital, and not yet known to be discharged."""
        return not self.is_open and self.goes_to_facility and self.discharge_date is None


# A timeline entry written more than this after the action is marked with its recording time.
LATE_ENTRY_AFTER = timedelta(minutes=15)


class ActionKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    INTERVENTION = "intervention", "Intervention"
    CONSULTATION = "consultation", "Consultation"
    OTHER = "other", "Other"


class CrisisAction(models.Model):
    """One entry of an episode's timeline. Append-only in the database; a correction is a new
    entry naming the one it corrects."""

    episode = models.ForeignKey(CrisisEpisode, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    text = models.TextField()
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )

    class Meta:
        ordering = ["episode_id", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def recorded_later(self) -> bool:
        """Written down well after it happened (worth showing beside the entry)."""
        return self.recorded_at - self.occurred_at > LATE_ENTRY_AFTER


class TaskKind(models.TextChoices):
    CARING_CONTACT = "caring_contact", "Caring contact"
    FOLLOW_UP_APPOINTMENT = "follow_up_appointment", "Follow-up appointment after discharge"
    SAFETY_PLAN_REVIEW = "safety_plan_review", "Safety plan review"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


class FollowUpTask(UndeletableModel):
    """Follow-up that the whole care team sees until someone completes it (or says, with a
    reason, that it is not needed). One of each kind per episode."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="follow_up_tasks")
    episode = models.ForeignKey(
        CrisisEpisode, on_delete=models.PROTECT, related_name="follow_up_tasks"
    )
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "client", "due_at"], name="followup_open_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="followup_once_per_episode"),
            models.CheckConstraint(
                condition=models.Q(status="open", completed_at__isnull=True)
                | ~models.Q(status="open")
                & models.Q(completed_at__isnull=False)
                & ~models.Q(outcome_note=""),
                name="followup_completed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())
