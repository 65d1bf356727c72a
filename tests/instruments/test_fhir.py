"""FHIR Questionnaires written by others (INSTRUMENTS.md section 6, ../shared/fhir-examples).

Every fixture is recognised and scored through a QuestionnaireResponse built here, and the
result is the same as scoring the answers directly.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.instruments import InstrumentInputError, recognise, score, score_response
from alliance.instruments.fhir import FhirInputError, UnrecognisedQuestionnaire

# The fixtures live in ../shared beside the checkout.
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "fhir-examples"

FIXTURES = {
    "sdc-phq9-questionnaire.json": "phq9",
    "us-core-phq9-questionnaire.json": "phq9",
    "pco-gad7-questionnaire.json": "gad7",
    "pco-phq9-questionnaire.json": "phq9",
    "researchkit-gad7-questionnaire.json": "gad7",
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = []
    for item in items:
        if item["type"] != "group":
            flat.append(item)
        flat.extend(walk(item.get("item", [])))
    return flat


def choice_items(questionnaire: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in walk(questionnaire["item"]) if item["type"] == "choice"]


def codings(questionnaire: dict[str, Any], item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's answer codings in printed order (answerOption or a contained ValueSet)."""
    if "answerOption" in item:
        return [dict(option["valueCoding"]) for option in item["answerOption"]]
    contained = {r["id"]: r for r in questionnaire["contained"]}
    value_set = contained[item["answerValueSet"].removeprefix("#")]
    include = value_set["compose"]["include"][0]
    return [
        {"system": include["system"], "code": c["code"], "display": c["display"]}
        for c in include["concept"]
    ]


