"""``core.models.ChoiceLabelsModel``: ``get_FOO_display`` from a table kept per field gives
Django's answer (the label, or the value itself when it has none)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from alliance.core.models import ChoiceLabelsModel
from alliance.notes.models import Note


def test_every_choice_of_every_field_gets_djangos_label() -> None:
    checked = 0
    for model in apps.get_models():
        if not issubclass(model, ChoiceLabelsModel):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            for value, label in field.flatchoices:
                row = model(**{field.attname: value})
                assert getattr(row, f"get_{field.name}_display")() == str(label)
                # Django's own method on the plain base class, for the same row
                assert models.Model._get_FIELD_display(row, field) == str(label)
                checked += 1
    assert checked > 100  # the domain's choice lists are many


def test_a_value_without_a_label_is_shown_as_itself() -> None:
    assert Note(template="no-such-template").get_template_display() == "no-such-template"
    assert Note(template=None).get_template_display() is None
