"""Base model shared by the domain apps: timestamps, no hard deletion."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class RecordDeletionError(Exception):
    """Raised when code tries to hard-delete a clinical or registry record (REL-02)."""


class TimestampedModel(models.Model):
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
