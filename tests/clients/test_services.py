"""Writes to the client registry (``alliance.clients.services``): the rules forms rely on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.clients.models import Client, Contact, Episode
from alliance.clients.services import (
    StaleEdit,
    client_update,
    contact_save,
    episode_save,
)
from alliance.organisation.models import Program
from tests.personas import Clinic


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def youth(clinic: Clinic) -> Program:
    return Program.objects.create(
        organisation=clinic.program.organisation, name="Youth", code="youth"
    )


def test_client_update_with_stale_version_writes_nothing(clinic: Clinic) -> None:
    """REL-04: an edit from version 1 after someone saved version 2 is refused, nothing written."""
    client = clinic.client_a
    client_update(actor=clinic.psychiatrist, client=client, values={"city": "Riverton"}, version=1)
    with pytest.raises(StaleEdit) as stale:
        client_update(
            actor=clinic.therapist_on_team, client=client, values={"city": "Harbour"}, version=1
        )
    assert stale.value.current.city == "Riverton"
    fresh = Client.objects.get(pk=client.pk)
    assert (fresh.city, fresh.version) == ("Riverton", 2)


def test_client_update_outside_ones_care_is_not_found(clinic: Clinic) -> None:
    """SEC-10: the service refuses a client outside the actor's care, not only the page."""
    with pytest.raises(Client.DoesNotExist):
        client_update(
            actor=clinic.therapist_on_team,
            client=clinic.client_b,
            values={"city": "Riverton"},
            version=1,
        )
    assert Client.objects.get(pk=clinic.client_b.pk).city == ""


def test_contact_and_episode_edits_with_stale_version_write_nothing(clinic: Clinic) -> None:
    """REL-04: a contact or episode edit from version 1 after a saved version 2 is refused."""
    contact = Contact.objects.create(client=clinic.client_a, name="Kin", relationship="parent")
    contact_save(
        actor=clinic.front_desk,
        client=clinic.client_a,
        values={"name": "Kin", "relationship": "parent", "phone": "555-201-0001"},
        contact=contact,
        version=1,
    )
    with pytest.raises(StaleEdit) as stale:
        contact_save(
            actor=clinic.intake,
            client=clinic.client_a,
            values={"name": "Kinsey", "relationship": "parent", "phone": ""},
            contact=contact,
            version=1,
        )
    assert (stale.value.current.phone, stale.value.current.version) == ("555-201-0001", 2)
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.version) == ("Kin", "555-201-0001", 2)

    episode = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=days_ago(9)
    )
    episode_save(
        actor=clinic.intake,
        client=clinic.client_a,
        values={"admission_date": days_ago(2)},
        episode=episode,
        version=1,
    )
    with pytest.raises(StaleEdit):
        episode_save(
            actor=clinic.intake,
            client=clinic.client_a,
            values={"admission_date": days_ago(1)},
            episode=episode,
            version=1,
        )
    episode.refresh_from_db()
    assert (episode.admission_date, episode.version) == (days_ago(2), 2)


def test_an_edit_must_name_its_version(clinic: Clinic) -> None:
    """REL-04: an edit that does not say which version it started from is a programming error."""
    contact = Contact.objects.create(client=clinic.client_a, name="Kin", relationship="parent")
    with pytest.raises(ValueError, match="version"):
        contact_save(
            actor=clinic.front_desk,
            client=clinic.client_a,
            values={"name": "Kinsey", "relationship": "parent"},
            contact=contact,
        )
    contact.refresh_from_db()
    assert (contact.name, contact.version) == ("Kin", 1)


def test_contact_cannot_be_moved_to_another_client(clinic: Clinic) -> None:
    """SEC-11: saving client_b's contact under client_a is refused; the contact stays put."""
    contact = Contact.objects.create(client=clinic.client_b, name="Kin", relationship="parent")
    with pytest.raises(Contact.DoesNotExist):
        contact_save(
            actor=clinic.front_desk,
            client=clinic.client_a,
            values={"name": "Moved"},
            contact=contact,
        )
    contact.refresh_from_db()
    assert (contact.client_id, contact.name) == (clinic.client_b.pk, "Kin")


