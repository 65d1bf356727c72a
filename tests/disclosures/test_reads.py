"""Reads of reports and accounting entries are audited by the selector that loads them
(``audit.reads``): once per page that shows the record, none for a redirect (SEC-23)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.disclosures.models import Disclosure, MandatedReport, ReportKind
from alliance.disclosures.services import report_create
from alliance.staff.models import User
from tests.disclosures.test_views import _report_post
from tests.personas import Clinic

SignIn = Callable[[User], HttpClient]


def reads_of(record: object) -> int:
    return AuditEvent.objects.filter(
        action="record_view",
        outcome="success",
        object_type=record._meta.label,  # type: ignore[attr-defined]
        object_id=str(record.pk),  # type: ignore[attr-defined]
    ).count()


def correction(**overrides: str) -> dict[str, str]:
    return {
        "disclosed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "recipient": "County Adult Protective Services",
        "description": "Report contents",
        "purpose": "Mandated report",
        "reason": "The recipient's name was misspelt on the first entry.",
        **overrides,
    }


def test_correcting_an_entry_reads_it_once_unless_it_redirects(
    clinic: Clinic, report: MandatedReport, signed_in: SignIn
) -> None:
    row = Disclosure.objects.filter(source_id=report.pk).order_by("pk").first()
    assert row is not None
    http = signed_in(clinic.privacy_officer)
    url = reverse("web:disclosure_correct", args=[row.pk])

    assert http.get(url).status_code == 200
    assert reads_of(row) == 1
    refused = http.post(url, correction(recipient=""))
    assert refused.status_code == 400  # the form shown again, with the entry: one read
    assert reads_of(row) == 2
    saved = http.post(url, correction())
    assert saved.status_code == 302  # nothing shown: no read
    assert reads_of(row) == 2


def test_report_draft_pages_read_it_once(clinic: Clinic, signed_in: SignIn) -> None:
    author = clinic.therapist_on_team
    report = report_create(actor=author, client=clinic.client_a, kind=ReportKind.ELDER_ABUSE)
    http = signed_in(author)
    url = reverse("web:mandated_report_edit", args=[report.pk])

    assert http.get(url).status_code == 200
    assert reads_of(report) == 1
    invalid = _report_post(1, contacted_at="", **{"contacts-0-contacted_at": "not a date"})
    assert http.post(url, invalid).status_code == 400
    assert reads_of(report) == 2
    assert http.post(url, _report_post(1, victim="Saved first")).status_code == 302
    assert reads_of(report) == 2
    stale = http.post(url, _report_post(1, victim="Typed second"))
    assert stale.status_code == 409
    assert reads_of(report) == 3
    signing = reverse("web:mandated_report_sign", args=[report.pk])
    assert http.get(signing).status_code == 200
    assert reads_of(report) == 4


def test_the_reports_list_reads_each_report_it_shows(
    clinic: Clinic, report: MandatedReport, signed_in: SignIn
) -> None:
    http = signed_in(clinic.supervisor)
    page = http.get(reverse("web:mandated_report_list"))
    assert page.status_code == 200
    assert reads_of(report) == 1
