"""The safety pages through HTTP: alert → assessment, the PDF, the client's link."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import get_resolver, reverse
from django.utils import timezone

from alliance.assessments.models import CriticalAlert
from alliance.safety.models import RiskAssessment, SafetyPlanVersion
from alliance.staff.models import User
from alliance.web.safety import urls as urls_safety
from alliance.web.safety.safety_plans import DEVICE_COOKIE
from tests.core.test_logging import all_logs, everything_logged
from tests.personas import Clinic
from tests.safety.conftest import signed_assessment

__all__ = ["all_logs"]  # the fixture


def test_acknowledge_and_start_a_risk_assessment_linked_to_the_alert(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    alert = CriticalAlert.objects.create(
        client=clinic.client_a,
        instrument="phq9",
        flags=["phq9_item9_positive"],
        raised_at=timezone.now(),
    )
    http = signed_in(clinic.therapist_on_team)
    response = http.post(
        f"/alerts/{alert.pk}/acknowledge/",
        {f"a{alert.pk}-action": "safety_assessment", "then": "risk_assessment"},
    )
    url = f"/clients/{clinic.client_a.pk}/risk/new/?alert={alert.pk}"
    assert (response.status_code, response["Location"]) == (302, url)
    page = http.get(url).content.decode()
    assert "answers the PHQ9 alert" in page and "No ASQ, C-SSRS screener or PHQ-9" in page
    response = http.post(
        f"/clients/{clinic.client_a.pk}/risk/new/",
        {"alert": alert.pk, "risk_factors": "Job loss.", "suicide_risk": "moderate"},
    )
    created = RiskAssessment.objects.get()
    assert created.alert == alert and created.content["risk_factors"] == "Job loss."
    assert response["Location"].endswith(f"/risk/{created.pk}/edit/")


def test_a_bad_review_date_is_shown_next_to_the_field_and_input_kept(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    http = signed_in(clinic.therapist_on_team)
    response = http.post(
        f"/clients/{clinic.client_a.pk}/risk/new/",
        {"risk_factors": "Kept text", "review_on": "not a date"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Kept text" in page and "valid date" in page


def test_the_plan_prints_on_one_page_with_its_steps_and_988(
    plan_v1: SafetyPlanVersion,
    clinic: Clinic,
    signed_in: Callable[[User], HttpClient],
    tmp_path: Path,
) -> None:
    http = signed_in(clinic.psychiatrist)
    response = http.get(f"/clients/{clinic.client_a.pk}/safety-plan/versions/{plan_v1.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    source = tmp_path / "plan.pdf"
    source.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout
    text = subprocess.run(
        ["pdftotext", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        "Warning signs",
        "Walk by the river",
        "988",
        "Sister keeps the pills",
        "My niece",
    ):
        assert expected in text
    assert "Núñez" not in response["Content-Disposition"]


def test_the_public_link_binds_the_confirming_browser(
    plan_v1: SafetyPlanVersion, clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    http = signed_in(clinic.therapist_on_team)
    page = http.post(f"/clients/{clinic.client_a.pk}/safety-plan/links/").content.decode()
    url = page.split('class="link-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    path = url.replace("http://testserver", "")
    phone = HttpClient()
    ask = phone.get(path)
    assert ask.status_code == 200 and "Walk by the river" not in ask.content.decode()
    bound = phone.post(path, {"date_of_birth": clinic.client_a.date_of_birth.isoformat()})
    assert bound.status_code == 303 and bound["Location"] == path
    first = phone.get(path)
    assert first.status_code == 200 and "Walk by the river" in first.content.decode()
    cookie = bound.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["path"] == path
    for private in ("Núñez", clinic.client_a.mrn, "1990-04-23"):
        assert private not in first.content.decode()
    assert phone.get(path).status_code == 200
    other = HttpClient().get(path)
    assert other.status_code == 403 and "another device" in other.content.decode()


def test_no_safety_page_logs_the_client(
    clinic: Clinic,
    signed_in: Callable[[User], HttpClient],
    all_logs: pytest.LogCaptureFixture,
) -> None:
    """SEC-28: a template lookup that fails logs its context; no safety page may have one."""
    from tests.web.matrix_safety import census_objects

    ids = census_objects(clinic)
    ids["client_id"] = clinic.client_a.pk
    alert = CriticalAlert.objects.create(
        client=clinic.client_a, instrument="phq9", flags=["x"], raised_at=timezone.now()
    )
    names = [p.name for p in urls_safety.urlpatterns if p.name]
    assert get_resolver()  # the URLconf is loaded
    for persona in (clinic.therapist_on_team, clinic.psychiatrist):
        http = signed_in(persona)
        for name in names:
            pattern = next(p for p in urls_safety.urlpatterns if p.name == name)
            params = {k: ids[k] for k in pattern.pattern.converters}
            http.get(reverse(f"web:{name}", kwargs=params))
        http.get(f"/clients/{clinic.client_a.pk}/risk/new/?alert={alert.pk}")
        http.get(f"/clients/{clinic.client_a.pk}/")
        http.get("/")
    signed_in(clinic.front_desk).get(f"/clients/{clinic.client_a.pk}/")
    assert all_logs.records, "nothing was captured: the test would prove nothing"
    logged = everything_logged(all_logs.records)
    assert "Núñez" not in logged and "Zoë" not in logged


def test_a_draft_is_not_printed_for_the_client(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """Only a signed version becomes the PDF handed to the client; a draft's answer is 404."""
    from alliance.safety.plans import safety_plan_save
    from tests.safety.conftest import PLAN

    draft = safety_plan_save(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        values=PLAN,
        draft=None,
        revision=0,
    )
    http = signed_in(clinic.therapist_on_team)

    response = http.get(f"/clients/{clinic.client_a.pk}/safety-plan/versions/{draft.pk}/pdf/")

    assert response.status_code == 404


