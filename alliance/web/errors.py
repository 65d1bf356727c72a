"""Error pages that never show PHI, stack traces or whether a client exists."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def handler_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/errors/404.html", status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without a valid token (SEC-35), usually one left open across a sign-in.

    Django's own page has inline styles (refused by the CSP) and speaks to developers.
    """
    return render(request, "web/errors/csrf.html", status=403)


def handler_500(request: HttpRequest) -> HttpResponse:
    """The server error page says only what is known (issue 15). A form Alliance rendered
    saves all of its work or none of it, and never twice (``FormTokenMiddleware``), but this
    page cannot tell which happened: the error may have come after the commit, or the commit
    itself may have failed. So it asks the user to look before entering anything again.
    """
    # No request context: the failure may be the database the context processors read.
    body = loader.render_to_string("web/errors/500.html", {"clinic_name": settings.CLINIC_NAME})
    return HttpResponse(body, status=500)
