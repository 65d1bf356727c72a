"""Write-matrix rows of two-factor enrolment (SEC-02; issue 14 class 6).

Only a staff administrator (IT) issues an enrolment link, here for the account without an
authenticator that ``matrix_mfa`` makes. The link's page is public: its POST takes that
account's password and, from any browser, signs the person in to the second-factor page
(stamping their last sign-in); it enrols nothing by itself.
"""

from __future__ import annotations

from alliance.staff.models import User
from tests.personas import PASSWORD
from tests.web.write_matrix_base import PERSONAS, STORED, Target, Write, only, row


def newcomer(target: Target) -> dict[str, object]:
    return {"staff_id": User.objects.get(username="nadia.newcomer").pk}


def password(target: Target) -> dict[str, object]:
    return {"password": PASSWORD}


WRITES: dict[str, Write] = {
    "web:mfa_link_issue": Write(newcomer, only("it_admin"), None),
    "web:mfa_enrol_link": Write(password, row(**dict.fromkeys(PERSONAS, STORED)), None),
}

READS: frozenset[str] = frozenset()
