"""Flags on the caseload and search lists: a fixed number of queries whatever the rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.safety.selectors import flags_by_client
from alliance.staff.models import User
from tests.personas import Clinic, make_client
from tests.safety.conftest import signed_assessment


def more_clients(clinic: Clinic, count: int) -> None:
    start = timezone.localdate() - timedelta(days=10)
    for index in range(count):
        client = make_client(
            "Zed", f"Nunez{index}", date(1980, 1, 1 + index), mrn=f"2000000{index:02d}"
        )
        CareTeamMember.objects.create(
            client=client,
            staff=clinic.therapist_on_team,
            role=CareTeamRole.PRIMARY_CLINICIAN,
            start_on=start,
        )
        signed_assessment(clinic.therapist_on_team, client, level="high")


def queries_for(http: HttpClient, method: str, url: str, **data: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(http, method)(url, data)
    assert response.status_code == 200
    return len(captured)


def test_caseload_and_search_show_flags_in_fixed_queries(
    clinic: Clinic, signed_in: Callable[[User], HttpClient], django_assert_num_queries: Any
) -> None:
    """One flagged client, then seven: the caseload and the search run the same queries."""
    signed_assessment(clinic.therapist_on_team, clinic.client_a, level="high")
    http = signed_in(clinic.therapist_on_team)
    home_one = queries_for(http, "get", "/")
    results = http.post("/clients/search/", {"q": "Nunez"})["Location"]  # the search runs there
    search_one = queries_for(http, "get", results)
    more_clients(clinic, 6)
    with django_assert_num_queries(home_one):
        home = http.get("/")
    with django_assert_num_queries(search_one):
        search = http.get(results)
    assert home.content.decode().count("Suicide risk: high") == 7
    assert search.content.decode().count("Suicide risk: high") == 7


def test_flags_only_for_those_who_may_read_the_chart(clinic: Clinic) -> None:
    signed_assessment(clinic.therapist_on_team, clinic.client_a)
    ids = [clinic.client_a.pk]
    assert flags_by_client(actor=clinic.psychiatrist, client_ids=ids)
    assert flags_by_client(actor=clinic.front_desk, client_ids=ids) == {}
    assert flags_by_client(actor=clinic.therapist_off_team, client_ids=ids) == {}


def test_the_not_improving_list_shows_flags_too(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """Flags appear on every caseload list: the "Not improving" one as well."""
    from alliance.assessments.services import administration_record

    for rest in (0, 3):  # a reliable deterioration on the PHQ-9
        administration_record(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            instrument="phq9",
            answers={str(i): (0 if i == 9 else rest) for i in range(1, 10)},
        )
    signed_assessment(clinic.therapist_on_team, clinic.client_a, level="high")

    page = signed_in(clinic.therapist_on_team).get("/caseload/not-improving/")

    text = page.content.decode()
    assert clinic.client_a.display_name in text
    assert "Suicide risk: high" in text
