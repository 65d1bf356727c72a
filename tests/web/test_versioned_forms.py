"""REL-04: every form that edits a saved record sends back the version it loaded.

The census walks every module of ``alliance.web`` and every model form defined there. A model
form edits a row of its model, so it must declare a ``version`` field unless it is named in
``NOT_EDITING`` with the reason. The behaviour tests then show the pattern at work for contacts
and episodes of care: of two people editing from the same version, the second gets the conflict
page (409) with both values, and nothing of theirs is written.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import timedelta

import pytest
from django import forms
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

import alliance.web
from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.clients.models import Contact, Episode
from alliance.staff.models import User
from tests.personas import Clinic

SignIn = Callable[[User], HttpClient]

# Model forms that never change a saved row, each with its reason. Adding a name here is a
# decision to review: a form that edits a record belongs in the census, not in this list.
NOT_EDITING = {
    # Registers a new client only; the edit page uses ClientEditForm, which carries a version.
    "alliance.web.clients.forms.ClientCreateForm",
    # The shared fields of the two client forms above; no view uses it on its own.
    "alliance.web.clients.forms.ClientForm",
}


def model_forms_in_web() -> dict[str, type[forms.ModelForm]]:
    """Every model form class defined in a module of ``alliance.web``, by dotted name."""
    found = {}
    for info in pkgutil.walk_packages(alliance.web.__path__, "alliance.web."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, forms.ModelForm):
                continue
            if getattr(cls._meta, "model", None) is None:
                continue  # an abstract base (ServiceRulesForm): its subclasses are checked
            found[f"{module.__name__}.{name}"] = cls
    return found


def test_rel_04_every_editing_model_form_carries_a_version() -> None:
    """REL-04 census: a model form in ``web/`` lacks ``version`` only if it never edits."""
    found = model_forms_in_web()
    assert "alliance.web.clients.forms.ContactForm" in found  # the walk does reach the forms
    missing = sorted(
        name
        for name, cls in found.items()
        if name not in NOT_EDITING and "version" not in cls.base_fields
    )
    assert not missing, f"model forms that edit a record without a version (REL-04): {missing}"
    stale_allowances = sorted(NOT_EDITING - found.keys())
    assert not stale_allowances, f"NOT_EDITING names forms that no longer exist: {stale_allowances}"


def test_rel_04_version_is_a_hidden_field_required_on_edit() -> None:
    """The version rides along unseen, and an edit without one is refused by the form."""
    for name, cls in model_forms_in_web().items():
        if name in NOT_EDITING:
            continue
        assert isinstance(cls.base_fields["version"].widget, forms.HiddenInput), name
    from alliance.web.clients.forms import ContactForm

    editing = ContactForm({"name": "Ada Brisk", "relationship": "emergency"}, editing=True)
    assert not editing.is_valid()
    assert "version" in editing.errors


# ---------------------------------------------------------------- behaviour


def contact_data(version: int, **changes: str) -> dict[str, str | int]:
    data: dict[str, str | int] = {
        "name": "Ottoline Brisk",
        "relationship": "emergency",
        "phone": "555-201-3344",
        "active": "on",
        "version": version,
    }
    return data | changes


def test_second_contact_editor_gets_the_conflict_page(clinic: Clinic, signed_in: SignIn) -> None:
    """Two editors load version 1; the first saves, the second gets 409 and writes nothing."""
    contact = Contact.objects.create(
        client=clinic.client_a, name="Ottoline Brisk", relationship="emergency"
    )
    url = reverse("web:contact_edit", args=[clinic.client_a.pk, contact.pk])
    first, second = signed_in(clinic.front_desk), signed_in(clinic.intake)
    assert 'name="version" value="1"' in first.get(url).content.decode()

    assert first.post(url, contact_data(1, phone="555-201-0001")).status_code == 302
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE).count()
    response = second.post(url, contact_data(1, name="Ottoline Hale"))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this contact" in page
    assert "555-201-0001" in page  # what the first editor saved
    assert "Ottoline Hale" in page  # what the second typed, kept
    assert 'name="version" value="2"' in page  # saving again is a deliberate choice
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.version) == ("Ottoline Brisk", "555-201-0001", 2)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == changes

    again = second.post(url, contact_data(2, name="Ottoline Hale", phone="555-201-0001"))
    assert again.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.version) == ("Ottoline Hale", "555-201-0001", 3)


def episode_data(clinic: Clinic, version: int, **changes: str) -> dict[str, str | int]:
    today = timezone.localdate()
    data: dict[str, str | int] = {
        "program": clinic.program.pk,
        "referral_date": (today - timedelta(days=30)).isoformat(),
        "admission_date": (today - timedelta(days=20)).isoformat(),
        "version": version,
    }
    return data | changes


def test_second_episode_editor_gets_the_conflict_page(clinic: Clinic, signed_in: SignIn) -> None:
    """The discharge saved first is not reverted by a second editor who loaded the same version."""
    today = timezone.localdate()
    episode = Episode.objects.create(
        client=clinic.client_a,
        program=clinic.program,
        referral_date=today - timedelta(days=30),
        admission_date=today - timedelta(days=20),
    )
    url = reverse("web:episode_edit", args=[clinic.client_a.pk, episode.pk])
    first, second = signed_in(clinic.psychiatrist), signed_in(clinic.therapist_on_team)
    discharge = {
        "discharge_date": today.isoformat(),
        "discharge_reason": "other",
        "discharge_note": "Moved to another state, records sent",
    }

    assert first.post(url, episode_data(clinic, 1, **discharge)).status_code == 302
    response = second.post(
        url, episode_data(clinic, 1, admission_date=(today - timedelta(days=19)).isoformat())
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this episode of care" in page
    assert "Moved to another state, records sent" in page  # the saved discharge note
    assert (today - timedelta(days=19)).isoformat() in page  # what the second typed
    episode.refresh_from_db()
    assert episode.discharge_note == "Moved to another state, records sent"
    assert episode.admission_date == today - timedelta(days=20)
    assert episode.version == 2


@pytest.mark.parametrize("kind", ["contact", "episode"])
def test_same_version_saves(kind: str, clinic: Clinic, signed_in: SignIn) -> None:
    """An editor who is not racing anyone saves as before, and the version moves on."""
    http = signed_in(clinic.intake)
    if kind == "contact":
        row: Contact | Episode = Contact.objects.create(
            client=clinic.client_a, name="Ottoline Brisk", relationship="emergency"
        )
        url = reverse("web:contact_edit", args=[clinic.client_a.pk, row.pk])
        data = contact_data(1, name="Ottoline Hale")
    else:
        row = Episode.objects.create(
            client=clinic.client_a,
            program=clinic.program,
            referral_date=timezone.localdate() - timedelta(days=30),
        )
        url = reverse("web:episode_edit", args=[clinic.client_a.pk, row.pk])
        data = episode_data(clinic, 1)
    assert http.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.version == 2
