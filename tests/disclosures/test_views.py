"""The pages of mandated reports, the accounting and PN release, through the web."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.disclosures.authorizations import authorization_record
from alliance.disclosures.examples import DUTY_TO_WARN
from alliance.disclosures.models import Authorization, Disclosure, MandatedReport, ReportStatus
from alliance.notes.models import NoteTemplate
from alliance.notes.services import note_create, note_save, note_sign
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

SignedIn = Callable[[User], HttpClient]


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    source = tmp_path / "out.pdf"
    source.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())  # compare the words, not the layout


def _report_post(version: int, **overrides: str) -> dict[str, str]:
    data = {
        "version": str(version),
        **{k: v for k, v in DUTY_TO_WARN.items() if isinstance(v, str)},
        "client_informed": "yes",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "10",
        "contacts-0-recipient": "County Adult Protective Services",
        "contacts-0-contacted_at": (timezone.localtime() - timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "contacts-0-method": "phone",
        "contacts-0-reference": "APS-DEMO-7",
    }
    data.update(overrides)
    return data


def test_report_flow_through_the_web(clinic: Clinic, signed_in: SignedIn) -> None:
    """SEC-31, SEC-29: start, complete, sign with the password; the accounting row follows."""
    http = signed_in(clinic.therapist_on_team)
    response = http.post(
        reverse("web:mandated_report_create", args=[clinic.client_a.pk]),
        {"kind": "duty_to_warn"},
    )
    report = MandatedReport.objects.get()
    assert response["Location"] == reverse("web:mandated_report_edit", args=[report.pk])
    response = http.post(
        reverse("web:mandated_report_edit", args=[report.pk]), {**_report_post(1), "sign": "1"}
    )
    assert response["Location"] == reverse("web:mandated_report_sign", args=[report.pk])
    page = http.get(response["Location"])
    assert page.status_code == 200 and b"Sign the report" in page.content
    response = http.post(
        reverse("web:mandated_report_sign", args=[report.pk]),
        {"version": "2", "password": PASSWORD},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SIGNED
    row = Disclosure.objects.get(source_id=report.pk)
    assert "APS-DEMO-7" in row.recipient
    page = http.get(reverse("web:mandated_report_view", args=[report.pk]))
    assert b"signature verified" in page.content and b"County Adult Protective" in page.content


def test_incomplete_report_shows_each_missing_element_next_to_its_field(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-31: "Save and sign" on an incomplete draft keeps the typed text, signs nothing and
    names what is missing next to each field."""
    http = signed_in(clinic.therapist_on_team)
    http.post(
        reverse("web:mandated_report_create", args=[clinic.client_a.pk]), {"kind": "child_abuse"}
    )
    report = MandatedReport.objects.get()
    data = _report_post(1, victim="", consultation="", client_informed="no")
    response = http.post(
        reverse("web:mandated_report_edit", args=[report.pk]), {**data, "sign": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Needed before signing") == 3
    assert "why the client was not told" in html
    assert DUTY_TO_WARN["rationale"][:30] in html
    report.refresh_from_db()
    assert report.is_draft and report.rationale == DUTY_TO_WARN["rationale"]
    response = http.post(
        reverse("web:mandated_report_sign", args=[report.pk]),
        {"version": str(report.version), "password": PASSWORD},
    )
    assert response.status_code == 400 and not Disclosure.objects.exists()


def test_stale_draft_gets_the_conflict_page(clinic: Clinic, signed_in: SignedIn) -> None:
    """REL-04: a save from an old version shows both texts and keeps what was typed."""
    http = signed_in(clinic.therapist_on_team)
    http.post(
        reverse("web:mandated_report_create", args=[clinic.client_a.pk]), {"kind": "elder_abuse"}
    )
    report = MandatedReport.objects.get()
    url = reverse("web:mandated_report_edit", args=[report.pk])
    http.post(url, _report_post(1, victim="Saved first"))
    response = http.post(url, _report_post(1, victim="Typed second"))
    assert response.status_code == 409
    assert b"Saved first" in response.content and b"Typed second" in response.content
    report.refresh_from_db()
    assert report.victim == "Saved first"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_accounting_entry_cannot_be_edited_or_deleted_through_the_web(
    method: str, clinic: Clinic, report: MandatedReport, signed_in: SignedIn
) -> None:
    """SEC-29: an attempted edit or delete of an accounting entry answers 405."""
    row = Disclosure.objects.filter(source_id=report.pk).first()
    assert row is not None
    for persona in ("therapist_on_team", "privacy_officer"):
        http = signed_in(getattr(clinic, persona))
        url = reverse("web:disclosure_entry", args=[row.pk])
        response = getattr(http, method)(url, {"recipient": "changed"})
        assert response.status_code == 405
    assert Disclosure.objects.get(pk=row.pk).recipient == row.recipient
    assert Disclosure.objects.count() == 2


def test_privacy_report_finds_by_mrn_and_prints(
    clinic: Clinic, report: MandatedReport, signed_in: SignedIn, tmp_path: Path
) -> None:
    """SEC-29: the privacy officer's report, by client, printable; every view audited."""
    http = signed_in(clinic.privacy_officer)
    response = http.post(reverse("web:disclosure_report"), {"mrn": clinic.client_a.mrn})
    url = reverse("web:disclosure_report_client", args=[clinic.client_a.pk])
    assert response["Location"] == url
    page = http.get(url)
    assert b"PD-DEMO-0042" in page.content
    before = AuditEvent.objects.filter(actor=clinic.privacy_officer).count()
    pdf = http.get(reverse("web:disclosure_report_pdf", args=[clinic.client_a.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content, tmp_path)
    # pdftotext drops a hyphen where a line wrapped at it: compare without hyphens.
    assert "City Police Department" in text and "PDDEMO0042" in text.replace("-", "")
    assert AuditEvent.objects.filter(actor=clinic.privacy_officer).count() == before + 1
    empty = http.get(url, {"since": "2001-01-01", "until": "2001-12-31"})
    assert b"No disclosure between 2001-01-01 and 2001-12-31" in empty.content


def test_psychotherapy_note_release_through_the_web(
    clinic: Clinic, signed_in: SignedIn, tmp_path: Path
) -> None:
    """SEC-17: blocked without a PN authorization; with one, the author gets the PDF and the
    release is accounted."""
    author = clinic.therapist_on_team
    pn = note_create(actor=author, client=clinic.client_a, template=NoteTemplate.PSYCHOTHERAPY)
    pn = note_save(
        actor=author,
        note=pn,
        values={"process": "Canary reflection about the alliance."},
        version=pn.version,
    )
    pn = note_sign(actor=author, note=pn, version=pn.version, password=PASSWORD)
    http = signed_in(author)
    url = reverse("web:psychotherapy_note_disclose", args=[clinic.client_a.pk, pn.pk])
    refused = http.post(url, {"recipient": "Dr. Example"})
    assert (
        refused.status_code == 400 and b"authorization for psychotherapy notes" in refused.content
    )
    today = timezone.localdate()
    authorization = authorization_record(
        actor=author,
        client=clinic.client_a,
        recipient="Dr. Example",
        purpose="Second opinion",
        covers_psychotherapy_notes=True,
        covers_other="",
        signed_on=today,
        expires_on=today + timedelta(days=30),
    )
    released = http.post(url, {"authorization": str(authorization.pk)})
    assert released["Content-Type"] == "application/pdf"
    assert "Canary reflection" in _pdf_text(released.content, tmp_path)
    assert Disclosure.objects.get().recipient == "Dr. Example"


def test_chart_links_reports_only_for_those_who_may_see_them(
    clinic: Clinic, report: MandatedReport, signed_in: SignedIn
) -> None:
    """SEC-31: the chart never shows the report to the rest of the care team."""
    link = reverse("web:mandated_report_view", args=[report.pk]).encode()
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    assert link in signed_in(clinic.therapist_on_team).get(chart).content
    assert link in signed_in(clinic.supervisor).get(chart).content
    assert link not in signed_in(clinic.psychiatrist).get(chart).content
    assert link not in signed_in(clinic.peer_specialist).get(chart).content


def test_revoking_an_authorization(clinic: Clinic, signed_in: SignedIn) -> None:
    """SEC-17: a revocation is recorded once, from the client's authorizations page."""
    http = signed_in(clinic.therapist_on_team)
    url = reverse("web:authorizations", args=[clinic.client_a.pk])
    today = timezone.localdate()
    compound = http.post(
        url,
        {
            "recipient": "Insurer",
            "purpose": "Claims",
            "covers_psychotherapy_notes": "on",
            "covers_other": "Treatment summary",
            "signed_on": today.isoformat(),
            "expires_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert compound.status_code == 400 and b"cannot cover anything else" in compound.content
    assert b'value="Treatment summary"' in compound.content
    created = http.post(url, {**compound.wsgi_request.POST.dict(), "covers_other": ""})
    assert created.status_code == 302
    authorization = Authorization.objects.get()
    revoke = reverse("web:authorization_revoke", args=[clinic.client_a.pk, authorization.pk])
    assert http.post(revoke).status_code == 302
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None
    assert http.post(revoke).status_code == 302  # again: nothing changes, no error page
    other = reverse("web:authorization_revoke", args=[clinic.client_b.pk, authorization.pk])
    assert http.post(other).status_code == 404
