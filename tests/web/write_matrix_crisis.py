"""Write-matrix rows of crisis episodes: starting, adding to, closing an episode and
completing its follow-up tasks need CHART_WRITE on the client (404 outside the care
relationship). ``crisis_id`` is an open episode of client_a, ``follow_up_id`` its caring
contact; ``discharge_crisis_id`` an episode closed to the emergency department, which waits
for the discharge date.
"""

from __future__ import annotations

from django.utils import timezone

from alliance.crisis.models import ActionKind, CrisisSource, Disposition
from alliance.crisis.services import crisis_close, crisis_start
from tests.personas import Clinic
from tests.web.write_matrix_base import STORED, Target, Write, beyond_care, clinical


def now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def start(target: Target) -> dict[str, object]:
    return {
        "source": CrisisSource.PHONE_CALL,
        "started_at": now(),
        "presenting_concern": "Called in tears; says she cannot go on.",
    }


def from_alert(target: Target) -> dict[str, object]:
    return {"started_at": now(), "presenting_concern": "Item 9 answered 'nearly every day'."}


def action(target: Target) -> dict[str, object]:
    return {"kind": ActionKind.CONTACT, "occurred_at": now(), "text": "Called her sister."}


def close(target: Target) -> dict[str, object]:
    return {"disposition": Disposition.SAFETY_PLAN_UPDATED, "disposition_note": ""}


def discharge(target: Target) -> dict[str, object]:
    return {"discharge_date": timezone.localdate().isoformat()}


def follow_up(target: Target) -> dict[str, object]:
    return {f"t{target.id('follow_up_id')}-note": "Reached her; she is safe.", "result": "done"}


WRITE = clinical(on=STORED, off=404, peer=STORED, registry=403)
OUTSIDE = beyond_care(WRITE)

WRITES: dict[str, Write] = {
    "web:crisis_start": Write(start, WRITE, OUTSIDE),
    "web:crisis_from_alert": Write(from_alert, WRITE, OUTSIDE),
    "web:crisis_action": Write(action, WRITE, OUTSIDE),
    "web:crisis_close": Write(close, WRITE, OUTSIDE),
    "web:crisis_discharge": Write(
        discharge, WRITE, OUTSIDE, swap={"crisis_id": "discharge_crisis_id"}
    ),
    "web:follow_up": Write(follow_up, WRITE, OUTSIDE),
}

READS = frozenset({"web:crisis_episode", "web:follow_ups_overdue"})


def write_objects(clinic: Clinic) -> dict[str, int | str]:
    """An episode of client_a closed to the emergency department, discharge date to come."""
    episode = crisis_start(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        source=CrisisSource.WALK_IN,
        presenting_concern="Walked in; could not keep herself safe.",
    )
    crisis_close(
        actor=clinic.therapist_on_team,
        episode=episode,
        disposition=Disposition.EMERGENCY_DEPARTMENT,
        facility="Riverside General emergency department",
    )
    return {"discharge_crisis_id": episode.pk}
