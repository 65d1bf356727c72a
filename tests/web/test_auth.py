"""Signing in and out: second factor, password storage, lockout, sessions, time-outs.

SEC-02 to SEC-08. These tests drive the real login and second-factor pages; the ``signed_in``
fixture is used only where the way in is not what is under test.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_otp.oath import totp
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

from alliance.access.models import BreakGlassGrant, CareTeamMember
from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.config import settings as product_settings
from alliance.staff.disciplines import LicenceStatus
from alliance.staff.enrolment import mfa_invite_issue
from alliance.staff.models import Licence, TotpDevice, User
from alliance.web import urls as web_urls
from alliance.web.gate import Gate, access_of
from tests.audit.helpers import events_after, last_seq
from tests.personas import PASSWORD, Clinic
from tests.settings import PRODUCT_PASSWORD_HASHERS

LOGIN = "/login/"
MFA = "/login/verify/"
# Half-way through a 30-second TOTP step, so that a test never straddles two codes by accident.
START = "2026-03-02 14:00:10"


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    with freeze_time(START) as frozen:
        yield frozen


def password_login(http: HttpClient, user: User, password: str = PASSWORD) -> object:
    return http.post(reverse("web:login"), {"username": user.username, "password": password})


def code_for(key: bytes) -> str:
    return f"{totp(key, step=30, digits=6):06d}"


def secret_on_page(body: bytes) -> bytes:
    """The key the enrolment page shows for typing in by hand (base32, unpadded)."""
    match = re.search(r"<code>([A-Z2-7]+)</code>", body.decode())
    assert match, "the enrolment page shows no key"
    text = match.group(1)
    return base64.b32decode(text + "=" * (-len(text) % 8))


def enrolment_link(user: User) -> str:
    """The path of a fresh single-use enrolment link for ``user`` (issued from the server)."""
    _invite, token = mfa_invite_issue(actor=None, staff=user)
    return reverse("web:mfa_enrol_link", kwargs={"enrolment_token": token})


def link_login(http: HttpClient, user: User, password: str = PASSWORD) -> Any:
    """Open a fresh enrolment link and type the password: the only way to a first authenticator
    while MFA is required (the password alone enrols nothing)."""
    return http.post(enrolment_link(user), {"password": password})


def enrol(http: HttpClient, user: User) -> bytes:
    """Open an enrolment link with the password, enrol an authenticator from the page; return
    its key."""
    assert link_login(http, user)["Location"] == MFA
    page = http.get(MFA)
    key = secret_on_page(page.content)
    assert http.post(MFA, {"token": code_for(key)})["Location"] == "/"
    return key


def actions_since(seq: int) -> list[str]:
    return [e.action for e in events_after(seq)]


def web_routes(*gates: Gate) -> list[tuple[str, dict[str, int]]]:
    """Named pages of the web interface behind one of ``gates``, with placeholder ids."""
    routes = []
    for pattern in web_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        access = access_of(pattern.callback)
        assert access is not None, pattern.name
        if access.gate in gates:
            kwargs = {name: 1 for name in pattern.pattern.converters}
            routes.append((str(pattern.name), kwargs))
    return routes


# ----------------------------------------------------------------------- SEC-02: MFA


def test_a_password_alone_gives_no_data(clinic: Clinic) -> None:
    """SEC-02: after the password, the home page sends the person to the second factor."""
    http = HttpClient()

    response = password_login(http, clinic.therapist_on_team)
    home = http.get("/")

    assert response["Location"] == MFA  # type: ignore[index]
    assert home.status_code == 302
    assert home["Location"] == MFA


@pytest.mark.parametrize(("name", "kwargs"), web_routes(Gate.STAFF, Gate.CAPABILITY))
def test_no_page_opens_on_a_password_alone(
    name: str, kwargs: dict[str, int], clinic: Clinic
) -> None:
    """SEC-02 (A1): in the MFA-pending state every page but sign-in and sign-out is closed."""
    http = HttpClient()
    password_login(http, clinic.psychiatrist)
    seq = last_seq()
    path = reverse(f"web:{name}", kwargs=kwargs)

    got, posted = http.get(path), http.post(path, {"q": "Nunez", "mrn": clinic.client_a.mrn})

    assert (got.status_code, got["Location"]) == (302, MFA)
    assert (posted.status_code, posted["Location"]) == (302, MFA)
    assert clinic.client_a.legal_last_name not in got.content.decode()
    assert not AuditEvent.objects.filter(seq__gt=seq, client__isnull=False).exists()


def test_the_configuration_site_needs_the_second_factor(clinic: Clinic) -> None:
    """SEC-02: the admin (configuration) is closed to an IT password without its code."""
    http = HttpClient()
    password_login(http, clinic.it_admin)

    response = http.get(reverse("admin:index"))

    assert (response.status_code, response["Location"]) == (302, MFA)


def test_enrolment_with_a_real_authenticator_code(clinic: Clinic) -> None:
    """SEC-02: the first sign-in, through an enrolment link with the password, enrols an
    authenticator from the key shown, then lets the person in."""
    user = clinic.therapist_on_team
    http = HttpClient()
    seq = last_seq()

    key = enrol(http, user)
    signing_in = actions_since(seq)
    home = http.get("/")

    assert home.status_code == 200
    assert clinic.client_a.mrn in home.content.decode()
    device = TotpDevice.objects.get(user=user)
    assert device.confirmed
    assert device.confirmed_at is not None
    assert device.bin_key == key
    assert signing_in == [
        AuditAction.STAFF_CHANGE,  # the link issued
        AuditAction.LOGIN,
        AuditAction.MFA_ENROLLED,
        AuditAction.MFA_VERIFIED,
    ]


def test_a_wrong_code_at_enrolment_keeps_the_same_key(clinic: Clinic) -> None:
    """SEC-02: a mistyped first code neither enrols the device nor changes the key shown."""
    http = HttpClient()
    link_login(http, clinic.therapist_on_team)
    first = secret_on_page(http.get(MFA).content)
    wrong = f"{(int(code_for(first)) + 1) % 1_000_000:06d}"

    refused = http.post(MFA, {"token": wrong})

    assert refused.status_code == 200
    assert secret_on_page(refused.content) == first
    assert not TotpDevice.objects.filter(user=clinic.therapist_on_team, confirmed=True).exists()
    assert http.get("/")["Location"] == MFA


def test_a_replayed_code_is_refused_and_audited(
    clinic: Clinic, clock: FrozenDateTimeFactory
) -> None:
    """SEC-02: a code is accepted once; the same code in a new sign-in is refused and audited."""
    user = clinic.therapist_on_team
    key = enrol(HttpClient(), user)
    used = code_for(key)
    clock.tick(5)  # same 30-second step: the code is still "current"
    assert code_for(key) == used
    http = HttpClient()
    password_login(http, user)
    seq = last_seq()

    replay = http.post(MFA, {"token": used})

    assert replay.status_code == 200
    assert http.get("/")["Location"] == MFA
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.actor_id) == (
        AuditAction.MFA_FAILED,
        "denied",
        user.pk,
    )
    # The next code, in the next step, is accepted: only the replay was refused.
    clock.tick(30)
    assert http.post(MFA, {"token": code_for(key)})["Location"] == "/"


def test_cancel_and_sign_out_from_the_second_factor_page(clinic: Clinic) -> None:
    """SEC-02, SEC-05: someone who gave the password but not the code can still sign out."""
    user = clinic.therapist_on_team
    http = HttpClient()
    password_login(http, user)
    session_key = http.cookies[settings.SESSION_COOKIE_NAME].value
    seq = last_seq()

    response = http.post(reverse("web:logout"))

    assert (response.status_code, response["Location"]) == (302, LOGIN)
    assert not Session.objects.filter(session_key=session_key).exists()
    assert http.get("/")["Location"] == LOGIN
    assert actions_since(seq) == [AuditAction.LOGOUT]


# ---------------------------------------------------------- SEC-03: stored credentials


def test_the_product_hashes_passwords_with_argon2() -> None:
    """SEC-03: the product's first (default) password hasher is Argon2id."""
    assert product_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    assert PRODUCT_PASSWORD_HASHERS == product_settings.PASSWORD_HASHERS


