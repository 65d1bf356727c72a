"""Recording 42 CFR Part 2 consents and court orders (SEC-20, SEC-21), and what a consent
says when a disclosure rests on it: whether it was in force, and its scope in words.

A Part 2 consent is saved only with every element of 42 CFR 2.31(a) (2024 rule; COORDINATION.md
section 4 [GOVREGS-2.31; ACCT]); each missing one is a ``ValidationError`` on its own field, in
words the person recording it can act on. The database refuses the cheap ones again
(``Part2Consent.Meta.constraints``) and any later change but the revocation (``guards``).

Revoking is written, with the client's words, once; it is prospective: disclosures made before
it stand, later ones are refused (``consent_lapse``; the rule is ``disclosures.part2``). Only
staff who may see the client's Part 2 records record or revoke them
(``part2_selectors.part2_client_checked``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Episode
from alliance.disclosures.models import (
    TPO_RECIPIENTS,
    Part2Consent,
    Part2CourtOrder,
    Part2Expiry,
    Part2InformationKind,
    Part2OrderSection,
    Part2Purpose,
    Part2RecipientKind,
    Part2Signer,
)
from alliance.disclosures.part2_selectors import (
    CATEGORY,
    Part2Client,
    part2_client_checked,
    part2_consent_of,
)
from alliance.records.reasons import reason_clean, reason_problem
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class ConsentElements:
    """What the signed consent says, one field per element of 42 CFR 2.31(a)."""

    program_id: int | None = None  # (2) the Part 2 program authorized to disclose, or
    discloser: str = ""  # a person or class authorized to disclose, by name
    information_kind: str = ""  # (3) what kind of SUD information
    information: str = ""  # (3) described "in a specific and meaningful fashion"
    information_amount: str = ""  # (3) how much
    covers_counseling_notes: bool = False  # 42 CFR 2.31(b), 2.11: a consent of their own
    recipient_kind: str = ""  # (4) by name or class
    recipient: str = ""
    intermediary_participants: str = ""
    purpose: str = ""  # (5)
    purpose_detail: str = ""
    revocation_statement: bool = False  # (6)
    expiry: str = ""  # (7)
    expires_on: date | None = None
    signed_by: str = ""  # (8)
    signer_name: str = ""
    signer_relationship: str = ""
    signed_on: date | None = None  # (9)
    tpo_redisclosure_statement: bool = False  # (10) TPO consents
    tpo_refusal_statement: bool = False


def _discloser(e: ConsentElements, opened: Part2Client, errors: Errors) -> None:
    if e.program_id is not None and e.program_id not in opened.program_ids:
        errors["program_id"] = ["Choose one of the listed programs."]
    elif e.program_id is None and not e.discloser.strip():
        errors["program_id"] = [
            "Name the Part 2 program, or the person or class, authorized to disclose "
            "(42 CFR 2.31(a)(2))."
        ]


def _information(e: ConsentElements, errors: Errors) -> None:
    if e.covers_counseling_notes and e.information_kind:
        errors["information_kind"] = [
            "A consent for SUD counseling notes covers them alone; it may be combined only "
            "with another consent for counseling notes (42 CFR 2.31(b)). Record a separate "
            "consent for other information."
        ]
    elif not e.covers_counseling_notes and e.information_kind not in Part2InformationKind.values:
        errors["information_kind"] = ["Choose the kind of information the consent covers."]
    problem = reason_problem(e.information)
    if problem:
        errors["information"] = [
            "Describe the information to be disclosed specifically (e.g. 'attendance dates and "
            f"drug screen results'), {problem} (42 CFR 2.31(a)(3))."
        ]
    if not e.information_amount.strip():
        errors["information_amount"] = [
            "Say how much: which dates, or how many records (42 CFR 2.31(a)(3))."
        ]


def _recipient(e: ConsentElements, errors: Errors) -> None:
    if e.recipient_kind not in Part2RecipientKind.values:
        errors["recipient_kind"] = [
            "Choose how the consent names its recipients (42 CFR 2.31(a)(4))."
        ]
        return
    if e.recipient_kind == Part2RecipientKind.TPO_CLASS and e.purpose != Part2Purpose.TPO:
        errors["recipient_kind"] = [
            "Only a consent for treatment, payment and health care operations names its "
            "recipients as 'my treating providers, health plans, ...'."
        ]
    if e.recipient_kind != Part2RecipientKind.TPO_CLASS and not e.recipient.strip():
        errors["recipient"] = [
            "Name the recipient, or describe the class of recipients (42 CFR 2.31(a)(4))."
        ]
    if (
        e.recipient_kind == Part2RecipientKind.INTERMEDIARY
        and not e.intermediary_participants.strip()
    ):
        errors["intermediary_participants"] = [
            "Name the intermediary's member participants, or a class limited to treating "
            "providers (42 CFR 2.31(a)(4))."
        ]


def _purpose(e: ConsentElements, errors: Errors) -> None:
    if e.purpose not in Part2Purpose.values:
        errors["purpose"] = ["Choose the purpose of the disclosure (42 CFR 2.31(a)(5))."]
    elif e.purpose == Part2Purpose.OTHER and not e.purpose_detail.strip():
        errors["purpose_detail"] = ["State the purpose in the consent's words."]


def _expiry(e: ConsentElements, errors: Errors) -> None:
    if e.expiry not in Part2Expiry.values:
        errors["expiry"] = ["Choose when the consent expires (42 CFR 2.31(a)(7))."]
    elif e.expiry == Part2Expiry.ON_DATE:
        if e.expires_on is None:
            errors["expires_on"] = ["Give the date the consent expires."]
        elif e.signed_on is not None and e.expires_on < e.signed_on:
            errors["expires_on"] = ["It must expire after it was signed."]
    else:
        if e.purpose != Part2Purpose.TPO:
            errors["expiry"] = [
                "'End of treatment' or 'none' is allowed only for a consent for treatment, "
                "payment and health care operations: give a date."
            ]
        if e.expires_on is not None:
            errors["expires_on"] = ["Leave the date empty, or choose 'On a date'."]


def _signature(e: ConsentElements, errors: Errors) -> None:
    if e.signed_by not in Part2Signer.values:
        errors["signed_by"] = ["Say who signed: the patient or a person authorized to sign."]
    if not e.signer_name.strip():
        errors["signer_name"] = ["Give the name of the person who signed (42 CFR 2.31(a)(8))."]
    if e.signed_by == Part2Signer.AUTHORIZED and not e.signer_relationship.strip():
        errors["signer_relationship"] = [
            "Give the signer's relationship to the patient and their authority to sign "
            "(42 CFR 2.14, 2.15)."
        ]
    if e.signed_on is None:
        errors["signed_on"] = ["Give the date the consent was signed (42 CFR 2.31(a)(9))."]
    elif e.signed_on > timezone.localdate():
        errors["signed_on"] = ["The consent cannot have been signed in the future."]


def _tpo(e: ConsentElements, errors: Errors) -> None:
    if e.purpose != Part2Purpose.TPO:
        return
    if not e.tpo_redisclosure_statement:
        errors["tpo_redisclosure_statement"] = [
            "A consent for treatment, payment and health care operations must state that "
            "records disclosed under it may be redisclosed and lose Part 2 protection "
            "(42 CFR 2.31(a)(10))."
        ]
    if not e.tpo_refusal_statement:
        errors["tpo_refusal_statement"] = [
            "It must state the consequences of refusing to sign (42 CFR 2.31(a)(10))."
        ]


def consent_problems(e: ConsentElements, opened: Part2Client) -> Errors:
    """Every element of 42 CFR 2.31(a) missing or wrong in ``e``, by field."""
    errors: Errors = {}
    _discloser(e, opened, errors)
    _information(e, errors)
    _recipient(e, errors)
    _purpose(e, errors)
    if not e.revocation_statement:
        errors["revocation_statement"] = [
            "The consent must state the right to revoke it in writing, how, and that revoking "
            "does not undo what was done in reliance on it (42 CFR 2.31(a)(6))."
        ]
    _expiry(e, errors)
    _signature(e, errors)
    _tpo(e, errors)
    return errors


def part2_consent_record(*, actor: User, client_id: int, elements: ConsentElements) -> Part2Consent:
    """Record a client's signed Part 2 consent; ``ValidationError`` (by field) unless it holds
    every element of 42 CFR 2.31(a) (SEC-20)."""
    opened = part2_client_checked(
        actor=actor, client_id=client_id, capability=Capability.CHART_WRITE
    )
    e = elements
    errors = consent_problems(e, opened)
    if errors:
        raise ValidationError(errors)
    assert e.signed_on is not None
    tpo_class = e.recipient_kind == Part2RecipientKind.TPO_CLASS
    with transaction.atomic():
        consent = Part2Consent.objects.create(
            client=opened.client,
            program_id=e.program_id,
            discloser=e.discloser.strip(),
            information_kind="" if e.covers_counseling_notes else e.information_kind,
            information=e.information.strip(),
            information_amount=e.information_amount.strip(),
            covers_counseling_notes=e.covers_counseling_notes,
            recipient_kind=e.recipient_kind,
            recipient=(e.recipient.strip() or TPO_RECIPIENTS) if tpo_class else e.recipient.strip(),
            intermediary_participants=e.intermediary_participants.strip(),
            purpose=e.purpose,
            purpose_detail=e.purpose_detail.strip(),
            revocation_statement=True,
            expiry=e.expiry,
            expires_on=e.expires_on,
            signed_by=e.signed_by,
            signer_name=e.signer_name.strip(),
            signer_relationship=e.signer_relationship.strip(),
            signed_on=e.signed_on,
            tpo_redisclosure_statement=e.tpo_redisclosure_statement,
            tpo_refusal_statement=e.tpo_refusal_statement,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=opened.client,
            target=consent,
            severity=AuditSeverity.HIGH,
            detail={
                "category": CATEGORY,
                "program": e.program_id,
                "purpose": e.purpose,
                "counseling_notes": e.covers_counseling_notes,
            },
        )
    return consent


def part2_consent_revoke(
    *, actor: User, client_id: int, consent_id: int, revocation: str
) -> Part2Consent:
    """The client revoked a Part 2 consent in writing: later disclosures are refused; earlier
    ones stand (prospective, 42 CFR 2.31(a)(6)). Written once, with the client's words."""
    opened = part2_client_checked(
        actor=actor, client_id=client_id, capability=Capability.CHART_WRITE
    )
    consent = part2_consent_of(opened=opened, consent_id=consent_id)
    text = reason_clean(
        revocation,
        field="revocation",
        prompt="Write what the client revoked and how (e.g. 'letter dated ...')",
    )
    now = timezone.now()
    with transaction.atomic():
        updated = Part2Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, revocation=text, updated_at=now
        )
        if updated != 1:
            raise ValidationError({"revocation": ["This consent was revoked already."]})
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=opened.client,
            target=consent,
            severity=AuditSeverity.HIGH,
            detail={"category": CATEGORY, "revoked": True},
        )
    return Part2Consent.objects.get(pk=consent.pk)


