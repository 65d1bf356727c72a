"""Client-list rows and risk-flag tags built in Python (``web/templatetags/list_rows.py``):
the markup the list templates had, every value escaped. Unsaved instances, no database."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from django.utils import timezone

from alliance.clients.models import Client
from alliance.safety.models import FlagKind, RiskFlag, RiskLevel
from alliance.web.templatetags.list_rows import caseload_rows, risk_flag_tags, search_rows

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


def test_caseload_rows_show_roles_contact_and_due_measures() -> None:
    client = Client(
        pk=6,
        mrn="000000026",
        legal_first_name="Cy",
        legal_last_name="Ode",
        pronouns=HOSTILE,
        date_of_birth=date(1980, 1, 1),
        last_contact_on=None,
    )
    row = SimpleNamespace(client=client, roles=["Therapist", "Case manager"], programs=[])
    today = timezone.localdate()
    late = SimpleNamespace(instrument="phq9", due_on=today - timedelta(days=2), link_id=None)
    soon = SimpleNamespace(instrument="gad7", due_on=today + timedelta(days=3), link_id=9)

    html = str(caseload_rows([(row, [late, soon]), (row, [])], {6: [_flag()]}))

    assert '<a href="/clients/6/">Cy Ode</a> <span class="muted">(&lt;img' in html
    assert html.count('class="risk-flag') == 2
    assert f"<td>{client.age}</td>" in html
    assert "<td>—</td>\n    <td>Therapist, Case manager</td>\n    <td>—</td>" in html
    assert (
        f'<a href="/clients/6/measures/" class="tag no">PHQ9 overdue since {late.due_on:%m-%d}</a>'
    ) in html
    assert f'class="tag">GAD7 due {soon.due_on:%m-%d} (link emailed)</a>' in html
    assert "<img" not in html
