"""Client search (``clients.selectors.client_search`` and the search page)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.audit.models import AuditEvent
from alliance.clients.models import Client
from alliance.clients.selectors import client_search
from alliance.staff.models import User
from alliance.web.search_tokens import KEEP
from tests.conftest import sign_in
from tests.personas import Clinic, make_client

SignIn = Callable[[User], HttpClient]


def found(actor: User, query: str) -> list[int]:
    return [c.pk for c in client_search(actor=actor, query=query).clients]


@pytest.fixture
def registry(clinic: Clinic) -> dict[str, Client]:
    """A few more clients beside client_a (Zoë Núñez, 1990-04-23) and client_b."""
    return {
        "bea": make_client(
            "Beatriz", "Álvarez-Soto", date(1990, 4, 23), mrn="100000011", preferred_name="Bea"
        ),
        "zoe": make_client("Zoe", "Hartmann", date(2001, 11, 5), mrn="100000012"),
        "nunez": make_client("Nuno", "Ezra", date(1975, 6, 30), mrn="100000013"),
    }


@pytest.mark.parametrize(
    "query",
    ["nunez", "NUNEZ", "Núñez", "nÚñEz", "Nun\u0303ez", "zoë núñez", "ZOË", "zoe nun"],
)
def test_case_and_accent_insensitive(query: str, clinic: Clinic, registry: dict) -> None:
    """'nunez' finds Núñez and 'ZOE' finds Zoë, whatever the case and accents of either."""
    assert clinic.client_a.pk in found(clinic.front_desk, query)


def test_upper_case_plain_query_finds_accented_name(clinic: Clinic, registry: dict) -> None:
    """'ZOE' finds both Zoë Núñez and Zoe Hartmann, and nobody else."""
    assert sorted(found(clinic.front_desk, "ZOE")) == sorted(
        [clinic.client_a.pk, registry["zoe"].pk]
    )


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("unez", "a"),  # middle of the last name
        ("oë", "a"),  # end of the first name
        ("alvarez", "bea"),  # first half of a hyphenated name
        ("soto", "bea"),  # second half
        ("bea", "bea"),  # preferred name
        ("triz alv", "bea"),  # parts of two names
        ("hartm", "zoe"),
    ],
)
def test_any_part_of_any_name(
    query: str, key: str, clinic: Clinic, registry: dict[str, Client]
) -> None:
    """Any part of the legal or preferred name finds the client."""
    client = clinic.client_a if key == "a" else registry[key]
    assert client.pk in found(clinic.front_desk, query)


def test_every_word_must_match(clinic: Clinic, registry: dict[str, Client]) -> None:
    """Two words narrow the search: 'zoe hartmann' is only Zoe Hartmann."""
    assert found(clinic.front_desk, "zoe hartmann") == [registry["zoe"].pk]
    assert found(clinic.front_desk, "zoe halvorsen") == []


@pytest.mark.parametrize("query", ["100000001", "1000-00001", " 100000001 "])
def test_by_mrn(query: str, clinic: Clinic, registry: dict) -> None:
    """An MRN finds exactly that client (dashes and spaces are ignored)."""
    assert found(clinic.front_desk, query) == [clinic.client_a.pk]


def test_partial_mrn_finds_nothing(clinic: Clinic, registry: dict) -> None:
    """MRNs are matched whole: a fragment is not a way to list the registry."""
    assert found(clinic.front_desk, "10000000") == []


@pytest.mark.parametrize("query", ["1990-04-23", "04/23/1990", "4/23/1990", "1990-4-23"])
def test_by_date_of_birth(query: str, clinic: Clinic, registry: dict[str, Client]) -> None:
    """A date of birth, as 1990-04-23 or 04/23/1990, finds everyone born that day."""
    assert sorted(found(clinic.front_desk, query)) == sorted(
        [clinic.client_a.pk, registry["bea"].pk]
    )


@pytest.mark.parametrize("query", ["1990-02-30", "13/45/1990"])
def test_impossible_date_finds_nothing(query: str, clinic: Clinic, registry: dict) -> None:
    assert found(clinic.front_desk, query) == []


def test_results_follow_the_access_policy(clinic: Clinic, registry: dict[str, Client]) -> None:
    """SEC-10: a clinician finds only clients of their care teams, by any kind of query."""
    for query in ("nunez", "100000001", "1990-04-23", "zoe"):
        assert clinic.client_a.pk not in found(clinic.therapist_off_team, query), query
        assert found(clinic.therapist_off_team, query) == [], query
    assert found(clinic.therapist_on_team, "zoe") == [clinic.client_a.pk]
    assert found(clinic.therapist_on_team, "1990-04-23") == [clinic.client_a.pk]
    assert found(clinic.supervisor, "nunez") == [clinic.client_a.pk]
    assert found(clinic.therapist_on_team, "halvorsen") == []


def test_search_is_audited_with_the_returned_ids(
    clinic: Clinic, registry: dict[str, Client]
) -> None:
    """SEC-23: the search event names the actor and lists exactly the client ids returned."""
    client_search(actor=clinic.front_desk, query="1990-04-23")
    event = AuditEvent.objects.filter(action="search").latest("seq")
    assert event.actor_id == clinic.front_desk.pk
    assert sorted(event.detail["client_ids"]) == sorted([clinic.client_a.pk, registry["bea"].pk])
    assert event.outcome == "success"


def test_search_that_finds_nobody_is_audited_too(clinic: Clinic) -> None:
    """SEC-23: a search that returns nothing (here: outside the caseload) still leaves a row."""
    client_search(actor=clinic.therapist_off_team, query="nunez")
    event = AuditEvent.objects.filter(action="search").latest("seq")
    assert event.actor_id == clinic.therapist_off_team.pk
    assert event.detail["client_ids"] == []


def test_long_result_lists_are_truncated_and_audited_as_shown(clinic: Clinic) -> None:
    """Only the shown page of results is returned (and audited); the page says there are more."""
    for i in range(55):
        make_client(f"Ola{i}", "Nordmann", date(1980, 1, 1), mrn=f"5{i:08d}")
    result = client_search(actor=clinic.front_desk, query="nordmann")
    assert result.truncated
    assert len(result.clients) == 50
    event = AuditEvent.objects.filter(action="search").latest("seq")
    assert event.detail["client_ids"] == [c.pk for c in result.clients]


def test_results_are_in_name_order_on_both_databases(clinic: Clinic) -> None:
    """Last name, then first name, folded (case and accents ignored), then record number; a
    shorter last name comes before a longer one that starts the same way. The same order on
    SQLite and PostgreSQL, whatever the server's collation."""
    names = [
        ("anna", "De la Cruz"),
        ("Bo", "DE"),
        ("Élodie", "de"),
        ("zed", "Dé"),
        ("Ana", "de-la-cruz"),
        ("Ola", "Deacon"),
        ("Ana", "De la Cruz"),
    ]
    ids = {
        name: make_client(*name, date(1980, 1, 1), mrn=f"7000000{n:02d}").pk
        for n, name in enumerate(names)
    }
    expected = [
        ("Bo", "DE"),
        ("Élodie", "de"),
        ("zed", "Dé"),
        ("Ana", "De la Cruz"),
        ("anna", "De la Cruz"),
        ("Ana", "de-la-cruz"),
        ("Ola", "Deacon"),
    ]

    assert found(clinic.front_desk, "de") == [ids[name] for name in expected]


