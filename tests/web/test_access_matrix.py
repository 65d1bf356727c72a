"""The route census: every URL of the web interface, for every persona (SEC-09, SEC-14).

``EXPECTED`` is the access matrix written out by hand. The census walks the URL resolver, so a
new page that nobody added to the table fails the suite until someone decides who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone

from alliance.access.models import (
    AccessRestriction,
    BreakGlassGrant,
    BreakGlassReason,
    CareTeamMember,
    RestrictionReason,
)
from alliance.assessments.models import CriticalAlert, MeasurementSchedule
from alliance.assessments.services import link_create
from alliance.clients.models import Contact, Episode
from alliance.staff.models import User
from alliance.web.gate import staff
from tests.personas import Clinic, make_user
from tests.web.matrix_modules import MATRIX_MODULES

Status = int | tuple[int, str]
LOGIN: Status = (302, "/login/")
HOME: Status = (302, "/")
SEARCH: Status = (302, "/clients/search/")
QUEUE: Status = (302, "/privacy/break-glass/")
SCOPE: Status = (302, "/staff/scope-of-practice/")

# Columns of the matrix. ``no_role`` is an account whose discipline grants no capability.
PERSONAS = (
    "anonymous",
    "therapist_on_team",
    "therapist_off_team",
    "psychiatrist",
    "supervisor",
    "peer_specialist",
    "front_desk",
    "intake",
    "privacy_officer",
    "it_admin",
    "no_role",
)


def row(**statuses: Status) -> dict[str, Status]:
    """One row of the matrix; every persona must be named, so no cell is left to a default."""
    assert set(statuses) == set(PERSONAS), f"row must name every persona: {set(PERSONAS)}"
    return statuses


def clinical(*, on: Status, off: Status, peer: Status, registry: Status) -> dict[str, Status]:
    """A client page as seen by the clinicians (``on`` for client_a's team) and registry staff."""
    return row(
        anonymous=LOGIN,
        therapist_on_team=on,
        therapist_off_team=off,
        psychiatrist=on,
        supervisor=on,
        peer_specialist=peer,
        front_desk=registry,
        intake=registry,
        privacy_officer=403,
        it_admin=403,
        no_role=403,
    )


# Requests are GETs on client_a and objects of client_a. 405 means "the gate let the user through
# to a POST-only view"; 404 means "the page exists but this client is outside your care".
EXPECTED: dict[str, dict[str, Status]] = {
    "web:home": row(
        anonymous=LOGIN,
        therapist_on_team=200,
        therapist_off_team=200,
        psychiatrist=200,
        supervisor=200,
        peer_specialist=200,
        front_desk=SEARCH,
        intake=SEARCH,
        privacy_officer=QUEUE,
        it_admin=SCOPE,
        no_role=200,
    ),
    "web:login": row(
        anonymous=200,
        therapist_on_team=HOME,
        therapist_off_team=HOME,
        psychiatrist=HOME,
        supervisor=HOME,
        peer_specialist=HOME,
        front_desk=HOME,
        intake=HOME,
        privacy_officer=HOME,
        it_admin=HOME,
        no_role=HOME,
    ),
    "web:mfa": row(
        anonymous=LOGIN,
        therapist_on_team=HOME,
        therapist_off_team=HOME,
        psychiatrist=HOME,
        supervisor=HOME,
        peer_specialist=HOME,
        front_desk=HOME,
        intake=HOME,
        privacy_officer=HOME,
        it_admin=HOME,
        no_role=HOME,
    ),
    "web:logout": row(
        anonymous=LOGIN,
        therapist_on_team=405,
        therapist_off_team=405,
        psychiatrist=405,
        supervisor=405,
        peer_specialist=405,
        front_desk=405,
        intake=405,
        privacy_officer=405,
        it_admin=405,
        no_role=405,
    ),
    "web:client_search": clinical(on=200, off=200, peer=200, registry=200),
    "web:client_create": clinical(on=403, off=403, peer=403, registry=200),
    "web:client_chart": clinical(on=200, off=404, peer=200, registry=200),
    "web:client_edit": clinical(on=200, off=404, peer=200, registry=200),
    "web:contact_create": clinical(on=200, off=404, peer=200, registry=200),
    "web:contact_edit": clinical(on=200, off=404, peer=200, registry=200),
    "web:episode_create": {
        **clinical(on=200, off=404, peer=403, registry=200),
        "front_desk": 403,
    },
    "web:episode_edit": {
        **clinical(on=200, off=404, peer=403, registry=200),
        "front_desk": 403,
    },
    "web:care_team": {
        **clinical(on=200, off=404, peer=403, registry=200),
        "front_desk": 403,
    },
    "web:care_team_end": {
        **clinical(on=405, off=405, peer=403, registry=405),
        "front_desk": 403,
    },
    "web:measure_choose": clinical(on=200, off=404, peer=200, registry=403),
    "web:measure_give": clinical(on=200, off=404, peer=200, registry=403),
    "web:measure_send": clinical(on=405, off=405, peer=405, registry=403),
    "web:alert_acknowledge": clinical(on=405, off=405, peer=405, registry=403),
    "web:measure_schedule_add": clinical(on=405, off=405, peer=405, registry=403),
    "web:measure_schedule_end": clinical(on=405, off=405, peer=405, registry=403),
    "web:not_improving": clinical(on=200, off=200, peer=200, registry=403),
    # The client's own questionnaire: public by design, reached only through its token.
    "web:questionnaire": row(
        anonymous=200,
        therapist_on_team=200,
        therapist_off_team=200,
        psychiatrist=200,
        supervisor=200,
        peer_specialist=200,
        front_desk=200,
        intake=200,
        privacy_officer=200,
        it_admin=200,
        no_role=200,
    ),
    "web:break_glass": clinical(on=200, off=200, peer=403, registry=403),
    "web:break_glass_queue": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 200,
    },
    "web:break_glass_review": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 405,
    },
    "web:audit_report": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 200,
    },
    "web:audit_find_client": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 405,
    },
    "web:client_access_report": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 200,
    },
    "web:client_restrictions": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 200,
    },
    "web:restriction_lift": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 405,
    },
    "web:scope_of_practice": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 200,
        "it_admin": 200,
    },
    # The configuration site: IT and the privacy officer (SEC-15: it shows no client records).
    "admin:index": {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 200,
        "it_admin": 200,
    },
}

