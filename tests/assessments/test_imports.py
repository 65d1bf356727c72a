"""Importing FHIR Questionnaires: known instruments recognised, licensed wording shown,
unknown questionnaires kept; only configuration staff may import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.assessments.models import ImportedQuestionnaire
from alliance.audit.models import AuditEvent
from alliance.staff.models import User
from tests.personas import Clinic

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "fhir-examples"
ADD = "/config/assessments/importedquestionnaire/add/"
SignedIn = Callable[[User], HttpClient]


def upload(http: HttpClient, name: str, content: bytes) -> object:
    return http.post(ADD, {"file": SimpleUploadedFile(name, content, "application/json")})


def licensed_epds() -> bytes:
    """A synthetic stand-in for a clinic's licensed EPDS form (the wording here is invented)."""
    return json.dumps(
        {
            "resourceType": "Questionnaire",
            "status": "active",
            "title": "EPDS (clinic licence)",
            "code": [{"system": "http://loinc.org", "code": "71354-5"}],
            "item": [
                {"linkId": f"q{i}", "type": "choice", "text": f"Licensed wording {i}"}
                for i in range(1, 11)
            ],
        }
    ).encode()


def test_a_known_questionnaire_is_recognised_and_its_import_audited(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    it = signed_in(clinic.it_admin)
    response = upload(it, "phq9.json", (EXAMPLES / "pco-phq9-questionnaire.json").read_bytes())
    assert response.status_code == 302  # type: ignore[attr-defined]
    imported = ImportedQuestionnaire.objects.get()
    assert imported.instrument == "phq9"
    assert imported.item_texts["1"].startswith("Little interest")
    assert AuditEvent.objects.filter(action="config_change", object_id=str(imported.pk)).exists()


def test_licensed_wording_replaces_item_numbers_in_the_forms(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    give = reverse("web:measure_give", args=[clinic.client_a.pk, "epds"])
    therapist = signed_in(clinic.therapist_on_team)
    assert "Licensed wording 3" not in therapist.get(give).content.decode()
    assert upload(signed_in(clinic.it_admin), "epds.json", licensed_epds()).status_code == 302  # type: ignore[attr-defined]
    assert ImportedQuestionnaire.objects.get().instrument == "epds"
    assert "Licensed wording 3" in therapist.get(give).content.decode()


def test_an_unknown_questionnaire_is_kept_with_its_calculated_expression(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    own = {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Clinic sleep check",
        "item": [
            {"linkId": "a", "type": "integer", "text": "Hours slept"},
            {
                "linkId": "total",
                "type": "integer",
                "text": "Total",
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                        "sdc-questionnaire-calculatedExpression",
                        "valueExpression": {
                            "language": "text/fhirpath",
                            "expression": "%resource.item.where(linkId='a').answer.value",
                        },
                    }
                ],
            },
        ],
    }
    upload(signed_in(clinic.it_admin), "own.json", json.dumps(own).encode())
    imported = ImportedQuestionnaire.objects.get()
    assert (imported.instrument, imported.has_calculated_expression) == ("", True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "Not a JSON file"),
        (b'{"resourceType": "Patient"}', "not a FHIR Questionnaire"),
        (b'{"resourceType": "Questionnaire"}', "not valid FHIR R4: status"),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field(
    clinic: Clinic, signed_in: SignedIn, content: bytes, message: str
) -> None:
    response = upload(signed_in(clinic.it_admin), "bad.json", content)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not ImportedQuestionnaire.objects.exists()


def test_clinicians_and_the_privacy_officer_cannot_import(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    for persona in (clinic.therapist_on_team, clinic.privacy_officer):
        response = upload(signed_in(persona), "phq9.json", licensed_epds())
        assert response.status_code == 403  # type: ignore[attr-defined]
    assert not ImportedQuestionnaire.objects.exists()
