"""REL-05: a form sent twice (a double click, a retry, a reload that posts again) is stored
once, and the copy gets the first one's answer (``FormTokenMiddleware``).

What the token must not do is tested as carefully as what it does: a refused or invalid
submission does not spend it, the refusal's audit row is kept, a server error keeps nothing,
another person's copy is their own, the autosave of a note does not spend it, and nothing
readable is kept in the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.assessments.models import Administration, SelfCompletionLink
from alliance.assessments.services import link_create
from alliance.audit.actions import AuditOutcome
from alliance.audit.models import AuditEvent
from alliance.idempotency.models import FormSubmission
from alliance.idempotency.services import token_new
from alliance.notes.models import Note, NoteTemplate
from alliance.staff.models import User
from alliance.web import middleware
from alliance.web.assessments import views as assessment_views
from tests.notes.conftest import draft
from tests.personas import Clinic

PHQ9 = {f"item_{n}": "1" for n in range(1, 11)}


def give_url(clinic: Clinic) -> str:
    return reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"])


def administrations(clinic: Clinic) -> int:
    return Administration.objects.filter(client=clinic.client_a).count()


@pytest.fixture
def therapist(clinic: Clinic, signed_in: Callable[[User], HttpClient]) -> HttpClient:
    return signed_in(clinic.therapist_on_team)


def test_the_same_questionnaire_sent_twice_is_stored_once(
    clinic: Clinic, therapist: HttpClient
) -> None:
    """REL-05: the second copy changes nothing and gets the first one's redirect."""
    data = {**PHQ9, "form_token": token_new()}

    first = therapist.post(give_url(clinic), data)
    second = therapist.post(give_url(clinic), data)

    assert first.status_code == 302
    assert (second.status_code, second["Location"]) == (first.status_code, first["Location"])
    assert administrations(clinic) == 1


def test_a_form_shown_again_with_errors_does_not_spend_its_token(
    clinic: Clinic, therapist: HttpClient
) -> None:
    """REL-05: the corrected form, sent with the same token, is stored; then only once."""
    token = token_new()
    incomplete = {k: v for k, v in PHQ9.items() if k != "item_3"}

    refused = therapist.post(give_url(clinic), {**incomplete, "form_token": token})
    corrected = therapist.post(give_url(clinic), {**PHQ9, "form_token": token})
    again = therapist.post(give_url(clinic), {**PHQ9, "form_token": token})

    assert refused.status_code == 400
    assert corrected.status_code == 302
    assert again["Location"] == corrected["Location"]
    assert administrations(clinic) == 1


