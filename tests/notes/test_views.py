"""The notes pages: drafts without JavaScript, autosave, conflicts, signing, co-signature."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

import alliance.web
from alliance.access.models import BreakGlassGrant, BreakGlassReason
from alliance.audit.models import AuditEvent
from alliance.notes.models import CosignStatus, Encounter, Note, NoteStatus
from alliance.notes.services import note_create, note_save
from alliance.notes.timeline import timeline_for_chart
from alliance.notes.worklists import unsigned_notes_for
from alliance.staff.models import User
from alliance.web.session import SEEN_AT
from tests.notes.conftest import SOAP, draft, signed
from tests.personas import PASSWORD, Clinic

SignedIn = Callable[[User], HttpClient]
AUTOSAVE = {"HTTP_X_ALLIANCE_AUTOSAVE": "1"}


def edit_url(note: Note) -> str:
    return reverse("web:note_edit", args=[note.client_id, note.pk])


def view_url(note: Note) -> str:
    return reverse("web:note_view", args=[note.client_id, note.pk])


def fresh(note: Note) -> Note:
    return Note.all_kinds.get(pk=note.pk)


# ---------------------------------------------------------------------------- create, edit


def test_a_session_and_draft_are_created_from_the_form(clinic: Clinic, signed_in: SignedIn) -> None:
    """SEC-11: the author and client come from the session and the URL; posted ones are
    ignored."""
    http = signed_in(clinic.therapist_on_team)
    url = reverse("web:note_create", args=[clinic.client_a.pk])
    assert http.get(url).status_code == 200

    response = http.post(
        url,
        {
            "template": "birp",
            "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "start_time": "14:00",
            "end_time": "14:45",
            "encounter_type": "family",
            "setting": "telehealth_video",
            "participants": "Mother (collateral)\nStepfather",
            "client_present": "on",
            "author": clinic.psychiatrist.pk,
            "client": clinic.client_b.pk,
            "client_id": clinic.client_b.pk,
        },
    )

    note = Note.all_kinds.get()
    assert response.status_code == 302 and response["Location"] == edit_url(note)
    assert (note.author_id, note.client_id, note.template) == (
        clinic.therapist_on_team.pk,
        clinic.client_a.pk,
        "birp",
    )
    encounter = Encounter.objects.get()
    assert encounter.participants == ["Mother (collateral)", "Stepfather"]
    assert encounter.duration_minutes == 45


def test_the_create_form_needs_the_session_unless_there_is_none(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    http = signed_in(clinic.therapist_on_team)
    url = reverse("web:note_create", args=[clinic.client_a.pk])

    missing = http.post(url, {"template": "soap"})
    none = http.post(url, {"template": "free_text", "no_session": "on"})

    assert missing.status_code == 400
    assert "Needed to record the session." in missing.content.decode()
    assert none.status_code == 302
    assert Note.all_kinds.get().encounter_id is None


def test_a_draft_is_saved_without_javascript_and_posted_owner_fields_are_ignored(
    clinic: Clinic, soap_draft: Note, signed_in: SignedIn
) -> None:
    """SEC-11, REL-03: a plain form POST saves the sections; ``client``/``author`` do nothing."""
    http = signed_in(clinic.therapist_on_team)
    page = http.get(edit_url(soap_draft)).content.decode()
    assert 'name="version" value="2"' in page
    assert 'src="/static/web/notes.js"' in page and "data-autosave" in page

    response = http.post(
        edit_url(soap_draft),
        {
            **SOAP,
            "plan": "Review in one week.",
            "version": "2",
            "client": clinic.client_b.pk,
            "author": clinic.psychiatrist.pk,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == edit_url(soap_draft) + "?saved=1"
    note = fresh(soap_draft)
    assert (note.version, note.content["plan"]) == (3, "Review in one week.")
    assert (note.client_id, note.author_id) == (clinic.client_a.pk, clinic.therapist_on_team.pk)


def test_two_browsers_on_one_draft_the_second_gets_the_conflict_page(
    clinic: Clinic, soap_draft: Note, signed_in: SignedIn
) -> None:
    """REL-04: both open version 2; the second save shows both texts and loses nothing."""
    first, second = signed_in(clinic.therapist_on_team), signed_in(clinic.therapist_on_team)
    assert first.get(edit_url(soap_draft)).status_code == 200
    assert second.get(edit_url(soap_draft)).status_code == 200

    saved = first.post(edit_url(soap_draft), {**SOAP, "plan": "Plan from tab one", "version": 2})
    conflict = second.post(
        edit_url(soap_draft), {**SOAP, "plan": "Plan from tab two", "version": 2}
    )

    assert saved.status_code == 302
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Someone else saved this draft" in html
    assert "Plan from tab one" in html and "Plan from tab two" in html
    assert 'name="version" value="3"' in html  # the form now carries the saved version
    assert fresh(soap_draft).content["plan"] == "Plan from tab one"

    merged = second.post(
        edit_url(soap_draft), {**SOAP, "plan": "Plan from tab one; and two", "version": 3}
    )

    assert merged.status_code == 302
    assert fresh(soap_draft).content["plan"] == "Plan from tab one; and two"


def test_autosave_posts_the_same_form_and_answers_json(
    clinic: Clinic, soap_draft: Note, signed_in: SignedIn
) -> None:
    """REL-04: autosave moves the version on; a stale autosave is a 409 and writes nothing."""
    http = signed_in(clinic.therapist_on_team)

    ok = http.post(edit_url(soap_draft), {**SOAP, "plan": "typed", "version": 2}, **AUTOSAVE)
    stale = http.post(edit_url(soap_draft), {**SOAP, "plan": "older", "version": 2}, **AUTOSAVE)

    assert ok.status_code == 200 and ok.json()["version"] == 3
    assert stale.status_code == 409 and stale.json()["conflict"] is True
    assert fresh(soap_draft).content["plan"] == "typed"


def test_a_psychotherapy_note_refusal_is_shown_on_the_form_and_by_autosave(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-18: the refusal names what belongs in the record; the text typed stays in the form."""
    note = draft(clinic.therapist_on_team, clinic.client_a, template="psychotherapy")
    http = signed_in(clinic.therapist_on_team)
    data = {"process": "Session started at 10:05; PHQ-9 was 12.", "hypotheses": "", "version": 1}

    page = http.post(edit_url(note), data)
    auto = http.post(edit_url(note), data, **AUTOSAVE)

    assert page.status_code == 400
    html = page.content.decode()
    assert "session start or stop times" in html and "results of tests or measures" in html
    assert "Session started at 10:05" in html
    assert auto.status_code == 400
    assert any("SEC-18" in message for message in auto.json()["errors"])
    assert fresh(note).content["process"] == ""


