"""Write-matrix rows of measures: giving and sending questionnaires, schedules, alerts, and
the client's own questionnaire (public: reached through its token alone)."""

from __future__ import annotations

from alliance.assessments.models import AlertAction
from tests.web.write_matrix_base import (
    PERSONAS,
    STORED,
    Target,
    Write,
    beyond_care,
    clinical,
    empty,
    row,
)

PHQ9 = {f"item_{n}": "0" for n in range(1, 11)}


def answers(target: Target) -> dict[str, object]:
    return dict(PHQ9)


def send(target: Target) -> dict[str, object]:
    return {"instrument": "phq9"}


def schedule(target: Target) -> dict[str, object]:
    return {"schedule-instrument": "gad7", "schedule-every_days": "28"}


def acknowledge(target: Target) -> dict[str, object]:
    prefix = f"a{target.id('alert_id')}"
    return {f"{prefix}-action": AlertAction.CLIENT_CONTACTED, f"{prefix}-note": "Called her."}


CHART_WRITE = clinical(on=STORED, off=404, peer=STORED, registry=403)
PUBLIC = row(**{p: STORED for p in PERSONAS})

WRITES: dict[str, Write] = {
    "web:measure_give": Write(answers, CHART_WRITE, beyond_care(CHART_WRITE)),
    "web:measure_send": Write(send, CHART_WRITE, beyond_care(CHART_WRITE)),
    "web:measure_schedule_add": Write(schedule, CHART_WRITE, beyond_care(CHART_WRITE)),
    "web:measure_schedule_end": Write(empty, CHART_WRITE, beyond_care(CHART_WRITE)),
    "web:alert_acknowledge": Write(acknowledge, CHART_WRITE, beyond_care(CHART_WRITE)),
    "web:questionnaire": Write(answers, PUBLIC, PUBLIC),
}

READS = frozenset({"web:measure_choose", "web:not_improving"})
