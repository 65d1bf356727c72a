"""Demo data of the disclosures app: one signed duty-to-warn report and its accounting.

Everything here is synthetic. The report is written and signed through the services, so the
accounting rows, versions and audit events are the ones a clinician's report would leave.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alliance.access.models import CareTeamMember
from alliance.disclosures.examples import DUTY_TO_WARN, duty_to_warn_contacts
from alliance.disclosures.models import MandatedReport, ReportKind
from alliance.disclosures.services import report_create, report_save, report_sign
from alliance.staff.models import User


def demo_disclosures(*, therapist: User, password: str) -> MandatedReport | None:
    """A signed duty-to-warn report by ``therapist`` about one of their clients (once)."""
    if MandatedReport.objects.exists():
        return None
    member = (
        CareTeamMember.objects.filter(staff=therapist, end_on__isnull=True)
        .order_by("client_id")
        .first()
    )
    if member is None:
        return None
    yesterday = timezone.localtime() - timedelta(days=1)
    when = yesterday.replace(hour=15, minute=20, second=0, microsecond=0)
    with transaction.atomic():
        report = report_create(actor=therapist, client=member.client, kind=ReportKind.DUTY_TO_WARN)
        report = report_save(
            actor=therapist,
            report=report,
            values=DUTY_TO_WARN,
            contacts=duty_to_warn_contacts(when),
            version=report.version,
        )
        return report_sign(
            actor=therapist, report=report, version=report.version, password=password
        )