def test_a_name_change_moves_the_client_in_the_order(clinic: Clinic) -> None:
    from alliance.clients.services import client_update

    first = make_client("Ada", "Aaronson", date(1980, 1, 1), mrn="710000001")
    second = make_client("Ada", "Abbott", date(1980, 1, 1), mrn="710000002")
    assert found(clinic.front_desk, "ada") == [first.pk, second.pk]

    client_update(
        actor=clinic.front_desk,
        client=first,
        values={"legal_last_name": "Zabel"},
        version=first.version,
    )

    assert found(clinic.front_desk, "ada") == [second.pk, first.pk]


# ---------------------------------------------------------------- the search page


URL_IN_PAGE = re.compile(r'(?:href|src|action|formaction)="([^"]*)"')


def searched(http: HttpClient, query: str) -> Any:
    """Type ``query`` into the search form and follow the redirect to the results."""
    return http.post(reverse("web:client_search"), {"q": query}, follow=True)


def results_url(http: HttpClient, query: str) -> str:
    """Where the search form sends the browser for ``query`` (the results, not yet shown)."""
    posted = http.post(reverse("web:client_search"), {"q": query})
    assert posted.status_code == 303
    return str(posted["Location"])


def shown_ids(response: Any) -> list[int] | None:
    result = response.context["result"]
    return None if result is None else [c.pk for c in result.clients]


