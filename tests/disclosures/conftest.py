"""Helpers for the disclosures tests: drafts and signed reports of client_a."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.clients.models import Client
from alliance.disclosures.examples import DUTY_TO_WARN, duty_to_warn_contacts
from alliance.disclosures.models import MandatedReport, ReportKind
from alliance.disclosures.services import report_create, report_save, report_sign
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic


def complete_draft(author: User, client: Client) -> MandatedReport:
    report = report_create(actor=author, client=client, kind=ReportKind.DUTY_TO_WARN)
    return report_save(
        actor=author,
        report=report,
        values=DUTY_TO_WARN,
        contacts=duty_to_warn_contacts(timezone.now() - timedelta(hours=1)),
        version=report.version,
    )


def signed_report(author: User, client: Client) -> MandatedReport:
    report = complete_draft(author, client)
    return report_sign(actor=author, report=report, version=report.version, password=PASSWORD)


@pytest.fixture
def report(clinic: Clinic) -> MandatedReport:
    """A signed duty-to-warn report by therapist_on_team about client_a, two contacts."""
    return signed_report(clinic.therapist_on_team, clinic.client_a)
