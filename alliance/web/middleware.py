"""Request gates: session time-outs (SEC-06), no-store caching (SEC-33), fail-closed views,
forms stored once (REL-05)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.db import Error as DatabaseFailure
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import decisions_cached
from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose
from alliance.audit.services import audit_record
from alliance.clients.selectors import client_exists
from alliance.config.admin_site import holds_admin_capability
from alliance.idempotency.services import (
    Claim,
    submission_claim,
    submission_complete,
    submission_release,
    submissions_purge,
    token_valid,
)
from alliance.web.gate import Gate, access_of
from alliance.web.safety.crisis import crisis_links
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


# ---------------------------------------------------------------- forms stored once (REL-05)

FORM_TOKEN_FIELD = "form_token"  # noqa: S105  (a field name, not a secret)
# The note editor's autosave posts the whole form in the background (web/notes.js): that is
# not the form being sent, so it neither spends the token nor gets a replay.
BACKGROUND_HEADER = "X-Alliance-Autosave"
# What a replay gives back besides the status and the body (and the cookies the view set).
REPLAYED_HEADERS = ("Content-Type", "Content-Disposition", "Location")
MAX_REPLAYED_BYTES = 5 * 1024 * 1024
# A page (not a redirect) is given back only this soon after it was first shown: it may show
# a client's record, and a later replay would skip the access policy of the day.
REPLAY_PAGE_WITHIN = timedelta(minutes=10)
PURGE_EVERY_SECONDS = 600.0

_SENT = "_alliance_form_sent"  # the request attribute holding the token it sent
_SUBMISSION = "_alliance_form_submission"

forms_logger = logging.getLogger("alliance.web.forms")


@dataclass
class _Submission:
    claim: Claim
    user_id: int | None
    failed: bool = False


def _form_token_of(request: HttpRequest) -> str | None:
    if request.method != "POST" or request.headers.get(BACKGROUND_HEADER):
        return None
    try:
        value = request.POST.get(FORM_TOKEN_FIELD)
    except (OSError, SuspiciousOperation, MultiPartParserError):
        return None  # a body Django cannot read is refused further in, as before
    return value if token_valid(value) else None


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _scope_of(request: HttpRequest) -> str:
    user_id = _user_id(request)
    if user_id is not None:
        return f"user:{user_id}"
    session = getattr(request, "session", None)
    return f"anon:{getattr(session, 'session_key', None) or ''}"


def _outcome(response: HttpResponse) -> bytes:
    """What the first submission answered, as a replay will give it back."""
    kept: dict[str, Any] = {
        "status": response.status_code,
        "headers": [[h, response[h]] for h in REPLAYED_HEADERS if response.has_header(h)],
        # A cookie the view set (a device bound to a safety-plan link) comes back too.
        "cookies": [
            [name, morsel.value, {k: morsel[k] for k in morsel if morsel[k]}]
            for name, morsel in response.cookies.items()
        ],
    }
    if not response.streaming and len(response.content) <= MAX_REPLAYED_BYTES:
        kept["body"] = base64.b64encode(response.content).decode("ascii")
    return json.dumps(kept).encode()


def _already_sent(request: HttpRequest) -> HttpResponse:
    """A copy whose first answer cannot be given back: say it was saved. A client (a public
    form) gets the crisis numbers, as on every page a client is turned away from."""
    signed_in = getattr(request.user, "is_authenticated", False)
    context = {} if signed_in else {"contacts": crisis_links()}
    return render(request, "web/errors/already_sent.html", context, status=409)


def _replay(request: HttpRequest, claim: Claim) -> HttpResponse:
    try:
        kept = json.loads(claim.replay or b"{}")
        status = int(kept["status"])
        body = base64.b64decode(kept["body"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        return _already_sent(request)
    is_redirect = 300 <= status < 400
    first_at = claim.first_at or timezone.now()
    if not is_redirect and timezone.now() - first_at > REPLAY_PAGE_WITHIN:
        return _already_sent(request)
    response = HttpResponse(body, status=status)
    for name, value in kept.get("headers", []):
        response[name] = value
    for name, value, attributes in kept.get("cookies", []):
        response.cookies[name] = value
        response.cookies[name].update(attributes)
    return response


class FormTokenMiddleware:
    """A form sent twice (a double click, a retry, a reload that posts again) is stored once,
    and the second copy gets the first one's answer (REL-05).

    A POST carrying a ``{% form_token %}`` runs in one transaction with the claim of its token
    (``alliance.idempotency.services``), made once CSRF and the capability gate have let the
    request through. How the request ends decides the claim:

    - the view answered below 400 (a redirect, a page, a PDF) with the same person signed in:
      the claim is completed with that answer, and a copy gets it back instead of running the
      view again; a copy sent meanwhile waits for this transaction, then gets the replay;
    - the view refused or showed the form again with its errors (4xx), or raised: the claim
      is released, the rest is committed as it would be without a token (the refusal's audit
      row, a failed password counted by the lockout), and the form can be sent again;
    - signing in or out (the person changed): released too, since a replay could not give back
      the session that the session middleware sets outside this transaction;
    - a server error (5xx): everything is rolled back, the view's work with the claim.

    A POST without a token (Django's admin, other clients) is served as before.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.purged_at = 0.0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _form_token_of(request)
        if token is None:
            return self.get_response(request)
        setattr(request, _SENT, token)
        with transaction.atomic():
            response = self.get_response(request)
            submission: _Submission | None = getattr(request, _SUBMISSION, None)
            if submission is not None:
                self._settle(request, submission, response)
        self._purge_now_and_then()
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        token: str | None = getattr(request, _SENT, None)
        if token is None:
            return None
        claim = submission_claim(scope=_scope_of(request), token=token)
        if claim.replay is not None:
            forms_logger.info("form sent again: the first submission's answer is given back")
            return _replay(request, claim)
        setattr(request, _SUBMISSION, _Submission(claim, _user_id(request)))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Listed after SessionEndedMiddleware, so this sees the exception before it is turned
        # into a redirect: a view that raised did not succeed, whatever the answer becomes.
        submission: _Submission | None = getattr(request, _SUBMISSION, None)
        if submission is not None:
            submission.failed = True

    def _settle(
        self, request: HttpRequest, submission: _Submission, response: HttpResponse
    ) -> None:
        if response.status_code >= 500:
            transaction.set_rollback(True)
        elif (
            submission.failed
            or response.status_code >= 400
            or _user_id(request) != submission.user_id
        ):
            submission_release(claim=submission.claim)
        else:
            submission_complete(claim=submission.claim, outcome=_outcome(response))

    def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self.purged_at < PURGE_EVERY_SECONDS:
            return
        self.purged_at = now
        try:
            submissions_purge()
        except DatabaseFailure as error:  # the answer is ready; the next purge catches up
            forms_logger.warning("old form submissions not purged (%s)", type(error).__name__)
