"""Storing a submission once (REL-05): a double click, a retry, a reload that posts again.

Each form Alliance renders carries a fresh random token (``{% form_token %}``). The first
request that sends it *claims* it, inside the transaction in which the request then does its
work: the claim is a row under a unique constraint, so a second request with the same token
either waits for the first transaction to end (PostgreSQL waits on the unique index; SQLite
writers are serialised by ``BEGIN IMMEDIATE``) or finds the first one's row. When the first
request's work is saved, the claim is *completed* with what it answered, and every later copy
gets that answer instead of doing the work again. When its work is not saved (a form shown
again with its errors, a refusal), the claim is *released*: the row goes, and the corrected
form can be sent with the same token. The row and the work commit together, or neither does,
so there is never a token without its work, or work without its token.

Nothing here knows HTTP: the caller says what "the answer" is, as bytes.

No secret is kept readable. The token is stored as a digest; the answer (a redirect that may
carry a link's token, a page or a PDF with client data) is encrypted with AES-GCM under a key
derived from the token, which the server does not keep: only a request that presents the
token can read what its first copy answered.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.idempotency.models import FormSubmission

TOKEN_BYTES = 32
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
NONCE_BYTES = 12
# A form can be sent again for as long as a session lasts (12 hours at most); a day covers it.
KEEP = timedelta(hours=24)


def token_new() -> str:
    """A token for one rendered form."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_valid(value: object) -> bool:
    return isinstance(value, str) and TOKEN_PATTERN.fullmatch(value) is not None


def _derive(purpose: bytes, token: str) -> bytes:
    return hashlib.sha256(b"alliance-form-token:" + purpose + b":" + token.encode()).digest()


@dataclass(frozen=True)
class Claim:
    """A submission's hold on its token. ``replay`` is set when the token was already spent:
    it is the first submission's answer (``b""`` if it could not be kept), to give back
    instead of doing the work again."""

    scope: str
    digest: str
    key: bytes = field(repr=False)
    replay: bytes | None = field(default=None, repr=False)
    first_at: datetime | None = None  # when the first submission was made, for a replay


def _open(claim: Claim, sealed: bytes) -> bytes:
    if len(sealed) <= NONCE_BYTES:
        return b""
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(claim.key).decrypt(nonce, ciphertext, claim.digest.encode())
    except InvalidTag:  # not sealed with this token's key: nothing to give back
        return b""


def submission_claim(*, scope: str, token: str) -> Claim:
    """Claim ``token`` for ``scope`` (who submits) inside the caller's transaction.

    Must be called inside ``transaction.atomic()``: the claim lasts as long as that
    transaction. A copy sent while the first is still running waits here until the first one
    commits or rolls back.
    """
    if not token_valid(token):
        raise ValueError("not a form token")
    digest = _derive(b"digest", token).hex()
    claim = Claim(scope=scope, digest=digest, key=_derive(b"key", token))
    try:
        with transaction.atomic():
            FormSubmission.objects.create(scope=scope, digest=digest)
    except IntegrityError:
        found = (
            FormSubmission.objects.filter(scope=scope, digest=digest)
            .values_list("outcome", "created_at")
            .first()
        )
        sealed, first_at = found if found else (b"", None)
        return Claim(scope, digest, claim.key, _open(claim, bytes(sealed)), first_at)
    return claim


def submission_complete(*, claim: Claim, outcome: bytes) -> None:
    """The work is done (in the same transaction): keep what it answered, for the copies."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(claim.key).encrypt(nonce, outcome, claim.digest.encode())
    FormSubmission.objects.filter(scope=claim.scope, digest=claim.digest).update(outcome=sealed)


def submission_release(*, claim: Claim) -> None:
    """The work was not done: the token may be sent again (the form corrected)."""
    FormSubmission.objects.filter(scope=claim.scope, digest=claim.digest).delete()


def submissions_purge(*, now: datetime | None = None) -> int:
    """Forget submissions older than ``KEEP``: no browser can still send those forms."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _by_model = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
