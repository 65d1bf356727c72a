"""The access rule for client records (``alliance.access.policy``), through its selector and pages.

Each test drives real requests through the web interface where it can, because the rule only
protects anyone if every page asks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import models
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from freezegun import freeze_time

from alliance.access.models import (
    AccessRestriction,
    BreakGlassGrant,
    BreakGlassReason,
    CareTeamMember,
    CareTeamRole,
    RestrictionReason,
)
from alliance.access.policy import clients_visible_to
from alliance.access.services import break_glass_start, care_team_end, restriction_add
from alliance.assessments.models import MeasurementSchedule
from alliance.audit.models import AuditEvent
from alliance.clients.models import Client, Contact, Episode
from alliance.organisation.models import Program
from alliance.staff.capabilities import Capability
from alliance.staff.disciplines import Discipline, LicenceStatus, LicenceType
from alliance.staff.models import Licence, SupervisionLink, User
from alliance.web.gate import access_of
from tests.personas import PASSWORD, Clinic, make_user
from tests.web.write_matrix_base import post_only

SignIn = Callable[[User], HttpClient]
CLINICAL_SECTIONS = ("Alerts and risk", "Problems", "Treatment plan", "Measures", "Notes and")
TABLES: tuple[type[models.Model], ...] = (
    Client,
    Contact,
    Episode,
    CareTeamMember,
    AccessRestriction,
    BreakGlassGrant,
    SupervisionLink,
)


def visible_ids(actor: User, capability: Capability) -> set[int]:
    return set(clients_visible_to(actor=actor, capability=capability).values_list("pk", flat=True))


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every registry and access table, to prove a request changed nothing."""
    return {m.__name__: list(m.objects.order_by("pk").values_list()) for m in TABLES}


