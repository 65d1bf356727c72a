"""``web.html.number`` (the ``number`` filter) writes a score as ``floatformat:"-1"`` does."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat

from alliance.web.html import number

EDGES = [
    0, 1, -1, 12, 27, 10**20, 0.0, -0.0, -0.04, 0.05, -0.05, 0.15, 0.25, 2.675, 9.95, -9.95,
    1234567.85, -3.45, 1e20, 1.5e-7, Decimal("2.50"), Decimal("-0.05"), Decimal("7"),
    Decimal("7.000"), float("nan"), float("inf"), True, "3.25", "not a number",
]  # fmt: skip


@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_edges_are_written_as_floatformat_writes_them(value: object) -> None:
    assert number(value) == str(floatformat(value, "-1"))


def test_random_scores_are_written_as_floatformat_writes_them() -> None:
    rng = random.Random(20261122)
    values: list[object] = [round(rng.uniform(-100, 100), rng.randint(0, 4)) for _ in range(3000)]
    values += [rng.randint(-(10**6), 10**6) / rng.choice([2, 4, 8, 10, 100]) for _ in range(3000)]
    values += [Decimal(rng.randint(-9999, 9999)) / 100 for _ in range(1000)]
    assert [number(v) for v in values] == [str(floatformat(v, "-1")) for v in values]


def test_none_is_empty_and_the_filter_is_the_function() -> None:
    assert number(None) == ""
    template = Template("{% load alliance_tags %}{{ a|number }}/{{ b|number }}/{{ c|number }}")
    assert template.render(Context({"a": 12.25, "b": None, "c": 7})) == "12.3//7"
