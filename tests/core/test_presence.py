"""``core.presence``: how many rows each part of one client's record holds, in one statement;
and the chart, which reads only the parts that have some."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.assessments.models import CriticalAlert
from alliance.clients.models import Client, Contact, Episode
from alliance.core.presence import DECLARED, UNKNOWN, Part, Presence, part_counts
from alliance.crisis.models import CrisisEpisode
from alliance.demo.clinic import demo_build
from alliance.diagnoses.models import DiagnosisStatus
from alliance.diagnoses.services import diagnosis_add
from alliance.notes.models import NoteTemplate
from alliance.notes.services import note_create
from alliance.notes.timeline import timeline_for_chart
from alliance.organisation.models import Program, ProgramMembership
from alliance.staff.models import User
from alliance.web.clients.views import CHART_PARTS
from tests.crisis.conftest import start
from tests.notes.conftest import draft
from tests.personas import Clinic

CONTACTS = Part(
    "test.contacts",
    lambda client_id: Contact.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM clients_contact WHERE client_id = %s",
)
MAY_CONTACT = Part(
    "test.may_contact",
    lambda client_id: Contact.objects.filter(client_id=client_id, may_contact=True),
    "SELECT COUNT(*) FROM clients_contact WHERE client_id = %s AND may_contact",
)
EPISODES = Part(
    "test.episodes",
    lambda client_id: CrisisEpisode.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM crisis_crisisepisode WHERE client_id = %s",
)


def test_one_statement_counts_each_part(clinic: Clinic) -> None:
    Contact.objects.create(client=clinic.client_a, name="Ana", relationship="friend")
    Contact.objects.create(client=clinic.client_a, name="Eli", relationship="friend")
    parts = [CONTACTS, MAY_CONTACT, EPISODES, CONTACTS]

    with CaptureQueriesContext(connection) as captured:
        found = part_counts(parts, clinic.client_a.pk)

    assert found == {"test.contacts": 2, "test.may_contact": 0, "test.episodes": 0}
    assert len(captured.captured_queries) == 1
    assert set(part_counts(parts, clinic.client_b.pk).values()) == {0}


def test_conditions_with_values_are_kept(clinic: Clinic) -> None:
    Contact.objects.create(
        client=clinic.client_a, name="Ana", relationship="friend", may_contact=True
    )
    Contact.objects.create(
        client=clinic.client_b, name="Bo", relationship="friend", may_contact=False
    )

    assert part_counts([MAY_CONTACT], clinic.client_a.pk) == {"test.may_contact": 1}
    assert part_counts([MAY_CONTACT], clinic.client_b.pk) == {"test.may_contact": 0}


@pytest.fixture
def demo_clinic(db: None) -> None:
    """The demo clinic, built before the test clinic (it adds clients only to an empty
    registry)."""
    demo_build(clients=30, seed=7)


def test_every_part_s_sql_counts_what_its_queryset_holds(demo_clinic: None, clinic: Clinic) -> None:
    """Each declared part's ``count_sql`` against its queryset's ``count()``, for every client
    of the demo clinic (measures, plans, safety, crisis, disclosures) and of the test clinic
    with notes with and without a session, a psychotherapy note, an open crisis and a
    diagnosis; an acknowledged alert and a closed crisis are rows a condition leaves out."""
    therapist = clinic.therapist_on_team
    draft(therapist, clinic.client_a)
    note_create(actor=therapist, client=clinic.client_a, template=NoteTemplate.SOAP)
    note_create(actor=therapist, client=clinic.client_a, template=NoteTemplate.PSYCHOTHERAPY)
    start(clinic)
    diagnosis_add(
        actor=clinic.psychiatrist,
        client=clinic.client_a,
        code="F32.1",
        status=DiagnosisStatus.ACTIVE,
    )
    for acknowledged_at in (None, timezone.now()):
        CriticalAlert.objects.create(
            client=clinic.client_b,
            instrument="phq9",
            flags=["item9"],
            raised_at=timezone.now(),
            acknowledged_at=acknowledged_at,
        )
    # the therapist joins a Part 2 program the client is in: two more notes, labelled
    sud = Program.objects.create(
        organisation=clinic.program.organisation, name="Recovery", code="recovery", is_part2=True
    )
    Episode.objects.create(client=clinic.client_a, program=sud, referral_date=timezone.localdate())
    ProgramMembership.objects.create(program=sud, staff=therapist)
    draft(therapist, clinic.client_a)
    note_create(actor=therapist, client=clinic.client_a, template=NoteTemplate.SOAP)
    parts = [part for name, part in DECLARED.items() if not name.startswith("test.")]
    assert {part.name for part in CHART_PARTS} <= {part.name for part in parts}
    with_rows: set[str] = set()
    for client_id in Client.objects.values_list("pk", flat=True):
        counts = part_counts(parts, client_id)
        for part in parts:
            assert counts[part.name] == part.rows(client_id).count(), (part.name, client_id)
            if counts[part.name]:
                with_rows.add(part.name)
    # the comparison saw rows in every part, not only zeros
    assert with_rows == {part.name for part in parts}


def test_a_part_s_sql_has_one_client_parameter() -> None:
    with pytest.raises(ImproperlyConfigured):
        Part("test.bad", lambda client_id: Contact.objects.all(), "SELECT COUNT(*) FROM x")


def test_unknown_presence_reads_everything() -> None:
    assert UNKNOWN.may_have(CONTACTS) and UNKNOWN.count(CONTACTS) is None
    assert not Presence({"test.contacts": 0}).may_have(CONTACTS)
    # A part the page did not count is read, not taken for empty.
    assert Presence({"test.episodes": 0}).may_have(CONTACTS)
    assert Presence({"test.episodes": 0}).count(CONTACTS) is None
    assert Presence({"test.contacts": 3}).may_have(CONTACTS)
    assert Presence({"test.contacts": 3}).count(CONTACTS) == 3


def _section_reads(http: HttpClient, client: Client) -> list[str]:
    """The chart's statements, but for the one that asks which parts hold rows."""
    with CaptureQueriesContext(connection) as captured:
        response = http.get(reverse("web:client_chart", args=[client.pk]))
    assert response.status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    counting = [sql for sql in statements if sql.startswith("SELECT (SELECT COUNT(*)")]
    assert len(counting) == 1
    return [sql for sql in statements if sql not in counting]


