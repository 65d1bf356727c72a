"""Base model shared by the domain apps: timestamps, no hard deletion, quick choice labels."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

# Each field's value -> label table, built on first use. Fields with callable choices are left
# out: their list may change while the process runs.
_choice_labels: dict[models.Field[Any, Any], dict[Any, Any]] = {}


class RecordDeletionError(Exception):
    """Raised when code tries to hard-delete a clinical or registry record (REL-02)."""


class ChoiceLabelsModel(models.Model):
    """``get_FOO_display`` from a table built once per field.

    Django's own flattens and hashes the field's whole choice list on every call; a chart
    shows a few hundred labels (a note's template, a session's type and setting, how a
    measure was given), and that rebuilding was a measurable part of the page's rendering.
    The answer is the same: the label of the value, or the value itself when it has none.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        labels = _choice_labels.get(field)
        if labels is None:
            labels = dict(make_hashable(field.flatchoices))
            if not isinstance(field.choices, CallableChoiceIterator):
                _choice_labels[field] = labels
        value = make_hashable(getattr(self, field.attname))
        return force_str(labels.get(value, value), strings_only=True)


class TimestampedModel(ChoiceLabelsModel):
    """Creation and change times, in UTC, on every domain row."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UndeletableModel(TimestampedModel):
    """A record that is never hard-deleted by the application (REL-02).

    Records are closed, ended or marked entered-in-error instead; ``delete()`` refuses.
    """

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RecordDeletionError(
            f"{type(self).__name__} records are never deleted; end or correct them instead"
        )
