"""Write-matrix rows of signing in and out, the client registry, care teams, emergency access
and the privacy officer's pages (their GET rows are in ``test_access_matrix`` itself).

Break-the-glass names the client by MRN: a licensed clinician gets a grant for either
client (for one already in her care too: it opens nothing new, and is reviewed like any
other), except ``therapist_off_team`` for client_a, who is kept out of it by a restriction
(SEC-13): the form is shown again (200) and nothing is granted.
"""

from __future__ import annotations

from django.utils import timezone

from alliance.access.models import BreakGlassReason, CareTeamRole, RestrictionReason
from alliance.clients.models import Contact, Episode
from alliance.organisation.models import Program
from tests.personas import PASSWORD, Clinic
from tests.web.write_matrix_base import (
    ANSWERED,
    HOME,
    LOGIN,
    PERSONAS,
    STORED,
    Target,
    Write,
    clinical,
    empty,
    only,
    registry_wide,
    row,
)


def today() -> str:
    return timezone.localdate().isoformat()


def sign_in(target: Target) -> dict[str, object]:
    return {"username": target.clinic.therapist_on_team.username, "password": PASSWORD}


def token(target: Target) -> dict[str, object]:
    return {"token": "123456"}


def search(target: Target) -> dict[str, object]:
    return {"q": target.client.legal_last_name}


def new_client(target: Target) -> dict[str, object]:
    return {
        "legal_first_name": "Quentin",
        "legal_last_name": "Abernathy-Write",
        "date_of_birth": "1979-03-14",
        "preferred_language": "English",
        "confirm_not_duplicate": "on",
    }


def client_edit(target: Target) -> dict[str, object]:
    client = target.client
    return {
        "legal_first_name": client.legal_first_name,
        "legal_last_name": client.legal_last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "preferred_language": client.preferred_language,
        "city": "Riverton",
        "version": client.version,
    }


def contact_new(target: Target) -> dict[str, object]:
    return {"name": "Wren Calloway", "relationship": "friend"}


def contact_edit(target: Target) -> dict[str, object]:
    contact = Contact.objects.get(pk=target.id("contact_id"))
    return {"name": "Wren Calloway", "relationship": "friend", "version": contact.version}


def episode_new(target: Target) -> dict[str, object]:
    return {"program": target.id("youth_program_id"), "referral_date": today()}


def episode_edit(target: Target) -> dict[str, object]:
    # client_a has open episodes in the adult program already: this one moves to youth.
    episode = Episode.objects.get(pk=target.id("episode_id"))
    return {
        "program": target.id("youth_program_id"),
        "referral_date": episode.referral_date.isoformat(),
        "admission_date": today(),
        "version": episode.version,
    }


def team_add(target: Target) -> dict[str, object]:
    # The supervisor sits on no team: adding her is a new place on client_a's or client_b's.
    return {"staff": target.clinic.supervisor.pk, "role": CareTeamRole.THERAPIST}


def break_glass(target: Target) -> dict[str, object]:
    return {
        "mrn": target.client.mrn,
        "reason_code": BreakGlassReason.CRISIS_CALL,
        "reason_text": "Crisis call, primary clinician on leave",
        "password": PASSWORD,
    }


def restriction(target: Target) -> dict[str, object]:
    return {
        "staff": target.clinic.front_desk.pk,
        "reason": RestrictionReason.RELATIVE,
        "note": "Neighbour of the client",
    }


def review(target: Target) -> dict[str, object]:
    return {"note": "Justified: crisis call, primary clinician on leave."}


def find_client(target: Target) -> dict[str, object]:
    return {"mrn": target.client.mrn}


EVERYONE_SIGNED_IN = {p: HOME for p in PERSONAS if p != "anonymous"}
REGISTRY = clinical(on=STORED, off=404, peer=STORED, registry=STORED)
EPISODES = {**clinical(on=STORED, off=404, peer=403, registry=STORED), "front_desk": 403}
GLASS = clinical(on=STORED, off=200, peer=403, registry=403)

WRITES: dict[str, Write] = {
    "web:login": Write(sign_in, row(anonymous=STORED, **EVERYONE_SIGNED_IN), None),
    # Every persona has finished the second factor, so the page sends them home.
    "web:mfa": Write(token, row(anonymous=LOGIN, **EVERYONE_SIGNED_IN), None),
    "web:logout": Write(
        empty, row(anonymous=LOGIN, **{p: ANSWERED for p in EVERYONE_SIGNED_IN}), None
    ),
    "web:client_search": Write(
        search, clinical(on=ANSWERED, off=ANSWERED, peer=ANSWERED, registry=ANSWERED), None
    ),
    "web:client_create": Write(
        new_client, clinical(on=403, off=403, peer=403, registry=STORED), None
    ),
    "web:client_edit": Write(client_edit, REGISTRY, registry_wide(REGISTRY)),
    "web:contact_create": Write(contact_new, REGISTRY, registry_wide(REGISTRY)),
    "web:contact_edit": Write(contact_edit, REGISTRY, registry_wide(REGISTRY)),
    "web:episode_create": Write(episode_new, EPISODES, registry_wide(EPISODES)),
    "web:episode_edit": Write(episode_edit, EPISODES, registry_wide(EPISODES)),
    "web:care_team": Write(team_add, EPISODES, registry_wide(EPISODES)),
    "web:care_team_end": Write(empty, EPISODES, registry_wide(EPISODES)),
    "web:break_glass": Write(break_glass, GLASS, {**GLASS, "therapist_off_team": STORED}),
    "web:client_restrictions": Write(restriction, only("privacy_officer"), only("privacy_officer")),
    "web:restriction_lift": Write(empty, only("privacy_officer"), only("privacy_officer")),
    "web:break_glass_review": Write(review, only("privacy_officer"), only("privacy_officer")),
    "web:audit_find_client": Write(
        find_client,
        only("privacy_officer", want=ANSWERED),
        only("privacy_officer", want=ANSWERED),
    ),
}


# These take a POST as they take a GET: the page is shown, nothing is written.
READS = frozenset(
    {
        "web:home",
        "web:client_chart",
        "web:break_glass_queue",
        "web:audit_report",
        "web:client_access_report",
        "web:scope_of_practice",
    }
)


def write_objects(clinic: Clinic) -> dict[str, int | str]:
    """A second program: client_a's open episodes are all in the adult one."""
    youth, _created = Program.objects.get_or_create(
        organisation=clinic.program.organisation, code="youth", defaults={"name": "Youth"}
    )
    return {"youth_program_id": youth.pk}
