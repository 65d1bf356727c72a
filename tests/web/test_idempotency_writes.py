"""REL-05 across the write census: every route whose POST stores something, sent twice with
one form token by a persona allowed to make it, stores once (two copies sent at the same
moment: ``test_idempotency_concurrent``).

The routes, payloads and personas are the write matrix's (``tests/web/write_matrix_*.py``):
a new write route is checked here as soon as it has its row there.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.test import Client as HttpClient

from alliance.idempotency.models import FormSubmission
from alliance.idempotency.services import token_new
from tests.web.test_write_matrix import (
    WRITES,
    Snapshot,
    World,
    browser,
    snapshot,
    url_of,
    watched_tables,
    world,  # noqa: F401  (the write census's clinic, as a fixture of this module)
)
from tests.web.test_write_matrix import form_token as csrf_token_of
from tests.web.write_matrix_base import STORED, Write

# Signing in is released, never replayed: the session it starts is set outside the form's
# transaction, so a copy could not be given it (FormTokenMiddleware). A second sign-in is a
# second session, not a second record.
SIGNING_IN = frozenset({"web:login", "web:mfa_enrol_link"})
# The routes the issue names: each must be among those checked.
NAMED = frozenset(
    {
        "web:measure_give",  # a questionnaire given in session
        "web:note_create",
        "web:client_create",
        "web:disclosure_record",
        "web:questionnaire",  # the client's own questionnaire, through its link
    }
)


def stored_writes() -> Iterator[tuple[str, Write, str]]:
    """Each write route with the first persona whose POST it stores (aimed at client_a)."""
    for name, write in sorted(WRITES.items()):
        persona = next((p for p, want in write.inside.items() if want is STORED), None)
        if persona is not None and name not in SIGNING_IN:
            yield name, write, persona


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    return [label for label, rows in after.items() if rows != before[label]]


def view_cookies(response: Any) -> dict[str, str]:
    """Cookies the view set: not the session's or CSRF's (set outside the form's transaction)."""
    skip = {"alliance_session", "csrftoken"}
    return {k: m.value for k, m in response.cookies.items() if k not in skip}


def test_the_named_routes_are_in_the_census() -> None:
    assert {name for name, _write, _persona in stored_writes()} >= NAMED


def test_every_stored_write_sent_twice_with_one_token_is_stored_once(
    world: World,  # noqa: F811
    db: None,
) -> None:
    """REL-05: the first POST stores (as the write matrix says); the second, with the same
    form token, changes no row and answers what the first answered (status, redirect,
    page, and any cookie the view set, such as a device bound to a safety-plan link)."""
    tables = [t for t in watched_tables() if t[0] != FormSubmission._meta.label]
    browsers: dict[str, tuple[HttpClient, str]] = {}
    wrong = []
    checked = 0
    for name, write, persona in stored_writes():
        if persona not in browsers:
            http = browser(persona, world)
            browsers[persona] = (http, csrf_token_of(http))
        http, csrf = browsers[persona]
        target = world.targets.inside
        url = url_of(name, target, write)
        data = {**write.payload(target), "csrfmiddlewaretoken": csrf, "form_token": token_new()}
        cookies = http.cookies
        http.cookies = copy.deepcopy(cookies)  # each route starts from the same browser
        with transaction.atomic():
            before = snapshot(tables)
            first = http.post(url, data)
            after_first = snapshot(tables)
            second = http.post(url, data)
            after_second = snapshot(tables)
            transaction.set_rollback(True)
        http.cookies = cookies
        checked += 1
        if first.status_code >= 400 or not changed(before, after_first):
            wrong.append(
                f"POST {name} as {persona}: the first copy was not stored ({first.status_code})"
            )
            continue
        again = changed(after_first, after_second)
        if again:
            wrong.append(f"POST {name} as {persona}: the second copy wrote to {again}")
        first_answer = (first.status_code, first.get("Location"), first.content)
        second_answer = (second.status_code, second.get("Location"), second.content)
        if second_answer != first_answer:
            wrong.append(
                f"POST {name} as {persona}: answered {second.status_code} "
                f"{second.get('Location')}, the first copy {first.status_code} "
                f"{first.get('Location')}"
            )
        if view_cookies(second) != view_cookies(first):
            wrong.append(f"POST {name} as {persona}: the view's cookies were not given back")
    assert not wrong, "\n".join(wrong)
    assert checked >= 60
