"""The scoring engine: answers in, ``ScoreResult`` out, or an ``InstrumentInputError``.

Order of work (INSTRUMENTS.md sections 2 and 3):

1. normalise the answers (a list in item order, or a mapping keyed by item id);
2. check each present answer's type and range;
3. compute the critical flags from the valid answers, so that they are carried even when the
   answers are rejected (safety first);
4. reject the first problem found: an unknown item, then value errors in item order, then the
   instrument's own rules (required items, skip logic, pro-rating limits);
5. total, severity band and the instrument's extra outputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from alliance.instruments.errors import (
    INVALID_VALUE_TYPE,
    MISSING_ITEM,
    OUT_OF_RANGE,
    UNKNOWN_ITEM,
    WRONG_ITEM_COUNT,
    InstrumentInputError,
    InvalidParameter,
)
from alliance.instruments.model import Instrument, Item, Number, Params


@dataclass(frozen=True)
class ScoreResult:
    """The outputs of INSTRUMENTS.md 2.3 for valid answers.

    ``item_scores`` holds the keyed score of each scored item (after reverse keying; None where
    an item was not answered). ``extras`` holds the instrument-specific outputs of section 4.
    """

    instrument: str
    total: Number | None
    severity: str | None
    critical_flags: tuple[str, ...]
    extras: dict[str, object] = field(default_factory=dict)
    item_scores: dict[str, Number | None] = field(default_factory=dict)

    @property
    def error(self) -> None:
        return None

    def as_json(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "total": self.total,
            "severity": self.severity,
            "critical_flags": list(self.critical_flags),
            "error": None,
            **self.extras,
            "item_scores": dict(self.item_scores),
        }


@dataclass
class Answers:
    """The validated answers of one administration, as the instrument hooks see them.

    ``values`` holds the answers as given (before keying) for the items answered with a legal
    value. ``imputed`` holds keyed scores that a rule supplies for items not asked (AUDIT skips,
    K10 skip imputation).
    """

    instrument: Instrument
    values: dict[str, Number]
    params: Params
    imputed: dict[str, Number] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def answer(self, item_id: str) -> Number | None:
        return self.values.get(item_id)

    def present(self, item_id: str) -> bool:
        return item_id in self.values

    def yes(self, item_id: str) -> bool:
        return self.values.get(item_id) == 1

    def score(self, item_id: str) -> Number | None:
        """The keyed score, or the imputed score of an item that was not asked."""
        if item_id in self.values:
            return self.instrument.item(item_id).key(self.values[item_id])
        return self.imputed.get(item_id)

    def scores(self, *item_ids: str) -> list[Number]:
        """The keyed scores of these items (all must be present or imputed)."""
        result = []
        for item_id in item_ids:
            value = self.score(item_id)
            if value is None:
                raise missing(self.instrument.item(item_id))
            result.append(value)
        return result

    def require(self, *item_ids: str, why: str = "") -> None:
        """Reject the first of these items that has no answer."""
        for item_id in item_ids:
            if item_id not in self.values:
                raise missing(self.instrument.item(item_id), why)

    def impute(self, item_id: str, score: Number) -> None:
        self.imputed[item_id] = score


def missing(item: Item, why: str = "") -> InstrumentInputError:
    message = f"{item.display} has no answer"
    return InstrumentInputError(MISSING_ITEM, item.id, f"{message}{': ' + why if why else '.'}")


def resolve_params(instrument: Instrument, params: Mapping[str, object]) -> dict[str, object]:
    """Defaults filled in, values converted and checked; unknown names are rejected."""
    resolved = instrument.defaults
    for name, value in params.items():
        try:
            spec = instrument.param(name)
        except KeyError:
            known = ", ".join(p.name for p in instrument.params) or "none"
            raise InvalidParameter(
                f"{instrument.code} has no parameter {name!r} (parameters: {known})"
            ) from None
        try:
            resolved[name] = spec.coerce(value)
        except ValueError as error:
            raise InvalidParameter(str(error)) from None
    return resolved


def _normalise(
    instrument: Instrument, answers: object
) -> tuple[dict[str, object], InstrumentInputError | None]:
    """Answers keyed by item id, and the unknown-item error if a key names no item."""
    items = instrument.items
    if isinstance(answers, list | tuple):
        lengths = instrument.list_lengths or (len(items),)
        if len(answers) not in lengths:
            expected = " or ".join(str(n) for n in lengths)
            raise InstrumentInputError(
                WRONG_ITEM_COUNT,
                None,
                f"{instrument.name} takes {expected} answers in item order; got {len(answers)}.",
                instrument=instrument.code,
            )
        return {item.id: value for item, value in zip(items, answers, strict=False)}, None
    if isinstance(answers, Mapping):
        known = {item.id for item in items}
        keyed: dict[str, object] = {}
        unknown: InstrumentInputError | None = None
        for key, value in answers.items():
            item_id = str(key) if isinstance(key, int) and not isinstance(key, bool) else key
            if not isinstance(item_id, str) or item_id not in known:
                unknown = unknown or InstrumentInputError(
                    UNKNOWN_ITEM,
                    str(key),
                    f"{instrument.name} has no item {key!r}.",
                )
                continue
            keyed[item_id] = value
        return keyed, unknown
    raise InstrumentInputError(
        INVALID_VALUE_TYPE,
        None,
        "Answers must be a list in item order or an object keyed by item id.",
        instrument=instrument.code,
    )


def _fmt(value: Number) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def validate_value(item: Item, value: object) -> Number:
    """The answer as a number, or the invalid_value_type / out_of_range error."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstrumentInputError(
            INVALID_VALUE_TYPE,
            item.id,
            f"{item.display}: the answer must be a number, not {value!r}.",
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise InstrumentInputError(
            INVALID_VALUE_TYPE, item.id, f"{item.display}: {value!r} is not a number."
        )
    if item.kind == "vas":
        low, high = item.minimum, item.maximum
        if not low <= value <= high:
            raise InstrumentInputError(
                OUT_OF_RANGE,
                item.id,
                f"{item.display}: a mark must lie between {_fmt(low)} and {_fmt(high)} cm; "
                f"got {_fmt(value)}.",
            )
        scaled = value * 10**item.vas_decimals
        if abs(scaled - round(scaled)) > 1e-6:
            raise InstrumentInputError(
                INVALID_VALUE_TYPE,
                item.id,
                f"{item.display}: marks are measured to {item.vas_decimals} decimal; "
                f"got {value!r}.",
            )
        return round(float(value), item.vas_decimals)
    if isinstance(value, float):
        if not value.is_integer():
            raise InstrumentInputError(
                INVALID_VALUE_TYPE,
                item.id,
                f"{item.display}: the answer must be a whole number; got {value!r}.",
            )
        value = int(value)
    if value not in item.legal_values:
        allowed = ", ".join(_fmt(v) for v in item.legal_values)
        raise InstrumentInputError(
            OUT_OF_RANGE,
            item.id,
            f"{item.display}: {value} is not a legal answer (legal answers: {allowed}).",
        )
    return value


