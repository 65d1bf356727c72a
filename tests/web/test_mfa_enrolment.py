"""First enrolment of the second factor needs an administrator's link and the password (SEC-02).

Issue 14, class 6: a first sign-in used to enrol an authenticator for whoever held the password.
With ``ALLIANCE_REQUIRE_MFA`` on, a staff administrator now issues a single-use, expiring link;
enrolment needs the link *and* the password, and spends the link. Issuing, using and every
refusal are audited.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.staff.disciplines import Discipline
from alliance.staff.models import MfaEnrolmentInvite, TotpDevice, User
from tests.audit.helpers import events_after, last_seq
from tests.personas import PASSWORD, Clinic, make_user
from tests.web.test_auth import (
    MFA,
    START,
    code_for,
    enrolment_link,
    link_login,
    password_login,
    secret_on_page,
)

SignedIn = Callable[[User], HttpClient]
STAFF_PAGE = reverse("web:mfa_enrolment")
ISSUE = reverse("web:mfa_link_issue")
LOGIN = reverse("web:login")
LINK_URL = re.compile(r'value="(https?://[^"]+/login/enrol/([^"/]+)/)"')


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    with freeze_time(START) as frozen:
        yield frozen


@pytest.fixture
def newcomer(clinic: Clinic) -> User:
    """A new account: a password, no authenticator yet."""
    return make_user("nadia_newcomer", Discipline.CLINICAL_SOCIAL_WORKER, None)


def issue_from_page(http: HttpClient, staff: User) -> tuple[str, str]:
    """Press "Issue enrollment link" for ``staff``; return the address shown and its token."""
    response = http.post(ISSUE, {"staff_id": staff.pk})
    assert response.status_code == 200, response.status_code
    match = LINK_URL.search(response.content.decode())
    assert match, "the page shows no enrolment link"
    return match.group(1), match.group(2)


def finish_enrolment(http: HttpClient) -> bytes:
    """On the second-factor page after the link: type the first code; return the key."""
    key = secret_on_page(http.get(MFA).content)
    response = http.post(MFA, {"token": code_for(key)})
    assert (response.status_code, response["Location"]) == (302, "/")
    return key


def enrolled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed=True).exists()


# ------------------------------------------------------------- the password alone


def test_a_password_alone_never_enrols_a_device(newcomer: User) -> None:
    """SEC-02 (issue 14 class 6): the issue's example, a password holder enrolling their own
    authenticator at the first sign-in, is refused: no key is shown, no device is made, a code
    posted blind enrols nothing, and the refusal is audited."""
    http = HttpClient()
    assert password_login(http, newcomer)["Location"] == MFA  # type: ignore[index]
    seq = last_seq()

    page = http.get(MFA)
    posted = http.post(MFA, {"token": "123456"})

    assert page.status_code == 403
    body = page.content.decode()
    assert "Ask for an enrollment link" in body
    assert "<code>" not in body and "otpauth" not in body and "<svg" not in body
    assert posted.status_code == 403
    assert not TotpDevice.objects.filter(user=newcomer).exists()
    assert http.get("/")["Location"] == MFA
    refusals = events_after(seq)
    assert [(e.action, e.outcome, e.actor_id) for e in refusals] == [
        (AuditAction.MFA_ENROLLED, "denied", newcomer.pk)
    ] * 2
    assert refusals[0].detail == {"refused": "no enrolment link"}


def test_a_signed_in_password_session_enrols_once_it_opens_the_link(newcomer: User) -> None:
    """SEC-02: someone who signed in with the password and was told to ask for a link opens it,
    types the password again, and enrols."""
    http = HttpClient()
    password_login(http, newcomer)
    assert http.get(MFA).status_code == 403

    link = enrolment_link(newcomer)
    assert http.post(link, {"password": PASSWORD})["Location"] == MFA
    finish_enrolment(http)

    assert enrolled(newcomer)
    assert http.get("/").status_code == 200


@override_settings(REQUIRE_MFA=False)
def test_with_mfa_off_sign_in_is_unchanged(newcomer: User) -> None:
    """SEC-02: with ALLIANCE_REQUIRE_MFA=0 (the demo) the password signs in as before, and the
    second-factor page is not in the way."""
    http = HttpClient()

    response = password_login(http, newcomer)

    assert response["Location"] == "/"  # type: ignore[index]
    assert http.get("/").status_code == 200
    assert http.get(MFA)["Location"] == "/"
    assert not AuditEvent.objects.filter(action=AuditAction.MFA_ENROLLED).exists()


# ---------------------------------------------------------------- issuing the link


def test_a_staff_administrator_issues_a_link_shown_once(
    clinic: Clinic, newcomer: User, signed_in: SignedIn, clock: FrozenDateTimeFactory
) -> None:
    """SEC-02, SEC-33: IT (STAFF_ADMIN) lists who has no authenticator and issues a link by a
    POST with CSRF; the address carries the token in its path only, the database keeps only
    its hash, and the issue is audited without the token."""
    admin = signed_in(clinic.it_admin)
    listing = admin.get(STAFF_PAGE)
    assert listing.status_code == 200
    assert newcomer.username in listing.content.decode()
    seq = last_seq()

    url, token = issue_from_page(admin, newcomer)

    assert "?" not in url and url.endswith(f"/login/enrol/{token}/")
    invite = MfaEnrolmentInvite.objects.get(staff=newcomer)
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invite.issued_by == clinic.it_admin
    assert invite.used_at is None and invite.revoked_at is None
    assert invite.expires_at - invite.created_at == timedelta(
        hours=settings.MFA_ENROLMENT_LINK_HOURS
    )
    (event,) = events_after(seq)
    assert (event.action, event.actor_id, event.object_id) == (
        AuditAction.STAFF_CHANGE,
        clinic.it_admin.pk,
        str(invite.pk),
    )
    assert event.detail["change"] == "mfa enrolment link issued"
    assert event.detail["staff_id"] == newcomer.pk
    assert token not in str(event.detail)
    # Shown once: the list afterwards says a link is open, never its address.
    assert token not in admin.get(STAFF_PAGE).content.decode()


def test_issuing_needs_a_csrf_token(clinic: Clinic, newcomer: User, signed_in: SignedIn) -> None:
    """SEC-02: the issue button is a POST protected against cross-site requests."""
    admin = signed_in(clinic.it_admin)
    admin.handler.enforce_csrf_checks = True

    response = admin.post(ISSUE, {"staff_id": newcomer.pk})

    assert response.status_code == 403
    assert not MfaEnrolmentInvite.objects.exists()


@pytest.mark.parametrize(
    "persona", ["therapist_on_team", "psychiatrist", "front_desk", "privacy_officer"]
)
def test_only_a_staff_administrator_may_issue_a_link(
    persona: str, clinic: Clinic, newcomer: User, signed_in: SignedIn
) -> None:
    """SEC-02: without STAFF_ADMIN the list and the issue are refused (403) and nothing is
    made; an anonymous request goes to sign-in."""
    http = signed_in(getattr(clinic, persona))

    listing = http.get(STAFF_PAGE)
    issued = http.post(ISSUE, {"staff_id": newcomer.pk})
    anonymous = HttpClient().post(ISSUE, {"staff_id": newcomer.pk})

    assert listing.status_code == 403
    assert issued.status_code == 403
    assert (anonymous.status_code, anonymous["Location"]) == (302, LOGIN)
    assert not MfaEnrolmentInvite.objects.exists()


def test_no_link_for_an_unknown_or_deactivated_account(
    clinic: Clinic, newcomer: User, signed_in: SignedIn
) -> None:
    """SEC-02: a link is issued only for an active account (404 otherwise, nothing made)."""
    admin = signed_in(clinic.it_admin)
    User.objects.filter(pk=newcomer.pk).update(is_active=False)

    assert admin.post(ISSUE, {"staff_id": newcomer.pk}).status_code == 404
    assert admin.post(ISSUE, {"staff_id": 999_999}).status_code == 404
    assert admin.post(ISSUE, {"staff_id": "x"}).status_code == 404
    assert not MfaEnrolmentInvite.objects.exists()


def test_no_link_for_an_account_that_has_an_authenticator(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-02: a link cannot add a second authenticator to an enrolled account; the lost one
    must be reset first (audited in Configuration)."""
    admin = signed_in(clinic.it_admin)
    signed_in(clinic.therapist_on_team)  # enrols her device

    response = admin.post(ISSUE, {"staff_id": clinic.therapist_on_team.pk})

    assert response.status_code == 400
    assert "already has an authenticator" in response.content.decode()
    assert not MfaEnrolmentInvite.objects.exists()


