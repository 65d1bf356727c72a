"""The audit table is append-only in the database itself, and read-only in the admin (SEC-25)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.models import AuditEvent
from alliance.audit.services import audit_record
from alliance.core.dbguards import APPEND_ONLY_MESSAGE
from alliance.staff.models import User
from tests.personas import Clinic

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def events(clinic: Clinic) -> list[AuditEvent]:
    return [
        audit_record(
            actor=clinic.privacy_officer,
            action=AuditAction.AUDIT_REPORT_VIEW,
            purpose=AuditPurpose.OVERSIGHT,
            detail={"n": n},
        )
        for n in range(3)
    ]


def refused(change: Callable[[], object]) -> None:
    """``change`` fails in the database with the guard's message, and leaves no trace."""
    with pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE), transaction.atomic():
        change()


def snapshot() -> list[tuple[object, ...]]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "action", "hash", "detail"))


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_raw_sql_update_is_refused(events: list[AuditEvent]) -> None:
    """SEC-25: an UPDATE written by hand is refused by the database trigger."""
    before = snapshot()

    refused(lambda: raw(f"UPDATE {TABLE} SET action = %s WHERE seq = %s", ["login", 2]))

    assert snapshot() == before


def test_raw_sql_delete_is_refused(events: list[AuditEvent]) -> None:
    """SEC-25: a DELETE written by hand is refused, for one row and for all of them."""
    before = snapshot()

    refused(lambda: raw(f"DELETE FROM {TABLE} WHERE seq = %s", [2]))
    refused(lambda: raw(f"DELETE FROM {TABLE}"))

    assert snapshot() == before


def test_queryset_update_is_refused(events: list[AuditEvent]) -> None:
    """SEC-25: ``QuerySet.update()`` skips ``save()`` and signals, but not the trigger."""
    before = snapshot()

    refused(lambda: AuditEvent.objects.filter(seq=2).update(action=AuditAction.LOGIN))
    refused(lambda: AuditEvent.objects.update(detail={}))

    assert snapshot() == before


def test_queryset_delete_is_refused(events: list[AuditEvent]) -> None:
    """SEC-25: ``QuerySet.delete()`` and ``Model.delete()`` are refused."""
    before = snapshot()

    refused(lambda: AuditEvent.objects.filter(seq=2).delete())
    refused(lambda: AuditEvent.objects.all().delete())
    refused(lambda: AuditEvent.objects.get(seq=3).delete())

    assert snapshot() == before


def test_saving_a_loaded_row_again_is_refused(events: list[AuditEvent]) -> None:
    """SEC-25: editing a row through the ORM (``save()`` issues an UPDATE) is refused."""
    event = AuditEvent.objects.get(seq=1)
    event.outcome = "failure"

    refused(lambda: event.save(update_fields=["outcome"]))

    assert AuditEvent.objects.get(seq=1).outcome == "success"


@pytest.mark.postgres_only
def test_truncate_is_refused_on_postgresql(events: list[AuditEvent]) -> None:
    """SEC-25: TRUNCATE (which row triggers do not see) has its own statement trigger."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    before = snapshot()

    refused(lambda: raw(f"TRUNCATE {TABLE}"))

    assert snapshot() == before


# ------------------------------------------------------------------------- the admin pages


def admin_urls(event: AuditEvent) -> dict[str, str]:
    return {
        "changelist": reverse("admin:audit_auditevent_changelist"),
        "add": reverse("admin:audit_auditevent_add"),
        "change": reverse("admin:audit_auditevent_change", args=[event.pk]),
        "delete": reverse("admin:audit_auditevent_delete", args=[event.pk]),
    }


def test_admin_audit_pages_are_read_only_for_the_privacy_officer(
    events: list[AuditEvent], clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-25: the auditor can list and open events, but not add, change or delete one."""
    http = signed_in(clinic.privacy_officer)
    urls = admin_urls(events[1])
    before = snapshot()

    listing = http.get(urls["changelist"])
    detail = http.get(urls["change"])
    add = http.get(urls["add"])
    posted_add = http.post(urls["add"], {"action": "login"})
    posted_change = http.post(urls["change"], {"action": "login", "outcome": "failure"})
    delete = http.get(urls["delete"])
    posted_delete = http.post(urls["delete"], {"post": "yes"})

    assert listing.status_code == 200
    assert urls["change"] in listing.content.decode()
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content  # a view-only page: no save button
    assert add.status_code == 403
    assert posted_add.status_code == 403
    assert posted_change.status_code == 403
    assert delete.status_code == 403
    assert posted_delete.status_code == 403
    assert snapshot()[: len(before)] == before
    # the two pages that opened were themselves audited (SEC-27), and nothing else was written
    opened = AuditEvent.objects.filter(seq__gt=before[-1][0]).order_by("seq")
    assert [(e.action, e.actor_id, e.detail.get("view")) for e in opened] == [
        (AuditAction.AUDIT_REPORT_VIEW, clinic.privacy_officer.pk, "list"),
        (AuditAction.AUDIT_REPORT_VIEW, clinic.privacy_officer.pk, "event"),
    ]


def test_admin_index_lists_audit_trail_only_for_audit_review(
    events: list[AuditEvent], clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-25: the audit trail appears in the configuration index only with AUDIT_REVIEW."""
    changelist = reverse("admin:audit_auditevent_changelist")

    officer_index = signed_in(clinic.privacy_officer).get(reverse("admin:index"))
    it_index = signed_in(clinic.it_admin).get(reverse("admin:index"))

    assert officer_index.status_code == 200
    assert changelist in officer_index.content.decode()
    assert it_index.status_code == 200
    assert changelist not in it_index.content.decode()


@pytest.mark.parametrize(
    "persona", ["it_admin", "therapist_on_team", "front_desk", "psychiatrist", "intake"]
)
def test_admin_audit_pages_hidden_without_audit_review(
    persona: str,
    events: list[AuditEvent],
    clinic: Clinic,
    signed_in: Callable[[User], HttpClient],
) -> None:
    """SEC-25: without AUDIT_REVIEW, not even a superuser can list or open audit events."""
    http = signed_in(getattr(clinic, persona))

    for name, url in admin_urls(events[1]).items():
        response = http.get(url)
        assert response.status_code == 403, (name, response.status_code)
