"""The audit report for the privacy officer (SEC-27): filters, allow-listed sorting, paging.

Sorting only ever uses a column named in ``SORTABLE``; whatever else arrives falls back to the
default, so a crafted ``sort`` cannot reach SQL (OpenEMR #1782).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import overseen_client_or_none, oversight_q, require_capability
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.models import AuditEvent
from alliance.audit.services import audit_record, audit_refused
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

SORTABLE = {
    "time": "occurred_at",
    "seq": "seq",
    "staff": "actor_username",
    "action": "action",
    "client": "client_id",
    "purpose": "purpose",
    "outcome": "outcome",
    "severity": "severity",
    "source": "source_address",
}
DEFAULT_SORT = "-time"
PAGE_SIZE = 50


def sort_key(requested: str) -> str:
    """The allow-listed sort for a request parameter like ``-staff``; else the default."""
    descending = requested.startswith("-")
    name = requested[1:] if descending else requested
    if name not in SORTABLE:
        return DEFAULT_SORT
    return f"-{name}" if descending else name


@dataclass
class AuditFilters:
    staff_id: int | None = None
    client_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def as_detail(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "client_id": self.client_id,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.sort,
        }


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_report(*, actor: User, filters: AuditFilters) -> Page[AuditEvent]:
    """One page of audit events about clients the actor oversees (``access.policy``: not
    their own record) or about no client; opening the report is itself audited."""
    require_capability(actor, Capability.AUDIT_REVIEW)
    events = AuditEvent.objects.filter(oversight_q(actor=actor)).select_related("actor", "client")
    if filters.staff_id:
        events = events.filter(actor_id=filters.staff_id)
    if filters.client_id:
        events = events.filter(client_id=filters.client_id)
    if filters.action in AuditAction.values:
        events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    key = sort_key(filters.sort)
    column = SORTABLE[key.lstrip("-")]
    order = f"-{column}" if key.startswith("-") else column
    events = events.order_by(order, "-seq")
    page = Paginator(events, PAGE_SIZE).get_page(filters.page)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.AUDIT_REPORT_VIEW,
            client=filters.client_id,
            purpose=AuditPurpose.OVERSIGHT,
            # The page shows each event's client: the row names them, as a search does (SEC-23).
            detail={
                **filters.as_detail(),
                "client_ids": sorted({e.client_id for e in page if e.client_id}),
            },
        )
    return page


def audited_client(*, actor: User, client_id: int | None = None, mrn: str = "") -> Client | None:
    """The client whose access history the privacy officer asks for, by id or MRN.

    Oversight reaches every client's audit history, but never the record itself, and not a
    client a deny keeps from the actor, such as their own record (``access.policy``
    ``clients_overseen_by``): None then, as for no such client, and a refusal by id is audited.
    """
    require_capability(actor, Capability.AUDIT_REVIEW)
    client = overseen_client_or_none(actor=actor, client_id=client_id, mrn=mrn)
    if client is None and client_id is not None:
        audit_refused(
            actor=actor,
            client_id=client_id,
            object_type="clients.Client",
            object_id=client_id,
            action=AuditAction.AUDIT_REPORT_VIEW,
        )
    return client
