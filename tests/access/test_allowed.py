"""``access.policy.allowed``: the capabilities an actor holds for one client (issue 13).

It is the same rule as ``may`` and ``clients_visible_to`` for every record capability, and
``clients_overseen_by`` for oversight, so a page asking ``allowed`` can never offer what the
page it links to would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from alliance.access.models import BreakGlassReason, RestrictionReason
from alliance.access.policy import (
    BREAK_GLASS_CAPABILITIES,
    OVERSIGHT_CAPABILITIES,
    RECORD_CAPABILITIES,
    allowed,
    clients_overseen_by,
    decisions_cached,
    may,
)
from alliance.access.services import break_glass_start, restriction_add
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from tests.personas import PASSWORD, PERSONAS, Clinic

SignIn = Callable[[User], HttpClient]


def grant(clinic: Clinic) -> None:
    break_glass_start(
        actor=clinic.therapist_off_team,
        mrn=clinic.client_a.mrn,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Crisis call, primary clinician on leave",
        password=PASSWORD,
    )


def restrict(clinic: Clinic) -> None:
    restriction_add(
        actor=clinic.privacy_officer,
        client=clinic.client_a,
        staff=clinic.therapist_on_team,
        reason=RestrictionReason.RELATIVE,
        note="Synthetic: sister-in-law",
    )


def own_records(clinic: Clinic) -> None:
    """The front desk is client_a, the privacy officer client_b."""
    Client.objects.filter(pk=clinic.client_a.pk).update(staff_account=clinic.front_desk)
    Client.objects.filter(pk=clinic.client_b.pk).update(staff_account=clinic.privacy_officer)


SETUPS: dict[str, Callable[[Clinic], None]] = {
    "as built": lambda clinic: None,
    "break the glass": grant,
    "restriction": restrict,
    "own record": own_records,
}


@pytest.mark.parametrize("setup", list(SETUPS))
def test_allowed_is_the_rule_for_every_persona_and_client(setup: str, clinic: Clinic) -> None:
    """SEC-10, SEC-13, SEC-22: for each record capability ``allowed`` answers as ``may``; the
    only other capability it ever gives is oversight, on a client the actor oversees."""
    SETUPS[setup](clinic)
    for name in PERSONAS:
        actor = User.objects.get(pk=getattr(clinic, name).pk)  # fresh: no memoised answers
        for client in Client.objects.all():
            caps = allowed(actor=actor, client=client)
            for capability in Capability:
                if capability in RECORD_CAPABILITIES:
                    expected = may(actor=actor, client=client, capability=capability)
                elif capability in OVERSIGHT_CAPABILITIES:
                    overseen = clients_overseen_by(actor=actor).filter(pk=client.pk)
                    expected = actor.has_capability(capability) and overseen.exists()
                else:
                    expected = False
                assert (capability in caps) == expected, (setup, name, client.mrn, capability)


def test_break_the_glass_opens_everything_but_the_care_team(clinic: Clinic) -> None:
    """SEC-22: a grant gives what the holder's scope gives, except editing the care team."""
    grant(clinic)
    actor = clinic.therapist_off_team
    caps = allowed(actor=actor, client=clinic.client_a)
    assert Capability.CHART_READ in caps and Capability.CARE_TEAM_EDIT not in caps
    assert caps == actor.capabilities() & BREAK_GLASS_CAPABILITIES
    assert Capability.CARE_TEAM_EDIT in allowed(actor=clinic.psychiatrist, client=clinic.client_a)


def test_privacy_officer_holds_oversight_only_and_nothing_on_own_record(clinic: Clinic) -> None:
    """SEC-13, SEC-15: oversight never opens the record; one's own record gives nothing."""
    officer = clinic.privacy_officer
    assert allowed(actor=officer, client=clinic.client_a) == {Capability.AUDIT_REVIEW}
    Client.objects.filter(pk=clinic.client_b.pk).update(staff_account=officer)
    own = Client.objects.get(pk=clinic.client_b.pk)
    assert allowed(actor=User.objects.get(pk=officer.pk), client=own) == frozenset()


def test_no_capability_for_staff_without_a_relationship(clinic: Clinic) -> None:
    assert allowed(actor=clinic.therapist_off_team, client=clinic.client_a) == frozenset()
    assert allowed(actor=clinic.it_admin, client=clinic.client_a) == frozenset()


def test_allowed_is_kept_for_the_request(clinic: Clinic, django_assert_num_queries: object) -> None:
    """Asked again within a request, the answer costs no query (like ``relationship``)."""
    actor = clinic.psychiatrist
    actor.capabilities()
    with decisions_cached():
        first = allowed(actor=actor, client=clinic.client_a)
        with django_assert_num_queries(0):  # type: ignore[operator]
            assert allowed(actor=actor, client=clinic.client_a) == first


def test_chart_offers_care_team_editing_by_the_policy(clinic: Clinic, signed_in: SignIn) -> None:
    """The chart's "Edit care team" link follows ``allowed``: the psychiatrist on the team has
    it, intake (registry-wide) has it, an emergency grant does not (SEC-22)."""
    grant(clinic)
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    link = reverse("web:care_team", args=[clinic.client_a.pk]).encode()
    for name, shown in (
        ("psychiatrist", True),
        ("intake", True),
        ("therapist_off_team", False),
        ("peer_specialist", False),
    ):
        page = signed_in(getattr(clinic, name)).get(chart)
        assert page.status_code == 200, name
        assert (link in page.content) == shown, name
        care_team = signed_in(getattr(clinic, name)).get(link.decode())
        assert (care_team.status_code == 200) == shown, name


def test_ended_grant_leaves_nothing(clinic: Clinic) -> None:
    grant(clinic)
    later = timezone.now() + timedelta(days=2)
    actor = User.objects.get(pk=clinic.therapist_off_team.pk)
    with freeze_time(later):
        assert allowed(actor=actor, client=clinic.client_a) == frozenset()
