"""Staff configuration pages: the scope-of-practice table, from the code that enforces it;
two-factor enrolment links for staff without an authenticator (SEC-02)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from alliance.staff.capabilities import Capability
from alliance.staff.enrolment import mfa_enrolment_overview, mfa_invite_issue, staff_for_invite
from alliance.staff.selectors import scope_table
from alliance.web.gate import requires
from alliance.web.staff.forms import EnrolmentLinkForm
from alliance.web.util import actor_of


@requires(Capability.STAFF_ADMIN, Capability.AUDIT_REVIEW)
def scope_of_practice(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/scope.html", {"table": scope_table()})


def _enrolment_page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "rows": mfa_enrolment_overview(),
        "mfa_required": settings.REQUIRE_MFA,
        "link_hours": settings.MFA_ENROLMENT_LINK_HOURS,
        "error": error,
    }
    return render(request, "staff/mfa_enrolment.html", context, status=status)


@requires(Capability.STAFF_ADMIN)
@require_safe
def mfa_enrolment(request: HttpRequest) -> HttpResponse:
    """Who has an authenticator, who has an open enrolment link, and a button to issue one."""
    return _enrolment_page(request)


@requires(Capability.STAFF_ADMIN)
@require_POST
def mfa_link_issue(request: HttpRequest) -> HttpResponse:
    """Issue a single-use enrolment link; its address is shown on this response only."""
    form = EnrolmentLinkForm(request.POST)
    staff = staff_for_invite(form.cleaned_data["staff_id"]) if form.is_valid() else None
    if staff is None:
        raise Http404
    try:
        invite, token = mfa_invite_issue(actor=actor_of(request), staff=staff)
    except ValidationError as error:
        return _enrolment_page(request, error=error.messages[0], status=400)
    url = request.build_absolute_uri(
        reverse("web:mfa_enrol_link", kwargs={"enrolment_token": token})
    )
    context = {"staff": staff, "invite": invite, "url": url}
    return render(request, "staff/mfa_link_issued.html", context)