@override_settings(PASSWORD_HASHERS=PRODUCT_PASSWORD_HASHERS)
def test_a_real_argon2_hash_is_stored(clinic: Clinic) -> None:
    """SEC-03: with the product's hashers, the stored password is an Argon2id hash."""
    user = clinic.therapist_off_team
    user.set_password("a-new-long-passphrase-for-argon")
    user.save()

    stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).get()

    assert stored.startswith("argon2$argon2id$")
    assert "a-new-long-passphrase-for-argon" not in stored
    assert password_login(HttpClient(), user, "a-new-long-passphrase-for-argon")["Location"] == MFA  # type: ignore[index]


@override_settings(PASSWORD_HASHERS=PRODUCT_PASSWORD_HASHERS)
def test_an_old_hash_is_upgraded_to_argon2_at_sign_in(clinic: Clinic) -> None:
    """SEC-03: a PBKDF2 hash (the FIPS fallback) is rehashed with Argon2 at the next login."""
    user = clinic.therapist_off_team
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    response = password_login(HttpClient(), user)

    assert response["Location"] == MFA  # type: ignore[index]
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")


def test_the_totp_secret_is_not_stored_in_clear(clinic: Clinic) -> None:
    """SEC-03: no column of the device row holds the key, in hex, base32 or raw form."""
    http = HttpClient()
    key = enrol(http, clinic.therapist_on_team)
    device = TotpDevice.objects.get(user=clinic.therapist_on_team)
    forms = [key.hex(), key.hex().upper(), base64.b32encode(key).decode().rstrip("=")]

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TotpDevice._meta.db_table} WHERE id = %s", [device.pk])
        row = cursor.fetchone()

    stored = " ".join(str(value) for value in row)
    for form in forms:
        assert form not in stored
    assert base64.b64encode(key).decode() not in stored
    assert device.bin_key == key  # yet it decrypts with the key outside the database


