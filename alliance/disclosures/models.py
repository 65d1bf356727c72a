"""Mandated reports and duty to warn, the accounting of disclosures, PN authorizations.

A ``MandatedReport`` (child abuse or neglect, elder or dependent adult abuse, duty to warn or
protect) is a restricted record: only its author, the author's supervisors and the privacy
officer see it (``access.policy.restricted_record_q``). It is a draft until its author signs
it; signing needs every element SEC-31 lists and locks it in the database (``guards``).

Every disclosure of a client's information outside treatment is a ``Disclosure`` row (SEC-29):
append-only in the database; a mistake is corrected by a new row pointing at the old one.

An ``Authorization`` is a client's signed release. One covering psychotherapy notes covers
nothing else (non-compound, 45 CFR 164.508(b)(3)(ii)), which a database constraint enforces.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.clients.models import Client
from alliance.core.models import UndeletableModel
from alliance.records.models import (
    DocumentAddendum,
    DocumentStatus,
    DocumentVersion,
    SignedDocument,
)


class ReportKind(models.TextChoices):
    CHILD_ABUSE = "child_abuse", "Child abuse or neglect report"
    ELDER_ABUSE = "elder_abuse", "Elder or dependent adult abuse report"
    DUTY_TO_WARN = "duty_to_warn", "Duty to warn or protect"


ReportStatus = DocumentStatus  # a report is a draft, then signed (records kernel)


class LegalBasis(models.TextChoices):
    STATE_STATUTE = "state_statute", "State statute (cite it below)"
    SERIOUS_THREAT = "164.512(j)", "45 CFR 164.512(j): serious threat to health or safety"
    PUBLIC_HEALTH = "164.512(b)", "45 CFR 164.512(b): public health, child abuse or neglect"
    ABUSE_NEGLECT = "164.512(c)", "45 CFR 164.512(c): victims of abuse, neglect or violence"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    WRITTEN = "written", "Written (letter, fax, form)"
    ONLINE = "online", "Online report"
    IN_PERSON = "in_person", "In person"


# The report's narrative elements, in the order the form and the page show them.
NARRATIVE_FIELDS = (
    "concern_verbatim",
    "victim",
    "risk_assessment",
    "rationale",
    "consultation",
    "actions_taken",
    "information_disclosed",
    "legal_citation",
    "client_not_informed_reason",
)


class MandatedReport(SignedDocument):
    """One mandated report or duty-to-warn event (SEC-31). ``version`` is the optimistic lock."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)

    concern_verbatim = models.TextField(
        "the threat or concern, in the client's or reporter's own words", blank=True
    )
    victim = models.TextField("the identifiable victim (who, and how identified)", blank=True)
    risk_assessment = models.TextField("risk assessment (instrument used, level found)", blank=True)
    rationale = models.TextField("rationale for the decision to report or warn", blank=True)
    consultation = models.TextField("consultation (with whom, when, what they advised)", blank=True)
    actions_taken = models.TextField(
        "actions taken (warning, police, hospitalisation, ...)", blank=True
    )
    information_disclosed = models.TextField("the minimum information disclosed", blank=True)
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices, blank=True)
    legal_citation = models.TextField("citation (statute, section)", blank=True)
    client_informed = models.BooleanField("the client was told of the report", null=True)
    client_not_informed_reason = models.TextField("why the client was not told", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["author", "status"], name="mreport_author_status_idx"),
            models.Index(fields=["client", "-created_at"], name="mreport_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class ReportContact(models.Model):
    """An agency or person contacted for a report; changes only while the report is a draft."""

    report = models.ForeignKey(MandatedReport, on_delete=models.PROTECT, related_name="contacts")
    position = models.PositiveSmallIntegerField(default=0)
    recipient = models.CharField("agency or person contacted", max_length=200)
    contacted_at = models.DateTimeField("when", null=True)
    method = models.CharField("how", max_length=12, choices=ContactMethod.choices, blank=True)
    reference = models.CharField("reference number", max_length=80, blank=True)

    class Meta:
        ordering = ["report_id", "position", "id"]

    def __str__(self) -> str:
        return f"contact {self.position} of report {self.report_id}"


class MandatedReportVersion(DocumentVersion):
    """The report (contacts included) as one save left it. Append-only in the database."""

    report = models.ForeignKey(MandatedReport, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["report_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="mreport_version_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.version} of report {self.report_id}"


class MandatedReportAddendum(DocumentAddendum):
    """Text added to a signed report, signed on its own and chained to the report's signature
    (rows written before the records kernel have no hash). Append-only in the database."""

    report = models.ForeignKey(MandatedReport, on_delete=models.PROTECT, related_name="addenda")

    class Meta:
        ordering = ["report_id", "written_at", "id"]
        verbose_name_plural = "mandated report addenda"

    def __str__(self) -> str:
        return f"addendum to report {self.report_id}"


class DisclosureSource(models.TextChoices):
    MANDATED_REPORT = "mandated_report", "Mandated report or duty to warn"
    PSYCHOTHERAPY_NOTE = "psychotherapy_note", "Psychotherapy note"
    RECORDED = "recorded", "Recorded by hand"


class Disclosure(models.Model):
    """One entry of a client's accounting of disclosures (SEC-29). Append-only in the database:
    a correction is a new row whose ``corrects`` names the row it replaces."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField()
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.CharField(max_length=200)
    description = models.TextField("what was disclosed")
    purpose = models.TextField("purpose or legal basis")
    source_type = models.CharField(max_length=20, choices=DisclosureSource.choices)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    correction_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [
            models.Index(fields=["client", "disclosed_at"], name="disclosure_client_time_idx"),
            models.Index(fields=["source_type", "source_id"], name="disclosure_source_idx"),
        ]

    def __str__(self) -> str:
        return f"disclosure {self.pk} to {self.recipient}"


class Authorization(UndeletableModel):
    """A client's signed authorization to disclose (45 CFR 164.508).

    It covers either psychotherapy notes and nothing else, or other information; never both
    (non-compound, SEC-17). Revoking is written once and only stops later disclosures.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField("to whom", max_length=200)
    purpose = models.TextField("purpose of the disclosure")
    covers_psychotherapy_notes = models.BooleanField(
        "covers psychotherapy notes (only them)", default=False
    )
    covers_other = models.CharField(
        "other information covered",
        max_length=200,
        blank=True,
        help_text="E.g. 'treatment summary and attendance'. Leave empty for psychotherapy notes.",
    )
    signed_on = models.DateField("signed by the client on")
    expires_on = models.DateField("expires on")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(covers_psychotherapy_notes=True, covers_other="")
                    | (models.Q(covers_psychotherapy_notes=False) & ~models.Q(covers_other=""))
                ),
                name="authorization_not_compound",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("signed_on")),
                name="authorization_expires_after_signing",
            ),
        ]

    def __str__(self) -> str:
        kind = "psychotherapy notes" if self.covers_psychotherapy_notes else "release"
        return f"{kind} authorization {self.pk}"

    def is_valid_on(self, day: date) -> bool:
        return self.revoked_at is None and self.signed_on <= day <= self.expires_on


class PsychotherapyNoteAuthorizationManager(models.Manager["PsychotherapyNoteAuthorization"]):
    def get_queryset(self) -> models.QuerySet[PsychotherapyNoteAuthorization]:
        return super().get_queryset().filter(covers_psychotherapy_notes=True)


class PsychotherapyNoteAuthorization(Authorization):
    """Only the authorizations that cover psychotherapy notes (SEC-17)."""

    objects = PsychotherapyNoteAuthorizationManager()  # type: ignore[misc]

    class Meta:
        proxy = True
