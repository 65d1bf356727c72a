"""Small helpers for tests that drive pages and then read the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from alliance.audit.models import AuditEvent
from alliance.clients.models import Client
from alliance.clients.services import CLIENT_FIELDS


def client_edit_data(client: Client, **changes: Any) -> dict[str, Any]:
    """What the edit form posts for ``client`` unchanged, with ``changes`` applied."""
    data: dict[str, Any] = {"version": client.version}
    for name in CLIENT_FIELDS:
        value = getattr(client, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value.isoformat() if isinstance(value, date) else value
    data.update(changes)
    return data


def events_after(seq: int) -> list[AuditEvent]:
    """Audit events written after event ``seq``, oldest first."""
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
