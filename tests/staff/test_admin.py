"""Staff configuration in the admin: privilege and credential changes are audited (SEC-24)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse

from alliance.audit.actions import AuditAction
from alliance.staff.models import User
from tests.audit.helpers import events_after, last_seq
from tests.personas import Clinic

NEW_PASSWORD = "a-fresh-passphrase-for-tess-2026"


def test_setting_a_password_in_the_admin_is_audited_and_ends_old_sessions(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-24, SEC-07: IT sets a colleague's password: audited, and their session ends."""
    colleague = clinic.therapist_on_team
    their_session = signed_in(colleague)
    assert their_session.get("/").status_code == 200
    admin = signed_in(clinic.it_admin)
    url = reverse("admin:auth_user_password_change", args=[colleague.pk])
    seq = last_seq()

    response = admin.post(
        url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=colleague.pk).check_password(NEW_PASSWORD)
    (event,) = events_after(seq)
    assert (event.action, event.actor_id, event.object_id, event.severity) == (
        AuditAction.STAFF_CHANGE,
        clinic.it_admin.pk,
        str(colleague.pk),
        "high",
    )
    assert event.detail == {"change": "password set", "fields": ["password"]}
    assert their_session.get("/")["Location"] == "/login/"


def test_a_refused_password_change_writes_nothing(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-24: a mismatched password form changes nothing and is not recorded as a change."""
    colleague = clinic.therapist_on_team
    url = reverse("admin:auth_user_password_change", args=[colleague.pk])
    seq = last_seq()

    response = signed_in(clinic.it_admin).post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )

    assert response.status_code == 200
    assert not User.objects.get(pk=colleague.pk).check_password(NEW_PASSWORD)
    assert events_after(seq) == []


def test_deactivating_an_account_in_the_admin_is_audited(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-24: switching an account off is a privilege change with the fields named."""
    colleague = clinic.therapist_off_team
    admin = signed_in(clinic.it_admin)
    url = reverse("admin:staff_user_change", args=[colleague.pk])
    seq = last_seq()

    response = admin.post(
        url,
        {
            "username": colleague.username,
            "first_name": colleague.first_name,
            "last_name": colleague.last_name,
            "email": "",
            "phone": "",
            "credentials": "",
            "discipline": colleague.discipline,
            "licences-TOTAL_FORMS": "0",
            "licences-INITIAL_FORMS": "0",
            "licences-MIN_NUM_FORMS": "0",
            "licences-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=colleague.pk).is_active
    changes = [e for e in events_after(seq) if e.action == AuditAction.STAFF_CHANGE]
    assert [e.detail for e in changes] == [{"change": "changed", "fields": ["is_active"]}]


def test_staff_accounts_cannot_be_deleted_in_the_admin(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-01, REL-02: accounts are deactivated, never deleted, so audit rows keep their person."""
    url = reverse("admin:staff_user_delete", args=[clinic.therapist_off_team.pk])

    response = signed_in(clinic.it_admin).post(url, {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=clinic.therapist_off_team.pk).exists()
