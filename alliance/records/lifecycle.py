"""The one lifecycle of a signed clinical document (STYLE habit 2), parametrised per type.

draft ──save──▶ draft (version n+1) ──sign──▶ signed ──addendum──▶ signed + addenda
                                                 └──entered in error──▶ withdrawn, never deleted

A document type describes itself once (``DocumentKind``: its model, its lock column, how a
version row is written, what its signature covers) and its services call these functions after
their own checks (access, scope of practice, completeness, the password again). What is the same
for every document is written here only:

- saving or signing a draft is an atomic ``UPDATE … WHERE version = n AND status = 'draft'``:
  of two writers from version n, the second gets ``StaleDraft`` with what is saved now, or
  ``DocumentLocked`` when the document was signed or withdrawn meanwhile (REL-04);
- every save and the signature write a version row in the same transaction (REL-03);
- the signature is the SHA-256 of the document's canonical form (``records.canonical``) with the
  signer and time, recorded in the same UPDATE (REL-01); the database then locks the row;
- an addendum is signed on its own and chained to the document's signature;
- "entered in error" needs a reason in words (``records.reasons``) and the password again, and
  is final (the database refuses a second mark);
- each of these writes its audit event in its transaction (SEC-25).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.records.canonical import canonical_time, digest, matches
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.records.models import DocumentStatus
from alliance.records.reasons import reason_clean
from alliance.staff.stepup import step_up

Document = Any  # a concrete model built on records.models.SignedDocument


@dataclass(frozen=True)
class DocumentKind:
    """What the kernel needs to know of one document type.

    ``label``: the word the user reads ("note", "assessment"). ``signature``: the document's
    canonical form once signer and time are set (what its SHA-256 covers). ``version_model``,
    ``version_parent``: its version rows (``records.models.DocumentVersion``) and their link to
    it; ``version_copies``: further columns a version row keeps; ``version_content``: what a
    row keeps as content, when not the ``content`` column (a report and its contacts).
    ``addendum_model``/``addendum_parent``: its addenda
    and their link to it (``"note"``: the addendum's canonical form names the document as
    ``note`` and its signature as ``note_hash``). ``audit_detail``: added to every audit event
    and step-up refusal of this type (e.g. the mandated report's category).
    """

    label: str
    model: type[models.Model]
    reload: Callable[[Document], Document]
    signature: Callable[[Document], dict[str, Any]]
    version_model: type[models.Model]
    version_parent: str
    version_copies: tuple[str, ...] = ()
    version_content: Callable[[Document], Any] | None = None
    manager: str = "objects"
    lock: str = "version"
    signer_column: bool = True
    entered_in_error: bool = True
    addendum_model: type[models.Model] | None = None
    addendum_parent: str = ""
    audit_detail: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> models.QuerySet[Any]:
        return getattr(self.model, self.manager).all()

    def withdrawn(self, document: Document) -> bool:
        return self.entered_in_error and document.entered_in_error_at is not None

    def write_version(self, document: Document, actor: Any, when: datetime) -> None:
        """The version row of one save, as the document now stands (REL-03)."""
        content = self.version_content(document) if self.version_content else document.content
        self.version_model.objects.create(  # type: ignore[attr-defined]
            **{self.version_parent: document, self.lock: getattr(document, self.lock)},
            status=document.status,
            content=content,
            saved_by=actor,
            saved_at=when,
            **{name: getattr(document, name) for name in self.version_copies},
        )


# ------------------------------------------------------------------------------ signatures


def signature_of(kind: DocumentKind, document: Document) -> str:
    """The SHA-256 that signing ``document`` records (its signer and time already set)."""
    return digest(kind.signature(document))


def signature_valid(kind: DocumentKind, document: Document) -> bool:
    """False when a signed document no longer matches its signature (tampering)."""
    return matches(document.content_hash, kind.signature(document))


def addendum_document(kind: DocumentKind, addendum: Any, document_hash: str) -> dict[str, Any]:
    """An addendum's canonical form, chained to the signature of the document it was added to."""
    parent = kind.addendum_parent
    return {
        parent: getattr(addendum, f"{parent}_id"),
        f"{parent}_hash": document_hash,
        "author": addendum.author_id,
        "written_at": canonical_time(addendum.written_at),
        "text": addendum.text,
    }


def addendum_signature_valid(kind: DocumentKind, addendum: Any, document: Document) -> bool:
    return matches(addendum.content_hash, addendum_document(kind, addendum, document.content_hash))


# ---------------------------------------------------------------------------------- drafts


def draft_claim(
    kind: DocumentKind, document: Document, *, lock: int, now: datetime, **changes: Any
) -> Document:
    """Move the draft from ``lock`` to the next version with ``changes``, in one UPDATE, or
    raise ``StaleDraft`` (saved meanwhile) or ``DocumentLocked`` (signed or withdrawn)."""
    filters: dict[str, Any] = {"pk": document.pk, kind.lock: lock, "status": DocumentStatus.DRAFT}
    if kind.entered_in_error:
        filters["entered_in_error_at__isnull"] = True
    updated = (
        kind.rows()
        .filter(**filters)
        .update(**changes, **{kind.lock: F(kind.lock) + 1}, updated_at=now)
    )
    if updated != 1:
        current = kind.reload(document)
        if not current.is_draft or kind.withdrawn(current):
            raise DocumentLocked
        raise StaleDraft(current)
    return kind.reload(document)


def document_save_draft(
    kind: DocumentKind,
    *,
    actor: Any,
    document: Document,
    lock: int,
    client_id: int,
    changes: dict[str, Any],
    detail: Callable[[Document], dict[str, Any]],
    also: Callable[[Document], None] | None = None,
) -> Document:
    """Save the draft at ``lock`` (see ``draft_claim``), write its version row and audit it.

    ``also(saved)`` writes what the type keeps beside the row (a report's contacts) before the
    version row is taken; ``detail(saved)`` is the audit event's detail.
    """
    now = timezone.now()
    if not document.is_draft or kind.withdrawn(document):
        raise DocumentLocked
    with transaction.atomic():
        saved = draft_claim(kind, document, lock=lock, now=now, **changes)
        if also is not None:
            also(saved)
            saved = kind.reload(saved)
        kind.write_version(saved, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client_id,
            target=saved,
            detail={**detail(saved), **kind.audit_detail},
        )
    return saved


# --------------------------------------------------------------------------------- signing


def document_sign(
    kind: DocumentKind,
    *,
    actor: Any,
    document: Document,
    lock: int,
    client_id: int,
    changes: dict[str, Any] | None = None,
    severity: AuditSeverity = AuditSeverity.NORMAL,
    also: Callable[[Document], dict[str, Any]] | None = None,
) -> Document:
    """Sign ``document`` (the draft as read at ``lock``, with ``changes`` applied: what signing
    adds, such as a screener snapshot) by ``actor``, now: signer, time and SHA-256 recorded in
    one UPDATE with its version row and audit event.

    The caller has checked access, scope, completeness and the password. ``also(signed)`` runs
    in the signing transaction before the audit event (a report's accounting rows) and returns
    detail for it; a caller may also wrap this call in its own ``transaction.atomic()``.
    """
    changes = dict(changes or {})
    now = timezone.now()
    for name, value in changes.items():
        setattr(document, name, value)
    document.signed_at = now
    signer = {"signed_by": actor} if kind.signer_column else {}
    if kind.signer_column:
        document.signed_by = actor
    sha256 = signature_of(kind, document)
    with transaction.atomic():
        signed = draft_claim(
            kind,
            document,
            lock=lock,
            now=now,
            **changes,
            **signer,
            status=DocumentStatus.SIGNED,
            signed_at=now,
            content_hash=sha256,
        )
        kind.write_version(signed, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client_id,
            target=signed,
            severity=severity,
            detail={
                "signed": True,
                kind.lock: getattr(signed, kind.lock),
                "sha256": sha256,
                **(also(signed) if also else {}),
                **kind.audit_detail,
            },
        )
    return signed


# -------------------------------------------------------------------------------- addenda


def addendum_add(
    kind: DocumentKind,
    *,
    actor: Any,
    document: Document,
    text: str,
    password: str,
    client_id: int,
    also: Callable[[Any, datetime], dict[str, Any]] | None = None,
) -> Any:
    """Add signed text to a signed document: the only way to change what it says (REL-01).

    The caller has checked who may add one. ``also(addendum, now)`` runs in the transaction
    (a returned note goes back to its supervisor's queue) and returns audit detail.
    """
    assert kind.addendum_model is not None, f"{kind.label} takes no addenda"
    if not document.is_signed:
        raise ValidationError(f"Only a signed {kind.label} takes addenda: edit the draft instead.")
    if kind.withdrawn(document):
        raise ValidationError(
            f"This {kind.label} was entered in error; write a new {kind.label} instead."
        )
    if not text.strip():
        raise ValidationError({"text": ["Write the addendum."]})
    step_up(
        actor,
        password,
        client_id=client_id,
        target=document,
        step="addendum",
        detail=kind.audit_detail or None,
    )
    now = timezone.now()
    with transaction.atomic():
        addendum = kind.addendum_model(
            **{kind.addendum_parent: document}, author=actor, written_at=now, text=text.strip()
        )
        addendum.content_hash = digest(  # type: ignore[attr-defined]
            addendum_document(kind, addendum, document.content_hash)
        )
        addendum.save(force_insert=True)
        extra = also(addendum, now) if also is not None else {}
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client_id,
            target=addendum,
            detail={
                kind.addendum_parent: document.pk,
                "sha256": addendum.content_hash,  # type: ignore[attr-defined]
                **extra,
                **kind.audit_detail,
            },
        )
    return addendum


