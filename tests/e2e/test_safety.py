"""The issue's safety flow in a real browser: a PHQ-9 link answered with item 9 positive → the
alert on the clinician's home → acknowledge and start a risk assessment → sign it (the flag
reaches the chart header) → write and sign a safety plan with the client → its PDF renders
(pdftoppm to PNG, pdftotext for the words) → the client opens the plan link on a phone, and
another device is refused → a crisis episode from the same alert ends in the emergency
department → its follow-up tasks wait on the home page and close when done.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from alliance.assessments.models import CriticalAlert
from alliance.crisis.models import FollowUpTask, TaskStatus
from alliance.safety.models import RiskAssessment, RiskFlag, SafetyPlanVersion
from tests.e2e.conftest import ARTIFACTS, PHONE, shot, sign_in
from tests.e2e.test_measures import answer_every_item, chart_url, send_form
from tests.personas import PASSWORD, USERNAMES, build_clinic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THERAPIST = USERNAMES["therapist_on_team"][0]


def phone_context(browser: Browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    return context


def test_alert_to_assessment_to_safety_plan_on_the_phone_to_follow_ups_done(
    page: Page, browser: Browser, live_server: object, tmp_path: Path
) -> None:
    clinic = build_clinic()
    base = str(live_server)
    client = clinic.client_a
    sign_in(page, base, THERAPIST, PASSWORD)

    # given the client answers PHQ-9 item 9 "More than half the days" on a link
    page.goto(chart_url(base, client))
    page.get_by_role("link", name="Give or send a questionnaire").click()
    send_form(page).get_by_label("Questionnaire").select_option("phq9")
    page.get_by_role("button", name="Create the link").click()
    url = page.get_by_label("Link", exact=True).input_value()
    phone_ctx = phone_context(browser)
    try:
        phone = phone_ctx.new_page()
        phone.goto(url)
        answer_every_item(
            phone,
            10,
            default="Several days",
            overrides={9: "More than half the days", 10: "Somewhat difficult"},
        )
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_role("alert")).to_contain_text("988")
    finally:
        phone_ctx.close()
    alert = CriticalAlert.objects.get(client=client)

    # when the clinician acknowledges the alert on their home page and goes on to assess
    page.goto(f"{base}/")
    card = page.locator(f"#alert-{alert.pk}")
    expect(card).to_contain_text("No safety plan yet.")
    card.get_by_label("Safety assessment done").check()
    card.get_by_role("button", name="Acknowledge and start a risk assessment").click()

    # then the assessment form shows the alert and the PHQ-9 pulled in, item 9 = 2
    expect(page.get_by_role("heading", level=1)).to_contain_text("Risk assessment")
    expect(page.get_by_role("note")).to_contain_text("PHQ9 alert")
    expect(page.locator("section[aria-labelledby=screeners-h]")).to_contain_text("item 9 = 2")
    page.get_by_label("Risk factors").fill("Lost job last month; lives alone.")
    page.get_by_label("Protective factors").fill("Close to her sister; engaged in therapy.")
    page.get_by_label("Access to lethal means").fill("No firearms; a month of sleeping pills.")
    page.get_by_label("Rationale for the suicide risk level").fill(
        "Ideation most days, no plan or intent; strong supports."
    )
    page.locator("#id_plan").fill("Safety plan today; pills to her sister.")
    page.get_by_label("Suicide risk (your formulation)").select_option("high")
    review_on = timezone.localdate() + timedelta(days=7)
    page.get_by_label("Review the risk by").fill(review_on.isoformat())
    shot(page, "s01-risk-assessment")
    page.get_by_role("button", name="Save and sign…").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign the assessment").click()
    expect(page.locator(".signature")).to_contain_text("signature verified")
    assessment = RiskAssessment.objects.get(client=client)
    assert assessment.is_signed and assessment.alert == alert
    assert assessment.screeners[0]["item9"] == 2

    # and the flag is in the chart header, with its review date
    page.goto(chart_url(base, client))
    header = page.locator(".chart-header .header-flags")
    expect(header).to_contain_text("Suicide risk: high")
    expect(header).to_contain_text(review_on.isoformat())
    assert RiskFlag.objects.get(client=client).level == "high"

    # when they write the safety plan with the client and sign it
    page.get_by_role("link", name="Open the safety plan").click()
    expect(page.locator(".plan-review")).to_contain_text("No safety plan yet")
    page.get_by_role("link", name="Write a safety plan with the client").click()
    page.get_by_label("Step 1: Warning signs").fill("Can't sleep\nStop answering texts")
    page.get_by_label("Step 2: Things I can do on my own").fill("Walk by the river\nPlay guitar")
    page.get_by_label("Step 4: People I can ask for help").fill("Sam (sister) 555-0100")
    page.get_by_label(re.compile("medications: what will be done")).fill(
        "Sister keeps the sleeping pills"
    )
    page.get_by_label("Medications: who will do it").fill("Sam")
    page.get_by_label("The most important things to me, worth living for").fill("My niece")
    page.get_by_role("button", name="Save and sign…").click()
    page.get_by_label("The client read the plan and agreed to it", exact=False).check()
    page.get_by_label("Your password").fill(PASSWORD)
    shot(page, "s02-plan-sign")
    page.get_by_role("button", name="Sign the safety plan").click()
    expect(page.locator(".signature")).to_contain_text("Version 1, signed by")
    expect(page.locator(".plan-review")).to_have_count(0)
    version = SafetyPlanVersion.objects.get(plan__client=client)
    assert version.is_signed

    # then its PDF renders: one page, and the picture and text carry the steps and 988
    response = page.request.get(
        f"{base}/clients/{client.pk}/safety-plan/versions/{version.pk}/pdf/"
    )
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "plan")], check=True)
    pngs = sorted(tmp_path.glob("plan*.png"))
    assert len(pngs) == 1, pngs
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "s03-plan-pdf.png").write_bytes(pngs[0].read_bytes())
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for words in ("Warning signs", "Walk by the river", "988", "Sister keeps the sleeping pills"):
        assert words in text

    # when they create a link and the client opens it on their phone
    page.get_by_role("button", name="Create a link for the client").click()
    link = page.get_by_label("Link", exact=True).input_value()
    assert re.fullmatch(rf"{re.escape(base)}/p/[A-Za-z0-9_-]{{20,}}/", link), link
    phone_ctx = phone_context(browser)
    other_ctx = phone_context(browser)
    try:
        phone = phone_ctx.new_page()
        phone.goto(link)
        # then it asks for the client's date of birth before anything binds (issue 14 class 3)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Open my safety plan")
        expect(phone.locator("main")).not_to_contain_text("Walk by the river")
        expect(phone.locator("a[href='tel:988']").first).to_be_visible()
        phone.get_by_label("Your date of birth").fill(client.date_of_birth.isoformat())
        phone.get_by_role("button", name="Show my safety plan").click()
        # then it shows the plan and the clinic's name, nothing else about the client
        expect(phone.get_by_role("heading", level=1)).to_have_text("My safety plan")
        expect(phone.locator("main")).to_contain_text("Walk by the river")
        expect(phone.locator("main")).to_contain_text("988")
        for private in ("Zoë", "Núñez", client.mrn, "1990-04-23"):
            expect(phone.locator("body")).not_to_contain_text(private)
        width, viewport = phone.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert viewport == PHONE["width"] and width <= viewport, (width, viewport)
        shot(phone, "s04-phone-plan")
        phone.reload()
        expect(phone.get_by_role("heading", level=1)).to_have_text("My safety plan")

        # and another device is refused
        other = other_ctx.new_page()
        other.goto(link)
        expect(other.get_by_role("heading", level=1)).to_contain_text("another device")
        expect(other.locator("body")).not_to_contain_text("Walk by the river")
    finally:
        phone_ctx.close()
        other_ctx.close()

    # when the client is sent to the emergency department after a call back that evening
    page.goto(f"{base}/alerts/{alert.pk}/crisis/new/")
    page.get_by_label("Presenting concern").fill("Called back: pills found at home, not safe.")
    page.get_by_role("button", name="Start the crisis episode").click()
    page.get_by_role("link", name="Record the disposition and close").click()
    page.get_by_label("Emergency department", exact=True).check()
    page.get_by_label("Emergency department or hospital").fill("Riverside General ED")
    page.get_by_label("Discharge date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Close the episode").click()

    # then the follow-up tasks wait on the home page, and close when done
    page.goto(f"{base}/")
    cards = page.locator("section[aria-labelledby=follow-ups-h] li.card")
    expect(cards).to_have_count(3)
    for remaining in (2, 1, 0):
        cards.first.get_by_label("Outcome, or why it is not needed").fill("Done with the client.")
        cards.first.get_by_role("button", name=re.compile("^Done")).click()
        expect(cards).to_have_count(remaining)
    assert set(FollowUpTask.objects.values_list("status", flat=True)) == {TaskStatus.DONE}
