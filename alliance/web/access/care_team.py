"""Care-team editing: who is on the client's team, in which role, since when."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.access.selectors import care_team_member_of, care_team_of
from alliance.access.services import care_team_add, care_team_end
from alliance.clients.models import Client
from alliance.clients.selectors import client_record_for
from alliance.staff.capabilities import Capability
from alliance.web.access.forms import CareTeamAddForm
from alliance.web.gate import requires
from alliance.web.util import actor_of, add_service_errors


@requires(Capability.CARE_TEAM_EDIT)
def care_team(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(
        actor=actor, client_id=client_id, capability=Capability.CARE_TEAM_EDIT
    )
    form = CareTeamAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            care_team_add(
                actor=actor,
                client=client,
                staff=form.cleaned_data["staff"],
                role=form.cleaned_data["role"],
                start_on=form.cleaned_data["start_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:care_team", client_id=client.pk)
    return _page(request, client, form)


def _page(
    request: HttpRequest,
    client: Client,
    form: CareTeamAddForm,
    end_error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    members = care_team_of(client=client)
    return render(
        request,
        "clients/care_team.html",
        {
            "client": client,
            "form": form,
            "current": [m for m in members if m.is_active_on(today)],
            "past": [m for m in members if not m.is_active_on(today)],
            "end_error": end_error,
        },
        status=status,
    )


@requires(Capability.CARE_TEAM_EDIT)
@require_POST
def care_team_member_end(request: HttpRequest, client_id: int, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(
        actor=actor, client_id=client_id, capability=Capability.CARE_TEAM_EDIT
    )
    member = care_team_member_of(client=client, member_id=member_id)
    if member is None:
        raise Http404
    try:
        care_team_end(actor=actor, member=member)
    except ValidationError as error:
        return _page(request, client, CareTeamAddForm(), " ".join(error.messages), status=400)
    return redirect("web:care_team", client_id=client.pk)
