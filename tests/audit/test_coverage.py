"""Every route that reads or writes client data writes complete audit rows (SEC-23, SEC-01).

A complete row names one person (actor id and username), the action, the client where there is
one, the purpose of use, the outcome, the request's source address and a UTC time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, CareTeamMember
from alliance.access.services import break_glass_start
from alliance.audit.actions import AuditAction as A
from alliance.audit.actions import AuditOutcome as O
from alliance.audit.actions import AuditPurpose as P
from alliance.audit.models import AuditEvent
from alliance.clients.models import Client, Contact, Episode
from alliance.staff.models import User
from tests.audit.helpers import client_edit_data, events_after, last_seq
from tests.personas import PASSWORD, Clinic

SOURCE = "203.0.113.7"

# An expected row: action, which client ("a", "b", "new" or None), purpose, outcome. A page
# that saves and redirects writes its change and no read (``audit.reads``: nothing was shown);
# registry work (front desk, intake) reads for operations, clinical work for treatment.
Row = tuple[A, str | None, P, O]


@dataclass
class Step:
    persona: str
    method: str
    url: str
    data: dict[str, Any] | None
    expected: list[Row]
    status: int = 200
    follow: bool = False  # follow redirects (the search posts, then shows the results)


def grant(clinic: Clinic) -> BreakGlassGrant:
    return break_glass_start(
        actor=clinic.therapist_off_team,
        mrn=clinic.client_b.mrn,
        reason_code="crisis_call",
        reason_text="Crisis call, the care team cannot be reached",
        password=PASSWORD,
    )


def contact_of(client: Client) -> Contact:
    return Contact.objects.create(client=client, name="Ottoline Brisk", relationship="emergency")


def episode_of(clinic: Clinic) -> Episode:
    return Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=timezone.localdate()
    )


def url(name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=args)


TODAY = "today"

STEPS: dict[str, Callable[[Clinic], Step]] = {
    "chart, clinical": lambda c: Step(
        "therapist_on_team",
        "get",
        url("client_chart", c.client_a.pk),
        None,
        [(A.CHART_VIEW, "a", P.TREATMENT, O.SUCCESS)],
    ),
    "chart, supervisor": lambda c: Step(
        "supervisor",
        "get",
        url("client_chart", c.client_a.pk),
        None,
        [(A.CHART_VIEW, "a", P.TREATMENT, O.SUCCESS)],
    ),
    "chart, registry only": lambda c: Step(
        "front_desk",
        "get",
        url("client_chart", c.client_b.pk),
        None,
        [(A.CHART_VIEW, "b", P.OPERATIONS, O.SUCCESS)],
    ),
    "edit page": lambda c: Step(
        "therapist_on_team",
        "get",
        url("client_edit", c.client_a.pk),
        None,
        [(A.RECORD_VIEW, "a", P.TREATMENT, O.SUCCESS)],
    ),
    "edit saved": lambda c: Step(
        "therapist_on_team",
        "post",
        url("client_edit", c.client_a.pk),
        client_edit_data(c.client_a, city="Lakemont"),
        [(A.CHANGE, "a", P.TREATMENT, O.SUCCESS)],
        302,
    ),
    "register": lambda c: Step(
        "intake",
        "post",
        url("client_create"),
        {
            "legal_first_name": "Perpetua",
            "legal_last_name": "Oakhurst",
            "date_of_birth": "1979-11-05",
            "preferred_language": "English",
        },
        [(A.CREATE, "new", P.OPERATIONS, O.SUCCESS)],
        302,
    ),
    "care team page": lambda c: Step(
        "therapist_on_team",
        "get",
        url("care_team", c.client_a.pk),
        None,
        [(A.RECORD_VIEW, "a", P.TREATMENT, O.SUCCESS)],
    ),
    "care team add": lambda c: Step(
        "therapist_on_team",
        "post",
        url("care_team", c.client_a.pk),
        {"staff": c.supervisor.pk, "role": "supervisor"},
        [(A.CREATE, "a", P.OPERATIONS, O.SUCCESS)],
        302,
    ),
    "care team end": lambda c: Step(
        "therapist_on_team",
        "post",
        url(
            "care_team_end",
            c.client_a.pk,
            CareTeamMember.objects.get(client=c.client_a, staff=c.peer_specialist).pk,
        ),
        {},
        [(A.CHANGE, "a", P.OPERATIONS, O.SUCCESS)],
        302,
    ),
    "contact page": lambda c: Step(
        "therapist_on_team",
        "get",
        url("contact_create", c.client_a.pk),
        None,
        [(A.RECORD_VIEW, "a", P.TREATMENT, O.SUCCESS)],
    ),
    "contact added": lambda c: Step(
        "therapist_on_team",
        "post",
        url("contact_create", c.client_a.pk),
        {"name": "Ottoline Brisk", "relationship": "emergency", "phone": "555-201-3344"},
        [(A.CREATE, "a", P.TREATMENT, O.SUCCESS)],
        302,
    ),
    "contact changed": lambda c: Step(
        "front_desk",
        "post",
        url("contact_edit", c.client_b.pk, contact_of(c.client_b).pk),
        {"name": "Ottoline Brisk-Hale", "relationship": "emergency", "active": "on", "version": 1},
        [(A.CHANGE, "b", P.TREATMENT, O.SUCCESS)],
        302,
    ),
    "episode page": lambda c: Step(
        "intake",
        "get",
        url("episode_create", c.client_a.pk),
        None,
        [(A.RECORD_VIEW, "a", P.OPERATIONS, O.SUCCESS)],
    ),
    "episode opened": lambda c: Step(
        "therapist_on_team",
        "post",
        url("episode_create", c.client_a.pk),
        {"program": c.program.pk, "referral_date": TODAY},
        [(A.CREATE, "a", P.OPERATIONS, O.SUCCESS)],
        302,
    ),
    "episode changed": lambda c: Step(
        "intake",
        "post",
        url("episode_edit", c.client_a.pk, episode_of(c).pk),
        {
            "program": c.program.pk,
            "referral_date": TODAY,
            "admission_date": TODAY,
            "version": 1,
        },
        [(A.CHANGE, "a", P.OPERATIONS, O.SUCCESS)],
        302,
    ),
    "break the glass": lambda c: Step(
        "therapist_off_team",
        "post",
        url("break_glass"),
        {
            "mrn": c.client_b.mrn,
            "reason_code": "crisis_call",
            "reason_text": "Crisis call, the care team cannot be reached",
            "password": PASSWORD,
        },
        [(A.BREAK_GLASS, "b", P.EMERGENCY, O.SUCCESS)],
        302,
    ),
    "chart under emergency access": lambda c: (
        grant(c),
        Step(
            "therapist_off_team",
            "get",
            url("client_chart", c.client_b.pk),
            None,
            [(A.CHART_VIEW, "b", P.EMERGENCY, O.SUCCESS)],
        ),
    )[1],
    "emergency access reviewed": lambda c: Step(
        "privacy_officer",
        "post",
        url("break_glass_review", grant(c).pk),
        {"note": "Justified: crisis call"},
        [(A.BREAK_GLASS_REVIEWED, "b", P.OVERSIGHT, O.SUCCESS)],
        302,
    ),
    "audit report": lambda c: Step(
        "privacy_officer",
        "get",
        url("audit_report"),
        None,
        [(A.AUDIT_REPORT_VIEW, None, P.OVERSIGHT, O.SUCCESS)],
    ),
    "client access report": lambda c: Step(
        "privacy_officer",
        "get",
        url("client_access_report", c.client_a.pk),
        None,
        [(A.AUDIT_REPORT_VIEW, "a", P.OVERSIGHT, O.SUCCESS)],
    ),
    "search": lambda c: Step(
        "therapist_on_team",
        "post",
        url("client_search"),
        {"q": "nunez"},
        [(A.SEARCH, None, P.TREATMENT, O.SUCCESS)],
        follow=True,
    ),
}


def send(http: HttpClient, step: Step) -> Any:
    data = {
        k: timezone.localdate().isoformat() if v == TODAY else v
        for k, v in (step.data or {}).items()
    }
    method = getattr(http, step.method)
    if step.method == "get":
        return method(step.url, REMOTE_ADDR=SOURCE)
    return method(step.url, data, follow=step.follow, REMOTE_ADDR=SOURCE)


def assert_complete(event: AuditEvent, user: User, started: datetime) -> None:
    """SEC-23 field list (E2147-18 7.1.1, 7.1.2, 7.1.6-7.1.9) and SEC-01 (one named person)."""
    assert event.actor_id == user.pk
    assert event.actor_username == user.username
    assert event.action in A.values
    assert event.purpose in P.values
    assert event.outcome in O.values
    assert event.source_address == SOURCE
    stored = AuditEvent.objects.get(seq=event.seq).occurred_at
    assert stored.utcoffset() == timedelta(0)
    assert started <= stored <= datetime.now(UTC)


def client_key(event: AuditEvent, clinic: Clinic) -> str | None:
    known = {clinic.client_a.pk: "a", clinic.client_b.pk: "b"}
    if event.client_id is None:
        return None
    return known.get(event.client_id, "new")


@pytest.mark.parametrize("name", list(STEPS))
def test_each_phi_route_writes_complete_audit_rows(
    name: str, clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23, SEC-01: the route writes exactly the expected rows, each complete."""
    step = STEPS[name](clinic)
    user = getattr(clinic, step.persona)
    http = signed_in(user)
    seq, started = last_seq(), datetime.now(UTC)

    response = send(http, step)

    assert response.status_code == step.status, response.content[:2000]
    rows = events_after(seq)
    assert [(e.action, client_key(e, clinic), e.purpose, e.outcome) for e in rows] == step.expected
    for event in rows:
        assert_complete(event, user, started)


