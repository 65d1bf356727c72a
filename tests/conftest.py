"""Shared fixtures: the persona clinic and signing a persona in."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY

from alliance.staff.models import TotpDevice, User
from alliance.web.session import AUTH_AT, SEEN_AT
from tests.personas import Clinic, build_clinic


@pytest.fixture
def clinic(db: None) -> Clinic:
    return build_clinic()


def sign_in(http: HttpClient, user: User) -> HttpClient:
    """A fully signed-in session: password and second factor, clocks started now."""
    http.force_login(user)
    device = TotpDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TotpDevice.new_for(user)
        device.confirmed = True
        device.save()
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[AUTH_AT] = session[SEEN_AT] = time.time()
    session.save()
    return http


@pytest.fixture
def signed_in() -> Callable[[User], HttpClient]:
    def make(user: User) -> HttpClient:
        return sign_in(HttpClient(), user)

    return make
