"""Logs carry no PHI or credentials, and one event stays on one line (SEC-28)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.audit.models import AuditEvent
from alliance.clients.models import Client
from alliance.core.logging import OneLineFormatter
from alliance.staff.models import User
from tests.audit.helpers import client_edit_data
from tests.conftest import sign_in
from tests.personas import Clinic

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
CANARY_FIRST = "Quorra"
CANARY_LAST = "Vexillant-Canary"
CANARY_PHONE = "555-867-5309"
CANARY_PASSWORD = "canary-passphrase-never-logged-77"


def one_line(record: logging.LogRecord) -> str:
    return OneLineFormatter(FORMAT).format(record)


def record(message: str, *args: object, exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord("alliance.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_crlf_username_stays_on_one_line() -> None:
    """SEC-28: a crafted username cannot forge a second log entry."""
    forged = "mallory\r\n2026-03-02 14:00:00 INFO alliance.auth login ok for admin"

    text = one_line(record("login failed for %s", forged))

    assert "\n" not in text
    assert "\r" not in text
    assert "mallory\\r\\n2026-03-02" in text


@pytest.mark.parametrize("separator", ["\n", "\r", "\x0b", "\x0c", "\x1b[2J", "\u2028", "\x85"])
def test_every_line_breaking_character_is_escaped(separator: str) -> None:
    """SEC-28: Unicode line separators and terminal escapes are encoded, not emitted."""
    text = one_line(record("user %s", f"a{separator}b"))

    assert len(text.splitlines()) == 1
    assert separator not in text


def test_a_traceback_stays_on_one_line() -> None:
    """SEC-28: an exception's multi-line traceback is one log line too."""
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        exc_info = sys.exc_info()

    text = one_line(record("request failed", exc_info=exc_info))

    assert len(text.splitlines()) == 1
    assert "Traceback" in text
    assert "ValueError" in text


def test_plain_text_is_unchanged() -> None:
    """The formatter only escapes: ordinary text and accents read as written."""
    text = one_line(record("opened by %s", "zoë.núñez-smith"))

    assert text.endswith("opened by zoë.núñez-smith")


def test_every_configured_handler_uses_the_one_line_formatter() -> None:
    """SEC-28: the product's logging configuration sends every handler through the escaper."""
    formatters = settings.LOGGING["formatters"]
    handlers = settings.LOGGING["handlers"]

    assert handlers
    for handler in handlers.values():
        assert formatters[handler["formatter"]]["()"] == "alliance.core.logging.OneLineFormatter"


# ----------------------------------------------------------------- canaries in the logs


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG, including those that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    saved = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            saved.append((logger, logger.level, logger.propagate, logger.disabled))
            logger.setLevel(logging.DEBUG)
            logger.propagate = True
            logger.disabled = False
    yield caplog
    for logger, level, propagate, disabled in saved:
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


def everything_logged(records: list[logging.LogRecord]) -> str:
    parts = []
    for entry in records:
        parts.append(entry.getMessage())
        parts.append(repr(entry.args))
        if entry.exc_info:
            parts.append("".join(traceback.format_exception(*entry.exc_info)))
        parts.append(repr({k: v for k, v in vars(entry).items() if k != "exc_info"}))
    return "\n".join(parts)


def assert_no_canary(records: list[logging.LogRecord], canaries: list[str]) -> None:
    text = everything_logged(records)
    for canary in canaries:
        assert canary.lower() not in text.lower(), canary


def test_no_phi_reaches_the_logs(
    all_logs: pytest.LogCaptureFixture,
    clinic: Clinic,
    signed_in: Callable[[User], HttpClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SEC-28: register, open, search, mis-edit and crash on a canary client: no log has it."""
    # given a client registered through the page, with canary names
    intake = signed_in(clinic.intake)
    created = intake.post(
        reverse("web:client_create"),
        {
            "legal_first_name": CANARY_FIRST,
            "legal_last_name": CANARY_LAST,
            "date_of_birth": "1961-07-19",
            "preferred_language": "English",
            "phone": CANARY_PHONE,
        },
    )
    assert created.status_code == 302
    canary = Client.objects.get(legal_last_name=CANARY_LAST)
    chart_url = reverse("web:client_chart", args=[canary.pk])
    edit_url = reverse("web:client_edit", args=[canary.pk])

    # when it is opened, searched for and edited with mistakes
    assert intake.get(chart_url).status_code == 200
    front = signed_in(clinic.front_desk)
    search = reverse("web:client_search")
    found = front.post(search, {"q": f"{CANARY_FIRST} {CANARY_LAST}"}, follow=True)
    assert CANARY_LAST in found.content.decode()
    front.post(search, {"q": CANARY_PHONE}, follow=True)
    bad_edits = [
        client_edit_data(canary, phone="call " + CANARY_LAST),
        client_edit_data(canary, date_of_birth="2999-01-01", preferred_name=CANARY_FIRST + "ie"),
        client_edit_data(canary, email=f"{CANARY_LAST}@@example"),
        client_edit_data(canary, version=canary.version + 5, city=CANARY_LAST + "ville"),
    ]
    for data in bad_edits:
        assert front.post(edit_url, data).status_code in (200, 409)
    # a chart that cannot be shown (its audit row fails) and a stranger trying the chart
    crashing = sign_in(HttpClient(raise_request_exception=False), clinic.front_desk)

    def refuse(self: AuditEvent, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(AuditEvent, "save", refuse)
        assert crashing.get(chart_url).status_code == 500
        assert (
            crashing.post(edit_url, client_edit_data(canary, city="Elsewhere")).status_code == 500
        )
    assert signed_in(clinic.therapist_off_team).get(chart_url).status_code == 404

    # then the logs saw the requests but none of the client's details
    assert all_logs.records, "nothing was captured: the test would prove nothing"
    assert any(r.levelno >= logging.ERROR for r in all_logs.records)
    assert_no_canary(
        all_logs.records, [CANARY_FIRST, CANARY_LAST, CANARY_PHONE, "5558675309", "1961-07-19"]
    )


def test_no_password_reaches_the_logs(all_logs: pytest.LogCaptureFixture, clinic: Clinic) -> None:
    """SEC-28: wrong passwords, lockouts and a right password are never logged."""
    http = HttpClient()
    for n in range(6):
        http.post(
            reverse("web:login"),
            {"username": "therapist.on.team", "password": f"{CANARY_PASSWORD}-{n}"},
        )
    clinic.therapist_off_team.set_password(CANARY_PASSWORD)
    clinic.therapist_off_team.save()
    http.post(reverse("web:login"), {"username": "therapist.off.team", "password": CANARY_PASSWORD})

    assert all_logs.records, "nothing was captured: the test would prove nothing"
    assert_no_canary(all_logs.records, [CANARY_PASSWORD])
