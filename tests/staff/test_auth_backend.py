"""``staff.auth_backend.StaffBackend``: the signed-in user loaded by one SQL statement is the
user Django's ``ModelBackend`` loads (same row, same fields), and nobody where it finds
nobody (an unknown or malformed id, an inactive account)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.staff.auth_backend import StaffBackend
from alliance.staff.models import User, licence_facts
from alliance.staff.scope import LicenceFacts
from tests.personas import Clinic

pytestmark = pytest.mark.django_db


def _fields(user: User | None) -> dict[str, object] | None:
    if user is None:
        return None
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_get_user_is_the_user_django_loads(clinic: Clinic) -> None:
    ours, django_s = StaffBackend(), ModelBackend()
    User.objects.filter(pk=clinic.front_desk.pk).update(is_active=False)
    missing = max(User.objects.values_list("pk", flat=True)) + 1
    keys: list[object] = [clinic.therapist_on_team.pk, str(clinic.psychiatrist.pk)]
    keys += [clinic.front_desk.pk, missing]
    for key in keys:
        found = ours.get_user(key)
        assert _fields(found) == _fields(django_s.get_user(key)), key
    therapist = ours.get_user(clinic.therapist_on_team.pk)
    assert therapist is not None and therapist.username == clinic.therapist_on_team.username
    for key in (0, -1, 2**63, "not a number", None):
        assert ours.get_user(key) is None
    with CaptureQueriesContext(connection) as captured:
        ours.get_user(clinic.supervisor.pk)
    assert len(captured.captured_queries) == 1


def test_the_backend_is_configured_after_axes() -> None:
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "alliance.staff.auth_backend.StaffBackend",
    ]


def test_licence_facts_are_the_licences_in_order(clinic: Clinic) -> None:
    for user in User.objects.all():
        expected = [
            LicenceFacts(*row)
            for row in user.licences.order_by("id").values_list(
                "licence_type", "status", "expires_on"
            )
        ]
        assert licence_facts(user.pk) == expected, user.username
    assert any(licence_facts(user.pk) for user in User.objects.all())
