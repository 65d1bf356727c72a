"""Issue 14 class 3 (client links, SEC-05/SEC-09): only the client's deliberate confirmation of
their date of birth binds the plan link; wrong answers are limited and audited, and every page a
client can land on keeps the crisis numbers dialable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client as HttpClient
from django.urls import reverse

from alliance.audit.models import AuditEvent
from alliance.safety.links import MAX_FAILED_CHECKS, plan_link_create, plan_link_revoke
from alliance.safety.models import SafetyPlanLink, SafetyPlanVersion
from alliance.staff.models import User
from alliance.web.safety.crisis import dialable
from alliance.web.safety.safety_plans import DEVICE_COOKIE
from tests.personas import Clinic

CRISIS = ('href="tel:988"', 'href="sms:988"', 'href="tel:911"')


def _link(clinic: Clinic) -> tuple[SafetyPlanLink, str]:
    link, token = plan_link_create(actor=clinic.therapist_on_team, client=clinic.client_a)
    return link, reverse("web:safety_plan_public", kwargs={"plan_token": token})


def _shows_crisis_numbers(body: str) -> None:
    for href in CRISIS:
        assert href in body, href


def test_head_then_the_clients_confirmation_binds_and_shows_the_plan(
    plan_v1: SafetyPlanVersion, clinic: Clinic
) -> None:
    link, path = _link(clinic)
    phone = HttpClient()
    assert HttpClient().head(path).status_code == 200
    ask = phone.get(path)
    body = ask.content.decode()
    assert ask.status_code == 200 and "Walk by the river" not in body
    assert 'name="date_of_birth"' in body and "csrfmiddlewaretoken" in body
    _shows_crisis_numbers(body)
    assert SafetyPlanLink.objects.get(pk=link.pk).device_hash == ""
    bound = phone.post(path, {"date_of_birth": clinic.client_a.date_of_birth.isoformat()})
    assert bound.status_code == 303 and DEVICE_COOKIE in bound.cookies
    assert SafetyPlanLink.objects.get(pk=link.pk).bound_at is not None
    page = phone.get(path)
    assert page.status_code == 200 and "Walk by the river" in page.content.decode()


def test_the_confirmation_needs_a_csrf_token(plan_v1: SafetyPlanVersion, clinic: Clinic) -> None:
    _link_row, path = _link(clinic)
    strict = HttpClient(enforce_csrf_checks=True)
    refused = strict.post(path, {"date_of_birth": clinic.client_a.date_of_birth.isoformat()})
    assert refused.status_code == 403
    assert SafetyPlanLink.objects.get().device_hash == ""


def test_a_wrong_date_of_birth_is_shown_at_the_field_and_binds_nothing(
    plan_v1: SafetyPlanVersion, clinic: Clinic
) -> None:
    link, path = _link(clinic)
    wrong = clinic.client_a.date_of_birth + timedelta(days=1)
    response = HttpClient().post(path, {"date_of_birth": wrong.isoformat()})
    body = response.content.decode()
    assert response.status_code == 400
    field = body.split('name="date_of_birth"')[0].rsplit('<div class="field', 1)[1]
    assert "has-error" in field and "not the date of birth we have" in body
    assert "Tries left: 4" in body and "Walk by the river" not in body
    assert wrong.isoformat() not in body.split('name="date_of_birth"')[0]
    _shows_crisis_numbers(body)
    row = SafetyPlanLink.objects.get(pk=link.pk)
    assert row.device_hash == "" and row.failed_checks == 1
    denied = AuditEvent.objects.filter(object_type="safety.SafetyPlanLink", outcome="denied")
    assert denied.get().detail["refused"] == "wrong date of birth"


def test_after_the_limit_the_link_is_refused_with_crisis_numbers(
    plan_v1: SafetyPlanVersion, clinic: Clinic
) -> None:
    link, path = _link(clinic)
    wrong = (clinic.client_a.date_of_birth - timedelta(days=365)).isoformat()
    guesser = HttpClient()
    for _ in range(MAX_FAILED_CHECKS - 1):
        assert guesser.post(path, {"date_of_birth": wrong}).status_code == 400
    last = guesser.post(path, {"date_of_birth": wrong})
    assert last.status_code == 403 and "no longer works" in last.content.decode()
    right = {"date_of_birth": clinic.client_a.date_of_birth.isoformat()}
    for response in (HttpClient().post(path, right), HttpClient().get(path)):
        body = response.content.decode()
        assert response.status_code == 403 and "Walk by the river" not in body
        _shows_crisis_numbers(body)
    row = SafetyPlanLink.objects.get(pk=link.pk)
    assert row.device_hash == "" and row.failed_checks == MAX_FAILED_CHECKS
    assert (
        AuditEvent.objects.filter(object_type="safety.SafetyPlanLink", outcome="denied").count()
        == MAX_FAILED_CHECKS + 1
    )


def test_the_bound_device_keeps_working_and_others_are_refused(
    plan_v1: SafetyPlanVersion, clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    link, path = _link(clinic)
    phone = HttpClient()
    right = {"date_of_birth": clinic.client_a.date_of_birth.isoformat()}
    assert phone.post(path, right).status_code == 303
    for _ in range(2):
        assert "Walk by the river" in phone.get(path).content.decode()
    for other in (HttpClient().get(path), HttpClient().post(path, right)):
        body = other.content.decode()
        assert other.status_code == 403 and "another device" in body
        assert "Walk by the river" not in body
        _shows_crisis_numbers(body)
    plan_link_revoke(actor=clinic.therapist_on_team, client=clinic.client_a, link_id=link.pk)
    gone = phone.get(path)
    assert gone.status_code == 404 and "Walk by the river" not in gone.content.decode()
    _shows_crisis_numbers(gone.content.decode())


def test_crisis_numbers_become_dialable_where_they_can() -> None:
    line = dialable("Crisis line", "988 Suicide & Crisis Lifeline: call or text 988")
    assert (line.tel, line.sms) == ("tel:988", "sms:988")
    assert dialable("Clinic", "+1 (555) 010-2000").tel == "tel:+15550102000"
    words = dialable("After hours", "Call the clinic's main number and follow the message")
    assert (words.tel, words.sms) == ("", "")
