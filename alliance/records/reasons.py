"""The one policy for reasons a person must give: entered in error, a documented flag review,
a correction of the accounting, a revocation, break-the-glass.

A reason is read later by a privacy officer or a court: it must be words, long enough to say
something. Before the kernel, five modules each had their own minimum (two values) and took
fifteen dots as a reason.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MINIMUM_REASON_LENGTH = 10
# Break-the-glass opens a chart outside one's care: the emergency is described in more words.
EMERGENCY_REASON_LENGTH = 15
MINIMUM_WORDS = 2

_WORD = re.compile(r"[^\W\d_]{2,}")


def reason_problem(text: str, *, minimum: int = MINIMUM_REASON_LENGTH) -> str:
    """What is wrong with ``text`` as a reason, or ``""`` when it will do."""
    stripped = " ".join(text.split())
    if len(stripped) < minimum or len(_WORD.findall(stripped)) < MINIMUM_WORDS:
        return _("in at least %(minimum)d characters, in words") % {"minimum": minimum}
    return ""


def reason_clean(
    text: str,
    *,
    field: str = "reason",
    prompt: str = "",
    minimum: int = MINIMUM_REASON_LENGTH,
) -> str:
    """``text`` stripped, or ``ValidationError`` on ``field``: "<prompt> in at least N
    characters, in words." (``prompt`` defaults to "Give the reason")."""
    problem = reason_problem(text, minimum=minimum)
    if problem:
        lead = prompt or _("Give the reason")
        raise ValidationError({field: [f"{lead} {problem}."]})
    return text.strip()
