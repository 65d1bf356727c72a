"""Reads of mandated reports, the accounting of disclosures and authorizations (actor first).

Mandated reports go through ``access.policy.restricted_record_q`` only: the list and the
detail page apply the same filter, so they cannot disagree. Outside it a report does not exist
(404, audited as a denied attempt). Accounting rows are visible to the privacy officer, and to
clinicians in the client's care except rows that would reveal a restricted record they may not
see (a mandated report) or someone else's psychotherapy note (SEC-16). Every read is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from alliance.access.policy import (
    client_for,
    clients_visible_to,
    has_capability,
    restricted_record_q,
)
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.selectors import audited_client
from alliance.audit.services import audit_record, audit_refused
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.disclosures.models import (
    Authorization,
    Disclosure,
    DisclosureSource,
    MandatedReport,
    MandatedReportAddendum,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

CATEGORY = "MANDATED_REPORT"
ACCOUNTING_YEARS = 6


class ReportNotFound(Http404):
    """No such report, or not one this actor may see: deliberately the same answer."""


class DisclosureNotFound(Http404):
    """No such accounting entry, or not one this actor may see."""


def _purpose(actor: User) -> AuditPurpose:
    if has_capability(actor, Capability.AUDIT_REVIEW):
        return AuditPurpose.OVERSIGHT
    return AuditPurpose.TREATMENT


# ------------------------------------------------------------------------- mandated reports


def reports_visible_to(*, actor: User) -> QuerySet[MandatedReport]:
    """Every report ``actor`` may see (the one rule, ``restricted_record_q``)."""
    return MandatedReport.objects.filter(restricted_record_q(actor=actor))


# The chart asks whether the record has any before reading them (``core.presence``); who may
# see them is decided after, by ``restricted_record_q``.
REPORTS = Part(
    "disclosures.reports", lambda client_id: MandatedReport.objects.filter(client_id=client_id)
)
CHART_PARTS = (REPORTS,)


def report_list_for(
    *, actor: User, client: Client | None = None, presence: Presence = UNKNOWN
) -> list[MandatedReport]:
    """Reports ``actor`` may see, newest first (of one client when given); audited with ids."""
    if client is not None and not presence.may_have(REPORTS):
        return []
    reports = reports_visible_to(actor=actor).select_related("client", "author")
    if client is not None:
        reports = reports.filter(client=client)
    rows = list(reports.order_by("-created_at", "-id")[:200])
    if rows:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.RECORD_VIEW,
                client=client,
                object_type="disclosures.MandatedReport",
                purpose=_purpose(actor),
                detail={
                    "list": "mandated_reports",
                    "reports": [r.pk for r in rows],
                    "clients": sorted({r.client_id for r in rows}),
                    "category": CATEGORY,
                },
            )
    return rows


def report_for_change(*, actor: User, report_id: object) -> MandatedReport:
    """The report under the rule, without a read event (a write or a read event follows)."""
    try:
        pk = int(str(report_id))
    except ValueError:
        pk = 0
    report = (
        reports_visible_to(actor=actor).filter(pk=pk).select_related("client", "author").first()
    )
    if report is None:
        audit_refused(
            actor=actor,
            client_id=None,
            object_type="disclosures.MandatedReport",
            object_id=report_id,
        )
        raise ReportNotFound
    return report


def own_report_for_change(*, actor: User, report_id: object) -> MandatedReport:
    """A report of the actor's own (only the author edits or signs); 404 for anyone else."""
    report = report_for_change(actor=actor, report_id=report_id)
    if report.author_id != actor.pk:
        audit_refused(
            actor=actor,
            client_id=None,
            object_type="disclosures.MandatedReport",
            object_id=report_id,
        )
        raise ReportNotFound
    return report


