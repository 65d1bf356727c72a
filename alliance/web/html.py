"""Markup built in Python for the long lists of the busiest pages (``templatetags/chart_rows``
and ``list_rows``): escape each value of the record once, mark the finished string safe once.

Django's ``format_html`` spends most of its time deciding whether each argument is already
safe; for a page of a hundred rows that is milliseconds. Here the rule is simpler and kept in
one place: every value from the record goes through ``text``; the tags around it are literal;
the filter that returns the markup wraps it with ``markup``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe


def text(value: object) -> str:
    """A value of the record, escaped for HTML content and attribute values."""
    return escape(str(value), quote=True)


def markup(html: str) -> SafeString:
    """Finished markup: literal tags around values that went through ``text``."""
    return mark_safe(html)  # noqa: S308 - every value in it went through text()


def day(value: Any) -> str:
    """Like ``date:"Y-m-d"``: a moment is shown on the clinic's calendar."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return str(value.strftime("%Y-%m-%d"))


def hour_minute(value: Any) -> str:
    """Like ``time:"H:i"``."""
    return str(value.strftime("%H:%M")) if value is not None else ""


_TENTH = Decimal("0.1")


def number(value: Any) -> str:
    """Like ``floatformat:"-1"``: one decimal place, none for a whole number.

    Scores are ints, floats and decimals; for them this is the same arithmetic as Django's
    filter (the float's shortest repr, halves rounded up) without its trip through the
    translation machinery to learn the decimal separator, which is "." on every page here.
    Anything else goes to the filter itself.
    """
    if value is None:
        return ""
    if type(value) is int:
        return str(value)
    if type(value) is float or isinstance(value, Decimal):
        exact = Decimal(repr(value)) if isinstance(value, float) else value
        if not exact.is_finite():
            return str(floatformat(value, "-1"))
        if exact == exact.to_integral_value():
            return str(int(exact))
        rounded = exact.quantize(_TENTH, rounding=ROUND_HALF_UP)
        return f"{rounded.copy_abs():f}" if not rounded else f"{rounded:f}"
    return str(floatformat(value, "-1"))
