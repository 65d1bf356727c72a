"""The disclosure rule for 42 CFR Part 2 records (SEC-21) and the 2.51 emergency record.

Information from a Part 2 program leaves it only

- with a Part 2 consent of the client (``Part2Consent``, SEC-20) in force when it is disclosed
  (signed, not expired, not revoked before: revocation is prospective) that covers the program,
  the recipient and the purpose (42 CFR 2.31); SUD counseling notes only with a consent for them
  alone (42 CFR 2.31(b), 2.11);
- or under a court order recorded beforehand (42 CFR 2.64, 2.65). Use against the client in
  civil, criminal, administrative or legislative proceedings needs such an order or the
  client's specific consent for it; a TPO consent never covers it (42 CFR 2.12(d) [HIL-2.12;
  ECFR-P2]);
- or to medical personnel in a bona fide medical emergency (42 CFR 2.51): a break-the-glass
  grant whose reason is one of ``access.part2.EMERGENCY_REASONS`` records it at once, in the
  grant's transaction (``part2_emergency_record``).

A refusal writes nothing but its audit event (outcome denied, high severity). An allowed
disclosure writes its accounting row (SEC-29) and a ``Part2Disclosure`` keeping the 42 CFR 2.32
notice and the explanation of the consent's scope that went with it, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, BreakGlassReason
from alliance.access.part2 import EMERGENCY_REASONS, member_program_ids
from alliance.audit.actions import AuditAction, AuditOutcome, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Episode
from alliance.disclosures.accounting import disclosure_fields_check, disclosure_write
from alliance.disclosures.models import (
    PART2_PURPOSES_COVERED,
    Disclosure,
    DisclosureSource,
    Part2Basis,
    Part2Consent,
    Part2CourtOrder,
    Part2Disclosure,
    Part2Purpose,
    Part2RecipientKind,
)
from alliance.disclosures.part2_consents import consent_lapse, consent_scope, order_scope
from alliance.disclosures.part2_selectors import CATEGORY, part2_client_checked
from alliance.notes.models import Note
from alliance.organisation.models import Program
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

# 42 CFR 2.32(a)(2) as amended in 2024 ("Statement 2"; 2018: "unauthorized disclosure"), sent
# with each disclosure made with the patient's consent together with a copy of the consent or
# a clear explanation of its scope, 2.32(b) [COSMOS-2.32; CORNELL-2.32; COMPLIANCE-2024].
NOTICE_STATEMENT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
NOTICE_SOURCE = "42 CFR 2.32(a)(2), as amended by the 2024 final rule (89 FR 12472)"

LEGAL_REFUSAL = (
    "Records of a Part 2 program may not be used against the client in civil, criminal, "
    "administrative or legislative proceedings without the client's specific consent or a "
    "court order under 42 CFR 2.64 or 2.65 (42 CFR 2.12(d)). Record the order first, then "
    "choose it."
)
NO_CONSENT = (
    "No consent of the client in force on the date of the disclosure covers this recipient "
    "and purpose (42 CFR 2.31): record the client's consent first, or choose it."
)


class Part2Refused(ValidationError):
    """The disclosure of Part 2 records has no consent, order or emergency behind it."""


@dataclass(frozen=True)
class Part2Request:
    """What the person recording a disclosure says of its Part 2 part."""

    program_id: int
    purpose: str
    consent_id: int | None = None
    court_order_id: int | None = None
    includes_counseling_notes: bool = False
    # A consent naming a class of recipients: the person recording confirms the recipient is in it.
    recipient_in_class: bool = False


@dataclass(frozen=True)
class Part2Ground:
    """What an allowed disclosure rests on: a consent or a court order."""

    basis: str
    consent: Part2Consent | None = None
    order: Part2CourtOrder | None = None

    @property
    def scope(self) -> str:
        if self.consent is not None:
            return consent_scope(self.consent)
        assert self.order is not None
        return order_scope(self.order)

    @property
    def summary(self) -> str:
        if self.consent is not None:
            return f"consent {self.consent.pk} signed {self.consent.signed_on:%Y-%m-%d}"
        assert self.order is not None
        return f"court order {self.order.reference} (42 CFR {self.order.section})"


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


# ------------------------------------------------------------------------------ the rule


def _consent_problem(
    consent: Part2Consent,
    *,
    client_id: int,
    program_id: int,
    moment: datetime,
    recipient: str,
    request: Part2Request,
) -> tuple[str, str] | None:
    """(field, reason) when ``consent`` does not cover this disclosure, else ``None``."""
    if consent.client_id != client_id:
        return "part2_consent", "Choose a consent of this client."
    if consent.program_id is not None and consent.program_id != program_id:
        return "part2_consent", (
            f"This consent is for disclosures by {consent.program}, not by this program."
        )
    lapse = consent_lapse(consent, moment)
    if lapse:
        return "part2_consent", lapse
    covered = PART2_PURPOSES_COVERED.get(consent.purpose, frozenset({consent.purpose}))
    if request.purpose not in covered:
        return "part2_purpose", (
            f"The consent is for '{consent.get_purpose_display()}', not for this purpose "
            "(42 CFR 2.31(a)(5))."
        )
    if request.includes_counseling_notes and not consent.covers_counseling_notes:
        return "includes_counseling_notes", (
            "SUD counseling notes need the client's consent for them alone (42 CFR 2.31(b), 2.11)."
        )
    if consent.covers_counseling_notes and not request.includes_counseling_notes:
        return "part2_consent", "This consent covers SUD counseling notes only."
    if consent.recipient_kind == Part2RecipientKind.NAMED:
        if not _same(consent.recipient, recipient):
            return "recipient", f"The consent names {consent.recipient}, not this recipient."
    elif not request.recipient_in_class:
        return "recipient_in_class", (
            f"The consent names a class of recipients ({consent.recipient}): confirm that "
            f"{recipient} belongs to it."
        )
    return None


def _basis(
    *, client_id: int, moment: datetime, recipient: str, request: Part2Request
) -> Part2Ground:
    """The consent or court order that allows this disclosure, or ``Part2Refused``."""
    if request.purpose not in Part2Purpose.values:
        raise Part2Refused({"part2_purpose": ["Choose the purpose of the disclosure."]})
    if request.court_order_id is not None:
        order = Part2CourtOrder.objects.filter(
            pk=request.court_order_id, client_id=client_id
        ).first()
        if order is None:
            raise Part2Refused({"court_order": ["Choose a court order of this client."]})
        if order.program_id is not None and order.program_id != request.program_id:
            raise Part2Refused({"court_order": ["This order names another program."]})
        if order.order_date > timezone.localdate(moment):
            raise Part2Refused({"court_order": ["The order is dated after the disclosure."]})
        return Part2Ground(Part2Basis.COURT_ORDER, order=order)
    if request.consent_id is not None:
        candidates = list(Part2Consent.objects.filter(pk=request.consent_id, client_id=client_id))
        if not candidates:
            raise Part2Refused({"part2_consent": ["Choose a consent of this client."]})
    else:
        # Not revoked before the disclosure (a revocation is prospective).
        unrevoked = Q(revoked_at__isnull=True) | Q(revoked_at__gt=moment)
        candidates = list(Part2Consent.objects.filter(unrevoked, client_id=client_id))
    problems = []
    for consent in candidates:
        problem = _consent_problem(
            consent,
            client_id=client_id,
            program_id=request.program_id,
            moment=moment,
            recipient=recipient,
            request=request,
        )
        if problem is None:
            return Part2Ground(Part2Basis.CONSENT, consent=consent)
        problems.append(problem)
    if request.purpose == Part2Purpose.LEGAL_PROCEEDINGS:
        raise Part2Refused({"part2_purpose": [LEGAL_REFUSAL]})
    if request.consent_id is not None:
        field, reason = problems[0]
        raise Part2Refused({field: [reason]})
    raise Part2Refused({"part2_consent": [NO_CONSENT]})


def _refusal_audited(
    *, actor: User, client_id: int, request: Part2Request, refused: ValidationError
) -> None:
    fields = sorted(getattr(refused, "error_dict", {}) or {})
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client_id,
            object_type="disclosures.Disclosure",
            outcome=AuditOutcome.DENIED,
            severity=AuditSeverity.HIGH,
            detail={
                "category": CATEGORY,
                "program": request.program_id,
                "purpose": request.purpose,
                "consent": request.consent_id,
                "court_order": request.court_order_id,
                "counseling_notes": request.includes_counseling_notes,
                "refused": fields,
            },
        )


def part2_record_write(
    *,
    actor: User,
    disclosure: Disclosure,
    program_id: int,
    basis: Part2Ground,
    purpose: str,
    includes_counseling_notes: bool,
) -> Part2Disclosure:
    """Keep what a disclosure rested on and the 42 CFR 2.32 notice and scope sent with it
    (inside the caller's transaction, beside the accounting row)."""
    record = Part2Disclosure.objects.create(
        disclosure=disclosure,
        program_id=program_id,
        basis=basis.basis,
        purpose=purpose,
        includes_counseling_notes=includes_counseling_notes,
        consent=basis.consent,
        court_order=basis.order,
        notice=NOTICE_STATEMENT,
        scope=basis.scope,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        client=disclosure.client_id,
        target=record,
        severity=AuditSeverity.HIGH,
        detail={
            "category": CATEGORY,
            "disclosure": disclosure.pk,
            "basis": basis.basis,
            "consent": basis.consent.pk if basis.consent else None,
            "court_order": basis.order.pk if basis.order else None,
        },
    )
    return record


def part2_disclosure_record(
    *,
    actor: User,
    client_id: int,
    disclosed_at: datetime | None,
    recipient: str,
    description: str,
    purpose: str,
    request: Part2Request,
) -> Disclosure:
    """Record a disclosure that includes information from a Part 2 program (SEC-21).

    Refused (``Part2Refused`` by field, audited, nothing written) unless the program is one of
    the client's Part 2 programs the actor may see and a consent in force on the day, or a
    recorded court order, covers it; allowed, it writes the accounting row and the record of its
    basis and notice in one transaction.
    """
    opened = part2_client_checked(
        actor=actor, client_id=client_id, capability=Capability.CHART_WRITE
    )
    disclosure_fields_check(disclosed_at, recipient, description, purpose)
    assert disclosed_at is not None
    recipient = recipient.strip()
    try:
        if request.program_id not in opened.program_ids:
            raise Part2Refused({"part2_program": ["Choose one of the listed programs."]})
        basis = _basis(
            client_id=opened.client.pk, moment=disclosed_at, recipient=recipient, request=request
        )
    except Part2Refused as refused:
        _refusal_audited(actor=actor, client_id=opened.client.pk, request=request, refused=refused)
        raise
    with transaction.atomic():
        row = disclosure_write(
            actor=actor,
            client_id=opened.client.pk,
            disclosed_at=disclosed_at,
            recipient=recipient[:200],
            description=description.strip(),
            purpose=f"{purpose.strip()} (42 CFR Part 2: {basis.summary})",
            source_type=DisclosureSource.PART2,
            source_id=request.program_id,
        )
        part2_record_write(
            actor=actor,
            disclosure=row,
            program_id=request.program_id,
            basis=basis,
            purpose=request.purpose,
            includes_counseling_notes=request.includes_counseling_notes,
        )
    return row


# ---------------------------------------------------- psychotherapy (SUD counseling) notes


def counseling_notes_basis(*, note: Note, recipient: str, moment: datetime) -> Part2Ground:
    """A psychotherapy note written in a Part 2 program is also a SUD counseling note (42 CFR
    2.11): besides the HIPAA authorization it needs the client's Part 2 consent for counseling
    notes alone, naming this recipient (42 CFR 2.31(b)). The HIPAA exceptions are not Part 2
    ones, so none of them replaces the consent (fail closed)."""
    program_id = note.part2_program_id
    assert program_id is not None
    consents = Part2Consent.objects.filter(
        client_id=note.client_id, covers_counseling_notes=True, revoked_at__isnull=True
    ).exclude(purpose=Part2Purpose.LEGAL_PROCEEDINGS)
    for consent in consents:
        problem = _consent_problem(
            consent,
            client_id=note.client_id,
            program_id=program_id,
            moment=moment,
            recipient=recipient,
            request=Part2Request(
                program_id=program_id,
                purpose=consent.purpose,
                includes_counseling_notes=True,
            ),
        )
        if problem is None:
            return Part2Ground(Part2Basis.CONSENT, consent=consent)
    raise Part2Refused(
        {
            "recipient": [
                "This note was written in a 42 CFR Part 2 program: it is also a SUD counseling "
                "note, and needs the client's Part 2 consent for counseling notes alone, naming "
                "this recipient (42 CFR 2.11, 2.31(b)). Record it on the client's Part 2 "
                "consents page."
            ]
        }
    )


# ------------------------------------------------------------------ 2.51 medical emergency


def part2_emergency_record(*, grant: BreakGlassGrant) -> list[Disclosure]:
    """A break-the-glass grant for a medical emergency on a client of a Part 2 program opens
    that program's records (``access.part2``): a disclosure to medical personnel under 42 CFR
    2.51, documented at once (2.51(c) [ECFR-2.51]) with the recipient and their facility, the
    discloser (the program), the date and time and the nature of the emergency, in an
    accounting row and a ``Part2Disclosure`` per program, inside the grant's transaction.

    Nothing for another reason (those open no Part 2 record), and nothing for a program whose
    personnel the actor is (sharing within a program is no disclosure, 42 CFR 2.12(c)(3)).
    """
    if grant.reason_code not in EMERGENCY_REASONS:
        return []
    enrolled = Episode.objects.filter(client_id=grant.client_id).values("program_id")
    programs = (
        Program.objects.filter(pk__in=enrolled, is_part2=True)
        .exclude(pk__in=member_program_ids(grant.actor))
        .select_related("organisation")
        .order_by("name")
    )
    nature = f"{BreakGlassReason(grant.reason_code).label}: {grant.reason_text}"
    rows = []
    with transaction.atomic():
        for program in programs:
            row = disclosure_write(
                actor=grant.actor,
                client_id=grant.client_id,
                disclosed_at=grant.granted_at,
                recipient=f"{grant.actor.display_name}, {program.organisation.name}"[:200],
                description=(
                    f"Records of {program.name} (a 42 CFR Part 2 program), opened by "
                    "emergency access (break the glass)"
                ),
                purpose=f"Medical emergency (42 CFR 2.51): {nature}",
                source_type=DisclosureSource.PART2_EMERGENCY,
                source_id=program.pk,
            )
            record = Part2Disclosure.objects.create(
                disclosure=row,
                program=program,
                basis=Part2Basis.EMERGENCY,
                grant=grant,
                recipient_affiliation=program.organisation.name,
                emergency_nature=nature,
            )
            audit_record(
                actor=grant.actor,
                action=AuditAction.CREATE,
                client=grant.client_id,
                target=record,
                severity=AuditSeverity.HIGH,
                detail={"category": CATEGORY, "basis": "2.51", "grant": grant.pk},
            )
            rows.append(row)
    return rows
