"""Crisis episodes and follow-up tasks: start an episode (from the chart or an alert), add to its
timeline, record the disposition and discharge, complete follow-up tasks; the supervisor's list
of overdue follow-ups.

Every page reaches its episode or task through the client (``crisis.selectors``: a 404 outside
the access policy). Pages work without JavaScript; a refused input is shown next to its field
with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from alliance.assessments.models import CriticalAlert
from alliance.clients.models import Client
from alliance.clients.selectors import client_record_for
from alliance.crisis.models import CrisisEpisode, FollowUpTask
from alliance.crisis.selectors import (
    alert_for_crisis,
    episode_detail,
    episode_for,
    overdue_follow_ups_for_supervisor,
    task_for,
)
from alliance.crisis.services import (
    EpisodeChanged,
    TaskAlreadyClosed,
    crisis_action_add,
    crisis_close,
    crisis_discharge_record,
    crisis_start,
    follow_up_complete,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.web.crisis.forms import (
    CrisisActionForm,
    CrisisCloseForm,
    CrisisStartForm,
    DischargeForm,
    FollowUpCompleteForm,
)
from alliance.web.gate import requires
from alliance.web.util import actor_of, add_service_errors

# Where a completed follow-up task sends the clinician back to (never a URL from the request).
RETURN_TO = {"home": "web:home", "chart": "web:client_chart", "episode": "web:crisis_episode"}


def _episode_url(episode: CrisisEpisode) -> str:
    return reverse("web:crisis_episode", args=[episode.client_id, episode.pk])


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _start_page(
    request: HttpRequest, client: Client, alert: CriticalAlert | None = None
) -> HttpResponse:
    actor = actor_of(request)
    form = CrisisStartForm(request.POST or None, from_alert=alert is not None)
    if request.method == "POST" and form.is_valid():
        try:
            episode = crisis_start(
                actor=actor,
                client=client,
                source=form.cleaned_data.get("source", ""),
                presenting_concern=form.cleaned_data["presenting_concern"],
                started_at=form.cleaned_data["started_at"],
                alert=alert,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_episode_url(episode))
    return render(
        request,
        "crisis/start.html",
        {"client": client, "alert": alert, "form": form},
        status=_status(form),
    )


@requires(Capability.CHART_WRITE)
def start(request: HttpRequest, client_id: int) -> HttpResponse:
    """Start a crisis episode from the chart (a walk-in, a call, ...)."""
    client = client_record_for(
        actor=actor_of(request), client_id=client_id, capability=Capability.CHART_WRITE
    )
    return _start_page(request, client)


@requires(Capability.CHART_WRITE)
def start_from_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Start a crisis episode from a critical-item alert (its id in the path, not a query)."""
    actor = actor_of(request)
    alert = alert_for_crisis(actor=actor, alert_id=alert_id)
    client = client_record_for(
        actor=actor, client_id=alert.client_id, capability=Capability.CHART_WRITE
    )
    return _start_page(request, client, alert)


