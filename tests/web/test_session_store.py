"""``web.session_store``: Django's database sessions with a prepared read behave as Django's:
a live session loads, an expired or unknown key loads nothing and gets a new key on save."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from alliance.web.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_a_live_session_loads_and_an_expired_one_does_not() -> None:
    store = SessionStore()
    store["alliance_seen_at"] = 123.0
    store.save()
    key = store.session_key

    assert SessionStore(session_key=key)["alliance_seen_at"] == 123.0

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(session_key=key)
    assert expired.load() == {}
    assert expired.session_key is None


def test_an_unknown_key_loads_nothing() -> None:
    store = SessionStore(session_key="x" * 32)
    assert store.load() == {}
    assert store.session_key is None
