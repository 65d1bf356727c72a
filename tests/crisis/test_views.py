"""Crisis pages: start from the chart or an alert, the timeline, disposition and discharge,
follow-up tasks on the home page and the chart, the supervisor's overdue list."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.assessments.models import CriticalAlert
from alliance.audit.models import AuditEvent
from alliance.crisis.models import (
    CrisisAction,
    CrisisEpisode,
    CrisisSource,
    Disposition,
    FollowUpTask,
    TaskKind,
    TaskStatus,
)
from alliance.crisis.services import crisis_action_add, crisis_start
from alliance.staff.models import User
from tests.crisis.conftest import start, to_emergency_department
from tests.personas import Clinic, make_client
from tests.web.test_query_counts import queries_for

SignIn = Callable[[User], HttpClient]
LOCAL = "%Y-%m-%dT%H:%M"


def local_now(minus: timedelta = timedelta(0)) -> str:
    return (timezone.localtime() - minus).strftime(LOCAL)


def episode_url(episode: CrisisEpisode, page: str = "") -> str:
    name = f"web:crisis_{page}" if page else "web:crisis_episode"
    return reverse(name, args=[episode.client_id, episode.pk])


def task_url(task: FollowUpTask) -> str:
    return reverse("web:follow_up", args=[task.client_id, task.pk])


def home_task_ids(http: HttpClient) -> list[int]:
    return [row.task.pk for row in http.get(reverse("web:home")).context["follow_ups"].rows]


# ------------------------------------------------------------------------------- starting


def test_start_from_the_chart(clinic: Clinic, signed_in: SignIn) -> None:
    http = signed_in(clinic.therapist_on_team)
    chart = http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).content.decode()
    assert reverse("web:crisis_start", args=[clinic.client_a.pk]) in chart
    assert "Start a crisis episode" in chart

    response = http.post(
        reverse("web:crisis_start", args=[clinic.client_a.pk]),
        {
            "source": CrisisSource.WALK_IN,
            "started_at": local_now(timedelta(minutes=20)),
            "presenting_concern": "Walked in agitated, hearing voices telling him to leave.",
        },
    )

    episode = CrisisEpisode.objects.get()
    assert response.status_code == 302 and response["Location"] == episode_url(episode)
    assert (episode.source, episode.started_by) == (CrisisSource.WALK_IN, clinic.therapist_on_team)
    page = http.get(episode_url(episode)).content.decode()
    assert "hearing voices" in page and "Caring contact" in page


def test_bad_input_is_shown_next_to_the_field_and_kept(clinic: Clinic, signed_in: SignIn) -> None:
    http = signed_in(clinic.therapist_on_team)
    future = (timezone.localtime() + timedelta(hours=3)).strftime(LOCAL)
    response = http.post(
        reverse("web:crisis_start", args=[clinic.client_a.pk]),
        {"source": CrisisSource.PHONE_CALL, "started_at": future, "presenting_concern": "Typed."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot start in the future" in page
    assert "Typed.</textarea>" in page
    assert not CrisisEpisode.objects.exists()


def test_start_from_an_alert_passes_the_alert_in_the_path(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-33: the alert id is part of the path; no query string carries it."""
    alert = CriticalAlert.objects.create(
        client=clinic.client_a, instrument="phq9", flags=["phq9_item9"], raised_at=timezone.now()
    )
    http = signed_in(clinic.therapist_on_team)
    chart = http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).content.decode()
    link = reverse("web:crisis_from_alert", args=[alert.pk])
    assert link == f"/alerts/{alert.pk}/crisis/new/" and f'href="{link}"' in chart

    form = http.get(link).content.decode()
    assert "PHQ9 critical-item alert" in form and 'name="source"' not in form
    http.post(link, {"started_at": local_now(), "presenting_concern": "Item 9 answered 2."})

    episode = CrisisEpisode.objects.get()
    assert (episode.alert, episode.source) == (alert, CrisisSource.ALERT)


