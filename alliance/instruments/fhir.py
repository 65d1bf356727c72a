"""FHIR R4 Questionnaires written by others (INSTRUMENTS.md section 6).

``recognise`` finds the instrument a Questionnaire carries: by its LOINC panel code, by the
LOINC codes of its items (the largest instrument whose scored items are all present), by a LOINC
total-score code, or by a known canonical URL. ``score_response`` maps a QuestionnaireResponse
onto the instrument's answer convention and scores it with ``score``: totals are always
recomputed, and a total embedded in the response that differs is reported in
``extras["submitted_total_mismatch"]``. An unknown Questionnaire is scored only where it carries
an SDC calculatedExpression, which is evaluated with fhirpathpy.

Both resources are validated with the ``fhir.resources`` R4B models before anything is read.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from alliance.instruments.catalogue import BY_CODE, INSTRUMENTS
from alliance.instruments.errors import (
    INVALID_VALUE_TYPE,
    OUT_OF_RANGE,
    InstrumentInputError,
    UnknownInstrument,
)
from alliance.instruments.model import Instrument, Item, Number
from alliance.instruments.scoring import ScoreResult, resolve_params, score_instrument

LOINC = "http://loinc.org"
ORDINAL_EXTENSIONS = frozenset(
    {
        "http://hl7.org/fhir/StructureDefinition/ordinalValue",
        "http://hl7.org/fhir/StructureDefinition/itemWeight",
        "http://hl7.org/fhir/StructureDefinition/questionnaire-ordinalValue",
    }
)
CALCULATED_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
)
# Codes that stand for another answer code (GAD-7 item 2 in LOINC-derived forms).
LOINC_ANSWER_ALIASES = {"LA18938-3": "LA6570-1"}
# Yes/no answer codes (LOINC LL361-7 and common local codes).
YES_CODES = frozenset({"la33-6", "y", "yes", "true"})
NO_CODES = frozenset({"la32-8", "n", "no", "false"})
# Public Questionnaires without LOINC codes, recognised by canonical URL.
KNOWN_QUESTIONNAIRES = {"http://cardinalkit.org/fhir/questionnaire/GAD-7": "gad7"}
ANSWERABLE_TYPES = frozenset(
    {"choice", "open-choice", "integer", "decimal", "boolean", "coding", "quantity"}
)
NUMERIC_TYPES = frozenset({"decimal", "integer", "quantity"})


class FhirInputError(ValueError):
    """A resource that is not valid FHIR R4, or that cannot be mapped onto an instrument."""


class UnrecognisedQuestionnaire(FhirInputError):
    """Not a known instrument, and no SDC calculatedExpression to evaluate."""


@dataclass
class _Option:
    system: str | None
    code: str | None
    ordinal: Number | None
    position: int
    value: Number | None = None  # valueInteger options


@dataclass
class _QItem:
    link_id: str
    type: str
    text: str
    codes: list[tuple[str | None, str]]
    options: list[_Option] = field(default_factory=list)
    expression: str | None = None

    def loinc_codes(self) -> list[str]:
        return [code for system, code in self.codes if system == LOINC]

    def option(self, system: str | None, code: str | None) -> _Option | None:
        matches = [option for option in self.options if option.code == code]
        exact = [option for option in matches if system and option.system == system]
        # A valueCoding without system matches by code alone (the SDC example does this).
        found = exact or matches
        return found[0] if found else None


def _number(value: Any) -> Number:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise TypeError(value)


def _ordinal(extensions: Any) -> Number | None:
    for extension in extensions or ():
        if extension.url in ORDINAL_EXTENSIONS:
            for name in ("valueDecimal", "valueInteger"):
                value = getattr(extension, name, None)
                if value is not None:
                    return _number(value)
    return None


def _validate(model: Any, data: object, what: str) -> Any:
    if not isinstance(data, dict):
        raise FhirInputError(f"The {what} must be a JSON object.")
    kind = model.__name__
    if data.get("resourceType") != kind:
        raise FhirInputError(f"The {what} must be a FHIR {kind} resource.")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise FhirInputError(f"The {what} is not valid FHIR R4: {where}: {first['msg']}") from None


def _contained_options(questionnaire: Any, reference: str) -> list[_Option]:
    """Options of a contained ValueSet (or the contained CodeSystem it includes)."""
    contained = {resource.id: resource for resource in questionnaire.contained or ()}
    value_set = contained.get(reference.removeprefix("#"))
    if value_set is None or value_set.__resource_type__ != "ValueSet":
        return []
    systems = {
        resource.url: resource
        for resource in contained.values()
        if resource.__resource_type__ == "CodeSystem"
    }
    options: list[_Option] = []
    for include in value_set.compose.include if value_set.compose else ():
        concepts = include.concept
        if not concepts and include.system in systems:
            concepts = systems[include.system].concept
        for concept in concepts or ():
            options.append(
                _Option(include.system, concept.code, _ordinal(concept.extension), len(options))
            )
    for entry in value_set.expansion.contains or () if value_set.expansion else ():
        options.append(_Option(entry.system, entry.code, _ordinal(entry.extension), len(options)))
    return options


def _flatten(questionnaire: Any) -> list[_QItem]:
    """Answerable and total items in document order; groups are walked, not returned."""
    flat: list[_QItem] = []

    def walk(items: Any) -> None:
        for item in items or ():
            if item.type not in {"group", "display"}:
                expression = None
                for extension in item.extension or ():
                    if extension.url == CALCULATED_EXPRESSION and extension.valueExpression:
                        expression = extension.valueExpression.expression
                q_item = _QItem(
                    link_id=item.linkId,
                    type=item.type,
                    text=item.text or "",
                    codes=[(coding.system, coding.code) for coding in item.code or ()],
                    expression=expression,
                )
                for position, option in enumerate(item.answerOption or ()):
                    coding = option.valueCoding
                    ordinal = _ordinal(option.extension)
                    if ordinal is None and coding is not None:
                        ordinal = _ordinal(coding.extension)
                    q_item.options.append(
                        _Option(
                            coding.system if coding else None,
                            coding.code if coding else None,
                            ordinal,
                            position,
                            option.valueInteger,
                        )
                    )
                if not q_item.options and item.answerValueSet:
                    q_item.options = _contained_options(questionnaire, item.answerValueSet)
                flat.append(q_item)
            walk(item.item)

    walk(questionnaire.item)
    return flat


def _recognise_model(questionnaire: Any, flat: list[_QItem]) -> str | None:
    panels = {coding.code for coding in questionnaire.code or () if coding.system == LOINC}
    for instrument in INSTRUMENTS:
        if instrument.loinc_panel and instrument.loinc_panel in panels:
            return instrument.code
    item_codes = {code for q_item in flat for code in q_item.loinc_codes()}
    best: Instrument | None = None
    for instrument in INSTRUMENTS:
        needed = {item.loinc for item in instrument.scored_items}
        if None in needed or not needed <= item_codes:
            continue
        if best is None or len(needed) > len(best.scored_items):
            best = instrument
    if best is not None:
        return best.code
    for instrument in INSTRUMENTS:
        if instrument.loinc_total and instrument.loinc_total in item_codes:
            return instrument.code
    url = questionnaire.url
    return KNOWN_QUESTIONNAIRES.get(url) if url else None


def recognise(questionnaire_json: dict[str, object]) -> str | None:
    """The code of the instrument this Questionnaire carries, or None."""
    questionnaire = _validate(Questionnaire, questionnaire_json, "Questionnaire")
    return _recognise_model(questionnaire, _flatten(questionnaire))


def _is_total(instrument: Instrument, q_item: _QItem) -> bool:
    if instrument.loinc_total and instrument.loinc_total in q_item.loinc_codes():
        return True
    return q_item.type in NUMERIC_TYPES and (
        q_item.expression is not None or "total" in q_item.text.lower()
    )


def _map_items(
    instrument: Instrument, flat: list[_QItem]
) -> tuple[dict[str, _QItem], _QItem | None]:
    """Instrument item id → Questionnaire item, and the embedded total item if there is one.

    Items are matched by LOINC code; the rest, where there are no codes, by document order.
    """
    by_loinc = {item.loinc: item for item in instrument.items if item.loinc}
    mapped: dict[str, _QItem] = {}
    used: set[str] = set()
    for q_item in flat:
        for code in q_item.loinc_codes():
            item = by_loinc.get(code)
            if item is not None and item.id not in mapped:
                mapped[item.id] = q_item
                used.add(q_item.link_id)
                break
    total = next(
        (q for q in flat if q.link_id not in used and _is_total(instrument, q)),
        None,
    )
    if total is not None:
        used.add(total.link_id)
    candidates = [q for q in flat if q.link_id not in used and q.type in ANSWERABLE_TYPES]
    remaining = [item for item in instrument.items if item.id not in mapped]
    required = [item for item in remaining if item.required]
    if candidates:
        if len(candidates) not in {len(remaining), len(required)}:
            raise FhirInputError(
                f"Cannot map this Questionnaire onto {instrument.name}: {len(candidates)} "
                f"uncoded questions for {len(remaining)} items."
            )
        targets = remaining if len(candidates) == len(remaining) else required
        for item, q_item in zip(targets, candidates, strict=True):
            mapped[item.id] = q_item
    return mapped, total


def _response_answers(response: Any) -> dict[str, list[Any]]:
    answers: dict[str, list[Any]] = {}

    def walk(items: Any) -> None:
        for item in items or ():
            answers.setdefault(item.linkId, []).extend(item.answer or ())
            for answer in item.answer or ():
                walk(answer.item)
            walk(item.item)

    walk(response.item)
    return answers


def _yes_no(coding: Any) -> int | None:
    for text in (coding.code, coding.display):
        if text and text.lower() in YES_CODES:
            return 1
        if text and text.lower() in NO_CODES:
            return 0
    return None


def _coding_value(item: Item, q_item: _QItem, coding: Any) -> Number:
    """The answer, in the instrument's convention, that a valueCoding stands for."""
    option = q_item.option(coding.system, coding.code)
    if item.kind == "yesno":
        value = _yes_no(coding)
        if value is not None:
            return value
    if item.reverse and item.kind == "choice":
        # The convention for reverse-keyed items is the option position; an ordinal in the
        # form may already be keyed, so it is not used.
        if option is not None and option.position < len(item.legal_values):
            return item.legal_values[option.position]
        raise _unknown_code(item, coding)
    ordinal = _ordinal(coding.extension)
    if ordinal is None and option is not None:
        ordinal = option.ordinal if option.ordinal is not None else option.value
    if ordinal is not None:
        return ordinal
    code = LOINC_ANSWER_ALIASES.get(coding.code, coding.code)
    for known in item.options:
        if known.code is not None and known.code == code:
            return known.value
    if option is not None and option.position < len(item.legal_values):
        return item.legal_values[option.position]
    raise _unknown_code(item, coding)


