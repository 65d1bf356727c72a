"""Giving questionnaires, self-completion links, critical alerts and their escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from freezegun import freeze_time

from alliance.access.policy import ClientNotFound
from alliance.assessments import services
from alliance.assessments.models import (
    Administration,
    AdministrationMode,
    CriticalAlert,
    SelfCompletionLink,
)
from alliance.assessments.selectors import alerts_for_home
from alliance.assessments.services import (
    AnswersInvalid,
    LinkUnusable,
    administration_record,
    alert_acknowledge,
    alerts_escalate,
    link_create,
    link_submit,
)
from alliance.audit.models import AuditEvent
from tests.personas import Clinic

pytestmark = pytest.mark.django_db


def phq9(item9: int = 0, rest: int = 1) -> dict[str, int | None]:
    answers: dict[str, int | None] = {str(i): rest for i in range(1, 9)}
    answers["9"] = item9
    return answers


def test_answers_are_stored_item_by_item_as_fhir_with_a_recomputed_total(clinic: Clinic) -> None:
    recorded = administration_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="phq9",
        answers=phq9(rest=2),
        submitted_total=3,
    )
    row = Administration.objects.get(pk=recorded.administration.pk)
    assert (row.total, row.severity, row.critical_flags) == (16, "moderately_severe", [])
    # a total sent in is never trusted: it is kept only to report the mismatch
    assert row.submitted_total == 3 and row.total_mismatch
    response = QuestionnaireResponse.model_validate(row.questionnaire_response)
    answered = {item.linkId: item.answer[0].valueInteger for item in response.item or []}
    assert answered == {str(i): 2 for i in range(1, 9)} | {"9": 0}
    assert response.questionnaire == "http://loinc.org/q/44249-1"
    assert recorded.alert is None
    event = AuditEvent.objects.get(action="create", object_id=str(row.pk))
    assert (event.actor_id, event.client_id) == (clinic.therapist_on_team.pk, clinic.client_a.pk)


def test_a_critical_answer_raises_an_alert_with_the_answers(clinic: Clinic) -> None:
    recorded = administration_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="phq9",
        answers=phq9(item9=1, rest=0),
    )
    assert recorded.alert is not None
    assert recorded.alert.flags == ["phq9_item9_positive"]
    assert recorded.alert.administration_id == recorded.administration.pk


def test_the_alert_and_the_answers_are_one_transaction(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REL-06: if the alert cannot be written, the answers are not saved either."""

    def broken(**kwargs: object) -> None:
        raise RuntimeError("alert store down")

    monkeypatch.setattr(services, "_alert_raise", broken)
    with pytest.raises(RuntimeError):
        administration_record(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            instrument="phq9",
            answers=phq9(item9=2),
        )
    assert not Administration.objects.exists()


def test_a_critical_answer_is_alerted_even_when_another_answer_is_invalid(clinic: Clinic) -> None:
    """Safety first: item 9 positive raises the alert though item 1 is out of range."""
    answers = phq9(item9=3)
    answers["1"] = 7
    with pytest.raises(AnswersInvalid) as invalid:
        administration_record(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            instrument="phq9",
            answers=answers,
        )
    assert invalid.value.error.code == "out_of_range"
    assert invalid.value.error.item == "1"
    assert not Administration.objects.exists()
    alert = CriticalAlert.objects.get()
    assert (alert.flags, alert.administration_id) == (["phq9_item9_positive"], None)


def test_a_client_who_corrects_an_invalid_form_raises_one_alert(clinic: Clinic) -> None:
    """One link, one alert: the first (invalid) attempt alerts at once, the corrected one
    attaches its saved answers to that alert instead of raising a second."""
    _link, token = link_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, instrument="phq9"
    )
    invalid = phq9(item9=2)
    invalid["1"] = 9
    with pytest.raises(AnswersInvalid) as first:
        link_submit(token=token, answers=invalid)
    assert first.value.alert is not None
    with pytest.raises(AnswersInvalid) as second:
        link_submit(token=token, answers=invalid)
    assert second.value.alert == first.value.alert

    recorded = link_submit(token=token, answers=phq9(item9=2))

    alert = CriticalAlert.objects.get()
    assert recorded.alert == alert
    assert alert.administration_id == recorded.administration.pk


