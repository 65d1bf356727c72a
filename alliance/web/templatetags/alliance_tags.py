"""Template filters that turn codes into words a clinician reads at a glance, and what the
access policy allows the signed-in person on one client."""

from __future__ import annotations

from django import template

from alliance.access.part2_labels import may_remove_label
from alliance.access.policy import allowed
from alliance.clients.models import Client
from alliance.records.labels import security_labels
from alliance.staff.models import User
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
    "cssrs_q6_behavior_past_3_months": "C-SSRS: suicidal behavior in the past 3 months",
    "cssrs_q6_behavior_lifetime_over_3_months": "C-SSRS: suicidal behavior, over 3 months ago",
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


@register.simple_tag(takes_context=True)
def client_caps(context: template.Context, client: Client) -> dict[str, bool]:
    """The capabilities the signed-in person holds for ``client`` (``access.policy.allowed``),
    as ``caps`` holds those held in general: ``{% client_caps client as client_caps %}`` then
    ``client_caps.CARE_TEAM_EDIT``. The policy decides; a template never compares purposes."""
    request = context.get("request")
    actor = getattr(request, "user", None)
    if client is None or not isinstance(actor, User):
        return {}
    return {capability.value: True for capability in allowed(actor=actor, client=client)}


@register.inclusion_tag("web/_part2_label.html", takes_context=True)
def part2_label(
    context: template.Context, record: object, kind: str, client: Client
) -> dict[str, object]:
    """The 42 CFR Part 2 tag of a labelled record (SEC-19), with the way to clear it for who
    may (``access.part2_labels``). Nothing for a record without the label."""
    program_id = getattr(record, "part2_program_id", None)
    if not program_id:
        return {"labelled": False}
    request = context.get("request")
    actor = getattr(request, "user", None)
    removable = isinstance(actor, User) and may_remove_label(
        actor=actor,
        client=client,
        kind=kind,
        record=record,  # type: ignore[arg-type]
    )
    return {
        "labelled": True,
        "labels": security_labels(program_id),
        "record": record,
        "kind": kind,
        "client": client,
        "removable": removable,
    }
