"""Instruments as data: options, items, bands, critical rules, change thresholds, parameters.

Everything here is a frozen dataclass. An instrument's special rules (skip logic, diagnostic
algorithms, triage) are small functions attached to the instrument; the engine in ``scoring.py``
calls them. Nothing in this package imports Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from alliance.instruments.scoring import Answers

Number = int | float
ItemKind = Literal["choice", "yesno", "vas"]
Params = Mapping[str, object]


@dataclass(frozen=True)
class Option:
    """One answer option: the value the answer convention gives it (INSTRUMENTS.md 2.1)."""

    value: Number
    label: str | None = None
    code: str | None = None  # LOINC answer code (LA…), where the instrument has one


@dataclass(frozen=True)
class Item:
    """One question. ``text`` is None where the licence does not let Alliance ship the wording."""

    id: str
    text: str | None
    kind: ItemKind
    options: tuple[Option, ...] = ()
    reverse: bool = False
    scored: bool = True
    loinc: str | None = None
    label: str = ""
    required: bool = True
    # Visual analogue scales: the legal interval and the number of decimals a mark may carry.
    vas_range: tuple[float, float] | None = None
    vas_decimals: int = 1

    @property
    def legal_values(self) -> tuple[Number, ...]:
        return tuple(option.value for option in self.options)

    @property
    def minimum(self) -> Number:
        if self.vas_range is not None:
            return self.vas_range[0]
        return min(self.legal_values)

    @property
    def maximum(self) -> Number:
        if self.vas_range is not None:
            return self.vas_range[1]
        return max(self.legal_values)

    def key(self, answer: Number) -> Number:
        """The item score for an answer: reverse-keyed items score ``min + max - answer``.

        Applying it twice gives the answer back, so keying is an involution.
        """
        if not self.reverse:
            return answer
        return self.minimum + self.maximum - answer

    @property
    def display(self) -> str:
        """A short name for messages: the neutral label, not the (possibly long) wording."""
        return self.label or f"Item {self.id}"


@dataclass(frozen=True)
class Band:
    """A severity band: inclusive ``low``..``high`` on the total. ``code`` is the output code."""

    code: str
    low: Number
    high: Number
    label: str = ""


@dataclass(frozen=True)
class CriticalRule:
    """Raise ``flag`` when ``item``'s keyed score is at least ``at_least``, whatever the total."""

    flag: str
    item: str
    at_least: Number
    description: str = ""


@dataclass(frozen=True)
class Param:
    """A scoring parameter with its default (INSTRUMENTS.md: cut-offs given as ranges, options)."""

    name: str
    default: object
    kind: type
    description: str = ""
    choices: tuple[object, ...] | None = None
    minimum: Number | None = None
    maximum: Number | None = None
    optional: bool = False  # None is an accepted value

    def coerce(self, value: object) -> object:
        """The parameter value, converted from CLI text where needed; raises ValueError."""
        if value is None or (isinstance(value, str) and value.lower() in {"", "none", "null"}):
            if self.optional:
                return None
            raise ValueError(f"parameter {self.name} needs a value")
        converted: object
        if self.kind is bool:
            if isinstance(value, bool):
                converted = value
            elif isinstance(value, str) and value.lower() in {"true", "yes", "1", "on"}:
                converted = True
            elif isinstance(value, str) and value.lower() in {"false", "no", "0", "off"}:
                converted = False
            else:
                raise ValueError(f"parameter {self.name} must be true or false")
        elif self.kind is int:
            if isinstance(value, bool):
                raise ValueError(f"parameter {self.name} must be a whole number")
            try:
                number = float(value) if isinstance(value, str) else value
            except ValueError:
                raise ValueError(f"parameter {self.name} must be a whole number") from None
            if not isinstance(number, int | float) or number != int(number):
                raise ValueError(f"parameter {self.name} must be a whole number")
            converted = int(number)
        elif self.kind is float:
            if isinstance(value, bool):
                raise ValueError(f"parameter {self.name} must be a number")
            try:
                converted = float(value) if isinstance(value, str | int | float) else None
            except ValueError:
                converted = None
            if converted is None:
                raise ValueError(f"parameter {self.name} must be a number")
        else:
            if not isinstance(value, str):
                raise ValueError(f"parameter {self.name} must be text")
            converted = value.lower()
        if self.choices is not None and converted not in self.choices:
            allowed = ", ".join(str(choice) for choice in self.choices)
            raise ValueError(f"parameter {self.name} must be one of: {allowed}")
        if isinstance(converted, int | float) and not isinstance(converted, bool):
            if self.minimum is not None and converted < self.minimum:
                raise ValueError(f"parameter {self.name} must be at least {self.minimum}")
            if self.maximum is not None and converted > self.maximum:
                raise ValueError(f"parameter {self.name} must be at most {self.maximum}")
        return converted


@dataclass(frozen=True)
class ChangeThresholds:
    """Change-over-time thresholds (INSTRUMENTS.md section 5.2). None: no published value."""

    lower_is_better: bool = True
    reliable_change: Number | None = None
    reliable_change_source: str = ""
    reliable_change_alternatives: Mapping[str, Number] = field(default_factory=dict)
    # Caseness: at or above the cut-off for symptom scales, below it where higher is better.
    caseness_cutoff: Number | None = None
    caseness_from_params: Callable[[Params], Number | None] | None = None
    response_pct: Number | None = None
    remission_below: Number | None = None
    clinically_meaningful: Number | None = None
    # "total", or "percentage_score" for WHO-5 (change is measured in percentage points).
    metric: str = "total"
    metric_factor: Number = 1


@dataclass(frozen=True)
class Instrument:
    """One instrument. Data first; the hooks are small functions for the special rules."""

    code: str
    name: str
    items: tuple[Item, ...]
    total_range: tuple[Number, Number] | None
    bands: tuple[Band, ...]
    critical_rules: tuple[CriticalRule, ...]
    loinc_panel: str | None
    loinc_total: str | None
    text_licensed: bool
    attribution: str
    licence_note: str
    change: ChangeThresholds | None = None
    params: tuple[Param, ...] = ()
    instructions: str | None = None
    loinc_note: str = ""
    requires_licence_switch: bool = False
    total_step: Number = 1
    # Accepted lengths of an answer list; empty means the number of items.
    list_lengths: tuple[int, ...] = ()
    # Hooks (see scoring.Answers).
    bands_for: Callable[[Params], tuple[Band, ...]] | None = None
    check: Callable[[Answers], None] | None = None
    compute_total: Callable[[Answers], Number | None] | None = None
    classify: Callable[[Answers, Number | None], str | None] | None = None
    extra_flags: Callable[[Answers], tuple[str, ...]] | None = None
    extras: Callable[[Answers, Number | None], dict[str, object]] | None = None

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def text_shipped(self) -> bool:
        return any(item.text for item in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    def bands_with(self, params: Params) -> tuple[Band, ...]:
        """The bands for these (resolved) parameters."""
        if self.bands_for is not None:
            return self.bands_for(params)
        return self.bands

    @property
    def defaults(self) -> dict[str, object]:
        return {param.name: param.default for param in self.params}