def part2_court_order_record(
    *,
    actor: User,
    client_id: int,
    program_id: int | None,
    court: str,
    order_date: date | None,
    reference: str,
    section: str,
    scope: str,
) -> Part2CourtOrder:
    """Record a court order under 42 CFR 2.64 or 2.65 (subpart E) authorizing use or
    disclosure of the client's Part 2 records (SEC-21). Append-only once recorded."""
    opened = part2_client_checked(
        actor=actor, client_id=client_id, capability=Capability.CHART_WRITE
    )
    errors: Errors = {}
    if program_id is not None and program_id not in opened.program_ids:
        errors["program_id"] = ["Choose one of the listed programs."]
    if not court.strip():
        errors["court"] = ["Name the court that issued the order."]
    if order_date is None:
        errors["order_date"] = ["Give the date of the order."]
    elif order_date > timezone.localdate():
        errors["order_date"] = ["An order cannot be dated in the future."]
    if not reference.strip():
        errors["reference"] = ["Give the docket number or the order's reference."]
    if section not in Part2OrderSection.values:
        errors["section"] = ["Choose the section the order was issued under (2.64 or 2.65)."]
    problem = reason_problem(scope)
    if problem:
        errors["scope"] = [
            f"Say what the order authorizes (which records, to whom, for what use) {problem}."
        ]
    if errors:
        raise ValidationError(errors)
    assert order_date is not None
    with transaction.atomic():
        order = Part2CourtOrder.objects.create(
            client=opened.client,
            program_id=program_id,
            court=court.strip(),
            order_date=order_date,
            reference=reference.strip(),
            section=section,
            scope=scope.strip(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=opened.client,
            target=order,
            severity=AuditSeverity.HIGH,
            detail={"category": CATEGORY, "section": section, "program": program_id},
        )
    return order


# ------------------------------------------------- in force, and the scope sent with it


def consent_lapse(consent: Part2Consent, moment: datetime) -> str:
    """Why ``consent`` was not in force at ``moment`` (``""`` when it was). A revocation stops
    only what comes after it (42 CFR 2.31(a)(6): prospective)."""
    day = timezone.localdate(moment)
    if consent.signed_on > day:
        return f"This consent was signed on {consent.signed_on:%Y-%m-%d}, after the disclosure."
    if consent.revoked_at is not None and consent.revoked_at <= moment:
        revoked = timezone.localtime(consent.revoked_at)
        return (
            f"The client revoked this consent on {revoked:%Y-%m-%d}: disclosures after that are "
            "refused (revocation is prospective, 42 CFR 2.31(a)(6))."
        )
    if consent.expiry == Part2Expiry.ON_DATE and consent.expires_on and day > consent.expires_on:
        return f"This consent expired on {consent.expires_on:%Y-%m-%d}."
    if consent.expiry == Part2Expiry.END_OF_TREATMENT:
        programs = (
            Q(program_id=consent.program_id) if consent.program_id else Q(program__is_part2=True)
        )
        in_treatment = Episode.objects.filter(
            programs,
            Q(discharge_date__isnull=True) | Q(discharge_date__gte=day),
            client_id=consent.client_id,
        )
        if not in_treatment.exists():
            return "This consent expired at the end of treatment."
    return ""


def consent_scope(consent: Part2Consent) -> str:
    """A clear explanation of the consent's scope, to go with each disclosure (42 CFR 2.32(b))."""
    discloser = consent.program.name if consent.program else consent.discloser
    if consent.covers_counseling_notes:
        kind = "SUD counseling notes (only them)"
    else:
        kind = consent.get_information_kind_display()
    to = consent.recipient
    if consent.intermediary_participants:
        to = f"{to} (member participants: {consent.intermediary_participants})"
    purpose = consent.get_purpose_display()
    if consent.purpose_detail:
        purpose = f"{purpose}: {consent.purpose_detail}"
    if consent.expiry == Part2Expiry.ON_DATE and consent.expires_on:
        expiry = f"on {consent.expires_on:%Y-%m-%d}"
    else:
        expiry = consent.get_expiry_display().split(" (")[0].lower()
    return (
        f"Disclosed with the patient's written consent (42 CFR 2.31), signed on "
        f"{consent.signed_on:%Y-%m-%d} by {consent.signer_name}"
        f"{f' ({consent.signer_relationship})' if consent.signer_relationship else ''}. "
        f"Disclosure by: {discloser}. Information: {kind}: {consent.information} "
        f"({consent.information_amount}). To: {to}. Purpose: {purpose}. Expires: {expiry}. "
        "The patient may revoke the consent in writing at any time, except to the extent that "
        "action has been taken in reliance on it."
    )


def order_scope(order: Part2CourtOrder) -> str:
    return (
        f"Disclosed under a court order (42 CFR {order.section}): {order.court}, "
        f"{order.reference}, ordered on {order.order_date:%Y-%m-%d}. "
        f"The order authorizes: {order.scope}"
    )