def _episode_page(
    request: HttpRequest,
    episode: CrisisEpisode,
    action_form: CrisisActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = episode_detail(episode=episode)
    if action_form is None and actor_of(request).has_capability(Capability.CHART_WRITE):
        action_form = CrisisActionForm(actions=detail.actions)
    return render(
        request,
        "crisis/episode.html",
        {
            "client": episode.client,
            "episode": episode,
            "detail": detail,
            "action_form": action_form,
        },
        status=status,
    )


@requires(Capability.CHART_READ)
def episode(request: HttpRequest, client_id: int, crisis_id: int) -> HttpResponse:
    """The episode: what started it, its timeline, its disposition and its follow-up tasks."""
    found = episode_for(actor=actor_of(request), client_id=client_id, episode_id=crisis_id)
    return _episode_page(request, found)


@requires(Capability.CHART_WRITE)
def action(request: HttpRequest, client_id: int, crisis_id: int) -> HttpResponse:
    """Add an entry to the timeline (the episode page holds the same form)."""
    actor = actor_of(request)
    found = episode_for(
        actor=actor,
        client_id=client_id,
        episode_id=crisis_id,
        capability=Capability.CHART_WRITE,
    )
    actions = episode_detail(episode=found).actions
    form = CrisisActionForm(request.POST or None, actions=actions)
    if request.method == "POST" and form.is_valid():
        try:
            crisis_action_add(
                actor=actor,
                episode=found,
                kind=form.cleaned_data["kind"],
                occurred_at=form.cleaned_data["occurred_at"],
                text=form.cleaned_data["text"],
                corrects=form.corrected(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_episode_url(found) + "#timeline-h")
    if request.method == "POST":
        return _episode_page(request, found, form, status=400)
    return render(
        request,
        "crisis/action.html",
        {"client": found.client, "episode": found, "form": form},
    )


def _episode_step(
    request: HttpRequest,
    client_id: int,
    crisis_id: int,
    *,
    form_class: type[forms.Form],
    template: str,
    ready: Callable[[CrisisEpisode], bool],
    save: Callable[[User, CrisisEpisode, dict[str, Any]], object],
) -> HttpResponse:
    """A one-time step of an episode (disposition, discharge). If it was taken meanwhile (or
    before the page was posted), the page shows what was saved beside what this person typed
    (kept) and saves nothing (REL-04)."""
    actor = actor_of(request)
    found = episode_for(
        actor=actor, client_id=client_id, episode_id=crisis_id, capability=Capability.CHART_WRITE
    )
    form = form_class(request.POST or None)
    conflict = None
    if request.method == "POST" and not ready(found):
        conflict = found
    elif request.method == "POST" and form.is_valid():
        try:
            save(actor, found, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except EpisodeChanged as changed:
            conflict = changed.current
        else:
            return redirect(_episode_url(found))
    return render(
        request,
        template,
        {"client": found.client, "episode": conflict or found, "form": form, "conflict": conflict},
        status=409 if conflict else _status(form),
    )


@requires(Capability.CHART_WRITE)
def close(request: HttpRequest, client_id: int, crisis_id: int) -> HttpResponse:
    """Record the disposition, which closes the episode."""
    return _episode_step(
        request,
        client_id,
        crisis_id,
        form_class=CrisisCloseForm,
        template="crisis/close.html",
        ready=lambda episode: episode.is_open,
        save=lambda actor, episode, data: crisis_close(
            actor=actor,
            episode=episode,
            disposition=data["disposition"],
            note=data["disposition_note"],
            facility=data["facility"],
            discharge_date=data["discharge_date"],
        ),
    )


@requires(Capability.CHART_WRITE)
def discharge(request: HttpRequest, client_id: int, crisis_id: int) -> HttpResponse:
    """Record the discharge from the emergency department or hospital."""
    return _episode_step(
        request,
        client_id,
        crisis_id,
        form_class=DischargeForm,
        template="crisis/discharge.html",
        ready=lambda episode: episode.awaits_discharge,
        save=lambda actor, episode, data: crisis_discharge_record(
            actor=actor, episode=episode, discharge_date=data["discharge_date"]
        ),
    )


def _return_url(request: HttpRequest, task: FollowUpTask) -> str:
    target = RETURN_TO.get(request.POST.get("return_to", ""), "web:crisis_episode")
    if target == "web:home":
        return reverse(target)
    if target == "web:client_chart":
        return reverse(target, args=[task.client_id])
    return reverse(target, args=[task.client_id, task.episode_id])


@requires(Capability.CHART_WRITE)
def follow_up(request: HttpRequest, client_id: int, follow_up_id: int) -> HttpResponse:
    """Complete a follow-up task, or mark it not needed with a reason."""
    actor = actor_of(request)
    task = task_for(actor=actor, client_id=client_id, task_id=follow_up_id)
    form = FollowUpCompleteForm(request.POST or None, prefix=f"t{task.pk}")
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_complete(
                actor=actor,
                task=task,
                status=form.status(request.POST),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except TaskAlreadyClosed as closed:
            conflict = closed.current
        else:
            return redirect(_return_url(request, task))
    status = 409 if conflict else _status(form)
    return render(
        request,
        "crisis/follow_up.html",
        {"client": task.client, "task": conflict or task, "form": form, "conflict": conflict},
        status=status,
    )


@requires(Capability.CHART_READ)
def overdue(request: HttpRequest) -> HttpResponse:
    """Overdue follow-up tasks of the clients of one's supervisees."""
    rows = overdue_follow_ups_for_supervisor(actor=actor_of(request))
    return render(request, "crisis/overdue.html", {"rows": rows})