# ------------------------------------------------------------------------ entered in error


def document_mark_entered_in_error(
    kind: DocumentKind,
    *,
    actor: Any,
    document: Document,
    reason: str,
    password: str,
    client_id: int,
    also: Callable[[Document], None] | None = None,
) -> Document:
    """Withdraw a document written in error, with a reason; it is never deleted (REL-02).

    The caller has checked who may (the author). What the document set (a risk flag) stays
    until documented otherwise. ``also(marked)`` runs in the same transaction (a note's
    session stops counting as the client's last contact).
    """
    assert kind.entered_in_error, f"a {kind.label} is not marked entered in error"
    if kind.withdrawn(document):
        raise ValidationError(f"This {kind.label} is already marked entered in error.")
    reason = reason_clean(reason)
    step_up(actor, password, client_id=client_id, target=document, step="entered_in_error")
    now = timezone.now()
    with transaction.atomic():
        kind.rows().filter(pk=document.pk, entered_in_error_at__isnull=True).update(
            entered_in_error_at=now,
            entered_in_error_by=actor,
            entered_in_error_reason=reason,
            updated_at=now,
        )
        marked = kind.reload(document)
        if also is not None:
            also(marked)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client_id,
            target=marked,
            severity=AuditSeverity.HIGH,
            detail={"entered_in_error": True, **kind.audit_detail},
        )
    return marked