def without_tokens(html: bytes) -> str:
    """A page with its (per-render random) CSRF tokens blanked, for comparing two pages."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def today_iso() -> str:
    return timezone.localdate().isoformat()


def client_form(client: Client, **changes: object) -> dict[str, object]:
    """A complete, valid edit form for ``client`` at its current version."""
    data: dict[str, object] = {
        "legal_first_name": client.legal_first_name,
        "legal_last_name": client.legal_last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "preferred_language": client.preferred_language,
        "version": client.version,
    }
    return data | changes


@pytest.fixture
def caseloads(clinic: Clinic) -> dict[str, Any]:
    """Two clinicians x two clients: the therapist has client_a, a counsellor has client_b.

    Each client has a contact, an episode and a care-team membership to aim at.
    """
    counsellor = make_user("ines_okafor", Discipline.COUNSELOR, LicenceType.LPC)
    start = timezone.localdate() - timedelta(days=10)
    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=counsellor,
        role=CareTeamRole.PRIMARY_CLINICIAN,
        start_on=start,
    )
    objects: dict[str, Any] = {
        "counsellor": counsellor,
        "youth": Program.objects.create(
            organisation=clinic.program.organisation, name="Youth", code="youth"
        ),
    }
    for key, client, clinician in (
        ("a", clinic.client_a, clinic.therapist_on_team),
        ("b", clinic.client_b, counsellor),
    ):
        objects[key] = {
            "client": client,
            "clinician": clinician,
            "contact": Contact.objects.create(
                client=client, name=f"Kin of {client.mrn}", relationship="parent"
            ),
            "episode": Episode.objects.create(
                client=client, program=clinic.program, referral_date=start
            ),
            "member": CareTeamMember.objects.get(client=client, staff=clinician),
        }
    return objects


def writes_on(
    target: dict[str, Any], new_program: Program, psychiatrist: User
) -> list[tuple[str, dict[str, object]]]:
    """A valid POST to each registry page of one client (the membership end comes last).

    Every route that takes a POST, for every persona, is in the write census
    (tests/web/test_write_matrix.py); these are the two-clinician case of SEC-10.
    """
    program_id = target["episode"].program_id
    client = target["client"]
    pk = client.pk
    return [
        (reverse("web:client_edit", args=[pk]), client_form(client, city="Riverton")),
        (
            reverse("web:contact_create", args=[pk]),
            {"name": "New Contact", "relationship": "friend"},
        ),
        (
            reverse("web:contact_edit", args=[pk, target["contact"].pk]),
            {
                "name": "Renamed Contact",
                "relationship": "friend",
                "version": target["contact"].version,
            },
        ),
        (
            reverse("web:episode_create", args=[pk]),
            {"program": new_program.pk, "referral_date": today_iso()},
        ),
        (
            reverse("web:episode_edit", args=[pk, target["episode"].pk]),
            {
                "program": program_id,
                "referral_date": target["episode"].referral_date.isoformat(),
                "admission_date": today_iso(),
                "version": target["episode"].version,
            },
        ),
        (
            reverse("web:care_team", args=[pk]),
            {"staff": psychiatrist.pk, "role": CareTeamRole.PRESCRIBER},
        ),
        (reverse("web:care_team_end", args=[pk, target["member"].pk]), {}),
    ]


def reads_of(target: dict[str, Any]) -> list[str]:
    pk = target["client"].pk
    return [
        reverse("web:client_chart", args=[pk]),
        reverse("web:client_edit", args=[pk]),
        reverse("web:contact_create", args=[pk]),
        reverse("web:contact_edit", args=[pk, target["contact"].pk]),
        reverse("web:episode_create", args=[pk]),
        reverse("web:episode_edit", args=[pk, target["episode"].pk]),
        reverse("web:care_team", args=[pk]),
    ]


# ---------------------------------------------------------------- SEC-10 caseload scoping


def test_clinicians_see_only_their_own_clients(
    clinic: Clinic, caseloads: dict[str, Any], signed_in: SignIn
) -> None:
    """SEC-10: two clinicians x two clients: each opens only their own client's pages."""
    for mine, theirs in (("a", "b"), ("b", "a")):
        http = signed_in(caseloads[mine]["clinician"])
        for url in reads_of(caseloads[mine]):
            assert http.get(url).status_code == 200, url
        for url in reads_of(caseloads[theirs]):
            assert http.get(url).status_code == 404, url


def test_cross_client_answer_is_the_same_as_for_a_missing_client(
    clinic: Clinic, caseloads: dict[str, Any], signed_in: SignIn
) -> None:
    """SEC-10: a client outside one's care looks exactly like a client that does not exist."""
    http = signed_in(clinic.therapist_on_team)
    outside = http.get(reverse("web:client_chart", args=[clinic.client_b.pk]))
    missing = http.get(reverse("web:client_chart", args=[999_999]))
    assert outside.status_code == missing.status_code == 404
    assert without_tokens(outside.content) == without_tokens(missing.content)
    assert b"Halvorsen" not in outside.content


@pytest.mark.parametrize("capability", list(Capability))
def test_selector_returns_no_row_of_the_other_caseload(
    capability: Capability, clinic: Clinic, caseloads: dict[str, Any]
) -> None:
    """SEC-10: clients_visible_to gives zero rows of the other clinician's client."""
    a, b = caseloads["a"], caseloads["b"]
    assert b["client"].pk not in visible_ids(a["clinician"], capability)
    assert a["client"].pk not in visible_ids(b["clinician"], capability)


def test_selector_returns_each_clinicians_own_client(
    clinic: Clinic, caseloads: dict[str, Any]
) -> None:
    """SEC-10: the same filter that hides the other client returns one's own."""
    for key in ("a", "b"):
        mine = caseloads[key]
        assert visible_ids(mine["clinician"], Capability.CHART_READ) == {mine["client"].pk}


