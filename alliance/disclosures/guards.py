"""Database triggers of the disclosures app, on PostgreSQL and SQLite (SEC-29, SEC-31, SEC-17).

Rules as data for the records kernel's trigger builder (``records.triggers``), enforced by
the database so that ``QuerySet.update()``, bulk methods and raw SQL are refused
as well as ``save()``:

- a mandated report is never deleted and never changes client, author or kind; once signed,
  nothing of it changes at all (addenda are rows of their own);
- its contacts change only while it is a draft;
- report versions, addenda and the accounting of disclosures are append-only;
- an authorization is never deleted; only its revocation is written, once.

SQLite drops a table's triggers when a migration rebuilds the table: a migration that
reshapes these tables must call ``remove_disclosure_guards`` before and
``install_disclosure_guards`` after.
"""

from __future__ import annotations

from typing import Any

from alliance.records.triggers import AppGuards, Check, TableGuard

REPORT_TABLE = "disclosures_mandatedreport"
CONTACT_TABLE = "disclosures_reportcontact"
AUTHORIZATION_TABLE = "disclosures_authorization"
APPEND_ONLY = (
    "disclosures_mandatedreportversion",
    "disclosures_mandatedreportaddendum",
    "disclosures_disclosure",
)
DELETE_MESSAGE = "mandated reports and authorizations are never deleted (REL-02)"
IDENTITY_MESSAGE = "a mandated report keeps its client, author and kind (SEC-11)"
LOCKED_MESSAGE = "a signed mandated report cannot be changed: add an addendum (SEC-31)"
AUTHORIZATION_MESSAGE = "an authorization is not edited: only its revocation is written, once"

REPORT_IDENTITY = ("client_id", "author_id", "kind", "created_at")
AUTHORIZATION_FIXED = (
    "id",
    "client_id",
    "recipient",
    "purpose",
    "covers_psychotherapy_notes",
    "covers_other",
    "signed_on",
    "expires_on",
    "recorded_by_id",
    "created_at",
)
# Whether the report a contact row belongs to is signed (constants only: no input in the SQL).
REPORT_SIGNED = (
    "(SELECT status FROM disclosures_mandatedreport WHERE id = {ref}.report_id) = 'signed'"
)

GUARDS = AppGuards(
    app="disclosures",
    tables=(
        TableGuard(
            REPORT_TABLE,
            delete_message=DELETE_MESSAGE,
            checks=(
                Check("identity", IDENTITY_MESSAGE, changed=REPORT_IDENTITY),
                Check("signed_lock", LOCKED_MESSAGE, when="OLD.status = 'signed'"),
            ),
        ),
        # A draft's contacts are rewritten on each save; once the report is signed, never.
        TableGuard(
            CONTACT_TABLE,
            deletable=True,
            checks=(
                Check(
                    "insert_lock",
                    LOCKED_MESSAGE,
                    when=REPORT_SIGNED.format(ref="NEW"),
                    events=("INSERT",),
                ),
                Check(
                    "update_lock",
                    LOCKED_MESSAGE,
                    when=f"{REPORT_SIGNED.format(ref='OLD')} OR {REPORT_SIGNED.format(ref='NEW')}",
                ),
                Check(
                    "delete_lock",
                    LOCKED_MESSAGE,
                    when=REPORT_SIGNED.format(ref="OLD"),
                    events=("DELETE",),
                ),
            ),
        ),
        TableGuard(
            AUTHORIZATION_TABLE,
            delete_message=DELETE_MESSAGE,
            checks=(
                Check(
                    "guard",
                    AUTHORIZATION_MESSAGE,
                    when="OLD.revoked_at IS NOT NULL",
                ),
                Check("fixed", AUTHORIZATION_MESSAGE, changed=AUTHORIZATION_FIXED),
            ),
        ),
    ),
    append_only=APPEND_ONLY,
)


def install_disclosure_guards(connection: Any) -> None:
    """Install every guard of this app (migration ``0002``; the test harness's flush)."""
    GUARDS.install(connection)


def remove_disclosure_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    GUARDS.remove(connection)