def test_a_refusal_keeps_its_audit_row_and_does_not_spend_the_token(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """REL-05, SEC-23: a refused submission's audit row is committed with the rest of its
    request; only the token is given back."""
    outsider = signed_in(clinic.therapist_off_team)
    denied_before = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count()
    data = {**PHQ9, "form_token": token_new()}

    first = outsider.post(give_url(clinic), data)
    second = outsider.post(give_url(clinic), data)

    assert (first.status_code, second.status_code) == (404, 404)
    assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count() == denied_before + 2
    assert not FormSubmission.objects.exists()
    assert administrations(clinic) == 0


class Broken(Exception):
    pass


def test_a_server_error_keeps_nothing_and_the_form_can_be_sent_again(
    clinic: Clinic, signed_in: Callable[[User], HttpClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """REL-05, REL-06: a view that fails after its service saved leaves nothing behind (the
    request is one transaction with its token), the error page claims nothing it cannot know,
    and the same form sent once the fault is gone is stored once."""
    http = HttpClient(raise_request_exception=False)
    http.cookies = signed_in(clinic.therapist_on_team).cookies
    real = assessment_views.administration_record

    def saved_then_broken(**kwargs: Any) -> Administration:
        real(**kwargs)
        raise Broken

    monkeypatch.setattr(assessment_views, "administration_record", saved_then_broken)
    data = {**PHQ9, "form_token": token_new()}

    failed = http.post(give_url(clinic), data)

    assert failed.status_code == 500
    assert b"not saved" not in failed.content
    assert b"may or may not have been saved" in failed.content
    assert administrations(clinic) == 0
    assert not FormSubmission.objects.exists()

    monkeypatch.setattr(assessment_views, "administration_record", real)
    assert http.post(give_url(clinic), data).status_code == 302
    assert http.post(give_url(clinic), data).status_code == 302
    assert administrations(clinic) == 1


def test_a_form_without_a_token_is_served_as_before(clinic: Clinic, therapist: HttpClient) -> None:
    """Clients that send no token (the admin, scripts) keep working; nothing is recorded."""
    assert therapist.post(give_url(clinic), PHQ9).status_code == 302
    assert therapist.post(give_url(clinic), PHQ9).status_code == 302

    assert administrations(clinic) == 2
    assert not FormSubmission.objects.exists()


def test_another_persons_copy_of_a_token_is_their_own_submission(
    clinic: Clinic, therapist: HttpClient, signed_in: Callable[[User], HttpClient]
) -> None:
    """REL-05: tokens are kept per person: a colleague never gets someone else's answer."""
    data = {**PHQ9, "form_token": token_new()}

    therapist.post(give_url(clinic), data)
    signed_in(clinic.psychiatrist).post(give_url(clinic), data)

    assert administrations(clinic) == 2
    assert FormSubmission.objects.count() == 2


def test_a_page_answer_is_given_back_and_kept_unreadable(
    clinic: Clinic, therapist: HttpClient
) -> None:
    """REL-05: a link is shown once, on the page that answers the form: a copy sent again gets
    that page (the same link), not a second link. The database keeps neither the form's token
    nor the link's: the answer is encrypted under a key only the form's holder has."""
    url = reverse("web:measure_send", args=[clinic.client_a.pk])
    token = token_new()

    first = therapist.post(url, {"instrument": "phq9", "form_token": token})
    second = therapist.post(url, {"instrument": "phq9", "form_token": token})

    assert first.status_code == 200
    assert second.status_code == 200
    assert second.content == first.content
    assert SelfCompletionLink.objects.filter(client=clinic.client_a).count() == 1
    found = re.search(rb"/q/([A-Za-z0-9_-]{20,})/", first.content)
    assert found, "the page shows the link"
    (row,) = FormSubmission.objects.all()
    stored = b"".join([row.scope.encode(), row.digest.encode(), bytes(row.outcome)])
    assert found.group(1) not in stored
    assert token.encode() not in stored
    assert clinic.client_a.legal_last_name.encode() not in stored


def test_a_page_is_not_given_back_once_its_moment_has_passed(
    clinic: Clinic, therapist: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page may show a record: a late copy gets "already sent", not the page (the access
    policy of the day would not have been asked), and still no second link."""
    monkeypatch.setattr(middleware, "REPLAY_PAGE_WITHIN", timedelta(0))
    url = reverse("web:measure_send", args=[clinic.client_a.pk])
    data = {"instrument": "phq9", "form_token": token_new()}

    therapist.post(url, data)
    late = therapist.post(url, data)

    assert late.status_code == 409
    assert b"already sent" in late.content
    assert b"/q/" not in late.content
    assert SelfCompletionLink.objects.filter(client=clinic.client_a).count() == 1


def test_the_note_autosave_does_not_spend_the_form_token(
    clinic: Clinic, therapist: HttpClient
) -> None:
    """The autosave posts the whole form, token included, in the background: that is not
    the form being sent, so the Save button still saves."""
    note = draft(
        clinic.therapist_on_team,
        clinic.client_a,
        template=NoteTemplate.FREE_TEXT,
        content={"text": "First words."},
    )
    url = reverse("web:note_edit", args=[clinic.client_a.pk, note.pk])
    token = token_new()

    autosaved = therapist.post(
        url,
        {"text": "Autosaved words.", "version": note.version, "form_token": token},
        headers={"X-Alliance-Autosave": "1"},
    )
    version = autosaved.json()["version"]
    saved = therapist.post(url, {"text": "Saved words.", "version": version, "form_token": token})

    assert autosaved.status_code == 200
    assert saved.status_code == 302
    assert Note.objects.get(pk=note.pk).content["text"] == "Saved words."
    assert FormSubmission.objects.count() == 1


def test_a_client_sending_their_questionnaire_again_is_told_it_was_saved(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REL-05, issue 14 class 3: the client's copy gets the first answer (the "thank you" page)
    rather than "this link cannot be used"; once that page's moment has passed, a page that
    says it was saved, with the crisis numbers every page turning a client away carries."""
    _link, link_token = link_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, instrument="phq9"
    )
    url = reverse("web:questionnaire", args=[link_token])
    data = {**PHQ9, "form_token": token_new()}
    http = HttpClient()

    first = http.post(url, data)
    again = http.post(url, data)
    monkeypatch.setattr(middleware, "REPLAY_PAGE_WITHIN", timedelta(0))
    late = http.post(url, data)

    assert (first.status_code, again.content) == (200, first.content)
    assert late.status_code == 409
    assert b"already sent" in late.content
    assert b'class="crisis"' in late.content
    assert b"home page" not in late.content
    assert administrations(clinic) == 1
