"""``web.views.signing.attempt_sign``: the one signing step of notes, risk assessments and
mandated reports (SEC-08 password again, REL-04 a draft changed meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.stepup import StepUpFailed
from alliance.web.signing import WRONG_PASSWORD, attempt_sign


@dataclass
class Draft:
    version: int


def attempt(posted: dict[str, str] | None, outcome: Any) -> Any:
    """The attempt for ``posted`` (None: a GET) when the service does ``outcome``."""
    calls: list[dict[str, Any]] = []

    def sign(**values: Any) -> Any:
        calls.append(values)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    factory = RequestFactory()
    request = factory.get("/sign/") if posted is None else factory.post("/sign/", posted)
    result = attempt_sign(request, Draft(3), sign)
    return result, calls


GOOD = {"version": "3", "password": "typed"}


def test_a_get_shows_the_form_and_signs_nothing() -> None:
    result, calls = attempt(None, "signed")
    assert calls == [] and result.signed is None and result.status == 200
    assert result.form.initial == {"version": 3} and result.done is None


def test_a_valid_post_signs_with_the_version_shown_and_the_password() -> None:
    result, calls = attempt(GOOD, "signed")
    assert calls == [{"version": 3, "password": "typed"}]
    assert result.signed == "signed" and not (result.locked or result.changed)
    assert result.done == "signed"


def test_an_incomplete_form_signs_nothing() -> None:
    result, calls = attempt({"version": "3"}, "signed")
    assert calls == [] and result.status == 400 and "password" in result.form.errors


def test_a_wrong_password_is_shown_next_to_the_field() -> None:
    result, _ = attempt(GOOD, StepUpFailed())
    assert result.signed is None and result.status == 400 and result.done is None
    assert result.form.errors["password"] == [WRONG_PASSWORD]


def test_a_draft_saved_meanwhile_is_shown_again_newer_with_a_409() -> None:
    result, _ = attempt(GOOD, StaleDraft(Draft(4)))
    assert result.changed and result.status == 409 and result.signed is None
    assert result.done is None
    assert result.document == Draft(4)
    assert not result.form.is_bound and result.form.initial == {"version": 4}


def test_a_document_signed_first_by_someone_else_is_shown_signed() -> None:
    result, _ = attempt(GOOD, DocumentLocked())
    assert result.locked and result.signed is None
    assert result.done == Draft(3)  # the document as it was shown, now signed by them


def test_an_incomplete_document_is_handed_back_to_the_view() -> None:
    error = ValidationError({"plan": ["Write the plan."]})
    result, _ = attempt(GOOD, error)
    assert result.invalid is error and result.signed is None and result.done is None


def test_other_errors_are_not_swallowed() -> None:
    with pytest.raises(RuntimeError):
        attempt(GOOD, RuntimeError("database down"))
