"""Database triggers of the safety app (REL-01, REL-02, SEC-11), on PostgreSQL and SQLite.

Enforced by the database, so ``QuerySet.update()``, bulk methods and raw SQL are refused too:

- nothing here is ever deleted, and no row moves to another client, author, plan or kind;
- a signed risk assessment changes only to be marked entered in error (once); a signed safety
  plan version never changes;
- a risk flag changes only together with a newer history event (``last_event_id`` must change
  on every update), so there is no change of a flag without its documented reason;
- revisions, addenda and flag events are append-only (``core.dbguards``).

The rules are data for the records kernel's trigger builder (``records.triggers``). On
PostgreSQL the signed lock compares whole rows minus the allowed columns, so a column added later
is locked without anyone remembering to. SQLite cannot, so each signed table lists its locked
columns, and a test fails when a new column is in neither list. A migration that rebuilds one of
these tables on SQLite must call ``remove_safety_guards`` before and ``install_safety_guards``
after.
"""

from __future__ import annotations

from typing import Any

from alliance.records.triggers import AppGuards, Check, TableGuard

DELETE_MESSAGE = "safety records are never deleted: mark them entered in error (REL-02)"
MOVE_MESSAGE = "a safety record cannot be moved to another client, author or plan (SEC-11)"
LOCKED_MESSAGE = "a signed safety document cannot be changed: add an addendum or a new version"
FINAL_MESSAGE = "an entered-in-error mark is final (REL-01)"
UNDOCUMENTED_MESSAGE = "a risk flag changes only with a new documented event"

APPEND_ONLY = (
    "safety_riskassessmentrevision",
    "safety_riskassessmentaddendum",
    "safety_riskflagevent",
    "safety_safetyplanrevision",
)

ASSESSMENT_ERROR_COLUMNS = (
    "entered_in_error_at",
    "entered_in_error_by_id",
    "entered_in_error_reason",
)


def _table(
    table: str,
    identity: tuple[str, ...],
    *,
    allowed_after_signing: tuple[str, ...] | None = None,
    locked_after_signing: tuple[str, ...] = (),
    extra: tuple[Check, ...] = (),
) -> TableGuard:
    checks = [Check("no_move", MOVE_MESSAGE, changed=identity)]
    if allowed_after_signing is not None:
        checks.append(
            Check(
                "signed_lock",
                LOCKED_MESSAGE,
                when="OLD.status = 'signed'",
                changed=locked_after_signing,
                changed_except=allowed_after_signing,
            )
        )
    return TableGuard(table, delete_message=DELETE_MESSAGE, checks=(*checks, *extra))


GUARDS = AppGuards(
    app="safety",
    tables=(
        _table(
            "safety_riskassessment",
            ("client_id", "author_id", "alert_id", "created_at"),
            allowed_after_signing=(*ASSESSMENT_ERROR_COLUMNS, "updated_at"),
            locked_after_signing=(
                "id",
                "content",
                "suicide_risk",
                "violence_risk",
                "review_on",
                "screeners",
                "status",
                "version",
                "signed_at",
                "signed_by_id",
                "content_hash",
            ),
            extra=(
                Check(
                    "final_0",
                    FINAL_MESSAGE,
                    when="OLD.entered_in_error_at IS NOT NULL",
                    changed=ASSESSMENT_ERROR_COLUMNS,
                ),
            ),
        ),
        _table(
            "safety_safetyplanversion",
            ("plan_id", "number", "created_at"),
            allowed_after_signing=("updated_at",),
            locked_after_signing=(
                "id",
                "content",
                "status",
                "revision",
                "written_by_id",
                "signed_at",
                "signed_by_id",
                "content_hash",
                "agreement",
                "agreement_on",
                "agreement_note",
            ),
        ),
        _table("safety_safetyplan", ("client_id", "created_at")),
        _table("safety_safetyplanlink", ("plan_id", "token_hash", "created_at")),
        _table(
            "safety_riskflag",
            ("client_id", "kind", "label", "created_at"),
            extra=(Check("undocumented", UNDOCUMENTED_MESSAGE, must_change="last_event_id"),),
        ),
    ),
    append_only=APPEND_ONLY,
)


def install_safety_guards(connection: Any) -> None:
    """Install every guard of the safety app (migration ``0002``; the test harness's flush)."""
    GUARDS.install(connection)


def remove_safety_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    GUARDS.remove(connection)


def guarded_tables() -> list[str]:
    """Every table a guard of this app protects (what a flush must lift)."""
    return GUARDS.guarded_tables()
