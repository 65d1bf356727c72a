"""Sessions and progress notes: write a draft, sign it, add addenda, co-sign, withdraw.

Every page reaches its note through the client (``notes.selectors``, a 404 outside the access
policy, and for anyone but the author of a psychotherapy note). The draft page works without
JavaScript; ``web/notes.js`` only adds autosave, posting the same form to the same address
with the header ``X-Alliance-Autosave: 1`` and getting JSON back.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance.clients.selectors import client_record_for
from alliance.notes.cpt import cpt_label
from alliance.notes.formats import compared, displayed, format_of
from alliance.notes.models import Note, NoteTemplate
from alliance.notes.selectors import (
    latest_measures_for,
    note_detail,
    note_for,
    own_note_for,
    session_for,
)
from alliance.notes.services import (
    addendum_add,
    cpt_confirm,
    note_create,
    note_mark_entered_in_error,
    note_save,
    note_sign,
)
from alliance.notes.supervision import note_cosign, note_return
from alliance.notes.worklists import cosign_candidate_for, cosign_queue_for, unsigned_notes_for
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.capabilities import Capability
from alliance.web.documents import AddendumForm
from alliance.web.gate import requires
from alliance.web.notes.forms import (
    CosignForm,
    CptConfirmForm,
    EnteredInErrorForm,
    NoteContentForm,
    NoteCreateForm,
)
from alliance.web.plans.objectives import note_objectives_context, note_objectives_form
from alliance.web.signing import attempt_sign, attempt_with_password
from alliance.web.util import actor_of, add_service_errors, typed_at_version

AUTOSAVE_HEADER = "X-Alliance-Autosave"


def _view_url(note: Note) -> str:
    return reverse("web:note_view", args=[note.client_id, note.pk])


def _edit_url(note: Note) -> str:
    return reverse("web:note_edit", args=[note.client_id, note.pk])


def _note_context(note: Note) -> dict[str, Any]:
    return {
        "note": note,
        "client": note.client,
        "sections": displayed(note.template, note.content),
        "cpt_suggested_label": cpt_label(note.cpt_suggested) if note.cpt_suggested else "",
        "cpt_confirmed_label": cpt_label(note.cpt_confirmed) if note.cpt_confirmed else "",
    }


@requires(Capability.CHART_WRITE)
def create(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record a session and start its note from a template (or a note without a session)."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    source = request.POST if request.method == "POST" else request.GET
    encounter = None
    if source.get("encounter"):
        encounter = session_for(actor=actor, client=client, encounter_id=source["encounter"])
        if encounter is None:
            raise Http404
    initial = {}
    if request.GET.get("template") in NoteTemplate.values:
        initial["template"] = request.GET["template"]
    form = NoteCreateForm(
        request.POST or None, existing_session=encounter is not None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = note_create(
                actor=actor,
                client=client,
                template=form.cleaned_data["template"],
                session=form.session(),
                encounter=encounter,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_edit_url(note))
    return render(
        request,
        "notes/create.html",
        {"client": client, "form": form, "encounter": encounter},
        status=400 if form.is_bound and form.errors else 200,
    )


def _edit_page(
    request: HttpRequest,
    note: Note,
    form: NoteContentForm,
    status: int = 200,
    conflict: Note | None = None,
    saved: bool = False,
    plan_form: Any = None,
) -> HttpResponse:
    context = {
        **_note_context(note),
        "form": form,
        # alliance.plans: the treatment plan objectives this note addresses.
        "plan_form": plan_form or note_objectives_form(note),
        "conflict": conflict,
        "differences": compared(note.template, conflict.content, form.content())
        if conflict is not None
        else [],
        "saved": saved,
        "measures": latest_measures_for(client=note.client),
    }
    return render(request, "notes/edit.html", context, status=status)


@requires(Capability.CHART_WRITE)
def edit(request: HttpRequest, client_id: int, draft_id: int) -> HttpResponse:
    """The author's draft. A save from a stale version gets the conflict page (REL-04)."""
    actor = actor_of(request)
    autosave = request.headers.get(AUTOSAVE_HEADER) == "1"
    if request.method != "POST":
        note = own_note_for(actor=actor, client_id=client_id, note_id=draft_id)
        if not note.is_draft or note.in_error:
            return redirect(_view_url(note))
        form = NoteContentForm(
            format_of(note.template), initial={**note.content, "version": note.version}
        )
        return _edit_page(request, note, form, saved=request.GET.get("saved") == "1")

    note = own_note_for(actor=actor, client_id=client_id, note_id=draft_id)
    form = NoteContentForm(format_of(note.template), request.POST)
    plan_form = note_objectives_form(note, request.POST)  # alliance.plans
    if not note.is_draft or note.in_error:
        if autosave:
            return JsonResponse({"locked": True, "message": "This note is signed."}, status=409)
        return redirect(_view_url(note))
    if not form.is_valid() or (plan_form is not None and not plan_form.is_valid()):
        if autosave:
            return JsonResponse({"errors": ["The page is out of date: reload it."]}, status=400)
        return _edit_page(request, note, form, status=400, plan_form=plan_form)
    try:
        saved = note_save(
            actor=actor,
            note=note,
            values=form.content(),
            version=form.cleaned_data["version"],
            addressed=plan_form.entries() if plan_form is not None else None,
        )
    except StaleDraft as stale:
        if autosave:
            return JsonResponse(
                {
                    "conflict": True,
                    "message": "Someone else saved this draft. Press Save to see both texts.",
                },
                status=409,
            )
        # Keep what was typed, at the version now saved: saving again is then a deliberate
        # choice made after reading the other text (REL-04).
        data = typed_at_version(request, stale.current.version)
        form = NoteContentForm(format_of(note.template), data)
        form.is_valid()
        return _edit_page(
            request, stale.current, form, status=409, conflict=stale.current, plan_form=plan_form
        )
    except DocumentLocked:
        if autosave:
            return JsonResponse({"locked": True, "message": "This note is signed."}, status=409)
        return redirect(_view_url(note))
    except ValidationError as error:
        if autosave:
            return JsonResponse({"errors": error.messages}, status=400)
        add_service_errors(form, error)
        return _edit_page(request, note, form, status=400, plan_form=plan_form)
    if autosave:
        return JsonResponse({"version": saved.version, "saved_at": saved.updated_at.isoformat()})
    if "sign" in request.POST:
        return redirect("web:note_sign", client_id=saved.client_id, draft_id=saved.pk)
    return redirect(_edit_url(saved) + "?saved=1")


