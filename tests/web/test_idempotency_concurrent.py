"""REL-05: two copies of a form sent at the same moment (a double click) store one record.

On PostgreSQL the copy waits on the token's unique index for the first transaction; on SQLite
it waits to begin its own (``BEGIN IMMEDIATE``), which needs a test database in a file.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.assessments.models import Administration
from alliance.idempotency.models import FormSubmission
from alliance.idempotency.services import token_new
from alliance.web.assessments import views as assessment_views
from tests.conftest import sign_in
from tests.personas import Clinic


@pytest.mark.django_db(transaction=True)
def test_two_copies_sent_at_the_same_moment_store_one_record(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REL-05: a double click sends the second copy while the first is still being saved.
    The copy waits for the first transaction, then gets the first one's redirect: one
    administration, two identical answers."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "an in-memory SQLite test database (shared cache) refuses a second writer at once "
            "('table is locked') instead of waiting for it: set ALLIANCE_TEST_DATABASE_NAME to "
            "a file to run this on SQLite"
        )
    first_saving = threading.Event()
    real = assessment_views.administration_record

    def slow(**kwargs: Any) -> Administration:
        saved = real(**kwargs)
        first_saving.set()
        time.sleep(0.5)  # the first transaction stays open while the copy arrives
        return saved

    monkeypatch.setattr(assessment_views, "administration_record", slow)
    session = sign_in(HttpClient(), clinic.therapist_on_team).cookies
    url = reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"])
    data = {**{f"item_{n}": "1" for n in range(1, 11)}, "form_token": token_new()}
    answers: dict[str, Any] = {}

    def send(which: str) -> None:
        http = HttpClient()
        http.cookies = copy.deepcopy(session)
        try:
            answers[which] = http.post(url, data)
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert first_saving.wait(10), "the first copy never reached its service"
    second = threading.Thread(target=send, args=("second",))
    second.start()
    time.sleep(0.1)
    assert first.is_alive(), "the first copy finished before the second was sent"
    first.join(30)
    second.join(30)

    assert Administration.objects.filter(client=clinic.client_a).count() == 1
    assert answers["first"].status_code == 302
    assert (answers["second"].status_code, answers["second"]["Location"]) == (
        302,
        answers["first"]["Location"],
    )
    assert FormSubmission.objects.count() == 1
