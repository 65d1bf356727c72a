"""Reads of measures and alerts, scoped by the access policy (STYLE habit 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from alliance import instruments
from alliance.access import part2
from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.access.policy import clients_not_denied, clients_visible_to, supervisee_ids
from alliance.assessments.charts import ChartBand, ChartPoint, measure_chart_svg
from alliance.assessments.models import (
    Administration,
    CriticalAlert,
    DueMeasure,
    MeasurementSchedule,
)
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

TABLE_ROWS = 10
# What the Measures section shows: the FHIR resource and score extras stay unloaded.
SHOWN_COLUMNS = (
    "id",
    "client_id",
    "instrument",
    "mode",
    "completed_at",
    "total",
    "severity",
    "critical_flags",
    "submitted_total",
    "answers",
)


class Point(NamedTuple):
    """One administration as the chart plots it: four columns, no JSON decoded."""

    id: int
    completed_at: datetime
    total: float | None
    severity: str


@dataclass
class InstrumentSeries:
    """Everything the Measures section shows for one instrument.

    ``points`` holds every administration (for the chart and the change); only the newest
    ``TABLE_ROWS`` are loaded as whole rows, with their item answers, for the table.
    """

    code: str
    name: str
    points: list[Point]
    recent: list[Administration] = field(default_factory=list)
    svg: str = ""
    change: dict[str, Any] = field(default_factory=dict)

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def baseline(self) -> Point:
        return self.points[0]

    @property
    def older_count(self) -> int:
        return max(0, len(self.points) - len(self.recent))


def _series(code: str, rows: list[Point], chart_id: str, tz: tzinfo) -> InstrumentSeries:
    try:
        instrument = instruments.get(code)
    except instruments.UnknownInstrument:
        return InstrumentSeries(code, code, rows)
    series = InstrumentSeries(code, instrument.name, rows)
    scored = [r for r in rows if r.total is not None]
    if not scored or instrument.total_range is None:
        return series
    baseline = scored[0].total
    points = []
    verdicts: dict[float, str | None] = {}  # totals repeat: a PHQ-9 has only 28 possible
    for row in scored:
        reliable = None
        if row is not scored[0] and baseline is not None and row.total is not None:
            if row.total not in verdicts:
                verdicts[row.total] = instruments.change(code, baseline, row.total).reliable_change
            reliable = verdicts[row.total]
        local = row.completed_at.astimezone(tz)  # the clinic's day, as the table shows it
        label = f"{local:%Y-%m-%d}: {row.total:g}"
        if row.severity:
            label += f" ({row.severity.replace('_', ' ')})"
        points.append(ChartPoint(local.date(), float(row.total or 0), label, reliable))
    low, high = instrument.total_range
    # Each band is drawn up to where the next begins, so integer bands (0-4, 5-9) leave no gap.
    bands = [
        ChartBand(
            band.label or band.code.replace("_", " "),
            float(band.low),
            float(instrument.bands[i + 1].low if i + 1 < len(instrument.bands) else band.high),
        )
        for i, band in enumerate(instrument.bands)
    ]
    series.svg = measure_chart_svg(
        chart_id=chart_id,
        title=f"{instrument.name} totals over time",
        points=points,
        bands=bands,
        y_min=float(low),
        y_max=float(high),
    )
    if len(scored) > 1 and baseline is not None and scored[-1].total is not None:
        series.change = instruments.change(code, baseline, scored[-1].total).as_json()
    return series


# The parts of a record the chart asks about before reading them (``core.presence``).
ADMINISTRATIONS = Part(
    "assessments.administrations",
    lambda client_id: Administration.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM assessments_administration WHERE client_id = %s",
)
OPEN_ALERTS = Part(
    "assessments.open_alerts",
    lambda client_id: CriticalAlert.objects.filter(
        client_id=client_id, acknowledged_at__isnull=True
    ),
    "SELECT COUNT(*) FROM assessments_criticalalert WHERE client_id = %s"
    " AND acknowledged_at IS NULL",
)
ALERTS = Part(
    "assessments.alerts",
    lambda client_id: CriticalAlert.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM assessments_criticalalert WHERE client_id = %s",
)
CHART_PARTS = (ADMINISTRATIONS, OPEN_ALERTS)


# Every administration of a chart's client, written out in SQL (the index on client,
# instrument and date gives them in order); ``tests/assessments/test_score_points_sql.py``
# compares it with the queryset it stands for.
# ``{labelled}`` opens the Part 2 programs the reader may see, one ``%s`` each (``access.part2``).
SCORE_POINTS_SQL = (
    "SELECT instrument, id, completed_at, total, severity FROM assessments_administration"
    " WHERE client_id = %s AND (part2_program_id IS NULL{labelled})"
    " ORDER BY instrument, completed_at, id"
)


def _score_points(
    client_id: int, programs: frozenset[int] = frozenset()
) -> list[tuple[str, int, datetime, float | None, str]]:
    opened = sorted(programs)
    labelled = f" OR part2_program_id IN ({', '.join(['%s'] * len(opened))})" if opened else ""
    with connection.cursor() as cursor:
        cursor.execute(SCORE_POINTS_SQL.format(labelled=labelled), [client_id, *opened])
        rows = cursor.fetchall()
    # SQLite gives the stored UTC time without its zone; PostgreSQL gives it aware.
    return [
        (instrument, pk, at if at.tzinfo else at.replace(tzinfo=UTC), total, severity)
        for instrument, pk, at, total, severity in rows
    ]


def _shown_rows(ids: tuple[int, ...]) -> list[Administration]:
    return list(Administration.objects.filter(pk__in=ids).only(*SHOWN_COLUMNS))


def measures_for(*, client: Client, presence: Presence = UNKNOWN) -> list[InstrumentSeries]:
    """The Measures section of a chart the caller has already opened (and audited).

    Two queries whatever the history: every administration's date, total and band for the
    chart, then the newest ``TABLE_ROWS`` per instrument in full for the table. A client with
    years of weekly measures would otherwise decode hundreds of answer sets nobody sees.
    """
    if not presence.may_have(ADMINISTRATIONS):
        return []
    grouped: dict[str, list[Point]] = {}
    points = _score_points(client.pk, part2.viewer_programs(client))
    for instrument, pk, completed_at, total, severity in points:
        grouped.setdefault(instrument, []).append(Point(pk, completed_at, total, severity))
    tz = timezone.get_current_timezone()
    series = [
        _series(code, items, f"chart-{client.pk}-{code}", tz)
        for code, items in sorted(grouped.items())
    ]
    shown = [p.id for s in series for p in s.points[-TABLE_ROWS:]]
    if shown:
        full = {a.pk: a for a in _shown_rows(tuple(shown))}
        for s in series:
            s.recent = [full[p.id] for p in reversed(s.points[-TABLE_ROWS:])]
    return series


def score_history(series: list[InstrumentSeries]) -> dict[str, list[tuple[datetime, float | None]]]:
    """The scores the Measures section loaded, for the plan's objective progress on the same
    page (``plans.progress.ScoreHistory``): no second read of the same rows."""
    return {s.code: [(p.completed_at, p.total) for p in s.points] for s in series}


def _open_alerts(client_id: int) -> list[CriticalAlert]:
    return list(
        CriticalAlert.objects.filter(client_id=client_id, acknowledged_at__isnull=True).order_by(
            "raised_at"
        )
    )


def open_alerts_for_client(*, client: Client, presence: Presence = UNKNOWN) -> list[CriticalAlert]:
    if not presence.may_have(OPEN_ALERTS):
        return []
    return _open_alerts(client.pk)


@dataclass(frozen=True)
class HomeAlert:
    alert: CriticalAlert
    primary: bool
    escalated_to_me: bool


def alerts_for_home(*, actor: User) -> list[HomeAlert]:
    """Open alerts for clients in the actor's care, primary clinician's first; and escalated
    alerts for supervisors of the care team and for staff on call."""
    today = timezone.localdate()
    visible = clients_visible_to(actor=actor, capability=Capability.CHART_READ)
    mine = CareTeamMember.objects.filter(CareTeamMember.active_q(today), staff=actor)
    primary_ids = set(
        mine.filter(role=CareTeamRole.PRIMARY_CLINICIAN).values_list("client_id", flat=True)
    )
    team_ids = set(mine.values_list("client_id", flat=True))
    supervised = set(
        CareTeamMember.objects.filter(
            CareTeamMember.active_q(today), staff_id__in=supervisee_ids(actor, today)
        ).values_list("client_id", flat=True)
    )
    team = Q(client_id__in=team_ids) & Q(client__in=visible)
    if actor.on_call:
        escalated = Q(escalated_at__isnull=False)
    else:
        escalated = Q(escalated_at__isnull=False, client_id__in=supervised)
    open_alerts: QuerySet[CriticalAlert] = (
        CriticalAlert.objects.filter(acknowledged_at__isnull=True)
        .filter(team | escalated)
        .filter(client__in=clients_not_denied(actor=actor))
        .select_related("client")
        .order_by("raised_at")
    )
    rows = [
        HomeAlert(a, a.client_id in primary_ids, a.client_id not in team_ids) for a in open_alerts
    ]
    rows.sort(key=lambda r: (not r.primary, r.alert.raised_at))
    _audit_list(actor, "alerts", [r.alert.client_id for r in rows])
    return rows


def alert_for(*, actor: User, alert_id: int) -> CriticalAlert | None:
    """One alert of a client the actor may write to (None outside the policy: a 404)."""
    writable = clients_visible_to(actor=actor, capability=Capability.CHART_WRITE)
    return (
        CriticalAlert.objects.filter(pk=alert_id, client__in=writable)
        .select_related("client")
        .first()
    )


def due_measures_by_client(*, client_ids: list[int]) -> dict[int, list[DueMeasure]]:
    """Open due measures of these clients (one query), oldest first."""
    grouped: dict[int, list[DueMeasure]] = {}
    for due in DueMeasure.objects.filter(client_id__in=client_ids, done_by__isnull=True).order_by(
        "due_on"
    ):
        grouped.setdefault(due.client_id, []).append(due)
    return grouped


def schedules_for(*, client: Client) -> list[MeasurementSchedule]:
    return list(MeasurementSchedule.objects.filter(client=client, ended_on__isnull=True))


@dataclass(frozen=True)
class NotImproving:
    client: Client
    instrument: str
    baseline: Administration
    latest: Administration
    reliable_change: str
    weeks: int


def not_improving_for(*, actor: User, weeks: int) -> list[NotImproving]:
    """Clients on the actor's caseload with a reliable deterioration, or no reliable improvement
    at least ``weeks`` weeks after their first administration; deterioration first."""
    today = timezone.localdate()
    team_ids = CareTeamMember.objects.filter(
        CareTeamMember.active_q(today), staff=actor
    ).values_list("client_id", flat=True)
    clients = clients_visible_to(actor=actor, capability=Capability.CHART_READ).filter(
        pk__in=list(team_ids)
    )
    rows = (
        Administration.objects.filter(client__in=clients, total__isnull=False)
        .filter(part2.member_visible_q(actor))
        .select_related("client")
        .order_by("client_id", "instrument", "completed_at")
    )
    series: dict[tuple[int, str], list[Administration]] = {}
    for row in rows:
        series.setdefault((row.client_id, row.instrument), []).append(row)
    found = []
    for (_, code), items in series.items():
        if len(items) < 2:
            continue
        first, last = items[0], items[-1]
        span = (last.completed_at - first.completed_at).days // 7
        assert first.total is not None and last.total is not None
        try:
            verdict = instruments.change(code, first.total, last.total).reliable_change
        except instruments.UnknownInstrument:
            continue
        if verdict == "deterioration" or (verdict != "improvement" and span >= weeks):
            found.append(NotImproving(last.client, code, first, last, str(verdict), span))
    found.sort(key=lambda r: (r.reliable_change != "deterioration", -r.weeks))
    _audit_list(actor, "not_improving", [r.client.pk for r in found])
    return found


def _audit_list(actor: User, view: str, client_ids: list[int]) -> None:
    """A page listing clients is a read of their records (SEC-23), as the caseload is."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            detail={"view": view, "client_ids": sorted(set(client_ids))},
        )
