"""Reads of 42 CFR Part 2 consents, court orders and Part 2 disclosures (actor first).

Only staff who may see a client's Part 2 records see these: the client's Part 2 programs whose
records ``access.part2.programs_open_to`` opens to the actor (the program's personnel, or a
live emergency grant, 42 CFR 2.51). Anyone else gets the same 404 as for a client that does not
exist, audited as a refused attempt: they do not learn that the client is in a Part 2 program
(42 CFR 2.13(c); minimum necessary, 45 CFR 164.514(d)).

Every read is audited here with ``audit.reads.read_record`` (once per record and request).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404

from alliance.access.models import BreakGlassGrant
from alliance.access.part2 import programs_open_to
from alliance.access.policy import ClientNotFound, has_capability, visible_client_or_none
from alliance.audit.reads import read_record
from alliance.audit.services import audit_refused
from alliance.clients.models import Client, Episode
from alliance.disclosures.models import (
    Disclosure,
    DisclosureSource,
    Part2Consent,
    Part2CourtOrder,
    Part2Disclosure,
)
from alliance.organisation.models import Program
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

CATEGORY = "42CFRPart2"
PART2_SOURCES = (DisclosureSource.PART2, DisclosureSource.PART2_EMERGENCY)


def part2_programs_for(*, actor: User, client: Client | int) -> list[Program]:
    """The client's Part 2 programs (an episode there, open or closed) whose records ``actor``
    may see. Empty for almost everyone: then nothing Part 2 about this client is shown."""
    client_id = client if isinstance(client, int) else client.pk
    open_to = programs_open_to(actor, client_id)
    if not open_to:
        return []
    enrolled = Episode.objects.filter(client_id=client_id, program_id__in=open_to)
    return list(
        Program.objects.filter(pk__in=enrolled.values("program_id"), is_part2=True)
        .select_related("organisation")
        .order_by("name")
    )


@dataclass(frozen=True)
class Part2Client:
    """A client opened for its Part 2 pages, with the programs the actor may see there."""

    client: Client
    programs: list[Program]

    @property
    def program_ids(self) -> set[int]:
        return {p.pk for p in self.programs}


def part2_client_checked(*, actor: User, client_id: object, capability: Capability) -> Part2Client:
    """The client if ``actor`` may use ``capability`` on it and see Part 2 records of it,
    without a read event (for services, which record their writes); else an audited refusal
    and the 404 of a client that does not exist."""
    client = visible_client_or_none(actor=actor, client_id=str(client_id), capability=capability)
    programs = part2_programs_for(actor=actor, client=client) if client is not None else []
    if client is None or not programs:
        audit_refused(
            actor=actor, client_id=client_id, object_type="clients.Client", object_id=client_id
        )
        raise ClientNotFound
    return Part2Client(client=client, programs=programs)


def part2_client_for(*, actor: User, client_id: object, capability: Capability) -> Part2Client:
    """``part2_client_checked`` for a page: its read audited (once, if the page shows it)."""
    opened = part2_client_checked(actor=actor, client_id=client_id, capability=capability)
    read_record(
        actor=actor,
        client=opened.client,
        target=opened.client,
        detail={"view": "part2", "capability": str(capability), "category": CATEGORY},
    )
    return opened


def _of_programs(opened: Part2Client) -> Q:
    """Rows of the programs open to the actor, or naming no program (a discloser in words)."""
    return Q(program__isnull=True) | Q(program_id__in=opened.program_ids)


def part2_consents_for(*, actor: User, opened: Part2Client) -> list[Part2Consent]:
    """The client's Part 2 consents the actor may see, newest first; each one listed is a read."""
    rows = list(
        Part2Consent.objects.filter(_of_programs(opened), client=opened.client).select_related(
            "program", "recorded_by", "revoked_by"
        )
    )
    for row in rows:
        read_record(
            actor=actor,
            client=opened.client,
            target=row,
            detail={"list": "part2_consents", "category": CATEGORY},
        )
    return rows


def part2_consent_of(*, opened: Part2Client, consent_id: object) -> Part2Consent:
    """One consent of a client opened with ``part2_client_for`` (for a service: no read)."""
    try:
        pk = int(str(consent_id))
    except ValueError:
        pk = 0
    consent = (
        Part2Consent.objects.filter(_of_programs(opened), client=opened.client, pk=pk)
        .select_related("program")
        .first()
    )
    if consent is None:
        raise Http404
    return consent


def part2_consent_for(*, actor: User, opened: Part2Client, consent_id: object) -> Part2Consent:
    """One consent for a page, its read audited."""
    consent = part2_consent_of(opened=opened, consent_id=consent_id)
    read_record(actor=actor, client=opened.client, target=consent, detail={"category": CATEGORY})
    return consent