def test_an_alert_of_a_client_outside_ones_care_is_a_404(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-10: and the refused attempt is audited (SEC-23)."""
    alert = CriticalAlert.objects.create(
        client=clinic.client_b, instrument="phq9", flags=["phq9_item9"], raised_at=timezone.now()
    )
    http = signed_in(clinic.therapist_on_team)
    link = reverse("web:crisis_from_alert", args=[alert.pk])
    assert http.get(link).status_code == 404
    assert (
        http.post(link, {"started_at": local_now(), "presenting_concern": "x"}).status_code == 404
    )
    assert not CrisisEpisode.objects.exists()
    assert AuditEvent.objects.filter(object_type="assessments.CriticalAlert", outcome="denied")


# ------------------------------------------------------------------------------ timeline


def test_actions_and_a_correction_on_the_episode_page(clinic: Clinic, signed_in: SignIn) -> None:
    episode = start(clinic)
    http = signed_in(clinic.psychiatrist)
    url = episode_url(episode, "action")
    http.post(url, {"kind": "contact", "occurred_at": local_now(), "text": "Called her mother."})
    first = CrisisAction.objects.get()
    response = http.post(
        url,
        {
            "kind": "contact",
            "occurred_at": local_now(),
            "text": "It was her aunt, not her mother.",
            "corrects": first.pk,
        },
    )
    assert response.status_code == 302

    page = http.get(episode_url(episode)).content.decode()
    assert "Called her mother." in page and "It was her aunt" in page
    assert "corrects the entry of" in page
    assert CrisisAction.objects.get(pk=first.pk).text == "Called her mother."


def test_an_action_refused_keeps_the_text_on_the_episode_page(
    clinic: Clinic, signed_in: SignIn
) -> None:
    episode = start(clinic)
    http = signed_in(clinic.therapist_on_team)
    before = (timezone.localtime(episode.started_at) - timedelta(hours=1)).strftime(LOCAL)
    response = http.post(
        episode_url(episode, "action"),
        {"kind": "intervention", "occurred_at": before, "text": "Safety planning."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be before the crisis episode started" in page
    assert "Safety planning.</textarea>" in page


# --------------------------------------------------------------------- disposition, discharge


def test_disposition_ed_then_discharge_makes_the_follow_up_due(
    clinic: Clinic, signed_in: SignIn
) -> None:
    episode = start(clinic)
    http = signed_in(clinic.therapist_on_team)
    response = http.post(
        episode_url(episode, "close"),
        {"disposition": Disposition.EMERGENCY_DEPARTMENT, "facility": "Riverside General ED"},
    )
    assert response.status_code == 302
    page = http.get(episode_url(episode)).content.decode()
    assert "Record the discharge" in page and "Safety plan review" in page

    today = timezone.localdate()
    http.post(episode_url(episode, "discharge"), {"discharge_date": today.isoformat()})

    task = FollowUpTask.objects.get(kind=TaskKind.FOLLOW_UP_APPOINTMENT)
    assert timezone.localtime(task.due_at).date() == today + timedelta(days=7)


def test_a_second_disposition_shows_the_first_and_keeps_what_was_typed(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """REL-04: nothing lost, nothing overwritten: 409 with both."""
    episode = to_emergency_department(clinic, start(clinic))
    http = signed_in(clinic.psychiatrist)
    response = http.post(
        episode_url(episode, "close"),
        {"disposition": Disposition.OTHER, "disposition_note": "Went home with her brother."},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "already closed" in page and "Riverside General emergency department" in page
    assert "Went home with her brother.</textarea>" in page
    episode.refresh_from_db()
    assert episode.disposition == Disposition.EMERGENCY_DEPARTMENT


# ------------------------------------------------------------------------------ follow-up


def test_tasks_stay_on_the_home_page_until_completed(clinic: Clinic, signed_in: SignIn) -> None:
    """Every member of the care team sees them; completing one removes it for everyone."""
    episode = start(clinic)
    task = FollowUpTask.objects.get(episode=episode)
    therapist, peer = signed_in(clinic.therapist_on_team), signed_in(clinic.peer_specialist)
    assert home_task_ids(therapist) == home_task_ids(peer) == [task.pk]
    assert home_task_ids(signed_in(clinic.therapist_off_team)) == []

    refused = peer.post(task_url(task), {f"t{task.pk}-note": "", "return_to": "home"})
    assert refused.status_code == 400
    assert home_task_ids(therapist) == [task.pk]

    done = peer.post(
        task_url(task),
        {f"t{task.pk}-note": "Phoned; she is safe.", "result": "done", "return_to": "home"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("web:home")
    assert home_task_ids(therapist) == home_task_ids(peer) == []
    task.refresh_from_db()
    assert (task.status, task.completed_by) == (TaskStatus.DONE, clinic.peer_specialist)


def test_not_needed_from_the_chart(clinic: Clinic, signed_in: SignIn) -> None:
    task = FollowUpTask.objects.get(episode=start(clinic))
    http = signed_in(clinic.therapist_on_team)
    chart_url = reverse("web:client_chart", args=[clinic.client_a.pk])
    assert task_url(task) in http.get(chart_url).content.decode()

    response = http.post(
        task_url(task),
        {
            f"t{task.pk}-note": "Admitted; ward team calls.",
            "result": "not_needed",
            "return_to": "chart",
        },
    )
    assert response["Location"] == chart_url
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_NEEDED


def test_overdue_tasks_come_first_and_are_marked(clinic: Clinic, signed_in: SignIn) -> None:
    later = start(clinic)
    overdue = start(clinic, started_at=timezone.now() - timedelta(hours=30))
    http = signed_in(clinic.therapist_on_team)
    response = http.get(reverse("web:home"))

    rows = response.context["follow_ups"].rows
    assert [(r.task.episode_id, r.overdue) for r in rows] == [(overdue.pk, True), (later.pk, False)]
    page = response.content.decode()
    cards = re.findall(r'<li class="card follow-up( overdue)?"', page)
    assert cards == [" overdue", ""]


def test_supervisor_sees_overdue_follow_ups_of_supervisees_clients(
    clinic: Clinic, signed_in: SignIn
) -> None:
    start(clinic)  # not overdue
    overdue = start(clinic, started_at=timezone.now() - timedelta(hours=30))
    http = signed_in(clinic.supervisor)
    home = http.get(reverse("web:home")).content.decode()
    assert reverse("web:follow_ups_overdue") in home

    response = http.get(reverse("web:follow_ups_overdue"))
    rows = response.context["rows"]
    assert [r.task.episode_id for r in rows] == [overdue.pk]
    assert rows[0].team == [clinic.therapist_on_team.display_name]
    assert AuditEvent.objects.filter(detail__view="overdue_follow_ups").exists()

    other = signed_in(clinic.psychiatrist).get(reverse("web:follow_ups_overdue"))
    assert other.context["rows"] == []
    assert (
        reverse("web:follow_ups_overdue")
        not in signed_in(clinic.psychiatrist).get(reverse("web:home")).content.decode()
    )


def test_completing_a_completed_task_shows_the_first_outcome(
    clinic: Clinic, signed_in: SignIn
) -> None:
    task = FollowUpTask.objects.get(episode=start(clinic))
    therapist, psychiatrist = signed_in(clinic.therapist_on_team), signed_in(clinic.psychiatrist)
    therapist.post(task_url(task), {f"t{task.pk}-note": "Called at 9.", "result": "done"})
    response = psychiatrist.post(
        task_url(task), {f"t{task.pk}-note": "Called at 10.", "result": "done"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Called at 9." in page and "Called at 10.</textarea>" in page


# ---------------------------------------------------------------------------- query counts


def test_home_queries_do_not_grow_with_the_number_of_tasks(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """Follow-up tasks on the home page cost the same for 3 tasks and for 40 (no N+1)."""
    clients = [clinic.client_a] + [
        make_client(f"Ada{i}", "Quist", date(1980, 1, 1) + timedelta(days=i), mrn=f"40000{i:04d}")
        for i in range(20)
    ]
    for client in clients[1:]:
        CareTeamMember.objects.create(
            client=client,
            staff=clinic.therapist_on_team,
            role=CareTeamRole.THERAPIST,
            start_on=timezone.localdate() - timedelta(days=5),
        )
    http = signed_in(clinic.therapist_on_team)

    def add_tasks(count: int) -> None:
        for i in range(count):
            client = clients[i % len(clients)]
            episode = crisis_start(
                actor=clinic.therapist_on_team,
                client=client,
                source=CrisisSource.PHONE_CALL,
                presenting_concern="Synthetic crisis.",
            )
            if i % 2:
                to_emergency_department(clinic, episode, discharge_date=timezone.localdate())

    add_tasks(2)
    http.get(reverse("web:home"))
    few_tasks = len(http.get(reverse("web:home")).context["follow_ups"].rows)
    few = queries_for(http, "get", reverse("web:home"))
    add_tasks(16)
    many_tasks = len(http.get(reverse("web:home")).context["follow_ups"].rows)
    many = queries_for(http, "get", reverse("web:home"))

    assert (few_tasks, many_tasks) == (4, 36)
    assert many == few, f"{few} queries for {few_tasks} tasks, {many} for {many_tasks}"


def test_episode_page_queries_do_not_grow_with_the_timeline(
    clinic: Clinic, signed_in: SignIn
) -> None:
    with freeze_time(timezone.now()):
        episode = start(clinic, started_at=timezone.now() - timedelta(hours=5))
    http = signed_in(clinic.psychiatrist)

    def add(count: int) -> None:
        for i in range(count):
            crisis_action_add(
                actor=clinic.therapist_on_team if i % 2 else clinic.psychiatrist,
                episode=episode,
                kind="contact",
                occurred_at=timezone.now() - timedelta(minutes=i),
                text=f"Contact {i}",
            )

    add(2)
    http.get(episode_url(episode))
    few = queries_for(http, "get", episode_url(episode))
    add(30)
    many = queries_for(http, "get", episode_url(episode))
    assert many == few


def test_a_late_entry_shows_when_it_was_recorded(clinic: Clinic, signed_in: SignIn) -> None:
    episode = start(clinic, started_at=timezone.now() - timedelta(hours=3))
    http = signed_in(clinic.therapist_on_team)
    for minutes, text in ((120, "Late: mobile team called."), (0, "Now: client calmer.")):
        http.post(
            episode_url(episode, "action"),
            {"kind": "contact", "occurred_at": local_now(timedelta(minutes=minutes)), "text": text},
        )
    page = http.get(episode_url(episode)).content.decode()
    assert page.count('<p class="muted">Recorded ') == 1
    late = page.index("Late: mobile team called.")
    assert (
        page.index("Recorded ") < page.index("Now: client calmer.")
        and page.index("Recorded ") > late
    )