def test_cross_client_posts_change_nothing(
    clinic: Clinic, caseloads: dict[str, Any], signed_in: SignIn
) -> None:
    """SEC-10: every write page of another clinician's client is 404 and the DB is unchanged.

    The same requests by the client's own clinician do write, so the 404s are the policy's.
    """
    writes = writes_on(caseloads["b"], caseloads["youth"], clinic.psychiatrist)
    intruder = signed_in(clinic.therapist_on_team)
    before = snapshot()
    for url, data in writes:
        assert intruder.post(url, data).status_code == 404, url
    assert snapshot() == before

    owner = signed_in(caseloads["b"]["clinician"])
    for url, data in writes:
        response = owner.post(url, data)
        assert response.status_code == 302, (url, response.content[:2000])
    assert snapshot() != before


def test_child_objects_of_another_client_cannot_be_reached_through_ones_own_client(
    clinic: Clinic, caseloads: dict[str, Any], signed_in: SignIn
) -> None:
    """SEC-10, SEC-11: a contact, episode or membership of client_b under client_a's URL is 404."""
    a, b = caseloads["a"], caseloads["b"]
    pk = a["client"].pk
    http = signed_in(a["clinician"])
    before = snapshot()
    attempts = [
        (
            reverse("web:contact_edit", args=[pk, b["contact"].pk]),
            {"name": "Moved", "relationship": "friend"},
        ),
        (
            reverse("web:episode_edit", args=[pk, b["episode"].pk]),
            {
                "program": clinic.program.pk,
                "referral_date": b["episode"].referral_date.isoformat(),
                "admission_date": today_iso(),
            },
        ),
        (reverse("web:care_team_end", args=[pk, b["member"].pk]), {}),
    ]
    for url, data in attempts:
        assert http.get(url).status_code in (404, 405), url
        assert http.post(url, data).status_code == 404, url
    assert snapshot() == before


def test_search_does_not_find_the_other_caseload(
    clinic: Clinic, caseloads: dict[str, Any], signed_in: SignIn
) -> None:
    """SEC-10: search obeys the same rule as the chart."""
    http = signed_in(clinic.therapist_on_team)
    response = http.post(reverse("web:client_search"), {"q": "Halvorsen"}, follow=True)
    assert response.status_code == 200
    assert response.context["result"].clients == []
    assert clinic.client_b.mrn.encode() not in response.content


# ---------------------------------------------------------------- SEC-13 deny beats allow


PLACEHOLDER_ID = 999_999


def client_routes(client: Client, contact: Contact, episode: Episode) -> list[tuple[str, str]]:
    """(method, url) for every page under /clients/<id>/, found through the URL resolver."""
    member = CareTeamMember.objects.filter(client=client).first()
    ids = {
        "client_id": client.pk,
        "contact_id": contact.pk,
        "episode_id": episode.pk,
        "member_id": member.pk if member else 0,
        "code": "phq9",
        "schedule_id": MeasurementSchedule.objects.create(
            client=client,
            instrument="phq9",
            every_days=14,
            next_due_on=timezone.localdate(),
            created_by=member.staff if member else User.objects.first(),
        ).pk,
    }
    routes = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif namespace == "web" and str(entry.pattern).startswith("clients/<int:client_id>"):
                params = list(entry.pattern.converters)
                # Child ids of other apps: any id will do, the client check comes first.
                kwargs = {p: ids.get(p, PLACEHOLDER_ID) for p in params}
                url = reverse(f"web:{entry.name}", kwargs=kwargs)
                # POST-only pages are refused before the lookup on GET; ask them properly.
                # The view says which it is, as in the write census (tests/web/test_write_matrix).
                method = "post" if post_only(entry.callback) else "get"
                routes.append((method, url))

    walk(get_resolver().url_patterns, None)
    assert len(routes) >= 8, routes
    return routes


def expected_when_denied(user: User, url: str) -> int:
    """404 where the persona's role reaches the page at all; the role gate's 403 elsewhere."""
    access = access_of(resolve(url).func)
    assert access is not None
    return 404 if any(user.has_capability(c) for c in access.capabilities) else 403


