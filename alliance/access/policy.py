"""The one access rule for client records (STYLE habits 4 to 6; SEC-09, SEC-10, SEC-13, SEC-15).

An actor may act on a client's record when all of these hold:

1. the actor's account is active and their scope of practice gives the capability asked for;
2. the capability is about a client's record (``RECORD_CAPABILITIES``: audit review or staff
   administration open no record), and the actor has a care relationship with the client: a
   current place on the client's care team, supervision of someone who has one, or a live
   break-the-glass grant (which opens everything but the care team); or, for registry-only
   capabilities, the actor holds ``REGISTRY_WIDE`` (front desk, intake);
3. nothing denies it: no restriction names the actor for this client, and the client is not
   the actor's own record. A deny beats every allow.

The rule is written once, as a queryset filter. ``clients_visible_to`` returns it for lists;
``client_for`` applies the same filter to one id, so a list and a detail page can never
disagree. Outside the rule the answer is ``ClientNotFound`` (a 404), identical to a client
that does not exist. Superusers get nothing extra: there is no ``is_superuser`` here (SEC-15).

``allowed`` gives the same answer per client, as the set of capabilities the actor holds for
that client: what templates and services ask instead of capabilities in general.

Oversight (the privacy officer, ``AUDIT_REVIEW``) reaches every client's audit trail,
accounting of disclosures and restrictions, never the clinical record, under the same deny
(``clients_overseen_by``). Record types narrower than the chart have their rule here too:
mandated reports (``restricted_record_q``) and the accounting of disclosures
(``disclosures_visible_to``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, CareTeamMember
from alliance.clients.models import Client
from alliance.disclosures.models import Disclosure, DisclosureSource, MandatedReport
from alliance.staff.capabilities import CLINICAL_CAPABILITIES, Capability
from alliance.staff.models import User

# Capabilities that touch only registry data (names, contacts, episodes, scheduling). Holders of
# REGISTRY_WIDE use them on every client; everything else needs a care relationship.
REGISTRY_CAPABILITIES = frozenset(
    {
        Capability.CLIENT_SEARCH,
        Capability.DEMOGRAPHICS_READ,
        Capability.DEMOGRAPHICS_WRITE,
        Capability.EPISODE_EDIT,
        Capability.CARE_TEAM_EDIT,
        Capability.SCHEDULE,
    }
)


# Capabilities that are about one client's record. Any other capability (audit review, staff and
# system administration, registering a new client) opens no existing record, whatever care
# relationship its holder happens to have: asking with one of them answers "none" (fail closed).
RECORD_CAPABILITIES = REGISTRY_CAPABILITIES | CLINICAL_CAPABILITIES

# What a break-the-glass grant opens. Not the care team: a time-boxed grant that let its holder
# add themselves to the team would turn emergency access into permanent access (SEC-22).
BREAK_GLASS_CAPABILITIES = RECORD_CAPABILITIES - {Capability.CARE_TEAM_EDIT}

# What oversight opens on a client: the audit trail, the accounting of disclosures and the
# restrictions, never the clinical record (``clients_overseen_by``).
OVERSIGHT_CAPABILITIES = frozenset({Capability.AUDIT_REVIEW})


class ClientNotFound(Http404):
    """The client does not exist or the actor may not see it: deliberately the same answer."""


class AccessDenied(Exception):
    """The actor lacks a capability for an action that is not about one client."""


@dataclass(frozen=True)
class Relationship:
    """Why an actor may open a record; decides the audit purpose of use."""

    on_team: bool
    supervising: bool
    break_glass: BreakGlassGrant | None

    @property
    def purpose(self) -> str:
        return "BTG" if self.break_glass and not (self.on_team or self.supervising) else "TREAT"


# ------------------------------------------------------------------ decisions within a request
#
# A chart page asks the policy about the same client several times (the chart, its timeline, the
# relationship for the audit purpose). Inside a request the answer cannot change unless an
# access service changes it, and those call ``forget_decisions``. Only "allowed" answers are kept
# (a refusal is always asked again), and only inside ``decisions_cached`` (the web gate opens one
# per request): code outside a request, such as tasks and tests, always asks the database.

_decisions: ContextVar[dict[tuple[object, ...], object] | None] = ContextVar(
    "policy_decisions", default=None
)


@contextmanager
def decisions_cached() -> Iterator[None]:
    """Keep the policy's "allowed" answers until the block ends (one web request)."""
    token = _decisions.set({})
    try:
        yield
    finally:
        _decisions.reset(token)


