"""Bad input in every form: the error sits next to its field, typed values stay, nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, BreakGlassReason, CareTeamMember
from alliance.audit.models import AuditEvent
from alliance.clients.models import Client, Contact, Episode
from alliance.clients.services import client_create
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

SignIn = Callable[[User], HttpClient]
VOID = {"input", "br", "meta", "link", "img", "hr", "source", "wbr", "area", "base", "col"}


class FormPage(HTMLParser):
    """What a person sees in a rendered form: errors by field, values by field, the warning box.

    ``errors[name]`` are the messages of the ``errorlist`` Django ties to the field (its id is
    ``id_<name>_error`` and the input's ``aria-describedby`` points at it).
    """

    def __init__(self, html: str) -> None:
        super().__init__()
        self.errors: dict[str, list[str]] = {}
        self.error_ancestors: dict[str, list[str]] = {}
        self.described_by: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.form_pairs: list[tuple[str, str]] = []  # every submitted control, in page order
        self.non_field_errors: list[str] = []
        self.warning_text = ""
        self.ids: set[str] = set()
        self.title = ""
        # The error summary box: its own attributes, and each entry as (link target, text).
        self.summary: dict[str, str] | None = None
        self.summary_items: list[tuple[str, str]] = []
        self._in_title = False
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._errorlist: str | None = None
        self._in_li = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: str | None = None
        self._in_form = False
        self.feed(html)

    def _inside(self, cls: str) -> bool:
        return any(cls in (attrs.get("class") or "").split() for _, attrs in self._stack)

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "title":
            self._in_title = True
        if "error-summary" in attrs.get("class", "").split():
            self.summary = attrs
        if tag == "li" and self._inside("error-summary"):
            self.summary_items.append(("", ""))
        if tag == "a" and self._inside("error-summary") and self.summary_items:
            self.summary_items[-1] = (attrs.get("href", ""), self.summary_items[-1][1])
        if tag == "form" and attrs.get("method") == "post":
            self._in_form = True
        if tag == "ul" and "errorlist" in attrs.get("class", ""):
            error_id = attrs.get("id", "")
            name = error_id.removeprefix("id_").removesuffix("_error") if error_id else ""
            self._errorlist = name
            if name:
                self.errors.setdefault(name, [])
                self.error_ancestors[name] = [a.get("id", "") for _, a in self._stack]
        if tag == "li" and self._errorlist is not None:
            self._in_li = True
            if self._errorlist:
                self.errors[self._errorlist].append("")
            else:
                self.non_field_errors.append("")
        name = attrs.get("name")
        if tag == "input" and name:
            if "aria-describedby" in attrs:
                self.described_by[name] = attrs["aria-describedby"]
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
                    self._pair(name, attrs.get("value", "on"))
            else:
                self.values[name] = attrs.get("value", "")
                if kind != "submit":
                    self._pair(name, attrs.get("value", ""))
        if tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
            if "aria-describedby" in attrs:
                self.described_by[name] = attrs["aria-describedby"]
        if tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
            if "aria-describedby" in attrs:
                self.described_by[name] = attrs["aria-describedby"]
        if tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        if tag not in VOID:
            self._stack.append((tag, attrs))

    def _pair(self, name: str, value: str) -> None:
        if self._in_form and name != "csrfmiddlewaretoken":
            self.form_pairs.append((name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "ul":
            self._errorlist = None
        if tag == "li":
            self._in_li = False
        if tag == "textarea" and self._textarea:
            # As in a browser: one newline right after <textarea> is not part of the value.
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._pair(self._textarea, self.values[self._textarea])
            self._textarea = None
        if tag == "select" and self._select:
            self._pair(self._select, self.values[self._select])
            self._select = None
        if tag == "form":
            self._in_form = False
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self._in_li and self._errorlist is not None:
            target = self.errors[self._errorlist] if self._errorlist else self.non_field_errors
            target[-1] += data
        if self._textarea:
            self.values[self._textarea] += data
        if self._inside("warning"):
            self.warning_text += data
        if self._in_title:
            self.title += data
        in_li = any(tag == "li" for tag, _ in self._stack)
        if in_li and self._inside("error-summary") and self.summary_items:
            href, text = self.summary_items[-1]
            self.summary_items[-1] = (href, text + data)

    def field_errors(self, name: str) -> list[str]:
        """The field's own error messages, checked to be wired to its input."""
        messages = self.errors.get(name, [])
        if messages:
            assert f"id_{name}_error" in self.described_by.get(name, ""), (
                f"the error list of {name!r} is not tied to its input"
            )
        return messages


def page_of(response: Any) -> FormPage:
    return FormPage(response.content.decode())


def assert_error(page: FormPage, field: str, fragment: str) -> None:
    messages = page.field_errors(field)
    assert any(fragment in m for m in messages), (
        f"{fragment!r} not next to {field!r}; errors there: {messages}; "
        f"all errors: {page.errors}, non-field: {page.non_field_errors}"
    )


def assert_refused(response: Any) -> None:
    """A form with bad input is shown again (200 or 400), never saved and redirected."""
    assert response.status_code in (200, 400), response.status_code


def new_client_form(**changes: str) -> dict[str, str]:
    data = {
        "legal_first_name": "Marisol",
        "legal_middle_name": "Inés",
        "legal_last_name": "Quintero",
        "preferred_name": "Mari",
        "pronouns": "she/her",
        "date_of_birth": "1993-08-14",
        "preferred_language": "Spanish",
        "phone": "555-201-7788",
        "email": "mari.q@example.org",
        "city": "Riverton",
    }
    return data | changes


def edit_form(client: Client, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "legal_first_name": client.legal_first_name,
        "legal_last_name": client.legal_last_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "preferred_language": client.preferred_language,
        "phone": client.phone,
        "email": client.email,
        "city": client.city,
        "version": client.version,
    }
    return data | changes


def create_events() -> int:
    return AuditEvent.objects.filter(action="create").count()


# ---------------------------------------------------------------- client create


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "14/08/1993", "Enter a valid date"),
        ("legal_last_name", "", "required"),
        ("legal_first_name", "   ", "required"),
        ("email", "mari.q@", "valid email"),
        ("phone", "call me maybe", "7 to 15 digits"),
        ("phone", "12", "7 to 15 digits"),
    ],
)
def test_client_create_bad_input(
    field: str, value: str, message: str, clinic: Clinic, signed_in: SignIn
) -> None:
    """Each bad value is named next to its field; everything typed is kept; nothing is saved."""
    http = signed_in(clinic.front_desk)
    clients, events = Client.objects.count(), create_events()
    data = new_client_form(**{field: value})

    response = http.post(reverse("web:client_create"), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, field, message)
    others = [f for f in page.errors if f != field]
    assert not others, f"errors on other fields too: {page.errors}"
    for name, typed in data.items():
        assert page.values[name] == typed, name
    assert Client.objects.count() == clients
    assert create_events() == events