@requires(Capability.NOTE_SIGN)
def sign(request: HttpRequest, client_id: int, draft_id: int) -> HttpResponse:
    """Sign the draft as shown, with the password again (SEC-08); then it is locked (REL-01)."""
    actor = actor_of(request)
    note = own_note_for(actor=actor, client_id=client_id, note_id=draft_id)
    if not note.is_draft or note.in_error:
        return redirect(_view_url(note))
    attempt = attempt_sign(
        request,
        note,
        lambda **values: note_sign(actor=actor, note=note, **values),
    )
    if attempt.done:
        return redirect(_view_url(attempt.done))
    if attempt.invalid:
        add_service_errors(attempt.form, attempt.invalid)
    note = attempt.document
    context = {
        **_note_context(note),
        "form": attempt.form,
        "changed": attempt.changed,
        **note_objectives_context(note),  # alliance.plans
    }
    return render(request, "notes/sign.html", context, status=attempt.status)


def _view_page(
    request: HttpRequest, note: Note, cpt_form: CptConfirmForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    mine = note.author_id == actor.pk
    billable = note.encounter_id and not note.is_psychotherapy and not note.cpt_confirmed
    if cpt_form is None and mine and note.is_signed and not note.in_error and billable:
        cpt_form = CptConfirmForm(note.cpt_suggested)
    context = {
        **_note_context(note),
        "detail": note_detail(actor=actor, note=note),
        "mine": mine,
        "show_content": note.is_signed or mine,
        "cpt_form": cpt_form,
        "measures": latest_measures_for(client=note.client),
        **note_objectives_context(note),  # alliance.plans: objectives addressed, live progress
    }
    return render(request, "notes/view.html", context, status=status)


@requires(Capability.CHART_READ)
def view(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    """A note with its signature check, addenda and co-signature (read audited)."""
    note = note_for(
        actor=actor_of(request),
        client_id=client_id,
        note_id=note_id,
        capability=Capability.CHART_READ,
    )
    return _view_page(request, note)


@requires(Capability.NOTE_SIGN)
@require_POST
def cpt(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    """The author confirms the suggested CPT code or picks another."""
    actor = actor_of(request)
    note = own_note_for(actor=actor, client_id=client_id, note_id=note_id)
    form = CptConfirmForm(note.cpt_suggested, request.POST)
    if form.is_valid():
        try:
            cpt_confirm(actor=actor, note=note, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_view_url(note))
    return _view_page(request, note, cpt_form=form, status=400)


@requires(Capability.CHART_WRITE)
def addendum(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    """Add a signed addendum to a signed note (step-up, SEC-08)."""
    actor = actor_of(request)
    note = note_for(
        actor=actor, client_id=client_id, note_id=note_id, capability=Capability.CHART_WRITE
    )
    if not note.is_signed or note.in_error:
        return redirect(_view_url(note))
    form = AddendumForm(request.POST or None)
    if attempt_with_password(
        request,
        form,
        lambda data: addendum_add(
            actor=actor,
            note=note,
            text=data["text"],
            password=data["password"],
        ),
    ):
        return redirect(_view_url(note) + "#addenda-h")
    return render(
        request,
        "notes/addendum.html",
        {**_note_context(note), "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.CHART_WRITE)
def entered_in_error(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    """The author marks a note entered in error, with a reason; it is never deleted (REL-02)."""
    actor = actor_of(request)
    note = own_note_for(actor=actor, client_id=client_id, note_id=note_id)
    if note.in_error:
        return redirect(_view_url(note))
    form = EnteredInErrorForm(request.POST or None)
    if attempt_with_password(
        request,
        form,
        lambda data: note_mark_entered_in_error(
            actor=actor,
            note=note,
            reason=data["reason"],
            password=data["password"],
        ),
    ):
        return redirect(_view_url(note))
    return render(
        request,
        "notes/entered_in_error.html",
        {**_note_context(note), "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.NOTE_SIGN)
def cosign_queue(request: HttpRequest) -> HttpResponse:
    """Supervisees' signed notes waiting for the actor's co-signature."""
    notes = cosign_queue_for(actor=actor_of(request))
    return render(request, "notes/cosign_queue.html", {"notes": notes})


@requires(Capability.NOTE_SIGN)
def cosign(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    """A supervisor co-signs (password again) or returns the note with comments."""
    actor = actor_of(request)
    note = cosign_candidate_for(actor=actor, client_id=client_id, note_id=note_id)
    form = CosignForm(request.POST or None)

    def decide(data: dict[str, Any]) -> object:
        if data["decision"] == "cosign":
            return note_cosign(actor=actor, note=note, password=data["password"])
        return note_return(actor=actor, note=note, comment=data["comment"])

    if attempt_with_password(request, form, decide):
        return redirect("web:note_cosign_queue")
    context = {
        **_note_context(note),
        "form": form,
        "detail": note_detail(actor=actor, note=note),
        **note_objectives_context(note),  # alliance.plans
    }
    return render(
        request,
        "notes/cosign.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.CHART_WRITE)
def unsigned(request: HttpRequest) -> HttpResponse:
    """The actor's unsigned drafts (late after 72 hours) and notes returned to them."""
    rows = unsigned_notes_for(actor=actor_of(request))
    return render(request, "notes/unsigned.html", {"unsigned_notes": rows})
