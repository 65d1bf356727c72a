"""One row per form submission that was stored (REL-05: the same submission is stored once).

A row holds no clinical data anyone can read: the form's token is kept only as a digest, and
what the first submission answered (a redirect, or the page it showed) is encrypted with a key
derived from the token, which only the browser that holds the form has
(``alliance.idempotency.services``). Rows are plain state, not records (REL-02 does not apply):
they are deleted once no browser can send the form again (``submissions_purge``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FormSubmission(models.Model):
    # Who submitted: "user:<id>", or "anon:<session key>" for the public forms.
    scope = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)  # SHA-256 of the form's token, hex
    # Nonce and AES-GCM ciphertext of the first answer; empty until the submission completes,
    # and a row is never seen by another transaction before then.
    outcome = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            # The database, not the application, decides which of two copies is the first.
            models.UniqueConstraint(fields=["scope", "digest"], name="idempotency_once_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.digest[:12]} at {self.created_at:%Y-%m-%d %H:%M:%S}"
