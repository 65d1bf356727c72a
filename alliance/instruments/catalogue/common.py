"""Building blocks shared by the catalogue modules: option sets and item builders."""

from __future__ import annotations

from collections.abc import Sequence

from alliance.instruments.model import Band, Item, ItemKind, Number, Option, Params

# LOINC answer list LL358-3 (loinc.org/LL358-3): the PHQ/GAD frequency scale.
PHQ_FREQUENCY = (
    Option(0, "Not at all", "LA6568-5"),
    Option(1, "Several days", "LA6569-3"),
    Option(2, "More than half the days", "LA6570-1"),
    Option(3, "Nearly every day", "LA6571-9"),
)

YES_NO = (Option(0, "No"), Option(1, "Yes"))

PFIZER_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)


def positions(count: int, start: int = 0) -> tuple[Option, ...]:
    """Unlabelled options valued by their position (the wording stays with the licensed form)."""
    return tuple(Option(start + index) for index in range(count))


def items(
    count: int,
    kind: ItemKind,
    options: tuple[Option, ...],
    *,
    texts: Sequence[str | None] | None = None,
    loinc: Sequence[str | None] | None = None,
    reverse: Sequence[int] = (),
    first: int = 1,
) -> tuple[Item, ...]:
    """Items numbered ``first``.. with the same options; ``reverse`` lists 1-based item numbers."""
    built = []
    for index in range(count):
        number = first + index
        built.append(
            Item(
                id=str(number),
                text=texts[index] if texts is not None else None,
                kind=kind,
                options=options,
                reverse=number in reverse,
                loinc=loinc[index] if loinc is not None else None,
                label=f"Item {number}",
            )
        )
    return tuple(built)


def bands(*rows: tuple[str, Number, Number]) -> tuple[Band, ...]:
    return tuple(Band(code, low, high) for code, low, high in rows)


def cutoff_bands(
    below: str, at_or_above: str, cutoff: Number, low: Number, high: Number, step: Number = 1
) -> tuple[Band, ...]:
    """Two bands split at a cut-off: ``below`` under it, ``at_or_above`` from it."""
    return (
        Band(below, low, round(cutoff - step, 6)),
        Band(at_or_above, cutoff, high),
    )


def number_param(params: Params, name: str) -> Number:
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"parameter {name} is not a number: {value!r}")
    return value


def text_param(params: Params, name: str) -> str | None:
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"parameter {name} is not text: {value!r}")
    return value
