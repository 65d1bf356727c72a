"""Sign in with password and a TOTP second factor; sign out (SEC-02, SEC-04, SEC-05)."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.services import audit_record
from alliance.staff.models import TotpDevice
from alliance.web.auth.forms import LoginForm, TokenForm
from alliance.web.gate import password_only, public, signed_in
from alliance.web.session import AUTH_AT, SEEN_AT
from alliance.web.signing import lockout_message
from alliance.web.util import actor_of

ENROL_SESSION_KEY = "alliance_enrolling_device"


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
            login(request, user)  # rotates the session key (SEC-05)
            now = time.time()
            request.session[AUTH_AT] = now
            request.session[SEEN_AT] = now
            _audit(request, AuditAction.LOGIN)
            return redirect("web:mfa" if settings.REQUIRE_MFA else "web:home")
    return render(request, "auth/login.html", {"form": form}, status=status)


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
    """Ask for the code; staff without a confirmed device enrol one first."""
    user = actor_of(request)
    device = TotpDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = _enrolment_device(request)
    assert device is not None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = TotpDevice.objects.select_for_update().get(pk=device.pk)
            verified = locked.verify_token(form.cleaned_data["token"])
        if verified:
            if enrolling:
                TotpDevice.objects.filter(pk=device.pk).update(
                    confirmed=True, confirmed_at=timezone.now()
                )
                request.session.pop(ENROL_SESSION_KEY, None)
                _audit(request, AuditAction.MFA_ENROLLED, severity=AuditSeverity.HIGH)
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
