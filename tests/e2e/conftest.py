"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

``playwright install`` cannot download browsers here, so the system Chromium is launched
directly. Playwright's sync API keeps an event loop running in the test thread, which Django
would otherwise take for async code and refuse database access from.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def background_work_running(transactional_db: None) -> None:
    """A worker that has just beaten and completed its cycle, as in a running clinic: the
    browser tests start no worker, and the stopped-worker banner would be on every page."""
    from django.utils import timezone

    from alliance.operations.models import PeriodicJob, WorkerHeartbeat
    from alliance.operations.worker import MEASUREMENT_CYCLE

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id="browser-tests", defaults={"started_at": now, "beat_at": now}
    )
    PeriodicJob.objects.update_or_create(
        name=MEASUREMENT_CYCLE, defaults={"next_run_at": now, "last_completed_at": now}
    )


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport={"width": 1280, "height": 800})
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    opened.set_default_timeout(10_000)
    yield opened.new_page()
    opened.close()


def shot(page: Page, name: str) -> None:
    """Keep a full-page screenshot in test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def current_code(secret: str) -> str:
    """What an authenticator app enrolled with ``secret`` (base32, unpadded) shows now."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=30, digits=6):06d}"


def enrol_and_verify(page: Page, screenshot: str | None = None) -> None:
    """On the first sign-in: read the key shown beside the QR code and type its current code."""
    expect(page).to_have_url(re.compile(r"/login/verify/$"))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("figure.qr code").inner_text().strip()
    if screenshot:
        shot(page, screenshot)
    page.get_by_label("6-digit code from your authenticator app").fill(current_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def open_enrolment_link(page: Page, base_url: str, username: str, password: str) -> None:
    """A first sign-in: the single-use link a staff administrator issued, and the password
    (with two-factor sign-in required, the password alone enrols nothing)."""
    from alliance.staff.enrolment import mfa_invite_issue
    from alliance.staff.models import User

    _invite, token = mfa_invite_issue(actor=None, staff=User.objects.get(username=username))
    page.goto(f"{base_url}/login/enrol/{token}/")
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Confirm my password").click()


def sign_in(
    page: Page, base_url: str, username: str, password: str, screenshot: str | None = None
) -> None:
    """Enrolment link and password, then MFA enrolment, as a person signing in for the first
    time does."""
    open_enrolment_link(page, base_url, username, password)
    enrol_and_verify(page, screenshot)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
