"""Response headers and template hygiene: no-store, CSP, CSRF (SEC-33, SEC-34, SEC-35)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, reverse
from django.utils import timezone

from alliance.access.models import (
    AccessRestriction,
    BreakGlassGrant,
    CareTeamMember,
    RestrictionReason,
)
from alliance.access.services import break_glass_start
from alliance.assessments.models import CriticalAlert, MeasurementSchedule
from alliance.assessments.services import link_create
from alliance.clients.models import Client, Contact, Episode
from alliance.staff.models import User
from alliance.web import urls as web_urls
from alliance.web.home import views as home_views
from tests.audit.helpers import client_edit_data
from tests.conftest import sign_in
from tests.personas import PASSWORD, Clinic
from tests.web.matrix_modules import MATRIX_MODULES
from tests.web.test_auth import link_login

TEMPLATES = Path(web_urls.__file__).parent / "templates"


def csp_of(response: Any) -> str:
    return str(response.get("Content-Security-Policy", ""))


def assert_safe_headers(response: Any, label: str) -> None:
    """SEC-33 no-store; SEC-34 CSP without inline code; framing and sniffing refused."""
    assert "no-store" in response.get("Cache-Control", ""), label
    policy = csp_of(response)
    assert policy, f"{label}: no Content-Security-Policy"
    assert "unsafe-inline" not in policy, label
    assert "unsafe-eval" not in policy, label
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"], label
    assert directives["script-src"] == ["'self'"], label
    assert directives["object-src"] == ["'none'"], label
    assert directives["frame-ancestors"] == ["'none'"], label
    assert response.get("X-Content-Type-Options") == "nosniff", label
    assert response.get("X-Frame-Options") == "DENY", label


@pytest.fixture
def records(clinic: Clinic) -> dict[str, int]:
    """One of each child record, so that every URL can be filled with a real id."""
    contact = Contact.objects.create(
        client=clinic.client_a, name="Ottoline Brisk", relationship="emergency"
    )
    episode = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=timezone.localdate()
    )
    grant = break_glass_start(
        actor=clinic.therapist_off_team,
        mrn=clinic.client_b.mrn,
        reason_code="crisis_call",
        reason_text="Crisis call, the care team cannot be reached",
        password=PASSWORD,
    )
    return {
        # every app's census ids (tests/web/matrix_<app>.py), found by name as the matrix does
        **{k: v for module in MATRIX_MODULES for k, v in module.census_objects(clinic).items()},
        "client_id": clinic.client_a.pk,
        "contact_id": contact.pk,
        "episode_id": episode.pk,
        "member_id": CareTeamMember.objects.filter(client=clinic.client_a).first().pk,  # type: ignore[union-attr]
        "grant_id": grant.pk,
        "code": "phq9",
        "token": link_create(
            actor=clinic.therapist_on_team, client=clinic.client_a, instrument="phq9"
        )[1],
        "alert_id": CriticalAlert.objects.create(
            client=clinic.client_a,
            instrument="phq9",
            flags=["phq9_item9_positive"],
            raised_at=timezone.now(),
        ).pk,
        "schedule_id": MeasurementSchedule.objects.create(
            client=clinic.client_a,
            instrument="phq9",
            every_days=14,
            next_due_on=timezone.localdate(),
            created_by=clinic.therapist_on_team,
        ).pk,
        "restriction_id": AccessRestriction.objects.create(
            client=clinic.client_a,
            staff=clinic.therapist_off_team,
            reason=RestrictionReason.RELATIVE,
        ).pk,
    }


def every_web_url(ids: dict[str, int]) -> list[str]:
    urls = []
    for pattern in web_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: ids[name] for name in pattern.pattern.converters}
        urls.append(reverse(f"web:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.mark.parametrize(
    "persona", ["therapist_on_team", "front_desk", "privacy_officer", "it_admin"]
)
def test_every_page_is_no_store_with_a_strict_csp(
    persona: str,
    clinic: Clinic,
    records: dict[str, int],
    signed_in: Callable[[User], HttpClient],
) -> None:
    """SEC-33, SEC-34: every page, whatever its status, is no-store and carries the CSP."""
    http = signed_in(getattr(clinic, persona))
    statuses = set()

    for url in every_web_url(records):
        response = http.get(url)
        statuses.add(response.status_code)
        assert_safe_headers(response, f"{persona} GET {url} -> {response.status_code}")
    searched = http.post(reverse("web:client_search"), {"q": "nunez"})
    assert_safe_headers(searched, f"search -> {searched.status_code}")
    if searched.status_code == 303:  # those who may search are sent on to the results
        assert_safe_headers(http.get(searched["Location"]), "search results")
    admin = http.get(reverse("admin:index"))
    assert_safe_headers(admin, "admin")

    assert 200 in statuses


def test_sign_in_error_and_time_out_pages_are_no_store(clinic: Clinic) -> None:
    """SEC-33: pages outside a session (sign-in, not found, second factor) are no-store too."""
    http = HttpClient()
    pages = {
        "login": http.get(reverse("web:login")),
        "not found": http.get("/no/such/page/"),
        "login failed": http.post(
            reverse("web:login"), {"username": "therapist.on.team", "password": "nope"}
        ),
    }
    http.post(reverse("web:login"), {"username": "therapist.on.team", "password": PASSWORD})
    pages["second factor"] = http.get(reverse("web:mfa"))

    for label, response in pages.items():
        assert_safe_headers(response, label)


def test_the_server_error_page_is_no_store(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    """SEC-33: a 500 page is no-store and carries the CSP."""

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(home_views, "caseload_for", broken)
    http = sign_in(HttpClient(raise_request_exception=False), clinic.therapist_on_team)

    response = http.get("/")

    assert response.status_code == 500
    assert_safe_headers(response, "500")


# ------------------------------------------------------------------------------ SEC-35


@pytest.fixture
def strict(clinic: Clinic) -> HttpClient:
    """A signed-in therapist whose browser sends no CSRF token."""
    return sign_in(HttpClient(enforce_csrf_checks=True), clinic.therapist_on_team)


def test_a_post_without_a_csrf_token_is_refused(
    strict: HttpClient, clinic: Clinic, records: dict[str, int]
) -> None:
    """SEC-35: each state-changing form refuses a POST without the token, and changes nothing."""
    client = clinic.client_a
    before = Client.objects.filter(pk=client.pk).values().get()
    posts = {
        reverse("web:client_edit", args=[client.pk]): client_edit_data(client, city="Lakemont"),
        reverse("web:contact_create", args=[client.pk]): {
            "name": "Quillon Marsh",
            "relationship": "friend",
        },
        reverse("web:care_team_end", args=[client.pk, records["member_id"]]): {},
        reverse("web:client_search"): {"q": "nunez"},
        reverse("web:break_glass"): {
            "mrn": clinic.client_b.mrn,
            "reason_code": "emergency",
            "reason_text": "Crisis call, the care team cannot be reached",
            "password": PASSWORD,
        },
        reverse("web:logout"): {},
    }

    for url, data in posts.items():
        response = strict.post(url, data)
        assert response.status_code == 403, url
        assert "That form had expired" in response.content.decode()
        assert not INLINE_STYLE.findall(response.content.decode())
        assert_safe_headers(response, f"CSRF refusal of {url}")

    assert Client.objects.filter(pk=client.pk).values().get() == before
    assert not Contact.objects.filter(name="Quillon Marsh").exists()
    assert CareTeamMember.objects.get(pk=records["member_id"]).end_on is None
    assert BreakGlassGrant.objects.count() == 1  # the fixture's own
    assert strict.get("/").status_code == 200  # the logout did not happen


def test_login_without_a_csrf_token_is_refused(clinic: Clinic) -> None:
    """SEC-35: login CSRF (signing a victim into an attacker's account) is refused."""
    http = HttpClient(enforce_csrf_checks=True)

    response = http.post(
        reverse("web:login"), {"username": "therapist.on.team", "password": PASSWORD}
    )

    assert response.status_code == 403


def test_a_post_with_the_csrf_token_is_accepted(strict: HttpClient, clinic: Clinic) -> None:
    """SEC-35 (control): the same edit with the form's token goes through."""
    url = reverse("web:client_edit", args=[clinic.client_a.pk])
    page = strict.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token

    response = strict.post(
        url,
        {
            **client_edit_data(clinic.client_a, city="Lakemont"),
            "csrfmiddlewaretoken": token.group(1),
        },
    )

    assert response.status_code == 302
    assert Client.objects.get(pk=clinic.client_a.pk).city == "Lakemont"


# ----------------------------------------------------------------- template hygiene

EXTERNAL = re.compile(
    r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"""(?:<style\b|\sstyle\s*=)""", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=|javascript:""", re.IGNORECASE)


def template_files() -> list[Path]:
    files = sorted(TEMPLATES.rglob("*.html"))
    assert files, TEMPLATES
    return files


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_load_nothing_from_other_origins(path: Path) -> None:
    """SEC-35 (A14): no page loads a script, style, image or form target from elsewhere."""
    text = path.read_text()

    assert not EXTERNAL.findall(text)
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_code_or_style(path: Path) -> None:
    """SEC-34: nothing the CSP would block: no inline script, style or event handler."""
    text = path.read_text()

    assert not INLINE_SCRIPT.findall(text)
    assert not INLINE_STYLE.findall(text)
    assert not INLINE_HANDLER.findall(text)


def test_the_hygiene_checks_catch_what_they_look_for() -> None:
    """The patterns above match the things they forbid (so the template tests can fail)."""
    assert EXTERNAL.search('<script src="https://cdn.example.com/x.js">')
    assert EXTERNAL.search("<img src=//tracker.example.com/p.gif>")
    assert EXTERNAL.search('<form action="http://example.com/collect">')
    assert not EXTERNAL.search('<a href="/clients/">')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/web/app.js"></script>')
    assert INLINE_STYLE.search('<p style="color:red">')
    assert INLINE_STYLE.search("<style>p{}</style>")
    assert INLINE_HANDLER.search('<button onclick="go()">')


def test_rendered_pages_have_no_inline_code_or_style(
    clinic: Clinic, records: dict[str, int], signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-34: what the browser receives (widgets, QR code, includes) is CSP-clean too."""
    pages = []
    for persona in ("therapist_on_team", "privacy_officer"):
        http = signed_in(getattr(clinic, persona))
        pages += [http.get(url) for url in every_web_url(records)]
    enrolling = HttpClient()
    link_login(enrolling, clinic.front_desk)
    pages.append(enrolling.get(reverse("web:mfa")))

    for response in pages:
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue  # a PDF download has no markup to check
        body = response.content.decode()
        assert not INLINE_SCRIPT.findall(body), response.wsgi_request.path
        assert not INLINE_STYLE.findall(body), response.wsgi_request.path
        assert not INLINE_HANDLER.findall(body), response.wsgi_request.path
        assert not EXTERNAL.findall(body), response.wsgi_request.path
