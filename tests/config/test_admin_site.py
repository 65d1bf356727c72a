"""The configuration site (/config/): opened by capability, sign-out and password audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.audit.actions import AuditAction
from alliance.staff.models import User
from tests.audit.helpers import events_after, last_seq
from tests.personas import PASSWORD, Clinic


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("it_admin", 200),
        ("privacy_officer", 200),
        ("therapist_on_team", 403),
        ("psychiatrist", 403),
        ("front_desk", 403),
        ("intake", 403),
    ],
)
def test_the_configuration_site_opens_by_capability(
    persona: str, status: int, clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-09, SEC-15: configuration capabilities open /config/; is_staff alone decides nothing."""
    response = signed_in(getattr(clinic, persona)).get(reverse("admin:index"))

    assert response.status_code == status


def test_is_staff_without_a_capability_opens_nothing(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-09: a clinician flagged is_staff by mistake still cannot reach configuration."""
    User.objects.filter(pk=clinic.psychiatrist.pk).update(is_staff=True, is_superuser=True)

    response = signed_in(clinic.psychiatrist).get(reverse("admin:index"))

    assert response.status_code == 403


def test_the_admins_sign_out_is_the_audited_sign_out(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-05, SEC-23: signing out from the configuration site is audited and ends the session."""
    http = signed_in(clinic.it_admin)
    session_key = http.cookies[settings.SESSION_COOKIE_NAME].value
    seq = last_seq()

    response = http.post(reverse("admin:logout"))

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert '"storage"' in response["Clear-Site-Data"]
    assert not Session.objects.filter(session_key=session_key).exists()
    assert [(e.action, e.actor_id) for e in events_after(seq)] == [
        (AuditAction.LOGOUT, clinic.it_admin.pk)
    ]


def test_changing_ones_own_password_in_the_admin_is_audited(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-24: a credential change through /config/password_change/ is a recorded change."""
    user = clinic.it_admin
    new = "another-long-passphrase-for-ivan-2026"
    seq = last_seq()

    response = signed_in(user).post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(new)
    (event,) = events_after(seq)
    assert (event.action, event.actor_id, event.object_id) == (
        AuditAction.STAFF_CHANGE,
        user.pk,
        str(user.pk),
    )
    assert event.detail["change"] == "own password changed"
