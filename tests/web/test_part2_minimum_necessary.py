"""42 CFR Part 2 labels and minimum necessary (SEC-19; issue 14 class 1).

What a Part 2 program records carries its labels, derived when written; nobody outside the
program learns that the client is in it. The census walks every GET page of the web interface
(the access matrix's routes) as each persona outside the program, for a client enrolled in it
with a labelled diagnosis, note and measure, and fails when a page shows the program, a
labelled record or the Part 2 tag. A new page that lists episodes or records without asking
``access.part2`` fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, BreakGlassReason, CareTeamMember
from alliance.access.part2 import viewing_as
from alliance.assessments.models import Administration
from alliance.assessments.selectors import measures_for
from alliance.assessments.services import administration_record
from alliance.clients.models import Episode
from alliance.diagnoses.models import Diagnosis, DiagnosisStatus
from alliance.diagnoses.selectors import problems_for_chart
from alliance.diagnoses.services import diagnosis_add
from alliance.notes.models import Encounter, Note, NoteTemplate
from alliance.notes.services import note_create, note_save
from alliance.organisation.models import Program, ProgramMembership
from alliance.plans.services import plan_create
from alliance.records.labels import PART2_LABELS
from alliance.records.models import Part2Labelled
from alliance.staff.disciplines import Discipline, LicenceType
from alliance.staff.models import User
from tests.personas import Clinic, make_user
from tests.web.test_access_matrix import census_names, objects, url_for

__all__ = ["objects"]  # the access matrix's fixture, used here by name

PROGRAM = "Harbor Recovery Services"
CANARY = "Tidewater relapse canary"
DIAGNOSIS = "Alcohol dependence"
OUTSIDERS = (
    "therapist_on_team",
    "psychiatrist",
    "supervisor",
    "peer_specialist",
    "front_desk",
    "intake",
    "privacy_officer",
    "therapist_off_team",
)


@pytest.fixture
def part2(clinic: Clinic) -> User:
    """client_a enrolled in a Part 2 program whose counselor, on the care team, recorded a
    diagnosis, a session note and a PHQ-9 there. Returns the counselor."""
    program = Program.objects.create(
        organisation=clinic.program.organisation, name=PROGRAM, code="harbor", is_part2=True
    )
    Episode.objects.create(
        client=clinic.client_a, program=program, referral_date=timezone.localdate()
    )
    counselor = make_user("sud_counselor", Discipline.PSYCHIATRIST, LicenceType.MD, "Sol")
    ProgramMembership.objects.create(program=program, staff=counselor)
    CareTeamMember.objects.create(client=clinic.client_a, staff=counselor, role="therapist")
    diagnosis_add(
        actor=counselor, client=clinic.client_a, code="F10.20", status=DiagnosisStatus.ACTIVE
    )
    note = note_create(actor=counselor, client=clinic.client_a, template=NoteTemplate.SOAP)
    note_save(actor=counselor, note=note, values={"subjective": CANARY}, version=note.version)
    administration_record(
        actor=counselor,
        client=clinic.client_a,
        instrument="phq9",
        answers={str(i): 1 for i in range(1, 10)} | {"9": 0},
    )
    return counselor


def test_records_written_in_the_program_carry_its_labels(clinic: Clinic, part2: User) -> None:
    """SEC-19: derived when written; the same records by someone outside it carry none."""
    for model in (Diagnosis, Note, Administration):
        row = model.objects.filter(client=clinic.client_a).get()
        assert row.security_labels == PART2_LABELS == ("R", "ETH", "42CFRPart2"), model
    outside = note_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, template=NoteTemplate.SOAP
    )
    assert outside.security_labels == ()
    # a plan belongs to its episode: one for the program's episode carries its labels
    episode = Episode.objects.get(client=clinic.client_a, program__is_part2=True)
    plan = plan_create(actor=part2, client=clinic.client_a, episode_id=episode.pk)
    assert plan.security_labels == PART2_LABELS


def test_every_labelled_model_is_known_and_never_typed() -> None:
    """SEC-19 census: a new record type that can be labelled is added here with its writer's
    test, and the label is never a form field (``editable=False``)."""
    labelled = {m for m in apps.get_models() if issubclass(m, Part2Labelled)}
    assert labelled == {Note, Encounter, Diagnosis, Administration}
    for model in labelled:
        assert not model._meta.get_field("part2_program").editable, model


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_no_page_tells_an_outsider_of_the_program(
    persona: str,
    clinic: Clinic,
    part2: User,
    objects: dict[str, int | str],
    signed_in: Callable[[User], HttpClient],
) -> None:
    """SEC-19, minimum necessary: every GET page, as each persona outside the program."""
    http = signed_in(getattr(clinic, persona))
    # The access census makes therapist_on_team a member of another Part 2 program client_a was
    # treated in (``matrix_part2``): she rightly sees that one's tag, never this program.
    secrets = (PROGRAM, CANARY, DIAGNOSIS)
    if persona != "therapist_on_team":
        secrets += ("42 CFR Part 2",)
    leaks = []
    for name in census_names():
        response = http.get(url_for(name, objects), follow=False)
        body = response.content.decode(errors="replace")
        for secret in secrets:
            if secret in body:
                leaks.append(f"{name}: shows {secret!r}")
    # and the search results page, where the program name used to show to every searcher
    found = http.post("/clients/search/", {"q": clinic.client_a.legal_last_name}, follow=True)
    assert PROGRAM not in found.content.decode()
    assert not leaks, "\n".join(leaks)


def test_the_program_s_own_staff_see_it(
    clinic: Clinic, part2: User, signed_in: Callable[[User], HttpClient]
) -> None:
    """The positive control: the counselor sees the program, the diagnosis and the note."""
    http = signed_in(part2)
    chart = http.get(f"/clients/{clinic.client_a.pk}/").content.decode()
    assert PROGRAM in chart
    assert DIAGNOSIS in chart
    note = Note.objects.get(client=clinic.client_a, author=part2)
    page = http.get(f"/clients/{clinic.client_a.pk}/notes/{note.pk}/").content.decode()
    assert CANARY in page


@pytest.mark.parametrize(
    ("reason", "opens"),
    [(BreakGlassReason.EMERGENCY_CARE, True), (BreakGlassReason.COVERING, False)],
)
def test_break_the_glass_opens_labelled_records_only_in_a_medical_emergency(
    reason: str,
    opens: bool,
    clinic: Clinic,
    part2: User,
    signed_in: Callable[[User], HttpClient],
) -> None:
    """42 CFR 2.51: a bona fide medical emergency opens the program's records; covering for a
    colleague opens the chart but not them."""
    now = timezone.now()
    BreakGlassGrant.objects.create(
        actor=clinic.psychiatrist,
        client=clinic.client_a,
        reason_code=reason,
        reason_text="Client collapsed in the waiting room, unresponsive",
        granted_at=now,
        expires_at=now + timedelta(hours=1),
    )
    chart = signed_in(clinic.psychiatrist).get(f"/clients/{clinic.client_a.pk}/")
    assert chart.status_code == 200
    assert (DIAGNOSIS in chart.content.decode()) is opens
    assert (PROGRAM in chart.content.decode()) is opens


def test_measures_and_diagnoses_of_the_program_are_its_own(clinic: Clinic, part2: User) -> None:
    """The chart's selectors ask who is looking (``access.part2.viewing_as``, set by the web
    gate for every request); with nobody named they show no labelled record (fail closed)."""
    labelled = Administration.objects.get(client=clinic.client_a).pk

    def shown(viewer: User | None) -> tuple[set[int], set[str]]:
        with viewing_as(viewer):
            points = {p.id for s in measures_for(client=clinic.client_a) for p in s.points}
            codes = {d.icd10_code for d in problems_for_chart(client=clinic.client_a).current}
        return points, codes

    assert shown(part2) == ({labelled}, {"F10.20"})
    assert shown(clinic.therapist_on_team) == (set(), set())
    assert shown(None) == (set(), set())
