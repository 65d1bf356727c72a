"""Access-matrix rows and census objects of the diagnoses pages (merged by the matrix test).

``test_access_matrix`` imports this module while it is itself being imported, so its helpers
cannot be imported here; ``_clinical`` below is its ``clinical()`` written out (the matrix test
still checks that every row names every persona).
"""

from __future__ import annotations

from tests.personas import Clinic

LOGIN = (302, "/login/")


def _clinical(*, on: object, off: object, peer: object, registry: object) -> dict[str, object]:
    """A client page as seen by the clinicians (``on`` for client_a's team) and registry staff."""
    return {
        "anonymous": LOGIN,
        "therapist_on_team": on,
        "therapist_off_team": off,
        "psychiatrist": on,
        "supervisor": on,
        "peer_specialist": peer,
        "front_desk": registry,
        "intake": registry,
        "privacy_officer": 403,
        "it_admin": 403,
        "no_role": 403,
    }


# Reading the problem list is CHART_READ (the peer specialist on the team reads it); adding,
# changing and co-signing need DIAGNOSE, which peers, registry staff, privacy and IT lack.
EXPECTED: dict[str, dict[str, object]] = {
    "web:problem_list": _clinical(on=200, off=404, peer=200, registry=403),
    "web:diagnosis_add": _clinical(on=200, off=404, peer=403, registry=403),
    "web:diagnosis_change": _clinical(on=200, off=404, peer=403, registry=403),
    "web:diagnosis_cosign": _clinical(on=405, off=405, peer=403, registry=403),
    "web:diagnosis_return": _clinical(on=405, off=405, peer=403, registry=403),
    # Everyone who may diagnose has a queue (empty unless they supervise someone).
    "web:diagnosis_cosign_queue": _clinical(on=200, off=200, peer=403, registry=403),
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids for this app's URL parameters (one object of client_a of each kind)."""
    from alliance.diagnoses.services import diagnosis_add

    diagnosis = diagnosis_add(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        code="F33.1",
        status="active",
        is_primary=True,
        note="Census: recurrent depression",
    )
    return {"diagnosis_id": diagnosis.pk}
