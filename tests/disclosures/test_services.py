"""Mandated reports: drafts, signing, the lock and the accounting rows signing writes (SEC-31)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.disclosures.examples import DUTY_TO_WARN, duty_to_warn_contacts
from alliance.disclosures.models import (
    ContactMethod,
    Disclosure,
    DisclosureSource,
    MandatedReport,
    MandatedReportVersion,
    ReportKind,
)
from alliance.disclosures.selectors import ReportNotFound, report_detail
from alliance.disclosures.services import (
    ContactValues,
    report_addendum_add,
    report_create,
    report_save,
    report_sign,
)
from alliance.notes.models import NoteTemplate
from alliance.notes.services import note_create
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.stepup import StepUpFailed
from tests.disclosures.conftest import complete_draft
from tests.personas import PASSWORD, Clinic


def test_incomplete_report_cannot_be_signed_and_nothing_changes(clinic: Clinic) -> None:
    """SEC-31: an incomplete report is rejected with every missing element named; the draft,
    its version and the accounting stay as they were."""
    author = clinic.therapist_on_team
    report = report_create(actor=author, client=clinic.client_a, kind=ReportKind.DUTY_TO_WARN)
    values = {**DUTY_TO_WARN, "victim": "", "client_informed": False}
    report = report_save(
        actor=author,
        report=report,
        values=values,
        contacts=[ContactValues("County police", None, ContactMethod.PHONE)],
        version=report.version,
    )
    with pytest.raises(ValidationError) as error:
        report_sign(actor=author, report=report, version=report.version, password=PASSWORD)
    missing = error.value.message_dict
    assert set(missing) == {"victim", "client_not_informed_reason", "contacts"}
    assert "when" in missing["contacts"][0]
    after = MandatedReport.objects.get(pk=report.pk)
    assert after.is_draft and after.version == report.version and after.content_hash == ""
    assert not Disclosure.objects.exists()
    assert MandatedReportVersion.objects.filter(report=report).count() == 2


def test_signing_locks_and_writes_one_accounting_row_per_contact(clinic: Clinic) -> None:
    """SEC-31, SEC-29: completion signs and locks the report and creates the accounting rows
    (date, recipient, description, purpose or legal basis) in the same transaction."""
    author = clinic.therapist_on_team
    report = complete_draft(author, clinic.client_a)
    signed = report_sign(actor=author, report=report, version=report.version, password=PASSWORD)
    assert signed.is_signed and signed.content_hash
    rows = list(Disclosure.objects.filter(source_id=signed.pk).order_by("id"))
    assert [r.source_type for r in rows] == [DisclosureSource.MANDATED_REPORT] * 2
    assert "PD-DEMO-0042" in rows[1].recipient and "phone" in rows[1].recipient
    assert all(r.client_id == clinic.client_a.pk and r.by_user_id == author.pk for r in rows)
    assert all("164.512(j)" in r.purpose for r in rows)
    assert all(DUTY_TO_WARN["information_disclosed"] in r.description for r in rows)
    assert report_detail(report=signed).signature_ok
    with pytest.raises(DocumentLocked):
        report_save(
            actor=author, report=signed, values=DUTY_TO_WARN, contacts=[], version=signed.version
        )


def test_psychotherapy_note_is_never_attached(clinic: Clinic) -> None:
    """SEC-31: the author's psychotherapy note for the client is not pulled into the report
    or its accounting; the report holds only what was typed into it."""
    author = clinic.therapist_on_team
    note_create(actor=author, client=clinic.client_a, template=NoteTemplate.PSYCHOTHERAPY)
    report = complete_draft(author, clinic.client_a)
    signed = report_sign(actor=author, report=report, version=report.version, password=PASSWORD)
    assert not Disclosure.objects.filter(source_type=DisclosureSource.PSYCHOTHERAPY_NOTE).exists()
    version = MandatedReportVersion.objects.get(report=signed, version=signed.version)
    assert "psychotherapy" not in str(version.content).lower()


def test_stale_save_writes_nothing(clinic: Clinic) -> None:
    """REL-04: a save from an old version is refused with what is saved now."""
    author = clinic.therapist_on_team
    report = report_create(actor=author, client=clinic.client_a, kind=ReportKind.CHILD_ABUSE)
    report_save(actor=author, report=report, values={"victim": "first"}, contacts=[], version=1)
    with pytest.raises(StaleDraft) as stale:
        report_save(
            actor=author, report=report, values={"victim": "second"}, contacts=[], version=1
        )
    assert stale.value.current.victim == "first"
    assert MandatedReport.objects.get(pk=report.pk).victim == "first"


def test_wrong_password_does_not_sign(clinic: Clinic) -> None:
    """SEC-08: signing needs the password again; a wrong one is audited."""
    author = clinic.therapist_on_team
    report = complete_draft(author, clinic.client_a)
    with pytest.raises(StepUpFailed):
        report_sign(actor=author, report=report, version=report.version, password="nope")
    assert MandatedReport.objects.get(pk=report.pk).is_draft
    assert AuditEvent.objects.filter(outcome="denied", object_id=str(report.pk)).exists()


def test_only_the_author_edits_or_signs(clinic: Clinic) -> None:
    """SEC-31: a supervisor reads the report but cannot write or sign the draft."""
    report = complete_draft(clinic.therapist_on_team, clinic.client_a)
    for actor in (clinic.supervisor, clinic.psychiatrist):
        with pytest.raises(ReportNotFound):
            report_sign(actor=actor, report=report, version=report.version, password=PASSWORD)


def test_contact_in_the_future_is_refused(clinic: Clinic) -> None:
    author = clinic.therapist_on_team
    report = report_create(actor=author, client=clinic.client_a, kind=ReportKind.DUTY_TO_WARN)
    report = report_save(
        actor=author,
        report=report,
        values=DUTY_TO_WARN,
        contacts=duty_to_warn_contacts(timezone.now() + timedelta(days=1)),
        version=report.version,
    )
    with pytest.raises(ValidationError) as error:
        report_sign(actor=author, report=report, version=report.version, password=PASSWORD)
    assert "future" in error.value.message_dict["contacts"][0]


def test_supervisor_adds_an_addendum_to_a_signed_report(
    clinic: Clinic, report: MandatedReport
) -> None:
    addendum = report_addendum_add(
        actor=clinic.supervisor, report=report, text="Reviewed in supervision.", password=PASSWORD
    )
    assert addendum.report_id == report.pk
    with pytest.raises(ReportNotFound):
        report_addendum_add(
            actor=clinic.psychiatrist, report=report, text="Not mine.", password=PASSWORD
        )
