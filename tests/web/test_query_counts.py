"""Pages cost the same number of SQL queries whatever the size of the caseload (no N+1)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, BreakGlassReason, CareTeamMember, CareTeamRole
from alliance.clients.models import Client, Contact, Episode
from alliance.organisation.models import Program
from alliance.staff.disciplines import Discipline
from alliance.staff.models import User
from alliance.web.session import SEEN_AT
from tests.personas import Clinic, make_client, make_user

SignIn = Callable[[User], HttpClient]
FEW, MANY = 3, 40
_serial = itertools.count(1)


def queries_for(http: HttpClient, method: str, url: str, data: dict[str, str] | None = None) -> int:
    # Restart the idle clock so that the request does not also refresh the session row.
    session = http.session
    session[SEEN_AT] = time.time()
    session.save()
    with CaptureQueriesContext(connection) as captured:
        response = getattr(http, method)(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def programs(clinic: Clinic, count: int) -> list[Program]:
    org = clinic.program.organisation
    serials = [next(_serial) for _ in range(count)]
    return [
        Program.objects.create(organisation=org, name=f"Program {n}", code=f"prog-{n}")
        for n in serials
    ]


def fill_chart(clinic: Clinic, client: Client, size: int) -> None:
    """``size`` contacts, episodes (in as many programs) and care-team members on one client."""
    start = timezone.localdate() - timedelta(days=100)
    for i, program in enumerate(programs(clinic, size)):
        Contact.objects.create(
            client=client, name=f"Contact {i}", relationship="friend", phone="555-201-0000"
        )
        Episode.objects.create(
            client=client,
            program=program,
            referral_date=start,
            admission_date=start + timedelta(days=1),
            discharge_date=start + timedelta(days=50) if i % 2 else None,
            discharge_reason="completed" if i % 2 else "",
        )
        member = make_user(f"member_{next(_serial)}", Discipline.CASE_MANAGER, None)
        CareTeamMember.objects.create(
            client=client, staff=member, role=CareTeamRole.CASE_MANAGER, start_on=start
        )


def fill_caseload(clinic: Clinic, size: int) -> list[Client]:
    """``size`` clients on the therapist's caseload, each in a program and with a teammate."""
    start = timezone.localdate() - timedelta(days=100)
    clients = []
    for i in range(size):
        client = make_client(
            f"Nadia{i}",
            "Lindqvist",
            date(1980, 1, 1) + timedelta(days=i),
            mrn=f"2{next(_serial):08d}",
        )
        CareTeamMember.objects.create(
            client=client,
            staff=clinic.therapist_on_team,
            role=CareTeamRole.THERAPIST,
            start_on=start,
        )
        CareTeamMember.objects.create(
            client=client, staff=clinic.psychiatrist, role=CareTeamRole.PRESCRIBER, start_on=start
        )
        Episode.objects.create(client=client, program=clinic.program, referral_date=start)
        clients.append(client)
    return clients


def test_chart_queries_do_not_grow_with_the_chart(clinic: Clinic, signed_in: SignIn) -> None:
    """The chart of a client with 40 contacts, episodes and teammates costs what 3 cost."""
    small = make_client("Ilse", "Brandt", date(1979, 3, 3), mrn="300000001")
    large = make_client("Ines", "Brandt", date(1979, 3, 4), mrn="300000002")
    for client in (small, large):
        CareTeamMember.objects.create(
            client=client, staff=clinic.therapist_on_team, role=CareTeamRole.THERAPIST
        )
    fill_chart(clinic, small, FEW)
    fill_chart(clinic, large, MANY)
    http = signed_in(clinic.therapist_on_team)
    url_small = reverse("web:client_chart", args=[small.pk])
    url_large = reverse("web:client_chart", args=[large.pk])
    http.get(url_small)  # warm-up: the first request of a session may touch the session row

    few = queries_for(http, "get", url_small)
    many = queries_for(http, "get", url_large)

    assert many == few, f"{few} queries for {FEW} of each, {many} for {MANY}"
    page = http.get(url_large).content.decode()
    assert page.count("Contact ") >= MANY  # the large chart did render all of them


