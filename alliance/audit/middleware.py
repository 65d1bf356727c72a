"""Per request: the source address for the audit writer (no PHI, only the address), and the
reads the request's selectors recorded, written once when the response is known
(``audit.reads``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from alliance.audit.context import source_address
from alliance.audit.reads import reads_of_request


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = source_address.set(request.META.get("REMOTE_ADDR", "") or "unknown")
        try:
            with reads_of_request() as reads:
                response = self.get_response(request)
                if 300 <= response.status_code < 400 or response.status_code == 500:
                    reads.discard()  # nothing was shown: a redirect, or the error page
                else:
                    reads.flush()
            return response
        finally:
            source_address.reset(token)