def test_each_link_with_a_critical_answer_raises_its_own_alert(clinic: Clinic) -> None:
    for _ in range(2):
        _link, token = link_create(
            actor=clinic.therapist_on_team, client=clinic.client_a, instrument="phq9"
        )
        link_submit(token=token, answers=phq9(item9=1))
    assert CriticalAlert.objects.count() == 2


def test_staff_outside_the_care_team_cannot_record(clinic: Clinic) -> None:
    """SEC-10: the access policy applies to measures too."""
    with pytest.raises(ClientNotFound):
        administration_record(
            actor=clinic.therapist_off_team,
            client=clinic.client_a,
            instrument="phq9",
            answers=phq9(),
        )
    assert not Administration.objects.exists()


def test_a_link_stores_only_the_hash_of_its_token_and_works_once(clinic: Clinic) -> None:
    link, token = link_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, instrument="gad7"
    )
    stored = SelfCompletionLink.objects.get(pk=link.pk)
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    recorded = link_submit(token=token, answers={str(i): 1 for i in range(1, 8)})
    assert recorded.administration.mode == AdministrationMode.SELF_COMPLETION
    assert recorded.administration.entered_by is None
    assert recorded.administration.total == 7
    with pytest.raises(LinkUnusable):
        link_submit(token=token, answers={str(i): 1 for i in range(1, 8)})
    assert Administration.objects.count() == 1


def test_links_expire_after_the_configured_days(clinic: Clinic) -> None:
    _, token = link_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, instrument="phq9"
    )
    with freeze_time(timezone.now() + timedelta(days=7, minutes=1)), pytest.raises(LinkUnusable):
        link_submit(token=token, answers=phq9())
    with pytest.raises(LinkUnusable):
        link_submit(token="not-a-real-token", answers=phq9())


def test_acknowledging_needs_an_action_and_other_needs_words(clinic: Clinic) -> None:
    alert = administration_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="phq9",
        answers=phq9(item9=1),
    ).alert
    assert alert is not None
    with pytest.raises(ValidationError) as missing:
        alert_acknowledge(actor=clinic.therapist_on_team, alert=alert, action="other", note=" ")
    assert "note" in missing.value.error_dict
    done = alert_acknowledge(
        actor=clinic.psychiatrist, alert=alert, action="client_contacted", note=""
    )
    assert (done.acknowledged_by, done.action) == (clinic.psychiatrist, "client_contacted")
    with pytest.raises(ValidationError):
        alert_acknowledge(
            actor=clinic.therapist_on_team, alert=alert, action="client_contacted", note=""
        )
    assert AuditEvent.objects.filter(action="change", object_id=str(alert.pk)).count() == 1


def test_home_alerts_put_the_primary_clinicians_first(clinic: Clinic) -> None:
    administration_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="phq9",
        answers=phq9(item9=2),
    )
    mine = alerts_for_home(actor=clinic.therapist_on_team)
    assert [(a.alert.client_id, a.primary) for a in mine] == [(clinic.client_a.pk, True)]
    assert [a.primary for a in alerts_for_home(actor=clinic.psychiatrist)] == [False]
    assert alerts_for_home(actor=clinic.therapist_off_team) == []


def test_unacknowledged_alerts_escalate_to_supervisor_and_on_call(clinic: Clinic) -> None:
    clinic.therapist_off_team.on_call = True
    clinic.therapist_off_team.save()
    administration_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="phq9",
        answers=phq9(item9=2),
    )
    # the supervisor is not on the team: before escalation they see nothing
    assert alerts_for_home(actor=clinic.supervisor) == []
    assert alerts_escalate() == 0
    with freeze_time(timezone.now() + timedelta(hours=4, minutes=1)):
        assert alerts_escalate() == 1
        assert alerts_escalate() == 0  # once
    supervisor_view = alerts_for_home(actor=clinic.supervisor)
    assert [a.escalated_to_me for a in supervisor_view] == [True]
    assert len(alerts_for_home(actor=clinic.therapist_off_team)) == 1
    assert alerts_for_home(actor=clinic.front_desk) == []
