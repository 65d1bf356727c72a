"""Reads of the client registry (STYLE habit 3): actor first, scoped by the access policy.

Every read of a client's record writes an audit event here, in the same place as the read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from alliance.access import part2
from alliance.access.models import BreakGlassGrant, CareTeamMember
from alliance.access.policy import (
    ClientNotFound,
    Relationship,
    clients_visible_to,
    has_capability,
    relationship,
    visibility_values,
    visible_client_or_none,
    visible_clients,
)
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.reads import read_record
from alliance.audit.services import audit_record, audit_refused
from alliance.clients.models import Client, Contact, Episode
from alliance.core.text import fold
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

SEARCH_LIMIT = 50
MRN_PATTERN = re.compile(r"^\d{9}$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# The programs a list of clients shows: the open episodes of the listed clients, one query for
# the page.
def _open_episodes_of(client_ids: tuple[int, ...]) -> list[Episode]:
    return list(
        Episode.objects.filter(
            part2.viewer_episodes_q(), client_id__in=client_ids, discharge_date__isnull=True
        ).select_related("program")
    )


def _with_open_episodes(clients: list[Client]) -> list[Client]:
    """Set ``open_episodes`` on each client: its episodes not yet discharged, with programs."""
    by_client: dict[int, list[Episode]] = {client.pk: [] for client in clients}
    for episode in _open_episodes_of(tuple(by_client)):
        by_client[episode.client_id].append(episode)
    for client in clients:
        client.open_episodes = by_client[client.pk]  # type: ignore[attr-defined]
    return clients


def parse_date(text: str) -> date | None:
    for pattern, order in ((ISO_DATE, (0, 1, 2)), (US_DATE, (2, 0, 1))):
        match = pattern.match(text)
        if match:
            parts = [int(g) for g in match.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class SearchResult:
    clients: list[Client]
    truncated: bool


# The columns a search result shows (name, preferred name, date of birth, MRN); the rest of a
# client's row loads on first use.
SEARCH_COLUMNS = (
    "id",
    "mrn",
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
)


def _search_rows(
    born: date | None, mrn: str | None, words: tuple[str, ...], *rule: Any
) -> QuerySet[Client]:
    """The search under the access policy's rule (``rule``: ``visibility_values``)."""
    found: QuerySet[Client] = visible_clients(*rule)
    if born is not None:
        found = found.filter(date_of_birth=born)
    elif mrn is not None:
        found = found.filter(mrn=mrn)
    else:
        for word in words:
            found = found.filter(search_text__contains=word)
    # Folded name order, which no index serves: PostgreSQL then always starts from the
    # trigram index on search_text instead of walking the name index (bench/README.md).
    found = found.order_by("name_sort", "id")
    # Only what a result row shows: fifty rows of every registry column cost more to decode.
    found = found.only(*SEARCH_COLUMNS)
    return found[: SEARCH_LIMIT + 1]


def _search(born: date | None, mrn: str | None, words: tuple[str, ...], *rule: Any) -> list[Client]:
    return list(_search_rows(born, mrn, words, *rule))


def client_search(*, actor: User, query: str) -> SearchResult:
    """Find clients by any part of a name or preferred name, MRN, or date of birth.

    Case- and accent-insensitive; every word must match. Results obey the access policy and
    the search is audited with the ids it returned.
    """
    text = query.strip()
    born = parse_date(text)
    digits = text.replace("-", "")
    mrn = digits if not born and MRN_PATTERN.match(digits) else None
    # The form keeps a query to 100 characters, and a repeated word asks nothing new.
    words = () if born or mrn else tuple(dict.fromkeys(fold(text).split()))
    if not (born or mrn or words):
        return SearchResult([], False)
    rule = visibility_values(actor=actor, capability=Capability.CLIENT_SEARCH)
    rows = _search(born, mrn, words, *rule) if rule is not None else []
    clients, truncated = _with_open_episodes(rows[:SEARCH_LIMIT]), len(rows) > SEARCH_LIMIT
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        purpose=AuditPurpose.TREATMENT,
        detail={"query": text[:100], "client_ids": [c.pk for c in clients]},
    )
    return SearchResult(clients, truncated)


@dataclass(frozen=True)
class CaseloadRow:
    client: Client
    roles: list[str]
    programs: list[str]