def build_response(
    questionnaire: dict[str, Any], answers: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """A QuestionnaireResponse with the Questionnaire's group structure and these answers."""

    def build(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            if item["type"] == "group":
                children = build(item.get("item", []))
                if children:
                    out.append({"linkId": item["linkId"], "item": children})
            elif item["linkId"] in answers:
                out.append({"linkId": item["linkId"], "answer": answers[item["linkId"]]})
        return out

    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": build(questionnaire["item"]),
    }


def response_for(
    questionnaire: dict[str, Any],
    positions: list[int],
    *,
    drop_system: bool = False,
    extra: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Answer the choice items in document order with the option at each position."""
    answers: dict[str, list[dict[str, Any]]] = {}
    for item, position in zip(choice_items(questionnaire), positions, strict=False):
        coding = codings(questionnaire, item)[position]
        if drop_system:
            coding.pop("system", None)
        answers[item["linkId"]] = [{"valueCoding": coding}]
    return build_response(questionnaire, answers | (extra or {}))


@pytest.mark.parametrize(("name", "code"), FIXTURES.items())
def test_every_fixture_is_recognised(name: str, code: str) -> None:
    assert recognise(load(name)) == code


@pytest.mark.parametrize(("name", "code"), FIXTURES.items())
def test_every_fixture_scores_like_the_direct_answers(name: str, code: str) -> None:
    questionnaire = load(name)
    answers = [1, 2, 0, 3, 1, 0, 2, 1, 1][: len(choice_items(questionnaire))]
    answers = answers[:9] if code == "phq9" else answers[:7]

    result = score_response(questionnaire, response_for(questionnaire, answers))

    assert result == score(code, answers)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=9, max_size=9), st.sampled_from(sorted(FIXTURES)))
def test_any_answers_score_the_same_through_fhir(positions: list[int], name: str) -> None:
    questionnaire = load(name)
    code = FIXTURES[name]
    answers = positions[:9] if code == "phq9" else positions[:7]

    result = score_response(questionnaire, response_for(questionnaire, answers))

    assert result.total == score(code, answers).total
    assert result.critical_flags == score(code, answers).critical_flags


def test_sdc_codings_without_system_in_nested_groups_and_a_wrong_embedded_total() -> None:
    questionnaire = load("sdc-phq9-questionnaire.json")
    answers = [1, 2, 0, 3, 1, 0, 2, 1, 1]
    total = {"H1/TS": [{"valueQuantity": {"value": 13}}]}

    result = score_response(
        questionnaire, response_for(questionnaire, answers, drop_system=True, extra=total)
    )

    assert result.total == 11
    assert result.critical_flags == ("phq9_item9_positive",)
    assert result.extras["submitted_total_mismatch"] == {"submitted": 13, "recomputed": 11}
    assert result.as_json()["submitted_total_mismatch"] == {"submitted": 13, "recomputed": 11}


def test_a_correct_embedded_total_is_not_reported() -> None:
    questionnaire = load("pco-gad7-questionnaire.json")
    total = {"58628": [{"valueDecimal": 9}]}

    result = score_response(
        questionnaire, response_for(questionnaire, [3, 2, 1, 1, 1, 1, 0], extra=total)
    )

    assert result.total == 9
    assert "submitted_total_mismatch" not in result.extras


def test_pco_gad7_more_days_than_not_scores_two() -> None:
    questionnaire = load("pco-gad7-questionnaire.json")
    response = response_for(questionnaire, [0, 2, 0, 0, 0, 0, 0])
    coding = response["item"][1]["answer"][0]["valueCoding"]

    result = score_response(questionnaire, response)

    assert coding["code"] == "LA18938-3"
    assert result.item_scores["2"] == 2
    assert result.total == 2


def test_pco_gad7_total_mismatch() -> None:
    questionnaire = load("pco-gad7-questionnaire.json")
    total = {"58628": [{"valueDecimal": 21}]}

    result = score_response(questionnaire, response_for(questionnaire, [0] * 7, extra=total))

    assert result.extras["submitted_total_mismatch"] == {"submitted": 21, "recomputed": 0}


@pytest.mark.parametrize(
    ("name", "difficulty_link"),
    [("us-core-phq9-questionnaire.json", "/69722-7"), ("pco-phq9-questionnaire.json", "57492")],
)
@pytest.mark.parametrize(
    ("code", "value"), [("LA6572-7", 0), ("LA6573-5", 1), ("LA6575-0", 2), ("LA6574-3", 3)]
)
def test_phq9_difficulty_is_read_by_code_and_never_scored(
    name: str, difficulty_link: str, code: str, value: int
) -> None:
    questionnaire = load(name)
    difficulty = {difficulty_link: [{"valueCoding": {"system": "http://loinc.org", "code": code}}]}

    result = score_response(questionnaire, response_for(questionnaire, [1] * 9, extra=difficulty))

    assert result.total == 9
    assert result.extras["unscored_answers"] == {"10": value}


def test_us_core_item9_is_optional_in_the_form_but_required_for_scoring() -> None:
    questionnaire = load("us-core-phq9-questionnaire.json")

    with pytest.raises(InstrumentInputError) as caught:
        score_response(questionnaire, response_for(questionnaire, [1] * 8))

    assert (caught.value.code, caught.value.item) == ("missing_item", "9")


def test_an_answer_code_that_is_not_an_option_is_rejected_and_flags_survive() -> None:
    questionnaire = load("pco-phq9-questionnaire.json")
    response = response_for(questionnaire, [0, 0, 0, 0, 0, 0, 0, 0, 2])
    response["item"][2]["answer"] = [
        {"valueCoding": {"system": "http://loinc.org", "code": "LA9999-9"}}
    ]

    with pytest.raises(InstrumentInputError) as caught:
        score_response(questionnaire, response)

    assert (caught.value.code, caught.value.item) == ("out_of_range", "3")
    assert caught.value.critical_flags == ("phq9_item9_positive",)


def test_more_than_one_answer_to_a_question_is_rejected() -> None:
    questionnaire = load("pco-gad7-questionnaire.json")
    response = response_for(questionnaire, [0] * 7)
    response["item"][0]["answer"] = response["item"][0]["answer"] * 2

    with pytest.raises(InstrumentInputError) as caught:
        score_response(questionnaire, response)

    assert (caught.value.code, caught.value.item) == ("invalid_value_type", "1")


def test_researchkit_item_order_comes_from_the_document_not_the_uuids() -> None:
    questionnaire = load("researchkit-gad7-questionnaire.json")
    link_ids = [item["linkId"] for item in choice_items(questionnaire)]

    result = score_response(questionnaire, response_for(questionnaire, [3, 0, 0, 0, 0, 0, 0]))

    assert link_ids != sorted(link_ids)
    assert result.item_scores["1"] == 3
    assert result.total == 3


def test_an_uncoded_questionnaire_can_be_named_by_the_clinic() -> None:
    questionnaire = load("researchkit-gad7-questionnaire.json")
    questionnaire["url"] = "https://clinic.example/Questionnaire/anxiety"
    response = response_for(questionnaire, [1] * 7)

    assert recognise(questionnaire) is None
    with pytest.raises(UnrecognisedQuestionnaire):
        score_response(questionnaire, response)
    assert score_response(questionnaire, response, instrument="gad7").total == 7


def test_an_unknown_questionnaire_is_scored_by_its_calculated_expression() -> None:
    questionnaire = load("sdc-phq9-questionnaire.json")
    total_item = questionnaire["item"][0]["item"][-1]
    del total_item["code"]  # no LOINC left: not recognisable as the PHQ-9
    total = {"H1/TS": [{"valueQuantity": {"value": 13}}]}
    response = response_for(questionnaire, [1, 2, 0, 3, 1, 0, 2, 1, 1], extra=total)

    result = score_response(questionnaire, response)

    assert recognise(questionnaire) is None
    assert result.instrument == "unknown"
    assert result.total == 11
    assert result.severity is None
    assert result.extras["expression"] == "%resource.answers().value.ordinal().sum()"
    assert result.extras["submitted_total_mismatch"] == {"submitted": 13, "recomputed": 11}


def test_boolean_and_integer_answers_on_a_coded_panel() -> None:
    """A DAST-10 form (LOINC panel 82666-9) with boolean items and no item codes."""
    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "active",
        "code": [{"system": "http://loinc.org", "code": "82666-9"}],
        "item": [{"linkId": f"q{n}", "type": "boolean"} for n in range(1, 11)],
    }
    answers = {f"q{n}": [{"valueBoolean": n in (1, 2)}] for n in range(1, 11)}

    result = score_response(questionnaire, build_response(questionnaire, answers))

    assert recognise(questionnaire) == "dast10"
    assert result.total == 3  # items 1, 2 yes, and item 3 "no" scores 1
    assert result.severity == "moderate"


def test_integer_answers_are_validated_by_the_scorer() -> None:
    def coded(link_id: str, code: str) -> dict[str, Any]:
        coding = {"system": "http://loinc.org", "code": code}
        return {"linkId": link_id, "type": "integer", "code": [coding]}

    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "active",
        "code": [{"system": "http://loinc.org", "code": "55757-9"}],
        "item": [coded("a", "44250-9"), coded("b", "44255-8")],
    }

    ok = build_response(questionnaire, {"a": [{"valueInteger": 2}], "b": [{"valueInteger": 1}]})
    bad = build_response(questionnaire, {"a": [{"valueInteger": 5}], "b": [{"valueInteger": 1}]})

    assert score_response(questionnaire, ok).severity == "positive"
    with pytest.raises(InstrumentInputError) as caught:
        score_response(questionnaire, bad)
    assert (caught.value.code, caught.value.item) == ("out_of_range", "1")


@pytest.mark.parametrize(
    "broken",
    [
        {"resourceType": "Patient"},
        {"resourceType": "Questionnaire"},  # status is required
        {"resourceType": "Questionnaire", "status": "draft", "item": [{"type": "choice"}]},
    ],
)
def test_invalid_questionnaires_are_rejected(broken: dict[str, Any]) -> None:
    with pytest.raises(FhirInputError):
        recognise(broken)


def test_an_invalid_response_is_rejected() -> None:
    questionnaire = load("pco-gad7-questionnaire.json")
    response = response_for(questionnaire, [0] * 7)
    response["item"][0]["answer"][0] = {"valueInteger": "many"}

    with pytest.raises(FhirInputError):
        score_response(questionnaire, response)
    with pytest.raises(FhirInputError):
        score_response(questionnaire, {"resourceType": "Questionnaire", "status": "draft"})


def test_fixtures_are_not_modified() -> None:
    questionnaire = load("sdc-phq9-questionnaire.json")
    before = copy.deepcopy(questionnaire)
    response = response_for(questionnaire, [0] * 9)
    response_before = copy.deepcopy(response)

    score_response(questionnaire, response)

    assert questionnaire == before
    assert response == response_before
