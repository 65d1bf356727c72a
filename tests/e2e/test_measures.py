"""Measurement-based care in a real browser: a PHQ-9 link answered on a phone, the critical-item
alert on the clinician's home and its acknowledgement, the Measures chart; kiosk mode.

Each test builds its own persona clinic in a transactional database served by ``live_server``.
The client's side runs in a second browser context (a phone, no cookies of the clinician's).
Screenshots land in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from alliance.assessments.models import Administration, AlertAction, CriticalAlert
from alliance.clients.models import Client
from tests.e2e.conftest import ARTIFACTS, PHONE, shot, sign_in
from tests.personas import PASSWORD, USERNAMES, build_clinic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THERAPIST = USERNAMES["therapist_on_team"][0]
KIOSK = "Hand a clinic tablet to the client now (kiosk mode)"
PHQ9_ITEM9 = "Thoughts that you would be better off dead or of hurting yourself in some way"


def chart_url(base: str, client: Client) -> str:
    return f"{base}/clients/{client.pk}/"


def send_form(page: Page) -> Locator:
    return page.locator("section[aria-labelledby=send-h] form")


def answer_every_item(page: Page, count: int, *, default: str, overrides: dict[int, str]) -> None:
    """Tap one answer per item, as a client does: each item is a fieldset named by its text."""
    groups = page.locator("form.questionnaire fieldset")
    expect(groups).to_have_count(count)
    for index in range(count):
        label = overrides.get(index + 1, default)
        groups.nth(index).get_by_label(label, exact=True).check()


def test_client_answers_a_phq9_link_on_a_phone_and_the_alert_reaches_the_clinician(
    page: Page, browser: Browser, live_server: object
) -> None:
    """The issue's browser test: link, second context, item 9 = "Several days", crisis
    resources, alert at the top of home, acknowledgement recorded, the point on the chart."""
    clinic = build_clinic()
    base = str(live_server)
    client = clinic.client_a
    sign_in(page, base, THERAPIST, PASSWORD)

    # given the clinician on the client's chart creates a PHQ-9 link (not kiosk)
    page.goto(chart_url(base, client))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Núñez")
    page.get_by_role("link", name="Give or send a questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Give a questionnaire to")
    send_form(page).get_by_label("Questionnaire").select_option("phq9")
    expect(send_form(page).get_by_label(KIOSK)).not_to_be_checked()
    page.get_by_role("button", name="Create the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link for Zoë Núñez")
    url = page.get_by_label("Link", exact=True).input_value()
    assert re.fullmatch(rf"{re.escape(base)}/q/[A-Za-z0-9_-]{{20,}}/", url), url
    shot(page, "m01-link-created")

    # when the client opens it on their phone, in a browser that never signed in
    phone_context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    phone_context.set_default_timeout(10_000)
    try:
        phone = phone_context.new_page()
        phone.goto(url)

        # then it shows the clinic's name and the questionnaire, and nothing about the client
        expect(phone.locator("header")).to_have_text(settings.CLINIC_NAME)
        expect(phone.get_by_role("heading", level=1)).to_contain_text("PHQ-9")
        expect(phone.get_by_role("group", name=PHQ9_ITEM9)).to_be_visible()
        body = phone.locator("body")
        for private in ("Zoë", "Núñez", "Nunez", client.mrn, "1990-04-23"):
            expect(body).not_to_contain_text(private)
        expect(phone.get_by_role("button", name="Sign out")).to_have_count(0)
        shot(phone, "m02-phone-questionnaire")
        width, viewport = phone.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert viewport == PHONE["width"], f"the page was zoomed out to {viewport}px"
        assert width <= viewport, f"the questionnaire is {width}px wide on a {viewport}px screen"

        # when they answer every item, item 9 "Several days", and send
        answer_every_item(
            phone, 10, default="Not at all", overrides={9: "Several days", 10: "Somewhat difficult"}
        )
        phone.get_by_role("button", name="Send my answers").click()

        # then the crisis resources are shown at once
        crisis = phone.get_by_role("alert")
        expect(crisis).to_contain_text("988")
        expect(crisis).to_contain_text("911")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
        expect(phone.locator("body")).not_to_contain_text("Núñez")
        shot(phone, "m03-phone-crisis")

        # and the link cannot be used again
        phone.goto(url)
        expect(phone.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    finally:
        phone_context.close()

    administration = Administration.objects.get(client=client)
    assert (administration.instrument, administration.mode) == ("phq9", "self_completion")
    assert (administration.total, administration.answers["9"]) == (1, 1)
    alert = CriticalAlert.objects.get(client=client)
    assert alert.flags == ["phq9_item9_positive"] and alert.acknowledged_at is None

    # when the clinician reloads their home page
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()

    # then the alert is at the top: the first section of the page, naming the client
    first_section = page.locator("main section").first
    expect(first_section).to_have_class(re.compile(r"\balerts\b"))
    card = first_section.locator(f"#alert-{alert.pk}")
    expect(card).to_contain_text("Zoë Núñez")
    expect(card).to_contain_text("PHQ9")
    expect(card).to_contain_text("you are the primary clinician")
    shot(page, "m04-home-alert")

    # and the chart shows it too, announced in its header
    page.goto(chart_url(base, client))
    header_alert = page.locator(".chart-header .header-alert")
    expect(header_alert).to_contain_text("1 open critical-item alert")
    expect(page.locator(f"#alert-{alert.pk}")).to_be_visible()
    page.goto(f"{base}/")

    # when they acknowledge it with "Client contacted"
    card = page.locator(f"#alert-{alert.pk}")
    card.get_by_label("Client contacted").check()
    card.get_by_role("button", name="Acknowledge", exact=True).click()

    # then it leaves their home and the chart, and the action is recorded
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.locator(f"#alert-{alert.pk}")).to_have_count(0)
    expect(page.locator("section.alerts")).to_contain_text("No open alerts.")
    alert.refresh_from_db()
    assert alert.action == AlertAction.CLIENT_CONTACTED
    assert alert.acknowledged_by == clinic.therapist_on_team
    assert alert.acknowledged_at is not None

    page.goto(chart_url(base, client))
    expect(page.locator(f"#alert-{alert.pk}")).to_have_count(0)
    expect(page.locator(".header-alert")).to_have_count(0)
    expect(page.locator("section[aria-labelledby=alerts-h]")).to_contain_text(
        "No active alerts or risk flags."
    )

    # and the Measures section shows the chart with one point and the table row
    measures = page.locator("section[aria-labelledby=measures-h]")
    series = measures.locator("article.series").filter(has_text="PHQ-9")
    expect(series.locator("svg.measure-chart")).to_be_visible()
    expect(series.locator("svg circle.point")).to_have_count(1)
    rows = series.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(
        f"{timezone.localtime(administration.completed_at):%Y-%m-%d}"
    )
    expect(rows.first).to_contain_text("Self-completed from a link")
    expect(rows.first.locator("td").nth(1)).to_have_text("1")
    expect(rows.first).to_contain_text("minimal")
    rows.first.get_by_text("Show").click()
    expect(rows.first).to_contain_text("Item 9: 1")
    measures.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    measures.screenshot(path=ARTIFACTS / "m05-chart-measures.png")


def test_kiosk_mode_hands_the_tablet_over_and_locks_it_again(
    page: Page, live_server: object
) -> None:
    """Kiosk mode: the clinician's page becomes the client's GAD-7; afterwards the tablet is
    signed out and the chart URL leads to the sign-in page (SEC-05)."""
    clinic = build_clinic()
    base = str(live_server)
    client = clinic.client_a
    sign_in(page, base, THERAPIST, PASSWORD)

    # given the clinician starts kiosk mode for a GAD-7 from the chart
    page.goto(chart_url(base, client))
    page.get_by_role("link", name="Give or send a questionnaire").click()
    send_form(page).get_by_label("Questionnaire").select_option("gad7")
    send_form(page).get_by_label(KIOSK).check()
    page.get_by_role("button", name="Create the link").click()

    # then the same page becomes the client's questionnaire, with nothing of the clinician's
    expect(page).to_have_url(re.compile(r"/q/[A-Za-z0-9_-]{20,}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("GAD-7")
    expect(page.locator("body")).not_to_contain_text("Núñez")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("link", name="My caseload")).to_have_count(0)
    shot(page, "m06-kiosk-questionnaire")

    # when the client answers and sends
    count = page.locator("form.questionnaire fieldset").count()
    assert count >= 7
    answer_every_item(page, count, default="Not at all", overrides={})
    page.get_by_role("button", name="Send my answers").click()

    # then the tablet asks to be handed back, and no crisis resources are shown
    expect(page.locator("main")).to_contain_text("hand the tablet back")
    expect(page.locator(".crisis")).to_have_count(0)
    shot(page, "m07-kiosk-done")
    administration = Administration.objects.get(client=client)
    assert (administration.instrument, administration.mode) == ("gad7", "kiosk")

    # and going back to the chart leads to the sign-in page
    page.goto(chart_url(base, client))
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("body")).not_to_contain_text("Núñez")
    # Back lands on the POST result, which is no-store (SEC-33): the browser refuses to show it
    # from its cache rather than resubmitting; either way nothing about the client is shown.
    try:
        page.go_back()
    except PlaywrightError as error:
        assert "ERR_CACHE_MISS" in str(error)
    expect(page.locator("body")).not_to_contain_text("Núñez")
