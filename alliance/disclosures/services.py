"""Writing mandated reports and duty-to-warn events (SEC-31): draft, sign, addenda.

A report is reached only under ``access.policy.restricted_record_q``; only its author writes
the draft or signs it. The lifecycle is the records kernel's (``records.lifecycle``): saving is
an atomic ``UPDATE … WHERE version = n`` (a stale editor gets ``StaleDraft`` and writes nothing)
and writes a ``MandatedReportVersion`` in the same transaction. Signing needs the password
again and every element SEC-31 lists; it locks the report (the database refuses any later
change) and writes one accounting-of-disclosures row per agency or person contacted, in the
same transaction (SEC-29). A psychotherapy note is
never attached to a report: a report holds only what its author typed into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import client_for, has_capability
from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.disclosures.accounting import disclosure_write
from alliance.disclosures.models import (
    NARRATIVE_FIELDS,
    ContactMethod,
    DisclosureSource,
    LegalBasis,
    MandatedReport,
    MandatedReportAddendum,
    MandatedReportVersion,
    ReportContact,
    ReportKind,
)
from alliance.disclosures.selectors import (
    ReportNotFound,
    own_report_for_change,
    report_for_change,
)
from alliance.records import lifecycle
from alliance.records.canonical import canonical_time, digest
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.staff.stepup import step_up

CATEGORY = "MANDATED_REPORT"

# Every element SEC-31 asks for; ``client_not_informed_reason`` only when the client was not
# told, ``legal_citation`` always (the statute, or the section of 45 CFR 164.512 relied on).
REQUIRED_TEXT = tuple(f for f in NARRATIVE_FIELDS if f != "client_not_informed_reason")


FIELD_LABELS = {
    name: str(getattr(MandatedReport._meta.get_field(name), "verbose_name", name))
    for name in NARRATIVE_FIELDS
}


@dataclass(frozen=True)
class ContactValues:
    """One agency or person contacted: who, when, how, and the reference they gave."""

    recipient: str
    contacted_at: datetime | None
    method: str
    reference: str = ""


def report_content(report: MandatedReport, contacts: list[ReportContact]) -> dict[str, Any]:
    """The report as one JSON document: what versions keep and what the signature covers."""
    return {
        "kind": report.kind,
        **{name: getattr(report, name) for name in NARRATIVE_FIELDS},
        "legal_basis": report.legal_basis,
        "client_informed": report.client_informed,
        "contacts": [
            {
                "recipient": c.recipient,
                "contacted_at": canonical_time(c.contacted_at),
                "method": c.method,
                "reference": c.reference,
            }
            for c in contacts
        ],
    }


def report_document(report: MandatedReport, contacts: list[ReportContact]) -> dict[str, Any]:
    """What a report's SHA-256 covers: the content, the client, the author, the signing time."""
    return {
        "report": report.pk,
        "client": report.client_id,
        "author": report.author_id,
        "signed_at": canonical_time(report.signed_at),
        "content": report_content(report, contacts),
    }


def report_digest(report: MandatedReport, contacts: list[ReportContact]) -> str:
    return digest(report_document(report, contacts))


def _reload(report: MandatedReport) -> MandatedReport:
    return MandatedReport.objects.select_related("client", "author").get(pk=report.pk)


def _contacts(report: MandatedReport) -> list[ReportContact]:
    return list(report.contacts.order_by("position", "id"))


REPORT = lifecycle.DocumentKind(
    label="report",
    model=MandatedReport,
    reload=_reload,
    signature=lambda report: report_document(report, _contacts(report)),
    version_model=MandatedReportVersion,
    version_parent="report",
    version_content=lambda report: report_content(report, _contacts(report)),
    signer_column=False,  # the author signs: only they may (SEC-31)
    entered_in_error=False,
    addendum_model=MandatedReportAddendum,
    addendum_parent="report",
    audit_detail={"category": CATEGORY},
)


# ------------------------------------------------------------------------------- creating


def report_create(*, actor: User, client: Client, kind: str) -> MandatedReport:
    """A new draft (version 1) for a client in the actor's care; the actor is its author."""
    client = client_for(actor=actor, client_id=client.pk, capability=Capability.MANDATED_REPORT)
    if kind not in ReportKind.values:
        raise ValidationError({"kind": ["Choose the kind of report."]})
    now = timezone.now()
    with transaction.atomic():
        report = MandatedReport.objects.create(client=client, author=actor, kind=kind)
        REPORT.write_version(report, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=report,
            severity=AuditSeverity.HIGH,
            detail={"kind": kind, "version": 1, "category": CATEGORY},
        )
    return report


# --------------------------------------------------------------------------------- drafts


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        name: str(values.get(name) or "").strip() for name in NARRATIVE_FIELDS
    }
    basis = values.get("legal_basis") or ""
    if basis not in ("", *LegalBasis.values):
        raise ValidationError({"legal_basis": ["Choose one of the options."]})
    cleaned["legal_basis"] = basis
    informed = values.get("client_informed")
    if informed not in (None, True, False):
        raise ValidationError({"client_informed": ["Choose yes or no."]})
    cleaned["client_informed"] = informed
    return cleaned


def _clean_contacts(contacts: list[ContactValues]) -> list[ContactValues]:
    kept = []
    for contact in contacts:
        if contact.method and contact.method not in ContactMethod.values:
            raise ValidationError({"contacts": ["Choose how each contact was made."]})
        if contact.recipient.strip() or contact.contacted_at or contact.reference.strip():
            kept.append(contact)
    return kept


