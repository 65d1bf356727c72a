"""Test settings: the product's settings plus a fast password hasher and the test-only app."""

import atexit
import shutil
import tempfile
from pathlib import Path

from alliance.config.settings import *  # noqa: F403
from alliance.config.settings import INSTALLED_APPS, PASSWORD_HASHERS

PRODUCT_PASSWORD_HASHERS = list(PASSWORD_HASHERS)
# Argon2 is slow on purpose; tests that are not about hashing do not need it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.support"]
AUDIT_CHECKPOINT_EVERY = 1_000_000

# Checkpoints of the audit chain go to a folder of this test run, never to ./var of a demo.
# The folder goes when the process that made it ends (each xdist worker makes its own).
AUDIT_CHECKPOINT_DIR = Path(tempfile.mkdtemp(prefix="alliance-test-checkpoints-"))
atexit.register(shutil.rmtree, AUDIT_CHECKPOINT_DIR, ignore_errors=True)

# Tasks are recorded, not run: tests call the task's function and inspect what it queued
# (the measurement cycle queues itself again, which would never end run immediately).
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
