"""Access-matrix rows and census objects of the crisis pages (merged by the matrix test).

``crisis_id`` is an open crisis episode of client_a started by therapist_on_team; ``follow_up_id``
its caring-contact task. Starting, adding, closing and completing need CHART_WRITE on the client
(404 outside the care relationship); reading the episode needs CHART_READ. The overdue list is
every clinician's page (empty unless they supervise someone).
"""

from __future__ import annotations

from alliance.crisis.models import CrisisSource, TaskKind
from alliance.crisis.services import crisis_start
from tests.personas import Clinic
from tests.web.matrix_notes import clinical

CLIENT_PAGE = clinical(on=200, off=404, peer=200, registry=403)

EXPECTED: dict[str, dict[str, object]] = {
    "web:crisis_start": CLIENT_PAGE,
    "web:crisis_from_alert": CLIENT_PAGE,
    "web:crisis_episode": CLIENT_PAGE,
    "web:crisis_action": CLIENT_PAGE,
    "web:crisis_close": CLIENT_PAGE,
    "web:crisis_discharge": CLIENT_PAGE,
    "web:follow_up": CLIENT_PAGE,
    "web:follow_ups_overdue": clinical(on=200, off=200, peer=200, registry=403),
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids for this app's URL parameters: an open episode of client_a and its first task."""
    episode = crisis_start(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        source=CrisisSource.WALK_IN,
        presenting_concern="Census: walked in distressed.",
    )
    task = episode.follow_up_tasks.get(kind=TaskKind.CARING_CONTACT)
    return {"crisis_id": episode.pk, "follow_up_id": task.pk}
