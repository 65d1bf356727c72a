"""Mandated reports and duty to warn, the accounting of disclosures, PN authorizations.

A ``MandatedReport`` (child abuse or neglect, elder or dependent adult abuse, duty to warn or
protect) is a restricted record: only its author, the author's supervisors and the privacy
officer see it (``access.policy.restricted_record_q``). It is a draft until its author signs
it; signing needs every element SEC-31 lists and locks it in the database (``guards``).

Every disclosure of a client's information outside treatment is a ``Disclosure`` row (SEC-29):
append-only in the database; a mistake is corrected by a new row pointing at the old one.

An ``Authorization`` is a client's signed release. One covering psychotherapy notes covers
nothing else (non-compound, 45 CFR 164.508(b)(3)(ii)), which a database constraint enforces.

A ``Part2Consent`` is a client's written consent under 42 CFR 2.31 (2024 rule) to disclose what
a Part 2 program holds; a ``Part2CourtOrder`` is an order under 42 CFR 2.64 or 2.65; each
disclosure of a Part 2 program's records has a ``Part2Disclosure`` beside its accounting row,
naming the consent, order or medical emergency (42 CFR 2.51) it rested on and the 42 CFR 2.32
notice that went with it (SEC-20, SEC-21; ``disclosures.part2``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.access.models import BreakGlassGrant
from alliance.clients.models import Client
from alliance.core.models import UndeletableModel
from alliance.organisation.models import Program
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
        "actions taken (warning, police, hospitalization, ...)", blank=True
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
    # 42 CFR Part 2 records: ``source_id`` is the Part 2 program, so that a correction (which
    # keeps the source) stays hidden from whoever may not learn of the program (42 CFR 2.13(c)).
    PART2 = "part2", "42 CFR Part 2 program records (consent or court order)"
    PART2_EMERGENCY = "part2_emergency", "42 CFR 2.51 medical emergency"


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


# ------------------------------------------------------------- 42 CFR Part 2 (SEC-20, SEC-21)
#
# Sources (COORDINATION.md section 4): 42 CFR 2.31(a) as amended by the 2024 final rule,
# 89 FR 12472 [FR-2024; GOVREGS-2.31; ACCT]; 2.11 and 2.31(b) SUD counseling notes [OBC; HORTY];
# 2.32 notice [COSMOS-2.32; CORNELL-2.32; COMPLIANCE-2024]; 2.51 medical emergencies [ECFR-2.51];
# 2.12(d), 2.64, 2.65 proceedings against the patient [HIL-2.12; ECFR-P2].

# 42 CFR 2.31(a)(4)(i): a TPO consent may name its recipients as a class, "my treating
# providers, health plans, third-party payers, and people helping to operate this program"
# (or similar) [ACCT].
TPO_RECIPIENTS = (
    "My treating providers, health plans, third-party payers, and people helping to operate "
    "this program"
)


class Part2InformationKind(models.TextChoices):
    """What kind of SUD information a consent covers; the consent describes it further in words
    "in a specific and meaningful fashion" (42 CFR 2.31(a)(3))."""

    SUMMARY = "summary", "Treatment summary (diagnosis, treatment plan, progress)"
    ATTENDANCE = "attendance", "Enrollment and attendance"
    MEDICATION = "medication", "Medications and dosing"
    TEST_RESULTS = "test_results", "Drug screens and laboratory results"
    DISCHARGE = "discharge", "Discharge summary"
    OTHER = "other", "Other information (described below)"


class Part2RecipientKind(models.TextChoices):
    """42 CFR 2.31(a)(4): recipients by name or class; an intermediary (e.g. a health
    information exchange) by its name and its member participants [GOVREGS-2.31]."""

    NAMED = "named", "A person or organization, by name"
    TPO_CLASS = (
        "tpo_class",
        "For TPO: my treating providers, health plans, third-party payers, and people helping "
        "to operate this program",
    )
    CLASS = "class", "A class of persons (described below)"
    INTERMEDIARY = "intermediary", "An intermediary (e.g. a health information exchange)"


class Part2Purpose(models.TextChoices):
    """42 CFR 2.31(a)(5): "at the request of the patient" or "for treatment, payment, and health
    care operations" suffices [ACCT]. Use in proceedings against the patient needs its own
    consent (secondary sources only, unconfirmed) or a court order (42 CFR 2.12(d), 2.64-65)."""

    PATIENT_REQUEST = "patient_request", "At the request of the patient"
    TPO = "tpo", "For treatment, payment, and health care operations"
    TREATMENT = "treatment", "Treatment"
    PAYMENT = "payment", "Payment"
    LEGAL_PROCEEDINGS = (
        "legal_proceedings",
        "Use in civil, criminal, administrative or legislative proceedings against the patient",
    )
    OTHER = "other", "Another purpose (stated below)"


# A TPO consent covers disclosures for treatment or payment too; every other purpose is
# covered only by a consent for that purpose. A TPO consent never covers use in a proceeding
# against the patient (42 CFR 2.31, 2.12(d) [COMPLIANCE-2024; GOVREGS-2.31]).
PART2_PURPOSES_COVERED: dict[str, frozenset[str]] = {
    Part2Purpose.TPO: frozenset({Part2Purpose.TPO, Part2Purpose.TREATMENT, Part2Purpose.PAYMENT}),
}


class Part2Expiry(models.TextChoices):
    """42 CFR 2.31(a)(7): a date, event or condition; "end of treatment" or "none" is allowed
    for a TPO consent [ACCT]."""

    ON_DATE = "date", "On a date"
    END_OF_TREATMENT = "end_of_treatment", "At the end of treatment (TPO consents only)"
    NONE = "none", "None (TPO consents only)"


class Part2Signer(models.TextChoices):
    """42 CFR 2.31(a)(8): the patient or a person authorized to sign (2.14 minors, 2.15
    patients lacking capacity or deceased) [ACCT]."""

    PATIENT = "patient", "The patient"
    AUTHORIZED = "authorized", "A person authorized to sign for the patient (42 CFR 2.14, 2.15)"


class Part2Consent(UndeletableModel):
    """A client's written consent to disclose Part 2 records, with every element of 42 CFR
    2.31(a) (2024 rule) as a field (SEC-20).

    ``part2.part2_consent_record`` refuses to save one without them; the database constraints
    below refuse the cheap ones again. A consent for SUD counseling notes covers them alone
    (42 CFR 2.31(b), 2.11). Revoking is written once, with the client's words, and only stops
    later disclosures (prospective); the database refuses any other change.
    """

    # (1) the patient
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    # (2) who is authorized to make the disclosure: the program, or a person or class by name
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_part2": True},
        verbose_name="Part 2 program authorized to disclose",
    )
    discloser = models.CharField(
        "or the person or class authorized to disclose", max_length=200, blank=True
    )
    # (3) how much and what kind of information, in a specific and meaningful fashion
    information_kind = models.CharField(
        "kind of information", max_length=20, choices=Part2InformationKind.choices, blank=True
    )
    information = models.TextField("the information, described specifically")
    information_amount = models.CharField("how much (dates, number of records)", max_length=200)
    covers_counseling_notes = models.BooleanField(
        "covers SUD counseling notes (only them)", default=False
    )
    # (4) recipients
    recipient_kind = models.CharField(max_length=20, choices=Part2RecipientKind.choices)
    recipient = models.CharField("recipient (name or class)", max_length=300)
    intermediary_participants = models.TextField(
        "the intermediary's member participants (or class of treating providers)", blank=True
    )
    # (5) purpose
    purpose = models.CharField(max_length=20, choices=Part2Purpose.choices)
    purpose_detail = models.TextField("purpose, in the consent's words", blank=True)
    # (6) right to revoke in writing, how, and the reliance exception
    revocation_statement = models.BooleanField(
        "states the right to revoke in writing, how, and the reliance exception", default=False
    )
    # (7) expiry
    expiry = models.CharField(max_length=20, choices=Part2Expiry.choices)
    expires_on = models.DateField(null=True, blank=True)
    # (8) signature and (9) date
    signed_by = models.CharField(max_length=12, choices=Part2Signer.choices)
    signer_name = models.CharField("signed by (name)", max_length=200)
    signer_relationship = models.CharField(
        "relationship to the patient and authority to sign", max_length=200, blank=True
    )
    signed_on = models.DateField("date signed")
    # (10) a TPO consent's statements
    tpo_redisclosure_statement = models.BooleanField(
        "states that records disclosed for TPO may be redisclosed and lose Part 2 protection",
        default=False,
    )
    tpo_refusal_statement = models.BooleanField(
        "states the consequences of refusing to sign", default=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation = models.TextField("the client's written revocation", blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["client", "revoked_at"], name="part2consent_client_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(program__isnull=False) | ~models.Q(discloser=""),
                name="part2consent_discloser",
            ),
            models.CheckConstraint(
                condition=~models.Q(information="") & ~models.Q(information_amount=""),
                name="part2consent_information",
            ),
            # 42 CFR 2.31(b): SUD counseling notes only with a consent of their own.
            models.CheckConstraint(
                condition=(
                    models.Q(covers_counseling_notes=True, information_kind="")
                    | (models.Q(covers_counseling_notes=False) & ~models.Q(information_kind=""))
                ),
                name="part2consent_counseling_notes_separate",
            ),
            models.CheckConstraint(
                condition=~models.Q(recipient="")
                & (
                    ~models.Q(recipient_kind=Part2RecipientKind.INTERMEDIARY)
                    | ~models.Q(intermediary_participants="")
                )
                & (
                    ~models.Q(recipient_kind=Part2RecipientKind.TPO_CLASS)
                    | models.Q(purpose=Part2Purpose.TPO)
                ),
                name="part2consent_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose=Part2Purpose.OTHER) | ~models.Q(purpose_detail=""),
                name="part2consent_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(revocation_statement=True), name="part2consent_revocable"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        expiry=Part2Expiry.ON_DATE,
                        expires_on__isnull=False,
                        expires_on__gte=models.F("signed_on"),
                    )
                    | models.Q(
                        expiry__in=[Part2Expiry.END_OF_TREATMENT, Part2Expiry.NONE],
                        expires_on__isnull=True,
                        purpose=Part2Purpose.TPO,
                    )
                ),
                name="part2consent_expiry",
            ),
            models.CheckConstraint(
                condition=~models.Q(signer_name="")
                & (models.Q(signed_by=Part2Signer.PATIENT) | ~models.Q(signer_relationship="")),
                name="part2consent_signature",
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose=Part2Purpose.TPO)
                | models.Q(tpo_redisclosure_statement=True, tpo_refusal_statement=True),
                name="part2consent_tpo_statements",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revocation="")
                | (models.Q(revoked_at__isnull=False) & ~models.Q(revocation="")),
                name="part2consent_revocation_written",
            ),
        ]

    def __str__(self) -> str:
        return f"Part 2 consent {self.pk} ({self.get_purpose_display()})"


class Part2OrderSection(models.TextChoices):
    """Subpart E orders [ECFR-P2]: 2.64 for purposes other than a criminal case against the
    patient; 2.65 to investigate or prosecute the patient."""

    NONCRIMINAL = "2.64", "42 CFR 2.64: for purposes other than criminal charges"
    CRIMINAL = "2.65", "42 CFR 2.65: to investigate or prosecute the patient"


class Part2CourtOrder(models.Model):
    """A court order authorizing use or disclosure of a client's Part 2 records (SEC-21).
    Append-only in the database: an order is recorded as issued; a new order is a new row."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Part 2 program the order names",
    )
    court = models.CharField(max_length=200)
    order_date = models.DateField("date of the order")
    reference = models.CharField("docket or reference", max_length=120)
    section = models.CharField(max_length=4, choices=Part2OrderSection.choices)
    scope = models.TextField("what the order authorizes (records, recipient, use)")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-order_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(court="") & ~models.Q(reference="") & ~models.Q(scope=""),
                name="part2order_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"court order {self.reference} ({self.section})"