def search_events() -> int:
    return AuditEvent.objects.filter(action="search").count()


def test_search_page_posts_so_no_phi_is_in_the_url(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-33: the search form posts, and the results' URL carries an opaque token only; a
    query in the URL is not searched or echoed."""
    http = signed_in(clinic.front_desk)
    url = reverse("web:client_search")

    page = http.get(url).content.decode()
    assert '<form method="post" class="search"' in page

    from_url = http.get(url, {"q": "Nunez"})
    assert from_url.status_code == 200
    assert from_url.context["result"] is None
    assert b"Nunez" not in from_url.content
    assert not AuditEvent.objects.filter(action="search").exists()

    posted = searched(http, "Nunez")
    assert posted.status_code == 200
    assert shown_ids(posted) == [clinic.client_a.pk]
    ((location, status),) = posted.redirect_chain
    assert status == 303
    assert re.fullmatch(rf"{url}\?s=[A-Za-z0-9_-]{{22,}}", location), location
    assert "nunez" not in location.lower()
    assert posted.request["PATH_INFO"] == url
    assert posted.request["QUERY_STRING"] == location.partition("?")[2]
    # The result links carry only the record id, never a name or date of birth.
    assert f'href="{reverse("web:client_chart", args=[clinic.client_a.pk])}"' in (
        posted.content.decode()
    )
    assert "no-store" in posted["Cache-Control"]


def test_the_post_redirects_to_a_token_and_searches_nothing_itself(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-33: POST-redirect-GET: a 303 to ``?s=<token>``, the typed text nowhere in it; the
    search (and its audit row) happens when the results are shown."""
    http = signed_in(clinic.front_desk)

    posted = http.post(reverse("web:client_search"), {"q": "Zoë Núñez 1990-04-23"})

    assert posted.status_code == 303
    assert "no-store" in posted["Cache-Control"]
    path, _, query_string = posted["Location"].partition("?")
    assert path == reverse("web:client_search")
    ((name, (token,)),) = parse_qs(query_string).items()
    assert name == "s" and len(token) >= 22
    for typed in ("Zoë", "Núñez", "1990-04-23", "1990"):
        assert typed.lower() not in unquote(posted["Location"]).lower(), typed
    assert search_events() == 0


def test_showing_the_results_is_audited_once_and_reload_shows_them_again(
    clinic: Clinic, signed_in: SignIn, registry: dict[str, Client]
) -> None:
    """SEC-23: each showing of the results writes one search event with the ids it showed; a
    reload (or Back) shows the same results, without posting the form again."""
    http = signed_in(clinic.front_desk)
    url = results_url(http, "1990-04-23")
    expected = sorted([clinic.client_a.pk, registry["bea"].pk])

    first = http.get(url)

    assert first.status_code == 200
    assert sorted(shown_ids(first) or []) == expected
    assert first.context["form"]["q"].value() == "1990-04-23"
    assert search_events() == 1
    event = AuditEvent.objects.get(action="search")
    assert event.actor_id == clinic.front_desk.pk
    assert sorted(event.detail["client_ids"]) == expected

    again = http.get(url)

    assert again.status_code == 200
    assert sorted(shown_ids(again) or []) == expected
    assert "Zoë Núñez" in again.content.decode()
    assert search_events() == 2


def test_an_earlier_search_can_still_be_reached_with_back(
    clinic: Clinic, signed_in: SignIn, registry: dict[str, Client]
) -> None:
    """Each search has its own token: Back to an earlier one shows that one's results."""
    http = signed_in(clinic.front_desk)
    nunez = results_url(http, "nunez")
    hartmann = results_url(http, "hartmann")

    assert shown_ids(http.get(hartmann)) == [registry["zoe"].pk]
    assert shown_ids(http.get(nunez)) == [clinic.client_a.pk]


def test_a_token_from_another_session_has_expired(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-33: the token names a query only in the session that made it: another session (even
    of the same person) gets the empty form, a short message, no results and no search."""
    url = results_url(signed_in(clinic.front_desk), "nunez")

    for other in (signed_in(clinic.front_desk), signed_in(clinic.therapist_on_team)):
        response = other.get(url)

        assert response.status_code == 200
        assert response.context["result"] is None
        page = response.content.decode()
        assert "That search has expired: search again." in page
        assert "Núñez" not in page and "nunez" not in page.lower()
        assert response.context["form"]["q"].value() in (None, "")
    assert search_events() == 0


def test_a_token_is_forgotten_at_sign_out(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-33: sign-out flushes the session, and the searches kept in it with it."""
    http = signed_in(clinic.front_desk)
    url = results_url(http, "nunez")
    assert shown_ids(http.get(url)) == [clinic.client_a.pk]
    http.post(reverse("web:logout"))
    sign_in(http, clinic.front_desk)
    before = search_events()

    response = http.get(url)

    assert response.status_code == 200
    assert response.context["result"] is None
    assert "That search has expired: search again." in response.content.decode()
    assert "Núñez" not in response.content.decode()
    assert search_events() == before


def test_only_the_most_recent_searches_are_kept(clinic: Clinic, signed_in: SignIn) -> None:
    """A session keeps the last few searches; the oldest is forgotten first."""
    http = signed_in(clinic.front_desk)
    urls = [results_url(http, f"nunez{'z' * n}") for n in range(KEEP + 1)]

    assert "That search has expired" in http.get(urls[0]).content.decode()
    assert [http.get(url).context["form"]["q"].value() for url in urls[1:]] == [
        f"nunez{'z' * n}" for n in range(1, KEEP + 1)
    ]


def test_a_search_page_without_a_token_searches_nothing(clinic: Clinic, signed_in: SignIn) -> None:
    """The page on its own (or with an empty token) is the empty form: no search, no message."""
    http = signed_in(clinic.front_desk)
    for response in (http.get(reverse("web:client_search")), http.get("/clients/search/?s=")):
        assert response.status_code == 200
        assert response.context["result"] is None
        assert "expired" not in response.content.decode()
    assert search_events() == 0


@pytest.mark.parametrize("typed", ["Zoë Núñez", "núñez 1990", "100000001", "04/23/1990"])
def test_no_typed_word_is_in_any_url(typed: str, clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-33: neither the redirect nor any link, form or script URL of the results page holds
    a word of what was typed, plain or percent-encoded."""
    http = signed_in(clinic.front_desk)

    response = searched(http, typed)

    assert response.context["result"] is not None
    urls = [location for location, _ in response.redirect_chain]
    urls += URL_IN_PAGE.findall(response.content.decode())
    assert len(urls) > 3
    # Short runs of letters or digits could turn up by chance in the random token.
    words = {w for w in re.split(r"[\s/-]+", typed.lower()) if len(w) > 3 or not w.isascii()}
    assert words
    for url in urls:
        for form in (url.lower(), unquote(url).lower()):
            assert not any(word in form for word in words), (url, words)


def test_search_page_shows_names_and_is_audited(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-23: the page shows the client it found and the audit row lists its id."""
    http = signed_in(clinic.therapist_on_team)
    response = searched(http, "ZOE")
    assert "Zoë Núñez" in response.content.decode()
    event = AuditEvent.objects.get(action="search")
    assert event.detail["client_ids"] == [clinic.client_a.pk]
    assert event.actor_id == clinic.therapist_on_team.pk


def test_search_page_scoped_for_the_therapist_off_team(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-10: therapist_off_team's search for client_a by name, MRN or birth date is empty."""
    http = signed_in(clinic.therapist_off_team)
    for query in ("nunez", clinic.client_a.mrn, "04/23/1990"):
        response = searched(http, query)
        assert response.context["result"].clients == [], query
        assert "Zoë" not in response.content.decode()


def test_caseload_listing_is_audited_with_the_ids_shown(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-23: the caseload on the home page lists names and MRNs: audited like a search."""
    response = signed_in(clinic.therapist_on_team).get(reverse("web:home"))
    assert clinic.client_a.mrn in response.content.decode()
    event = AuditEvent.objects.get(action="search", detail__view="caseload")
    assert event.actor_id == clinic.therapist_on_team.pk
    assert event.detail == {"view": "caseload", "client_ids": [clinic.client_a.pk]}


def test_the_migration_fills_the_sort_key_of_existing_clients(clinic: Clinic) -> None:
    """Clients registered before ``name_sort`` existed get theirs from migration 0006."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from alliance.clients.validation import name_sort_for

    migration = importlib.import_module("alliance.clients.migrations.0006_client_name_sort")
    Client.objects.update(name_sort="")

    migration.fill_name_sort(apps, SimpleNamespace(connection=connection))

    rows = Client.objects.values_list("legal_last_name", "legal_first_name", "name_sort")
    assert rows and all(key == name_sort_for(last, first) for last, first, key in rows)
