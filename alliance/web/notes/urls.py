"""Pages of sessions and progress notes (included in ``alliance.web.urls``, namespace ``web``).

``draft_id`` names a note the page expects to be a draft (edit, sign); ``note_id`` any note.
"""

from django.urls import URLPattern, path

from alliance.web.notes import views as notes

NOTE = "clients/<int:client_id>/notes/<int:note_id>/"
DRAFT = "clients/<int:client_id>/notes/<int:draft_id>/"

urlpatterns: list[URLPattern] = [
    path("clients/<int:client_id>/notes/new/", notes.create, name="note_create"),
    path(NOTE, notes.view, name="note_view"),
    path(DRAFT + "edit/", notes.edit, name="note_edit"),
    path(DRAFT + "sign/", notes.sign, name="note_sign"),
    path(NOTE + "addenda/new/", notes.addendum, name="note_addendum"),
    path(NOTE + "entered-in-error/", notes.entered_in_error, name="note_entered_in_error"),
    path(NOTE + "cpt/", notes.cpt, name="note_cpt"),
    path(NOTE + "cosign/", notes.cosign, name="note_cosign"),
    path("notes/cosign/", notes.cosign_queue, name="note_cosign_queue"),
    path("notes/unsigned/", notes.unsigned, name="unsigned_notes"),
]
