"""The client's plan link: bound to the device where the client confirms their date of birth,
expiring, revocable, ended with its creator's access, every open audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.access.delegation import DELEGATION_ENDED
from alliance.access.models import RestrictionReason
from alliance.access.services import restriction_add
from alliance.audit.models import AuditEvent
from alliance.safety.links import (
    LinkNotConfirmed,
    LinkOtherDevice,
    LinkUnusable,
    plan_link_confirm,
    plan_link_create,
    plan_link_open,
    plan_link_revoke,
    secret_hash,
)
from alliance.safety.models import SafetyPlanLink, SafetyPlanVersion
from tests.personas import Clinic
from tests.safety.conftest import signed_plan


def test_the_first_device_keeps_the_link(plan_v1: SafetyPlanVersion, clinic: Clinic) -> None:
    link, token = plan_link_create(actor=clinic.therapist_on_team, client=clinic.client_a)
    assert SafetyPlanLink.objects.get(pk=link.pk).token_hash == secret_hash(token)
    with pytest.raises(LinkNotConfirmed):
        plan_link_open(token=token, device_secret="")
    first = plan_link_confirm(
        token=token, date_of_birth=clinic.client_a.date_of_birth, device_secret=""
    )
    assert first.new_device_secret and first.version == plan_v1
    again = plan_link_open(token=token, device_secret=first.new_device_secret)
    assert again.new_device_secret == ""
    with pytest.raises(LinkOtherDevice):
        plan_link_open(token=token, device_secret="")
    with pytest.raises(LinkOtherDevice):
        plan_link_open(token=token, device_secret="guessed")
    opens = AuditEvent.objects.filter(object_type="safety.SafetyPlanLink", action="record_view")
    assert list(opens.order_by("seq").values_list("outcome", flat=True)) == [
        "success",
        "success",
        "denied",
        "denied",
    ]
    assert set(opens.values_list("client_id", flat=True)) == {clinic.client_a.pk}


def test_expired_revoked_and_unknown_links_are_unusable(
    plan_v1: SafetyPlanVersion, clinic: Clinic
) -> None:
    link, token = plan_link_create(actor=clinic.therapist_on_team, client=clinic.client_a)
    dob = clinic.client_a.date_of_birth
    with pytest.raises(LinkUnusable):
        plan_link_confirm(
            token=token,
            date_of_birth=dob,
            device_secret="",
            now=link.expires_at + timedelta(seconds=1),
        )
    opened = plan_link_confirm(token=token, date_of_birth=dob, device_secret="")
    plan_link_revoke(actor=clinic.therapist_on_team, client=clinic.client_a, link_id=link.pk)
    with pytest.raises(LinkUnusable):
        plan_link_open(token=token, device_secret=opened.new_device_secret)
    with pytest.raises(LinkUnusable):
        plan_link_open(token="nothing-like-it", device_secret="")
    assert link.expires_at > timezone.now() + timedelta(days=29)


def test_a_link_shows_the_latest_signed_version(plan_v1: SafetyPlanVersion, clinic: Clinic) -> None:
    """Issue 14 class 2: a link shows the plan as the care team last signed it. A version
    signed after the link was made supersedes the old one on the client's phone too."""
    _link, token = plan_link_create(actor=clinic.therapist_on_team, client=clinic.client_a)
    phone = plan_link_confirm(
        token=token, date_of_birth=clinic.client_a.date_of_birth, device_secret=""
    ).new_device_secret
    v2 = signed_plan(clinic.therapist_on_team, clinic.client_a, coping="Call Sam")
    opened = plan_link_open(token=token, device_secret=phone)
    assert opened.version == v2 and opened.version.number == plan_v1.number + 1
    assert opened.version.content["coping"] == ["Call Sam"]


def test_a_link_whose_creator_lost_the_client_binds_nothing(
    plan_v1: SafetyPlanVersion, clinic: Clinic
) -> None:
    """SEC-23 (issue 14 class 2): once the creator is restricted from the client, the link is
    refused before the date of birth is even checked: nothing is bound or counted, and the
    refusal is audited with its reason."""
    link, token = plan_link_create(actor=clinic.therapist_on_team, client=clinic.client_a)
    restriction_add(
        actor=clinic.privacy_officer,
        client=clinic.client_a,
        staff=clinic.therapist_on_team,
        reason=RestrictionReason.RELATIVE,
    )
    with pytest.raises(LinkUnusable):
        plan_link_confirm(
            token=token, date_of_birth=clinic.client_a.date_of_birth, device_secret=""
        )
    with pytest.raises(LinkUnusable):
        plan_link_confirm(
            token=token,
            date_of_birth=clinic.client_a.date_of_birth + timedelta(days=1),
            device_secret="",
        )
    stored = SafetyPlanLink.objects.get(pk=link.pk)
    assert (stored.device_hash, stored.bound_at, stored.failed_checks) == ("", None, 0)
    refused = AuditEvent.objects.filter(object_type="safety.SafetyPlanLink", outcome="denied")
    assert list(refused.values_list("detail__refused", flat=True)) == [DELEGATION_ENDED] * 2