def report_viewed(*, actor: User, report: MandatedReport) -> None:
    """The read, with the accounting entries the page shows beside the report (SEC-29)."""
    shown = list(
        Disclosure.objects.filter(
            source_type=DisclosureSource.MANDATED_REPORT, source_id=report.pk
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_VIEW,
            client=report.client_id,
            target=report,
            purpose=_purpose(actor),
            detail={"status": report.status, "category": CATEGORY, "disclosures": shown},
        )


def report_for(*, actor: User, report_id: object) -> MandatedReport:
    """One report to read, audited; 404 outside ``restricted_record_q``."""
    report = report_for_change(actor=actor, report_id=report_id)
    report_viewed(actor=actor, report=report)
    return report


@dataclass(frozen=True)
class ReportDetail:
    signature_ok: bool
    addenda: list[MandatedReportAddendum]
    disclosures: list[Disclosure]
    version_count: int


def report_detail(*, report: MandatedReport) -> ReportDetail:
    """Contacts are on ``report.contacts``; this adds the checks and related rows."""
    from alliance.disclosures.services import report_digest

    contacts = list(report.contacts.order_by("position", "id"))
    signature_ok = not report.is_signed or report.content_hash == report_digest(report, contacts)
    disclosures = Disclosure.objects.filter(
        source_type=DisclosureSource.MANDATED_REPORT, source_id=report.pk
    ).order_by("disclosed_at", "id")
    return ReportDetail(
        signature_ok=signature_ok,
        addenda=list(report.addenda.select_related("author")),
        disclosures=list(disclosures),
        version_count=report.versions.count(),
    )


# ---------------------------------------------------------------------------- accounting


def disclosures_visible_to(*, actor: User) -> QuerySet[Disclosure]:
    """Accounting rows ``actor`` may read.

    The privacy officer: every client's (``restricted_record_q`` gives them all, minus their
    own record). A clinician: clients they may read, minus rows of a mandated report outside
    ``restricted_record_q`` and rows of psychotherapy notes they did not disclose themselves.
    """
    if has_capability(actor, Capability.AUDIT_REVIEW):
        return Disclosure.objects.filter(restricted_record_q(actor=actor, author_field="by_user"))
    clients = clients_visible_to(actor=actor, capability=Capability.CHART_READ)
    reports = reports_visible_to(actor=actor).values("pk")
    return Disclosure.objects.filter(
        Q(client__in=clients.values("pk")),
        ~Q(source_type=DisclosureSource.MANDATED_REPORT) | Q(source_id__in=reports),
        ~Q(source_type=DisclosureSource.PSYCHOTHERAPY_NOTE) | Q(by_user=actor),
    )


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last six years up to today (45 CFR 164.528(a))."""
    today = today or timezone.localdate()
    try:
        start = today.replace(year=today.year - ACCOUNTING_YEARS)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - ACCOUNTING_YEARS, day=28)
    return start, today


@dataclass(frozen=True)
class Accounting:
    client: Client
    since: date
    until: date
    rows: list[Disclosure]

    @property
    def corrected_ids(self) -> set[int]:
        return {row.corrects_id for row in self.rows if row.corrects_id}


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    return start, end


def accounting_for(
    *, actor: User, client: Client, since: date | None = None, until: date | None = None
) -> Accounting:
    """The client's accounting between two dates (default: the last six years), audited."""
    default_since, default_until = default_period()
    since, until = since or default_since, until or default_until
    start, end = _bounds(since, until)
    rows = list(
        disclosures_visible_to(actor=actor)
        .filter(client=client, disclosed_at__gte=start, disclosed_at__lt=end)
        .select_related("by_user")
        .order_by("-disclosed_at", "-id")
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_VIEW,
            client=client,
            object_type="disclosures.Disclosure",
            purpose=_purpose(actor),
            detail={
                "view": "accounting",
                "since": since.isoformat(),
                "until": until.isoformat(),
                "rows": [r.pk for r in rows],
            },
        )
    return Accounting(client=client, since=since, until=until, rows=rows)


def accounting_client(*, actor: User, client_id: object) -> Client:
    """The client whose accounting is asked for: the privacy officer reaches every client
    (``audit.selectors.audited_client``), a clinician the clients they may read; else 404."""
    if has_capability(actor, Capability.AUDIT_REVIEW):
        try:
            client = audited_client(actor=actor, client_id=int(str(client_id)))
        except ValueError:
            client = None
        if client is None:
            raise Http404
        return client
    return client_for(actor=actor, client_id=str(client_id), capability=Capability.CHART_READ)


def client_by_mrn(*, actor: User, mrn: str) -> Client | None:
    """The privacy officer looks a client up by MRN (posted, never in a URL)."""
    return audited_client(actor=actor, mrn=mrn)


def disclosure_for_change(*, actor: User, disclosure_id: object) -> Disclosure:
    try:
        pk = int(str(disclosure_id))
    except ValueError:
        pk = 0
    row = (
        disclosures_visible_to(actor=actor)
        .filter(pk=pk)
        .select_related("client", "by_user", "corrects")
        .first()
    )
    if row is None:
        audit_refused(
            actor=actor,
            client_id=None,
            object_type="disclosures.Disclosure",
            object_id=disclosure_id,
        )
        raise DisclosureNotFound
    return row


def disclosure_for_correction(*, actor: User, disclosure_id: object) -> Disclosure:
    """An entry the actor may correct: one they recorded, or any (privacy officer)."""
    row = disclosure_for_change(actor=actor, disclosure_id=disclosure_id)
    if row.by_user_id != actor.pk and not has_capability(actor, Capability.AUDIT_REVIEW):
        audit_refused(
            actor=actor,
            client_id=None,
            object_type="disclosures.Disclosure",
            object_id=disclosure_id,
        )
        raise DisclosureNotFound
    return row


def disclosure_for(*, actor: User, disclosure_id: object) -> Disclosure:
    """One accounting entry with its corrections, audited."""
    row = disclosure_for_change(actor=actor, disclosure_id=disclosure_id)
    disclosure_viewed(actor=actor, row=row)
    return row


def disclosure_viewed(*, actor: User, row: Disclosure) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_VIEW,
            client=row.client_id,
            target=row,
            purpose=_purpose(actor),
            detail={"view": "accounting_entry"},
        )


# -------------------------------------------------------------------------- authorizations


def authorizations_for(*, actor: User, client: Client) -> list[Authorization]:
    """The client's authorizations (the caller opened the client under the policy)."""
    rows = list(Authorization.objects.filter(client=client).select_related("recorded_by"))
    if rows:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.RECORD_VIEW,
                client=client,
                object_type="disclosures.Authorization",
                detail={"authorizations": [a.pk for a in rows]},
            )
    return rows


def authorization_for(*, client: Client, authorization_id: int) -> Authorization:
    """One authorization of ``client`` (already opened under the policy by the caller)."""
    authorization = Authorization.objects.filter(client=client, pk=authorization_id).first()
    if authorization is None:
        raise Http404
    return authorization
