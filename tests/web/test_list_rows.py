"""Client-list rows and risk-flag tags built in Python (``web/templatetags/list_rows.py``):
the markup the list templates had, every value escaped. Unsaved instances, no database."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from django.utils import timezone

from alliance.clients.models import Client
from alliance.safety.models import FlagKind, RiskFlag, RiskLevel
from alliance.web.templatetags.list_rows import risk_flag_tags, search_rows

HOSTILE = '<img src=x onerror="alert(1)">'


def _flag(**fields: object) -> RiskFlag:
    values: dict[str, object] = {
        "client_id": 4,
        "kind": FlagKind.SUICIDE,
        "level": RiskLevel.HIGH,
        "review_on": timezone.localdate() + timedelta(days=3),
        "active": True,
    }
    values.update(fields)
    return RiskFlag(**values)


def test_flag_tags_carry_level_title_and_review_date() -> None:
    due = _flag()
    late = _flag(review_on=date(2020, 1, 2))
    custom = _flag(kind=FlagKind.OTHER, level="", label=HOSTILE)

    html = str(risk_flag_tags([due, late, custom]))

    review = f"{due.review_on:%Y-%m-%d}"
    assert (
        '<span class="risk-flag risk-high">Suicide risk: high'
        f'<span class="muted"> · review by {review}</span></span> '
    ) in html
    assert '<span class="risk-flag risk-high overdue">' in html
    assert "review overdue since 2020-01-02" in html
    assert (
        '<span class="risk-flag risk-other">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;' in html
    )
    assert "<img" not in html
    assert str(risk_flag_tags(None)) == ""


def test_search_rows_show_names_flags_and_programs_escaped() -> None:
    client = Client(
        pk=4,
        mrn="123456782",
        legal_first_name="Ana",
        legal_last_name=HOSTILE,
        preferred_name="Annie",
        date_of_birth=date(1990, 5, 17),
    )
    client.open_episodes = [  # type: ignore[attr-defined]
        SimpleNamespace(program=SimpleNamespace(name="Adult <outpatient>")),
        SimpleNamespace(program=SimpleNamespace(name="Youth")),
    ]
    plain = Client(
        pk=5,
        mrn="000000018",
        legal_first_name="Bo",
        legal_last_name="Li",
        date_of_birth=date(2001, 1, 1),
    )
    plain.open_episodes = []  # type: ignore[attr-defined]

    html = str(search_rows([client, plain], {4: [_flag()]}))

    assert '<a href="/clients/4/">Annie &lt;img src=x' in html
    assert '<span class="muted">(legal: Ana)</span>' in html
    assert html.count('class="risk-flag') == 1
    assert "<td>1990-05-17</td>" in html and "<td>123456782</td>" in html
    assert "<td>Adult &lt;outpatient&gt;, Youth</td>" in html
    assert '<a href="/clients/5/">Bo Li</a></td>' in html and "<td>—</td>" in html
    assert "<img" not in html