def test_client_create_with_a_likely_duplicate_by_name_and_birth_date_warns(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """Same name (without accents) and date of birth as client_a: a warning names the match."""
    http = signed_in(clinic.front_desk)
    clients = Client.objects.count()
    data = new_client_form(
        legal_first_name="ZOE", legal_last_name="nunez", date_of_birth="1990-04-23", phone=""
    )

    response = http.post(reverse("web:client_create"), data)

    assert_refused(response)
    assert [c.pk for c in response.context["matches"]] == [clinic.client_a.pk]
    page = page_of(response)
    assert clinic.client_a.mrn in page.warning_text
    assert "Núñez" in page.warning_text
    assert page.values["legal_first_name"] == "ZOE"
    assert page.values["city"] == "Riverton"
    assert "confirm_not_duplicate" not in page.values  # the box is left for the person to tick
    assert Client.objects.count() == clients


def test_client_create_with_a_likely_duplicate_by_phone_warns(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """Same phone number, written differently: a warning names the match, nothing is saved."""
    existing = client_create(
        actor=clinic.front_desk,
        values={
            "legal_first_name": "Tomasz",
            "legal_last_name": "Wierzbicki",
            "date_of_birth": timezone.localdate() - timedelta(days=365 * 40),
            "phone": "555-201-7788",
        },
    )
    http = signed_in(clinic.front_desk)
    clients = Client.objects.count()

    response = http.post(reverse("web:client_create"), new_client_form(phone="(555) 201 7788"))

    assert_refused(response)
    assert [c.pk for c in response.context["matches"]] == [existing.pk]
    page = page_of(response)
    assert existing.mrn in page.warning_text
    assert page.values["phone"] == "(555) 201 7788"
    assert Client.objects.count() == clients


def test_ticking_confirm_not_duplicate_creates_the_client(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """After the warning, the person confirms it is someone else and the client is created."""
    http = signed_in(clinic.front_desk)
    data = new_client_form(
        legal_first_name="Zoe", legal_last_name="Nunez", date_of_birth="1990-04-23"
    )
    assert http.post(reverse("web:client_create"), data).context["matches"]
    clients = Client.objects.count()

    response = http.post(reverse("web:client_create"), data | {"confirm_not_duplicate": "on"})

    assert response.status_code == 302
    created = Client.objects.exclude(pk=clinic.client_a.pk).get(
        legal_last_name="Nunez", date_of_birth="1990-04-23"
    )
    assert response["Location"] == reverse("web:client_chart", args=[created.pk])
    assert Client.objects.count() == clients + 1
    assert created.mrn != clinic.client_a.mrn


def assert_summary_lists(page: FormPage, expected: dict[str, str]) -> None:
    """The error summary is a focused alert whose entries link to each field, in page order."""
    assert page.summary is not None, "no error summary on the page"
    assert page.summary.get("role") == "alert"
    assert page.summary.get("tabindex") == "-1"
    assert "autofocus" in page.summary
    assert page.title.startswith("Error: "), page.title
    linked = {
        href.removeprefix("#id_"): " ".join(text.split()) for href, text in page.summary_items
    }
    for field, fragment in expected.items():
        assert field in linked, f"{field!r} not in the summary: {page.summary_items}"
        assert fragment in linked[field], (field, linked[field])
        assert f"id_{field}" in page.ids, f"the summary links to a missing #id_{field}"
    fields = [name for name in page.values if name in linked]
    assert list(linked) == fields, "the summary is not in the order of the form"


def test_client_create_reports_every_error_at_once(clinic: Clinic, signed_in: SignIn) -> None:
    """A bad email no longer hides the future date of birth: every field says what is wrong
    at once, the summary at the top links to each, and everything typed is kept."""
    http = signed_in(clinic.front_desk)
    clients, events = Client.objects.count(), create_events()
    data = new_client_form(
        email="mari.q@",
        date_of_birth="2999-01-01",
        phone="call me maybe",
        legal_last_name="",
    )

    response = http.post(reverse("web:client_create"), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, "email", "valid email")
    assert_error(page, "date_of_birth", "cannot be in the future")
    assert_error(page, "phone", "7 to 15 digits")
    assert_error(page, "legal_last_name", "required")
    assert sorted(page.errors) == ["date_of_birth", "email", "legal_last_name", "phone"]
    assert_summary_lists(
        page,
        {
            "legal_last_name": "Legal last name: This field is required.",
            "date_of_birth": "Date of birth: Date of birth cannot be in the future.",
            "phone": "Phone: Enter a phone number of 7 to 15 digits",
            "email": "Email: Enter a valid email address.",
        },
    )
    for name, typed in data.items():
        assert page.values[name] == typed, name
    assert Client.objects.count() == clients
    assert create_events() == events


def test_client_create_reports_an_unparsable_date_with_the_other_rules(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """A date that does not parse says so once, beside the service's rules for other fields."""
    http = signed_in(clinic.front_desk)
    data = new_client_form(date_of_birth="14/08/1993", phone="12", legal_first_name="   ")

    page = page_of(http.post(reverse("web:client_create"), data))

    assert page.field_errors("date_of_birth") == ["Enter a valid date."]
    assert_error(page, "phone", "7 to 15 digits")
    assert page.field_errors("legal_first_name") == ["This field is required."]
    assert len(page.summary_items) == 3


def test_client_forms_without_errors_show_no_summary(clinic: Clinic, signed_in: SignIn) -> None:
    """The summary appears only when there is something to fix."""
    http = signed_in(clinic.front_desk)
    page = page_of(http.get(reverse("web:client_create")))
    assert page.summary is None
    assert not page.title.startswith("Error")
    duplicate = new_client_form(
        legal_first_name="Zoe", legal_last_name="Nunez", date_of_birth="1990-04-23"
    )
    warned = page_of(http.post(reverse("web:client_create"), duplicate))
    assert "Núñez" in warned.warning_text
    assert warned.summary is None


# ---------------------------------------------------------------- client edit


def test_client_edit_with_invalid_birth_date(clinic: Clinic, signed_in: SignIn) -> None:
    """A future date of birth is refused next to the field; the record is untouched."""
    client = clinic.client_a
    http = signed_in(clinic.therapist_on_team)
    data = edit_form(client, date_of_birth="2999-12-31", city="Riverton")

    response = http.post(reverse("web:client_edit", args=[client.pk]), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, "date_of_birth", "cannot be in the future")
    assert page.values["date_of_birth"] == "2999-12-31"
    assert page.values["city"] == "Riverton"
    fresh = Client.objects.get(pk=client.pk)
    assert (fresh.date_of_birth, fresh.city, fresh.version) == (
        client.date_of_birth,
        client.city,
        client.version,
    )


def test_client_edit_reports_every_error_at_once(clinic: Clinic, signed_in: SignIn) -> None:
    """Editing with a bad email and a future date of birth names both; nothing changes."""
    client = clinic.client_a
    http = signed_in(clinic.therapist_on_team)
    data = edit_form(client, email="zoe@", date_of_birth="2999-12-31", city="Harbourview")

    response = http.post(reverse("web:client_edit", args=[client.pk]), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, "email", "valid email")
    assert_error(page, "date_of_birth", "cannot be in the future")
    assert_summary_lists(page, {"date_of_birth": "future", "email": "valid email"})
    assert (page.values["email"], page.values["city"]) == ("zoe@", "Harbourview")
    assert page.values["version"] == str(client.version)
    fresh = Client.objects.get(pk=client.pk)
    assert (fresh.email, fresh.version) == (client.email, client.version)


def test_client_edit_with_a_stale_version_shows_both_and_overwrites_nothing(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """REL-04: a save from a stale form is 409; the page shows the other person's saved values
    and the typed ones; nothing is overwritten; saving the re-shown form then works."""
    client = clinic.client_a
    url = reverse("web:client_edit", args=[client.pk])
    therapist = signed_in(clinic.therapist_on_team)
    loaded = page_of(therapist.get(url))
    assert loaded.values["version"] == str(client.version)

    # given: the psychiatrist saves a new phone number first
    psychiatrist = signed_in(clinic.psychiatrist)
    saved = psychiatrist.post(url, edit_form(client, phone="555-300-4000"))
    assert saved.status_code == 302
    # when: the therapist saves her form, loaded before that
    typed = dict(loaded.form_pairs) | {"email": "zoe.new@example.org", "city": "Harbourview"}
    response = therapist.post(url, typed)

    # then
    assert response.status_code == 409
    page = page_of(response)
    assert "555-300-4000" in page.warning_text  # what the other person saved
    assert page.values["email"] == "zoe.new@example.org"  # what she typed
    assert page.values["city"] == "Harbourview"
    fresh = Client.objects.get(pk=client.pk)
    assert fresh.phone == "555-300-4000"
    assert fresh.email != "zoe.new@example.org"
    assert fresh.version == client.version + 1

    # Re-submitting the form exactly as the browser shows it is a deliberate save: it works.
    pairs = page.form_pairs
    versions = [v for k, v in pairs if k == "version"]
    assert versions == [str(fresh.version)], f"the form carries versions {versions}"
    resubmitted = therapist.post(url, dict(pairs))
    assert resubmitted.status_code == 302
    assert Client.objects.get(pk=client.pk).email == "zoe.new@example.org"


# ---------------------------------------------------------------- contacts


def test_contact_form_without_a_name(clinic: Clinic, signed_in: SignIn) -> None:
    """The contact's name is required; typed phone and relationship stay; no contact saved."""
    http = signed_in(clinic.therapist_on_team)
    data = {"name": "", "relationship": "parent", "phone": "555-201-9090", "may_contact": "on"}

    response = http.post(reverse("web:contact_create", args=[clinic.client_a.pk]), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, "name", "required")
    assert page.values["phone"] == "555-201-9090"
    assert page.values["relationship"] == "parent"
    assert page.values["may_contact"] == "on"
    assert not Contact.objects.exists()


def test_contact_form_with_a_bad_phone(clinic: Clinic, signed_in: SignIn) -> None:
    """The service's phone rule reaches the contact form's phone field."""
    http = signed_in(clinic.therapist_on_team)
    data = {"name": "Rosa Quintero", "relationship": "parent", "phone": "ring twice"}

    response = http.post(reverse("web:contact_create", args=[clinic.client_a.pk]), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, "phone", "7 to 15 digits")
    assert page.values["name"] == "Rosa Quintero"
    assert not Contact.objects.exists()


def test_contact_form_reports_every_error_at_once(clinic: Clinic, signed_in: SignIn) -> None:
    """No name, a bad email and a bad phone are all named at once, in the summary too."""
    http = signed_in(clinic.therapist_on_team)
    data = {"name": "", "relationship": "parent", "phone": "ring twice", "email": "rosa@"}

    response = http.post(reverse("web:contact_create", args=[clinic.client_a.pk]), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, "name", "required")
    assert_error(page, "phone", "7 to 15 digits")
    assert_error(page, "email", "valid email")
    assert_summary_lists(page, {"name": "required", "phone": "7 to 15", "email": "valid email"})
    assert (page.values["phone"], page.values["email"]) == ("ring twice", "rosa@")
    assert not Contact.objects.exists()


# ---------------------------------------------------------------- episodes


def episode_form(clinic: Clinic, **changes: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "program": str(clinic.program.pk),
        "referral_date": (today - timedelta(days=60)).isoformat(),
        "admission_date": (today - timedelta(days=50)).isoformat(),
        "discharge_date": (today - timedelta(days=5)).isoformat(),
        "discharge_reason": "completed",
        "discharge_note": "",
    }
    return data | changes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"discharge_date": (timezone.localdate() - timedelta(days=55)).isoformat()},
            "discharge_date",
            "cannot be before admission",
        ),
        ({"discharge_reason": ""}, "discharge_reason", "reason for discharge"),
        ({"discharge_reason": "other", "discharge_note": "  "}, "discharge_note", "Describe"),
        (
            {"discharge_date": "", "discharge_reason": "moved"},
            "discharge_date",
            "discharge date",
        ),
        (
            {"referral_date": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "referral_date",
            "future",
        ),
    ],
    ids=[
        "discharge-before-admission",
        "discharge-without-reason",
        "other-without-note",
        "reason-without-date",
        "referral-in-future",
    ],
)
def test_episode_form_bad_input(
    changes: dict[str, str], field: str, message: str, clinic: Clinic, signed_in: SignIn
) -> None:
    """Episode rules from the service appear next to the field they concern; no episode saved."""
    http = signed_in(clinic.therapist_on_team)
    data = episode_form(clinic, **changes)

    response = http.post(reverse("web:episode_create", args=[clinic.client_a.pk]), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, field, message)
    for name, typed in data.items():
        assert page.values[name] == typed.strip() or page.values[name] == typed, name
    assert not Episode.objects.exists()


def test_episode_form_reports_every_error_at_once(clinic: Clinic, signed_in: SignIn) -> None:
    """An unreadable admission date does not hide the future referral or the missing note."""
    http = signed_in(clinic.therapist_on_team)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = episode_form(
        clinic,
        referral_date=future,
        admission_date="yesterday",
        discharge_reason="other",
        discharge_note="",
    )

    response = http.post(reverse("web:episode_create", args=[clinic.client_a.pk]), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, "referral_date", "future")
    assert_error(page, "admission_date", "valid date")
    assert_error(page, "discharge_note", "Describe")
    assert_summary_lists(
        page,
        {"referral_date": "future", "admission_date": "valid date", "discharge_note": "Describe"},
    )
    assert page.values["admission_date"] == "yesterday"
    assert not Episode.objects.exists()


def test_episode_edit_bad_input_leaves_the_episode(clinic: Clinic, signed_in: SignIn) -> None:
    """Updating an existing episode with a discharge before admission changes nothing."""
    today = timezone.localdate()
    episode = Episode.objects.create(
        client=clinic.client_a,
        program=clinic.program,
        referral_date=today - timedelta(days=60),
        admission_date=today - timedelta(days=50),
    )
    http = signed_in(clinic.therapist_on_team)
    data = episode_form(
        clinic, discharge_date=(today - timedelta(days=55)).isoformat(), version="1"
    )

    response = http.post(reverse("web:episode_edit", args=[clinic.client_a.pk, episode.pk]), data)

    assert_refused(response)
    assert_error(page_of(response), "discharge_date", "cannot be before admission")
    episode.refresh_from_db()
    assert episode.discharge_date is None
    assert episode.discharge_reason == ""


# ---------------------------------------------------------------- care team


def test_care_team_refuses_a_front_desk_person(clinic: Clinic, signed_in: SignIn) -> None:
    """Front desk staff cannot join a care team; the error sits next to the staff field."""
    http = signed_in(clinic.intake)
    members = CareTeamMember.objects.count()

    response = http.post(
        reverse("web:care_team", args=[clinic.client_b.pk]),
        {"staff": clinic.front_desk.pk, "role": "case_manager"},
    )

    assert_refused(response)
    page = page_of(response)
    assert page.field_errors("staff"), page.errors
    assert page.values["role"] == "case_manager"
    assert CareTeamMember.objects.count() == members
    # The choice list offers clinical staff only.
    offered = {u.pk for u in response.context["form"].fields["staff"].queryset}
    assert clinic.front_desk.pk not in offered
    assert clinic.it_admin.pk not in offered
    assert clinic.therapist_off_team.pk in offered


def test_care_team_refuses_a_duplicate_membership(clinic: Clinic, signed_in: SignIn) -> None:
    """Adding someone already on the team in that role is refused next to the staff field."""
    http = signed_in(clinic.psychiatrist)
    members = CareTeamMember.objects.count()

    response = http.post(
        reverse("web:care_team", args=[clinic.client_a.pk]),
        {"staff": clinic.therapist_on_team.pk, "role": "primary_clinician"},
    )

    assert_refused(response)
    assert_error(page_of(response), "staff", "Already on the care team")
    assert CareTeamMember.objects.count() == members


# ---------------------------------------------------------------- break the glass


def break_glass_form(clinic: Clinic, **changes: str) -> dict[str, str]:
    data = {
        "mrn": clinic.client_b.mrn,
        "reason_code": BreakGlassReason.CRISIS_CALL,
        "reason_text": "Walk-in in crisis, primary clinician unreachable",
        "password": PASSWORD,
    }
    return data | changes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason_text": "urgent"}, "reason_text", "at least 15 characters"),
        ({"reason_text": "               "}, "reason_text", "required"),
        ({"password": "not-my-password"}, "password", "password is not correct"),
        ({"mrn": "999999999"}, "mrn", "No chart can be opened"),
        ({"reason_code": ""}, "reason_code", "required"),
    ],
    ids=["short-reason", "blank-reason", "wrong-password", "unknown-mrn", "no-reason-code"],
)
def test_break_glass_bad_input(
    changes: dict[str, str], field: str, message: str, clinic: Clinic, signed_in: SignIn
) -> None:
    """SEC-22: every refusal names its field, keeps what was typed (never the password) and
    grants nothing."""
    http = signed_in(clinic.therapist_off_team)
    data = break_glass_form(clinic, **changes)

    response = http.post(reverse("web:break_glass"), data)

    assert_refused(response)
    page = page_of(response)
    assert_error(page, field, message)
    assert page.values["mrn"] == data["mrn"]
    if field != "reason_text":
        assert page.values["reason_text"] == data["reason_text"]
    assert page.values["password"] == ""  # a password is never sent back
    assert PASSWORD not in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_break_glass_with_wrong_password_is_audited(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-22, SEC-23: a wrong password at break-the-glass leaves a high-severity denied event."""
    http = signed_in(clinic.therapist_off_team)
    http.post(reverse("web:break_glass"), break_glass_form(clinic, password="guess-1234-5678"))
    event = AuditEvent.objects.get(action="break_glass_denied")
    assert event.actor_id == clinic.therapist_off_team.pk
    assert (event.outcome, event.severity, event.purpose) == ("denied", "high", "BTG")
    assert event.detail == {"field": "password"}
    assert not AuditEvent.objects.filter(action="break_glass").exists()


# ---------------------------------------------------------------- privacy officer


def test_review_with_an_empty_note(clinic: Clinic, signed_in: SignIn) -> None:
    """The finding is required; the error is shown in that grant's card; nothing is reviewed."""
    now = timezone.now()
    grants = [
        BreakGlassGrant.objects.create(
            actor=clinic.therapist_off_team,
            client=client,
            reason_code=BreakGlassReason.CRISIS_CALL,
            reason_text="Walk-in in crisis, primary clinician unreachable",
            granted_at=now - timedelta(hours=2),
            expires_at=now - timedelta(hours=1),
        )
        for client in (clinic.client_a, clinic.client_b)
    ]
    target = grants[1]
    http = signed_in(clinic.privacy_officer)

    response = http.post(reverse("web:break_glass_review", args=[target.pk]), {"note": "   "})

    assert response.status_code == 400
    page = page_of(response)
    assert_error(page, "note", "required")
    assert f"grant-{target.pk}" in page.error_ancestors["note"]
    target.refresh_from_db()
    assert target.reviewed_at is None
    assert not AuditEvent.objects.filter(action="break_glass_reviewed").exists()


def test_audit_filter_with_end_before_start(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-27: an end date before the start is named next to the end date; values stay."""
    http = signed_in(clinic.privacy_officer)
    query = {"date_from": "2030-05-10", "date_to": "2030-05-01", "action": "chart_view"}

    response = http.get(reverse("web:audit_report"), query)

    assert response.status_code == 400
    page = page_of(response)
    assert_error(page, "date_to", "before the start date")
    assert page.values["date_from"] == "2030-05-10"
    assert page.values["date_to"] == "2030-05-01"
    assert page.values["action"] == "chart_view"


def test_audit_find_client_with_unknown_mrn(clinic: Clinic, signed_in: SignIn) -> None:
    """An MRN nobody has is named next to the MRN field."""
    http = signed_in(clinic.privacy_officer)
    response = http.post(reverse("web:audit_find_client"), {"mrn": "123456789"})
    assert response.status_code == 400
    page = page_of(response)
    assert_error(page, "mrn", "No client has that MRN")
    assert page.values["mrn"] == "123456789"


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("typed", ["", "    "])
def test_empty_search(typed: str, clinic: Clinic, signed_in: SignIn) -> None:
    """An empty search asks for something to search for and searches nothing."""
    http = signed_in(clinic.front_desk)
    response = http.post(reverse("web:client_search"), {"q": typed})
    assert_refused(response)
    assert_error(page_of(response), "q", "required")
    assert response.context["result"] is None
    assert not AuditEvent.objects.filter(action="search").exists()
    assert "Location" not in response  # shown again, not sent on to the results


def test_episode_in_a_closed_program_can_still_be_discharged(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """A program closed to new enrolments still lets its open episodes be updated."""
    today = timezone.localdate()
    episode = Episode.objects.create(
        client=clinic.client_a,
        program=clinic.program,
        referral_date=today - timedelta(days=60),
        admission_date=today - timedelta(days=50),
    )
    type(clinic.program).objects.filter(pk=clinic.program.pk).update(active=False)
    http = signed_in(clinic.therapist_on_team)
    url = reverse("web:episode_edit", args=[clinic.client_a.pk, episode.pk])
    shown = page_of(http.get(url))
    assert shown.values["program"] == str(clinic.program.pk)

    response = http.post(url, episode_form(clinic, discharge_reason="moved", version="1"))

    assert response.status_code == 302, page_of(response).errors
    episode.refresh_from_db()
    assert episode.discharge_reason == "moved"
    # ...but nobody can be enrolled in it any more.
    new = http.post(reverse("web:episode_create", args=[clinic.client_b.pk]), episode_form(clinic))
    assert new.status_code in (200, 400, 404)
    assert Episode.objects.count() == 1


def test_episode_cannot_be_moved_onto_another_open_episode_of_its_program(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """Two open episodes of one client in one program are refused on edit as on create."""
    today = timezone.localdate()
    youth = type(clinic.program).objects.create(
        organisation=clinic.program.organisation, name="Youth", code="youth"
    )
    Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=today - timedelta(days=9)
    )
    other = Episode.objects.create(
        client=clinic.client_a, program=youth, referral_date=today - timedelta(days=8)
    )
    http = signed_in(clinic.therapist_on_team)
    data = {
        "program": str(clinic.program.pk),
        "referral_date": other.referral_date.isoformat(),
        "version": "1",
    }

    response = http.post(reverse("web:episode_edit", args=[clinic.client_a.pk, other.pk]), data)

    assert_refused(response)
    assert_error(page_of(response), "program", "already has an open episode")
    other.refresh_from_db()
    assert other.program_id == youth.pk
