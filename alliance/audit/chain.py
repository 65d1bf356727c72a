"""The HMAC chain that makes the audit trail tamper-evident (SEC-26). Pure functions."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "client_id",
    "object_type",
    "object_id",
    "purpose",
    "outcome",
    "severity",
    "source_address",
    "detail",
    "prev_hash",
)


def canonical(fields: Mapping[str, Any]) -> bytes:
    """One byte string per row, the same whichever database returned the values."""
    values = []
    for name in CHAINED_FIELDS:
        value = fields[name]
        if isinstance(value, datetime):
            value = value.isoformat(timespec="microseconds")
        values.append(value)
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def row_hash(key: str, fields: Mapping[str, Any]) -> str:
    return hmac.new(key.encode(), canonical(fields), hashlib.sha256).hexdigest()


def checkpoint_mac(key: str, seq: int, head_hash: str, written_at: str) -> str:
    message = f"checkpoint:{seq}:{head_hash}:{written_at}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
