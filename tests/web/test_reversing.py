"""``web.reversing.url_for`` (the row builders' links) gives exactly what Django's ``reverse``
gives, for every view of the site; templates use Django's own ``{% url %}``."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from alliance.web.reversing import url_for


def named_views() -> list[tuple[str, list[object]]]:
    """Every named view under the root URLconf with the converters of its arguments."""
    found: list[tuple[str, list[object]]] = []

    def walk(patterns: list[object], namespace: str, converters: list[object]) -> None:
        for entry in patterns:
            pattern_converters = list(getattr(entry.pattern, "converters", {}).values())  # type: ignore[attr-defined]
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, converters + pattern_converters)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((namespace + entry.name, converters + pattern_converters))

    walk(get_resolver().url_patterns, "", [])
    return found


def test_every_view_with_ids_reverses_as_django_does() -> None:
    checked = 0
    for name, converters in named_views():
        if not converters or not all(isinstance(c, IntConverter) for c in converters):
            continue
        for ids in ([1] * len(converters), [7, 123456, 42, 9][: len(converters)]):
            assert url_for(name, *ids) == reverse(name, args=ids), name
        checked += 1
    assert checked >= 40  # the chart, notes, plans, measures, safety, crisis ... views


def test_other_arguments_go_to_django() -> None:
    assert url_for("web:measure_give", 5, "phq9") == reverse("web:measure_give", args=(5, "phq9"))
    assert url_for("web:home") == reverse("web:home")
    with pytest.raises(NoReverseMatch):
        url_for("web:client_chart", -3)
    with pytest.raises(NoReverseMatch):
        url_for("web:client_chart")
