"""42 CFR Part 2: who sees what a Part 2 program recorded, or learns a client is in one.

A record written inside a Part 2 program (``part2_program`` set on it when written, from the
author's place in the program and the client's open episode there) carries the security labels
of SEC-19 (``records.labels``). Around the one access rule (``access.policy``) this module
adds, for such records and for the client's episodes in a Part 2 program:

- the program's own personnel (a current ``ProgramMembership``) see them: within a Part 2
  program, personnel with a need may share what the program holds (42 CFR 2.12(c)(3));
- a break-the-glass grant for a bona fide medical emergency (``EMERGENCY_REASONS``) opens them
  for its lifetime: a disclosure to medical personnel under 42 CFR 2.51, which the grant
  records (``disclosures.part2``);
- nobody else: not the front desk, intake, the client's other clinicians, nor a supervisor from
  outside the program. They do not learn that the client is in the program (minimum
  necessary, 45 CFR 164.514(d); 42 CFR 2.13(c): no acknowledgment of presence without consent).

The access rule still applies first: this module only ever narrows what ``policy`` opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, BreakGlassReason
from alliance.access.policy import _kept
from alliance.clients.models import Client, Episode
from alliance.staff.models import User

# Break-the-glass reasons that are a bona fide medical emergency (42 CFR 2.51(a)). Covering
# for a colleague or continuity of care are not: those need the client's consent.
EMERGENCY_REASONS = frozenset({BreakGlassReason.EMERGENCY_CARE, BreakGlassReason.CRISIS_CALL})

MEMBER_PROGRAMS_SQL = (
    "SELECT m.program_id FROM organisation_programmembership m"
    " JOIN organisation_program p ON p.id = m.program_id"
    " WHERE m.staff_id = %s AND p.is_part2 = %s AND m.start_on <= %s"
    " AND (m.end_on IS NULL OR m.end_on > %s)"
)


def _ids(sql: str, params: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def member_program_ids(actor: User, today: date | None = None) -> list[int]:
    """The Part 2 programs whose personnel ``actor`` is today (almost always none)."""
    if not (actor and actor.is_authenticated):
        return []
    day = connection.ops.adapt_datefield_value(today or timezone.localdate())
    params: list[Any] = [actor.pk, True, day, day]
    return _kept(("part2_member", actor.pk), lambda: _ids(MEMBER_PROGRAMS_SQL, params))


def emergency_client_ids(actor: User, now: datetime | None = None) -> list[int]:
    """Clients on whom ``actor`` holds a live break-the-glass grant for a medical emergency."""
    if not (actor and actor.is_authenticated):
        return []
    moment = now or timezone.now()

    def compute() -> list[int]:
        return list(
            BreakGlassGrant.objects.filter(
                actor=actor,
                reason_code__in=EMERGENCY_REASONS,
                granted_at__lte=moment,
                expires_at__gt=moment,
            ).values_list("client_id", flat=True)
        )

    return _kept(("part2_emergency", actor.pk), compute)


def programs_open_to(actor: User, client: Client | int) -> frozenset[int]:
    """The Part 2 programs whose records of ``client`` ``actor`` may see (after the policy)."""
    client_id = client if isinstance(client, int) else client.pk
    programs = set(member_program_ids(actor))
    if client_id in emergency_client_ids(actor):
        programs |= set(
            Episode.objects.filter(client_id=client_id, program__is_part2=True).values_list(
                "program_id", flat=True
            )
        )
    return frozenset(programs)


def labelled_visible_q(actor: User, client: Client | int, field: str = "part2_program") -> Q:
    """Records of one client that ``actor`` may see: unlabelled, or of a program open to them."""
    programs = programs_open_to(actor, client)
    unlabelled = Q(**{f"{field}__isnull": True})
    return unlabelled | Q(**{f"{field}__in": programs}) if programs else unlabelled


def member_visible_q(actor: User, field: str = "part2_program") -> Q:
    """Records across clients (work lists) ``actor`` may see: unlabelled, or of their program.
    An emergency grant opens one chart, not a work list."""
    programs = member_program_ids(actor)
    unlabelled = Q(**{f"{field}__isnull": True})
    return unlabelled | Q(**{f"{field}__in": programs}) if programs else unlabelled


# ------------------------------------------------------------------ the viewer of this request
#
# Chart selectors take the client the caller opened, not the actor. Who is looking is the same
# for the whole request, so the web layer names it once (``viewing_as``, in the capability
# gate's middleware) and the selectors of labelled records ask ``visible_q``. Without a viewer
# (a task, a command, a test that set none) labelled records are hidden: fail closed.

_viewer: ContextVar[User | AnonymousUser | None] = ContextVar("part2_viewer", default=None)


@contextmanager
def viewing_as(actor: User | AnonymousUser | None) -> Iterator[None]:
    """Name the actor whose request this is, until the block ends."""
    token = _viewer.set(actor)
    try:
        yield
    finally:
        _viewer.reset(token)


def viewer_programs(client: Client | int) -> frozenset[int]:
    """The Part 2 programs whose records of ``client`` the request's viewer may see."""
    actor = _viewer.get()
    if actor is None or not actor.is_authenticated:
        return frozenset()
    return programs_open_to(actor, client)


