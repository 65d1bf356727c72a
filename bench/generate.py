"""Fill a database with a synthetic clinic for the benchmarks: staff, clients, audit trail.

    ALLIANCE_DATABASE_URL=sqlite:////tmp/bench.sqlite3 ALLIANCE_VAR_DIR=/tmp/bench-var \\
        .venv/bin/python bench/generate.py --clients 100000 [--audit-events 500000]

Runs the migrations, then writes ~60 staff of every discipline (with licences and
supervision), three programs, ``--clients`` synthetic clients (``alliance.demo.people``) with
episodes, care teams and contacts, a few restrictions and reviewed break-the-glass grants, and
an audit trail that forms a valid HMAC chain (``alliance audit verify`` passes afterwards).

The clinic has run for five years: clients were registered one after another, and only the
most recent ones are still in care, so that each clinician's *current* caseload holds 50 to
150 clients while their ended care-team places number in the thousands. ``bench.therapist``
(an LCSW) has exactly 80 current clients and ``bench.frontdesk`` searches the whole registry;
``bench/chart.py`` signs in as them.

Rows go in with ``bulk_create``, a few thousand clients per transaction. The audit rows are
hashed here with ``alliance.audit.chain.row_hash`` and inserted in ``seq`` order under the
chain's lock (inserts are what the append-only triggers allow), and the head of the chain is
written as a checkpoint after every batch, as ``audit_record`` would. Use a fresh
``ALLIANCE_VAR_DIR`` (or ``ALLIANCE_AUDIT_CHECKPOINT_DIR``) per database: checkpoints of one
database make another one fail verification, and this script refuses to start if it finds them.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

BATCH_CLIENTS = 2000
CLINIC_YEARS = 5
SEED = 2026

# Target caseloads (current clients per clinician). The bench therapist's is fixed.
BENCH_THERAPIST = "bench.therapist"
BENCH_FRONT_DESK = "bench.frontdesk"
BENCH_THERAPIST_CASELOAD = 80
CASELOAD_RANGE = (50, 150)

# Chance that a client's care team has each of these beside the primary clinician.
TEAM_EXTRAS = (
    ("prescriber", "prescriber", 0.40),
    ("case_manager", "case_manager", 0.25),
    ("peer", "peer_specialist", 0.15),
    ("allied", "therapist", 0.12),
)
SECOND_EPISODE = 0.05
RESTRICTED = 0.002
BROKE_GLASS = 0.0005


# Who works at the bench clinic: (group, discipline, credentials, licence type, how many).
STAFF_PLAN: list[tuple[str, str, str, str | None, int]] = [
    ("primary", "lcsw", "LCSW", "lcsw", 10),
    ("primary", "counselor", "LPC", "lpc", 8),
    ("primary", "mft", "LMFT", "lmft", 5),
    ("primary", "psychologist", "PsyD", "psychologist", 4),
    ("prescriber", "psychiatrist", "MD", "md", 4),
    ("prescriber", "psychiatric_np", "PMHNP-BC", "aprn", 4),
    ("allied", "psychiatric_nurse", "RN", "rn", 4),
    ("allied", "occupational_therapist", "OTR/L", "otr", 2),
    ("peer", "peer_support", "CPS", "cps", 4),
    ("case_manager", "case_manager", "", None, 7),
    ("intake", "intake_coordinator", "", None, 3),
    ("front_desk", "front_desk", "", None, 3),
    ("other", "privacy_officer", "CHPC", None, 1),
    ("other", "it_administrator", "", None, 1),
]


class Progress:
    """A hand-made progress bar on stderr: ``[#####.....] 52% 52000/100000 clients 3.1s``."""

    def __init__(self, total: int, unit: str, width: int = 30) -> None:
        self.total, self.unit, self.width = max(total, 1), unit, width
        self.started = time.perf_counter()

    def update(self, done: int) -> None:
        share = min(done / self.total, 1.0)
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(f"\r[{bar}] {share:4.0%} {done}/{self.total} {self.unit} {elapsed:.1f}s")
        sys.stderr.flush()

    def finish(self) -> float:
        sys.stderr.write("\n")
        return time.perf_counter() - self.started


def luhn_mrn(eight_digits: int) -> str:
    """Eight digits and a Luhn check digit, the same shape as ``clients.services`` makes."""
    digits = [int(d) for d in f"{eight_digits:08d}"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return f"{eight_digits:08d}{(10 - total % 10) % 10}"


def ascii_word(text: str) -> str:
    from alliance.core.text import fold

    return "".join(ch for ch in fold(text) if "a" <= ch <= "z")


class Chain:
    """Appends audit rows to the HMAC chain exactly as ``audit_record`` would hash them."""

    def __init__(self) -> None:
        from django.conf import settings

        self.key = settings.AUDIT_KEY
        self.head_seq = 0
        self.head_hash = ""
        self.written = 0

    def append(self, rows: list[dict[str, Any]]) -> None:
        """Hash and insert ``rows`` (without seq/prev_hash); call inside a transaction."""
        from django.db import connection

        from alliance.audit.chain import row_hash
        from alliance.audit.models import GENESIS_HASH, AuditEvent
        from alliance.audit.services import AUDIT_CHAIN_LOCK_ID

        if not rows:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_ID])
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        events = []
        for fields in rows:
            fields["seq"], fields["prev_hash"] = seq, prev_hash
            prev_hash = row_hash(self.key, fields)
            events.append(AuditEvent(**fields, hash=prev_hash))
            seq += 1
        AuditEvent.objects.bulk_create(events)
        self.head_seq, self.head_hash = seq - 1, prev_hash
        self.written += len(events)

    def checkpoint(self) -> None:
        from alliance.audit.checkpoints import checkpoint_write

        if self.head_seq:
            checkpoint_write(seq=self.head_seq, head=self.head_hash)


