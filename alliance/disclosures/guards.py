"""Database triggers of the disclosures app, on PostgreSQL and SQLite (SEC-29, SEC-31, SEC-17).

Enforced by the database so that ``QuerySet.update()``, bulk methods and raw SQL are refused
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

from alliance.core.dbguards import install_append_only, remove_append_only

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
REPORT_SIGNED = "(SELECT status FROM disclosures_mandatedreport WHERE id = {ref}.report_id)"


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


def _postgres_install() -> list[str]:
    signed = REPORT_SIGNED
    statements = [
        "CREATE OR REPLACE FUNCTION disclosures_refuse_delete() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{DELETE_MESSAGE}'; END $$",
        f"""CREATE OR REPLACE FUNCTION disclosures_report_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF {_row("NEW", REPORT_IDENTITY)} IS DISTINCT FROM {_row("OLD", REPORT_IDENTITY)} THEN
    RAISE EXCEPTION '{IDENTITY_MESSAGE}';
  END IF;
  IF OLD.status = 'signed' THEN RAISE EXCEPTION '{LOCKED_MESSAGE}'; END IF;
  RETURN NEW;
END $$""",
        f"""CREATE OR REPLACE FUNCTION disclosures_contact_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND {signed.format(ref="OLD")} = 'signed' THEN
    RAISE EXCEPTION '{LOCKED_MESSAGE}';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {signed.format(ref="NEW")} = 'signed' THEN
    RAISE EXCEPTION '{LOCKED_MESSAGE}';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$""",
        f"""CREATE OR REPLACE FUNCTION disclosures_authorization_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.revoked_at IS NOT NULL
     OR {_row("NEW", AUTHORIZATION_FIXED)} IS DISTINCT FROM {_row("OLD", AUTHORIZATION_FIXED)}
  THEN
    RAISE EXCEPTION '{AUTHORIZATION_MESSAGE}';
  END IF;
  RETURN NEW;
END $$""",
        f"CREATE OR REPLACE TRIGGER {CONTACT_TABLE}_guard BEFORE INSERT OR UPDATE OR DELETE "
        f"ON {CONTACT_TABLE} FOR EACH ROW EXECUTE FUNCTION disclosures_contact_guard()",
    ]
    for table, guard in (
        (REPORT_TABLE, "disclosures_report_guard"),
        (AUTHORIZATION_TABLE, "disclosures_authorization_guard"),
    ):
        statements += [
            f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION disclosures_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION disclosures_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {guard}()",
        ]
    return statements


def _changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _sqlite_triggers() -> list[tuple[str, str, str, str, str]]:
    """(name, event, table, condition, message) of every SQLite trigger."""
    signed_old = REPORT_SIGNED.format(ref="OLD") + " = 'signed'"
    signed_new = REPORT_SIGNED.format(ref="NEW") + " = 'signed'"
    return [
        (f"{REPORT_TABLE}_no_delete", "DELETE", REPORT_TABLE, "", DELETE_MESSAGE),
        (
            f"{REPORT_TABLE}_identity",
            "UPDATE",
            REPORT_TABLE,
            _changed(REPORT_IDENTITY),
            IDENTITY_MESSAGE,
        ),
        (
            f"{REPORT_TABLE}_signed_lock",
            "UPDATE",
            REPORT_TABLE,
            "OLD.status = 'signed'",
            LOCKED_MESSAGE,
        ),
        (f"{CONTACT_TABLE}_insert_lock", "INSERT", CONTACT_TABLE, signed_new, LOCKED_MESSAGE),
        (
            f"{CONTACT_TABLE}_update_lock",
            "UPDATE",
            CONTACT_TABLE,
            f"{signed_old} OR {signed_new}",
            LOCKED_MESSAGE,
        ),
        (f"{CONTACT_TABLE}_delete_lock", "DELETE", CONTACT_TABLE, signed_old, LOCKED_MESSAGE),
        (f"{AUTHORIZATION_TABLE}_no_delete", "DELETE", AUTHORIZATION_TABLE, "", DELETE_MESSAGE),
        (
            f"{AUTHORIZATION_TABLE}_guard",
            "UPDATE",
            AUTHORIZATION_TABLE,
            f"OLD.revoked_at IS NOT NULL OR {_changed(AUTHORIZATION_FIXED)}",
            AUTHORIZATION_MESSAGE,
        ),
    ]


def install_disclosure_guards(connection: Any) -> None:
    """Install every guard of this app (migration ``0002``; the test harness's flush)."""
    if connection.vendor == "postgresql":
        statements = _postgres_install()
    elif connection.vendor == "sqlite":
        statements = [
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table}"
            + (f" WHEN {when}" if when else "")
            + f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for name, event, table, when, message in _sqlite_triggers()
        ]
    else:
        raise NotImplementedError(f"disclosure guards for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    for table in APPEND_ONLY:
        install_append_only(connection, table)


def remove_disclosure_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {CONTACT_TABLE}_guard ON {CONTACT_TABLE}")
            for table in (REPORT_TABLE, AUTHORIZATION_TABLE):
                for suffix in ("no_delete", "no_truncate", "guard"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
        else:
            for name, *_rest in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in APPEND_ONLY:
        remove_append_only(connection, table)
