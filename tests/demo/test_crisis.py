"""The demo's crisis episode: closed after an emergency department, one follow-up task open."""

from __future__ import annotations

from datetime import date

from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.crisis.models import CrisisEpisode, Disposition, TaskKind, TaskStatus
from alliance.demo.crisis import demo_crisis
from tests.personas import Clinic, make_client


def test_demo_crisis_is_closed_to_the_ed_with_one_open_follow_up(clinic: Clinic) -> None:
    therapist = clinic.therapist_on_team
    for n in (1, 2):
        client = make_client(f"Demo{n}", "Synthetic", date(1990, 1, n), mrn=f"90000000{n}")
        CareTeamMember.objects.create(
            client=client, staff=therapist, role=CareTeamRole.PRIMARY_CLINICIAN
        )

    demo_crisis(therapist=therapist)

    episode = CrisisEpisode.objects.get()
    assert episode.disposition == Disposition.EMERGENCY_DEPARTMENT
    assert not episode.is_open and episode.discharge_date is not None
    assert episode.actions.count() == 3
    open_tasks = episode.follow_up_tasks.filter(status=TaskStatus.OPEN)
    assert list(open_tasks.values_list("kind", flat=True)) == [TaskKind.FOLLOW_UP_APPOINTMENT]