def caseload_for(*, actor: User) -> list[CaseloadRow]:
    """Clients on the actor's current care teams, with their program and last contact.

    Audited like a search, with the ids of the clients listed (SEC-23).
    """
    today = timezone.localdate()
    memberships = CareTeamMember.objects.filter(
        CareTeamMember.active_q(today), staff=actor
    ).values_list("client_id", "role")
    roles: dict[int, list[str]] = {}
    labels = dict(CareTeamMember._meta.get_field("role").flatchoices)
    for client_id, role in memberships:
        roles.setdefault(client_id, []).append(str(labels.get(role, role)))
    clients = (
        clients_visible_to(actor=actor, capability=Capability.CHART_READ)
        .filter(pk__in=list(roles))
        .only(*SEARCH_COLUMNS, "pronouns", "last_contact_on")  # what the caseload shows
    )
    rows = [
        CaseloadRow(c, roles[c.pk], [e.program.name for e in c.open_episodes])  # type: ignore[attr-defined]
        for c in _with_open_episodes(list(clients))
    ]
    # A list of names and MRNs is a query of the registry: audited with the ids it showed.
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        purpose=AuditPurpose.TREATMENT,
        detail={"view": "caseload", "client_ids": [row.client.pk for row in rows]},
    )
    return rows


@dataclass
class Chart:
    """What the chart page shows. ``clinical`` is False for registry-only readers."""

    client: Client
    clinical: bool
    relationship: Relationship | None
    care_team: list[CareTeamMember]
    contacts: list[Contact]
    episodes: list[Episode]
    grant: BreakGlassGrant | None = None
    sections: dict[str, list[object]] = field(default_factory=dict)

    @property
    def open_programs(self) -> list[str]:
        return [e.program.name for e in self.episodes if e.is_open]


# The chart header's reads (every chart opens with them).
def _current_team(client_id: int, today: date) -> list[CareTeamMember]:
    return list(
        CareTeamMember.objects.filter(CareTeamMember.active_q(today), client_id=client_id)
        .select_related("staff")
        .order_by("role", "staff__last_name")
    )


def _active_contacts(client_id: int) -> list[Contact]:
    return list(Contact.objects.filter(client_id=client_id, active=True))


def _episodes(client_id: int) -> list[Episode]:
    return list(
        Episode.objects.filter(part2.viewer_episode_q(client_id, prefix=""), client_id=client_id)
        .select_related("program")
        .order_by("-referral_date")
    )


def _client_or_refused(
    actor: User, client_id: object, capability: Capability, action: AuditAction
) -> Client:
    """The client under the policy, or an audited refusal and a 404 (the same as no client)."""
    client = visible_client_or_none(actor=actor, client_id=str(client_id), capability=capability)
    if client is None:
        audit_refused(
            actor=actor,
            client_id=client_id,
            object_type="clients.Client",
            object_id=client_id,
            action=action,
        )
        raise ClientNotFound
    return client


def client_chart(*, actor: User, client_id: object) -> Chart:
    """Open a client's chart: clinical for the care relationship, registry-only for front desk."""
    clinical = has_capability(actor, Capability.CHART_READ)
    capability = Capability.CHART_READ if clinical else Capability.DEMOGRAPHICS_READ
    client = _client_or_refused(actor, client_id, capability, AuditAction.CHART_VIEW)
    care_team = _current_team(client.pk, timezone.localdate())
    link = relationship(actor=actor, client=client, current_team=care_team) if clinical else None
    purpose = AuditPurpose(link.purpose) if link else AuditPurpose.OPERATIONS
    chart = Chart(
        client=client,
        clinical=clinical,
        relationship=link,
        care_team=care_team,
        contacts=_active_contacts(client.pk),
        episodes=_episodes(client.pk),
        grant=link.break_glass if link else None,
    )
    read_record(
        actor=actor,
        action=AuditAction.CHART_VIEW,
        client=client,
        target=client,
        purpose=purpose,
        detail={"view": "clinical" if clinical else "registry"},
    )
    return chart


def client_record_for(*, actor: User, client_id: object, capability: Capability) -> Client:
    """One client for a page about it, its read audited (``audit.reads``: once per request,
    when the page shows it) with the purpose of the access: treatment or break-the-glass for
    the clinical record, operations for the registry; 404 outside the policy."""
    client = _client_or_refused(actor, client_id, capability, AuditAction.RECORD_VIEW)
    clinical = has_capability(actor, Capability.CHART_READ)
    read_record(
        actor=actor,
        client=client,
        target=client,
        purpose=None if clinical else AuditPurpose.OPERATIONS,
        detail={"capability": str(capability)},
    )
    return client


def contact_of(*, client: Client, contact_id: int) -> Contact | None:
    """One contact of a client already opened through the policy, or None: never another
    client's (SEC-11)."""
    return Contact.objects.filter(pk=contact_id, client=client).first()


def episode_of(*, client: Client, episode_id: int) -> Episode | None:
    """One episode of care of a client already opened through the policy, or None."""
    return (
        Episode.objects.filter(part2.viewer_episode_q(client, prefix=""), pk=episode_id)
        .filter(client=client)
        .first()
    )


def client_exists(client_id: int) -> bool:
    """Whether a client with this id exists (a refused request names it only if it does)."""
    return Client.objects.filter(pk=client_id).exists()
