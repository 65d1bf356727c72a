"""Measures through the web pages: give in session, send a link, the client's form, alerts."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.assessments.models import Administration, CriticalAlert, SelfCompletionLink
from alliance.staff.models import User
from tests.personas import Clinic

pytestmark = pytest.mark.django_db

SignedIn = Callable[[User], HttpClient]


def phq9_post(item9: int = 0, rest: int = 1, **changes: str) -> dict[str, str]:
    data = {f"item_{i}": str(rest) for i in range(1, 9)}
    data["item_9"] = str(item9)
    return data | changes


def test_a_clinician_gives_a_phq9_and_the_chart_shows_the_chart_and_table(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    http = signed_in(clinic.therapist_on_team)
    page = http.get(reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"]))
    assert page.status_code == 200
    assert page.content.decode().count('type="radio"') >= 9 * 4
    for rest in (3, 1):
        response = http.post(
            reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"]), phq9_post(rest=rest)
        )
        assert response.status_code == 302
    chart = http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in chart
    assert chart.count('class="point"') == 2
    assert "improvement" in chart  # 24 → 8 is a reliable improvement
    assert Administration.objects.filter(client=clinic.client_a).count() == 2


def test_a_missing_answer_is_shown_next_to_its_item_and_nothing_is_saved(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    data = phq9_post()
    del data["item_4"]
    response = signed_in(clinic.therapist_on_team).post(
        reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"]), data
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_item_4_error"' in html
    # the answers already given are still selected
    assert re.search(r'name="item_1" value="1"[^>]*checked', html), html
    assert not Administration.objects.exists()


def test_the_client_link_shows_only_the_questionnaire_and_alerts_on_a_critical_answer(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    therapist = signed_in(clinic.therapist_on_team)
    page = therapist.post(
        reverse("web:measure_send", args=[clinic.client_a.pk]), {"instrument": "phq9"}
    ).content.decode()
    url = re.search(r'value="(http://testserver/q/[^"]+/)"', page)
    assert url, page
    path = url.group(1).replace("http://testserver", "")
    token = path.strip("/").split("/")[-1]
    assert not SelfCompletionLink.objects.filter(token_hash=token).exists()

    client_browser = HttpClient()
    form = client_browser.get(path).content.decode()
    assert "Núñez" not in form and "Zoë" not in form  # nothing about the client
    done = client_browser.post(path, phq9_post(item9=1, rest=0))
    assert done.status_code == 200
    assert "988" in done.content.decode()  # crisis resources at once
    assert client_browser.get(path).status_code == 404  # single use

    home = therapist.get(reverse("web:home")).content.decode()
    alert = CriticalAlert.objects.get()
    chart = therapist.get(reverse("web:client_chart", args=[clinic.client_a.pk])).content.decode()
    assert 'class="header-alert"' in chart
    assert f'id="alert-{alert.pk}"' in home
    ack = therapist.post(
        reverse("web:alert_acknowledge", args=[alert.pk]),
        {f"a{alert.pk}-action": "safety_assessment", f"a{alert.pk}-note": "", "return_to": "home"},
    )
    assert ack.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinic.therapist_on_team
    assert f'id="alert-{alert.pk}"' not in therapist.get(reverse("web:home")).content.decode()


def test_acknowledging_other_without_words_keeps_the_alert_open(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    alert = CriticalAlert.objects.create(
        client=clinic.client_a,
        instrument="phq9",
        flags=["phq9_item9_positive"],
        raised_at=clinic.client_a.created_at,
    )
    response = signed_in(clinic.therapist_on_team).post(
        reverse("web:alert_acknowledge", args=[alert.pk]), {f"a{alert.pk}-action": "other"}
    )
    assert response.status_code == 400
    assert "Describe what you did." in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_kiosk_mode_signs_the_clinician_out_and_locks_after_the_client(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    tablet = signed_in(clinic.therapist_on_team)
    response = tablet.post(
        reverse("web:measure_send", args=[clinic.client_a.pk]),
        {"instrument": "gad7", "kiosk": "on"},
    )
    assert response.status_code == 302 and response["Location"].startswith("/q/")
    # the tablet no longer holds the clinician's session
    assert tablet.get(reverse("web:home"))["Location"] == "/login/"
    done = tablet.post(response["Location"], {f"item_{i}": "0" for i in range(1, 8)})
    assert "hand the tablet back" in done.content.decode()
    assert Administration.objects.get().mode == "kiosk"
    assert tablet.get(reverse("web:client_chart", args=[clinic.client_a.pk])).status_code == 302


def test_not_improving_lists_a_deterioration(clinic: Clinic, signed_in: SignedIn) -> None:
    http = signed_in(clinic.therapist_on_team)
    for rest in (0, 3):
        http.post(
            reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"]), phq9_post(rest=rest)
        )
    page = http.get(reverse("web:not_improving")).content.decode()
    assert "deterioration" in page and clinic.client_a.display_name in page


def test_the_measures_table_shows_the_newest_ten_and_the_chart_plots_all(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from alliance.assessments.services import administration_record

    for weeks in range(12, 0, -1):
        administration_record(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            instrument="gad7",
            answers={str(i): 1 for i in range(1, 8)},
            completed_at=timezone.now() - timedelta(weeks=weeks),
        )
    html = (
        signed_in(clinic.therapist_on_team)
        .get(reverse("web:client_chart", args=[clinic.client_a.pk]))
        .content.decode()
    )
    assert html.count('class="point"') == 12
    assert html.count("<summary>Show</summary>") == 10
    assert "2 earlier administrations are plotted above" in html


def test_the_question_stem_is_shown_above_the_items(clinic: Clinic, signed_in: SignedIn) -> None:
    """Without "Over the last 2 weeks..." the PHQ-9 items are not the validated questionnaire."""
    html = (
        signed_in(clinic.therapist_on_team)
        .get(reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"]))
        .content.decode()
    )
    assert "Over the last 2 weeks, how often have you been bothered" in html


def test_a_schedule_is_added_from_the_page_and_its_fields_have_their_own_ids(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    from alliance.assessments.models import MeasurementSchedule

    http = signed_in(clinic.therapist_on_team)
    page = http.get(reverse("web:measure_choose", args=[clinic.client_a.pk])).content.decode()
    assert page.count('id="id_instrument"') == 1  # the send form's; the schedule's is prefixed
    assert 'id="id_schedule-instrument"' in page
    response = http.post(
        reverse("web:measure_schedule_add", args=[clinic.client_a.pk]),
        {"schedule-instrument": "phq9", "schedule-every_days": "14"},
    )
    assert response.status_code == 302
    assert MeasurementSchedule.objects.get().every_days == 14


def test_chart_points_are_dated_in_the_clinics_time_zone(clinic: Clinic) -> None:
    from datetime import UTC, datetime

    from alliance.assessments.selectors import measures_for
    from alliance.assessments.services import administration_record

    # 02:00 UTC on 2 March is still 1 March in New York (the default clinic time zone)
    administration_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="gad7",
        answers={str(i): 1 for i in range(1, 8)},
        completed_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    )
    (series,) = measures_for(client=clinic.client_a)
    assert "2026-03-01: 7" in series.svg and "2026-03-02" not in series.svg


def test_the_not_improving_list_is_audited_with_the_ids_it_shows(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-23: a page that lists clients leaves an audit row naming them."""
    from alliance.audit.models import AuditEvent

    http = signed_in(clinic.therapist_on_team)
    for rest in (0, 3):
        http.post(
            reverse("web:measure_give", args=[clinic.client_a.pk, "phq9"]), phq9_post(rest=rest)
        )
    http.get(reverse("web:not_improving"))
    event = AuditEvent.objects.filter(detail__view="not_improving").latest("seq")
    assert event.actor_id == clinic.therapist_on_team.pk
    assert event.detail["client_ids"] == [clinic.client_a.pk]
