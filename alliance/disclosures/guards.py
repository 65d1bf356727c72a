"""Database triggers of the disclosures app, on PostgreSQL and SQLite (SEC-29, SEC-31, SEC-17).

Rules as data for the records kernel's trigger builder (``records.triggers``), enforced by
the database so that ``QuerySet.update()``, bulk methods and raw SQL are refused
as well as ``save()``:

- a mandated report is never deleted and never changes client, author or kind; once signed,
  nothing of it changes at all (addenda are rows of their own);
- its contacts change only while it is a draft;
- report versions, addenda and the accounting of disclosures are append-only;
- an authorization is never deleted; only its revocation is written, once;
- a 42 CFR Part 2 consent likewise (SEC-20: revocation is written and prospective); Part 2
  court orders and the record of what each Part 2 disclosure rested on are append-only.

SQLite drops a table's triggers when a migration rebuilds the table: a migration that
reshapes these tables must call ``remove_disclosure_guards`` before and
``install_disclosure_guards`` after. The Part 2 tables came later (migration ``0005``), so the
migrations before it install ``FIRST_GUARDS`` only.
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
PART2_CONSENT_TABLE = "disclosures_part2consent"
PART2_APPEND_ONLY = ("disclosures_part2courtorder", "disclosures_part2disclosure")
PART2_DELETE_MESSAGE = "a 42 CFR Part 2 consent is never deleted: record its revocation (SEC-20)"
PART2_CONSENT_MESSAGE = (
    "a 42 CFR Part 2 consent is not edited: only its revocation is written, once (SEC-20)"
)

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
# What a consent's revocation writes; everything else is fixed once recorded.
PART2_CONSENT_REVOCATION = ("revoked_at", "revoked_by_id", "revocation", "updated_at")
PART2_CONSENT_FIXED = (
    "id",
    "client_id",
    "program_id",
    "discloser",
    "information_kind",
    "information",
    "information_amount",
    "covers_counseling_notes",
    "recipient_kind",
    "recipient",
    "intermediary_participants",
    "purpose",
    "purpose_detail",
    "revocation_statement",
    "expiry",
    "expires_on",
    "signed_by",
    "signer_name",
    "signer_relationship",
    "signed_on",
    "tpo_redisclosure_statement",
    "tpo_refusal_statement",
    "recorded_by_id",
    "created_at",
)
# Whether the report a contact row belongs to is signed (constants only: no input in the SQL).
REPORT_SIGNED = (
    "(SELECT status FROM disclosures_mandatedreport WHERE id = {ref}.report_id) = 'signed'"
)

FIRST_GUARDS = AppGuards(
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

PART2_GUARDS = AppGuards(
    app="disclosures",
    tables=(
        TableGuard(
            PART2_CONSENT_TABLE,
            delete_message=PART2_DELETE_MESSAGE,
            checks=(
                Check("guard", PART2_CONSENT_MESSAGE, when="OLD.revoked_at IS NOT NULL"),
                Check(
                    "fixed",
                    PART2_CONSENT_MESSAGE,
                    changed=PART2_CONSENT_FIXED,
                    changed_except=PART2_CONSENT_REVOCATION,
                ),
            ),
        ),
    ),
    append_only=PART2_APPEND_ONLY,
)

# Every guard of the app, as the tables stand now.
GUARDS = AppGuards(
    app="disclosures",
    tables=(*FIRST_GUARDS.tables, *PART2_GUARDS.tables),
    append_only=(*FIRST_GUARDS.append_only, *PART2_GUARDS.append_only),
)


def install_disclosure_guards(connection: Any) -> None:
    """Install every guard of this app (the test harness's flush; migrations install the guards
    of the tables they know: ``FIRST_GUARDS`` in ``0002``, ``PART2_GUARDS`` in ``0005``)."""
    GUARDS.install(connection)


def remove_disclosure_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    GUARDS.remove(connection)
