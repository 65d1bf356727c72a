"""Helpers for the crisis tests: episodes of client_a started by therapist_on_team."""

from __future__ import annotations

from datetime import date

import pytest

from alliance.crisis.models import CrisisEpisode, CrisisSource, Disposition
from alliance.crisis.services import crisis_close, crisis_start
from alliance.staff.models import User
from tests.personas import Clinic


def start(clinic: Clinic, actor: User | None = None, **extra: object) -> CrisisEpisode:
    return crisis_start(
        actor=actor or clinic.therapist_on_team,
        client=clinic.client_a,
        source=str(extra.pop("source", CrisisSource.PHONE_CALL)),
        presenting_concern="Called in tears after an argument; says she cannot go on.",
        **extra,  # type: ignore[arg-type]
    )


def to_emergency_department(
    clinic: Clinic, episode: CrisisEpisode, discharge_date: date | None = None
) -> CrisisEpisode:
    return crisis_close(
        actor=clinic.therapist_on_team,
        episode=episode,
        disposition=Disposition.EMERGENCY_DEPARTMENT,
        facility="Riverside General emergency department",
        discharge_date=discharge_date,
    )


@pytest.fixture
def episode(clinic: Clinic) -> CrisisEpisode:
    return start(clinic)
