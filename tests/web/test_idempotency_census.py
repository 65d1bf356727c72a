"""REL-05: every form Alliance renders carries a form token, so that sending it twice stores
it once (``{% form_token %}``, ``FormTokenMiddleware``).

Two censuses: every GET page of the route census, as every persona sees it, parsed for its
POST forms; and every template, read for its ``{% csrf_token %}``. Sign-out forms are the one
exception: signing out changes who is signed in, which is never replayed, so a token there
would do nothing (and ``web/base.html``'s sign-out form is on every page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

import alliance.web
from alliance.idempotency.services import token_valid
from alliance.staff.models import User
from alliance.web.middleware import FORM_TOKEN_FIELD
from tests.personas import Clinic, make_user
from tests.web.test_access_matrix import (
    EXTRA_URL_NAMES,
    PERSONAS,
    census_names,
    objects,  # noqa: F401  (the census's objects, as a fixture of this module)
    url_for,
)

TEMPLATES = Path(alliance.web.__file__).parent / "templates"


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)


class PostForms(HTMLParser):
    """The POST forms of a page, with the names and values of their inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.open: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "get").lower() == "post":
            self.open = Form(action=found.get("action") or "")
            self.forms.append(self.open)
        elif tag == "input" and self.open is not None and found.get("name"):
            self.open.fields.setdefault(str(found["name"]), []).append(found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.open = None


def post_forms(html: str) -> list[Form]:
    parser = PostForms()
    parser.feed(html)
    return parser.forms


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_post_form_on_every_page_carries_a_form_token(
    persona: str,
    clinic: Clinic,
    objects: dict[str, int | str],  # noqa: F811
    signed_in: Callable[[User], HttpClient],
) -> None:
    """REL-05: each persona GETs every page of the route census; every ``<form method="post">``
    it is shown, but signing out, carries its own valid form token."""
    if persona == "anonymous":
        http = HttpClient()
    elif persona == "no_role":
        http = signed_in(make_user("nora_norole", "volunteer", None))
    else:
        http = signed_in(getattr(clinic, persona))
    sign_out = reverse("web:logout")
    wrong, seen, tokens = [], 0, []
    for name in census_names():
        if name in EXTRA_URL_NAMES:
            continue  # Django's admin: its forms are Django's, and post without a token
        url = url_for(name, objects)
        response = http.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for form in post_forms(response.content.decode()):
            if form.action == sign_out:
                continue
            seen += 1
            values = form.fields.get(FORM_TOKEN_FIELD, [])
            if len(values) != 1 or not token_valid(values[0]):
                wrong.append(
                    f"GET {url} ({name}): a POST form to {form.action or url} has "
                    f"{values or 'no'} form token"
                )
            tokens.extend(values)
    assert not wrong, "\n".join(wrong)
    assert len(tokens) == len(set(tokens)), "two forms were given the same token"
    if persona in ("anonymous", "therapist_on_team"):
        assert seen > (1 if persona == "anonymous" else 20), "the census found too few forms"


CSRF = re.compile(r"\{%\s*csrf_token\s*%\}")
FORM_OPEN = re.compile(r"<form\b[^>]*>", re.DOTALL)


def test_every_template_form_puts_a_form_token_beside_its_csrf_token() -> None:
    """REL-05: the pages no GET reaches (a form shown again with its errors, a page shown after
    a POST) come from the same templates: each ``{% csrf_token %}`` is followed by a
    ``{% form_token %}`` (except in a sign-out form), and the template loads the tag."""
    wrong = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text("utf-8")
        name = path.relative_to(TEMPLATES).as_posix()
        uses = 0
        for found in CSRF.finditer(text):
            forms = FORM_OPEN.findall(text, 0, found.start())
            if forms and "web:logout" in forms[-1]:
                continue
            uses += 1
            if not text.startswith("{% form_token %}", found.end()):
                line = text.count("\n", 0, found.start()) + 1
                wrong.append(f"{name}:{line}: {{% csrf_token %}} without {{% form_token %}}")
        if uses and "{% load form_tokens %}" not in text:
            wrong.append(f"{name}: uses {{% form_token %}} without {{% load form_tokens %}}")
    assert not wrong, "\n".join(wrong)