def test_the_chart_reads_only_the_sections_with_rows(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    http = signed_in(clinic.therapist_on_team)
    assert len({part.name for part in CHART_PARTS}) == len(CHART_PARTS)

    empty = _section_reads(http, clinic.client_a)
    assert not [sql for sql in empty if '"crisis_' in sql or '"safety_' in sql]

    start(clinic)  # a crisis episode, with its caring-contact task
    filled = _section_reads(http, clinic.client_a)
    assert [sql for sql in filled if 'FROM "crisis_crisisepisode"' in sql]
    assert [sql for sql in filled if 'FROM "crisis_followuptask"' in sql]
    html = http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).content.decode()
    assert "Caring contact" in html


def test_the_timeline_takes_its_page_count_from_the_chart_counts(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    for days in range(1, 13):
        draft(clinic.therapist_on_team, clinic.client_a, day=timezone.localdate() - timedelta(days))
    http = signed_in(clinic.therapist_on_team)

    reads = _section_reads(http, clinic.client_a)
    html = http.get(reverse("web:client_chart", args=[clinic.client_a.pk])).content.decode()

    assert "<li>Page 1 of 2</li>" in html
    assert not [sql for sql in reads if sql.startswith("SELECT COUNT(*)") and "UNION" in sql]
    assert timeline_for_chart(actor=clinic.therapist_on_team, client=clinic.client_a).total == 12
