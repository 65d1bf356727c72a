"""Staff configuration pages: the scope-of-practice table, from the code that enforces it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.staff.capabilities import Capability
from alliance.staff.selectors import scope_table
from alliance.web.gate import requires


@requires(Capability.STAFF_ADMIN, Capability.AUDIT_REVIEW)
def scope_of_practice(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/scope.html", {"table": scope_table()})
