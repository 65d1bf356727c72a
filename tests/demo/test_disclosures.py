"""The demo clinic holds one signed duty-to-warn report and the accounting it wrote."""

from __future__ import annotations

import pytest

from alliance.demo.clinic import demo_build
from alliance.disclosures.models import Disclosure, MandatedReport, ReportKind


@pytest.mark.django_db
def test_demo_has_a_signed_duty_to_warn_report_with_its_disclosures() -> None:
    demo_build(clients=4, seed=7)
    report = MandatedReport.objects.get()
    assert report.kind == ReportKind.DUTY_TO_WARN and report.is_signed
    assert report.author.username == "tmorgan"
    rows = Disclosure.objects.filter(source_id=report.pk)
    assert rows.count() == report.contacts.count() == 2
    demo_build(clients=4, seed=7)  # run again: nothing added
    assert MandatedReport.objects.count() == 1
