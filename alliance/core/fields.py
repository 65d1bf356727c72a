"""Model fields the domain apps share."""

from __future__ import annotations

from typing import Any

from django.db import models


class BytewiseCharField(models.CharField):
    """Text compared byte by byte on every database, for keys the application computes.

    PostgreSQL compares text by the database's collation (``en_US.UTF-8`` on most servers),
    which is slow to sort and orders differently from SQLite. This column is created with
    ``COLLATE "C"`` on PostgreSQL; SQLite's default (``BINARY``) already compares bytes. The
    collation is not part of the field's migration state, so one migration serves both.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters
