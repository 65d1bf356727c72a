"""Production refuses public keys and turns on transport security (SEC-32, SEC-05, SEC-26).

Settings are read once per process, so each case imports them in a fresh interpreter with
its own environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliance.config.settings import DEVELOPMENT_AUDIT_KEY, DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "7rQ9v2sK0pX4mW8nZ1bC6dF3gH5jL0aE-secret-key-used-only-by-tests"
GOOD_AUDIT = "Yt3uI8oP2aS6dF0gH4jK9lZ1xC5vB7nM-audit-key-used-only-by-tests"

SHOW = """
import json, sys, django
from django.conf import settings
django.setup()
if "--deploy-check" in sys.argv:
    from django.core.management import call_command
    call_command("check", deploy=True, fail_level="WARNING")
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "REQUIRE_MFA": settings.REQUIRE_MFA,
}))
"""


def start(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Start Django in a new interpreter with only ``env`` as Alliance configuration."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ALLIANCE_", "DJANGO_"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="alliance.config.settings",
        ALLIANCE_VAR_DIR=str(tmp_path),
        ALLIANCE_ALLOWED_HOSTS="alliance.clinic.example",
        PYTHONPATH=str(ROOT),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", SHOW, *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("alliance.config.env.ConfigError:"), result.stderr
    assert needle in last


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({}, "ALLIANCE_SECRET_KEY must be set"),
        ({"ALLIANCE_SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "ALLIANCE_SECRET_KEY must be set"),
        ({"ALLIANCE_SECRET_KEY": GOOD_SECRET[:49]}, "at least 50 characters"),
        ({"ALLIANCE_SECRET_KEY": "ab" * 40}, "at least 50 characters"),
        ({"ALLIANCE_SECRET_KEY": GOOD_SECRET}, "ALLIANCE_AUDIT_KEY must be set"),
        (
            {"ALLIANCE_SECRET_KEY": GOOD_SECRET, "ALLIANCE_AUDIT_KEY": DEVELOPMENT_AUDIT_KEY},
            "ALLIANCE_AUDIT_KEY must be set",
        ),
        (
            {"ALLIANCE_SECRET_KEY": GOOD_SECRET, "ALLIANCE_AUDIT_KEY": GOOD_SECRET},
            "ALLIANCE_AUDIT_KEY must differ",
        ),
        (
            {
                "ALLIANCE_SECRET_KEY": GOOD_SECRET,
                "ALLIANCE_AUDIT_KEY": GOOD_AUDIT,
                "ALLIANCE_DEBUG": "1",
            },
            "ALLIANCE_DEBUG cannot be on",
        ),
    ],
    ids=[
        "no keys",
        "default secret",
        "short secret",
        "repetitive secret",
        "no audit key",
        "default audit key",
        "same key twice",
        "debug",
    ],
)
def test_production_refuses_to_start_with_public_keys(
    env: dict[str, str], needle: str, tmp_path: Path
) -> None:
    """SEC-32, SEC-26: a default, short or shared key stops production with a clear error."""
    result = start(tmp_path, ALLIANCE_ENV="production", **env)

    assert_refused(result, needle)


def test_an_unknown_environment_is_refused(tmp_path: Path) -> None:
    """A typo in ALLIANCE_ENV does not quietly fall back to development."""
    result = start(tmp_path, ALLIANCE_ENV="prod")

    assert_refused(result, "ALLIANCE_ENV must be")


def test_production_with_proper_keys_starts_with_transport_security(tmp_path: Path) -> None:
    """SEC-32, SEC-05: secure cookies, HSTS and the HTTPS redirect; Django's deploy check passes."""
    result = start(
        tmp_path,
        "--deploy-check",
        ALLIANCE_ENV="production",
        ALLIANCE_SECRET_KEY=GOOD_SECRET,
        ALLIANCE_AUDIT_KEY=GOOD_AUDIT,
        ALLIANCE_BACKUP_KEY="Qz8xW3eR5tY7uI9oP1aS3dF5gH7jK9lZ-backup-key-used-only-by-tests",
    )

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["DEBUG"] is False
    assert shown["SESSION_COOKIE_SECURE"] is True
    assert shown["CSRF_COOKIE_SECURE"] is True
    assert shown["SESSION_COOKIE_HTTPONLY"] is True
    assert shown["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert shown["SECURE_SSL_REDIRECT"] is True
    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["REQUIRE_MFA"] is True


def test_development_starts_without_keys_and_without_secure_cookies(tmp_path: Path) -> None:
    """Development (the demo, a laptop) runs on plain HTTP with the public development keys."""
    result = start(tmp_path)

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["SESSION_COOKIE_SECURE"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 0
    assert shown["REQUIRE_MFA"] is True  # on by default everywhere