def part2_court_orders_for(*, actor: User, opened: Part2Client) -> list[Part2CourtOrder]:
    """The client's recorded Part 2 court orders the actor may see; each one listed is a read."""
    rows = list(
        Part2CourtOrder.objects.filter(_of_programs(opened), client=opened.client).select_related(
            "program", "recorded_by"
        )
    )
    for row in rows:
        read_record(
            actor=actor,
            client=opened.client,
            target=row,
            detail={"list": "part2_court_orders", "category": CATEGORY},
        )
    return rows


@dataclass(frozen=True)
class Part2Choices:
    """What the recorded-disclosure form offers for its Part 2 part."""

    programs: list[Program]
    consents: list[Part2Consent]
    orders: list[Part2CourtOrder]


def part2_disclosure_choices(*, actor: User, client: Client) -> Part2Choices | None:
    """The client's Part 2 programs, unrevoked consents and court orders the actor may see, for
    the recorded-disclosure form (the rule checks them again); ``None`` for almost everyone,
    who then sees no Part 2 field at all. Each consent or order offered is a read."""
    programs = part2_programs_for(actor=actor, client=client)
    if not programs:
        return None
    opened = Part2Client(client=client, programs=programs)
    consents = list(
        Part2Consent.objects.filter(
            _of_programs(opened), client=client, revoked_at__isnull=True
        ).select_related("program")
    )
    orders = list(
        Part2CourtOrder.objects.filter(_of_programs(opened), client=client).select_related(
            "program"
        )
    )
    for row in [*consents, *orders]:
        read_record(
            actor=actor,
            client=client,
            target=row,
            detail={"list": "part2_choices", "category": CATEGORY},
        )
    return Part2Choices(programs=programs, consents=consents, orders=orders)


# ------------------------------------------------------ the accounting of disclosures


def part2_rows_q(*, actor: User, client: Client | int) -> Q:
    """Accounting rows of one client ``actor`` may see: not a Part 2 row of a program closed to
    them (a correction keeps its source, so it stays hidden too). The privacy officer sees every
    row: the client's accounting lists Part 2 disclosures as well (42 CFR 2.24, 2.25)."""
    if has_capability(actor, Capability.AUDIT_REVIEW):
        return Q()
    programs = programs_open_to(actor, client)
    return (~Q(source_type__in=PART2_SOURCES) | Q(source_id__in=programs)) & (
        Q(part2__isnull=True) | Q(part2__program_id__in=programs)
    )


def part2_row_hidden(*, actor: User, row: Disclosure) -> bool:
    """Whether one accounting row is a Part 2 row ``actor`` may not see (as ``part2_rows_q``)."""
    if has_capability(actor, Capability.AUDIT_REVIEW):
        return False
    programs = programs_open_to(actor, row.client_id)
    if row.source_type in PART2_SOURCES:
        return row.source_id not in programs
    if row.source_type == DisclosureSource.PSYCHOTHERAPY_NOTE:  # a Part 2 note's release
        labelled = Part2Disclosure.objects.filter(
            disclosure__source_type=row.source_type, disclosure__source_id=row.source_id
        ).exclude(program_id__in=programs)
        return labelled.exists()
    return False


def part2_of_disclosure(*, row: Disclosure) -> Part2Disclosure | None:
    """What a Part 2 disclosure rested on and the notice that went with it; for a correction,
    that of the entry it corrects (the disclosure is the same event)."""
    seen: set[int] = set()
    current: Disclosure | None = row
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        found = (
            Part2Disclosure.objects.filter(disclosure_id=current.pk)
            .select_related("program", "consent", "court_order", "grant")
            .first()
        )
        if found is not None:
            return found
        current = current.corrects
    return None


def part2_by_disclosure(*, rows: list[Disclosure]) -> dict[int, Part2Disclosure]:
    """The Part 2 records of accounting rows (a page or printout shows their notice)."""
    found = Part2Disclosure.objects.filter(disclosure_id__in=[r.pk for r in rows]).select_related(
        "program", "consent", "court_order"
    )
    return {p.disclosure_id: p for p in found}


# ------------------------------------------------------- the break-the-glass review queue


def emergency_disclosures_attach(*, grants: list[BreakGlassGrant]) -> None:
    """Load each grant's 42 CFR 2.51 emergency records (``grant.part2_emergencies.all``) in one
    query, for the privacy officer's review queue (already audited by its selector)."""
    emergencies: QuerySet[Part2Disclosure] = Part2Disclosure.objects.select_related(
        "program", "disclosure"
    ).order_by("program__name")
    prefetch_related_objects(grants, Prefetch("part2_emergencies", queryset=emergencies))