def test_a_draft_survives_a_session_time_out(
    clinic: Clinic, soap_draft: Note, signed_in: SignedIn
) -> None:
    """The draft is in the database: after the time-out and a new sign-in, the unsigned list
    leads back to it with its text."""
    http = signed_in(clinic.therapist_on_team)
    http.post(edit_url(soap_draft), {**SOAP, "plan": "Half-written plan", "version": 2})
    session = http.session
    session[SEEN_AT] = time.time() - settings.IDLE_TIMEOUT.total_seconds() - 60
    session.save()

    timed_out = http.post(edit_url(soap_draft), {**SOAP, "plan": "lost?", "version": 3})
    assert timed_out.status_code == 401

    again = signed_in(clinic.therapist_on_team)
    listing = again.get(reverse("web:unsigned_notes")).content.decode()
    assert edit_url(soap_draft) in listing
    assert "Half-written plan" in again.get(edit_url(soap_draft)).content.decode()


# ---------------------------------------------------------------------------------- signing


def test_sign_with_the_password_then_the_note_is_locked(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-08, REL-01: wrong password → nothing signed; then signed, and edits go nowhere."""
    note = draft(clinic.psychiatrist, clinic.client_a, content=SOAP)
    http = signed_in(clinic.psychiatrist)
    url = reverse("web:note_sign", args=[note.client_id, note.pk])
    assert "Read the note before you sign it" in http.get(url).content.decode()

    wrong = http.post(url, {"version": note.version, "password": "nope"})
    right = http.post(url, {"version": note.version, "password": PASSWORD})

    assert wrong.status_code == 400 and "That password is not correct." in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == view_url(note)
    signed_note = fresh(note)
    assert signed_note.status == NoteStatus.SIGNED
    assert http.get(edit_url(note))["Location"] == view_url(note)
    attempt = http.post(edit_url(note), {**SOAP, "plan": "changed", "version": 3})
    assert attempt.status_code == 302
    assert fresh(note).content == signed_note.content
    page = http.get(view_url(note)).content.decode()
    assert "signature verified" in page
    assert "90834" in page  # the suggested code, awaiting confirmation


def test_the_sign_page_refuses_a_version_changed_meanwhile(
    clinic: Clinic, soap_draft: Note, signed_in: SignedIn
) -> None:
    """REL-04: what is signed is what was read; a newer save sends the signer back to read."""
    http = signed_in(clinic.therapist_on_team)
    url = reverse("web:note_sign", args=[soap_draft.client_id, soap_draft.pk])
    http.post(edit_url(soap_draft), {**SOAP, "plan": "late change", "version": 2})

    response = http.post(url, {"version": 2, "password": PASSWORD})

    assert response.status_code == 409
    assert "late change" in response.content.decode()
    assert fresh(soap_draft).status == NoteStatus.DRAFT


def test_a_tampered_note_shows_a_warning(
    clinic: Clinic, signed_note: Note, signed_in: SignedIn
) -> None:
    """REL-01: the signature is checked on read and a mismatch is shown, not hidden."""
    from django.db import connection

    from alliance.notes.guards import install_note_guards, remove_note_guards

    remove_note_guards(connection)
    try:
        Note.all_kinds.filter(pk=signed_note.pk).update(content={**SOAP, "plan": "Altered"})
    finally:
        install_note_guards(connection)

    page = signed_in(clinic.therapist_on_team).get(view_url(signed_note)).content.decode()

    assert "no longer matches its signature" in page
    assert "signature verified" not in page


def test_addendum_entered_in_error_and_cpt_through_the_pages(
    clinic: Clinic, signed_note: Note, signed_in: SignedIn
) -> None:
    """REL-01, REL-02: addenda show under the note; entered in error keeps it, marked."""
    author = signed_in(clinic.psychiatrist)
    colleague = signed_in(clinic.therapist_on_team)
    args = [signed_note.client_id, signed_note.pk]

    added = colleague.post(
        reverse("web:note_addendum", args=args),
        {"text": "Client called to reschedule.", "password": PASSWORD},
    )
    confirmed = author.post(reverse("web:note_cpt", args=args), {"code": "90834"})
    withdrawn = author.post(
        reverse("web:note_entered_in_error", args=args),
        {"reason": "Documented for the wrong date", "password": PASSWORD},
    )

    assert added.status_code == confirmed.status_code == withdrawn.status_code == 302
    page = author.get(view_url(signed_note)).content.decode()
    assert "Client called to reschedule." in page
    assert "Documented for the wrong date" in page
    assert "Confirmed: <strong>90834</strong>" in page
    assert fresh(signed_note).in_error


# ------------------------------------------------------------------------------ supervision


def test_cosign_queue_and_decision_pages(clinic: Clinic, signed_in: SignedIn) -> None:
    note = signed(clinic.therapist_on_team, clinic.client_a)
    supervisor = signed_in(clinic.supervisor)
    cosign_url = reverse("web:note_cosign", args=[note.client_id, note.pk])

    queue = supervisor.get(reverse("web:note_cosign_queue")).content.decode()
    assert cosign_url in queue
    no_password = supervisor.post(cosign_url, {"decision": "cosign"})
    done = supervisor.post(cosign_url, {"decision": "cosign", "password": PASSWORD})

    assert no_password.status_code == 400
    assert done.status_code == 302
    assert fresh(note).cosign_status == CosignStatus.COSIGNED
    assert cosign_url not in supervisor.get(reverse("web:note_cosign_queue")).content.decode()


# ---------------------------------------------------------------------- psychotherapy notes


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("therapist_on_team", 200),
        ("supervisor", 404),
        ("psychiatrist", 404),
        ("peer_specialist", 404),
        ("therapist_off_team", 404),  # with a live break-the-glass grant
        ("privacy_officer", 403),
        ("it_admin", 403),
        ("front_desk", 403),
    ],
)
def test_a_psychotherapy_note_page_opens_for_its_author_only(
    persona: str, status: int, clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-16, SEC-22, SEC-15: supervisor, colleagues, break-the-glass → 404; roles without
    clinical access → 403; on every page of the note."""
    note = signed(
        clinic.therapist_on_team,
        clinic.client_a,
        template="psychotherapy",
        content={"process": "Canary-quince: my own unease today."},
    )
    now = timezone.now()
    BreakGlassGrant.objects.create(
        actor=clinic.therapist_off_team,
        client=clinic.client_a,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Crisis call, team unreachable",
        granted_at=now,
        expires_at=now + timedelta(hours=1),
    )
    http = signed_in(getattr(clinic, persona))
    args = [note.client_id, note.pk]

    page = http.get(reverse("web:note_view", args=args))
    assert page.status_code == status
    assert ("Canary-quince" in page.content.decode()) == (status == 200)
    if status != 200:
        for name in ("note_addendum", "note_cosign", "note_entered_in_error"):
            assert http.get(reverse(f"web:{name}", args=args)).status_code == status


def test_the_psychotherapy_note_is_in_no_chart_list_or_queue(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-16: a canary word in a PN appears in no chart section, list or queue page, and
    the author reaches it only from the session's record note."""
    record = signed(clinic.therapist_on_team, clinic.client_a)
    assert record.encounter is not None
    pn = note_create(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        template="psychotherapy",
        encounter=record.encounter,
    )
    note_save(actor=pn.author, note=pn, values={"process": "Canary-quince reflections."}, version=1)
    pn_url = view_url(pn)
    pages = []
    for persona in ("therapist_on_team", "supervisor", "psychiatrist"):
        user = getattr(clinic, persona)
        http = signed_in(user)
        pages.append(
            render_to_string(
                "notes/_chart_section.html",
                {
                    "client": clinic.client_a,
                    "notes_timeline": timeline_for_chart(actor=user, client=clinic.client_a),
                    "caps": {"CHART_WRITE": True},
                },
            )
        )
        pages.append(http.get(reverse("web:note_cosign_queue")).content.decode())
        if persona != "therapist_on_team":
            pages.append(http.get(reverse("web:unsigned_notes")).content.decode())
            pages.append(http.get(view_url(record)).content.decode())

    for html in pages:
        assert "Canary-quince" not in html
        assert pn_url not in html
    own = signed_in(clinic.therapist_on_team)
    assert pn_url in own.get(view_url(record)).content.decode()
    assert edit_url(pn) in own.get(reverse("web:unsigned_notes")).content.decode()
    # the audit trail names the note, never its words
    assert all("Canary" not in str(detail) for detail in AuditEvent.objects.values_list("detail"))


# ----------------------------------------------------------------------------- the partials


def test_the_chart_partial_shows_sessions_and_notes(clinic: Clinic) -> None:
    note = signed(clinic.psychiatrist, clinic.client_a)
    other_draft = draft(clinic.therapist_on_team, clinic.client_a, content=SOAP)
    timeline = timeline_for_chart(actor=clinic.psychiatrist, client=clinic.client_a)

    html = render_to_string(
        "notes/_chart_section.html",
        {"client": clinic.client_a, "notes_timeline": timeline, "caps": {"CHART_WRITE": True}},
    )

    assert '<section aria-labelledby="notes-h" class="panel wide">' in html
    assert '<h2 id="notes-h">Notes and sessions</h2>' in html
    assert view_url(note) in html
    assert SOAP["subjective"] in html  # the signed note's summary
    assert view_url(other_draft) not in html  # someone else's draft: no link, no text
    assert html.count(SOAP["subjective"]) == 1
    assert reverse("web:note_create", args=[clinic.client_a.pk]) in html


def test_the_home_partial_marks_late_drafts(clinic: Clinic) -> None:
    late = draft(
        clinic.therapist_on_team, clinic.client_a, day=timezone.localdate() - timedelta(days=5)
    )

    html = render_to_string(
        "notes/_unsigned.html",
        {"unsigned_notes": unsigned_notes_for(actor=clinic.therapist_on_team)},
    )

    assert '<h2 id="unsigned-h">' in html
    assert edit_url(late) in html
    assert "late: over 72 hours" in html


def test_the_autosave_script_is_a_static_file() -> None:
    """SEC-34: the enhancement is a same-origin file, not inline code."""
    script = Path(alliance.web.__file__).parent / "static" / "web" / "notes.js"

    text = script.read_text()
    assert "X-Alliance-Autosave" in text
    assert "eval(" not in text


@pytest.mark.parametrize("persona", ["psychiatrist", "supervisor", "therapist_off_team"])
def test_nobody_but_the_author_writes_to_a_draft(
    persona: str, clinic: Clinic, soap_draft: Note, signed_in: SignedIn
) -> None:
    """SEC-11: saving, signing or withdrawing someone else's draft is a 404 and changes nothing."""
    http = signed_in(getattr(clinic, persona))
    args = [soap_draft.client_id, soap_draft.pk]
    before = Note.all_kinds.filter(pk=soap_draft.pk).values().get()

    posts = {
        "note_edit": {**SOAP, "plan": "hijacked", "version": 2},
        "note_sign": {"version": 2, "password": PASSWORD},
        "note_entered_in_error": {"reason": "Not mine but withdrawn", "password": PASSWORD},
    }
    for name, data in posts.items():
        assert http.post(reverse(f"web:{name}", args=args), data).status_code == 404, name

    assert Note.all_kinds.filter(pk=soap_draft.pk).values().get() == before
