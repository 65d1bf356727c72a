"""Reads are audited where they are read: by the selector, once per actor, record and request.

A selector that hands a record to a view calls ``read_record``; the view never has to remember
to. Inside a web request (``reads_of_request``, opened by ``AuditContextMiddleware``) the read
is kept until the response is known and then written once, whatever the number of selectors
and branches that read the same record:

- a response that shows something (2xx, or 4xx such as a form with errors or a 409 conflict)
  writes every read it kept: the person saw those records;
- a redirect writes none: nothing was shown, and the page it leads to records its own reads;
- a read of a record that the same request then wrote is dropped: the write's own event says
  more (a saved draft, an autosave);
- the server error page (500) writes none.

Outside a request (commands, tasks, tests calling a selector) a read is written at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from alliance.audit.actions import AuditAction, AuditPurpose, AuditSeverity

Key = tuple[int, str, str]


@dataclass
class _Read:
    actor: Any
    action: AuditAction
    client: Any
    target: models.Model
    purpose: AuditPurpose | None
    severity: AuditSeverity
    detail: dict[str, Any]


@dataclass
class ReadLedger:
    """The reads of one request, each once, and the records the request wrote."""

    pending: dict[Key, _Read] = field(default_factory=dict)
    written: set[Key] = field(default_factory=set)

    def flush(self) -> None:
        reads = [read for key, read in self.pending.items() if key not in self.written]
        self.pending.clear()
        _write(reads)

    def discard(self) -> None:
        self.pending.clear()


def _write(reads: list[_Read]) -> None:
    from alliance.audit.services import audit_record  # which tells this module of writes

    if not reads:
        return
    with transaction.atomic():
        for read in reads:
            audit_record(
                actor=read.actor,
                action=read.action,
                client=read.client,
                target=read.target,
                purpose=read.purpose,
                severity=read.severity,
                detail=read.detail,
            )


_ledger: ContextVar[ReadLedger | None] = ContextVar("alliance_audit_reads", default=None)


def key_of(actor: Any, target: models.Model) -> Key | None:
    actor_id = getattr(actor, "pk", None)
    if actor_id is None or target.pk is None:
        return None
    return (int(actor_id), target._meta.label, str(target.pk))


@contextmanager
def reads_of_request() -> Iterator[ReadLedger]:
    """Keep the reads of one web request; the caller flushes or discards them."""
    ledger = ReadLedger()
    token = _ledger.set(ledger)
    try:
        yield ledger
    finally:
        _ledger.reset(token)


def read_record(
    *,
    actor: Any,
    client: Any,
    target: models.Model,
    purpose: AuditPurpose | None = None,
    severity: AuditSeverity = AuditSeverity.NORMAL,
    detail: dict[str, Any] | None = None,
    action: AuditAction = AuditAction.RECORD_VIEW,
) -> None:
    """Record that ``actor`` read ``target`` (a record of ``client``): once per request.

    ``purpose`` defaults to the purpose of the actor's access to the client (treatment, or
    break-the-glass: ``access.policy.relationship``). A second read of the same record in the
    same request keeps the first, unless it is more severe (a broken signature seen later).
    """
    ledger = _ledger.get()
    read = _Read(actor, action, client, target, purpose, severity, dict(detail or {}))
    key = key_of(actor, target)
    if ledger is None or key is None:
        _write([read])
        return
    kept = ledger.pending.get(key)
    if kept is None or (kept.severity != severity and severity == AuditSeverity.HIGH):
        ledger.pending[key] = read


def wrote(actor: Any, target: models.Model | None) -> None:
    """The request wrote ``target``: a read of it kept by this request is not written."""
    ledger = _ledger.get()
    if ledger is None or target is None:
        return
    key = key_of(actor, target)
    if key is not None:
        ledger.written.add(key)
