"""42 CFR 2.51: break-the-glass into a Part 2 client's records for a medical emergency is a
disclosure to medical personnel, documented at once with the grant (recipient and facility,
discloser, date and time, nature of the emergency) and shown in the privacy officer's queue
(SEC-21, SEC-22, SEC-29)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.access.models import BreakGlassGrant, BreakGlassReason
from alliance.access.services import break_glass_start
from alliance.disclosures.models import Disclosure, DisclosureSource, Part2Basis, Part2Disclosure
from alliance.staff.models import User
from tests.disclosures.test_part2_consent import (
    Part2Setting,
    part2_setting,
)
from tests.personas import PASSWORD, Clinic


@pytest.fixture
def part2(clinic: Clinic) -> Part2Setting:
    """A Part 2 program, therapist_on_team in its personnel, client_a enrolled."""
    return part2_setting(clinic)


NATURE = "Client collapsed in the waiting room, suspected overdose"


def grant(clinic: Clinic, reason: str, actor: User | None = None) -> BreakGlassGrant:
    return break_glass_start(
        actor=actor or clinic.therapist_off_team,
        mrn=clinic.client_a.mrn,
        reason_code=reason,
        reason_text=NATURE,
        password=PASSWORD,
    )


@pytest.mark.parametrize("reason", [BreakGlassReason.EMERGENCY_CARE, BreakGlassReason.CRISIS_CALL])
def test_an_emergency_grant_on_a_part2_client_writes_the_251_record(
    clinic: Clinic, part2: Part2Setting, reason: str
) -> None:
    """42 CFR 2.51(c): who, their facility, the discloser, when, and the nature of the emergency."""
    given = grant(clinic, reason)
    row = Disclosure.objects.get()
    assert row.source_type == DisclosureSource.PART2_EMERGENCY
    assert row.source_id == part2.program.pk
    assert row.client_id == clinic.client_a.pk and row.by_user == clinic.therapist_off_team
    assert row.disclosed_at == given.granted_at
    assert clinic.therapist_off_team.display_name in row.recipient
    assert "42 CFR 2.51" in row.purpose and NATURE in row.purpose
    kept = Part2Disclosure.objects.get(disclosure=row)
    assert kept.basis == Part2Basis.EMERGENCY and kept.grant == given
    assert kept.program == part2.program
    assert kept.recipient_affiliation == part2.program.organisation.name
    assert NATURE in kept.emergency_nature
    assert BreakGlassReason(reason).label in kept.emergency_nature


@pytest.mark.parametrize(
    "reason", [BreakGlassReason.COVERING, BreakGlassReason.CONTINUITY, BreakGlassReason.OTHER]
)
def test_a_grant_for_another_reason_writes_none(
    clinic: Clinic, part2: Part2Setting, reason: str
) -> None:
    """Only a medical emergency opens Part 2 records, so only it is a 2.51 disclosure."""
    grant(clinic, reason)
    assert not Disclosure.objects.exists() and not Part2Disclosure.objects.exists()


def test_an_emergency_grant_on_a_client_outside_part2_writes_none(clinic: Clinic) -> None:
    grant(clinic, BreakGlassReason.EMERGENCY_CARE)
    assert not Disclosure.objects.exists()


def test_the_programs_own_personnel_disclose_nothing_to_themselves(
    clinic: Clinic, part2: Part2Setting
) -> None:
    """Within a Part 2 program its personnel share what they need (42 CFR 2.12(c)(3))."""
    from alliance.organisation.models import ProgramMembership

    ProgramMembership.objects.create(program=part2.program, staff=clinic.therapist_off_team)
    grant(clinic, BreakGlassReason.EMERGENCY_CARE)
    assert not Disclosure.objects.exists()


def test_the_review_queue_shows_the_251_record(
    clinic: Clinic, part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-22: the privacy officer sees the 2.51 mark and its recorded fields in the queue."""
    grant(clinic, BreakGlassReason.CRISIS_CALL)
    page = signed_in(clinic.privacy_officer).get(reverse("web:break_glass_queue"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "42 CFR 2.51 medical emergency" in body
    assert part2.program.name in body
    assert part2.program.organisation.name in body
    assert NATURE in body


def test_the_review_queue_has_no_251_mark_for_another_grant(
    clinic: Clinic, part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    grant(clinic, BreakGlassReason.COVERING)
    body = signed_in(clinic.privacy_officer).get(reverse("web:break_glass_queue")).content
    assert b"42 CFR 2.51" not in body
    assert part2.program.name.encode() not in body