def _unknown_code(item: Item, coding: Any) -> InstrumentInputError:
    return InstrumentInputError(
        OUT_OF_RANGE,
        item.id,
        f"{item.display}: the answer code {coding.code!r} is not an option of this question.",
    )


def _answer_value(item: Item, q_item: _QItem, answer: Any) -> object:
    if answer.valueCoding is not None:
        return _coding_value(item, q_item, answer.valueCoding)
    if answer.valueBoolean is not None:
        return 1 if answer.valueBoolean else 0
    for name in ("valueInteger", "valueDecimal"):
        value = getattr(answer, name)
        if value is not None:
            return _number(value)
    if answer.valueQuantity is not None and answer.valueQuantity.value is not None:
        return _number(answer.valueQuantity.value)
    if answer.valueString is not None:
        return answer.valueString  # rejected as invalid_value_type by the scorer
    raise InstrumentInputError(
        INVALID_VALUE_TYPE, item.id, f"{item.display}: this kind of answer cannot be scored."
    )


def _submitted_number(answers: list[Any]) -> Number | None:
    for answer in answers:
        for name in ("valueDecimal", "valueInteger"):
            value = getattr(answer, name)
            if value is not None:
                return _number(value)
        if answer.valueQuantity is not None and answer.valueQuantity.value is not None:
            return _number(answer.valueQuantity.value)
    return None


