"""The database itself refuses changes to signed reports and to the accounting (SEC-29, SEC-31).

Run on SQLite and PostgreSQL: ``update()`` and raw SQL are refused, not only ``save()``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from alliance.disclosures.authorizations import authorization_record
from alliance.disclosures.guards import AUTHORIZATION_FIXED
from alliance.disclosures.models import (
    Authorization,
    Disclosure,
    MandatedReport,
    MandatedReportVersion,
    ReportContact,
)
from tests.disclosures.conftest import complete_draft
from tests.personas import Clinic


def refused(action: object) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        action()  # type: ignore[operator]


def test_accounting_rows_cannot_be_changed_or_deleted(
    clinic: Clinic, report: MandatedReport
) -> None:
    """SEC-29: UPDATE and DELETE of an accounting row are refused by the database."""
    row = Disclosure.objects.filter(source_id=report.pk).first()
    assert row is not None
    refused(lambda: Disclosure.objects.filter(pk=row.pk).update(recipient="someone else"))
    refused(lambda: Disclosure.objects.filter(pk=row.pk).delete())

    def raw_update() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE disclosures_disclosure SET purpose = 'x' WHERE id = %s", [row.pk]
            )

    refused(raw_update)
    assert Disclosure.objects.get(pk=row.pk).recipient == row.recipient


def test_signed_report_and_its_contacts_are_locked(clinic: Clinic, report: MandatedReport) -> None:
    """SEC-31: once signed, nothing of the report or its contacts changes; nothing is deleted."""
    refused(lambda: MandatedReport.objects.filter(pk=report.pk).update(victim="changed"))
    refused(lambda: MandatedReport.objects.filter(pk=report.pk).update(status="draft"))
    refused(lambda: MandatedReport.objects.filter(pk=report.pk).delete())
    contact = report.contacts.first()
    assert contact is not None
    refused(lambda: ReportContact.objects.filter(pk=contact.pk).update(reference="X"))
    refused(lambda: ReportContact.objects.filter(pk=contact.pk).delete())
    refused(lambda: ReportContact.objects.create(report=report, recipient="late addition"))
    refused(lambda: MandatedReportVersion.objects.filter(report=report).update(status="draft"))


def test_draft_keeps_client_author_and_kind(clinic: Clinic) -> None:
    draft = complete_draft(clinic.therapist_on_team, clinic.client_a)
    refused(lambda: MandatedReport.objects.filter(pk=draft.pk).update(client=clinic.client_b))
    refused(lambda: MandatedReport.objects.filter(pk=draft.pk).update(author=clinic.supervisor))
    # The draft's own text may change (through the service normally).
    MandatedReport.objects.filter(pk=draft.pk).update(victim="edited draft")


def test_authorization_only_takes_its_revocation_once(clinic: Clinic) -> None:
    """SEC-17: an authorization is not edited (e.g. widened to other information)."""
    today = timezone.localdate()
    authorization = authorization_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        recipient="Dr. Example",
        purpose="Evaluation",
        covers_psychotherapy_notes=True,
        covers_other="",
        signed_on=today,
        expires_on=today + timedelta(days=30),
    )
    query = Authorization.objects.filter(pk=authorization.pk)
    refused(lambda: query.update(recipient="Someone else"))
    refused(lambda: query.delete())
    query.update(revoked_at=timezone.now(), revoked_by=clinic.therapist_on_team)
    refused(lambda: query.update(revoked_at=None))


def test_database_refuses_a_compound_psychotherapy_authorization(clinic: Clinic) -> None:
    """SEC-17: the non-compound rule is a database constraint too."""
    today = timezone.localdate()
    refused(
        lambda: Authorization.objects.create(
            client=clinic.client_a,
            recipient="Insurer",
            purpose="Claims",
            covers_psychotherapy_notes=True,
            covers_other="treatment summary",
            signed_on=today,
            expires_on=today,
            recorded_by=clinic.therapist_on_team,
        )
    )


def test_every_authorization_column_is_guarded() -> None:
    """A column added later must be listed as fixed or as part of the revocation, or the
    SQLite trigger would let it change silently."""
    columns = {f.column for f in Authorization._meta.concrete_fields}
    assert columns == set(AUTHORIZATION_FIXED) | {"revoked_at", "revoked_by_id", "updated_at"}
