"""Rows of the client lists (search results, the caseload) and the risk-flag tags every list
and the chart header show, built in Python.

A registry-wide search lists fifty clients, and as a template loop (with an include per row
for the flags) it cost more than the search itself. As in ``chart_rows``, every value from the
record goes through ``_e`` exactly once and each filter marks its finished string safe once;
``tests/web/test_list_rows.py`` feeds hostile text through each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from alliance.web.html import day as _day
from alliance.web.html import markup as _safe
from alliance.web.html import text as _e
from alliance.web.reversing import url_for

register = template.Library()


def _flag_tag(flag: Any) -> str:
    overdue = flag.overdue
    css = f"risk-flag risk-{_e(flag.level or 'other')}" + (" overdue" if overdue else "")
    when = "overdue since" if overdue else "by"
    return (
        f'<span class="{css}">{_e(flag.title)}<span class="muted"> · review {when} '
        f"{_day(flag.review_on)}</span></span> "
    )


@register.filter
def risk_flag_tags(flags: Iterable[Any] | None) -> SafeString:
    """A client's active risk flags as tags, each with its review date (overdue marked)."""
    return _safe("".join(map(_flag_tag, flags or ())))


def _search_row(client: Any, flags: Mapping[int, list[Any]]) -> str:
    url = url_for("web:client_chart", client.pk)
    legal = (
        f' <span class="muted">(legal: {_e(client.legal_first_name)})</span>'
        if client.preferred_name
        else ""
    )
    programs = ", ".join(_e(e.program.name) for e in client.open_episodes) or "—"
    return (
        f'<tr>\n    <td><a href="{_e(url)}">{_e(client.display_name)}</a>{legal}'
        f"{''.join(map(_flag_tag, flags.get(client.pk, ())))}</td>\n"
        f"    <td>{_day(client.date_of_birth)}</td>\n    <td>{_e(client.mrn)}</td>\n"
        f"    <td>{programs}</td>\n  </tr>"
    )


@register.filter
def search_rows(clients: Iterable[Any], flags: Mapping[int, list[Any]] | None) -> SafeString:
    """The search results table's rows: name (with the legal first name when a preferred name
    is shown), risk flags, date of birth, MRN and the programs of open episodes."""
    return _safe("\n  ".join(_search_row(c, flags or {}) for c in clients))


def _due_tag(client_id: int, due: Any, today: date) -> str:
    url = url_for("web:measure_choose", client_id)
    late = due.due_on < today
    when = "overdue since" if late else "due"
    emailed = " (link emailed)" if due.link_id else ""
    return (
        f'<a href="{_e(url)}" class="tag{" no" if late else ""}">{_e(str(due.instrument).upper())} '
        f"{when} {due.due_on:%m-%d}{emailed}</a> "
    )


def _caseload_row(row: Any, due: list[Any], flags: Mapping[int, list[Any]], today: date) -> str:
    client = row.client
    url = url_for("web:client_chart", client.pk)
    pronouns = f' <span class="muted">({_e(client.pronouns)})</span>' if client.pronouns else ""
    measures = "".join(_due_tag(client.pk, d, today) for d in due) or "—"
    return (
        f'<tr>\n    <td><a href="{_e(url)}">{_e(client.display_name)}</a>{pronouns}'
        f"{''.join(map(_flag_tag, flags.get(client.pk, ())))}</td>\n"
        f"    <td>{_e(client.mrn)}</td>\n    <td>{_e(client.age)}</td>\n"
        f"    <td>{_e(', '.join(row.programs)) or '—'}</td>\n"
        f"    <td>{_e(', '.join(row.roles))}</td>\n"
        f"    <td>{_day(client.last_contact_on) or '—'}</td>\n"
        f"    <td>{measures}</td>\n  </tr>"
    )


@register.filter
def caseload_rows(
    rows: Iterable[tuple[Any, list[Any]]], flags: Mapping[int, list[Any]] | None
) -> SafeString:
    """The caseload table's rows: each ``(clients.selectors.CaseloadRow, measures due)``, with
    risk flags, age, programs, the actor's roles, last contact and due or overdue measures."""
    today = timezone.localdate()
    return _safe("\n  ".join(_caseload_row(r, due, flags or {}, today) for r, due in rows))