def restrict(clinic: Clinic, staff: User, client: Client) -> None:
    restriction_add(
        actor=clinic.privacy_officer,
        client=client,
        staff=staff,
        reason=RestrictionReason.RELATIVE,
        note="Synthetic: sister-in-law",
    )


def give_live_grant(clinic: Clinic) -> User:
    """therapist_off_team breaks the glass on client_a; the grant is live now."""
    break_glass_start(
        actor=clinic.therapist_off_team,
        mrn=clinic.client_a.mrn,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Crisis call, primary clinician on leave",
        password=PASSWORD,
    )
    return clinic.therapist_off_team


def make_staff_client(clinic: Clinic, name: str) -> User:
    """The persona is also a client: their own record is client_a (they sit on its team)."""
    user: User = getattr(clinic, name)
    Client.objects.filter(pk=clinic.client_a.pk).update(staff_account=user)
    return user


# Each scenario sets up an allow for client_a, then a deny, and returns the denied persona.
DENY_SCENARIOS: dict[str, Callable[[Clinic], User]] = {
    "restriction beats care-team membership": lambda c: (
        restrict(c, c.therapist_on_team, c.client_a) or c.therapist_on_team
    ),
    "restriction beats supervision": lambda c: (
        restrict(c, c.supervisor, c.client_a) or c.supervisor
    ),
    "restriction beats a live break-the-glass grant": lambda c: (
        restrict(c, give_live_grant(c), c.client_a) or c.therapist_off_team
    ),
    "restriction beats registry-wide front desk": lambda c: (
        restrict(c, c.front_desk, c.client_a) or c.front_desk
    ),
    "restriction beats registry-wide intake": lambda c: (
        restrict(c, c.intake, c.client_a) or c.intake
    ),
    "own record: staff_account on the care team": lambda c: make_staff_client(c, "psychiatrist"),
    "own record: staff_account at the front desk": lambda c: make_staff_client(c, "front_desk"),
}
ALLOWED_BEFORE = {
    "restriction beats care-team membership": "therapist_on_team",
    "restriction beats supervision": "supervisor",
    "restriction beats a live break-the-glass grant": None,  # the grant is the allow
    "restriction beats registry-wide front desk": "front_desk",
    "restriction beats registry-wide intake": "intake",
    "own record: staff_account on the care team": "psychiatrist",
    "own record: staff_account at the front desk": "front_desk",
}


@pytest.mark.parametrize("scenario", list(DENY_SCENARIOS))
def test_explicit_deny_beats_every_allow(scenario: str, clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-13: an AccessRestriction, or the record being one's own, gives 404 on every route."""
    contact = Contact.objects.create(client=clinic.client_a, name="Kin", relationship="parent")
    episode = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=timezone.localdate()
    )
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    persona = ALLOWED_BEFORE[scenario]
    if persona:  # the allow is real before the deny arrives
        assert signed_in(getattr(clinic, persona)).get(chart).status_code == 200

    denied = DENY_SCENARIOS[scenario](clinic)
    denied = User.objects.get(pk=denied.pk)

    http = signed_in(denied)
    before = snapshot()
    for method, url in client_routes(clinic.client_a, contact, episode):
        response = getattr(http, method)(url)
        assert response.status_code == expected_when_denied(denied, url), (method, url)
        assert b"N\xc3\xba\xc3\xb1ez" not in response.content  # "Núñez"
    assert snapshot() == before
    for capability in Capability:
        assert clinic.client_a.pk not in visible_ids(denied, capability), capability
    if denied.has_capability(Capability.CLIENT_SEARCH):
        found = http.post(reverse("web:client_search"), {"q": "nunez"}, follow=True)
        found = found.context["result"]
        assert found.clients == []


