"""Every signed document's signature, checked (REL-01), for ``alliance backup verify``.

The records kernel describes each document type once (``records.lifecycle.DocumentKind``) and
checks a signature the same way for all of them, so one loop checks them all: each signed
document against its canonical form, each addendum against its text and the signature of the
document it was added to. ``SIGNED_KINDS`` names the types; ``tests/backups`` fails when a
model carries a ``content_hash`` that no kind here covers, so a new signed document type
cannot be left out of the drill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from alliance.disclosures.services import REPORT
from alliance.notes.signing import NOTE
from alliance.plans.services import PLAN
from alliance.records import lifecycle
from alliance.records.lifecycle import DocumentKind
from alliance.records.models import DocumentStatus
from alliance.safety.signing import RISK_ASSESSMENT, SAFETY_PLAN

SIGNED_KINDS: tuple[DocumentKind, ...] = (NOTE, RISK_ASSESSMENT, SAFETY_PLAN, PLAN, REPORT)
CHUNK = 500


@dataclass
class DocumentCheck:
    """How many documents of one type were checked, and the ids of those that failed."""

    label: str
    checked: int = 0
    failed: list[int] = field(default_factory=list)


def signed_rows(kind: DocumentKind) -> QuerySet[Any]:
    """Every document of ``kind`` that carries a signature, or says it is signed (a signed
    document whose signature was blanked fails its check rather than being skipped)."""
    signed = Q(content_hash__gt="")
    if any(f.name == "status" for f in kind.model._meta.fields):
        signed |= Q(status=DocumentStatus.SIGNED)
    return kind.rows().filter(signed).order_by("pk")


def documents_check() -> list[DocumentCheck]:
    """Check the signature of every signed document and every addendum in the database."""
    results = []
    for kind in SIGNED_KINDS:
        documents = DocumentCheck(kind.label)
        for document in signed_rows(kind).iterator(chunk_size=CHUNK):
            documents.checked += 1
            if not lifecycle.signature_valid(kind, document):
                documents.failed.append(document.pk)
        results.append(documents)
        if kind.addendum_model is None:
            continue
        addenda = DocumentCheck(f"{kind.label} addendum")
        parent = kind.addendum_parent
        rows = kind.addendum_model._default_manager.select_related(parent).order_by("pk")
        for addendum in rows.iterator(chunk_size=CHUNK):
            addenda.checked += 1
            if not lifecycle.addendum_signature_valid(kind, addendum, getattr(addendum, parent)):
                addenda.failed.append(addendum.pk)
        results.append(addenda)
    return results