# --------------------------------------------------------------- SEC-04: brute force


def test_five_wrong_passwords_lock_the_account(
    clinic: Clinic, clock: FrozenDateTimeFactory
) -> None:
    """SEC-04: after 5 failures even the right password gets 429, and the lockout is audited."""
    user = clinic.therapist_on_team
    http = HttpClient()
    failures = [password_login(http, user, f"wrong-password-{n}") for n in range(5)]
    seq = last_seq()

    sixth = password_login(http, user)

    assert [r.status_code for r in failures[:4]] == [200] * 4  # type: ignore[attr-defined]
    assert sixth.status_code == 429  # type: ignore[attr-defined]
    assert "locked" in sixth.content.decode()  # type: ignore[attr-defined]
    assert settings.SESSION_COOKIE_NAME not in http.cookies or http.get("/")["Location"] == LOGIN
    (event,) = events_after(seq)
    assert (event.action, event.outcome, event.actor_username) == (
        AuditAction.LOCKOUT,
        "denied",
        user.username,
    )


def test_the_lockout_ends_after_fifteen_minutes(
    clinic: Clinic, clock: FrozenDateTimeFactory
) -> None:
    """SEC-04: the cool-off is 15 minutes; after it the right password works again."""
    user = clinic.therapist_on_team
    http = HttpClient()
    for n in range(5):
        password_login(http, user, f"wrong-password-{n}")

    clock.tick(timedelta(minutes=14))
    still_locked = password_login(http, user)
    clock.tick(timedelta(minutes=1, seconds=1))
    unlocked = password_login(http, user)

    assert still_locked.status_code == 429  # type: ignore[attr-defined]
    assert (unlocked.status_code, unlocked["Location"]) == (302, MFA)  # type: ignore[attr-defined,index]


def test_changing_the_case_of_the_username_does_not_escape_the_lockout(
    clinic: Clinic, clock: FrozenDateTimeFactory
) -> None:
    """SEC-04: failures count against the account, however its name is typed."""
    spellings = [
        "therapist.on.team",
        "Therapist.On.Team",
        "THERAPIST.ON.TEAM",
        " therapist.on.team",
    ]
    http = HttpClient()
    for n in range(5):
        username = spellings[n % len(spellings)]
        http.post(reverse("web:login"), {"username": username, "password": f"wrong-{n}"})

    response = http.post(
        reverse("web:login"), {"username": "Therapist.ON.team", "password": PASSWORD}
    )

    assert response.status_code == 429