def test_signing_a_risk_assessment_needs_the_password_and_the_version_read(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-08, REL-04 on the sign page: a wrong password or a draft saved since it was read
    signs nothing; the right password on the version read signs it and sets the flag."""
    from alliance.safety.models import RiskFlag
    from alliance.safety.risk import risk_assessment_save
    from tests.personas import PASSWORD
    from tests.safety.conftest import SECTIONS, draft_assessment, formulation

    therapist = clinic.therapist_on_team
    draft = draft_assessment(therapist, clinic.client_a, level="high")
    http = signed_in(therapist)
    url = reverse("web:risk_sign", args=[clinic.client_a.pk, draft.pk])

    wrong = http.post(url, {"version": draft.version, "password": "not it"})
    assert wrong.status_code == 400 and "That password is not correct." in wrong.content.decode()

    risk_assessment_save(
        actor=therapist,
        assessment=draft,
        values={**SECTIONS, "warning_signs": "Added after the sign page was opened."},
        formulation=formulation("high"),
        version=draft.version,
    )
    stale = http.post(url, {"version": draft.version, "password": PASSWORD})
    assert stale.status_code == 409
    assert "Added after the sign page was opened." in stale.content.decode()
    assert RiskAssessment.objects.get(pk=draft.pk).is_draft

    right = http.post(url, {"version": draft.version + 1, "password": PASSWORD})
    assert right.status_code == 302
    assert not RiskAssessment.objects.get(pk=draft.pk).is_draft
    assert RiskFlag.objects.get(client=clinic.client_a, kind="suicide").level == "high"


def _section(page: str, heading_id: str) -> str:
    """The chart panel labelled by ``heading_id``, as HTML."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, heading_id
    return match.group(0)


def test_the_chart_shows_a_signed_risk_flag_in_all_three_places(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """Issue 13: after a moderate suicide risk is signed, the header, the Safety card and the
    Alerts and risk card all name the flag; none of them says there is none."""
    chart_url = reverse("web:client_chart", args=[clinic.client_a.pk])
    http = signed_in(clinic.therapist_on_team)
    before = _section(http.get(chart_url).content.decode(), "alerts-h")
    assert "No active alerts or risk flags." in before and "Suicide risk" not in before

    # given a signed moderate suicide risk assessment
    signed_assessment(clinic.therapist_on_team, clinic.client_a, "moderate")

    # when the therapist opens the chart
    page = http.get(chart_url).content.decode()

    # then the three places agree
    header = re.search(r'<header class="chart-header".*?</header>', page, re.S)
    assert header and "Suicide risk: moderate" in header.group(0)
    assert "Suicide risk: moderate" in _section(page, "safety-h")
    alerts = _section(page, "alerts-h")
    assert "Suicide risk: moderate" in alerts
    assert "No active" not in alerts
