"""Answers as a FHIR R4 QuestionnaireResponse, validated with ``fhir.resources`` (R4B models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from alliance.clients.models import Client


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    return {"valueDecimal": float(value)}


def questionnaire_response(
    *,
    client: Client,
    instrument: str,
    canonical: str,
    answers: dict[str, Any],
    authored: datetime,
) -> dict[str, Any]:
    """A validated QuestionnaireResponse for the answers, item by item, as JSON."""
    items = [
        {"linkId": item_id, "answer": [_answer(value)]}
        for item_id, value in answers.items()
        if value is not None
    ]
    resource = QuestionnaireResponse.model_validate(
        {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": canonical,
            "subject": {"reference": f"Patient/{client.pk}"},
            "authored": authored.isoformat(),
            "item": items or None,
            "meta": {"tag": [{"system": "urn:alliance:instrument", "code": instrument}]},
        }
    )
    data: dict[str, Any] = resource.model_dump(mode="json", exclude_none=True)
    return data
