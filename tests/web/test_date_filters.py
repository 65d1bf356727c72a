"""Date filters refuse dates outside a sane range next to the field, never with a 500.

Python's dates end at 9999-12-31, and a filter's end date becomes the start of the next day in
the query: ``until=9999-12-31`` used to overflow into a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.staff.models import User
from alliance.web.dates import EARLIEST, BoundedDateField, latest_date
from tests.personas import Clinic
from tests.web.test_forms import assert_error, page_of

SignIn = Callable[[User], HttpClient]

# (persona, URL name, takes the client, start field, end field)
FILTERS = [
    ("therapist_on_team", "web:disclosure_client", True, "since", "until"),
    ("privacy_officer", "web:disclosure_report_client", True, "since", "until"),
    ("privacy_officer", "web:audit_report", False, "date_from", "date_to"),
    ("privacy_officer", "web:client_access_report", True, "date_from", "date_to"),
]


def _get(
    clinic: Clinic, signed_in: SignIn, page: tuple[str, str, bool], query: dict[str, str]
) -> Any:
    persona, name, with_client = page
    http = signed_in(getattr(clinic, persona))
    args = [clinic.client_a.pk] if with_client else []
    return http.get(reverse(name, args=args), query)


@pytest.mark.parametrize(
    ("persona", "name", "with_client", "start", "end"), FILTERS, ids=[f[1] for f in FILTERS]
)
@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("end", "9999-12-31"),
        ("start", "9999-12-31"),
        ("start", "0001-01-01"),
        ("end", "1899-12-31"),
    ],
)
def test_a_date_out_of_range_is_named_next_to_the_field(
    persona: str,
    name: str,
    with_client: bool,
    start: str,
    end: str,
    field: str,
    typed: str,
    clinic: Clinic,
    signed_in: SignIn,
) -> None:
    # given a filter date no clinic means
    field_name = start if field == "start" else end

    # when the page is asked for with it
    response = _get(clinic, signed_in, (persona, name, with_client), {field_name: typed})

    # then the page answers, the message is next to the field and the value typed stays
    assert response.status_code in (200, 400)
    page = page_of(response)
    assert_error(page, field_name, "Enter a date between 1900-01-01 and ")
    assert page.values[field_name] == typed


def test_the_accounting_pdf_with_a_far_future_end_is_no_server_error(
    clinic: Clinic, signed_in: SignIn
) -> None:
    http = signed_in(clinic.privacy_officer)
    url = reverse("web:disclosure_report_pdf", args=[clinic.client_a.pk])

    response = http.get(url, {"until": "9999-12-31"})

    # 503 where WeasyPrint's system libraries are missing; never a 500.
    assert response.status_code in (200, 503)


@pytest.mark.parametrize(("persona", "name", "with_client", "start", "end"), FILTERS)
def test_dates_within_the_range_still_filter(
    persona: str,
    name: str,
    with_client: bool,
    start: str,
    end: str,
    clinic: Clinic,
    signed_in: SignIn,
) -> None:
    query = {start: EARLIEST.isoformat(), end: latest_date().isoformat()}

    response = _get(clinic, signed_in, (persona, name, with_client), query)

    assert response.status_code == 200
    assert page_of(response).errors == {}


def test_the_range_ends_ten_years_from_today_by_default() -> None:
    today = timezone.localdate()
    assert latest_date(today=date(2024, 2, 29)) == date(2034, 2, 28)
    assert latest_date() == latest_date(today=today)
    field = BoundedDateField(required=False)
    assert field.clean(latest_date().isoformat()) == latest_date()
    assert field.clean("") is None


def test_a_field_can_allow_a_narrower_range() -> None:
    field = BoundedDateField(earliest=date(2000, 1, 1), years_ahead=0)
    with pytest.raises(ValidationError, match="between 2000-01-01 and"):
        field.clean("1999-12-31")
