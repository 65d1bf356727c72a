"""Monitoring: ``/healthz`` for a load balancer or an uptime check (issue 15).

Public (a monitor has no account) and read-only; it names no one (``alliance.operations.health``).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from alliance.operations.health import health_report
from alliance.web.gate import public


@public
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, 503 when one fails; the checks and their figures as JSON."""
    report = health_report()
    return JsonResponse(report.as_json(), status=200 if report.ok else 503)
