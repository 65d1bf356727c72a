"""The one canonical form of a signed document and its SHA-256 (REL-01).

A document is a dict of plain values. Its canonical text is JSON with sorted keys, no spaces,
non-ASCII kept as UTF-8; times are UTC ISO 8601 with microseconds and days ISO dates, which
PostgreSQL and SQLite both give back exactly as they were stored. Every signature in Alliance
(notes, risk assessments, safety plans, treatment plans, mandated reports, addenda) is
``digest`` of such a dict, so a signature made before this module existed still verifies:
``tests/records/test_canonical.py`` checks digests made by the earlier per-app code.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any


def canonical_time(moment: datetime | None) -> str:
    """A time as signed: UTC, microseconds, or ``""`` when there is none."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds") if moment else ""


def canonical_day(day: date | None) -> str:
    """A date as signed: ISO 8601, or ``""`` when there is none."""
    return day.isoformat() if day else ""


def canonical_text(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(document: dict[str, Any]) -> str:
    """The SHA-256 (hex) of ``document``'s canonical text."""
    return hashlib.sha256(canonical_text(document).encode("utf-8")).hexdigest()


def matches(recorded: str, document: dict[str, Any]) -> bool:
    """True when a recorded signature is there and is the digest of ``document``."""
    return bool(recorded) and recorded == digest(document)