# ---------------------------------------------------------------- using the link


def test_the_link_and_the_password_enrol_and_spend_the_link(
    clinic: Clinic, newcomer: User, signed_in: SignedIn
) -> None:
    """SEC-02: the person opens the link (the page names the account), types the password,
    scans the key and types a code: the device is enrolled, the link is used, all audited."""
    _url, token = issue_from_page(signed_in(clinic.it_admin), newcomer)
    link = reverse("web:mfa_enrol_link", kwargs={"enrolment_token": token})
    http = HttpClient()
    seq = last_seq()

    page = http.get(link)
    assert page.status_code == 200
    assert newcomer.username in page.content.decode()
    assert not events_after(seq)  # showing the page writes nothing
    assert http.post(link, {"password": PASSWORD})["Location"] == MFA
    finish_enrolment(http)

    events = events_after(seq)
    invite = MfaEnrolmentInvite.objects.get(staff=newcomer)
    assert invite.used_at is not None
    assert enrolled(newcomer)
    assert http.get("/").status_code == 200
    assert [(e.action, e.outcome, e.actor_id) for e in events] == [
        (AuditAction.LOGIN, "success", newcomer.pk),
        (AuditAction.MFA_ENROLLED, "success", newcomer.pk),
        (AuditAction.MFA_VERIFIED, "success", newcomer.pk),
    ]
    assert events[0].detail == {"via": "mfa enrolment link"}
    assert events[1].detail == {"invite_id": invite.pk}