def test_one_open_episode_per_program_on_create(clinic: Clinic) -> None:
    episode_save(
        actor=clinic.intake,
        client=clinic.client_b,
        values={"program": clinic.program, "referral_date": days_ago(5)},
    )
    with pytest.raises(ValidationError) as refused:
        episode_save(
            actor=clinic.intake,
            client=clinic.client_b,
            values={"program": clinic.program, "referral_date": days_ago(1)},
        )
    assert "program" in refused.value.error_dict
    assert Episode.objects.filter(client=clinic.client_b).count() == 1


def test_a_past_discharged_episode_can_be_recorded_beside_an_open_one(clinic: Clinic) -> None:
    """History: an earlier, finished stay in the same program is not a second open episode."""
    episode_save(
        actor=clinic.intake,
        client=clinic.client_b,
        values={"program": clinic.program, "referral_date": days_ago(5)},
    )
    episode_save(
        actor=clinic.intake,
        client=clinic.client_b,
        values={
            "program": clinic.program,
            "referral_date": days_ago(400),
            "admission_date": days_ago(390),
            "discharge_date": days_ago(200),
            "discharge_reason": "completed",
        },
    )
    assert Episode.objects.filter(client=clinic.client_b, discharge_date__isnull=True).count() == 1


def test_moving_or_reopening_an_episode_onto_an_open_one_is_refused(
    clinic: Clinic, youth: Program
) -> None:
    """One open episode per client and program, on edit too (moving it, or reopening it)."""
    open_adult = Episode.objects.create(
        client=clinic.client_b, program=clinic.program, referral_date=days_ago(9)
    )
    in_youth = Episode.objects.create(
        client=clinic.client_b, program=youth, referral_date=days_ago(8)
    )
    with pytest.raises(ValidationError):
        episode_save(
            actor=clinic.intake,
            client=clinic.client_b,
            values={"program": clinic.program, "referral_date": days_ago(8)},
            episode=in_youth,
            version=in_youth.version,
        )
    closed_adult = Episode.objects.create(
        client=clinic.client_b,
        program=clinic.program,
        referral_date=days_ago(300),
        discharge_date=days_ago(200),
        discharge_reason="completed",
    )
    with pytest.raises(ValidationError):
        episode_save(
            actor=clinic.intake,
            client=clinic.client_b,
            values={"discharge_date": None, "discharge_reason": ""},
            episode=closed_adult,
            version=closed_adult.version,
        )
    in_youth.refresh_from_db()
    closed_adult.refresh_from_db()
    assert in_youth.program_id == youth.pk
    assert closed_adult.discharge_date == days_ago(200)
    # Updating the open episode itself is no conflict with itself.
    episode_save(
        actor=clinic.intake,
        client=clinic.client_b,
        values={"program": clinic.program, "admission_date": days_ago(7)},
        episode=open_adult,
        version=open_adult.version,
    )


def test_episode_of_another_client_is_refused(clinic: Clinic) -> None:
    """SEC-11: an episode cannot be saved under a client it does not belong to."""
    episode = Episode.objects.create(
        client=clinic.client_b, program=clinic.program, referral_date=days_ago(9)
    )
    with pytest.raises(Episode.DoesNotExist):
        episode_save(
            actor=clinic.intake,
            client=clinic.client_a,
            values={"admission_date": days_ago(1)},
            episode=episode,
        )
    episode.refresh_from_db()
    assert episode.admission_date is None


def test_episode_outside_ones_care_is_not_found(clinic: Clinic) -> None:
    """SEC-10: the therapist cannot enrol client_b, who is outside her care."""
    with pytest.raises(Client.DoesNotExist):
        episode_save(
            actor=clinic.therapist_on_team,
            client=clinic.client_b,
            values={"program": clinic.program, "referral_date": days_ago(1)},
        )
    assert not Episode.objects.exists()