for _module in MATRIX_MODULES:
    EXPECTED.update(_module.EXPECTED)  # type: ignore[arg-type]

# Django's admin index is the one admin page in the census; the rest of it is Django's.
EXTRA_URL_NAMES = ("admin:index",)


def web_patterns() -> list[URLPattern]:
    """Every URL pattern mounted under the ``web`` namespace, found through the resolver."""
    found: list[URLPattern] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif namespace == "web":
                found.append(entry)

    walk(get_resolver().url_patterns, None)
    return found


def census_names() -> list[str]:
    names = []
    for pattern in web_patterns():
        assert pattern.name, f"URL pattern {pattern.pattern} has no name"
        names.append(f"web:{pattern.name}")
    return [*names, *EXTRA_URL_NAMES]


@pytest.fixture
def objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids to fill the URL parameters with: client_a and one object of each kind of client_a."""
    contact = Contact.objects.create(
        client=clinic.client_a, name="Ada Collateral", relationship="parent"
    )
    episode = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=timezone.localdate()
    )
    member = CareTeamMember.objects.get(client=clinic.client_a, staff=clinic.therapist_on_team)
    # An expired grant: it sits in the review queue without opening anything for anyone.
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        actor=clinic.therapist_off_team,
        client=clinic.client_b,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Crisis call, care team unreachable",
        granted_at=now - timedelta(hours=3),
        expires_at=now - timedelta(hours=2),
    )
    # A restriction on someone who has no way into client_a anyway: it changes no other cell.
    restriction = AccessRestriction.objects.create(
        client=clinic.client_a,
        staff=clinic.therapist_off_team,
        reason=RestrictionReason.CONFLICT_OF_INTEREST,
        created_by=clinic.privacy_officer,
    )
    _link, token = link_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, instrument="phq9"
    )
    alert = CriticalAlert.objects.create(
        client=clinic.client_a, instrument="phq9", flags=["phq9_item9_positive"], raised_at=now
    )
    return {
        "client_id": clinic.client_a.pk,
        "restriction_id": restriction.pk,
        "code": "phq9",
        "token": token,
        "alert_id": alert.pk,
        "schedule_id": MeasurementSchedule.objects.create(
            client=clinic.client_a,
            instrument="phq9",
            every_days=14,
            next_due_on=timezone.localdate(),
            created_by=clinic.therapist_on_team,
        ).pk,
        "contact_id": contact.pk,
        "episode_id": episode.pk,
        "member_id": member.pk,
        "grant_id": grant.pk,
        **{k: v for m in MATRIX_MODULES for k, v in m.census_objects(clinic).items()},
    }


def url_for(name: str, objects: dict[str, int | str]) -> str:
    if name in EXTRA_URL_NAMES:
        return reverse(name)
    pattern = next(p for p in web_patterns() if f"web:{p.name}" == name)
    params = list(pattern.pattern.converters)
    unknown = [p for p in params if p not in objects]
    assert not unknown, f"{name}: no census object for URL parameter(s) {unknown}"
    return reverse(name, kwargs={p: objects[p] for p in params})


def outcome(response: HttpResponse) -> Status:
    if response.status_code == 302:
        return (302, response["Location"])
    return response.status_code


def test_every_url_has_an_access_matrix_entry(db: None) -> None:
    """SEC-09, SEC-14: a new URL without an access-matrix entry fails the suite."""
    names = census_names()
    missing = [n for n in names if n not in EXPECTED]
    assert not missing, f"new URL without an access-matrix entry: {missing}"
    stale = [n for n in EXPECTED if n not in names]
    assert not stale, f"access-matrix entries for URLs that no longer exist: {stale}"


def test_census_covers_the_whole_web_namespace(db: None) -> None:
    """The walk finds the pages the brief lists (guards against a walk that finds nothing)."""
    names = set(census_names())
    assert {"web:home", "web:client_chart", "web:care_team_end", "admin:index"} <= names
    assert len(names) == len(census_names()), "two URL patterns share a name"


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(
    persona: str,
    clinic: Clinic,
    objects: dict[str, int],
    signed_in: Callable[[User], HttpClient],
) -> None:
    """SEC-09, SEC-14: each persona gets exactly the matrix's answer on every URL (GET).

    Anonymous requests go to the sign-in page; a user whose discipline grants nothing gets 403
    on every capability page; clients outside one's care are 404.
    """
    if persona == "anonymous":
        http = HttpClient()
    elif persona == "no_role":
        http = signed_in(make_user("nora_norole", "volunteer", None))
    else:
        http = signed_in(getattr(clinic, persona))
    wrong = {}
    for name in census_names():
        url = url_for(name, objects)
        got = outcome(http.get(url))
        want = EXPECTED[name][persona]
        if got != want:
            wrong[name] = f"GET {url}: expected {want}, got {got}"
    assert not wrong, "\n".join(wrong.values())


@pytest.mark.parametrize("name", [n for n in EXPECTED if EXPECTED[n]["anonymous"] == LOGIN])
def test_anonymous_post_goes_to_sign_in(name: str, clinic: Clinic, objects: dict[str, int]) -> None:
    """SEC-09: an anonymous POST changes nothing and lands on the sign-in page."""
    before = CareTeamMember.objects.filter(end_on__isnull=True).count()
    response = HttpClient().post(url_for(name, objects), {"q": "Nunez", "note": "ok"})
    assert outcome(response) == LOGIN
    assert CareTeamMember.objects.filter(end_on__isnull=True).count() == before


# ---------------------------------------------------------------- fail closed


def undeclared_view(request: HttpRequest) -> HttpResponse:
    """A page someone forgot to declare access for."""
    return HttpResponse("client list")


@staff
def declared_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("declared")


class FailClosedUrls:
    """A URLconf with one undeclared view beside the real interface."""

    urlpatterns = [
        path("undeclared/", undeclared_view, name="undeclared"),
        path("declared/", declared_view, name="declared"),
        path("", include("alliance.web.urls")),
    ]


@override_settings(ROOT_URLCONF=FailClosedUrls)
@pytest.mark.parametrize("persona", ["anonymous", "it_admin", "therapist_on_team"])
def test_view_without_access_declaration_is_refused(
    persona: str, clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-09, SEC-14: a view without an access declaration is never served, to anyone."""
    http = HttpClient() if persona == "anonymous" else signed_in(getattr(clinic, persona))
    for method in (http.get, http.post):
        response = method("/undeclared/")
        assert response.status_code == 403
        assert b"client list" not in response.content
    # The same URLconf serves a declared view, so the 403 is the missing declaration's doing.
    if persona != "anonymous":
        assert http.get("/declared/").content == b"declared"
