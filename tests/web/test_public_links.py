"""SEC-05, SEC-09 (client links, issue 14 class 3): no bot binds or spends a client's link.

A chat app's link preview sends ``HEAD``, a mail scanner a plain ``GET``; neither may bind a link
to its device or mark it used. Every public URL that takes a token is walked here with both, as a
bot would send them, and the database must be exactly as before; the client can still use the
link afterwards. A new public token URL fails this test until it is added to ``ISSUERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.assessments.links import link_issue
from alliance.assessments.models import SelfCompletionLink
from alliance.assessments.services import link_open
from alliance.audit.models import AuditEvent
from alliance.safety.links import plan_link_create
from alliance.safety.models import SafetyPlanLink
from alliance.staff.enrolment import mfa_invite_issue
from alliance.staff.models import MfaEnrolmentInvite
from alliance.web.gate import Gate, access_of
from tests.personas import Clinic, make_user
from tests.safety.conftest import signed_plan
from tests.web.test_access_matrix import web_patterns

BOT_HEADERS: tuple[dict[str, str], ...] = (
    {"User-Agent": "WhatsApp/2.23.20.0 A"},
    {"User-Agent": "Mozilla/5.0 (compatible; SafeLinks scanner)", "Purpose": "prefetch"},
)


def _plan_link(clinic: Clinic) -> str:
    signed_plan(clinic.therapist_on_team, clinic.client_a)
    return plan_link_create(actor=clinic.therapist_on_team, client=clinic.client_a)[1]


def _measure_link(clinic: Clinic) -> str:
    return link_issue(
        client=clinic.client_a, instrument="gad7", issued_by=clinic.therapist_on_team
    )[1]


def _enrolment_link(clinic: Clinic) -> str:
    """A staff member's two-factor enrolment link (SEC-02): a GET must not spend it either."""
    newcomer = make_user("nadia_newcomer", "front_desk", None)
    return mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)[1]


# URL name -> (makes a fresh link and returns its token, the client's page when still usable)
ISSUERS: dict[str, tuple[Callable[[Clinic], str], str]] = {
    "safety_plan_public": (_plan_link, "Open my safety plan"),
    "questionnaire": (_measure_link, "Send my answers"),
    "mfa_enrol_link": (_enrolment_link, "Confirm my password"),
}


def public_token_routes() -> dict[str, str]:
    """Name -> the URL argument carrying the token, for every ``@public`` view that takes one."""
    found = {}
    for pattern in web_patterns():
        access = access_of(pattern.callback)
        if access is not None and access.gate is Gate.PUBLIC and pattern.pattern.converters:
            (argument,) = pattern.pattern.converters
            found[str(pattern.name)] = argument
    return found


def database_state() -> dict[str, Any]:
    """Row counts of every table, and every column of every client link."""
    state: dict[str, Any] = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed
    }
    state["plan links"] = list(SafetyPlanLink.objects.order_by("pk").values())
    state["measure links"] = list(SelfCompletionLink.objects.order_by("pk").values())
    state["enrolment links"] = list(MfaEnrolmentInvite.objects.order_by("pk").values())
    return state


def test_the_census_finds_every_public_token_route() -> None:
    routes = public_token_routes()
    assert set(routes) == set(ISSUERS), "add the new public link to ISSUERS (issue 14 class 3)"


def test_head_and_get_from_a_bot_change_nothing(clinic: Clinic) -> None:
    for name, argument in public_token_routes().items():
        make, usable_page = ISSUERS[name]
        token = make(clinic)
        path = reverse(f"web:{name}", kwargs={argument: token})
        before = database_state()
        for headers in BOT_HEADERS:
            bot = HttpClient()
            assert bot.head(path, headers=headers).status_code == 200, name
            assert bot.get(path, headers=headers).status_code == 200, name
            assert bot.get(path, headers=headers).status_code == 200, name
        assert database_state() == before, f"{name}: a bot's HEAD or GET wrote to the database"
        assert AuditEvent.objects.count() == before[AuditEvent._meta.label]
        client_page = HttpClient().get(path)
        assert client_page.status_code == 200, name
        assert usable_page in client_page.content.decode(), name


def test_a_questionnaire_link_is_spent_only_by_the_clients_answers(clinic: Clinic) -> None:
    token = _measure_link(clinic)
    path = reverse("web:questionnaire", kwargs={"token": token})
    HttpClient().head(path)
    HttpClient().get(path)
    link = link_open(token=token)
    assert link.used_at is None and link.administration_id is None