def test_changing_address_or_browser_does_not_escape_the_lockout(
    clinic: Clinic, clock: FrozenDateTimeFactory
) -> None:
    """SEC-04: the lock is on the account, so rotating addresses and user agents gains nothing."""
    for n in range(5):
        HttpClient().post(
            reverse("web:login"),
            {"username": "therapist.on.team", "password": f"wrong-{n}"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
            HTTP_USER_AGENT=f"Browser/{n}",
        )

    response = HttpClient().post(
        reverse("web:login"),
        {"username": "therapist.on.team", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.99",
        HTTP_USER_AGENT="Another/1",
    )

    assert response.status_code == 429


# ------------------------------------------------------------------ SEC-05: sessions


def test_the_session_key_changes_at_login(clinic: Clinic) -> None:
    """SEC-05: a session that existed before sign-in is not the one that is signed in."""
    http = HttpClient()
    anonymous = http.session
    anonymous["note"] = "before"
    anonymous.save()
    before = http.cookies[settings.SESSION_COOKIE_NAME].value

    password_login(http, clinic.therapist_on_team)
    after = http.cookies[settings.SESSION_COOKIE_NAME].value

    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_the_session_cookie_flags(clinic: Clinic) -> None:
    """SEC-05: the session cookie is HttpOnly and SameSite; the CSRF cookie too (Strict)."""
    http = HttpClient()
    http.get(reverse("web:login"))

    response = password_login(http, clinic.therapist_on_team)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]  # type: ignore[attr-defined]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # ends with the browser
    csrf = http.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Strict"


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_session_cookie_is_secure_when_configured(clinic: Clinic) -> None:
    """SEC-05: with secure cookies (production's default) the cookie is sent over HTTPS only."""
    response = password_login(HttpClient(), clinic.therapist_on_team)

    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"] is True  # type: ignore[attr-defined]


def test_the_old_cookie_gives_no_access_after_logout(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-05: logout ends the session on the server, so a copied cookie is worthless."""
    http = signed_in(clinic.therapist_on_team)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    assert http.get("/").status_code == 200

    http.post(reverse("web:logout"))
    thief = HttpClient()
    thief.cookies[settings.SESSION_COOKIE_NAME] = cookie

    home = thief.get("/")
    chart = thief.get(reverse("web:client_chart", args=[clinic.client_a.pk]))

    assert not Session.objects.filter(session_key=cookie).exists()
    assert (home.status_code, home["Location"]) == (302, LOGIN)
    assert (chart.status_code, chart["Location"]) == (302, LOGIN)


def test_logout_asks_the_browser_to_clear_its_copies(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-33, SEC-05: logout sends Clear-Site-Data for cache and storage."""
    response = signed_in(clinic.therapist_on_team).post(reverse("web:logout"))

    assert '"cache"' in response["Clear-Site-Data"]
    assert '"storage"' in response["Clear-Site-Data"]


# ------------------------------------------------------------------ SEC-06: time-outs


def test_an_idle_session_times_out(
    clinic: Clinic, clock: FrozenDateTimeFactory, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-06: after 15 idle minutes the next request gets 401 and the time-out is audited."""
    user = clinic.therapist_on_team
    http = signed_in(user)
    clock.tick(timedelta(minutes=14, seconds=59))
    assert http.get("/").status_code == 200  # still within the limit (and it resets it)
    clock.tick(timedelta(minutes=15, seconds=1))
    seq = last_seq()

    response = http.get(reverse("web:client_chart", args=[clinic.client_a.pk]))
    after = http.get("/")

    assert response.status_code == 401
    assert clinic.client_a.legal_last_name not in response.content.decode()
    (event,) = events_after(seq)
    assert (event.action, event.actor_id, event.detail) == (
        AuditAction.SESSION_TIMEOUT,
        user.pk,
        {"reason": "idle"},
    )
    assert (after.status_code, after["Location"]) == (302, LOGIN)


def test_an_active_session_ends_after_twelve_hours(
    clinic: Clinic, clock: FrozenDateTimeFactory, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-06: the absolute limit applies even to a session used every ten minutes."""
    user = clinic.therapist_on_team
    http = signed_in(user)
    for _ in range(12 * 6 - 1):
        clock.tick(timedelta(minutes=10))
        assert http.get("/").status_code == 200
    clock.tick(timedelta(minutes=10, seconds=1))  # 12 hours and 1 second after sign-in
    seq = last_seq()

    response = http.get("/")

    assert response.status_code == 401
    (event,) = events_after(seq)
    assert (event.action, event.detail) == (AuditAction.SESSION_TIMEOUT, {"reason": "absolute"})
    assert http.get("/")["Location"] == LOGIN


def test_a_timed_out_session_ends_even_when_the_audit_write_fails(
    clinic: Clinic,
    clock: FrozenDateTimeFactory,
    signed_in: Callable[[User], HttpClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SEC-06, REL-06: no data is served, and the expired session is gone all the same."""
    http = signed_in(clinic.therapist_on_team)
    http.raise_request_exception = False
    session_key = http.cookies[settings.SESSION_COOKIE_NAME].value
    clock.tick(timedelta(minutes=16))

    with monkeypatch.context() as patch:
        patch.setattr(AuditEvent, "save", broken_save)
        response = http.get(reverse("web:client_chart", args=[clinic.client_a.pk]))

    assert response.status_code == 500
    assert clinic.client_a.legal_last_name not in response.content.decode()
    assert not Session.objects.filter(session_key=session_key).exists()


def test_logout_ends_the_session_even_when_the_audit_write_fails(
    clinic: Clinic, signed_in: Callable[[User], HttpClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SEC-05: a sign-out never leaves a live session behind, audit store or not."""
    http = signed_in(clinic.therapist_on_team)
    http.raise_request_exception = False
    session_key = http.cookies[settings.SESSION_COOKIE_NAME].value

    with monkeypatch.context() as patch:
        patch.setattr(AuditEvent, "save", broken_save)
        response = http.post(reverse("web:logout"))

    assert response.status_code == 500
    assert not Session.objects.filter(session_key=session_key).exists()
    assert http.get("/")["Location"] == LOGIN


def broken_save(self: AuditEvent, *args: object, **kwargs: object) -> None:
    raise RuntimeError("audit store unavailable")


# ------------------------------------------------------------ SEC-07: revocation


def test_a_deactivated_account_is_signed_out_on_its_next_request(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-07: turning an account off ends its session on the very next request."""
    user = clinic.therapist_on_team
    http = signed_in(user)
    assert http.get("/").status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)
    home = http.get("/")
    chart = http.get(reverse("web:client_chart", args=[clinic.client_a.pk]))

    assert (home.status_code, home["Location"]) == (302, LOGIN)
    assert (chart.status_code, chart["Location"]) == (302, LOGIN)


def test_a_suspended_licence_removes_licensed_work_on_the_next_request(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-07: a licence suspended mid-session closes emergency access at the next request."""
    user = clinic.therapist_off_team
    http = signed_in(user)
    assert http.get(reverse("web:break_glass")).status_code == 200

    Licence.objects.filter(staff=user).update(status=LicenceStatus.SUSPENDED)
    response = http.get(reverse("web:break_glass"))

    assert response.status_code == 403


def test_an_expired_licence_removes_licensed_work_the_same_day(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-07: a licence that expired yesterday gives no care-team editing today."""
    user = clinic.therapist_on_team
    http = signed_in(user)
    care_team = reverse("web:care_team", args=[clinic.client_a.pk])
    assert http.get(care_team).status_code == 200

    Licence.objects.filter(staff=user).update(expires_on=timezone.localdate() - timedelta(days=1))
    response = http.get(care_team)

    assert response.status_code == 403


def test_leaving_the_care_team_closes_the_chart_on_the_next_request(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-07: ending a care-team membership ends chart access at once (404, like no client)."""
    user = clinic.psychiatrist
    http = signed_in(user)
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    assert http.get(chart).status_code == 200

    CareTeamMember.objects.filter(staff=user).update(end_on=timezone.localdate())
    response = http.get(chart)

    assert response.status_code == 404
    assert clinic.client_a.legal_last_name not in response.content.decode()


# ---------------------------------------------------------------- SEC-08: step-up


def test_break_the_glass_with_a_wrong_password_is_refused(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-08: emergency access needs the password again; the wrong one opens nothing."""
    user = clinic.therapist_off_team
    http = signed_in(user)
    seq = last_seq()

    response = http.post(
        reverse("web:break_glass"),
        {
            "mrn": clinic.client_b.mrn,
            "reason_code": "emergency",
            "reason_text": "Client called in crisis, team unavailable",
            "password": PASSWORD + "x",
        },
    )
    chart = http.get(reverse("web:client_chart", args=[clinic.client_b.pk]))

    assert response.status_code == 200
    assert "password is not correct" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert chart.status_code == 404
    assert actions_since(seq)[0] == AuditAction.BREAK_GLASS_DENIED


def test_break_the_glass_with_the_right_password_opens_the_chart(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-08 (control): the same request with the right password is granted."""
    http = signed_in(clinic.therapist_off_team)

    response = http.post(
        reverse("web:break_glass"),
        {
            "mrn": clinic.client_b.mrn,
            "reason_code": "emergency",
            "reason_text": "Client called in crisis, team unavailable",
            "password": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert http.get(reverse("web:client_chart", args=[clinic.client_b.pk])).status_code == 200