def _with_mismatch(result: ScoreResult, submitted: Number | None) -> ScoreResult:
    if submitted is None or result.total is None or abs(submitted - result.total) < 1e-9:
        return result
    extras = {
        **result.extras,
        "submitted_total_mismatch": {"submitted": submitted, "recomputed": result.total},
    }
    return replace(result, extras=extras)


def score_response(
    questionnaire_json: dict[str, object],
    response_json: dict[str, object],
    *,
    instrument: str | None = None,
    **params: object,
) -> ScoreResult:
    """Score a QuestionnaireResponse against its Questionnaire.

    ``instrument`` names the instrument when the clinic knows it and the Questionnaire does not
    say (no LOINC codes). Raises ``FhirInputError`` for invalid or unmappable resources,
    ``UnrecognisedQuestionnaire`` for unknown ones without a calculatedExpression, and
    ``InstrumentInputError`` for answers the instrument rejects.
    """
    questionnaire = _validate(Questionnaire, questionnaire_json, "Questionnaire")
    response = _validate(QuestionnaireResponse, response_json, "QuestionnaireResponse")
    flat = _flatten(questionnaire)
    code = instrument or _recognise_model(questionnaire, flat)
    answers = _response_answers(response)
    if code is None:
        return _score_calculated(questionnaire, questionnaire_json, response_json, flat, answers)
    try:
        known = BY_CODE[code]
    except KeyError:
        raise UnknownInstrument(code) from None

    mapping, total_item = _map_items(known, flat)
    values: dict[str, object] = {}
    problems: dict[str, InstrumentInputError] = {}
    for item_id, q_item in mapping.items():
        given = answers.get(q_item.link_id, [])
        if not given:
            continue
        item = known.item(item_id)
        if len(given) > 1:
            problems[item_id] = InstrumentInputError(
                INVALID_VALUE_TYPE, item_id, f"{item.display}: more than one answer."
            )
            continue
        try:
            values[item_id] = _answer_value(item, q_item, given[0])
        except InstrumentInputError as error:
            problems[item_id] = error
    result = score_instrument(known, values, resolve_params(known, params), preset_errors=problems)
    submitted = _submitted_number(answers.get(total_item.link_id, [])) if total_item else None
    return _with_mismatch(result, submitted)