class Part2Basis(models.TextChoices):
    CONSENT = "consent", "The patient's written consent (42 CFR 2.31)"
    COURT_ORDER = "court_order", "A court order (42 CFR 2.64, 2.65)"
    EMERGENCY = "emergency", "A medical emergency (42 CFR 2.51)"


class Part2Disclosure(models.Model):
    """What a disclosure of a Part 2 program's records rested on, beside its accounting row
    (SEC-21). Append-only in the database.

    ``notice`` is the 42 CFR 2.32 statement that accompanied it and ``scope`` the explanation
    of the consent's (or order's) scope sent with it, as they were then. A medical emergency
    (42 CFR 2.51(c)) records the recipient and their facility, the discloser (``program``),
    the date and time (``disclosure.disclosed_at``) and the nature of the emergency.
    """

    disclosure = models.OneToOneField(Disclosure, on_delete=models.PROTECT, related_name="part2")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=12, choices=Part2Basis.choices)
    purpose = models.CharField(max_length=20, choices=Part2Purpose.choices, blank=True)
    includes_counseling_notes = models.BooleanField(default=False)
    consent = models.ForeignKey(
        Part2Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    court_order = models.ForeignKey(
        Part2CourtOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    notice = models.TextField("42 CFR 2.32 notice that accompanied it", blank=True)
    scope = models.TextField("the consent's or order's scope, as sent", blank=True)
    grant = models.ForeignKey(
        BreakGlassGrant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="part2_emergencies",
    )
    recipient_affiliation = models.CharField("recipient's facility", max_length=200, blank=True)
    emergency_nature = models.TextField("nature of the emergency", blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["disclosure_id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(basis=Part2Basis.CONSENT, consent__isnull=False)
                    & ~models.Q(notice="")
                    & ~models.Q(purpose="")
                )
                | (
                    models.Q(basis=Part2Basis.COURT_ORDER, court_order__isnull=False)
                    & ~models.Q(notice="")
                    & ~models.Q(purpose="")
                )
                | (
                    models.Q(basis=Part2Basis.EMERGENCY, grant__isnull=False)
                    & ~models.Q(recipient_affiliation="")
                    & ~models.Q(emergency_nature="")
                ),
                name="part2disclosure_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"Part 2 disclosure {self.disclosure_id} ({self.basis})"