def test_the_link_alone_enrols_nothing(newcomer: User) -> None:
    """SEC-02: the link without the right password opens no session and makes no device; the
    failure is audited and counts towards the sign-in lockout."""
    link = enrolment_link(newcomer)
    http = HttpClient()
    seq = last_seq()

    refused = http.post(link, {"password": PASSWORD + "x"})
    empty = http.post(link, {"password": ""})

    assert refused.status_code == 400
    assert "password is not correct" in refused.content.decode()
    assert empty.status_code == 400
    assert http.get(MFA)["Location"] == LOGIN
    assert not TotpDevice.objects.filter(user=newcomer).exists()
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.actor_id, event.detail) == (
        AuditAction.LOGIN_FAILED,
        "denied",
        newcomer.pk,
        {"via": "mfa enrolment link", "refused": "password"},
    )


def test_wrong_passwords_at_the_link_lock_the_account(
    newcomer: User, clock: FrozenDateTimeFactory
) -> None:
    """SEC-02, SEC-04: guessing the password at a link locks the account like the sign-in
    page does; while locked, even the right password opens nothing."""
    link = enrolment_link(newcomer)
    http = HttpClient()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert http.post(link, {"password": f"guess-{n}"}).status_code == 400

    last = http.post(link, {"password": "guess-last"})
    right = HttpClient().post(link, {"password": PASSWORD})

    assert (last.status_code, last["Location"]) == (302, LOGIN)
    assert "locked" in http.get(LOGIN).content.decode()
    assert (right.status_code, right["Location"]) == (302, LOGIN)
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, actor=newcomer).exists()
    assert not TotpDevice.objects.filter(user=newcomer).exists()


def test_a_spent_link_is_refused_again(newcomer: User) -> None:
    """SEC-02: after enrolment the same link shows "already used" (410) and enrols nothing."""
    link = enrolment_link(newcomer)
    http = HttpClient()
    http.post(link, {"password": PASSWORD})
    finish_enrolment(http)
    seq = last_seq()

    again = HttpClient()
    page = again.get(link)
    posted = again.post(link, {"password": PASSWORD})

    assert (page.status_code, posted.status_code) == (410, 410)
    assert "already used" in page.content.decode()
    assert again.get(MFA)["Location"] == LOGIN  # the password gave no session
    assert TotpDevice.objects.filter(user=newcomer).count() == 1
    assert [(e.action, e.outcome, e.detail["refused"]) for e in events_after(seq)] == [
        (AuditAction.MFA_ENROLLED, "denied", "used")
    ] * 2


