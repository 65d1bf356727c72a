"""The demo clinic: three programs, a staff member of every discipline, synthetic clients.

Built through the same services a clinic uses, so the demo's audit trail, MRNs and search
text are exactly what production would produce. Rebuilding an existing demo only resets the
demo passwords.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from alliance.access.models import CareTeamRole
from alliance.access.services import care_team_add
from alliance.assessments.schedules import measures_fall_due, schedule_create
from alliance.assessments.services import administration_record
from alliance.clients.models import Client
from alliance.clients.services import client_create, contact_save, episode_save
from alliance.demo.crisis import demo_crisis
from alliance.demo.disclosures import demo_disclosures
from alliance.demo.people import synthetic_person
from alliance.demo.plans import demo_plans
from alliance.demo.safety import demo_safety
from alliance.organisation.models import Organisation, Program, ProgramMembership
from alliance.staff.disciplines import Discipline, LicenceType
from alliance.staff.models import Licence, SupervisionLink, User

D, L = Discipline, LicenceType

# username, first, last, discipline, credentials, licence type (None: unlicensed), expired
DEMO_STAFF: list[tuple[str, str, str, Discipline, str, LicenceType | None, bool]] = [
    ("praman", "Priya", "Raman", D.PSYCHIATRIST, "MD", L.MD, False),
    ("mellery", "Marcus", "Ellery", D.PSYCHIATRIC_NP, "PMHNP-BC", L.APRN, False),
    ("hokafor", "Helen", "Okafor", D.PSYCHOLOGIST, "PsyD", L.PSYCHOLOGIST, False),
    ("tmorgan", "Tess", "Morgan", D.CLINICAL_SOCIAL_WORKER, "LCSW", L.LCSW, False),
    ("jreyes", "Jordan", "Reyes", D.COUNSELOR, "LPC-Associate", L.LPC, True),
    ("swhitfield", "Sam", "Whitfield", D.MARRIAGE_FAMILY_THERAPIST, "LMFT", L.LMFT, False),
    ("glindqvist", "Grace", "Lindqvist", D.PSYCHIATRIC_NURSE, "RN", L.RN, False),
    ("abaptiste", "Andre", "Baptiste", D.PEER_SUPPORT, "CPS", L.CPS, False),
    ("mtanaka", "Mei", "Tanaka", D.OCCUPATIONAL_THERAPIST, "OTR/L", L.OTR, False),
    ("lortega", "Luis", "Ortega", D.CASE_MANAGER, "", None, False),
    ("nhaddad", "Nadia", "Haddad", D.INTAKE_COORDINATOR, "", None, False),
    ("oprice", "Owen", "Price", D.FRONT_DESK, "", None, False),
    ("rchowdhury", "Rita", "Chowdhury", D.PRIVACY_OFFICER, "CHPC", None, False),
    ("inovak", "Ivan", "Novak", D.IT_ADMINISTRATOR, "", None, False),
]
THERAPISTS = ["tmorgan", "jreyes", "swhitfield", "hokafor"]
# The Substance Use Recovery program (42 CFR Part 2) and its personnel: the counselor, the case
# manager who enrols its clients, and the counselor's supervisor (``access.part2``).
PART2_COUNSELOR, PART2_CASE_MANAGER = "jreyes", "lortega"
PART2_STAFF = (PART2_COUNSELOR, PART2_CASE_MANAGER, "hokafor")
PRESCRIBERS = ["praman", "mellery"]


def demo_password(username: str) -> str:
    """Each demo person has their own password; printed by ``alliance demo``."""
    return f"{username}-Alliance-demo"


@dataclass(frozen=True)
class DemoResult:
    staff: list[User]
    clients_created: int


def _staff(today: date) -> list[User]:
    people = []
    for username, first, last, discipline, creds, licence, expired in DEMO_STAFF:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "discipline": discipline,
                "credentials": creds,
                "email": f"{username}@clinic.example.org",
                "is_staff": discipline == D.IT_ADMINISTRATOR,
            },
        )
        user.set_password(demo_password(username))
        user.save()
        if licence and not user.licences.exists():
            Licence.objects.create(
                staff=user,
                licence_type=licence,
                number=f"{licence.upper()}-{zlib.crc32(username.encode()) % 900000 + 100000}",
                jurisdiction="NY",
                issued_on=today - timedelta(days=900),
                expires_on=today - timedelta(days=10) if expired else today + timedelta(days=400),
            )
        people.append(user)
    by_name = {u.username: u for u in people}
    if not SupervisionLink.objects.exists():
        SupervisionLink.objects.create(supervisor=by_name["hokafor"], supervisee=by_name["jreyes"])
        SupervisionLink.objects.create(supervisor=by_name["hokafor"], supervisee=by_name["tmorgan"])
        SupervisionLink.objects.create(supervisor=by_name["praman"], supervisee=by_name["mellery"])
    return people


def _programs() -> tuple[Program, Program, Program]:
    org, _ = Organisation.objects.get_or_create(
        name="Riverbend Community Mental Health (demo)", defaults={"after_hours_phone": "555-0100"}
    )
    adult, _ = Program.objects.get_or_create(
        code="adult-outpatient", defaults={"organisation": org, "name": "Adult Outpatient"}
    )
    youth, _ = Program.objects.get_or_create(
        code="youth-family", defaults={"organisation": org, "name": "Youth and Family"}
    )
    sud, _ = Program.objects.get_or_create(
        code="substance-use",
        defaults={"organisation": org, "name": "Substance Use Recovery", "is_part2": True},
    )
    for member in User.objects.filter(username__in=PART2_STAFF):
        ProgramMembership.objects.get_or_create(program=sud, staff=member)
    return adult, youth, sud


def demo_build(*, clients: int = 300, seed: int = 2026) -> DemoResult:
    """Create (or refresh) the demo clinic. Adds clients only if there are none."""
    today = timezone.localdate()
    with transaction.atomic():
        staff = _staff(today)
        adult, youth, sud = _programs()
    if Client.objects.exists():
        return DemoResult(staff, 0)
    by_name = {u.username: u for u in staff}
    intake = by_name["nhaddad"]
    rng = random.Random(seed)
    for index in range(clients):
        person = synthetic_person(rng, today, index)
        with transaction.atomic():
            client = client_create(
                actor=intake,
                confirmed_not_duplicate=True,
                values={
                    "legal_first_name": person.first,
                    "legal_last_name": person.last,
                    "preferred_name": person.preferred,
                    "pronouns": person.pronouns,
                    "date_of_birth": person.born,
                    "preferred_language": person.language,
                    "interpreter_needed": person.language != "English" and rng.random() < 0.6,
                    "phone": person.phone,
                    "email": person.email,
                    "address_line1": person.address,
                    "city": person.city,
                    "region": "NY",
                    "postal_code": person.postal_code,
                },
            )
            minor = client.age < 18
            program = youth if minor else (sud if rng.random() < 0.2 else adult)
            referred = today - timedelta(days=rng.randint(20, 700))
            discharged = rng.random() < 0.12
            in_part2 = program == sud
            enrolment: dict[str, Any] = dict(
                client=client,
                values={
                    "program": program,
                    "referral_date": referred,
                    "admission_date": referred + timedelta(days=rng.randint(3, 14)),
                    "discharge_date": today - timedelta(days=rng.randint(1, 15))
                    if discharged
                    else None,
                    "discharge_reason": "completed" if discharged else "",
                },
            )
            if not in_part2:
                episode_save(actor=intake, **enrolment)
            primary = by_name["tmorgan"] if index % 3 == 0 else by_name[rng.choice(THERAPISTS)]
            if in_part2:
                primary = by_name[PART2_COUNSELOR]
            care_team_add(
                actor=intake,
                client=client,
                staff=primary,
                role=CareTeamRole.PRIMARY_CLINICIAN,
                start_on=referred,
            )
            if rng.random() < 0.4:
                care_team_add(
                    actor=intake,
                    client=client,
                    staff=by_name[rng.choice(PRESCRIBERS)],
                    role=CareTeamRole.PRESCRIBER,
                    start_on=referred,
                )
            if rng.random() < 0.25 or in_part2:
                care_team_add(
                    actor=intake,
                    client=client,
                    staff=by_name["lortega"],
                    role=CareTeamRole.CASE_MANAGER,
                    start_on=referred,
                )
            if rng.random() < 0.15:
                care_team_add(
                    actor=intake,
                    client=client,
                    staff=by_name["abaptiste"],
                    role=CareTeamRole.PEER_SPECIALIST,
                    start_on=referred,
                )
            if in_part2:
                # Intake never learns who is in the Part 2 program: its own staff enrol them.
                episode_save(actor=by_name[PART2_CASE_MANAGER], **enrolment)
            contact_save(
                actor=intake,
                client=client,
                values={
                    "name": f"{rng.choice(['Alex', 'Robin', 'Casey', 'Jamie'])} {person.last}",
                    "relationship": "guardian" if minor else "emergency",
                    "phone": f"555-02{index % 100:02d}-{index // 100:04d}",
                    "may_contact": rng.random() < 0.8,
                },
            )
            Client.objects.filter(pk=client.pk).update(
                last_contact_on=today - timedelta(days=rng.randint(0, 45))
            )
    _demo_measures(by_name["tmorgan"], rng, today)
    _demo_part2_measures(by_name[PART2_COUNSELOR], sud, rng)
    demo_crisis(therapist=by_name["tmorgan"])
    demo_disclosures(therapist=by_name["tmorgan"], password=demo_password("tmorgan"))
    demo_plans(therapist=by_name["tmorgan"])
    demo_safety(by_name["tmorgan"], demo_password("tmorgan"))
    return DemoResult(staff, clients)


def _demo_measures(therapist: User, rng: random.Random, today: date) -> None:
    """PHQ-9 and GAD-7 histories for some of the demo therapist's clients, one open alert."""
    now = timezone.now()
    caseload = list(
        Client.objects.filter(care_team__staff=therapist, care_team__end_on__isnull=True)
        .order_by("pk")
        .distinct()[:40]
    )
    for position, client in enumerate(caseload):
        if position % 2:
            continue
        start_level = rng.randint(1, 3)
        trend = rng.choice([-1, -1, 0, 1])  # most improve, some do not, a few get worse
        sessions = rng.randint(3, 7)
        for session in range(sessions):
            when = now - timedelta(days=14 * (sessions - session))
            level = max(0, min(3, start_level + (trend * session) // 2))
            for code, count in (("phq9", 9), ("gad7", 7)):
                answers = {
                    str(i): max(0, min(3, level + rng.choice([-1, 0, 0, 1])))
                    for i in range(1, count + 1)
                }
                if code == "phq9":
                    answers["9"] = 0
                administration_record(
                    actor=therapist,
                    client=client,
                    instrument=code,
                    answers=answers,
                    completed_at=when,
                )
    if caseload:
        # last night a client answered "several days" to the self-harm question
        administration_record(
            actor=therapist,
            client=caseload[1],
            instrument="phq9",
            answers={**{str(i): 2 for i in range(1, 9)}, "9": 1},
            completed_at=now - timedelta(hours=10),
        )
        schedule_create(
            actor=therapist,
            client=caseload[0],
            instrument="phq9",
            every_days=14,
            first_due_on=today,
        )
        measures_fall_due(today=today)


def _demo_part2_measures(counselor: User, sud: Program, rng: random.Random) -> None:
    """A PHQ-9 for a few clients of the Part 2 program, recorded there: labelled (SEC-19)."""
    enrolled = Client.objects.filter(
        episodes__program=sud, episodes__discharge_date__isnull=True
    ).order_by("pk")[:5]
    for client in enrolled:
        administration_record(
            actor=counselor,
            client=client,
            instrument="phq9",
            answers={str(i): rng.choice([0, 1, 1, 2]) for i in range(1, 10)} | {"9": 0},
        )


def _supervision_lines(staff: list[User]) -> list[str]:
    """Who supervises whom among the demo logins, from the supervision links in force today."""
    links = SupervisionLink.objects.filter(
        SupervisionLink.active_q(timezone.localdate()), supervisor__in=staff, supervisee__in=staff
    ).select_related("supervisor", "supervisee")
    supervisees: dict[str, list[str]] = {}
    for link in links:
        supervisees.setdefault(link.supervisor.username, []).append(link.supervisee.username)
    if not supervisees:
        return []
    lines = ["Supervision (supervisors co-sign their supervisees' notes and diagnoses):"]
    for supervisor in (u.username for u in staff if u.username in supervisees):
        lines.append(f"  {supervisor:<11} supervises {', '.join(sorted(supervisees[supervisor]))}")
    return lines


def demo_logins_text(result: DemoResult) -> str:
    lines = [
        f"Demo clinic ready ({Client.objects.count()} synthetic clients).",
        "Demo logins (username / password):",
    ]
    for user in result.staff:
        password = demo_password(user.username)
        lines.append(f"  {user.username:<11} {password:<28} {user.get_discipline_display()}")
    lines.extend(_supervision_lines(result.staff))
    lines.append(
        f"Substance Use Recovery is a 42 CFR Part 2 program: only its staff "
        f"({', '.join(PART2_STAFF)}) see who is in it and what it records."
    )
    lines.append("Two-factor sign-in is off in the demo; production requires it.")
    return "\n".join(lines)
