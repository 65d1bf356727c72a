"""Reads of mandated reports, the accounting of disclosures and authorizations (actor first).

Who may see what is the access policy's (``access.policy``): mandated reports go through
``restricted_record_q``, the accounting through ``accounting_clients`` (the page) and
``disclosures_visible_to`` (its rows), so a list and a detail page, or a page and its rows,
cannot disagree. Outside the rule a record does not exist (404, audited as a denied attempt).

Every read is audited here, where it is read, with ``audit.reads.read_record``: once per
record and request, and only when the response shows it (not for a redirect). The
``*_for_change`` loaders are for services, which record their writes themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from alliance.access.policy import (
    ClientNotFound,
    accounting_clients,
    disclosures_visible_to,
    has_capability,
    restricted_record_q,
)
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.reads import read_record
from alliance.audit.services import audit_refused
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.disclosures.models import (
    Authorization,
    Disclosure,
    DisclosureSource,
    MandatedReport,
    MandatedReportAddendum,
)
from alliance.disclosures.part2_selectors import part2_row_hidden, part2_rows_q
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
    "disclosures.reports",
    lambda client_id: MandatedReport.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM disclosures_mandatedreport WHERE client_id = %s",
)
CHART_PARTS = (REPORTS,)


def report_list_for(
    *, actor: User, client: Client | None = None, presence: Presence = UNKNOWN
) -> list[MandatedReport]:
    """Reports ``actor`` may see, newest first (of one client when given); each one listed is
    a read of that report (``read_record``), so "who saw report 42" has one answer."""
    if client is not None and not presence.may_have(REPORTS):
        return []
    reports = reports_visible_to(actor=actor).select_related("client", "author")
    if client is not None:
        reports = reports.filter(client=client)
    rows = list(reports.order_by("-created_at", "-id")[:200])
    purpose = _purpose(actor)
    for row in rows:
        read_record(
            actor=actor,
            client=row.client_id,
            target=row,
            purpose=purpose,
            detail={"list": "mandated_reports", "status": row.status, "category": CATEGORY},
        )
    return rows


def report_for_change(*, actor: User, report_id: object) -> MandatedReport:
    """The report under the rule, without a read event: for services, which record their
    write (pages use ``report_for``)."""
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
    """A report of the actor's own (only the author edits or signs), without a read event;
    404 for anyone else."""
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


def _report_read(*, actor: User, report: MandatedReport) -> None:
    """The read, with the accounting entries the page shows beside the report (SEC-29)."""
    shown = list(
        Disclosure.objects.filter(
            source_type=DisclosureSource.MANDATED_REPORT, source_id=report.pk
        ).values_list("pk", flat=True)
    )
    read_record(
        actor=actor,
        client=report.client_id,
        target=report,
        purpose=_purpose(actor),
        detail={"status": report.status, "category": CATEGORY, "disclosures": shown},
    )


def report_for(*, actor: User, report_id: object, own: bool = False) -> MandatedReport:
    """One report for a page, its read audited (``read_record``: written once, if the
    response shows it); 404 outside ``restricted_record_q``. ``own``: only the author's (to
    edit or sign)."""
    load = own_report_for_change if own else report_for_change
    report = load(actor=actor, report_id=report_id)
    _report_read(actor=actor, report=report)
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
    *,
    actor: User,
    client: Client,
    since: date | None = None,
    until: date | None = None,
    action: AuditAction = AuditAction.RECORD_VIEW,
) -> Accounting:
    """The client's accounting between two dates (default: the last six years), its read
    audited as a read of the client's accounting (the rows shown, in the detail); ``action``
    ``EXPORT`` for a printout, as every PDF is recorded.

    ``client`` comes from ``accounting_client``; the rows from ``disclosures_visible_to``:
    both are the policy's ``accounting_clients``, so a page never shows a client whose rows
    the rule hides. Rows of a 42 CFR Part 2 program stay hidden from whoever may not learn of
    the program (``part2_selectors.part2_rows_q``).
    """
    default_since, default_until = default_period()
    since, until = since or default_since, until or default_until
    start, end = _bounds(since, until)
    rows = list(
        disclosures_visible_to(actor=actor)
        .filter(part2_rows_q(actor=actor, client=client))
        .filter(client=client, disclosed_at__gte=start, disclosed_at__lt=end)
        .select_related("by_user", "part2", "part2__program")
        .order_by("-disclosed_at", "-id")
    )
    read_record(
        actor=actor,
        client=client,
        target=client,
        purpose=_purpose(actor),
        action=action,
        detail={
            "view": "accounting",
            "since": since.isoformat(),
            "until": until.isoformat(),
            "rows": [r.pk for r in rows],
        },
    )
    return Accounting(client=client, since=since, until=until, rows=rows)


def accounting_client(*, actor: User, client_id: object) -> Client:
    """The client whose accounting is asked for, under ``access.policy.accounting_clients``
    (the privacy officer: every client they oversee, not their own record; a clinician: the
    clients whose chart they may read); else an audited refusal and a 404."""
    try:
        pk = int(str(client_id))
    except ValueError:
        pk = 0
    client = accounting_clients(actor=actor).filter(pk=pk).first() if pk > 0 else None
    if client is None:
        audit_refused(
            actor=actor, client_id=client_id, object_type="clients.Client", object_id=client_id
        )
        raise ClientNotFound
    return client


def client_by_mrn(*, actor: User, mrn: str) -> Client | None:
    """The privacy officer looks a client up by MRN (posted, never in a URL), under the same
    rule as ``accounting_client``."""
    if not has_capability(actor, Capability.AUDIT_REVIEW):
        return None
    return accounting_clients(actor=actor).filter(mrn=mrn.strip().replace("-", "")).first()


def disclosure_for_change(*, actor: User, disclosure_id: object) -> Disclosure:
    """An entry under ``disclosures_visible_to`` (and not a Part 2 row of a program closed to
    the actor), without a read event (for services)."""
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
    if row is None or part2_row_hidden(actor=actor, row=row):
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


def disclosure_for(*, actor: User, disclosure_id: object, correcting: bool = False) -> Disclosure:
    """One accounting entry for a page, its read audited (``read_record``: written once, if
    the response shows it). ``correcting``: only an entry the actor may correct."""
    load = disclosure_for_correction if correcting else disclosure_for_change
    row = load(actor=actor, disclosure_id=disclosure_id)
    read_record(
        actor=actor,
        client=row.client_id,
        target=row,
        purpose=_purpose(actor),
        detail={"view": "accounting_entry"},
    )
    return row


# -------------------------------------------------------------------------- authorizations


def authorizations_for(*, actor: User, client: Client) -> list[Authorization]:
    """The client's authorizations (the caller opened the client under the policy); each one
    listed is a read of it (``read_record``)."""
    rows = list(Authorization.objects.filter(client=client).select_related("recorded_by"))
    for row in rows:
        read_record(actor=actor, client=client, target=row, detail={"list": "authorizations"})
    return rows


def authorization_for(*, client: Client, authorization_id: int) -> Authorization:
    """One authorization of ``client`` (already opened under the policy by the caller)."""
    authorization = Authorization.objects.filter(client=client, pk=authorization_id).first()
    if authorization is None:
        raise Http404
    return authorization
