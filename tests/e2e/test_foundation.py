"""The foundation in a real browser: sign-in with MFA, the registry, break-the-glass, review.

Each test builds its own persona clinic in a transactional database served by ``live_server``.
Screenshots of the main pages land in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from alliance.access.models import BreakGlassGrant
from alliance.clients.models import Client
from alliance.staff.mfa import TotpDevice
from tests.e2e.conftest import PHONE, current_code, shot, sign_in, sign_out
from tests.personas import PASSWORD, USERNAMES, build_clinic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THERAPIST = USERNAMES["therapist_on_team"][0]
PRIVACY_OFFICER = USERNAMES["privacy_officer"][0]
FRONT_DESK = USERNAMES["front_desk"][0]


def chart_url(base: str, client: Client) -> str:
    return f"{base}/clients/{client.pk}/"


def test_therapist_edits_a_chart_breaks_the_glass_and_the_privacy_officer_reviews(
    page: Page, live_server: object
) -> None:
    """The issue's flow, end to end (SEC-02 MFA enrolment, SEC-10 404, SEC-22 break-the-glass)."""
    clinic = build_clinic()
    base = str(live_server)

    # given a therapist signing in for the first time: password, then enrolment of a TOTP app
    page.goto(f"{base}/login/")
    shot(page, "01-login")
    sign_in(page, base, THERAPIST, PASSWORD, screenshot="02-mfa-enrolment")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    shot(page, "03-caseload")

    # when they search for part of the client's name, typed without accents
    page.get_by_role("link", name="Find a client").click()
    page.get_by_label("Name, MRN or date of birth").fill("nunez")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Zoë Núñez")).to_be_visible()
    expect(results).not_to_contain_text("Halvorsen")
    shot(page, "04-search-results")
    results.get_by_role("link", name="Zoë Núñez").click()

    # then the chart opens
    expect(page).to_have_url(chart_url(base, clinic.client_a))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Núñez")
    shot(page, "05-chart")

    # when a date of birth in the future is saved together with a new preferred name
    page.get_by_role("link", name="Edit registration").click()
    future = (date.today() + timedelta(days=400)).isoformat()
    page.get_by_label("Preferred name").fill("Zee")
    page.get_by_label("Date of birth").fill(future)
    page.get_by_role("button", name="Save changes").click()

    # then the error stands next to the date field and the typed values are kept
    dob_field = page.locator(".field").filter(has=page.locator("#id_date_of_birth"))
    expect(dob_field).to_contain_text("Date of birth cannot be in the future.")
    expect(dob_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.get_by_label("Date of birth")).to_have_value(future)
    expect(page.get_by_label("Preferred name")).to_have_value("Zee")
    expect(page.get_by_label("Legal first name")).to_have_value("Zoë")
    shot(page, "06-edit-error")
    client_a = Client.objects.get(pk=clinic.client_a.pk)
    assert (client_a.preferred_name, client_a.date_of_birth) == ("", date(1990, 4, 23))

    # when the date is corrected and saved again
    page.get_by_label("Date of birth").fill("1990-04-24")
    page.get_by_role("button", name="Save changes").click()

    # then the chart shows the new values
    expect(page).to_have_url(chart_url(base, clinic.client_a))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zee Núñez")
    expect(page.locator(".chart-header")).to_contain_text("born 1990-04-24")
    client_a.refresh_from_db()
    assert (client_a.preferred_name, client_a.date_of_birth) == ("Zee", date(1990, 4, 24))

    # when they open a chart outside their care teams by its URL
    page.goto(chart_url(base, clinic.client_b))

    # then it is an ordinary "not found" page that offers emergency access
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator("main")).not_to_contain_text("Halvorsen")
    shot(page, "07-not-found")
    page.get_by_role("link", name="request emergency access").click()

    # when they break the glass with a reason and their password
    expect(page).to_have_url(f"{base}/break-glass/")
    page.get_by_label("MRN of the client").fill("100000002")
    page.get_by_label("Reason").select_option("crisis_call")
    page.get_by_label("What is the emergency?").fill(
        "Crisis call from the client's sister; the care team cannot be reached."
    )
    page.get_by_label("Your password").fill(PASSWORD)
    shot(page, "08-break-glass")
    page.get_by_role("button", name="Open the chart with emergency access").click()

    # then the chart opens under an emergency-access banner, which follows them to other pages
    expect(page).to_have_url(chart_url(base, clinic.client_b))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bram Halvorsen")
    expect(page.locator(".banner-btg").first).to_contain_text("Emergency access to Bram Halvorsen")
    expect(page.locator("main .banner-btg")).to_contain_text("You opened this chart with emergency")
    shot(page, "09-chart-emergency")
    page.get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    banner = page.get_by_role("alert").filter(has_text="Emergency access to Bram Halvorsen")
    expect(banner).to_contain_text("is active until")
    shot(page, "10-home-emergency-banner")
    grant = BreakGlassGrant.objects.get(actor=clinic.therapist_on_team, client=clinic.client_b)

    # when the therapist signs out and the privacy officer signs in and opens the queue
    sign_out(page)
    sign_in(page, base, PRIVACY_OFFICER, PASSWORD)
    page.get_by_role("link", name="Review queue").click()
    card = page.locator(f"#grant-{grant.pk}")
    expect(card.get_by_role("heading")).to_contain_text(
        f"{clinic.therapist_on_team.display_name} opened Bram Halvorsen (MRN 100000002)"
    )
    expect(card).to_contain_text("Crisis call or walk-in, care team unavailable")
    expect(card).to_contain_text("the care team cannot be reached")
    shot(page, "11-review-queue")

    # and writes a finding and marks it reviewed
    card.get_by_label("Review finding").fill("Justified: crisis call, team unreachable.")
    card.get_by_role("button", name="Mark reviewed").click()

    # then it leaves the pending list and appears under "Recently reviewed"
    expect(page.locator(f"#grant-{grant.pk}")).to_have_count(0)
    expect(page.get_by_text("Nothing waiting")).to_be_visible()
    expect(page.get_by_role("heading", name="Recently reviewed")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Justified: crisis call, team unreachable.")
    expect(row).to_contain_text(clinic.therapist_on_team.display_name)
    expect(row).to_contain_text("100000002")
    expect(row).to_contain_text(clinic.privacy_officer.display_name)
    shot(page, "12-review-done")
    grant.refresh_from_db()
    assert grant.reviewed_by == clinic.privacy_officer


def test_sign_out_leaves_nothing_in_the_browser_and_ends_the_session(
    page: Page, live_server: object
) -> None:
    """SEC-33: browser storage is empty after sign-out; SEC-05: the old session is dead."""
    clinic = build_clinic()
    base = str(live_server)
    sign_in(page, base, THERAPIST, PASSWORD)
    page.goto(chart_url(base, clinic.client_a))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Núñez")
    # something (an extension, a future script) left data behind in this origin's storage
    page.evaluate("() => { localStorage.setItem('left', 'Núñez'); sessionStorage.setItem('x', 1) }")
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [1, 1]
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "alliance_session")

    # when they sign out
    sign_out(page)

    # then this origin's storage is empty (Clear-Site-Data) and the chart is gone
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]
    page.go_back()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("body")).not_to_contain_text("Núñez")
    page.goto(chart_url(base, clinic.client_a))
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")

    # and the old session cookie, replayed, opens nothing
    page.context.add_cookies([session_cookie])
    page.goto(chart_url(base, clinic.client_a))
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_client_edit_is_labelled_and_sign_in_works_from_the_keyboard(
    page: Page, live_server: object
) -> None:
    """Every form control on the edit page has a label; sign-in needs no mouse."""
    clinic = build_clinic()
    base = str(live_server)
    # enrolled earlier (from an administrator's enrolment link): an authenticator it holds
    device = TotpDevice.new_for(clinic.therapist_on_team)
    device.confirmed = True
    device.save()

    # sign in with the keyboard only
    page.goto(f"{base}/login/")
    focused = "() => document.activeElement && document.activeElement.name"
    assert page.evaluate(focused) == "username"  # autofocus
    page.keyboard.type(THERAPIST)
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login/verify/$"))
    assert page.evaluate(focused) == "token"  # autofocus
    page.keyboard.type(current_code(device.base32_key))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()

    page.goto(f"{base}/clients/{clinic.client_a.pk}/edit/")
    expect(page.get_by_role("heading", name="Edit registration details")).to_be_visible()
    shot(page, "13-edit")
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => el.type !== 'hidden' && el.getClientRects().length > 0)
            .filter(el => {
                const named = Array.from(el.labels || []).some(l => l.textContent.trim());
                return !named && !el.getAttribute('aria-label')
                    && !el.getAttribute('aria-labelledby');
            })
            .map(el => el.name || el.id || el.outerHTML)"""
    )
    assert unlabelled == []
    visible = page.locator("form.record :is(input, select, textarea):visible")
    assert visible.count() >= 15  # the check above looked at the real form


def test_registration_names_every_error_at_once_in_a_focused_summary(
    page: Page, live_server: object
) -> None:
    """A bad email and a future date of birth are both named, next to their fields and in a
    summary that takes the focus and links to each field; nothing typed is lost."""
    build_clinic()
    base = str(live_server)
    sign_in(page, base, FRONT_DESK, PASSWORD)
    page.get_by_role("link", name="Register a client").click()
    future = (date.today() + timedelta(days=30)).isoformat()
    page.get_by_label("Legal first name").fill("Marisol")
    page.get_by_label("Legal last name").fill("Quintero")
    page.get_by_label("Date of birth").fill(future)
    page.get_by_label("Email").fill("mari.q@")
    page.get_by_role("button", name="Save").click()

    # then the summary has the focus, and lists both problems as links to their fields
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Register a client"))
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_text("Date of birth: Date of birth cannot be in the future.")
    expect(links.nth(1)).to_contain_text("Email: Enter a valid email address.")
    for field, message in (("date_of_birth", "in the future"), ("email", "valid email")):
        expect(
            page.locator(".field.has-error").filter(has=page.locator(f"#id_{field}"))
        ).to_contain_text(message)
    expect(page.get_by_label("Legal first name")).to_have_value("Marisol")
    expect(page.get_by_label("Email")).to_have_value("mari.q@")
    shot(page, "15-register-errors")

    # when the email's link is followed from the keyboard, the email field has the focus
    links.nth(1).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Email")).to_be_focused()

    # and once both are fixed the client is registered
    page.get_by_label("Email").fill("mari.q@example.org")
    page.get_by_label("Date of birth").fill("1993-08-14")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marisol Quintero")
    assert Client.objects.filter(legal_last_name="Quintero", email="mari.q@example.org").exists()


def test_chart_fits_a_phone_screen(phone_page: Page, live_server: object) -> None:
    """On a 390 x 844 phone the chart never scrolls sideways."""
    clinic = build_clinic()
    base = str(live_server)
    page = phone_page
    sign_in(page, base, THERAPIST, PASSWORD)
    page.goto(chart_url(base, clinic.client_a))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Núñez")
    shot(page, "14-phone-chart")
    width, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    # A mobile browser widens the layout viewport to fit content that overflows, so
    # innerWidth alone would follow the overflow: it must still be the phone's width.
    assert viewport == PHONE["width"], f"the page was zoomed out to {viewport}px"
    assert width <= viewport, f"the chart is {width}px wide on a {viewport}px screen"
