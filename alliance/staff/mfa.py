"""TOTP second factor with its secret encrypted at rest (SEC-02, SEC-03).

django-otp's stock TOTP device keeps the shared secret in clear hex; a database dump would
then be enough to mint codes. This device stores it encrypted with a key derived from
``ALLIANCE_SECRET_KEY`` (never stored in the database) and reuses django-otp's TOTP arithmetic,
throttling and replay protection (a code is accepted once: ``last_t``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import quote

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

TOTP_STEP = 30
TOTP_DIGITS = 6
TOTP_TOLERANCE = 1


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"alliance-mfa:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class TotpDevice(ThrottlingMixin, Device):
    encrypted_key = models.TextField(editable=False)
    last_t = models.BigIntegerField(default=-1, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "TOTP device"

    @classmethod
    def new_for(cls, user: models.Model) -> TotpDevice:
        device = cls(user=user, name="Authenticator app", confirmed=False)
        device.set_key(secrets.token_bytes(20))
        return device

    def set_key(self, key: bytes) -> None:
        self.encrypted_key = _fernet().encrypt(key).decode("ascii")

    @property
    def bin_key(self) -> bytes:
        return _fernet().decrypt(self.encrypted_key.encode("ascii"))

    @property
    def base32_key(self) -> str:
        return base64.b32encode(self.bin_key).decode("ascii").rstrip("=")

    def provisioning_uri(self, account: str) -> str:
        issuer = quote(settings.OTP_TOTP_ISSUER)
        return (
            f"otpauth://totp/{issuer}:{quote(account)}?secret={self.base32_key}"
            f"&issuer={issuer}&digits={TOTP_DIGITS}&period={TOTP_STEP}"
        )

    def get_throttle_factor(self) -> int:
        return 1

    def current_token(self) -> str:
        """The code an authenticator app shows now (for tests and the demo only)."""
        totp = TOTP(self.bin_key, TOTP_STEP, 0, TOTP_DIGITS, 0)
        totp.time = time.time()
        return f"{totp.token():0{TOTP_DIGITS}d}"

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(str(token).strip())
        except ValueError:
            self.throttle_increment(commit=True)
            return False
        totp = TOTP(self.bin_key, TOTP_STEP, 0, TOTP_DIGITS, 0)
        totp.time = time.time()
        # min_t: a code whose time step was already used is refused (single use, SEC-02).
        if totp.verify(value, TOTP_TOLERANCE, self.last_t + 1):
            self.last_t = totp.t()
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False
