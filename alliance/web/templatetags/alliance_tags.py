"""Template filters that turn codes into words a clinician reads at a glance."""

from __future__ import annotations

from django import template

from alliance.web.html import number

register = template.Library()

FLAG_LABELS = {
    "phq9_item9_positive": "PHQ-9 item 9: thoughts of death or self-harm",
    "phqa_item9_positive": "PHQ-A item 9: thoughts of death or self-harm",
    "phqa_past_month_serious_suicidal_thoughts": "PHQ-A: serious suicidal thoughts, past month",
    "phqa_lifetime_suicide_attempt": "PHQ-A: suicide attempt in lifetime",
    "epds_item10_self_harm": "EPDS item 10: thoughts of self-harm",
    "core10_item6_risk": "CORE-10 item 6: risk to self",
    "cssrs_q3_ideation_with_method": "C-SSRS: suicidal ideation with method",
    "cssrs_q4_ideation_with_intent": "C-SSRS: suicidal ideation with intent",
    "cssrs_q5_ideation_with_plan_and_intent": "C-SSRS: ideation with plan and intent",
    "cssrs_q6_behavior_past_3_months": "C-SSRS: suicidal behaviour in the past 3 months",
    "cssrs_q6_behavior_lifetime_over_3_months": "C-SSRS: suicidal behaviour, over 3 months ago",
    "asq_positive_screen": "ASQ: positive suicide risk screen",
    "asq_acute_positive": "ASQ: acute positive (imminent risk)",
}


@register.filter
def humanise(code: object) -> str:
    """``moderately_severe`` → ``moderately severe``."""
    return str(code or "").replace("_", " ")


@register.filter
def flag_label(code: object) -> str:
    """A critical flag in words (unknown flags fall back to their code, spaced)."""
    text = str(code or "")
    return FLAG_LABELS.get(text, humanise(text))


# A score: like ``floatformat:"-1"``, without its translation lookups (``web.html.number``).
register.filter("number", number)
