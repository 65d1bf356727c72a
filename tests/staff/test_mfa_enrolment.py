"""Two-factor enrolment links as services: who may issue them, what the database holds (SEC-02).

The pages that use them are tested in ``tests/web/test_mfa_enrolment.py``.
"""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from alliance.audit.actions import AuditAction
from alliance.staff.disciplines import Discipline
from alliance.staff.enrolment import (
    InviteUnusable,
    mfa_device_enrol,
    mfa_enrolment_invite,
    mfa_enrolment_overview,
    mfa_invite_issue,
)
from alliance.staff.models import MfaEnrolmentInvite, TotpDevice, User
from tests.audit.helpers import events_after, last_seq
from tests.personas import Clinic, make_user


@pytest.fixture
def newcomer(clinic: Clinic) -> User:
    return make_user("nadia_newcomer", Discipline.FRONT_DESK, None)


def test_only_a_staff_administrator_issues_a_link(clinic: Clinic, newcomer: User) -> None:
    """SEC-02: the service itself refuses an actor without STAFF_ADMIN, and audits it."""
    seq = last_seq()

    with pytest.raises(PermissionDenied):
        mfa_invite_issue(actor=clinic.privacy_officer, staff=newcomer)

    assert not MfaEnrolmentInvite.objects.exists()
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.actor_id) == (
        AuditAction.STAFF_CHANGE,
        "denied",
        clinic.privacy_officer.pk,
    )


def test_the_database_keeps_only_the_tokens_hash(clinic: Clinic, newcomer: User) -> None:
    """SEC-02, SEC-03: the token is returned once; the row holds its SHA-256 only."""
    invite, token = mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)

    row = MfaEnrolmentInvite.objects.filter(pk=invite.pk).values().get()

    assert token not in str(row)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 40  # 32 random bytes


def test_at_most_one_open_link_per_person(clinic: Clinic, newcomer: User) -> None:
    """SEC-02: the database refuses a second open link for one account; the service revokes
    the first."""
    first, _ = mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)
    second, _ = mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)
    first.refresh_from_db()

    assert first.revoked_at is not None and second.revoked_at is None
    with pytest.raises(IntegrityError), transaction.atomic():
        MfaEnrolmentInvite.objects.create(
            staff=newcomer, token_hash="0" * 64, expires_at=timezone.now()
        )


@override_settings(REQUIRE_MFA=False)
def test_no_link_while_mfa_is_off(clinic: Clinic, newcomer: User) -> None:
    """SEC-02: with ALLIANCE_REQUIRE_MFA=0 there is nothing to enrol; the service says so."""
    with pytest.raises(ValidationError, match="switched off"):
        mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)
    assert mfa_enrolment_invite(staff=newcomer, invite_id=None) is None


def test_enrolling_without_a_link_is_refused_by_the_service(newcomer: User) -> None:
    """SEC-02: with MFA required, confirming a device without an invitation is refused and
    audited, whatever page asks."""
    device = TotpDevice.new_for(newcomer)
    device.save()
    seq = last_seq()

    with pytest.raises(InviteUnusable):
        mfa_enrolment_invite(staff=newcomer, invite_id=None)
    with pytest.raises(InviteUnusable):
        mfa_device_enrol(actor=newcomer, device=device, invite=None)

    device.refresh_from_db()
    assert not device.confirmed
    assert [(e.action, e.outcome) for e in events_after(seq)] == [
        (AuditAction.MFA_ENROLLED, "denied")
    ] * 2


def test_a_link_spends_only_for_its_own_account(clinic: Clinic, newcomer: User) -> None:
    """SEC-02: another account cannot enrol with a link issued for someone else."""
    invite, _ = mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)
    other = make_user("olga_other", Discipline.FRONT_DESK, None)
    device = TotpDevice.new_for(other)
    device.save()

    with pytest.raises(InviteUnusable):
        mfa_enrolment_invite(staff=other, invite_id=invite.pk)
    with pytest.raises(InviteUnusable):
        mfa_device_enrol(actor=other, device=device, invite=invite)

    invite.refresh_from_db()
    device.refresh_from_db()
    assert invite.used_at is None and not device.confirmed


def test_the_overview_lists_who_needs_a_link(clinic: Clinic, newcomer: User) -> None:
    """The staff page's rows: enrolled or not, and the open link."""
    invite, _ = mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)

    rows = {row.staff.username: row for row in mfa_enrolment_overview()}

    assert rows[newcomer.username].open_invite == invite
    assert not rows[newcomer.username].enrolled


def test_the_command_line_issues_the_first_administrators_link(newcomer: User) -> None:
    """SEC-02: the first administrator has nobody to ask; the server's operator issues the link
    (printed once, audited as from the command line)."""
    out = StringIO()
    seq = last_seq()

    call_command("mfa_enrolment_link", newcomer.username.upper(), stdout=out)

    match = re.search(r"/login/enrol/([A-Za-z0-9_-]+)/", out.getvalue())
    assert match
    invite = MfaEnrolmentInvite.objects.get(staff=newcomer)
    assert invite.issued_by is None
    assert invite.token_hash == hashlib.sha256(match.group(1).encode()).hexdigest()
    (event,) = events_after(seq)
    assert (event.action, event.actor_id, event.actor_username) == (
        AuditAction.STAFF_CHANGE,
        None,
        "command-line",
    )
    with pytest.raises(CommandError):
        call_command("mfa_enrolment_link", "nobody.here", stdout=StringIO())
