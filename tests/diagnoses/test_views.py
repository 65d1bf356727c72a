"""The problem-list pages (alliance/web/diagnoses/views.py), driven as a browser without
JavaScript would: plain GETs and form POSTs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.audit.models import AuditEvent
from alliance.diagnoses.models import CosignStatus, Diagnosis, DiagnosisStatus
from alliance.diagnoses.services import diagnosis_add
from alliance.staff.models import User
from tests.personas import Clinic

pytestmark = pytest.mark.django_db

SignedIn = Callable[[User], HttpClient]


def recorded(clinic: Clinic, actor: User | None = None, code: str = "F33.1") -> Diagnosis:
    return diagnosis_add(
        actor=actor or clinic.psychiatrist,
        client=clinic.client_a,
        code=code,
        status=DiagnosisStatus.ACTIVE,
        note="At intake",
    )


def add_url(clinic: Clinic) -> str:
    return reverse("web:diagnosis_add", args=[clinic.client_a.pk])


# ---------------------------------------------------------------- problem list


def test_the_problem_list_shows_diagnoses_with_history_and_is_audited(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    recorded(clinic)
    url = reverse("web:problem_list", args=[clinic.client_a.pk])

    page = signed_in(clinic.therapist_on_team).get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert "F33.1" in html and "Major depressive disorder, recurrent, moderate" in html
    assert "At intake" in html  # the history's note
    assert add_url(clinic) in html
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor_id, event.client_id) == (
        "record_view",
        clinic.therapist_on_team.pk,
        clinic.client_a.pk,
    )


def test_a_peer_specialist_reads_the_list_without_the_means_to_change_it(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    diagnosis = recorded(clinic)
    http = signed_in(clinic.peer_specialist)
    html = http.get(reverse("web:problem_list", args=[clinic.client_a.pk])).content.decode()
    assert "F33.1" in html
    assert add_url(clinic) not in html
    assert reverse("web:diagnosis_change", args=[clinic.client_a.pk, diagnosis.pk]) not in html
    response = http.post(add_url(clinic), {"action": "add", "code_typed": "F41.1"})
    assert response.status_code == 403
    assert Diagnosis.objects.count() == 1


# ---------------------------------------------------------------- add, with search


def test_searching_by_words_offers_the_codes_as_radio_choices_and_keeps_the_input(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    response = signed_in(clinic.therapist_on_team).post(
        add_url(clinic),
        {
            "action": "search",
            "q": "major depressive single episode moderate",
            "status": "provisional",
            "note": "Low mood since spring",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'type="radio" name="code" value="F32.1"', html), html
    assert "Major depressive disorder, single episode, moderate" in html
    assert 'value="major depressive single episode moderate"' in html
    assert re.search(r'<option value="provisional" selected>', html)
    assert "Low mood since spring" in html
    assert "errorlist" not in html  # the diagnosis was not submitted yet: no errors
    assert not Diagnosis.objects.exists()


def test_picking_a_search_result_records_the_diagnosis_for_the_signed_in_clinician(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-11: client, author and co-signer come from the URL and the session, never the form."""
    response = signed_in(clinic.therapist_on_team).post(
        add_url(clinic),
        {
            "action": "add",
            "q": "major depressive single episode moderate",
            "code": "F32.1",
            "status": "active",
            "is_primary": "on",
            "note": "Meets criteria",
            # mass assignment attempts: ignored
            "client": clinic.client_b.pk,
            "client_id": clinic.client_b.pk,
            "diagnosed_by": clinic.psychiatrist.pk,
            "cosign_status": "cosigned",
            "cosigned_by": clinic.supervisor.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:problem_list", args=[clinic.client_a.pk])
    diagnosis = Diagnosis.objects.get()
    assert (diagnosis.client_id, diagnosis.diagnosed_by_id) == (
        clinic.client_a.pk,
        clinic.therapist_on_team.pk,
    )
    assert diagnosis.is_primary
    # the therapist is supervised: her diagnosis waits, whatever the form said
    assert diagnosis.cosign_status == CosignStatus.PENDING and diagnosis.cosigned_by is None


def test_a_typed_category_code_is_refused_next_to_the_field_with_the_input_kept(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    response = signed_in(clinic.psychiatrist).post(
        add_url(clinic),
        {"action": "add", "code_typed": "F32", "status": "active", "note": "Keep me"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    error = re.search(r'id="id_code_typed_error">(.*?)</ul>', html, re.S)
    assert error and "more specific" in error.group(1), html
    assert 'value="F32"' in html and "Keep me" in html
    assert not Diagnosis.objects.exists()


def test_an_unknown_code_and_a_missing_code_are_shown_next_to_their_fields(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    http = signed_in(clinic.psychiatrist)
    unknown = http.post(
        add_url(clinic), {"action": "add", "code_typed": "Q99.9X", "status": "active"}
    )
    assert unknown.status_code == 400
    assert 'id="id_code_typed_error"' in unknown.content.decode()
    missing = http.post(add_url(clinic), {"action": "add", "status": "active"})
    assert missing.status_code == 400
    assert re.search(r'id="id_code_error">.*Pick a code', missing.content.decode(), re.S)
    assert not Diagnosis.objects.exists()


def test_an_empty_or_fruitless_search_says_so_next_to_the_search_field(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    http = signed_in(clinic.psychiatrist)
    empty = http.post(add_url(clinic), {"action": "search", "q": ""})
    assert empty.status_code == 400
    assert re.search(r'id="id_q_error">.*Type a few words', empty.content.decode(), re.S)
    nothing = http.post(add_url(clinic), {"action": "search", "q": "qwertyuiop"})
    assert nothing.status_code == 400
    assert re.search(r'id="id_q_error">.*No billable code', nothing.content.decode(), re.S)


def test_a_duplicate_is_refused_next_to_the_code(clinic: Clinic, signed_in: SignedIn) -> None:
    recorded(clinic, code="F33.1")
    response = signed_in(clinic.psychiatrist).post(
        add_url(clinic), {"action": "add", "code": "F33.1", "q": "F33", "status": "active"}
    )
    assert response.status_code == 400
    assert re.search(
        r'id="id_code_error">.*already on the problem list', response.content.decode(), re.S
    )
    assert Diagnosis.objects.count() == 1


# ---------------------------------------------------------------- change status


def change_url(clinic: Clinic, diagnosis: Diagnosis, client_pk: int | None = None) -> str:
    return reverse("web:diagnosis_change", args=[client_pk or clinic.client_a.pk, diagnosis.pk])


def test_changing_the_status_writes_a_version_and_shows_in_the_history(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    diagnosis = recorded(clinic)
    http = signed_in(clinic.psychiatrist)
    form = http.get(change_url(clinic, diagnosis)).content.decode()
    assert 'name="version" value="1"' in form

    response = http.post(
        change_url(clinic, diagnosis),
        {"status": "in_remission", "note": "PHQ-9 below 5 twice", "version": "1"},
    )

    assert response.status_code == 302
    diagnosis.refresh_from_db()
    assert (diagnosis.status, diagnosis.version) == ("in_remission", 2)
    page = http.get(change_url(clinic, diagnosis)).content.decode()
    assert "Active → In remission" in page and "PHQ-9 below 5 twice" in page


def test_a_stale_change_gets_the_conflict_message_and_keeps_the_input(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """REL-04: the second of two editors on version 1 is refused, nothing lost or overwritten."""
    diagnosis = recorded(clinic)
    first = signed_in(clinic.psychiatrist)
    second = signed_in(clinic.supervisor)
    assert (
        first.post(
            change_url(clinic, diagnosis),
            {"status": "resolved", "note": "Resolved", "version": "1"},
        ).status_code
        == 302
    )

    response = second.post(
        change_url(clinic, diagnosis),
        {"status": "provisional", "note": "My careful reasoning", "version": "1"},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this diagnosis" in html
    assert "My careful reasoning" in html
    assert 'name="version" value="2"' in html
    diagnosis.refresh_from_db()
    assert (diagnosis.status, diagnosis.version) == ("resolved", 2)


def test_a_missing_reason_is_shown_next_to_the_field(clinic: Clinic, signed_in: SignedIn) -> None:
    diagnosis = recorded(clinic)
    response = signed_in(clinic.psychiatrist).post(
        change_url(clinic, diagnosis), {"status": "resolved", "note": "", "version": "1"}
    )
    assert response.status_code == 400
    assert 'id="id_note_error"' in response.content.decode()
    diagnosis.refresh_from_db()
    assert diagnosis.status == "active"


def test_another_clients_diagnosis_under_this_clients_url_is_not_found(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-11: a diagnosis cannot be reached, changed or moved through another client's URL."""
    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=clinic.psychiatrist,
        role=CareTeamRole.PRESCRIBER,
        start_on=timezone.localdate(),
    )
    diagnosis = recorded(clinic)  # client_a's
    http = signed_in(clinic.psychiatrist)
    wrong = change_url(clinic, diagnosis, client_pk=clinic.client_b.pk)

    assert http.get(wrong).status_code == 404
    response = http.post(wrong, {"status": "ruled_out", "note": "Moved?", "version": "1"})

    assert response.status_code == 404
    diagnosis.refresh_from_db()
    assert (diagnosis.client_id, diagnosis.status, diagnosis.version) == (
        clinic.client_a.pk,
        "active",
        1,
    )


# ---------------------------------------------------------------- co-sign queue


def queue_url() -> str:
    return reverse("web:diagnosis_cosign_queue")


def test_the_supervisor_cosigns_from_the_queue(clinic: Clinic, signed_in: SignedIn) -> None:
    diagnosis = recorded(clinic, actor=clinic.therapist_on_team)
    http = signed_in(clinic.supervisor)
    queue = http.get(queue_url()).content.decode()
    assert "F33.1" in queue and clinic.client_a.display_name in queue

    response = http.post(
        reverse("web:diagnosis_cosign", args=[clinic.client_a.pk, diagnosis.pk]),
        {f"c{diagnosis.pk}-version": "1", f"c{diagnosis.pk}-note": "Agreed"},
    )

    assert response.status_code == 302
    diagnosis.refresh_from_db()
    assert diagnosis.cosign_status == CosignStatus.COSIGNED
    assert "Nothing waits for your co-signature" in http.get(queue_url()).content.decode()


def test_returning_without_a_comment_is_refused_next_to_the_field(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    diagnosis = recorded(clinic, actor=clinic.therapist_on_team)
    response = signed_in(clinic.supervisor).post(
        reverse("web:diagnosis_return", args=[clinic.client_a.pk, diagnosis.pk]),
        {f"r{diagnosis.pk}-version": "1", f"r{diagnosis.pk}-comment": ""},
    )
    assert response.status_code == 400
    assert f'id="id_r{diagnosis.pk}-comment_error"' in response.content.decode()
    diagnosis.refresh_from_db()
    assert diagnosis.cosign_status == CosignStatus.PENDING


def test_returning_with_a_comment_shows_it_on_the_problem_list(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    diagnosis = recorded(clinic, actor=clinic.therapist_on_team)
    response = signed_in(clinic.supervisor).post(
        reverse("web:diagnosis_return", args=[clinic.client_a.pk, diagnosis.pk]),
        {f"r{diagnosis.pk}-version": "1", f"r{diagnosis.pk}-comment": "Check the episode count"},
    )
    assert response.status_code == 302
    page = signed_in(clinic.therapist_on_team).get(
        reverse("web:problem_list", args=[clinic.client_a.pk])
    )
    assert "Check the episode count" in page.content.decode()


def test_someone_who_does_not_supervise_the_author_cannot_cosign(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    diagnosis = recorded(clinic, actor=clinic.therapist_on_team)
    url = reverse("web:diagnosis_cosign", args=[clinic.client_a.pk, diagnosis.pk])
    for persona in ("psychiatrist", "therapist_on_team"):
        response = signed_in(getattr(clinic, persona)).post(url, {f"c{diagnosis.pk}-version": "1"})
        assert response.status_code == 404, persona
    assert signed_in(clinic.peer_specialist).post(url, {}).status_code == 403
    diagnosis.refresh_from_db()
    assert diagnosis.cosign_status == CosignStatus.PENDING


def test_a_cosignature_under_another_clients_url_is_not_found(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-11: the diagnosis is looked up under the client of the URL only."""
    diagnosis = recorded(clinic, actor=clinic.therapist_on_team)
    response = signed_in(clinic.supervisor).post(
        reverse("web:diagnosis_cosign", args=[clinic.client_b.pk, diagnosis.pk]),
        {f"c{diagnosis.pk}-version": "1"},
    )
    assert response.status_code == 404
    diagnosis.refresh_from_db()
    assert diagnosis.cosign_status == CosignStatus.PENDING


def test_a_second_cosignature_is_told_it_is_no_longer_pending(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    diagnosis = recorded(clinic, actor=clinic.therapist_on_team)
    http = signed_in(clinic.supervisor)
    url = reverse("web:diagnosis_cosign", args=[clinic.client_a.pk, diagnosis.pk])
    assert http.post(url, {f"c{diagnosis.pk}-version": "1"}).status_code == 302
    again = http.post(url, {f"c{diagnosis.pk}-version": "2"})
    assert again.status_code == 409
    assert "no longer waits for co-signature" in again.content.decode()


def test_there_is_no_way_to_delete_a_diagnosis_over_http(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """REL-02: DELETE (or PUT) on any diagnosis page is refused and the diagnosis stays."""
    diagnosis = recorded(clinic)
    http = signed_in(clinic.psychiatrist)
    urls = [
        reverse("web:problem_list", args=[clinic.client_a.pk]),
        change_url(clinic, diagnosis),
        reverse("web:diagnosis_cosign", args=[clinic.client_a.pk, diagnosis.pk]),
    ]
    for url in urls:
        assert http.delete(url).status_code == 405, url
        assert http.put(url).status_code == 405, url
    diagnosis.refresh_from_db()
    assert (diagnosis.status, diagnosis.version) == ("active", 1)