def _ordinal_table(flat: list[_QItem]) -> dict[tuple[str | None, str | None], Number]:
    table: dict[tuple[str | None, str | None], Number] = {}
    for q_item in flat:
        for option in q_item.options:
            if option.ordinal is not None:
                table.setdefault((option.system, option.code), option.ordinal)
                table.setdefault((None, option.code), option.ordinal)
    return table


def _fhirpath_functions(flat: list[_QItem]) -> dict[str, dict[str, Any]]:
    """SDC's ``answers()`` and ``ordinal()``/``weight()``, which fhirpathpy does not define."""
    from fhirpathpy.engine.nodes import ResourceNode

    table = _ordinal_table(flat)

    def answers(inputs: list[Any]) -> list[Any]:
        found: list[Any] = []

        def walk(items: Any) -> Iterator[Any]:
            for item in items or ():
                for answer in item.get("answer") or ():
                    yield ResourceNode.create_node(answer, "QuestionnaireResponse.item.answer")
                    yield from walk(answer.get("item"))
                yield from walk(item.get("item"))

        for resource in inputs:
            if isinstance(resource, Mapping):
                found.extend(walk(resource.get("item")))
        return found

    def ordinal(inputs: list[Any]) -> list[Number]:
        values: list[Number] = []
        for coding in inputs:
            if not isinstance(coding, Mapping) or "code" not in coding:
                continue
            own = None
            for extension in coding.get("extension") or ():
                if extension.get("url") in ORDINAL_EXTENSIONS:
                    own = extension.get("valueDecimal", extension.get("valueInteger"))
            if own is None:
                own = table.get((coding.get("system"), coding["code"]))
            if own is None:
                own = table.get((None, coding["code"]))
            if own is not None:
                values.append(own)
        return values

    return {"answers": {"fn": answers}, "ordinal": {"fn": ordinal}, "weight": {"fn": ordinal}}