def report_save(
    *,
    actor: User,
    report: MandatedReport,
    values: dict[str, Any],
    contacts: list[ContactValues],
    version: int,
) -> MandatedReport:
    """Save the draft's elements and contacts, if ``version`` is still the saved one."""
    report = own_report_for_change(actor=actor, report_id=report.pk)
    if not report.is_draft:
        raise DocumentLocked
    cleaned = _clean_values(values)
    kept = _clean_contacts(contacts)

    def rewrite_contacts(saved: MandatedReport) -> None:
        # Contacts of a draft are rewritten on each save; the version rows keep every earlier
        # list, and the database refuses this once the report is signed.
        saved.contacts.all().delete()
        ReportContact.objects.bulk_create(
            ReportContact(
                report=saved,
                position=index,
                recipient=c.recipient.strip(),
                contacted_at=c.contacted_at,
                method=c.method,
                reference=c.reference.strip(),
            )
            for index, c in enumerate(kept)
        )

    saved: MandatedReport = lifecycle.document_save_draft(
        REPORT,
        actor=actor,
        document=report,
        lock=version,
        client_id=report.client_id,
        changes=cleaned,
        also=rewrite_contacts,
        detail=lambda saved: {"version": saved.version, "contacts": len(kept)},
    )
    return saved


# -------------------------------------------------------------------------------- signing


def missing_for_signing(
    report: MandatedReport, contacts: list[ReportContact]
) -> dict[str, list[str]]:
    """Field name → what is missing before ``report`` can be signed (empty when complete)."""
    missing: dict[str, list[str]] = {}
    for name in REQUIRED_TEXT:
        if not getattr(report, name).strip():
            label = FIELD_LABELS[name]
            missing[name] = [f"Needed before signing: {label}."]
    if not report.legal_basis:
        missing["legal_basis"] = ["Needed before signing: choose the legal basis."]
    if report.client_informed is None:
        missing["client_informed"] = ["Needed before signing: say whether the client was told."]
    elif not report.client_informed and not report.client_not_informed_reason.strip():
        missing["client_not_informed_reason"] = [
            "Needed before signing: why the client was not told."
        ]
    if not contacts:
        missing["contacts"] = ["Needed before signing: at least one agency or person contacted."]
    now = timezone.now()
    for number, contact in enumerate(contacts, start=1):
        gaps = [
            what
            for what, given in (
                ("who", contact.recipient.strip()),
                ("when", contact.contacted_at),
                ("how", contact.method),
            )
            if not given
        ]
        if gaps:
            missing.setdefault("contacts", []).append(
                f"Contact {number}: needed before signing: {', '.join(gaps)}."
            )
        elif contact.contacted_at and contact.contacted_at > now:
            missing.setdefault("contacts", []).append(
                f"Contact {number}: the contact cannot be in the future."
            )
    return missing


def _accounting_description(report: MandatedReport) -> str:
    return f"{report.get_kind_display()}: {report.information_disclosed}"


def _accounting_purpose(report: MandatedReport) -> str:
    return f"{report.get_legal_basis_display()} — {report.legal_citation}"


def report_sign(
    *, actor: User, report: MandatedReport, version: int, password: str
) -> MandatedReport:
    """Sign the draft as it stands at ``version`` (SEC-31): complete, password again, locked.

    Writes one accounting row per contact, in the signing transaction (SEC-29).
    """
    report = own_report_for_change(actor=actor, report_id=report.pk)
    if not report.is_draft:
        raise DocumentLocked
    step_up(
        actor,
        password,
        client_id=report.client_id,
        target=report,
        step="sign",
        detail={"category": CATEGORY},
    )
    if report.version != version:
        raise StaleDraft(report)
    contacts = _contacts(report)
    missing = missing_for_signing(report, contacts)
    if missing:
        raise ValidationError(missing, code="incomplete")

    def account(signed: MandatedReport) -> dict[str, Any]:
        """One accounting-of-disclosures row per contact, in the signing transaction."""
        rows = [
            disclosure_write(
                actor=actor,
                client_id=signed.client_id,
                disclosed_at=contact.contacted_at or timezone.now(),
                recipient=_recipient(contact),
                description=_accounting_description(signed),
                purpose=_accounting_purpose(signed),
                source_type=DisclosureSource.MANDATED_REPORT,
                source_id=signed.pk,
            )
            for contact in contacts
        ]
        return {"disclosures": [row.pk for row in rows]}

    signed: MandatedReport = lifecycle.document_sign(
        REPORT,
        actor=actor,
        document=report,
        lock=version,
        client_id=report.client_id,
        severity=AuditSeverity.HIGH,
        also=account,
    )
    return signed


def _recipient(contact: ReportContact) -> str:
    method = ContactMethod(contact.method).label.lower()
    reference = f", reference {contact.reference}" if contact.reference else ""
    return f"{contact.recipient} ({method}{reference})"[:200]


def report_addendum_add(
    *, actor: User, report: MandatedReport, text: str, password: str
) -> MandatedReportAddendum:
    """Add text to a signed report: its author or a supervisor of the author, password again."""
    report = report_for_change(actor=actor, report_id=report.pk)
    if not has_capability(actor, Capability.MANDATED_REPORT):
        raise ReportNotFound
    addendum: MandatedReportAddendum = lifecycle.addendum_add(
        REPORT,
        actor=actor,
        document=report,
        text=text,
        password=password,
        client_id=report.client_id,
    )
    return addendum
