"""Alliance's instrument library: questionnaire definitions and scoring, in pure Python.

No Django here (a test proves that importing this package does not import it), so the scoring
can run in scripts, the CLI and background tasks alike. The public interface:

- ``score(code, answers, **params) -> ScoreResult`` or ``InstrumentInputError``;
- ``change(code, baseline, followup, **params) -> ChangeResult``;
- ``iapt_change(phq9_baseline, phq9_followup, gad7_baseline, gad7_followup)``;
- ``get(code) -> Instrument`` (``UnknownInstrument`` otherwise) and ``catalogue()``;
- ``recognise(questionnaire_json)`` and ``score_response(questionnaire_json, response_json)``
  for FHIR R4 Questionnaires (loaded on first use: ``fhir.resources`` is heavy).

Answers follow INSTRUMENTS.md 2.1: a list in item order or a mapping keyed by item id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alliance.instruments.catalogue import BY_CODE, INSTRUMENTS
from alliance.instruments.change import (
    ChangeResult,
    PairedChangeResult,
    change_instrument,
    clinical_significance_cutoff,
    jacobson_truax_rci,
    paired_change,
)
from alliance.instruments.errors import (
    ERROR_CODES,
    InstrumentInputError,
    InvalidParameter,
    NoTotal,
    UnknownInstrument,
)
from alliance.instruments.model import (
    Band,
    ChangeThresholds,
    CriticalRule,
    Instrument,
    Item,
    Number,
    Option,
    Param,
)
from alliance.instruments.scoring import ScoreResult, resolve_params, score_instrument

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ERROR_CODES",
    "Band",
    "ChangeResult",
    "ChangeThresholds",
    "CriticalRule",
    "Instrument",
    "InstrumentInputError",
    "InvalidParameter",
    "Item",
    "NoTotal",
    "Number",
    "Option",
    "PairedChangeResult",
    "Param",
    "ScoreResult",
    "UnknownInstrument",
    "catalogue",
    "change",
    "clinical_significance_cutoff",
    "get",
    "iapt_change",
    "item_texts",
    "jacobson_truax_rci",
    "recognise",
    "score",
    "score_response",
]


def get(code: str) -> Instrument:
    """The instrument with this code; ``UnknownInstrument`` (a KeyError) otherwise."""
    try:
        return BY_CODE[code]
    except (KeyError, TypeError):
        raise UnknownInstrument(str(code)) from None


def catalogue() -> list[Instrument]:
    """Every shipped instrument, in catalogue order."""
    return list(INSTRUMENTS)


def score(code: str, answers: object, **params: object) -> ScoreResult:
    """Score one administration. Raises ``InstrumentInputError`` for invalid answers (its
    ``critical_flags`` still carry the alerts of the valid answers), ``InvalidParameter`` for
    a parameter the instrument does not take."""
    instrument = get(code)
    return score_instrument(instrument, answers, resolve_params(instrument, params))


def change(code: str, baseline: object, followup: object, **params: object) -> ChangeResult:
    """Change between two administrations, each given as answers or as a total.

    Change parameters: ``reliable_change_threshold``, ``sd`` + ``reliability`` (Jacobson-Truax),
    ``caseness_cutoff``, ``lower_is_better``, ``response_pct``, ``remission_below``; other
    parameters are scoring parameters of the instrument (``age_group`` for the ORS, ...).
    """
    return change_instrument(get(code), baseline, followup, params)


def iapt_change(
    phq9_baseline: object,
    phq9_followup: object,
    gad7_baseline: object,
    gad7_followup: object,
    *,
    phq9_params: Mapping[str, object] | None = None,
    gad7_params: Mapping[str, object] | None = None,
) -> PairedChangeResult:
    """IAPT paired outcome of PHQ-9 and GAD-7 (INSTRUMENTS.md 5.3); each measure may take its
    own change parameters."""
    return paired_change(
        change("phq9", phq9_baseline, phq9_followup, **dict(phq9_params or {})),
        change("gad7", gad7_baseline, gad7_followup, **dict(gad7_params or {})),
    )


def recognise(questionnaire_json: dict[str, object]) -> str | None:
    """The instrument code a FHIR Questionnaire carries (see ``alliance.instruments.fhir``)."""
    from alliance.instruments import fhir

    return fhir.recognise(questionnaire_json)


def item_texts(
    questionnaire_json: dict[str, object], instrument: str | None = None
) -> dict[str, str]:
    """Item id → text of an imported (licensed) Questionnaire (see ``fhir.item_texts``)."""
    from alliance.instruments import fhir

    return fhir.item_texts(questionnaire_json, instrument)


def score_response(
    questionnaire_json: dict[str, object],
    response_json: dict[str, object],
    *,
    instrument: str | None = None,
    **params: object,
) -> ScoreResult:
    """Score a FHIR QuestionnaireResponse against its Questionnaire (see ``fhir``)."""
    from alliance.instruments import fhir

    return fhir.score_response(questionnaire_json, response_json, instrument=instrument, **params)
