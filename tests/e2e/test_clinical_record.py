"""The clinical record in a real browser: a treatment plan with a PHQ-9-bound objective and the
client's agreement; a session note addressing the objective, signed and then locked; an
addendum; the supervisor's co-signature; a psychotherapy note the supervisor cannot see; two
browsers editing one draft get the conflict page.

Each test builds its own persona clinic in a transactional database served by ``live_server``.
Screenshots land in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from alliance.assessments.models import Administration, AdministrationMode
from alliance.clients.models import Client, Episode
from alliance.notes.models import Note, NoteStatus, NoteTemplate
from alliance.notes.services import note_create
from alliance.plans.models import PlanStatus, TreatmentPlan
from tests.e2e.conftest import shot, sign_in, sign_out
from tests.personas import PASSWORD, USERNAMES, Clinic, build_clinic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THERAPIST = USERNAMES["therapist_on_team"][0]
SUPERVISOR = USERNAMES["supervisor"][0]


def field(page: Page, label: str) -> Locator:
    """The field labelled exactly ``label`` (Django adds a colon to labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def phq9_score(client: Client, total: float, days_ago: int) -> None:
    """A scored PHQ-9 (giving questionnaires is the measures test's subject)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    Administration.objects.create(
        client=client,
        instrument="phq9",
        mode=AdministrationMode.IN_SESSION,
        completed_at=timezone.make_aware(datetime.combine(day, time(11, 0))),
        questionnaire_response={},
        answers={},
        total=total,
    )


def clinic_with_episode() -> tuple[Clinic, Episode]:
    clinic = build_clinic()
    start = timezone.localdate() - timedelta(days=30)
    episode = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=start, admission_date=start
    )
    return clinic, episode


def write_plan(page: Page, base: str, client: Client) -> None:
    """Draft the plan through its pages: problem → goal → PHQ-9 objective → intervention."""
    page.goto(f"{base}/clients/{client.pk}/")
    page.get_by_role("link", name="Start a new plan").click()
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Treatment plan, version 1")

    page.get_by_role("link", name="Add a problem").click()
    field(page, "Problem").fill("Depressed mood, loss of interest")
    page.get_by_label("In the client's own words").fill("Nothing feels worth doing")
    page.get_by_role("button", name="Save problem").click()

    page.get_by_role("link", name="Add a goal to problem 1").click()
    page.get_by_label("Goal in the client's words").fill("Get back to my evening runs")
    page.get_by_label("Measurable target").fill("Runs twice a week")
    page.get_by_role("button", name="Save goal").click()

    page.get_by_role("link", name="Add an objective to this goal").click()
    page.get_by_label("What will be measured").fill("Depressive symptoms")
    page.get_by_label("Measured with").select_option("phq9")
    page.get_by_label("Score should go").select_option("below")
    page.get_by_label("Target score").fill("10")
    target_day = timezone.localdate() + timedelta(days=90)
    page.get_by_label("Target date").fill(target_day.isoformat())
    page.get_by_role("button", name="Save objective").click()
    expect(page.get_by_text(f"PHQ-9 below 10 by {target_day:%Y-%m-%d}").first).to_be_visible()

    page.get_by_role("link", name="Add an intervention to this objective").click()
    page.get_by_label("Modality").select_option("cbt")
    page.get_by_label("Frequency").fill("Weekly, 50 minutes")
    page.get_by_label("Responsible staff member").select_option(label="Tamsin Ward")
    page.get_by_role("button", name="Save intervention").click()
    expect(page.get_by_text("Cognitive behavioral therapy (CBT)", exact=True)).to_be_visible()


def agree_and_activate(page: Page) -> None:
    page.get_by_role("link", name="Record the client's agreement and activate").click()
    page.get_by_label("The client agreed verbally (attested by the clinician)").check()
    page.get_by_label("Participation statement").fill(
        "She chose the goal and the activities; we wrote the goal in her words."
    )
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Activate the plan").click()
    expect(page.get_by_text("agreed plan verified")).to_be_visible()


def start_session_note(page: Page, base: str, client: Client) -> None:
    page.goto(f"{base}/clients/{client.pk}/")
    page.get_by_role("link", name="Record a session or write a note").click()
    page.get_by_label("Template").select_option("soap")
    page.get_by_label("Started at").fill("10:00")
    page.get_by_label("Ended at").fill("10:50")
    page.get_by_label("Type").select_option("individual")
    page.get_by_label("Setting").select_option("office")
    page.get_by_role("button", name="Start the note").click()
    expect(page).to_have_url(re.compile(r"/notes/\d+/edit/$"))


def fill_soap(page: Page, words: str) -> None:
    field(page, "Subjective").fill(f"{words}: slept better this week.")
    field(page, "Objective").fill("Calm, good eye contact.")
    field(page, "Assessment").fill("Engaged, using the activity diary.")
    field(page, "Plan").fill("Two runs before the next session.")


def test_plan_session_note_signature_addendum_cosign_and_privacy(
    page: Page, browser: Browser, live_server: object
) -> None:
    """The issue's browser test for the clinical record, end to end."""
    clinic, _episode = clinic_with_episode()
    base = str(live_server)
    client = clinic.client_a
    phq9_score(client, 19, days_ago=20)
    phq9_score(client, 14, days_ago=2)
    sign_in(page, base, THERAPIST, PASSWORD)

    # a plan with an objective bound to the PHQ-9, agreed by the client
    write_plan(page, base, client)
    agree_and_activate(page)
    expect(page.get_by_text("Not met yet").first).to_be_visible()
    shot(page, "clinical-01-active-plan")
    plan = TreatmentPlan.objects.get(client=client)
    assert plan.status == PlanStatus.ACTIVE

    # the chart shows the plan with the objective's live progress
    page.goto(f"{base}/clients/{client.pk}/")
    plan_section = page.locator("section[aria-labelledby=plan-h]")
    expect(plan_section).to_contain_text("PHQ-9 14")
    expect(plan_section).to_contain_text("improving since the previous score")

    # a session addressing the objective, signed with the password again
    start_session_note(page, base, client)
    fill_soap(page, "Reports")
    page.get_by_label("Progress on “Depressive symptoms”").select_option("progressing")
    page.get_by_label("Comment on “Depressive symptoms”").fill("Ran twice; PHQ-9 down 5 points")
    page.get_by_role("button", name="Save and sign…").click()
    expect(page.get_by_role("heading", name="Read the note before you sign it")).to_be_visible()
    expect(page.get_by_text("Ran twice; PHQ-9 down 5 points")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("signature verified").first).to_be_visible()
    expect(page.get_by_text("Progress in this session: Progressing")).to_be_visible()
    shot(page, "clinical-02-signed-note")
    note = Note.objects.get(client=client, template=NoteTemplate.SOAP)
    assert note.status == NoteStatus.SIGNED and note.cosign_status == "pending"

    # the signed note cannot be edited: the draft page sends back to the note, no edit link
    view_url = page.url
    page.goto(f"{base}/clients/{client.pk}/notes/{note.pk}/edit/")
    expect(page).to_have_url(view_url)
    expect(page.get_by_role("link", name="Edit the draft")).to_have_count(0)

    # an addendum, signed on its own
    page.get_by_role("link", name="Add an addendum").click()
    page.get_by_label("Addendum").fill("The client called: the run on Sunday happened too.")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign and add the addendum").click()
    expect(page.get_by_text("the run on Sunday happened too")).to_be_visible()

    # a private psychotherapy note of hers for the same session
    pn = note_create(
        actor=clinic.therapist_on_team,
        client=client,
        template=NoteTemplate.PSYCHOTHERAPY,
        encounter=note.encounter,
    )
    sign_out(page)

    # her supervisor co-signs the note ...
    sign_in(page, base, SUPERVISOR, PASSWORD)
    page.get_by_role("link", name="Co-sign notes").click()
    page.get_by_role("link", name=re.compile("Review")).first.click()
    page.get_by_label("Co-sign").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Record the decision").click()
    note.refresh_from_db()
    assert note.cosign_status == "cosigned"

    # ... but her psychotherapy note does not exist for him (SEC-16)
    response = page.goto(f"{base}/clients/{client.pk}/notes/{pn.pk}/")
    assert response is not None and response.status == 404
    shot(page, "clinical-03-supervisor-404")


def test_two_browsers_editing_one_draft_get_the_conflict_page(
    page: Page, context: BrowserContext, browser: Browser, live_server: object
) -> None:
    """REL-04: the second save shows both texts; the first is not overwritten."""
    clinic, _episode = clinic_with_episode()
    base = str(live_server)
    client = clinic.client_a
    sign_in(page, base, THERAPIST, PASSWORD)
    start_session_note(page, base, client)
    draft_url = page.url

    # the same person in a second browser window (the same session)
    other_context = browser.new_context(storage_state=context.storage_state())
    other_context.set_default_timeout(10_000)
    other = other_context.new_page()
    other.goto(draft_url)

    fill_soap(page, "First window")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()

    fill_soap(other, "Second window")
    other.get_by_role("button", name="Save draft").click()
    expect(other.get_by_role("heading", name="Someone else saved this draft")).to_be_visible()
    conflict = other.locator("table.conflict")
    expect(conflict).to_contain_text("First window: slept better this week.")
    expect(conflict).to_contain_text("Second window: slept better this week.")
    shot(other, "clinical-04-conflict")
    other_context.close()

    note = Note.objects.get(client=client)
    assert note.content["subjective"] == "First window: slept better this week."
