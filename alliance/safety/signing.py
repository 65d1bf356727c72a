"""Signatures of risk assessments, their addenda and safety plan versions: a SHA-256 over a
canonical JSON text that binds the content to its client, author, signer and time (REL-01).

The same canonical form as ``notes.signing``: sorted keys, no spaces, UTC times with
microseconds, which PostgreSQL and SQLite both give back exactly as stored.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from alliance.safety.models import RiskAssessment, RiskAssessmentAddendum, SafetyPlanVersion


def _time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds") if moment else ""


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _digest(document: dict[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assessment_digest(assessment: RiskAssessment) -> str:
    """The SHA-256 that signing records (signer and time must already be set)."""
    return _digest(
        {
            "assessment": assessment.pk,
            "client": assessment.client_id,
            "author": assessment.author_id,
            "alert": assessment.alert_id,
            "content": assessment.content,
            "suicide_risk": assessment.suicide_risk,
            "violence_risk": assessment.violence_risk,
            "review_on": _day(assessment.review_on),
            "screeners": assessment.screeners,
            "signed_by": assessment.signed_by_id,
            "signed_at": _time(assessment.signed_at),
        }
    )


def assessment_signature_valid(assessment: RiskAssessment) -> bool:
    return bool(assessment.content_hash) and assessment.content_hash == assessment_digest(
        assessment
    )


def addendum_digest(addendum: RiskAssessmentAddendum, assessment_hash: str) -> str:
    """An addendum's signature, chained to the signature of the assessment it was added to."""
    return _digest(
        {
            "assessment": addendum.assessment_id,
            "assessment_hash": assessment_hash,
            "author": addendum.author_id,
            "written_at": _time(addendum.written_at),
            "text": addendum.text,
        }
    )


def addendum_signature_valid(addendum: RiskAssessmentAddendum, assessment: RiskAssessment) -> bool:
    return addendum.content_hash == addendum_digest(addendum, assessment.content_hash)


def plan_version_digest(version: SafetyPlanVersion, client_id: int) -> str:
    return _digest(
        {
            "version": version.pk,
            "plan": version.plan_id,
            "client": client_id,
            "number": version.number,
            "content": version.content,
            "agreement": version.agreement,
            "agreement_on": _day(version.agreement_on),
            "agreement_note": version.agreement_note,
            "signed_by": version.signed_by_id,
            "signed_at": _time(version.signed_at),
        }
    )


def plan_version_signature_valid(version: SafetyPlanVersion, client_id: int) -> bool:
    return bool(version.content_hash) and version.content_hash == plan_version_digest(
        version, client_id
    )