def test_restriction_also_refuses_a_new_break_the_glass(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-13, SEC-22: a restricted clinician cannot break the glass into that record."""
    restrict(clinic, clinic.therapist_off_team, clinic.client_a)
    response = signed_in(clinic.therapist_off_team).post(
        reverse("web:break_glass"),
        {
            "mrn": clinic.client_a.mrn,
            "reason_code": BreakGlassReason.EMERGENCY_CARE,
            "reason_text": "Client at risk, team unreachable",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "No chart can be opened" in str(response.context["form"].errors["mrn"])
    assert not BreakGlassGrant.objects.exists()


def test_lifted_restriction_restores_access(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-13: the deny is what removed access; lifting it gives the care-team access back."""
    restrict(clinic, clinic.therapist_on_team, clinic.client_a)
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    http = signed_in(clinic.therapist_on_team)
    assert http.get(chart).status_code == 404
    AccessRestriction.objects.update(lifted_at=timezone.now())
    assert http.get(chart).status_code == 200


# ---------------------------------------------------------------- SEC-15 no superuser access


@pytest.mark.parametrize("capability", list(Capability))
def test_it_admin_superuser_sees_no_client(capability: Capability, clinic: Clinic) -> None:
    """SEC-15: is_superuser gives no clinical access: clients_visible_to is empty."""
    assert clinic.it_admin.is_superuser
    assert visible_ids(clinic.it_admin, capability) == set()


def test_it_admin_superuser_cannot_open_client_pages(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-15: chart, edit and search are refused to the superuser, even on a care team."""
    # Even a membership written straight into the table (the UI refuses it) opens nothing.
    CareTeamMember.objects.create(
        client=clinic.client_a, staff=clinic.it_admin, role=CareTeamRole.CASE_MANAGER
    )
    http = signed_in(clinic.it_admin)
    for client in (clinic.client_a, clinic.client_b):
        for name in ("web:client_chart", "web:client_edit", "web:care_team"):
            response = http.get(reverse(name, args=[client.pk]))
            assert response.status_code in (403, 404), name
            assert client.legal_last_name.encode() not in response.content
    assert http.get(reverse("web:client_search")).status_code in (403, 404)
    response = http.post(reverse("web:client_search"), {"q": "nunez"})
    assert response.status_code in (403, 404)
    assert b"N\xc3\xba\xc3\xb1ez" not in response.content
    assert http.get(reverse("web:break_glass")).status_code == 403
    for capability in Capability:
        assert visible_ids(clinic.it_admin, capability) == set()


def test_configuration_site_holds_no_client_records(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-15: the admin that IT may use has no page for clients, contacts or care teams."""
    http = signed_in(clinic.it_admin)
    assert http.get("/config/").status_code == 200
    for path in (
        "/config/clients/client/",
        f"/config/clients/client/{clinic.client_a.pk}/change/",
        "/config/clients/contact/",
        "/config/access/careteammember/",
        "/config/access/breakglassgrant/",
    ):
        assert http.get(path).status_code == 404, path


# ---------------------------------------------------------------- SEC-07 revocation


def test_ending_a_membership_takes_effect_on_the_next_request(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-07: the therapist's open session loses client_a as soon as the membership ends."""
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    therapist = signed_in(clinic.therapist_on_team)
    assert therapist.get(chart).status_code == 200
    assert therapist.get(reverse("web:home")).context["rows"]

    member = CareTeamMember.objects.get(client=clinic.client_a, staff=clinic.therapist_on_team)
    end = reverse("web:care_team_end", args=[clinic.client_a.pk, member.pk])
    assert signed_in(clinic.psychiatrist).post(end).status_code == 302

    assert therapist.get(chart).status_code == 404
    assert therapist.get(reverse("web:home")).context["rows"] == []
    # Her supervisor's access came through her membership, so it ends too.
    assert signed_in(clinic.supervisor).get(chart).status_code == 404


def test_deactivated_account_is_signed_out_on_the_next_request(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-07: deactivating an account ends its open session at once."""
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    therapist = signed_in(clinic.therapist_on_team)
    assert therapist.get(chart).status_code == 200
    User.objects.filter(pk=clinic.therapist_on_team.pk).update(is_active=False)
    response = therapist.get(chart)
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert therapist.get(reverse("web:home"))["Location"] == "/login/"


def test_revoked_licence_removes_licensed_capabilities_on_the_next_request(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-07: a licence revoked mid-session closes the pages it opened at the next request."""
    therapist = signed_in(clinic.therapist_on_team)
    assert therapist.get(reverse("web:break_glass")).status_code == 200
    Licence.objects.filter(staff=clinic.therapist_on_team).update(status=LicenceStatus.REVOKED)
    assert therapist.get(reverse("web:break_glass")).status_code == 403
    assert therapist.get(reverse("web:care_team", args=[clinic.client_a.pk])).status_code == 403
    # Reading the chart is not licensed: it stays.
    assert therapist.get(reverse("web:client_chart", args=[clinic.client_a.pk])).status_code == 200


# ---------------------------------------------------------------- supervision


def test_supervision_gives_access_to_supervisees_clients(clinic: Clinic, signed_in: SignIn) -> None:
    """The supervisor opens client_a (their supervisee's client) and nothing else."""
    supervisor = clinic.supervisor
    assert not CareTeamMember.objects.filter(staff=supervisor).exists()
    assert visible_ids(supervisor, Capability.CHART_READ) == {clinic.client_a.pk}
    http = signed_in(supervisor)
    assert http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).status_code == 200
    assert http.get(reverse("web:client_chart", args=[clinic.client_b.pk])).status_code == 404


def test_ended_supervision_ends_that_access(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-07: the supervisor's access lasts only as long as the supervision link."""
    http = signed_in(clinic.supervisor)
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    assert http.get(chart).status_code == 200
    SupervisionLink.objects.filter(supervisor=clinic.supervisor).update(end_on=timezone.localdate())
    assert http.get(chart).status_code == 404
    assert visible_ids(clinic.supervisor, Capability.CHART_READ) == set()


def test_supervisor_is_not_someone_elses_supervisor(clinic: Clinic) -> None:
    """Supervision reaches the supervisee's clients, not the clients of the supervisee's peers."""
    assert visible_ids(clinic.psychiatrist, Capability.CHART_READ) == {clinic.client_a.pk}
    SupervisionLink.objects.create(
        supervisor=clinic.psychiatrist, supervisee=clinic.therapist_off_team
    )
    assert visible_ids(clinic.psychiatrist, Capability.CHART_READ) == {clinic.client_a.pk}
    assert clinic.client_b.pk not in visible_ids(clinic.psychiatrist, Capability.CHART_READ)


# ---------------------------------------------------------------- break the glass


def test_break_the_glass_opens_the_chart_until_the_grant_expires(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-22: a grant opens exactly one chart, for BREAK_GLASS_DURATION, then it is 404 again."""
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    other = reverse("web:client_chart", args=[clinic.client_b.pk])
    actor = clinic.therapist_off_team
    with freeze_time(start):
        http = signed_in(actor)
        assert http.get(chart).status_code == 404
        response = http.post(
            reverse("web:break_glass"),
            {
                "mrn": clinic.client_a.mrn,
                "reason_code": BreakGlassReason.CRISIS_CALL,
                "reason_text": "Crisis call, primary clinician on leave",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == chart
        opened = http.get(chart)
        assert opened.status_code == 200
        assert b"emergency access" in opened.content
        assert http.get(other).status_code == 404
        event = AuditEvent.objects.filter(
            action="chart_view", actor=actor, outcome="success"
        ).latest("seq")
        assert (event.client_id, event.purpose) == (clinic.client_a.pk, "BTG")
    # Sessions time out after 15 idle minutes, so each later moment signs in afresh.
    with freeze_time(start + timedelta(minutes=59)):
        assert signed_in(User.objects.get(pk=actor.pk)).get(chart).status_code == 200
    with freeze_time(start + timedelta(minutes=60)):
        assert signed_in(User.objects.get(pk=actor.pk)).get(chart).status_code == 404
        assert clinic.client_a.pk not in visible_ids(actor, Capability.CHART_READ)


def test_break_the_glass_needs_the_capability(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-22: the peer specialist (no BREAK_GLASS) cannot start a grant."""
    response = signed_in(clinic.peer_specialist).post(
        reverse("web:break_glass"),
        {
            "mrn": clinic.client_b.mrn,
            "reason_code": BreakGlassReason.CRISIS_CALL,
            "reason_text": "Crisis call, primary clinician on leave",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 403
    assert not BreakGlassGrant.objects.exists()


# ---------------------------------------------------------------- scope: expired licence


def test_expired_licence_removes_diagnose_and_break_glass_at_once(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-07: a licence is good through its expiry day; the next day the licensed
    capabilities (DIAGNOSE, BREAK_GLASS) are gone, with no job to run (staff.scope)."""
    day = datetime(2030, 6, 1, 10, 0, tzinfo=timezone.get_current_timezone())
    Licence.objects.filter(staff=clinic.therapist_on_team).update(expires_on=day.date())
    with freeze_time(day):
        therapist = User.objects.get(pk=clinic.therapist_on_team.pk)
        assert {Capability.DIAGNOSE, Capability.BREAK_GLASS} <= therapist.capabilities()
        assert signed_in(therapist).get(reverse("web:break_glass")).status_code == 200
    with freeze_time(day + timedelta(days=1)):
        therapist = User.objects.get(pk=clinic.therapist_on_team.pk)
        held = therapist.capabilities()
        assert Capability.DIAGNOSE not in held
        assert Capability.BREAK_GLASS not in held
        assert Capability.CHART_READ in held  # not licensed: the chart stays open
        http = signed_in(therapist)
        assert http.get(reverse("web:break_glass")).status_code == 403
        assert http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).status_code == 200


def test_expired_licence_stops_a_break_the_glass_in_the_service(clinic: Clinic) -> None:
    """SEC-22: the service itself refuses once the licence has lapsed, not only the page."""
    from alliance.access.policy import AccessDenied

    Licence.objects.filter(staff=clinic.therapist_off_team).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(AccessDenied):
        break_glass_start(
            actor=User.objects.get(pk=clinic.therapist_off_team.pk),
            mrn=clinic.client_a.mrn,
            reason_code=BreakGlassReason.CRISIS_CALL,
            reason_text="Crisis call, primary clinician on leave",
            password=PASSWORD,
        )
    assert not BreakGlassGrant.objects.exists()


# ---------------------------------------------------------------- registry-only roles


def test_front_desk_sees_every_registry_but_no_clinical_section(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-12: the front desk opens every client's registry page, never a clinical section."""
    front = signed_in(clinic.front_desk)
    for client in (clinic.client_a, clinic.client_b):
        response = front.get(reverse("web:client_chart", args=[client.pk]))
        assert response.status_code == 200
        assert client.mrn.encode() in response.content
        assert response.context["chart"].clinical is False
        page = response.content.decode()
        for section in CLINICAL_SECTIONS:
            assert section not in page, section
    assert visible_ids(clinic.front_desk, Capability.DEMOGRAPHICS_READ) == {
        clinic.client_a.pk,
        clinic.client_b.pk,
    }
    assert visible_ids(clinic.front_desk, Capability.CHART_READ) == set()

    # The clinician's view of the same chart has them, so the check above can fail.
    clinician_page = (
        signed_in(clinic.therapist_on_team)
        .get(reverse("web:client_chart", args=[clinic.client_a.pk]))
        .content.decode()
    )
    for section in CLINICAL_SECTIONS:
        assert section in clinician_page, section


def test_front_desk_chart_view_is_audited_as_registry(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-23: a registry view is recorded as such, for operations, not treatment."""
    signed_in(clinic.front_desk).get(reverse("web:client_chart", args=[clinic.client_b.pk]))
    event = AuditEvent.objects.filter(action="chart_view").latest("seq")
    assert event.client_id == clinic.client_b.pk
    assert event.detail == {"view": "registry"}
    assert event.purpose == "HOPERAT"


def test_peer_specialist_sees_only_own_team(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-10: the peer specialist opens client_a (their team) and not client_b."""
    http = signed_in(clinic.peer_specialist)
    assert http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).status_code == 200
    assert http.get(reverse("web:client_chart", args=[clinic.client_b.pk])).status_code == 404
    assert visible_ids(clinic.peer_specialist, Capability.CHART_READ) == {clinic.client_a.pk}
    assert visible_ids(clinic.peer_specialist, Capability.CLIENT_SEARCH) == {clinic.client_a.pk}
    response = http.post(reverse("web:client_search"), {"q": "Halvorsen"}, follow=True)
    assert response.context["result"].clients == []


def test_membership_that_has_not_started_gives_no_access(clinic: Clinic) -> None:
    """A care-team place starting tomorrow opens nothing today; ended yesterday, nothing either."""
    today = timezone.localdate()
    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=clinic.therapist_off_team,
        role=CareTeamRole.THERAPIST,
        start_on=today + timedelta(days=1),
    )
    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=clinic.peer_specialist,
        role=CareTeamRole.PEER_SPECIALIST,
        start_on=today - timedelta(days=9),
        end_on=today,
    )
    assert visible_ids(clinic.therapist_off_team, Capability.CHART_READ) == set()
    assert clinic.client_b.pk not in visible_ids(clinic.peer_specialist, Capability.CHART_READ)


def test_care_team_end_service_ends_access(clinic: Clinic) -> None:
    """SEC-07: the service that ends a membership ends the access it gave, the same day."""
    member = CareTeamMember.objects.get(client=clinic.client_a, staff=clinic.peer_specialist)
    care_team_end(actor=clinic.psychiatrist, member=member)
    assert visible_ids(clinic.peer_specialist, Capability.CHART_READ) == set()


@pytest.mark.parametrize(
    "capability",
    [
        Capability.AUDIT_REVIEW,
        Capability.STAFF_ADMIN,
        Capability.SYSTEM_CONFIG,
        Capability.REGISTRY_WIDE,
        Capability.CLIENT_REGISTER,
    ],
)
def test_capabilities_not_about_a_record_open_no_record(
    capability: Capability, clinic: Clinic
) -> None:
    """SEC-09, SEC-15: asking with a capability that is not about a client's record answers
    "none", even for a holder who (by a write straight to the table) sits on a care team."""
    holders = [u for u in clinic.users.values() if u.has_capability(capability)]
    assert holders
    for holder in holders:
        CareTeamMember.objects.create(
            client=clinic.client_a, staff=holder, role=CareTeamRole.CASE_MANAGER
        )
        assert visible_ids(User.objects.get(pk=holder.pk), capability) == set(), holder


def test_break_the_glass_cannot_be_turned_into_a_permanent_place_on_the_team(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-22: emergency access is time-boxed, so it must not let its holder edit the care team
    (adding themselves would outlive the grant)."""
    actor = give_live_grant(clinic)
    http = signed_in(actor)
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    care_team = reverse("web:care_team", args=[clinic.client_a.pk])
    opened = http.get(chart)
    assert opened.status_code == 200
    assert care_team.encode() not in opened.content  # no link to a page that would be 404
    assert care_team.encode() in signed_in(clinic.psychiatrist).get(chart).content
    assert http.get(care_team).status_code == 404
    response = http.post(care_team, {"staff": actor.pk, "role": CareTeamRole.THERAPIST})
    assert response.status_code == 404
    assert not CareTeamMember.objects.filter(staff=actor).exists()
    assert clinic.client_a.pk not in visible_ids(actor, Capability.CARE_TEAM_EDIT)
    assert clinic.client_a.pk in visible_ids(actor, Capability.CHART_READ)
