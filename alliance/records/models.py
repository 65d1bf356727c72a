"""Abstract models every signed clinical document is built from (no tables of their own).

A document type declares its own table by inheriting these, and keeps only what is its own
(its client link, its content's shape, co-signature or CPT codes). The columns and their
meaning are the same everywhere, so the kernel's services (``records.lifecycle``) and the
database guards (``records.triggers``) treat every document alike:

- ``SignedDocument``: ``status`` (draft, signed), ``version`` (the optimistic lock of the
  draft, REL-04), ``signed_at`` and ``content_hash`` (SHA-256 of ``records.canonical``, REL-01);
- ``EnteredInError``: the withdrawal of a document written in error (REL-02: never deleted);
- ``DocumentVersion``: the document as one save left it (REL-03), append-only;
- ``DocumentAddendum``: signed text added to a signed document, chained to its signature.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.core.models import UndeletableModel
from alliance.records.labels import security_labels


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class SignedDocument(UndeletableModel):
    """A document that is a draft until signed, then locked by the database."""

    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(
        "SHA-256 of the signed content", max_length=64, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def is_signed(self) -> bool:
        return self.status == DocumentStatus.SIGNED


class EnteredInError(models.Model):
    """Who withdrew the document as written in error, when and why (final once set)."""

    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def in_error(self) -> bool:
        return self.entered_in_error_at is not None


class DocumentVersion(models.Model):
    """A document as one save left it (REL-03). The concrete model adds its link and number."""

    status = models.CharField(max_length=10, choices=DocumentStatus.choices)
    content = models.JSONField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField()

    class Meta:
        abstract = True


class DocumentAddendum(models.Model):
    """Signed text added to a signed document (REL-01): the only way to change what it says.

    ``content_hash`` chains it to the signature of the document it was added to.
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    text = models.TextField()
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True


class Part2Labelled(models.Model):
    """A clinical record that may have been written inside a 42 CFR Part 2 program (SEC-19).

    ``part2_program`` is set by the service that writes the record, from the author's place in
    the program and the client's open episode there (``access.part2.program_for_write``); no
    form offers it. It carries the labels of ``access.part2.PART2_LABELS`` and decides who sees
    the record. Clearing it is privileged and audited (``access.part2_labels``).
    """

    part2_program = models.ForeignKey(
        "organisation.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="42 CFR Part 2 program",
    )

    class Meta:
        abstract = True

    @property
    def security_labels(self) -> tuple[str, ...]:
        """HL7 security labels (SEC-19): ``R``, ``ETH``, ``42CFRPart2`` for a Part 2 record."""
        return security_labels(self.part2_program_id)