def critical_flags(answers: Answers) -> tuple[str, ...]:
    """The instrument's critical flags for these answers, in rule order, without repeats."""
    instrument = answers.instrument
    flags: list[str] = []
    for rule in instrument.critical_rules:
        if rule.item in answers.values:
            score = instrument.item(rule.item).key(answers.values[rule.item])
            if score >= rule.at_least and rule.flag not in flags:
                flags.append(rule.flag)
    if instrument.extra_flags is not None:
        flags.extend(flag for flag in instrument.extra_flags(answers) if flag not in flags)
    return tuple(flags)


def _default_check(answers: Answers) -> None:
    answers.require(*(item.id for item in answers.instrument.items if item.required))


def sum_total(answers: Answers) -> Number:
    total = sum(answers.scores(*(item.id for item in answers.instrument.scored_items)))
    if isinstance(total, float):
        return round(total, 6)
    return total


def band_for(instrument: Instrument, params: Params, total: Number | None) -> str | None:
    """The band whose lower limit the total has reached (a fraction never rounds up a band)."""
    if total is None:
        return None
    chosen = None
    for band in instrument.bands_with(params):
        if total >= band.low:
            chosen = band.code
    return chosen


def score_instrument(
    instrument: Instrument,
    answers: object,
    params: Mapping[str, object],
    *,
    preset_errors: Mapping[str, InstrumentInputError] | None = None,
) -> ScoreResult:
    """Score answers with resolved parameters (see ``resolve_params``).

    ``preset_errors`` lets an importer report an answer it could not translate (for example a
    FHIR answer code that is not an option) as an error of that item, in item order, while the
    critical flags of the other answers are still computed.
    """
    preset = preset_errors or {}
    raw, first_error = _normalise(instrument, answers)
    values: dict[str, Number] = {}
    for item in instrument.items:
        if item.id in preset:
            first_error = first_error or preset[item.id]
            continue
        value = raw.get(item.id)
        if value is None:
            continue
        try:
            values[item.id] = validate_value(item, value)
        except InstrumentInputError as error:
            first_error = first_error or error
    context = Answers(instrument=instrument, values=values, params=params)
    flags = critical_flags(context)
    if first_error is not None:
        raise first_error.with_context(instrument.code, flags)
    try:
        (instrument.check or _default_check)(context)
        total = (instrument.compute_total or sum_total)(context)
    except InstrumentInputError as error:
        raise error.with_context(instrument.code, flags) from None
    if instrument.classify is not None:
        severity = instrument.classify(context, total)
    else:
        severity = band_for(instrument, params, total)
    extras = instrument.extras(context, total) if instrument.extras is not None else {}
    unscored = [item for item in instrument.items if not item.scored]
    if unscored:
        extras["unscored_answers"] = {item.id: values.get(item.id) for item in unscored}
    item_scores = {item.id: context.score(item.id) for item in instrument.scored_items}
    return ScoreResult(
        instrument=instrument.code,
        total=total,
        severity=severity,
        critical_flags=flags,
        extras=extras,
        item_scores=item_scores,
    )
