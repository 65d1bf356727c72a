"""Sign in with password and a TOTP second factor; sign out (SEC-02, SEC-04, SEC-05).

With ``ALLIANCE_REQUIRE_MFA`` a first authenticator is enrolled only after opening the
single-use link a staff administrator issued and typing the password there
(``alliance.staff.enrolment``); the password alone leads to a page that says so.
"""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.services import audit_record
from alliance.staff.enrolment import (
    InviteUnusable,
    mfa_device_enrol,
    mfa_enrolment_invite,
    mfa_invite_confirm,
    mfa_invite_open,
)
from alliance.staff.models import TotpDevice, User
from alliance.staff.stepup import StepUpFailed
from alliance.web.auth.forms import EnrolmentPasswordForm, LoginForm, TokenForm
from alliance.web.gate import password_only, public, signed_in
from alliance.web.session import AUTH_AT, SEEN_AT
from alliance.web.signing import WRONG_PASSWORD, lockout_message, step_up_refused
from alliance.web.util import actor_of

ENROL_SESSION_KEY = "alliance_enrolling_device"
# The enrolment link this session opened with the password (its id; the token is not kept).
INVITE_SESSION_KEY = "alliance_enrolment_invite"
STAFF_BACKEND = "alliance.staff.auth_backend.StaffBackend"


def _audit(request: HttpRequest, action: AuditAction, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=request.user, action=action, purpose=AuditPurpose.SYSTEM, **kwargs)


@public
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip().lower()
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            locked = bool(getattr(request, "axes_locked_out", False))
            with transaction.atomic():
                audit_record(
                    actor=None,
                    actor_username=username,
                    action=AuditAction.LOCKOUT if locked else AuditAction.LOGIN_FAILED,
                    purpose=AuditPurpose.SYSTEM,
                    outcome=AuditOutcome.DENIED,
                    severity=AuditSeverity.HIGH if locked else AuditSeverity.NORMAL,
                )
            if locked:
                form.add_error(None, lockout_message())
                status = 429
            else:
                form.add_error(None, "That username and password do not match an account.")
        else:
            _start_session(request, user)
            _audit(request, AuditAction.LOGIN)
            return redirect("web:mfa" if settings.REQUIRE_MFA else "web:home")
    return render(request, "auth/login.html", {"form": form}, status=status)


def _start_session(request: HttpRequest, user: User, backend: str | None = None) -> None:
    login(request, user, backend=backend)  # rotates the session key (SEC-05)
    now = time.time()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes hook: keep our own page (which says so), with 429 Too Many Requests."""
    if original_response is not None:
        original_response.status_code = 429
        return original_response
    return render(request, "auth/login.html", {"form": LoginForm()}, status=429)


@password_only
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Ask for the code; staff without a confirmed device enrol one first (with a link)."""
    user = actor_of(request)
    device = TotpDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    invite = None
    if enrolling:
        try:
            invite = mfa_enrolment_invite(
                staff=user, invite_id=request.session.get(INVITE_SESSION_KEY)
            )
        except InviteUnusable:
            return render(request, "auth/mfa_needs_link.html", status=403)
        device = _enrolment_device(request)
    assert device is not None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = TotpDevice.objects.select_for_update().get(pk=device.pk)
            verified = locked.verify_token(form.cleaned_data["token"])
        if verified:
            if enrolling:
                try:
                    mfa_device_enrol(actor=user, device=locked, invite=invite)
                except InviteUnusable:
                    return render(request, "auth/mfa_needs_link.html", status=403)
                request.session.pop(ENROL_SESSION_KEY, None)
                request.session.pop(INVITE_SESSION_KEY, None)
            locked.refresh_from_db()
            otp_login(request, locked)
            _audit(request, AuditAction.MFA_VERIFIED)
            return redirect("web:home")
        _audit(request, AuditAction.MFA_FAILED, outcome=AuditOutcome.DENIED)
        form.add_error("token", "That code is not right, or it was already used. Try the next one.")
    context: dict[str, Any] = {"form": form, "enrolling": enrolling}
    if enrolling:
        uri = device.provisioning_uri(user.get_username())
        context["qr_svg"] = segno.make(uri, error="m").svg_inline(scale=4)
        context["secret"] = device.base32_key
    return render(request, "auth/mfa.html", context)


def _enrolment_device(request: HttpRequest) -> TotpDevice:
    """The unconfirmed device this session is enrolling (kept across a wrong code)."""
    user = actor_of(request)
    device_id = request.session.get(ENROL_SESSION_KEY)
    device = TotpDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = TotpDevice.new_for(user)
        device.save()
        request.session[ENROL_SESSION_KEY] = device.pk
    return device


@public
@require_http_methods(["GET", "HEAD", "POST"])
def enrolment_link_view(request: HttpRequest, enrolment_token: str) -> HttpResponse:
    """A staff administrator's enrolment link: with the account's password, it signs the person
    in to the second-factor page, where they enrol their authenticator (SEC-02).

    GET and HEAD only show the page (a mail scanner or a chat preview spends nothing); the
    password's POST opens the way. The token is not kept: the session holds the link's id.
    """
    form = EnrolmentPasswordForm(request.POST if request.method == "POST" else None)
    try:
        invite = mfa_invite_open(token=enrolment_token)
    except InviteUnusable as refused:
        status = 404 if refused.reason == "unknown" else 410
        return render(
            request, "auth/enrol_link_refused.html", {"reason": refused.reason}, status=status
        )
    if form.is_valid():
        try:
            mfa_invite_confirm(invite=invite, password=form.cleaned_data["password"])
        except StepUpFailed as failed:
            step_up_refused(request, failed)
            form.add_error("password", WRONG_PASSWORD)
        else:
            _start_session(request, invite.staff, backend=STAFF_BACKEND)
            request.session[INVITE_SESSION_KEY] = invite.pk
            return redirect("web:mfa")
    context = {"form": form, "staff": invite.staff, "expires_at": invite.expires_at}
    status = 400 if form.is_bound else 200
    return render(request, "auth/enrol_link.html", context, status=status)


@signed_in
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    try:
        _audit(request, AuditAction.LOGOUT)
    finally:
        # Flushes the server-side session even when the audit write fails (the failure still
        # shows as an error): a sign-out that leaves the session alive is the worse outcome.
        logout(request)
    response = redirect("web:login")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response
