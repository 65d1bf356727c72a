"""Work done after a transaction commits may fail; it may never turn a saved action into an
error (issue 15).

By the time an ``on_commit`` callback runs, the action is saved. A callback that raised would
come out of the ``atomic`` block, and the request would answer with the error page for an
action that was in fact saved: the clinician enters it again, and it is recorded twice. So
Alliance registers after-commit work only through ``after_commit``, which logs a failure and
swallows it; work that must be done in the end (an audit checkpoint) keeps its own backlog
and is retried (``alliance.audit.checkpoints``). ``tests/audit/test_checkpoint_failure.py``
fails on any other ``transaction.on_commit`` in the package.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger("alliance.after_commit")


def error_name(error: BaseException) -> str:
    """What failed, for a log line: the exception's class and, for an OS error, its errno name.

    Never the message: it may quote a value (an email address refused by the mail server).
    """
    name = type(error).__name__
    code = getattr(error, "errno", None)
    if isinstance(error, OSError) and isinstance(code, int):
        return f"{name} {errno.errorcode.get(code, code)}"
    return name


def after_commit(work: Callable[[], object], *, what: str) -> None:
    """Run ``work`` once the current transaction commits (at once outside a transaction),
    logging instead of raising if it fails.

    ``what`` names the work in the log ("questionnaire link email for due measure #12"):
    identifiers only, never a client's name, address or answers (SEC-28).
    """

    def guarded() -> None:
        try:
            work()
        except Exception as error:  # the action is saved: report it, never undo it
            logger.error(
                "after-commit work failed, the action itself is saved: %s (%s)",
                what,
                error_name(error),
            )

    transaction.on_commit(guarded)
