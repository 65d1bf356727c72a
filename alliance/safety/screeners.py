"""The screener results a risk assessment rests on: the client's latest ASQ, C-SSRS screener and
PHQ-9 (item 9), read from the administrations of ``alliance.assessments``.

Shown live on a draft and stored as a snapshot at signing, so the signed assessment says what
its author saw even after newer questionnaires arrive.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from alliance import instruments
from alliance.access import part2
from alliance.assessments.models import Administration

SCREENERS = ("asq", "cssrs_screener", "phq9")
PHQ9_SUICIDE_ITEM = "9"


def _name(code: str) -> str:
    try:
        return instruments.get(code).name
    except instruments.UnknownInstrument:
        return code


def screeners_snapshot(*, client_id: int) -> list[dict[str, Any]]:
    """One entry per screener the client has taken (latest administration), in one query."""
    latest: dict[str, Administration] = {}
    rows = (
        Administration.objects.filter(
            part2.visible_q(client_id), client_id=client_id, instrument__in=SCREENERS
        )
        .only("id", "instrument", "completed_at", "total", "severity", "critical_flags", "answers")
        .order_by("instrument", "-completed_at", "-id")
    )
    for row in rows:
        latest.setdefault(row.instrument, row)
    snapshot = []
    for code in SCREENERS:
        found = latest.get(code)
        if found is None:
            continue
        row = found
        entry: dict[str, Any] = {
            "instrument": code,
            "name": _name(code),
            "administration": row.pk,
            "completed_on": timezone.localtime(row.completed_at).date().isoformat(),
            "result": row.severity,
            "total": row.total,
            "flags": list(row.critical_flags),
            "item9": row.answers.get(PHQ9_SUICIDE_ITEM) if code == "phq9" else None,
        }
        snapshot.append(entry)
    return snapshot
