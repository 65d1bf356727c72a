"""The password asked again shares the sign-in lockout (SEC-04, SEC-08).

A wrong step-up password is a failed sign-in: at the limit the account locks, the session
ends and the lock is audited; while locked, even the right password signs nothing. Sign-in
itself counts failures per account and per address.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

import alliance
from alliance.access.models import BreakGlassGrant, BreakGlassReason
from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.notes.models import NoteStatus
from alliance.staff.models import User
from tests.notes.conftest import SOAP, draft
from tests.personas import PASSWORD, Clinic

SignedIn = Callable[[User], HttpClient]
ROOT = Path(alliance.__file__).parent
WEB = ROOT / "web"
LOGIN = reverse("web:login")
LIMIT = settings.AXES_FAILURE_LIMIT

# The shared helper that ends the session when a step-up locked the account, and the two
# central page helpers that call it for every signing and password-confirmed form.
SHARED_HELPER = "step_up_refused"
CENTRAL = {
    ("alliance/web/signing.py", "attempt_with_password"),
    ("alliance/web/signing.py", "attempt_sign"),
}

# Views that still handle StepUpFailed themselves without the helper. Each entry is a bug
# being fixed elsewhere: remove it when fixed (the census fails while an entry is stale).
PENDING: set[tuple[str, str]] = set()


def _handlers() -> list[tuple[str, str, ast.ExceptHandler]]:
    """Every ``except ... StepUpFailed ...`` in the web interface, with its module and function."""
    found: list[tuple[str, str, ast.ExceptHandler]] = []
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        relative = path.relative_to(ROOT.parent).as_posix()
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ExceptHandler) and node.type is not None:
                    names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                    names |= {n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)}
                    if "StepUpFailed" in names:
                        found.append((relative, function.name, node))
    return found


def _calls(node: ast.AST, name: str) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                return True
    return False


def test_every_step_up_failure_handler_ends_the_session_on_lock() -> None:
    """SEC-08 census: every view that catches ``StepUpFailed`` goes through the shared helper
    that ends the session when the account locked, so no page lets guessing go on."""
    handlers = _handlers()
    places = {(module, function) for module, function, _ in handlers}
    assert places >= CENTRAL, "the central sign helpers no longer catch StepUpFailed"
    missing = {
        (module, function)
        for module, function, handler in handlers
        if not any(_calls(statement, SHARED_HELPER) for statement in handler.body)
    }
    assert missing - PENDING == set(), (
        f"these views catch StepUpFailed without {SHARED_HELPER}(request, failed): {missing}"
    )
    assert missing >= PENDING, f"fixed now, remove from PENDING: {PENDING - missing}"


def test_every_step_up_caller_is_a_service_the_web_reaches_through_a_handler() -> None:
    """SEC-08 census: ``step_up(`` is called only from domain services (never a view), and
    ``check_password`` is not called outside the step-up module and the auth backend, so no
    password check escapes the lockout."""
    step_up_callers: list[str] = []
    password_checks: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent).as_posix()
        tree = ast.parse(path.read_text(), filename=str(path))
        if _calls(tree, "step_up"):
            step_up_callers.append(relative)
        if _calls(tree, "check_password"):
            password_checks.append(relative)
    assert step_up_callers, "the census found no step_up( call"
    assert not [p for p in step_up_callers if p.startswith("alliance/web/")]
    assert password_checks == ["alliance/staff/stepup.py"], password_checks


# ---------------------------------------------------------------------------- behaviour


def test_wrong_step_up_passwords_lock_the_account_and_end_the_session(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-04, SEC-08: the limit of wrong passwords at the sign page locks the account, ends
    the session (to the sign-in page, which says so) and audits the lock; afterwards the right
    password signs nothing and the account cannot sign in."""
    user = clinic.psychiatrist
    note = draft(user, clinic.client_a, content=SOAP)
    http = signed_in(user)
    url = reverse("web:note_sign", args=[note.client_id, note.pk])

    wrong = [
        http.post(url, {"version": note.version, "password": f"guess-{n}"}) for n in range(LIMIT)
    ]

    assert [r.status_code for r in wrong[:-1]] == [400] * (LIMIT - 1)
    assert (wrong[-1].status_code, wrong[-1]["Location"]) == (302, LOGIN)
    login_page = http.get(LOGIN)
    assert login_page.status_code == 200 and "locked" in login_page.content.decode()
    assert http.get(url)["Location"].startswith(LOGIN)  # the session is gone
    lock = AuditEvent.objects.get(action=AuditAction.LOCKOUT)
    assert (lock.actor_id, lock.outcome, lock.severity) == (user.pk, "denied", "high")

    again = signed_in(user)  # even a session that survived elsewhere cannot sign
    refused = again.post(url, {"version": note.version, "password": PASSWORD})
    assert refused.status_code == 302 and refused["Location"] == LOGIN
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    relogin = HttpClient().post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert relogin.status_code == 429


def test_break_glass_wrong_passwords_lock_the_account(clinic: Clinic, signed_in: SignedIn) -> None:
    """SEC-08, SEC-22: break-the-glass checks the password through the same lockout."""
    user = clinic.therapist_off_team
    http = signed_in(user)
    form = {
        "mrn": clinic.client_b.mrn,
        "reason_code": BreakGlassReason.CRISIS_CALL,
        "reason_text": "Walk-in in crisis, primary clinician unreachable",
    }
    url = reverse("web:break_glass")

    wrong = [http.post(url, {**form, "password": f"guess-{n}"}) for n in range(LIMIT)]

    assert all("That password is not correct." in r.content.decode() for r in wrong[:-1])
    assert (wrong[-1].status_code, wrong[-1]["Location"]) == (302, LOGIN)
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, actor_id=user.pk).count() == 1
    right = signed_in(user).post(url, {**form, "password": PASSWORD})
    assert (right.status_code, right["Location"]) == (302, LOGIN)
    assert not BreakGlassGrant.objects.exists()


def test_one_address_guessing_across_accounts_is_locked_out(clinic: Clinic) -> None:
    """SEC-04: failures count per address as well as per account: a few guesses at each of
    many accounts from one address stop at the limit, even for an account's right password."""
    users = [
        clinic.psychiatrist,
        clinic.therapist_on_team,
        clinic.therapist_off_team,
        clinic.it_admin,
    ]
    http = HttpClient(REMOTE_ADDR="203.0.113.7")
    statuses = [
        http.post(LOGIN, {"username": user.username, "password": f"guess-{n}"}).status_code
        for n in range(2)
        for user in users
    ]
    right = http.post(LOGIN, {"username": clinic.psychiatrist.username, "password": PASSWORD})
    elsewhere = HttpClient(REMOTE_ADDR="198.51.100.2").post(
        LOGIN, {"username": clinic.therapist_off_team.username, "password": PASSWORD}
    )

    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}
    assert right.status_code == 429
    assert elsewhere.status_code == 302  # that account was tried twice: not locked
