"""The database itself locks signed safety documents and flag history (REL-01, REL-02, SEC-11).

Each test runs on SQLite and, with ``ALLIANCE_DATABASE_URL`` set, on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from alliance.core.dbguards import APPEND_ONLY_MESSAGE
from alliance.safety.guards import (
    DELETE_MESSAGE,
    GUARDS,
    LOCKED_MESSAGE,
    MOVE_MESSAGE,
    UNDOCUMENTED_MESSAGE,
)
from alliance.safety.models import (
    RiskAssessment,
    RiskAssessmentRevision,
    RiskFlag,
    RiskFlagEvent,
    SafetyPlanVersion,
)
from tests.personas import Clinic


def refused(change: Callable[[], object], *messages: str) -> None:
    pattern = "|".join(re.escape(m.split(" (")[0]) for m in messages)
    with pytest.raises(DatabaseError, match=pattern), transaction.atomic():
        change()


def raw_delete(model: type, pk: int) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [pk])

    return run


def test_a_signed_assessment_cannot_be_changed_by_update_or_raw_sql(
    assessment: RiskAssessment,
) -> None:
    """REL-01: QuerySet.update() and raw SQL are refused once signed."""
    refused(
        lambda: RiskAssessment.objects.filter(pk=assessment.pk).update(suicide_risk="low"),
        LOCKED_MESSAGE,
    )
    table = RiskAssessment._meta.db_table

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET content = '{{}}' WHERE id = %s", [assessment.pk])

    refused(raw, LOCKED_MESSAGE)
    assessment.refresh_from_db()
    assert assessment.suicide_risk == "moderate"


def test_a_signed_assessment_can_only_be_marked_entered_in_error(
    assessment: RiskAssessment, clinic: Clinic
) -> None:
    now = timezone.now()
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        entered_in_error_at=now,
        entered_in_error_by=clinic.therapist_on_team,
        entered_in_error_reason="Wrong client's chart.",
    )
    refused(
        lambda: RiskAssessment.objects.filter(pk=assessment.pk).update(
            entered_in_error_reason="changed"
        ),
        "entered-in-error mark is final",
    )


def test_nothing_is_deleted_or_moved(assessment: RiskAssessment, clinic: Clinic) -> None:
    """REL-02, SEC-11."""
    refused(raw_delete(RiskAssessment, assessment.pk), DELETE_MESSAGE)
    refused(
        lambda: RiskAssessment.objects.filter(pk=assessment.pk).update(client=clinic.client_b),
        MOVE_MESSAGE,
    )
    flag = RiskFlag.objects.get(client=clinic.client_a)
    refused(raw_delete(RiskFlag, flag.pk), DELETE_MESSAGE)


def test_a_flag_changes_only_with_a_new_event(assessment: RiskAssessment) -> None:
    """A flag changed without a newer history event is refused by the database."""
    flag = RiskFlag.objects.get(client=assessment.client_id, kind="suicide")
    refused(lambda: RiskFlag.objects.filter(pk=flag.pk).update(level="low"), UNDOCUMENTED_MESSAGE)
    refused(
        lambda: RiskFlag.objects.filter(pk=flag.pk).update(active=False, last_event=None),
        UNDOCUMENTED_MESSAGE,
    )
    flag.refresh_from_db()
    assert (flag.level, flag.active) == ("moderate", True)


def test_history_revisions_and_events_are_append_only(assessment: RiskAssessment) -> None:
    refused(
        lambda: RiskFlagEvent.objects.filter(flag__client=assessment.client_id).update(
            reason="rewritten"
        ),
        APPEND_ONLY_MESSAGE,
    )
    refused(
        lambda: RiskAssessmentRevision.objects.filter(assessment=assessment).delete(),
        APPEND_ONLY_MESSAGE,
    )


def test_a_signed_plan_version_never_changes(plan_v1: SafetyPlanVersion) -> None:
    """REL-01: a signed version is immutable; a draft still changes."""
    refused(
        lambda: SafetyPlanVersion.objects.filter(pk=plan_v1.pk).update(content={}),
        LOCKED_MESSAGE,
    )
    refused(
        lambda: SafetyPlanVersion.objects.filter(pk=plan_v1.pk).update(agreement="declined"),
        LOCKED_MESSAGE,
    )
    refused(raw_delete(SafetyPlanVersion, plan_v1.pk), DELETE_MESSAGE)


def test_every_column_of_a_signed_table_is_locked_or_allowed() -> None:
    """SQLite needs the locked columns listed: a new column must be put in one list."""
    models = {
        RiskAssessment._meta.db_table: RiskAssessment,
        SafetyPlanVersion._meta.db_table: SafetyPlanVersion,
    }
    for guard in GUARDS.tables:
        checks = {check.name: check for check in guard.checks}
        lock = checks.get("signed_lock")
        if lock is None:
            continue
        columns = {f.column for f in models[guard.table]._meta.concrete_fields}
        listed = set(lock.changed) | set(lock.changed_except or ()) | set(checks["no_move"].changed)
        assert listed == columns, guard.table
