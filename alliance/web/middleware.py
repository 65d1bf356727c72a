"""Request gates: session time-outs (SEC-06), no-store caching (SEC-33), fail-closed views."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render

from alliance.access import part2
from alliance.access.policy import decisions_cached
from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose
from alliance.audit.services import audit_record
from alliance.clients.selectors import client_exists
from alliance.config.admin_site import holds_admin_capability
from alliance.web.gate import Gate, access_of
from alliance.web.session import AUTH_AT, SEEN_AT, TOUCH_EVERY_SECONDS
from alliance.web.signing import SessionEnded

Handler = Callable[[HttpRequest], HttpResponse]


def mfa_satisfied(request: HttpRequest) -> bool:
    if not settings.REQUIRE_MFA:
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _record_refused_client(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """A role that may not open client records tried one: record it as denied (SEC-23, SEC-15).

    The policy's own refusals (404) are recorded by the selectors; this covers the pages a role
    cannot use at all, such as IT staff opening a chart by its address.
    """
    if "client_id" not in kwargs:
        return
    client_id = str(kwargs["client_id"])
    exists = client_id.isdigit() and client_exists(int(client_id))
    match = request.resolver_match
    is_chart = match is not None and match.url_name == "client_chart"
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditAction.CHART_VIEW if is_chart else AuditAction.RECORD_VIEW,
            client=int(client_id) if exists else None,
            object_type="clients.Client",
            object_id=client_id[:60],
            outcome=AuditOutcome.DENIED,
            detail={"refused": "role"},
        )


class SessionTimeoutMiddleware:
    """End a session after idle or absolute time limits; the user must sign in again."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            auth_at = float(request.session.get(AUTH_AT, 0))
            seen_at = float(request.session.get(SEEN_AT, 0))
            idle = now - seen_at > settings.IDLE_TIMEOUT.total_seconds()
            expired = now - auth_at > settings.ABSOLUTE_TIMEOUT.total_seconds()
            if idle or expired:
                try:
                    with transaction.atomic():
                        audit_record(
                            actor=request.user,
                            action=AuditAction.SESSION_TIMEOUT,
                            purpose=AuditPurpose.SYSTEM,
                            detail={"reason": "idle" if idle else "absolute"},
                        )
                finally:
                    # The session ends even if the audit write fails (that still errors).
                    logout(request)
                return render(
                    request,
                    "auth/timed_out.html",
                    {"reason": "idle" if idle else "absolute"},
                    status=401,
                )
            if now - seen_at > TOUCH_EVERY_SECONDS:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages may hold client data: never let a browser or proxy keep them (SEC-33)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response


class CapabilityGateMiddleware:
    """Serve only views that declare who may use them, and enforce that declaration.

    The Django admin (configuration) is reachable only by fully signed-in staff holding a
    configuration capability; its own permissions apply after that.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The policy may keep its "allowed" answers for the length of this request only, and
        # the selectors of Part 2 records learn once who is looking (``access.part2``).
        with decisions_cached(), part2.viewing_as(request.user):
            return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.app_name == "admin":
            return self._admin_gate(request)
        access = access_of(view)
        if access is None:
            return HttpResponseForbidden("This page has no access declaration.")
        if access.gate is Gate.PUBLIC:
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        if access.gate is Gate.SIGNED_IN:
            return None
        if access.gate is Gate.PASSWORD_ONLY:
            return redirect("web:home") if mfa_satisfied(request) else None
        if not mfa_satisfied(request):
            return redirect("web:mfa")
        if access.gate is Gate.STAFF:
            return None
        if any(user.has_capability(c) for c in access.capabilities):
            return None
        _record_refused_client(request, kwargs)
        return render(request, "web/errors/403.html", status=403)

    def _admin_gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        if not mfa_satisfied(request):
            return redirect("web:mfa")
        if not holds_admin_capability(user):
            return render(request, "web/errors/403.html", status=403)
        return None


class SessionEndedMiddleware:
    """A page that ended the session (a step-up that locked the account, SEC-08) goes to the
    sign-in page, which shows why (``alliance.web.signing.step_up_refused``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SessionEnded):
            return redirect(settings.LOGIN_URL)
        return None
