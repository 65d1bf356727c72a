"""Who sees a mandated report and the accounting (SEC-31, SEC-29, SEC-16).

Only the author, the author's supervisors and the privacy officer see a report: not the rest
of the care team, not a break-the-glass grant, not IT or the front desk. The list and the
detail page apply the same rule, so they agree for every persona.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, BreakGlassReason
from alliance.access.policy import client_for
from alliance.audit.models import AuditEvent
from alliance.disclosures.accounting import disclosure_write
from alliance.disclosures.models import DisclosureSource, MandatedReport
from alliance.disclosures.selectors import (
    ReportNotFound,
    accounting_for,
    default_period,
    disclosures_visible_to,
    report_for,
    report_list_for,
)
from alliance.staff.capabilities import Capability
from tests.personas import Clinic

SEES = ("therapist_on_team", "supervisor", "privacy_officer")
BLIND = ("therapist_off_team", "psychiatrist", "peer_specialist", "front_desk", "it_admin")


@pytest.mark.parametrize("persona", SEES + BLIND)
def test_report_visibility(persona: str, clinic: Clinic, report: MandatedReport) -> None:
    """SEC-31: author, supervisor and privacy officer see the report; the care team's
    psychiatrist and peer, a stranger, the front desk and IT get not-found, list and detail
    alike."""
    actor = getattr(clinic, persona)
    listed = [r.pk for r in report_list_for(actor=actor)]
    if persona in SEES:
        assert report_for(actor=actor, report_id=report.pk) == report
        assert listed == [report.pk]
    else:
        with pytest.raises(ReportNotFound):
            report_for(actor=actor, report_id=report.pk)
        assert listed == []
        assert AuditEvent.objects.filter(
            actor=actor, outcome="denied", object_type="disclosures.MandatedReport"
        ).exists()


def test_break_the_glass_does_not_open_a_report(clinic: Clinic, report: MandatedReport) -> None:
    """SEC-31, SEC-22: a live emergency grant opens the chart, never the restricted report."""
    now = timezone.now()
    BreakGlassGrant.objects.create(
        actor=clinic.therapist_off_team,
        client=clinic.client_a,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Crisis call, care team unreachable",
        granted_at=now - timedelta(minutes=5),
        expires_at=now + timedelta(hours=1),
    )
    actor = clinic.therapist_off_team
    assert client_for(actor=actor, client_id=clinic.client_a.pk, capability=Capability.CHART_READ)
    with pytest.raises(ReportNotFound):
        report_for(actor=actor, report_id=report.pk)
    assert not disclosures_visible_to(actor=actor).filter(source_id=report.pk).exists()


def test_supervisor_loses_sight_when_supervision_ends(
    clinic: Clinic, report: MandatedReport
) -> None:
    link = clinic.supervisor.supervisees_links.get()
    link.end_on = timezone.localdate()
    link.save()
    with pytest.raises(ReportNotFound):
        report_for(actor=clinic.supervisor, report_id=report.pk)


def test_accounting_hides_rows_that_would_reveal_restricted_records(
    clinic: Clinic, report: MandatedReport
) -> None:
    """SEC-29, SEC-16: the care team's accounting page leaves out rows of a report it may not
    see and rows of someone else's psychotherapy note; the privacy officer sees all."""
    disclosure_write(
        actor=clinic.therapist_on_team,
        client_id=clinic.client_a.pk,
        disclosed_at=timezone.now(),
        recipient="Dr. Example",
        description="Psychotherapy note",
        purpose="Authorization 1",
        source_type=DisclosureSource.PSYCHOTHERAPY_NOTE,
        source_id=999,
    )
    disclosure_write(
        actor=clinic.psychiatrist,
        client_id=clinic.client_a.pk,
        disclosed_at=timezone.now(),
        recipient="Primary care physician",
        description="Medication list",
        purpose="Client's authorization",
        source_type=DisclosureSource.RECORDED,
    )

    def sources(persona: str) -> list[str]:
        rows = accounting_for(actor=getattr(clinic, persona), client=clinic.client_a).rows
        return sorted(r.source_type for r in rows)

    assert sources("psychiatrist") == ["recorded"]
    assert sources("therapist_on_team") == [
        "mandated_report",
        "mandated_report",
        "psychotherapy_note",
        "recorded",
    ]
    assert sources("supervisor") == ["mandated_report", "mandated_report", "recorded"]
    assert len(sources("privacy_officer")) == 4


def test_accounting_covers_six_years_by_default(clinic: Clinic) -> None:
    """SEC-29: the default period is the last six years; older entries need chosen dates."""
    now = timezone.now()
    for days, recipient in ((6 * 365 - 10, "within six years"), (6 * 366 + 30, "older")):
        disclosure_write(
            actor=clinic.therapist_on_team,
            client_id=clinic.client_a.pk,
            disclosed_at=now - timedelta(days=days),
            recipient=recipient,
            description="Records",
            purpose="Court order",
            source_type=DisclosureSource.RECORDED,
        )
    accounting = accounting_for(actor=clinic.privacy_officer, client=clinic.client_a)
    assert [r.recipient for r in accounting.rows] == ["within six years"]
    since, until = default_period()
    assert (accounting.since, accounting.until) == (since, until)
    assert until - since >= timedelta(days=6 * 365)
    older = accounting_for(
        actor=clinic.privacy_officer, client=clinic.client_a, since=date(2000, 1, 1)
    )
    assert [r.recipient for r in older.rows] == ["within six years", "older"]
    event = AuditEvent.objects.filter(actor=clinic.privacy_officer).order_by("-seq").first()
    assert event is not None and event.detail["view"] == "accounting"
    assert event.client_id == clinic.client_a.pk and event.purpose == "HCOMPL"


def test_default_period_on_29_february() -> None:
    assert default_period(date(2028, 2, 29)) == (date(2022, 2, 28), date(2028, 2, 29))