def forget_decisions() -> None:
    """Drop kept answers: called by every service that changes who may see a record."""
    kept = _decisions.get()
    if kept is not None:
        kept.clear()


def has_capability(actor: User | None, capability: Capability) -> bool:
    return bool(actor and actor.is_authenticated and actor.has_capability(capability))


def require_capability(actor: User, capability: Capability) -> None:
    if not has_capability(actor, capability):
        raise AccessDenied(capability)


# Three reads every request makes, written out in SQL (each is one table and one index); the
# querysets they stand for are in ``tests/access/test_policy_sql.py``, which compares the two.
SUPERVISEES_SQL = (
    "SELECT supervisee_id FROM staff_supervisionlink WHERE supervisor_id = %s"
    " AND start_on <= %s AND (end_on IS NULL OR end_on > %s)"
)
LIVE_GRANTS_SQL = (
    "SELECT client_id FROM access_breakglassgrant WHERE actor_id = %s"
    " AND granted_at <= %s AND expires_at > %s"
)
RESTRICTIONS_SQL = (
    "SELECT client_id FROM access_accessrestriction WHERE staff_id = %s AND lifted_at IS NULL"
)


def _ids(sql: str, params: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _supervisees(actor_id: int, today: date) -> list[int]:
    """``SupervisionLink.active_q(today)`` links of the supervisor ``actor_id``."""
    day = connection.ops.adapt_datefield_value(today)
    return _ids(SUPERVISEES_SQL, [actor_id, day, day])


def supervisee_ids(actor: User, today: date) -> list[int]:
    """Staff the actor supervises today (memoised on the user object, i.e. per request)."""
    cache: dict[date, list[int]] = actor.__dict__.setdefault("_supervisee_cache", {})
    if today not in cache:
        cache[today] = _supervisees(actor.pk, today)
    return cache[today]


def _kept(key: tuple[object, ...], compute: Callable[[], list[int]]) -> list[int]:
    """``compute()``, kept for the rest of the request when inside ``decisions_cached``."""
    kept = _decisions.get()
    if kept is None:
        return compute()
    if key not in kept:
        kept[key] = compute()
    return kept[key]  # type: ignore[return-value]


def _live_grants(actor_id: int, now: datetime) -> list[int]:
    """Clients of the actor's grants that began and have not expired at ``now``."""
    moment = connection.ops.adapt_datetimefield_value(now)
    return _ids(LIVE_GRANTS_SQL, [actor_id, moment, moment])


def _restrictions(actor_id: int) -> list[int]:
    """Clients of the restrictions naming the actor that are not lifted."""
    return _ids(RESTRICTIONS_SQL, [actor_id])


def live_grant_client_ids(*, actor: User, now: datetime) -> list[int]:
    """Clients the actor holds a live break-the-glass grant on (almost always none)."""
    return _kept(("grants", actor.pk), lambda: _live_grants(actor.pk, now))


def _restricted_client_ids(actor: User) -> list[int]:
    """Clients a live restriction keeps from the actor (almost always none)."""
    return _kept(("restricted", actor.pk), lambda: _restrictions(actor.pk))


def _visible(
    actor_id: int,
    today: date,
    staff_ids: tuple[int, ...],
    grant_client_ids: tuple[int, ...],
    restricted_client_ids: tuple[int, ...],
    registry_wide: bool,
) -> QuerySet[Client]:
    """The rule, written once, as a queryset built from plain values.

    A care relationship is one set of client ids (a UNION) rather than a test per client row:
    the planner then starts from the few related clients instead of scanning the registry.
    ``staff_ids``: the actor and today's supervisees; ``grant_client_ids``: clients of the
    actor's live break-the-glass grants, when the capability is one a grant opens.
    """
    queryset = Client.objects.all()
    if not registry_wide:
        related = (
            CareTeamMember.objects.filter(CareTeamMember.active_q(today), staff_id__in=staff_ids)
            .order_by()
            .values("client_id")
        )
        if grant_client_ids:
            related = related.union(
                Client.objects.filter(pk__in=grant_client_ids).order_by().values("pk")
            )
        queryset = queryset.filter(pk__in=related)
    return queryset.exclude(_denied(actor_id, restricted_client_ids))


def _rule_values(actor: User, capability: Capability) -> tuple[object, ...]:
    """The values ``_visible`` takes for ``actor`` using ``capability`` now."""
    today, now = timezone.localdate(), timezone.now()
    registry_wide = capability in REGISTRY_CAPABILITIES and actor.has_capability(
        Capability.REGISTRY_WIDE
    )
    grants: tuple[int, ...] = ()
    if not registry_wide and capability in BREAK_GLASS_CAPABILITIES:
        grants = tuple(live_grant_client_ids(actor=actor, now=now))
    staff_ids = () if registry_wide else (actor.pk, *supervisee_ids(actor, today))
    restricted = tuple(_restricted_client_ids(actor))
    return (actor.pk, today, staff_ids, grants, restricted, registry_wide)


def _denied(actor_id: int, restricted_client_ids: Iterable[int]) -> Q:
    """A restriction naming the actor, or the actor's own record (SEC-13)."""
    denied = Q(staff_account_id=actor_id)
    restricted = tuple(restricted_client_ids)
    if restricted:
        denied |= Q(pk__in=restricted)
    return denied


def _deny_q(actor: User) -> Q:
    return _denied(actor.pk, _restricted_client_ids(actor))


def _is_denied(actor: User, client: Client) -> bool:
    """``_denied`` for one loaded client, without a query of its own."""
    return client.staff_account_id == actor.pk or client.pk in _restricted_client_ids(actor)


def _may_use(actor: User, capability: Capability) -> bool:
    """The capability is about a record and the actor's scope of practice gives it."""
    return capability in RECORD_CAPABILITIES and has_capability(actor, capability)


def clients_visible_to(*, actor: User, capability: Capability) -> QuerySet[Client]:
    """Every client on whom ``actor`` may use ``capability``; empty when they may not at all."""
    values = visibility_values(actor=actor, capability=capability)
    if values is None:
        return Client.objects.none()
    return _visible(*values)  # type: ignore[arg-type]


def visibility_values(*, actor: User, capability: Capability) -> tuple[object, ...] | None:
    """The rule's values for ``actor`` using ``capability`` now, for a query built on
    ``visible_clients``; None when they may not use it on any record.

    ``visible_clients(*visibility_values(...))`` is ``clients_visible_to(...)``: the rule is
    the same function, only its values are computed apart.
    """
    if not _may_use(actor, capability):
        return None
    return _rule_values(actor, capability)


# The rule as a function of its values (see ``visibility_values``).
visible_clients = _visible


def clients_not_denied(*, actor: User) -> QuerySet[Client]:
    """Clients no restriction keeps from ``actor`` (for notices that reach beyond the team,
    such as escalated alerts to staff on call)."""
    return Client.objects.exclude(_deny_q(actor))


# One client under the rule: the same queryset narrowed to one id.
# No ORDER BY for one row by its key (``first()`` would sort by the client's name).
def _one_visible(client_id: int, *values: Any) -> list[Client]:
    return list(_visible(*values).filter(pk=client_id).order_by())


def visible_client_or_none(
    *, actor: User, client_id: int | str, capability: Capability
) -> Client | None:
    """The client with ``client_id`` if ``actor`` may use ``capability`` on it, else None."""
    try:
        pk = int(client_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:  # no client has it, and the database would refuse the number
        return None
    kept = _decisions.get()
    key = ("client", actor.pk, pk, capability)
    if kept is not None and key in kept:
        return kept[key]  # type: ignore[return-value]
    values = visibility_values(actor=actor, capability=capability)
    if values is None:
        return None
    found = _one_visible(pk, *values)
    client = found[0] if found else None
    if kept is not None and client is not None:
        kept[key] = client
    return client


def client_for(*, actor: User, client_id: int | str, capability: Capability) -> Client:
    """The client with ``client_id`` if ``actor`` may use ``capability`` on it, else 404."""
    client = visible_client_or_none(actor=actor, client_id=client_id, capability=capability)
    if client is None:
        raise ClientNotFound
    return client


def may(*, actor: User, client: Client, capability: Capability) -> bool:
    """Whether ``actor`` may use ``capability`` on an already loaded ``client``."""
    found = visible_client_or_none(actor=actor, client_id=client.pk, capability=capability)
    return found is not None


def relationship(
    *, actor: User, client: Client, current_team: Iterable[CareTeamMember] | None = None
) -> Relationship:
    """How ``actor`` is related to ``client`` today (for the audit purpose and the banner).

    ``current_team``: the client's care-team places active today, when the caller has loaded
    them anyway (the chart shows them); the answer then needs no query of its own.
    """
    kept = _decisions.get()
    key = ("relationship", actor.pk, client.pk)
    if kept is not None and key in kept:
        return kept[key]  # type: ignore[return-value]
    link = _relationship(actor, client, current_team)
    if kept is not None:
        kept[key] = link
    return link


def access_purpose(*, actor: User, client_id: int) -> str:
    """The audit purpose of ``actor``'s access to the client (``Relationship.purpose``): every
    audit event about the client takes it unless its writer names another."""
    return relationship(actor=actor, client=Client(pk=client_id)).purpose


def _relationship(
    actor: User, client: Client, current_team: Iterable[CareTeamMember] | None
) -> Relationship:
    today, now = timezone.localdate(), timezone.now()
    grant = None
    if client.pk in live_grant_client_ids(actor=actor, now=now):
        grant = (
            BreakGlassGrant.objects.filter(
                client=client, actor=actor, granted_at__lte=now, expires_at__gt=now
            )
            .order_by("-expires_at")
            .first()
        )
    # One query for both facts: which staff of the current team are the actor or supervisees.
    supervisees = set(supervisee_ids(actor, today))
    if current_team is not None:
        members = {m.staff_id for m in current_team} & {actor.pk, *supervisees}
    else:
        members = set(
            CareTeamMember.objects.filter(
                CareTeamMember.active_q(today),
                client=client,
                staff_id__in=[actor.pk, *supervisees],
            )
            .order_by()
            .values_list("staff_id", flat=True)
        )
    return Relationship(
        on_team=actor.pk in members,
        supervising=bool(members & supervisees),
        break_glass=grant,
    )


def allowed(*, actor: User, client: Client) -> frozenset[Capability]:
    """The capabilities ``actor`` holds for ``client``: those their scope of practice gives,
    narrowed to what the rule opens on this client (STYLE: ask the policy about this client).

    A place on the care team, or supervision of someone who has one, opens every record
    capability; a live break-the-glass grant all but the care team; ``REGISTRY_WIDE`` the
    registry capabilities; oversight (the privacy officer) ``OVERSIGHT_CAPABILITIES`` only. A
    deny (a restriction naming the actor, or the actor's own record) leaves nothing. For a
    record capability the answer is ``may``'s; kept for the request like ``relationship``.
    """
    held = actor.capabilities() if actor and actor.is_authenticated else frozenset()
    if not held:
        return frozenset()
    kept = _decisions.get()
    key = ("allowed", actor.pk, client.pk)
    if kept is not None and key in kept:
        return kept[key]  # type: ignore[return-value]
    answer = held & _granted(actor, client, held)
    if kept is not None and answer:
        kept[key] = answer
    return answer


def _granted(actor: User, client: Client, held: frozenset[Capability]) -> frozenset[Capability]:
    """What the rule opens for ``actor`` on ``client``, before their scope of practice."""
    if _is_denied(actor, client):
        return frozenset()
    granted: frozenset[Capability] = frozenset()
    if Capability.REGISTRY_WIDE in held:
        granted |= REGISTRY_CAPABILITIES
    if Capability.AUDIT_REVIEW in held:
        granted |= OVERSIGHT_CAPABILITIES
    # Only ask about the care relationship when it could open more (not for the front desk or
    # the privacy officer, whose answer needs no query).
    if (held & RECORD_CAPABILITIES) - granted:
        link = relationship(actor=actor, client=client)
        if link.on_team or link.supervising:
            granted |= RECORD_CAPABILITIES
        elif link.break_glass is not None:
            granted |= BREAK_GLASS_CAPABILITIES
    return granted


def is_restricted(*, actor: User, client: Client) -> bool:
    """An explicit deny applies (used by break-the-glass, which a deny also beats)."""
    return Client.objects.filter(pk=client.pk).filter(_deny_q(actor)).exists()


# ---------------------------------------------------------------- oversight: the privacy officer


def clients_overseen_by(*, actor: User) -> QuerySet[Client]:
    """Clients whose audit trail, accounting of disclosures and restrictions ``actor`` oversees.

    Every client for the privacy officer (``AUDIT_REVIEW``), except where a deny applies: a
    restriction naming them, or their own record (SEC-13); none for anyone else. Oversight never
    opens the clinical record itself.
    """
    if not has_capability(actor, Capability.AUDIT_REVIEW):
        return Client.objects.none()
    return Client.objects.exclude(_deny_q(actor))


def overseen_client_or_none(
    *, actor: User, client_id: int | str | None = None, mrn: str = ""
) -> Client | None:
    """The client with ``client_id`` (or ``mrn``) if ``actor`` oversees it, else None."""
    clients = clients_overseen_by(actor=actor)
    if client_id is None:
        return clients.filter(mrn=mrn.strip().replace("-", "")).first()
    try:
        pk = int(client_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return clients.filter(pk=pk).first()


def oversight_q(*, actor: User, client_field: str = "client") -> Q:
    """Rows (audit events) that are about no client or about a client ``actor`` oversees:
    ``clients_overseen_by`` as a filter of another table. Written as the complement (the few
    denied clients) so that a large table is not joined with the whole registry."""
    if not has_capability(actor, Capability.AUDIT_REVIEW):
        return Q(pk__in=[])
    return _not_denied_q(actor, client_field)


def _not_denied_q(actor: User, client_field: str = "client") -> Q:
    """Rows of another table whose client no deny keeps from ``actor`` (``_denied``)."""
    denied = Client.objects.filter(_deny_q(actor)).values("pk")
    return ~Q(**{f"{client_field}__in": denied})


# -------------------------------------------------------- record types narrower than the chart


def restricted_record_q(*, actor: User, author_field: str = "author") -> Q:
    """Rows of a restricted record type (mandated reports, duty to warn: SEC-31) ``actor`` sees.

    Only the author (while they hold ``MANDATED_REPORT``), the author's supervisors of today
    and the privacy officer (``AUDIT_REVIEW``). Not the rest of the care team, not a
    break-the-glass grant, not IT. A restriction naming the actor for the client, or the
    client being the actor's own record, still denies. Filter a queryset of the record type
    with it for the list, and the same queryset by id for the detail page.
    """
    nothing = Q(pk__in=[])
    if not has_capability(actor, Capability.AUDIT_REVIEW):
        if not has_capability(actor, Capability.MANDATED_REPORT):
            return nothing
        authors = [actor.pk, *supervisee_ids(actor, timezone.localdate())]
        authored = Q(**{f"{author_field}__in": authors})
    else:
        authored = Q()
    return authored & _not_denied_q(actor)


def accounting_clients(*, actor: User) -> QuerySet[Client]:
    """Clients whose accounting of disclosures ``actor`` may read (SEC-29): the clients they
    oversee (privacy officer), else those whose chart they may read. The accounting page asks
    it for its client and ``disclosures_visible_to`` for its rows, so the two cannot disagree.
    """
    if has_capability(actor, Capability.AUDIT_REVIEW):
        return clients_overseen_by(actor=actor)
    return clients_visible_to(actor=actor, capability=Capability.CHART_READ)


def disclosures_visible_to(*, actor: User) -> QuerySet[Disclosure]:
    """Accounting rows ``actor`` may read: rows of ``accounting_clients``; for a clinician, not
    rows of a mandated report outside ``restricted_record_q`` nor of a psychotherapy note they
    did not disclose themselves (SEC-16). Filter it by id for one entry."""
    if has_capability(actor, Capability.AUDIT_REVIEW):
        # ``clients_overseen_by`` as a filter of the rows (``oversight_q``), not a join with
        # every client of the registry.
        return Disclosure.objects.filter(oversight_q(actor=actor))
    clients = accounting_clients(actor=actor)
    reports = MandatedReport.objects.filter(restricted_record_q(actor=actor)).values("pk")
    return Disclosure.objects.filter(
        Q(client__in=clients.values("pk")),
        ~Q(source_type=DisclosureSource.MANDATED_REPORT) | Q(source_id__in=reports),
        ~Q(source_type=DisclosureSource.PSYCHOTHERAPY_NOTE) | Q(by_user=actor),
    )