def event(
    at: datetime,
    actor: Any,
    action: str,
    *,
    client_id: int | None = None,
    target: Any = None,
    purpose: str = "TREAT",
    severity: str = "normal",
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The chained fields of one audit row (``seq`` and ``prev_hash`` are added on insert)."""
    return {
        "occurred_at": at,
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.username if actor is not None else "command-line",
        "action": action,
        "client_id": client_id,
        "object_type": target._meta.label if target is not None else "",
        "object_id": str(target.pk) if target is not None else "",
        "purpose": purpose,
        "outcome": "success",
        "severity": severity,
        "source_address": "local",
        "detail": detail or {},
    }


def refuse_stale_checkpoints() -> None:
    """Checkpoints of another database would make ``alliance audit verify`` fail here."""
    from django.conf import settings

    from alliance.audit.checkpoints import checkpoint_path, checkpoints_read
    from alliance.audit.models import AuditEvent

    points = [p for p in checkpoints_read() if p.is_authentic(settings.AUDIT_KEY)]
    if not points:
        return
    stored = dict(
        AuditEvent.objects.filter(seq__in=[p.seq for p in points]).values_list("seq", "hash")
    )
    if any(stored.get(p.seq) != p.hash for p in points):
        raise SystemExit(
            f"{checkpoint_path()} holds checkpoints of another database; set ALLIANCE_VAR_DIR "
            "(or ALLIANCE_AUDIT_CHECKPOINT_DIR) to a fresh folder for this one"
        )


def make_staff(today: date, rng: random.Random) -> tuple[dict[str, list[Any]], list[Any]]:
    """Create the staff (unusable passwords: the benchmark signs in with force_login)."""
    from alliance.demo.people import FIRST_NAMES, LAST_NAMES
    from alliance.staff.models import Licence, SupervisionLink, User

    groups: dict[str, list[Any]] = {}
    created: list[Any] = []
    specials = {
        ("primary", "lcsw"): BENCH_THERAPIST,
        ("front_desk", "front_desk"): BENCH_FRONT_DESK,
    }
    number = 0
    for group, discipline, credentials, licence, count in STAFF_PLAN:
        for k in range(count):
            number += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            username = f"{ascii_word(first)[0]}{ascii_word(last)}{number}"
            if k == 0 and (group, discipline) in specials:
                username = specials[(group, discipline)]
                first, last = "Bench", "Therapist" if group == "primary" else "Desk"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    discipline=discipline,
                    credentials=credentials,
                    email=f"{username}@bench.example.org",
                    is_staff=discipline == "it_administrator",
                )
                user.set_unusable_password()
                user.save()
                created.append(user)
                if licence:
                    Licence.objects.create(
                        staff=user,
                        licence_type=licence,
                        number=f"B{number:05d}",
                        jurisdiction="NY",
                        issued_on=today - timedelta(days=rng.randint(400, 4000)),
                        expires_on=today + timedelta(days=rng.randint(60, 700)),
                    )
            groups.setdefault(group, []).append(user)
    if not SupervisionLink.objects.filter(supervisee__in=groups["primary"]).exists():
        psychologists = [u for u in groups["primary"] if u.discipline == "psychologist"]
        supervisees = [u for u in groups["primary"] if u.discipline != "psychologist"]
        for i, supervisee in enumerate(supervisees):
            SupervisionLink.objects.create(
                supervisor=psychologists[i % len(psychologists)],
                supervisee=supervisee,
                start_on=today - timedelta(days=365),
            )
    return groups, created


def caseload_slots(primaries: list[Any], active: int, rng: random.Random) -> list[Any]:
    """One primary clinician per current client: 50-150 each, 80 for the bench therapist."""
    sizes = [
        BENCH_THERAPIST_CASELOAD if u.username == BENCH_THERAPIST else rng.randint(*CASELOAD_RANGE)
        for u in primaries
    ]
    wanted = sum(sizes)
    if wanted > active:  # a small registry: scale every caseload down
        sizes = [max(1, round(s * active / wanted)) for s in sizes]
    # The bench therapist's places come first so that even a tiny registry gives them some.
    slots = [u for u, size in zip(primaries, sizes, strict=True) for _ in range(size)]
    slots.sort(key=lambda u: u.username != BENCH_THERAPIST)
    slots = slots[:active]
    rng.shuffle(slots)
    return slots


def generate(*, clients: int, audit_events: int, seed: int = SEED) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from alliance.access.models import AccessRestriction, BreakGlassGrant, CareTeamMember
    from alliance.clients.models import Client, Contact, Episode
    from alliance.demo.clinic import _programs
    from alliance.demo.people import synthetic_person

    if Client.objects.exists():
        raise SystemExit(
            f"the database already holds {Client.objects.count()} clients: "
            "generate into an empty database"
        )
    refuse_stale_checkpoints()
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now().astimezone(UTC)
    chain = Chain()
    with transaction.atomic():
        groups, new_staff = make_staff(today, rng)
        adult, youth, sud = _programs()
        staff_origin = now - timedelta(days=365 * CLINIC_YEARS + 1)
        chain.append(
            [
                event(
                    staff_origin + timedelta(seconds=i),
                    None,
                    "staff_change",
                    target=user,
                    purpose="HSYSADMIN",
                    severity="high",
                    detail={"change": "created", "fields": ["discipline"]},
                )
                for i, user in enumerate(new_staff)
            ]
        )
    chain.checkpoint()

    # The newest len(slots) clients are in care now; the others were discharged.
    slots = caseload_slots(groups["primary"], clients, rng)
    first_active = clients - len(slots)
    intake = groups["intake"]
    privacy = groups["other"][0]
    btg_staff = [u for u in groups["primary"] + groups["prescriber"] if "bench" not in u.username]
    clinical = [
        u for g in ("primary", "prescriber", "allied", "peer", "case_manager") for u in groups[g]
    ]
    clinical = [u for u in clinical if "bench" not in u.username]
    end = now - timedelta(minutes=10)
    span = timedelta(days=365 * CLINIC_YEARS)
    gap = span / clients
    origin = end - span
    mrns = rng.sample(range(10**7, 10**8), clients)
    relationships = ["emergency", "parent", "partner", "family", "friend"]
    reasons = ["completed"] * 6 + ["referred", "withdrew", "no_contact", "moved", "higher_level"]
    client_fields = [
        "date_of_birth",
        "email",
        "legal_first_name",
        "legal_last_name",
        "phone",
        "preferred_language",
        "pronouns",
    ]

    progress = Progress(clients, "clients")
    for start in range(0, clients, BATCH_CLIENTS):
        stop = min(start + BATCH_CLIENTS, clients)
        with transaction.atomic():
            batch: list[Client] = []
            people = []
            for i in range(start, stop):
                person = synthetic_person(rng, today, i)
                people.append(person)
                batch.append(
                    Client(
                        mrn=luhn_mrn(mrns[i]),
                        legal_first_name=person.first,
                        legal_last_name=person.last,
                        preferred_name=person.preferred,
                        pronouns=person.pronouns,
                        date_of_birth=person.born,
                        preferred_language=person.language,
                        interpreter_needed=person.language != "English" and rng.random() < 0.6,
                        phone=person.phone,
                        email=person.email,
                        address_line1=person.address,
                        city=person.city,
                        region="NY",
                        postal_code=person.postal_code,
                    )
                )
                batch[-1].fill_derived()
            # Dates first (they decide last_contact_on), then the rows that point at clients.
            plans = []
            for offset, client in enumerate(batch):
                i = start + offset
                at = origin + gap * i
                referred = timezone.localtime(at).date()
                in_care = i >= first_active
                discharged = None
                if not in_care:
                    discharged = min(referred + timedelta(days=rng.randint(20, 540)), today)
                    discharged = max(discharged - timedelta(days=1), referred + timedelta(days=1))
                admitted = referred + timedelta(days=rng.randint(3, 14))
                if discharged and admitted >= discharged:
                    admitted = None
                if in_care:
                    last_contact = max(referred, today - timedelta(days=rng.randint(0, 45)))
                else:
                    last_contact = discharged
                client.last_contact_on = min(last_contact, today)
                plans.append((i, at, referred, in_care, admitted, discharged))
            Client.objects.bulk_create(batch)

            episodes, members, contacts, restrictions, grants = [], [], [], [], []
            per_client: list[list[tuple[str, Any, Any]]] = []
            teams: list[list[Any]] = []
            for client, person, (i, at, referred, in_care, admitted, discharged) in zip(
                batch, people, plans, strict=True
            ):
                registrar = rng.choice(intake)
                todo: list[tuple[str, Any, Any]] = [("search", registrar, person)]
                todo.append(("create", registrar, client))
                if rng.random() < SECOND_EPISODE:
                    before = referred - timedelta(days=rng.randint(400, 900))
                    old = Episode(
                        client=client,
                        program=adult,
                        referral_date=before,
                        admission_date=before + timedelta(days=7),
                        discharge_date=before + timedelta(days=rng.randint(60, 300)),
                        discharge_reason=rng.choice(reasons),
                    )
                    episodes.append(old)
                    todo.append(("create", registrar, old))
                minor = client.age_on(referred) < 18
                program = youth if minor else (sud if rng.random() < 0.2 else adult)
                episode = Episode(
                    client=client,
                    program=program,
                    referral_date=referred,
                    admission_date=admitted,
                    discharge_date=discharged,
                    discharge_reason=rng.choice(reasons) if discharged else "",
                )
                episodes.append(episode)
                todo.append(("create", registrar, episode))
                primary = slots[i - first_active] if in_care else rng.choice(groups["primary"])
                team = [(primary, "primary_clinician")]
                for group, role, chance in TEAM_EXTRAS:
                    if rng.random() < chance:
                        team.append((rng.choice(groups[group]), role))
                teams.append([staff for staff, _role in team])
                for staff, role in team:
                    member = CareTeamMember(
                        client=client, staff=staff, role=role, start_on=referred, end_on=discharged
                    )
                    members.append(member)
                    todo.append(("create", registrar, member))
                contact = Contact(
                    client=client,
                    name=f"{rng.choice(['Alex', 'Robin', 'Casey', 'Jamie'])} {person.last}",
                    relationship="guardian" if minor else rng.choice(relationships),
                    phone=f"555-02{i % 100:02d}-{i // 100 % 10000:04d}",
                    may_contact=rng.random() < 0.8,
                )
                contacts.append(contact)
                todo.append(("create", registrar, contact))
                if rng.random() < RESTRICTED:
                    restriction = AccessRestriction(
                        client=client,
                        staff=rng.choice(clinical),
                        reason=rng.choice(["conflict_of_interest", "relative", "client_request"]),
                        created_by=registrar,
                    )
                    restrictions.append(restriction)
                    todo.append(("create", registrar, restriction))
                if not in_care and rng.random() < BROKE_GLASS:
                    granted = at + gap * 0.9
                    grant = BreakGlassGrant(
                        actor=rng.choice(btg_staff),
                        client=client,
                        reason_code="crisis_call",
                        reason_text="Crisis call after hours; the care team was unavailable.",
                        granted_at=granted,
                        expires_at=granted + timedelta(hours=1),
                        reviewed_by=privacy,
                        reviewed_at=granted + timedelta(days=1),
                        review_note="Appropriate: documented crisis contact.",
                    )
                    grants.append(grant)
                    todo.append(("break_glass", grant.actor, grant))
                per_client.append(todo)
            Episode.objects.bulk_create(episodes)
            CareTeamMember.objects.bulk_create(members)
            Contact.objects.bulk_create(contacts)
            AccessRestriction.objects.bulk_create(restrictions)
            BreakGlassGrant.objects.bulk_create(grants)

            rows = []
            for client, todo, team, (i, at, *_) in zip(
                batch, per_client, teams, plans, strict=True
            ):
                budget = (i + 1) * audit_events // clients - i * audit_events // clients
                # The registrar's search before registering is worth a row only if the
                # budget allows; chart views by the care team fill what is left of it.
                if budget < len(todo):
                    todo = todo[1:]
                views = [("view", rng.choice(team), client) for _ in range(budget - len(todo))]
                todo = todo + views
                step = gap / (len(todo) + 1)
                for n, (kind, actor, obj) in enumerate(todo):
                    when = at + step * n
                    if kind == "search":
                        rows.append(
                            event(
                                when,
                                actor,
                                "search",
                                detail={"query": f"{obj.first} {obj.last}", "client_ids": []},
                            )
                        )
                    elif kind == "create":
                        label = obj._meta.label
                        if label == "clients.Client":
                            detail: dict[str, Any] = {"fields": client_fields}
                        elif label == "access.CareTeamMember":
                            detail = {"staff_id": obj.staff_id, "role": obj.role}
                        elif label == "access.AccessRestriction":
                            detail = {"staff_id": obj.staff_id, "reason": obj.reason}
                        else:
                            detail = {"fields": ["name", "phone", "relationship"]}
                        purpose = "TREAT" if label == "clients.Contact" else "HOPERAT"
                        rows.append(
                            event(
                                when,
                                actor,
                                "create",
                                client_id=client.pk,
                                target=obj,
                                purpose=purpose,
                                detail=detail,
                            )
                        )
                    elif kind == "break_glass":
                        rows.append(
                            event(
                                when,
                                actor,
                                "break_glass",
                                client_id=client.pk,
                                target=obj,
                                purpose="BTG",
                                severity="high",
                                detail={
                                    "reason_code": obj.reason_code,
                                    "expires_at": obj.expires_at.isoformat(),
                                },
                            )
                        )
                    else:
                        rows.append(
                            event(
                                when,
                                actor,
                                "chart_view",
                                client_id=client.pk,
                                target=client,
                                detail={"view": "clinical"},
                            )
                        )
            chain.append(rows)
        chain.checkpoint()
        progress.update(stop)
    seconds = progress.finish()

    if connection.vendor == "postgresql":
        # What autovacuum would do a minute later: fresh statistics and a visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return {
        "clients": clients,
        "in_care": len(slots),
        "staff": sum(len(g) for g in groups.values()),
        "audit_events": chain.written,
        "seconds": seconds,
    }


HEAVY_MRN_NOTE = "bench heavy chart"


def heavy_client(*, notes: int, objectives: int, seed: int = SEED) -> dict[str, Any]:
    """Give one client of ``bench.therapist`` a long record: ``notes`` signed session notes
    (one session each, over the last years), an active treatment plan with ``objectives``
    objectives (ten per goal, one goal per problem, one intervention each, half bound to the
    PHQ-9, half to the GAD-7) and a PHQ-9 and GAD-7 history. ``bench/chart.py --heavy`` times
    that client's chart. Rows go in with ``bulk_create``; notes are signed with their real
    SHA-256 (the chart checks every signature it shows) and the plan with its real digest."""
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from alliance.access.models import CareTeamMember
    from alliance.assessments.models import Administration, AdministrationMode
    from alliance.clients.models import Client, Episode
    from alliance.notes.models import Encounter, Note, NoteStatus, NoteTemplate, NoteVersion
    from alliance.notes.signing import note_digest
    from alliance.plans.models import (
        AgreementKind,
        Goal,
        Intervention,
        Objective,
        PlanStatus,
        Problem,
        TreatmentPlan,
    )
    from alliance.plans.tree import digest, load_tree
    from alliance.staff.models import User

    rng = random.Random(seed + 1)
    today = timezone.localdate()
    now = timezone.now()
    therapist = User.objects.get(username=BENCH_THERAPIST)
    in_care = CareTeamMember.objects.filter(CareTeamMember.active_q(today), staff=therapist).values(
        "client_id"
    )
    taken = TreatmentPlan.objects.values("client_id")
    client = (
        Client.objects.filter(pk__in=in_care, episodes__discharge_date__isnull=True)
        .exclude(pk__in=taken)
        .annotate(n=Count("notes"))
        .order_by("n", "pk")
        .first()
    )
    if client is None:
        raise SystemExit(f"{BENCH_THERAPIST} has no client in care without a plan")
    episode = Episode.objects.filter(client=client, discharge_date__isnull=True).first()
    assert episode is not None
    with transaction.atomic():
        encounters = Encounter.objects.bulk_create(
            Encounter(
                client=client,
                clinician=therapist,
                date=today - timedelta(days=3 * (notes - i)),
                start_time=time_of(9 + i % 8),
                end_time=time_of(9 + i % 8, 50),
                encounter_type="individual",
                setting="office",
            )
            for i in range(notes)
        )
        written = Note.objects.bulk_create(
            Note(
                client=client,
                encounter=e,
                author=therapist,
                template=NoteTemplate.DAP,
                content={
                    "data": f"Session {i + 1}: reviewed the week and the activity diary.",
                    "assessment": rng.choice(["Engaged.", "Tired but engaged.", "Brighter."]),
                    "plan": "Continue weekly sessions.",
                },
            )
            for i, e in enumerate(encounters)
        )
        for note in written:
            note.status, note.version = NoteStatus.SIGNED, 2
            note.signed_by, note.signed_at = therapist, now
            note.cpt_suggested = "90834"
            note.content_hash = note_digest(note)
        # Drafts become signed in one statement per batch (the guard allows draft -> signed).
        Note.objects.bulk_update(
            written,
            ["status", "version", "signed_by", "signed_at", "cpt_suggested", "content_hash"],
            batch_size=500,
        )
        NoteVersion.objects.bulk_create(
            NoteVersion(
                note=n,
                version=2,
                status=NoteStatus.SIGNED,
                content=n.content,
                saved_by=therapist,
                saved_at=now,
            )
            for n in written
        )
        # Scores inside the episode, so that each objective has a baseline and a latest one.
        start = episode.admission_date or episode.referral_date
        step = max(1, (today - start).days // 25)
        Administration.objects.bulk_create(
            Administration(
                client=client,
                instrument=code,
                mode=AdministrationMode.IN_SESSION,
                completed_at=now - timedelta(days=step * (24 - k)),
                questionnaire_response={},
                answers={},
                total=float(max(0, top - k // 2 + rng.randint(-1, 1))),
                entered_by=therapist,
            )
            for code, top in (("phq9", 19), ("gad7", 15))
            for k in range(24)
        )
        plan = TreatmentPlan.objects.create(
            client=client, episode=episode, number=1, created_by=therapist
        )
        problems = Problem.objects.bulk_create(
            Problem(plan=plan, position=p, statement=f"Problem {p + 1}", client_words="In my words")
            for p in range(max(1, objectives // 10))
        )
        goals = Goal.objects.bulk_create(
            Goal(
                plan=plan, problem=p, position=p.position, client_words="Feel better", target="Met"
            )
            for p in problems
        )
        made = Objective.objects.bulk_create(
            Objective(
                plan=plan,
                goal=goals[o % len(goals)],
                position=o,
                description=f"Objective {o + 1}",
                target="",
                target_date=today + timedelta(days=30 + o),
                instrument="phq9" if o % 2 == 0 else "gad7",
                direction="below",
                target_value=10.0 if o % 2 == 0 else 8.0,
            )
            for o in range(objectives)
        )
        Intervention.objects.bulk_create(
            Intervention(
                plan=plan,
                objective=o,
                position=o.position,
                modality="cbt",
                frequency="weekly",
                responsible=therapist,
            )
            for o in made
        )
        plan.status, plan.agreement_kind = PlanStatus.ACTIVE, AgreementKind.VERBAL
        plan.agreed_on, plan.participation = today, HEAVY_MRN_NOTE
        plan.activated_at, plan.activated_by = now, therapist
        plan.review_due_on = today + timedelta(days=90)
        plan.content_hash = digest(load_tree(plan, with_progress=False))
        plan.save()
    return {"client_id": client.pk, "notes": notes, "objectives": objectives}


def time_of(hour: int, minute: int = 0) -> Any:
    from datetime import time as clock

    return clock(hour, minute)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument(
        "--audit-events",
        type=int,
        default=None,
        help="audit events about clients (default: 5 per client; at least what registering "
        "them takes)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--heavy-notes",
        type=int,
        default=500,
        help="signed notes of the one heavy client (bench/chart.py --heavy); 0: no heavy client",
    )
    parser.add_argument("--heavy-objectives", type=int, default=100)
    parser.add_argument(
        "--heavy-only",
        action="store_true",
        help="only add the heavy client to a database generated before",
    )
    args = parser.parse_args(argv)
    if args.clients < 1:
        parser.error("--clients must be at least 1")
    audit_events = 5 * args.clients if args.audit_events is None else args.audit_events

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    import django

    django.setup()
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if args.heavy_only:
        heavy = heavy_client(notes=args.heavy_notes, objectives=args.heavy_objectives)
        print(f"{connection.vendor}: heavy client {heavy}")
        return 0
    result = generate(clients=args.clients, audit_events=audit_events, seed=args.seed)
    if args.heavy_notes > 0:
        heavy = heavy_client(notes=args.heavy_notes, objectives=args.heavy_objectives)
        print(
            f"heavy client {heavy['client_id']}: {heavy['notes']} notes, "
            f"{heavy['objectives']} plan objectives",
            file=sys.stderr,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
    total = time.perf_counter() - started
    print(
        f"{connection.vendor}: {result['clients']} clients ({result['in_care']} in care), "
        f"{result['staff']} staff, {result['audit_events']} audit events "
        f"in {result['seconds']:.1f}s ({total:.1f}s in all); "
        f"checkpoints in {settings.AUDIT_CHECKPOINT_DIR}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
