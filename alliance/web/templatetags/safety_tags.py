"""Template filters of the safety pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]``, or None: per-row values a list view prepared in one query."""
    return (mapping or {}).get(key)
