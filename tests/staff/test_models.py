"""Staff accounts: one per person (SEC-01), capabilities from today's licences (SEC-07)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.staff.capabilities import Capability as C
from alliance.staff.disciplines import Discipline, LicenceStatus
from alliance.staff.models import Licence, SupervisionLink, User, validate_personal_username
from alliance.staff.services import staff_create
from tests.personas import PASSWORD, Clinic

GENERIC = [
    "admin",
    "administrator",
    "admin2",
    "adminuser",
    "root",
    "frontdesk",
    "front.desk",
    "front-desk",
    "front_desk2",
    "nurse",
    "nurse1",
    "nurse.station",
    "doctor",
    "therapist",
    "test",
    "test1",
    "tester",
    "testing",
    "testuser",
    "test.user",
    "demo",
    "guest",
    "reception",
    "it.admin",
    "intake",
    "billing",
    "shared",
    "temp",
    "on.call",
    "clinic.team",
]
PERSONAL = ["tmorgan", "zoe.nunez", "j.smith2", "m.testa", "inovak", "ann-marie.o", "dr.okafor"]


@pytest.mark.parametrize("username", GENERIC)
def test_generic_usernames_are_refused(username: str) -> None:
    """SEC-01: role, shared and test accounts are refused, however they are spelled."""
    with pytest.raises(ValidationError) as refused:
        validate_personal_username(username)

    assert refused.value.code == "generic_username"


@pytest.mark.parametrize("username", PERSONAL)
def test_personal_usernames_are_accepted(username: str) -> None:
    """SEC-01 (control): a person's own login passes, even when it contains a role word."""
    validate_personal_username(username)


@pytest.mark.parametrize("username", ["ab", "Tmorgan", "1morgan", "t morgan", "t@morgan", "x" * 41])
def test_badly_formed_usernames_are_refused(username: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_personal_username(username)

    assert refused.value.code == "username_format"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "frontdesk", "nurse1", "testuser"])
def test_staff_create_refuses_generic_usernames(username: str) -> None:
    """SEC-01: the account service refuses a shared account and writes nothing."""
    with pytest.raises(ValidationError):
        staff_create(
            actor=None,
            username=username,
            password=PASSWORD,
            first_name="Shared",
            last_name="Account",
            discipline=Discipline.FRONT_DESK,
        )

    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_staff_create_makes_one_audited_account() -> None:
    """SEC-01, SEC-24: a new account is a privilege change, recorded with high severity."""
    user = staff_create(
        actor=None,
        username=" TMorgan ",
        password=PASSWORD,
        first_name="Tess",
        last_name="Morgan",
        discipline=Discipline.CLINICAL_SOCIAL_WORKER,
    )

    assert user.username == "tmorgan"
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    (event,) = AuditEvent.objects.all()
    assert (event.action, event.severity, event.object_id) == (
        AuditAction.STAFF_CHANGE,
        "high",
        str(user.pk),
    )
    assert event.actor_username == "command-line"


@pytest.mark.django_db
def test_usernames_are_unique_whatever_their_case(clinic: Clinic) -> None:
    """SEC-01: a second account for the same login name, in other capitals, is refused."""
    with pytest.raises(ValidationError):
        staff_create(
            actor=None,
            username=clinic.therapist_on_team.username.upper(),
            password=PASSWORD,
            first_name="Other",
            last_name="Person",
            discipline=Discipline.COUNSELOR,
        )


@pytest.mark.django_db
def test_staff_create_refuses_a_weak_password() -> None:
    """SEC-03: the password validators apply (length, common passwords, similarity)."""
    for weak in ["short", "password1234", "tmorgan12345"]:
        with pytest.raises(ValidationError):
            staff_create(
                actor=None,
                username="tmorgan",
                password=weak,
                first_name="Tess",
                last_name="Morgan",
                discipline=Discipline.CLINICAL_SOCIAL_WORKER,
            )
    assert not User.objects.exists()


# ------------------------------------------------------------------ capabilities


def fresh(user: User) -> User:
    """The user as the next request loads it."""
    return User.objects.get(pk=user.pk)


def test_a_licensed_clinician_holds_licensed_capabilities(clinic: Clinic) -> None:
    held = clinic.therapist_on_team.capabilities()

    assert {C.CHART_READ, C.DIAGNOSE, C.NOTE_SIGN, C.BREAK_GLASS} <= held
    assert C.PRESCRIBE not in held


@pytest.mark.parametrize(
    "lapse",
    [
        {"status": LicenceStatus.SUSPENDED},
        {"status": LicenceStatus.REVOKED},
        {"expires_on": timezone.localdate() - timedelta(days=1)},
    ],
    ids=["suspended", "revoked", "expired"],
)
def test_a_lapsed_licence_removes_licensed_capabilities_at_once(
    clinic: Clinic, lapse: dict[str, object]
) -> None:
    """SEC-07: the very next load of the user has lost DIAGNOSE, NOTE_SIGN, BREAK_GLASS."""
    user = clinic.therapist_on_team

    Licence.objects.filter(staff=user).update(**lapse)
    held = fresh(user).capabilities()

    assert not {C.DIAGNOSE, C.NOTE_SIGN, C.BREAK_GLASS} & held
    assert C.CHART_READ in held  # kept: may still document under supervision


def test_a_licence_expiring_today_still_counts(clinic: Clinic) -> None:
    user = clinic.psychiatrist
    Licence.objects.filter(staff=user).update(expires_on=timezone.localdate())

    assert C.PRESCRIBE in fresh(user).capabilities()
    assert C.PRESCRIBE not in fresh(user).capabilities(timezone.localdate() + timedelta(days=1))


def test_an_inactive_account_holds_nothing(clinic: Clinic) -> None:
    """SEC-07: a deactivated account has no capability, whatever its discipline."""
    user = clinic.psychiatrist
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert fresh(user).capabilities() == frozenset()
    assert not fresh(user).has_capability(C.CHART_READ)


def test_a_superuser_flag_grants_no_clinical_capability(clinic: Clinic) -> None:
    """SEC-15: is_superuser is configuration access, not clinical access."""
    admin = clinic.it_admin

    assert admin.is_superuser
    assert admin.capabilities() == {C.STAFF_ADMIN, C.SYSTEM_CONFIG}


def test_an_unsaved_user_holds_nothing() -> None:
    user = User(username="tmorgan", discipline=Discipline.PSYCHIATRIST)

    assert user.capabilities() == frozenset()


def test_no_one_supervises_themselves(clinic: Clinic) -> None:
    user = clinic.supervisor

    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionLink.objects.create(supervisor=user, supervisee=user)


def test_licence_numbers_are_unique_per_type_and_jurisdiction(clinic: Clinic) -> None:
    existing = Licence.objects.get(staff=clinic.therapist_on_team)

    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.create(
            staff=clinic.therapist_off_team,
            licence_type=existing.licence_type,
            number=existing.number,
            jurisdiction=existing.jurisdiction,
        )


def test_display_name_carries_the_credentials(clinic: Clinic) -> None:
    user = clinic.psychiatrist
    user.credentials = "MD"

    assert user.display_name == f"{user.first_name} {user.last_name}, MD"
