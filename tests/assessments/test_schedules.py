"""Measurement schedules: measures fall due on their dates and are met by an administration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.assessments.models import DueMeasure, MeasurementSchedule
from alliance.assessments.schedules import measures_fall_due, schedule_create
from alliance.assessments.services import administration_record
from alliance.assessments.tasks import measurement_cycle
from tests.personas import Clinic

pytestmark = pytest.mark.django_db


def test_a_schedule_makes_a_measure_due_every_cadence(clinic: Clinic) -> None:
    today = timezone.localdate()
    schedule = schedule_create(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="phq9",
        every_days=14,
        first_due_on=today,
    )
    assert measures_fall_due(today=today) == 1
    assert measures_fall_due(today=today) == 0  # idempotent
    schedule.refresh_from_db()
    assert schedule.next_due_on == today + timedelta(days=14)
    # a worker down for a month creates one due measure, not a pile of missed ones
    assert measures_fall_due(today=today + timedelta(days=45)) == 1
    schedule.refresh_from_db()
    assert schedule.next_due_on == today + timedelta(days=56)
    assert DueMeasure.objects.filter(done_by__isnull=True).count() == 2

    # one PHQ-9 meets every PHQ-9 still due
    administration_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="phq9",
        answers={str(i): 0 for i in range(1, 10)},
    )
    assert DueMeasure.objects.filter(done_by__isnull=True, due_on__lte=today).count() == 0


def test_bad_schedules_are_refused_field_by_field(clinic: Clinic) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as invalid:
        schedule_create(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            instrument="nope",
            every_days=0,
            first_due_on=today - timedelta(days=1),
        )
    assert set(invalid.value.error_dict) == {"instrument", "every_days", "first_due_on"}
    assert not MeasurementSchedule.objects.exists()


def test_the_background_cycle_runs_both_jobs_and_queues_itself_again(clinic: Clinic) -> None:
    schedule_create(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="gad7",
        every_days=7,
        first_due_on=None,
    )
    outcome = measurement_cycle.call()
    assert outcome == {"due_created": 1, "alerts_escalated": 0}


def test_a_due_measure_is_emailed_as_a_working_link_when_the_client_agreed(
    clinic: Clinic,
    mailoutbox: list[object],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The task makes the link and emails it; the email names only the clinic."""
    import re

    from django.test import Client as HttpClient

    clinic.client_a.email = "zoe.client@example.org"
    clinic.client_a.save()
    schedule_create(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="gad7",
        every_days=14,
        first_due_on=None,
        send_by_email=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert measures_fall_due() == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["zoe.client@example.org"]  # type: ignore[attr-defined]
    body: str = message.body  # type: ignore[attr-defined]
    assert "Zoë" not in body and "Núñez" not in body and "GAD" not in body
    path = re.search(r"https?://[^/]+(/q/[^/\s]+/)", body)
    assert path, body
    due = DueMeasure.objects.get()
    assert due.link is not None

    # the client follows the link: the due measure is met
    response = HttpClient().post(path.group(1), {f"item_{i}": "1" for i in range(1, 8)})
    assert response.status_code == 200
    due.refresh_from_db()
    assert due.done_by is not None


def test_email_needs_an_address(clinic: Clinic) -> None:
    assert not clinic.client_a.email
    with pytest.raises(ValidationError) as invalid:
        schedule_create(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            instrument="phq9",
            every_days=14,
            first_due_on=None,
            send_by_email=True,
        )
    assert "send_by_email" in invalid.value.error_dict


def test_no_link_is_emailed_once_the_schedule_s_creator_has_lost_the_client(
    clinic: Clinic,
    mailoutbox: list[object],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """Issue 14 class 2: the link would act for its creator; a restriction ends that. The
    measure still falls due, for the care team to give in session."""
    from alliance.access.models import AccessRestriction, RestrictionReason

    clinic.client_a.email = "zoe.client@example.org"
    clinic.client_a.save()
    schedule_create(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="gad7",
        every_days=14,
        first_due_on=None,
        send_by_email=True,
    )
    AccessRestriction.objects.create(
        client=clinic.client_a,
        staff=clinic.therapist_on_team,
        reason=RestrictionReason.CONFLICT_OF_INTEREST,
        created_by=clinic.privacy_officer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert measures_fall_due() == 1
    assert mailoutbox == []
    assert DueMeasure.objects.get().link is None