def test_caseload_queries_do_not_grow_with_the_caseload(clinic: Clinic, signed_in: SignIn) -> None:
    """The caseload home page costs the same for 3 and for 40 clients."""
    fill_caseload(clinic, FEW)
    http = signed_in(clinic.therapist_on_team)
    http.get(reverse("web:home"))
    few = queries_for(http, "get", reverse("web:home"))

    fill_caseload(clinic, MANY - FEW)
    many = queries_for(http, "get", reverse("web:home"))

    rows = http.get(reverse("web:home")).context["rows"]
    assert len(rows) == MANY + 1  # and client_a
    assert many == few, f"{few} queries for {FEW + 1} clients, {many} for {MANY + 1}"


def test_caseload_with_live_emergency_grants_does_not_grow(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """The emergency-access banner on every page costs the same for 1 and for 5 live grants."""
    clients = fill_caseload(clinic, 5)
    CareTeamMember.objects.filter(staff=clinic.therapist_on_team).exclude(
        client=clinic.client_a
    ).update(end_on=timezone.localdate())
    now = timezone.now()

    def grant(client: Client) -> None:
        BreakGlassGrant.objects.create(
            actor=clinic.therapist_on_team,
            client=client,
            reason_code=BreakGlassReason.COVERING,
            reason_text="Covering for an absent colleague today",
            granted_at=now - timedelta(minutes=5),
            expires_at=now + timedelta(minutes=55),
        )

    grant(clients[0])
    http = signed_in(clinic.therapist_on_team)
    http.get(reverse("web:home"))
    few = queries_for(http, "get", reverse("web:home"))
    for client in clients[1:]:
        grant(client)
    many = queries_for(http, "get", reverse("web:home"))
    assert b"Nadia4 Lindqvist" in http.get(reverse("web:home")).content
    assert many == few


def test_search_queries_do_not_grow_with_the_results(clinic: Clinic, signed_in: SignIn) -> None:
    """A search returning 40 clients costs what one returning 3 costs."""
    start = timezone.localdate() - timedelta(days=100)
    extra = programs(clinic, 2)
    for surname, size in (("Achterberg", FEW), ("Oyelaran", MANY)):
        for i in range(size):
            client = make_client(
                f"Kofi{i}", surname, date(1970, 1, 1) + timedelta(days=i), mrn=f"{surname[0]}{i}"
            )
            for program in (clinic.program, *extra):
                Episode.objects.create(client=client, program=program, referral_date=start)
    http = signed_in(clinic.front_desk)
    url = reverse("web:client_search")
    # The form posts and is redirected to the results, where the search runs.
    achterberg = http.post(url, {"q": "achterberg"})["Location"]
    oyelaran = http.post(url, {"q": "oyelaran"})["Location"]
    http.get(achterberg)

    few = queries_for(http, "get", achterberg)
    many = queries_for(http, "get", oyelaran)

    response = http.get(oyelaran)
    assert len(response.context["result"].clients) == MANY
    # Each row shows its open programs, so the page really did read the episodes.
    assert response.content.decode().count(clinic.program.name) == MANY
    assert many == few, f"{few} queries for {FEW} results, {many} for {MANY}"


def test_care_team_page_queries_do_not_grow_with_the_team(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """The care-team page (current and past members, the staff list) does not grow either."""
    small = make_client("Ilse", "Brandt", date(1979, 3, 3), mrn="300000001")
    large = make_client("Ines", "Brandt", date(1979, 3, 4), mrn="300000002")
    fill_chart(clinic, small, FEW)
    CareTeamMember.objects.filter(client=small).update(end_on=timezone.localdate())
    fill_chart(clinic, large, MANY)
    http = signed_in(clinic.intake)
    http.get(reverse("web:care_team", args=[small.pk]))
    few = queries_for(http, "get", reverse("web:care_team", args=[small.pk]))
    # More staff now exist (the large team's), so the staff list is longer too.
    CareTeamMember.objects.filter(client=large).update(end_on=timezone.localdate())
    many = queries_for(http, "get", reverse("web:care_team", args=[large.pk]))
    assert many == few, f"{few} queries for {FEW} members, {many} for {MANY}"
