"""Importing a clinic's FHIR Questionnaires (configuration, not clinical records)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction

from alliance import instruments
from alliance.access.policy import require_capability
from alliance.assessments.models import ImportedQuestionnaire
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.services import audit_record
from alliance.instruments.fhir import FhirInputError
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

CALCULATED_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
)
MAX_BYTES = 2_000_000


def questionnaire_parse(raw: bytes) -> dict[str, object]:
    """The uploaded file as a valid FHIR R4 Questionnaire, or a ValidationError saying why."""
    if len(raw) > MAX_BYTES:
        raise ValidationError("The file is larger than 2 MB.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(f"Not a JSON file: {error}") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        raise ValidationError("The file is not a FHIR Questionnaire.")
    try:
        code = instruments.recognise(data)
        if code:
            instruments.item_texts(data, code)
    except FhirInputError as error:
        raise ValidationError(str(error)) from None
    return data


def questionnaire_import(*, actor: User, data: dict[str, object]) -> ImportedQuestionnaire:
    """Recognise and store one parsed Questionnaire (see ``questionnaire_parse``)."""
    require_capability(actor, Capability.SYSTEM_CONFIG)
    code = instruments.recognise(data)
    texts = instruments.item_texts(data, code) if code else {}
    with transaction.atomic():
        imported = ImportedQuestionnaire.objects.create(
            title=str(data.get("title") or data.get("name") or "Untitled questionnaire")[:300],
            url=str(data.get("url") or "")[:500],
            instrument=code or "",
            resource=data,
            item_texts=texts,
            has_calculated_expression=CALCULATED_EXPRESSION in json.dumps(data),
            imported_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CONFIG_CHANGE,
            target=imported,
            purpose=AuditPurpose.SYSTEM,
            detail={"instrument": code or "", "items_with_text": len(texts)},
        )
    return imported


def licensed_texts(code: str) -> dict[str, str]:
    """The newest active import's wording for an instrument (empty when none)."""
    latest = (
        ImportedQuestionnaire.objects.filter(instrument=code, active=True)
        .values_list("item_texts", flat=True)
        .first()
    )
    return dict(latest or {})
