"""Copying submitted values onto a model instance and reporting which fields changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models


def apply_changes(obj: models.Model, values: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Set each of ``fields`` present in ``values`` on ``obj``; return the names that changed.

    Strings are stripped. Foreign keys are compared by id, so an unset relation is no error.
    """
    changed = []
    for name in fields:
        if name not in values:
            continue
        value = values[name].strip() if isinstance(values[name], str) else values[name]
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            current = getattr(obj, field.attname)
            new = value.pk if isinstance(value, models.Model) else value
        else:
            current, new = getattr(obj, name), value
        if current != new:
            setattr(obj, name, value)
            changed.append(name)
    return changed
