"""Access-matrix rows and census objects of the disclosures pages (merged by the matrix test).

Mandated reports are restricted records (SEC-31): their author (therapist_on_team), her
supervisor and the privacy officer see them; the rest of the care team (psychiatrist, peer
specialist) gets 404 like a stranger. ``disclosure_id`` is an accounting row written by signing
such a report, so it follows the same rule. ``pn_id`` is her signed psychotherapy note: only she
may release it (SEC-17).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.disclosures.authorizations import authorization_record
from alliance.disclosures.models import Disclosure, ReportKind
from alliance.disclosures.services import report_create
from alliance.notes.models import NoteTemplate
from alliance.notes.services import note_create, note_save, note_sign
from tests.disclosures.conftest import signed_report
from tests.personas import PASSWORD, Clinic
from tests.web.matrix_notes import LOGIN, clinical

GATED = {"privacy_officer": 403, "it_admin": 403, "no_role": 403, "anonymous": LOGIN}


def restricted(*, author: object, supervisor: object, privacy: object) -> dict[str, object]:
    """A restricted record seen by its author, her supervisor, the privacy officer, others."""
    return {
        **clinical(on=author, off=404, peer=404, registry=403),
        "psychiatrist": 404,
        "supervisor": supervisor,
        "privacy_officer": privacy,
    }


def privacy_only() -> dict[str, object]:
    return {
        **clinical(on=403, off=403, peer=403, registry=403),
        "privacy_officer": 200,
    }


EXPECTED: dict[str, dict[str, object]] = {
    "web:mandated_report_create": clinical(on=200, off=404, peer=200, registry=403),
    "web:mandated_report_list": {
        **clinical(on=200, off=200, peer=200, registry=403),
        "privacy_officer": 200,
    },
    "web:mandated_report_view": restricted(author=200, supervisor=200, privacy=200),
    "web:mandated_report_edit": restricted(author=200, supervisor=404, privacy=403),
    "web:mandated_report_sign": restricted(author=200, supervisor=404, privacy=403),
    "web:mandated_report_addendum": restricted(author=200, supervisor=200, privacy=403),
    "web:disclosure_client": clinical(on=200, off=404, peer=200, registry=403),
    "web:disclosure_record": clinical(on=200, off=404, peer=200, registry=403),
    "web:disclosure_entry": restricted(author=200, supervisor=200, privacy=200),
    "web:disclosure_correct": restricted(author=200, supervisor=404, privacy=200),
    "web:disclosure_report": privacy_only(),
    "web:disclosure_report_client": privacy_only(),
    "web:disclosure_report_pdf": privacy_only(),
    "web:authorizations": clinical(on=200, off=404, peer=200, registry=403),
    "web:authorization_revoke": clinical(on=405, off=405, peer=405, registry=403),
    "web:psychotherapy_note_disclose": {
        **clinical(on=200, off=404, peer=404, registry=403),
        "psychiatrist": 404,
        "supervisor": 404,
    },
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids for this app's URL parameters (objects of client_a by therapist_on_team)."""
    author = clinic.therapist_on_team
    draft = report_create(actor=author, client=clinic.client_a, kind=ReportKind.CHILD_ABUSE)
    signed = signed_report(author, clinic.client_a)
    disclosure = Disclosure.objects.filter(source_id=signed.pk).first()
    assert disclosure is not None
    today = timezone.localdate()
    authorization = authorization_record(
        actor=author,
        client=clinic.client_a,
        recipient="Dr. Example Forensic Evaluator",
        purpose="Independent evaluation requested by the client",
        covers_psychotherapy_notes=True,
        covers_other="",
        signed_on=today,
        expires_on=today + timedelta(days=90),
    )
    pn = note_create(actor=author, client=clinic.client_a, template=NoteTemplate.PSYCHOTHERAPY)
    pn = note_save(
        actor=author,
        note=pn,
        values={"process": "My own reflections on the alliance today."},
        version=pn.version,
    )
    pn = note_sign(actor=author, note=pn, version=pn.version, password=PASSWORD)
    return {
        "draft_report_id": draft.pk,
        "report_id": signed.pk,
        "disclosure_id": disclosure.pk,
        "authorization_id": authorization.pk,
        "pn_id": pn.pk,
    }
