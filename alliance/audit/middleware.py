"""Record the request's source address for the audit writer (no PHI, only the address)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from alliance.audit.context import source_address


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = source_address.set(request.META.get("REMOTE_ADDR", "") or "unknown")
        try:
            return self.get_response(request)
        finally:
            source_address.reset(token)