def test_two_browsers_with_one_link_enrol_one_device(newcomer: User) -> None:
    """SEC-02: two sessions that both opened the link with the password: the first enrols,
    the second is then asked for that device's code and is shown no key of its own."""
    link = enrolment_link(newcomer)
    first, second = HttpClient(), HttpClient()
    first.post(link, {"password": PASSWORD})
    second.post(link, {"password": PASSWORD})

    finish_enrolment(first)
    page = second.get(MFA)

    assert page.status_code == 200
    assert "<code>" not in page.content.decode()
    assert TotpDevice.objects.filter(user=newcomer).count() == 1


def test_the_link_expires(newcomer: User, clock: FrozenDateTimeFactory) -> None:
    """SEC-02: after MFA_ENROLMENT_LINK_HOURS the link is refused (410, audited)."""
    link = enrolment_link(newcomer)
    clock.tick(timedelta(hours=settings.MFA_ENROLMENT_LINK_HOURS, seconds=1))
    seq = last_seq()

    response = HttpClient().post(link, {"password": PASSWORD})

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.detail["refused"]) == (
        AuditAction.MFA_ENROLLED,
        "denied",
        "expired",
    )
    assert not TotpDevice.objects.filter(user=newcomer).exists()


def test_a_link_that_expires_before_the_code_enrols_nothing(
    newcomer: User, clock: FrozenDateTimeFactory
) -> None:
    """SEC-02: the link is checked again when the first code is typed."""
    http = HttpClient()
    link_login(http, newcomer)
    key = secret_on_page(http.get(MFA).content)
    invite = MfaEnrolmentInvite.objects.get(staff=newcomer)
    MfaEnrolmentInvite.objects.filter(pk=invite.pk).update(expires_at=invite.created_at)

    response = http.post(MFA, {"token": code_for(key)})

    assert response.status_code == 403
    assert not enrolled(newcomer)
    invite.refresh_from_db()
    assert invite.used_at is None


def test_a_new_link_revokes_the_old(clinic: Clinic, newcomer: User, signed_in: SignedIn) -> None:
    """SEC-02: issuing again cancels the open link; only the newest works."""
    admin = signed_in(clinic.it_admin)
    _first_url, first = issue_from_page(admin, newcomer)
    _second_url, second = issue_from_page(admin, newcomer)

    old = HttpClient().post(
        reverse("web:mfa_enrol_link", kwargs={"enrolment_token": first}), {"password": PASSWORD}
    )
    new = HttpClient().post(
        reverse("web:mfa_enrol_link", kwargs={"enrolment_token": second}), {"password": PASSWORD}
    )

    assert old.status_code == 410
    assert new["Location"] == MFA
    assert MfaEnrolmentInvite.objects.filter(staff=newcomer, revoked_at__isnull=False).count() == 1
    issued = AuditEvent.objects.filter(action=AuditAction.STAFF_CHANGE).order_by("seq").last()
    assert issued is not None
    assert issued.detail["revoked_links"] == [
        MfaEnrolmentInvite.objects.get(staff=newcomer, revoked_at__isnull=False).pk
    ]


def test_an_unknown_link_is_not_found(db: None) -> None:
    """SEC-02: a made-up token is a plain 404 page and writes nothing."""
    seq = last_seq()

    response = HttpClient().get(reverse("web:mfa_enrol_link", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "No such link" in response.content.decode()
    assert not events_after(seq)


def test_a_colleagues_password_does_not_open_someone_elses_link(
    clinic: Clinic, newcomer: User, signed_in: SignedIn
) -> None:
    """SEC-02: a signed-in colleague who opens a newcomer's link gains nothing with their own
    password, and stays who they were."""
    newcomer.set_password("the-newcomers-own-passphrase-7")
    newcomer.save()
    link = enrolment_link(newcomer)
    http = signed_in(clinic.therapist_on_team)

    response = http.post(link, {"password": PASSWORD})

    assert response.status_code == 400
    assert http.get("/").status_code == 200
    assert not TotpDevice.objects.filter(user=newcomer).exists()
    assert MfaEnrolmentInvite.objects.get(staff=newcomer).used_at is None