def test_a_new_client_is_named_in_its_creation_event(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23: registering a client records that client and the new record's id."""
    step = STEPS["register"](clinic)
    seq = last_seq()

    send(signed_in(clinic.intake), step)

    created = Client.objects.get(legal_last_name="Oakhurst")
    (event,) = events_after(seq)
    assert event.client_id == created.pk
    assert (event.object_type, event.object_id) == ("clients.Client", str(created.pk))


def test_search_records_the_ids_it_returned(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23: a search records which clients it showed, and only those."""
    http = signed_in(clinic.front_desk)
    seq = last_seq()

    everyone = http.post(url("client_search"), {"q": "1990-04-23"}, follow=True, REMOTE_ADDR=SOURCE)
    nobody = http.post(url("client_search"), {"q": "Quillonby"}, follow=True, REMOTE_ADDR=SOURCE)

    assert everyone.status_code == nobody.status_code == 200
    first, second = events_after(seq)
    assert first.detail["client_ids"] == [clinic.client_a.pk]
    assert second.detail["client_ids"] == []


def test_search_by_a_clinician_records_only_their_clients(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23, SEC-10: the recorded ids are the policy-filtered results, not every match."""
    http = signed_in(clinic.therapist_on_team)
    seq = last_seq()

    http.post(url("client_search"), {"q": "e"}, follow=True, REMOTE_ADDR=SOURCE)

    (event,) = events_after(seq)
    assert event.detail["client_ids"] == [clinic.client_a.pk]


@pytest.mark.parametrize(
    ("persona", "route", "client", "action"),
    [
        ("therapist_off_team", "client_chart", "b", A.CHART_VIEW),
        ("therapist_on_team", "client_chart", "b", A.CHART_VIEW),
        ("peer_specialist", "client_chart", "b", A.CHART_VIEW),
        ("therapist_off_team", "client_edit", "a", A.RECORD_VIEW),
        ("therapist_off_team", "care_team", "a", A.RECORD_VIEW),
        ("it_admin", "client_chart", "a", A.CHART_VIEW),
        ("privacy_officer", "client_chart", "a", A.CHART_VIEW),
        ("it_admin", "client_edit", "a", A.RECORD_VIEW),
    ],
)
def test_denied_attempts_on_a_client_are_recorded(
    persona: str,
    route: str,
    client: str,
    action: A,
    clinic: Clinic,
    signed_in: Callable[[User], HttpClient],
) -> None:
    """SEC-23, SEC-15: opening a client outside one's care is refused and recorded as denied.

    Whether the policy (404) or the role (403) refuses it, the privacy officer sees the try.
    """
    user = getattr(clinic, persona)
    target = clinic.client_a if client == "a" else clinic.client_b
    seq, started = last_seq(), datetime.now(UTC)

    response = signed_in(user).get(url(route, target.pk), REMOTE_ADDR=SOURCE)

    assert response.status_code in (403, 404)
    (event,) = events_after(seq)
    assert (event.action, event.client_id, event.outcome) == (action, target.pk, O.DENIED)
    assert event.object_id == str(target.pk)
    assert_complete(event, user, started)


def test_a_denied_attempt_on_a_missing_client_is_recorded_without_a_client(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23: probing ids that do not exist is recorded too, with the id that was tried."""
    seq = last_seq()

    response = signed_in(clinic.therapist_on_team).get(url("client_chart", 987654))

    assert response.status_code == 404
    (event,) = events_after(seq)
    assert (event.action, event.client_id, event.outcome) == (A.CHART_VIEW, None, O.DENIED)
    assert event.object_id == "987654"


def test_refused_emergency_access_is_recorded(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23, SEC-22: a refused break-the-glass attempt is a high-severity denied row."""
    user = clinic.therapist_off_team
    seq, started = last_seq(), datetime.now(UTC)

    response = signed_in(user).post(
        url("break_glass"),
        {
            "mrn": clinic.client_b.mrn,
            "reason_code": "crisis_call",
            "reason_text": "Crisis call, the care team cannot be reached",
            "password": "not-my-password-at-all",
        },
        REMOTE_ADDR=SOURCE,
    )

    assert response.status_code == 200
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.severity) == (A.BREAK_GLASS_DENIED, O.DENIED, "high")
    assert_complete(event, user, started)
    assert not BreakGlassGrant.objects.exists()


# ------------------------------------------------------------------ sign-in and sign-out


def test_login_is_audited(clinic: Clinic) -> None:
    """SEC-23, SEC-01: a sign-in with the password writes a row naming the person."""
    user = clinic.therapist_on_team
    seq, started = last_seq(), datetime.now(UTC)

    response = HttpClient().post(
        url("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=SOURCE
    )

    assert response.status_code == 302
    (event,) = events_after(seq)
    assert (event.action, event.outcome) == (A.LOGIN, O.SUCCESS)
    assert_complete(event, user, started)


def test_logout_is_audited(clinic: Clinic, signed_in: Callable[[User], HttpClient]) -> None:
    """SEC-23, SEC-01: signing out writes a row naming the person."""
    user = clinic.therapist_on_team
    seq, started = last_seq(), datetime.now(UTC)

    response = signed_in(user).post(url("logout"), REMOTE_ADDR=SOURCE)

    assert response.status_code == 302
    (event,) = events_after(seq)
    assert (event.action, event.outcome) == (A.LOGOUT, O.SUCCESS)
    assert_complete(event, user, started)


def test_a_failed_login_is_audited_with_the_name_tried(clinic: Clinic) -> None:
    """SEC-23: a wrong password writes a denied row with the username that was tried."""
    seq, started = last_seq(), datetime.now(UTC)

    response = HttpClient().post(
        url("login"),
        {"username": "Therapist.On.Team", "password": "wrong-password-here"},
        REMOTE_ADDR=SOURCE,
    )

    assert response.status_code == 200
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.actor_id) == (A.LOGIN_FAILED, O.DENIED, None)
    assert event.actor_username == "therapist.on.team"
    assert event.source_address == SOURCE
    assert started <= event.occurred_at <= datetime.now(UTC)


def test_a_lockout_is_audited(clinic: Clinic) -> None:
    """SEC-23, SEC-04: the attempt that meets a locked account writes a high-severity row."""
    http = HttpClient()
    for _ in range(5):
        http.post(url("login"), {"username": "therapist.on.team", "password": "wrong-password"})
    seq = last_seq()

    response = http.post(
        url("login"), {"username": "therapist.on.team", "password": PASSWORD}, REMOTE_ADDR=SOURCE
    )

    assert response.status_code == 429
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.severity) == (A.LOCKOUT, O.DENIED, "high")
    assert event.actor_username == "therapist.on.team"


def test_every_row_written_by_a_session_names_one_person(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-01: after a working session over many pages, no audit row lacks a named user."""
    for name in STEPS:
        step = STEPS[name](clinic)
        send(signed_in(getattr(clinic, step.persona)), step)

    rows = AuditEvent.objects.all()
    assert rows.count() > len(STEPS)
    assert not rows.filter(actor__isnull=True).exists()
    assert not rows.filter(actor_username="").exists()


# ------------------------------------------------------------ pages that list clients


def test_the_caseload_page_is_audited(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23: the home page lists clients; that query is audited with the ids it showed."""
    user = clinic.therapist_on_team
    seq, started = last_seq(), datetime.now(UTC)

    response = signed_in(user).get(url("home"), REMOTE_ADDR=SOURCE)

    assert clinic.client_a.mrn in response.content.decode()
    # one row per list the page shows: the caseload, the alerts, the unsigned notes, the
    # follow-up tasks and the treatment plan reviews due
    by_view = {e.detail.get("view"): e for e in events_after(seq)}
    assert set(by_view) == {"caseload", "alerts", "unsigned_notes", "follow_ups", "plan_reviews"}
    event = by_view["caseload"]
    assert event.action == A.SEARCH
    assert event.detail["client_ids"] == [clinic.client_a.pk]
    assert_complete(event, user, started)
    assert_complete(by_view["unsigned_notes"], user, started)
    assert_complete(by_view["follow_ups"], user, started)
    assert_complete(by_view["plan_reviews"], user, started)


def test_the_break_glass_queue_is_audited(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-23: opening the emergency-access queue (client names, reasons) is audited."""
    user = clinic.privacy_officer
    grant(clinic)
    seq, started = last_seq(), datetime.now(UTC)

    response = signed_in(user).get(url("break_glass_queue"), REMOTE_ADDR=SOURCE)

    assert clinic.client_b.mrn in response.content.decode()
    (event,) = events_after(seq)
    assert (event.action, event.purpose) == (A.AUDIT_REPORT_VIEW, P.OVERSIGHT)
    assert event.detail["client_ids"] == [clinic.client_b.pk]
    assert_complete(event, user, started)