def evaluate_expression(
    expression: str,
    questionnaire_json: dict[str, object],
    response_json: dict[str, object],
    flat: list[_QItem] | None = None,
) -> Number | None:
    """Evaluate an SDC FHIRPath expression on a response with fhirpathpy."""
    import fhirpathpy
    from fhirpathpy.models import models

    if flat is None:
        flat = _flatten(_validate(Questionnaire, questionnaire_json, "Questionnaire"))
    resource = copy.deepcopy(response_json)
    context = {"resource": resource, "questionnaire": copy.deepcopy(questionnaire_json)}
    try:
        result = fhirpathpy.evaluate(
            resource,
            expression,
            context,
            model=models["r4"],
            options={"userInvocationTable": _fhirpath_functions(flat)},
        )
    except Exception as error:  # fhirpathpy raises bare Exceptions
        raise FhirInputError(f"Cannot evaluate {expression!r}: {error}") from None
    if not result:
        return None
    if len(result) != 1:
        raise FhirInputError(f"{expression!r} gave {len(result)} values, not one total.")
    try:
        return _number(result[0])
    except TypeError:
        raise FhirInputError(f"{expression!r} gave {result[0]!r}, not a number.") from None


def _score_calculated(
    questionnaire: Any,
    questionnaire_json: dict[str, object],
    response_json: dict[str, object],
    flat: list[_QItem],
    answers: dict[str, list[Any]],
) -> ScoreResult:
    calculated = [q_item for q_item in flat if q_item.expression]
    if not calculated:
        raise UnrecognisedQuestionnaire(
            "This Questionnaire is not a known instrument and carries no calculatedExpression; "
            "it can be stored and shown, not scored."
        )
    target = calculated[0]
    assert target.expression is not None
    total = evaluate_expression(target.expression, questionnaire_json, response_json, flat)
    result = ScoreResult(
        instrument="unknown",
        total=total,
        severity=None,
        critical_flags=(),
        extras={
            "questionnaire": questionnaire.url or questionnaire.id,
            "calculated_item": target.link_id,
            "expression": target.expression,
        },
    )
    return _with_mismatch(result, _submitted_number(answers.get(target.link_id, [])))


def item_texts(
    questionnaire_json: dict[str, object], instrument: str | None = None
) -> dict[str, str]:
    """Item id → question text of a clinic's licensed Questionnaire for a known instrument.

    This is how a clinic that holds a licence shows the wording Alliance may not ship: the
    imported text is laid over the instrument's items, matched as scoring matches them.
    """
    questionnaire = _validate(Questionnaire, questionnaire_json, "Questionnaire")
    flat = _flatten(questionnaire)
    code = instrument or _recognise_model(questionnaire, flat)
    if code is None:
        raise UnrecognisedQuestionnaire("This Questionnaire is not a known instrument.")
    mapped, _total = _map_items(BY_CODE[code], flat)
    return {item_id: q_item.text for item_id, q_item in mapped.items() if q_item.text}
