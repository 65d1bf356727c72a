"""Signing a draft with the password again (SEC-08), the same way for every signed document.

A progress note, a risk assessment and a mandated report are signed alike: the signer sees the
draft, types their password, and the service locks the document. Three things can go wrong,
and each kind of document answers them the same way: a wrong password is shown next to the
field; a draft saved by someone else since it was shown is shown again, newer, with a 409 and
nothing signed (REL-04); a document someone signed first is simply shown, signed.

A wrong password counts towards the sign-in lockout (SEC-04, SEC-08). Every page that asks for
the password again handles ``StepUpFailed`` through ``step_up_refused``: when the failure locked
the account (or it was locked already), the session ends and the browser goes to the sign-in
page, which says the account is locked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.stepup import StepUpFailed
from alliance.web.documents import SignForm
from alliance.web.util import add_service_errors

WRONG_PASSWORD = "That password is not correct."  # noqa: S105 - a message, not a password


def lockout_message() -> str:
    """What the sign-in page says about a locked account."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed attempts: this account is locked for {minutes} minutes. "
        "Ask your administrator if you need access sooner."
    )


class SessionEnded(Exception):
    """The session was ended in the middle of a page (``SessionEndedMiddleware`` redirects)."""


def step_up_refused(request: HttpRequest, failed: StepUpFailed) -> None:
    """Handle a refused step-up: return for a wrong password (the page says so next to the
    field); when the account is locked, end the session and raise ``SessionEnded``, which sends
    the browser to the sign-in page with the lockout message.
    """
    if not failed.locked:
        return
    logout(request)
    messages.error(request, lockout_message())
    raise SessionEnded


@dataclass
class SignAttempt:
    """What became of a sign page's request (a GET is an attempt not yet made)."""

    form: SignForm
    document: Any  # the draft as it now stands (the newer one after another save)
    signed: Any = None  # the signed document, when the signature was made
    locked: bool = False  # signed by someone first: show the signed document
    changed: bool = False  # saved by someone else since it was shown: show it again
    invalid: ValidationError | None = None  # the service found the draft incomplete

    @property
    def done(self) -> Any:
        """The document to show signed: ours, or the one someone signed first; else None."""
        return self.signed or (self.document if self.locked else None)

    @property
    def status(self) -> int:
        """409 for a draft that changed, 400 for errors on the form, else 200."""
        if self.changed:
            return 409
        return 400 if self.form.is_bound and self.form.errors else 200


def attempt_with_password(
    request: HttpRequest, form: Any, act: Callable[[dict[str, Any]], object]
) -> bool:
    """For a posted, valid ``form``, run ``act(cleaned_data)``: a service that asks for the
    password again (an addendum, entered in error, closing a plan). A wrong password is shown
    next to the password field, a service's refusal next to its fields. True when it was done.
    """
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        act(form.cleaned_data)
    except StepUpFailed as failed:
        step_up_refused(request, failed)
        form.add_error("password", WRONG_PASSWORD)
    except ValidationError as error:
        add_service_errors(form, error)
    else:
        return True
    return False


def attempt_sign(request: HttpRequest, document: Any, sign: Callable[..., Any]) -> SignAttempt:
    """Sign ``document`` when the request posts a valid form.

    ``sign(version=..., password=...)`` is the document's signing service; like every
    document service of the records kernel it raises ``StaleDraft`` (holding the newer draft as
    ``current``) or ``DocumentLocked`` (signed first by someone else).
    """
    form = SignForm(request.POST or None, initial={"version": document.version})
    attempt = SignAttempt(form, document)
    if request.method != "POST" or not form.is_valid():
        return attempt
    try:
        attempt.signed = sign(
            version=form.cleaned_data["version"], password=form.cleaned_data["password"]
        )
    except StepUpFailed as failed:
        step_up_refused(request, failed)
        form.add_error("password", WRONG_PASSWORD)
    except StaleDraft as error:
        attempt.document = error.current
        attempt.changed = True
        attempt.form = SignForm(initial={"version": attempt.document.version})
    except DocumentLocked:
        attempt.locked = True
    except ValidationError as error:
        attempt.invalid = error
    return attempt
