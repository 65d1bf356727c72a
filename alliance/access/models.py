"""Who may open whose record: care teams, restrictions, break-the-glass grants.

The rule that combines them lives in ``alliance.access.policy`` and nowhere else.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.clients.models import Client
from alliance.core.models import UndeletableModel


class CareTeamRole(models.TextChoices):
    PRIMARY_CLINICIAN = "primary_clinician", "Primary clinician"
    PRESCRIBER = "prescriber", "Psychiatric prescriber"
    THERAPIST = "therapist", "Therapist"
    CASE_MANAGER = "case_manager", "Case manager"
    PEER_SPECIALIST = "peer_specialist", "Peer specialist"
    SUPERVISOR = "supervisor", "Supervisor"


class CareTeamMember(UndeletableModel):
    """A staff member's place on a client's care team, from ``start_on`` until ``end_on``."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="care_team")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_roles"
    )
    role = models.CharField(max_length=30, choices=CareTeamRole.choices)
    start_on = models.DateField(default=timezone.localdate)
    end_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["client_id", "role", "start_on"]
        indexes = [
            models.Index(fields=["staff", "client"], name="careteam_staff_client_idx"),
            # A clinician's current clients without reading their years of past memberships.
            models.Index(
                fields=["staff", "end_on", "start_on", "client"], name="careteam_current_idx"
            ),
            models.Index(fields=["client", "end_on"], name="careteam_client_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} as {self.get_role_display()}"

    @staticmethod
    def active_q(today: date, prefix: str = "") -> models.Q:
        """Membership that has started and not ended on ``today`` (ends at the start of end_on)."""
        return models.Q(**{f"{prefix}start_on__lte": today}) & (
            models.Q(**{f"{prefix}end_on__isnull": True})
            | models.Q(**{f"{prefix}end_on__gt": today})
        )

    def is_active_on(self, today: date) -> bool:
        return self.start_on <= today and (self.end_on is None or self.end_on > today)


class RestrictionReason(models.TextChoices):
    CONFLICT_OF_INTEREST = "conflict_of_interest", "Conflict of interest"
    RELATIVE = "relative", "Staff member is a relative or acquaintance"
    CLIENT_IS_EMPLOYEE = "client_is_employee", "Client is an employee"
    CLIENT_REQUEST = "client_request", "Client asked that this person not see the record"


class AccessRestriction(UndeletableModel):
    """An explicit deny: this staff member may not open this client's record (SEC-13).

    It beats every allow: care-team membership, supervision and break-the-glass.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="restrictions")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_restrictions"
    )
    reason = models.CharField(max_length=30, choices=RestrictionReason.choices)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["staff", "client"], name="restriction_staff_client_idx")]

    def __str__(self) -> str:
        return f"{self.staff} may not open {self.client_id}: {self.get_reason_display()}"


class BreakGlassReason(models.TextChoices):
    EMERGENCY_CARE = "emergency", "Emergency: client at risk now"
    CRISIS_CALL = "crisis_call", "Crisis call or walk-in, care team unavailable"
    COVERING = "covering", "Covering for an absent clinician"
    CONTINUITY = "continuity", "Urgent continuity of care"
    OTHER = "other", "Other (explain below)"


class BreakGlassGrant(UndeletableModel):
    """Time-boxed emergency access to one chart outside the actor's care teams (SEC-22)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason_code = models.CharField(max_length=20, choices=BreakGlassReason.choices)
    reason_text = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="break_glass_reviews",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["actor", "expires_at"], name="btg_actor_expiry_idx"),
            models.Index(fields=["reviewed_at"], name="btg_review_idx"),
        ]

    def __str__(self) -> str:
        return f"Emergency access by {self.actor} at {self.granted_at:%Y-%m-%d %H:%M}"

    def is_live(self, now: datetime) -> bool:
        return self.granted_at <= now < self.expires_at


class LabelRemoval(models.Model):
    """A 42 CFR Part 2 label cleared from one record, by whom and why (SEC-19: removing a label
    is privileged and audited). Append-only in the database; the record keeps no other trace
    of the label it had, so this row is the history."""

    record_type = models.CharField(max_length=60)  # "notes.Note", "diagnoses.Diagnosis", ...
    record_id = models.PositiveBigIntegerField()
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey("organisation.Program", on_delete=models.PROTECT, related_name="+")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["-removed_at", "-id"]
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="labelremoval_record_idx")
        ]

    def __str__(self) -> str:
        return f"Part 2 label removed from {self.record_type} {self.record_id}"
