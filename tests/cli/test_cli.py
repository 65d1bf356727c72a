"""The ``alliance`` command: creating staff accounts and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from alliance import cli
from alliance.audit.actions import AuditAction
from alliance.audit.checkpoints import checkpoints_read
from alliance.audit.models import AuditEvent
from alliance.audit.services import audit_record
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(AUDIT_CHECKPOINT_DIR=tmp_path / "checkpoints"):
        yield tmp_path / "checkpoints"


@pytest.fixture
def new_password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ALLIANCE_NEW_STAFF_PASSWORD", PASSWORD)
    return PASSWORD


def createstaff(username: str, discipline: str = "lcsw") -> int:
    return cli.main(
        [
            "createstaff",
            username,
            "--first-name",
            "Tess",
            "--last-name",
            "Morgan",
            "--discipline",
            discipline,
        ]
    )


def test_createstaff_creates_an_account(
    new_password: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SEC-01: one named person's account, with the password from the environment."""
    code = createstaff("tmorgan")

    assert code == 0
    user = User.objects.get(username="tmorgan")
    assert user.check_password(new_password)
    assert (user.first_name, user.last_name, user.discipline) == ("Tess", "Morgan", "lcsw")
    assert not user.is_staff
    assert "created tmorgan (Licensed clinical social worker)" in capsys.readouterr().out
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == (AuditAction.STAFF_CHANGE, str(user.pk))


def test_createstaff_gives_it_staff_the_configuration_site(new_password: str) -> None:
    assert createstaff("inovak", discipline="it_administrator") == 0

    assert User.objects.get(username="inovak").is_staff


@pytest.mark.parametrize("username", ["admin", "frontdesk", "nurse1", "testuser"])
def test_createstaff_refuses_a_generic_username(
    username: str, new_password: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SEC-01: a shared or role account is refused with exit status 2 and a reason."""
    code = createstaff(username)

    assert code == 2
    assert "Shared or role accounts are not allowed" in capsys.readouterr().err
    assert not User.objects.exists()


def test_createstaff_refuses_an_unknown_discipline(
    new_password: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert createstaff("tmorgan", discipline="astrologer") == 2
    assert "Unknown discipline" in capsys.readouterr().err
    assert not User.objects.exists()


def test_createstaff_refuses_a_weak_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCE_NEW_STAFF_PASSWORD", "short")

    assert createstaff("tmorgan") == 2
    assert "error:" in capsys.readouterr().err
    assert not User.objects.exists()


def test_createstaff_asks_for_the_password_without_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ALLIANCE_NEW_STAFF_PASSWORD", raising=False)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: PASSWORD)

    assert createstaff("tmorgan") == 0
    assert User.objects.get(username="tmorgan").check_password(PASSWORD)


def test_audit_verify_passes_on_a_clean_chain(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    """SEC-26: a chain written by the application verifies with exit status 0."""
    for action in (AuditAction.LOGIN, AuditAction.SEARCH, AuditAction.LOGOUT):
        audit_record(actor=clinic.therapist_on_team, action=action)

    code = cli.main(["audit", "verify"])

    assert code == 0
    assert "audit chain intact: 3 events verified" in capsys.readouterr().out


def test_audit_verify_passes_on_an_empty_trail(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["audit", "verify"]) == 0
    assert "0 events verified" in capsys.readouterr().out


def test_audit_checkpoint_anchors_the_head(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    """SEC-26: ``alliance audit checkpoint`` writes an authentic anchor of the chain head."""
    assert cli.main(["audit", "checkpoint"]) == 0
    assert "no audit events yet" in capsys.readouterr().out
    head = audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN)

    code = cli.main(["audit", "checkpoint"])

    assert code == 0
    assert f"checkpoint written at event #{head.seq}" in capsys.readouterr().out
    (point,) = checkpoints_read()
    assert (point.seq, point.hash) == (head.seq, head.hash)
    assert point.is_authentic(settings.AUDIT_KEY)
    assert cli.main(["audit", "verify"]) == 0