def visible_q(client: Client | int, field: str = "part2_program") -> Q:
    """Records of ``client`` the request's viewer may see (``labelled_visible_q``)."""
    programs = viewer_programs(client)
    unlabelled = Q(**{f"{field}__isnull": True})
    return unlabelled | Q(**{f"{field}__in": programs}) if programs else unlabelled


def viewer_episode_q(client: Client | int, prefix: str = "episode__") -> Q:
    """``episode_q`` for the request's viewer on ``client``."""
    return episode_q(viewer_programs(client), prefix)


def viewer_episodes_q(prefix: str = "") -> Q:
    """``episodes_visible_q`` for the request's viewer (lists across clients)."""
    actor = _viewer.get()
    if actor is None or not actor.is_authenticated:
        return Q(**{f"{prefix}program__is_part2": False})
    return episodes_visible_q(actor, prefix)


def viewer_work_q(field: str = "part2_program") -> Q:
    """Cross-client lists for the request's viewer (``member_visible_q``)."""
    actor = _viewer.get()
    if actor is None or not actor.is_authenticated:
        return Q(**{f"{field}__isnull": True})
    return member_visible_q(actor, field)


def episodes_visible_q(actor: User, prefix: str = "") -> Q:
    """Episodes ``actor`` may learn of, across clients (search results, lists, the header)."""
    return (
        Q(**{f"{prefix}program__is_part2": False})
        | Q(**{f"{prefix}program_id__in": member_program_ids(actor)})
        | Q(**{f"{prefix}client_id__in": emergency_client_ids(actor)})
    )


def episode_q(programs: frozenset[int] | list[int], prefix: str = "") -> Q:
    """Episodes (or, with ``prefix="episode__"``, records of an episode such as a treatment
    plan) outside Part 2 programs, or in one of ``programs``."""
    outside = Q(**{f"{prefix}program__is_part2": False})
    return outside | Q(**{f"{prefix}program_id__in": list(programs)}) if programs else outside


def programs_offered_q(actor: User) -> Q:
    """Programs ``actor`` may enrol a client in: any but a Part 2 program they are not part of
    (enrolling someone tells the enroller that the client is in it)."""
    return Q(is_part2=False) | Q(pk__in=member_program_ids(actor))


def program_for_write(author: User, client: Client | int) -> int | None:
    """The Part 2 program a record ``author`` writes now about ``client`` belongs to: one of
    the client's open episodes in a Part 2 program whose personnel the author is. Derived, never
    typed (SEC-19); ``None`` when the record is not a Part 2 record."""
    client_id = client if isinstance(client, int) else client.pk
    members = member_program_ids(author)
    if not members:
        return None
    return (
        Episode.objects.filter(
            client_id=client_id, program_id__in=members, discharge_date__isnull=True
        )
        .order_by("program_id")
        .values_list("program_id", flat=True)
        .first()
    )
