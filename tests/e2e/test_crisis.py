"""Crisis episodes in a real browser (the issue's browser test, crisis part): an episode started
from a critical-item alert, actions on its timeline, a disposition to the emergency department
with the discharge date; the follow-up tasks appear on the home page, close when done and leave
it; the supervisor sees an overdue one.

Screenshots land in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alliance.assessments.models import CriticalAlert
from alliance.crisis.models import CrisisEpisode, Disposition, FollowUpTask, TaskKind, TaskStatus
from tests.e2e.conftest import shot, sign_in, sign_out
from tests.personas import PASSWORD, USERNAMES, build_clinic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THERAPIST = USERNAMES["therapist_on_team"][0]
SUPERVISOR = USERNAMES["supervisor"][0]
OUTCOME = "Outcome, or why it is not needed"


def follow_up_cards(page: Page) -> object:
    return page.locator("section[aria-labelledby=follow-ups-h] li.card")


def test_crisis_from_an_alert_to_follow_ups_done_and_an_overdue_one_for_the_supervisor(
    page: Page, live_server: object
) -> None:
    clinic = build_clinic()
    base = str(live_server)
    client = clinic.client_a
    alert = CriticalAlert.objects.create(
        client=client, instrument="phq9", flags=["phq9_item9_positive"], raised_at=timezone.now()
    )
    sign_in(page, base, THERAPIST, PASSWORD)

    # given the alert on the chart, the clinician starts a crisis episode from it
    page.goto(f"{base}/clients/{client.pk}/")
    page.locator(f"#alert-{alert.pk}").get_by_role(
        "link", name="Start a crisis episode from this alert"
    ).click()
    expect(page).to_have_url(f"{base}/alerts/{alert.pk}/crisis/new/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Start a crisis episode")
    page.get_by_label("Presenting concern").fill(
        "Answered item 9; on the phone says she has a plan."
    )
    page.get_by_role("button", name="Start the crisis episode").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Crisis episode: Zoë Núñez")
    expect(page.locator("dl.crisis-facts")).to_contain_text("Critical-item alert")

    # when they record two actions on the timeline
    for kind, text in (
        ("Contact", "Called the client back; she agreed to stay on the line."),
        ("Consultation", "Consulted the on-call psychiatrist: ED evaluation advised."),
    ):
        page.get_by_label("Kind of action").select_option(label=kind)
        page.get_by_label("What was done").fill(text)
        page.get_by_role("button", name="Add to the timeline").click()
        expect(page.locator("ol.crisis-timeline")).to_contain_text(text)
    expect(page.locator("ol.crisis-timeline > li")).to_have_count(2)

    # and the disposition: emergency department, discharged today
    page.get_by_role("link", name="Record the disposition and close").click()
    page.get_by_label("Emergency department", exact=True).check()
    page.get_by_label("Emergency department or hospital").fill("Riverside General ED")
    page.get_by_label("Discharge date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Close the episode").click()
    expect(page.locator("dl.crisis-facts")).to_contain_text("Emergency department: Riverside")
    tasks = page.locator("section[aria-labelledby=tasks-h]")
    for kind in ("Caring contact", "Safety plan review", "Follow-up appointment after discharge"):
        expect(tasks).to_contain_text(kind)
    shot(page, "c01-crisis-episode")
    episode = CrisisEpisode.objects.get()
    assert (episode.alert_id, episode.disposition) == (alert.pk, Disposition.EMERGENCY_DEPARTMENT)

    # then the three follow-up tasks are on the home page
    page.goto(f"{base}/")
    cards = follow_up_cards(page)
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("Zoë Núñez")
    shot(page, "c02-home-follow-ups")

    # when they complete them one by one (the last one is not needed), each leaves the page
    for remaining, (button, note) in zip(
        (2, 1, 0),
        (
            ("Done", "Reached her at home; safe, partner with her."),
            ("Done", "Safety plan reviewed by phone; warm line added."),
            ("Not needed", "Appointment already booked by the ED social worker."),
        ),
        strict=True,
    ):
        card = cards.first
        card.get_by_label(OUTCOME).fill(note)
        card.get_by_role("button", name=re.compile(f"^{button}")).click()
        expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
        expect(cards).to_have_count(remaining)
    expect(page.locator("section[aria-labelledby=follow-ups-h]")).to_contain_text(
        "No open follow-up tasks."
    )
    statuses = dict(FollowUpTask.objects.values_list("kind", "status"))
    assert statuses == {
        TaskKind.CARING_CONTACT: TaskStatus.DONE,
        TaskKind.SAFETY_PLAN_REVIEW: TaskStatus.DONE,
        TaskKind.FOLLOW_UP_APPOINTMENT: TaskStatus.NOT_NEEDED,
    }

    # given a walk-in two days ago whose caring contact nobody made
    page.goto(f"{base}/clients/{client.pk}/")
    page.get_by_role("link", name="Start a crisis episode", exact=True).click()
    page.get_by_label("Walk-in").check()
    two_days_ago = timezone.localtime() - timedelta(days=2)
    page.get_by_label("Started at").fill(two_days_ago.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Presenting concern").fill("Walked in distressed after losing his job.")
    page.get_by_role("button", name="Start the crisis episode").click()
    page.goto(f"{base}/")
    expect(follow_up_cards(page)).to_have_count(1)
    expect(follow_up_cards(page).first).to_contain_text("overdue")
    sign_out(page)

    # then the supervisor finds it among the overdue follow-ups of her supervisees' clients
    sign_in(page, base, SUPERVISOR, PASSWORD)
    page.get_by_role("link", name="Overdue follow-ups of your supervisees' clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Overdue follow-ups of your supervisees' clients"
    )
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zoë Núñez")
    expect(rows.first).to_contain_text("Caring contact")
    expect(rows.first).to_contain_text("Tamsin Ward")
    shot(page, "c03-supervisor-overdue")
