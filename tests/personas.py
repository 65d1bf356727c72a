"""Named personas used across the suite (STYLE: zulip's example_user).

Two clients: ``client_a`` is on ``therapist_on_team``'s caseload; ``client_b`` is on nobody's
that a persona holds except through explicit setup in a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.clients.models import Client
from alliance.organisation.models import Organisation, Program
from alliance.staff.disciplines import Discipline, LicenceType
from alliance.staff.models import Licence, SupervisionLink, User, validate_personal_username

PASSWORD = "correct-horse-battery-staple-42"

# Each persona is one synthetic person with a personal login, as SEC-01 requires of real staff.
USERNAMES: dict[str, tuple[str, str, str]] = {
    "therapist_on_team": ("tamsin.ward", "Tamsin", "Ward"),
    "therapist_off_team": ("oscar.lindqvist", "Oscar", "Lindqvist"),
    "psychiatrist": ("priya.rao", "Priya", "Rao"),
    "supervisor": ("helga.okoro", "Helga", "Okoro"),
    "peer_specialist": ("pablo.serra", "Pablo", "Serra"),
    "front_desk": ("fiona.marsh", "Fiona", "Marsh"),
    "intake": ("ines.kato", "Ines", "Kato"),
    "privacy_officer": ("petra.vance", "Petra", "Vance"),
    "it_admin": ("ivo.tanner", "Ivo", "Tanner"),
}

PERSONAS: dict[str, tuple[Discipline, LicenceType | None]] = {
    "therapist_on_team": (Discipline.CLINICAL_SOCIAL_WORKER, LicenceType.LCSW),
    "therapist_off_team": (Discipline.COUNSELOR, LicenceType.LPC),
    "psychiatrist": (Discipline.PSYCHIATRIST, LicenceType.MD),
    "supervisor": (Discipline.PSYCHOLOGIST, LicenceType.PSYCHOLOGIST),
    "peer_specialist": (Discipline.PEER_SUPPORT, LicenceType.CPS),
    "front_desk": (Discipline.FRONT_DESK, None),
    "intake": (Discipline.INTAKE_COORDINATOR, None),
    "privacy_officer": (Discipline.PRIVACY_OFFICER, None),
    "it_admin": (Discipline.IT_ADMINISTRATOR, None),
}


@dataclass
class Clinic:
    users: dict[str, User]
    client_a: Client
    client_b: Client
    program: Program

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def make_client(first: str, last: str, born: date, **extra: object) -> Client:
    """A synthetic client written straight to the table (fixtures, not a flow under test)."""
    client = Client(
        mrn=extra.pop("mrn", None) or f"{abs(hash((first, last, born))) % 10**9:09d}",
        legal_first_name=first,
        legal_last_name=last,
        date_of_birth=born,
        **extra,
    )
    client.fill_derived()
    client.save()
    return client


def make_user(
    username: str,
    discipline: Discipline | str,
    licence: LicenceType | None,
    first_name: str = "",
    last_name: str = "Persona",
) -> User:
    login = username.replace("_", ".")
    validate_personal_username(login)
    user = User.objects.create_user(
        username=login,
        password=PASSWORD,
        first_name=first_name or username.split("_")[0].title(),
        last_name=last_name,
        discipline=discipline,
        is_staff=discipline == Discipline.IT_ADMINISTRATOR,
        is_superuser=discipline == Discipline.IT_ADMINISTRATOR,
    )
    if licence:
        Licence.objects.create(
            staff=user,
            licence_type=licence,
            number=f"N-{username}",
            jurisdiction="NY",
            expires_on=timezone.localdate() + timedelta(days=365),
        )
    return user


def build_clinic() -> Clinic:
    org = Organisation.objects.create(name="Test Clinic")
    program = Program.objects.create(organisation=org, name="Adult Outpatient", code="adult")
    users = {}
    for name, (discipline, licence) in PERSONAS.items():
        login, first, last = USERNAMES[name]
        users[name] = make_user(login, discipline, licence, first, last)
    client_a = make_client(
        "Zoë", "Núñez", date(1990, 4, 23), mrn="100000001", phone="555-0101-0001"
    )
    client_b = make_client("Bram", "Halvorsen", date(1985, 1, 2), mrn="100000002")
    start = timezone.localdate() - timedelta(days=30)
    CareTeamMember.objects.create(
        client=client_a,
        staff=users["therapist_on_team"],
        role=CareTeamRole.PRIMARY_CLINICIAN,
        start_on=start,
    )
    CareTeamMember.objects.create(
        client=client_a, staff=users["psychiatrist"], role=CareTeamRole.PRESCRIBER, start_on=start
    )
    CareTeamMember.objects.create(
        client=client_a,
        staff=users["peer_specialist"],
        role=CareTeamRole.PEER_SPECIALIST,
        start_on=start,
    )
    SupervisionLink.objects.create(
        supervisor=users["supervisor"], supervisee=users["therapist_on_team"], start_on=start
    )
    return Clinic(users=users, client_a=client_a, client_b=client_b, program=program)
