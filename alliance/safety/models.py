"""Risk assessments, risk flags and safety plans.

A risk assessment is a draft until its author signs it, like a note: signing records signer,
time and SHA-256, snapshots the screeners it was based on, and sets the client's risk flags.
The database then refuses any change but "entered in error" (``safety.guards``, REL-01); text
is added only as signed addenda.

A risk flag (suicide risk level, violence risk, or a clinician-defined flag) is the current
state; its ``RiskFlagEvent`` rows are its history, append-only. A flag changes only together
with a new event (the database refuses an update that does not point at a newer event), and
events are written only by signing an assessment or by a documented flag review.

A safety plan holds numbered versions. A version is a draft until a clinician signs it, with
the client's agreement (or why it could not be given) recorded at signing; a signed version
never changes, and editing starts the next draft version. Every save of a draft writes a
revision row in the same transaction (REL-03).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from alliance.assessments.models import CriticalAlert
from alliance.clients.models import Client
from alliance.core.models import UndeletableModel
from alliance.records.models import (
    DocumentAddendum,
    DocumentStatus,
    DocumentVersion,
    EnteredInError,
    SignedDocument,
)


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    IMMINENT = "imminent", "Imminent"


class RiskAssessment(SignedDocument, EnteredInError):
    """A structured suicide and violence risk assessment. ``version`` is the optimistic lock."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="risk_assessments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(
        CriticalAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_assessments",
        help_text="The critical-item alert this assessment answers, if any.",
    )
    content = models.JSONField(default=dict, help_text="Section name → text")
    suicide_risk = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    violence_risk = models.CharField(
        max_length=10,
        choices=RiskLevel.choices,
        blank=True,
        help_text="Empty when violence risk was not assessed.",
    )
    review_on = models.DateField("review the risk by", null=True, blank=True)
    screeners = models.JSONField(
        default=list, help_text="The screener results the assessment was based on (at signing)."
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "status"], name="risk_client_status_idx")]

    def __str__(self) -> str:
        return f"risk assessment {self.pk} ({self.get_status_display()})"


class RiskAssessmentRevision(DocumentVersion):
    """The assessment as one save left it (REL-03). Append-only in the database."""

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    suicide_risk = models.CharField(max_length=10, blank=True)
    violence_risk = models.CharField(max_length=10, blank=True)
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["assessment_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "version"], name="risk_revision_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.version} of risk assessment {self.assessment_id}"


class RiskAssessmentAddendum(DocumentAddendum):
    """Signed text added to a signed assessment (REL-01). Append-only in the database."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="addenda")

    class Meta:
        ordering = ["assessment_id", "written_at", "id"]
        verbose_name_plural = "risk assessment addenda"

    def __str__(self) -> str:
        return f"addendum to risk assessment {self.assessment_id}"


class FlagKind(models.TextChoices):
    SUICIDE = "suicide", "Suicide risk"
    VIOLENCE = "violence", "Violence risk"
    OTHER = "other", "Clinician-defined"


class RiskFlag(UndeletableModel):
    """A client's current risk flag; ``last_event`` is the history row that set this state.

    Suicide and violence flags are one per client (``label`` empty); clinician-defined flags
    are one per label. A cleared flag stays, inactive, with its history.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="risk_flags")
    kind = models.CharField(max_length=10, choices=FlagKind.choices)
    label = models.CharField(max_length=80, blank=True)
    level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    review_on = models.DateField("review by")
    active = models.BooleanField(default=True)
    last_event = models.ForeignKey(
        "RiskFlagEvent", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["client_id", "kind", "label"]
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "label"], name="risk_flag_unique"),
            models.CheckConstraint(
                condition=(Q(kind="other") & ~Q(label="")) | (~Q(kind="other") & Q(label="")),
                name="risk_flag_label_iff_other",
            ),
        ]
        indexes = [models.Index(fields=["client", "active"], name="risk_flag_active_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == FlagKind.OTHER:
            return self.label
        level = f": {self.get_level_display().lower()}" if self.level else ""
        return f"{self.get_kind_display()}{level}"

    @property
    def overdue(self) -> bool:
        return self.active and self.review_on < timezone.localdate()


class FlagChange(models.TextChoices):
    SET = "set", "Set"
    CHANGED = "changed", "Changed"
    CONFIRMED = "confirmed", "Reviewed, unchanged"
    CLEARED = "cleared", "Cleared"


class RiskFlagEvent(models.Model):
    """One change or review of a flag, with who, why and on what basis. Append-only."""

    flag = models.ForeignKey(RiskFlag, on_delete=models.PROTECT, related_name="events")
    change = models.CharField(max_length=10, choices=FlagChange.choices)
    level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    review_on = models.DateField(null=True, blank=True)
    active = models.BooleanField()
    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flag_events",
    )
    reason = models.TextField(blank=True, help_text="Why, for a review outside an assessment.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["flag_id", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=False) | ~Q(reason=""),
                name="risk_flag_event_documented",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_change_display()} flag {self.flag_id}"


class SafetyPlan(UndeletableModel):
    """A client's safety plan: a series of numbered versions (one per client)."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="safety_plan")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"safety plan of client {self.client_id}"


class ClientAgreement(models.TextChoices):
    SIGNED = "signed", "The client signed the printed plan"
    AGREED = "agreed", "The client read the plan and agreed to it (attested by the clinician)"
    NOT_AVAILABLE = "not_available", "The client was not available to agree"
    DECLINED = "declined", "The client did not agree"


class SafetyPlanVersion(UndeletableModel):
    """One version of a safety plan, in the client's own words. ``revision`` is the lock."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    revision = models.PositiveIntegerField(default=1)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    agreement = models.CharField(max_length=15, choices=ClientAgreement.choices, blank=True)
    agreement_on = models.DateField(null=True, blank=True)
    agreement_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="draft"), name="plan_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"safety plan version {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def is_signed(self) -> bool:
        return self.status == DocumentStatus.SIGNED


class SafetyPlanRevision(DocumentVersion):
    """A draft version as one save left it (REL-03). Append-only in the database."""

    version = models.ForeignKey(
        SafetyPlanVersion, on_delete=models.PROTECT, related_name="revisions"
    )
    revision = models.PositiveIntegerField()

    class Meta:
        ordering = ["version_id", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["version", "revision"], name="plan_revision_unique")
        ]

    def __str__(self) -> str:
        return f"revision {self.revision} of plan version {self.version_id}"


class SafetyPlanLink(UndeletableModel):
    """A read-only link to the client's plan: only hashes of the token and device are kept.

    The browser where the client confirms their date of birth is bound to it by a second secret
    in an HttpOnly cookie; other devices are refused. Wrong answers are counted (``failed_checks``)
    and lock the link at a limit. It expires, and the clinician can revoke it.
    """

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    device_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    bound_at = models.DateTimeField(null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"safety plan link {self.pk}"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()
