"""Access-matrix rows and census objects of the two-factor enrolment pages (SEC-02).

Staff administrators (IT) list who has an authenticator and issue enrolment links (a POST);
everyone else gets 403. ``enrolment_token`` is an open link for a new account without an
authenticator: the link's page is public by design, and a GET only shows the password form.
"""

from __future__ import annotations

from alliance.staff.disciplines import Discipline
from alliance.staff.enrolment import mfa_invite_issue
from tests.personas import Clinic, make_user
from tests.web.matrix_notes import clinical

STAFF_ADMIN_ONLY = clinical(on=403, off=403, peer=403, registry=403)
PUBLIC: dict[str, object] = {name: 200 for name in STAFF_ADMIN_ONLY}

EXPECTED: dict[str, dict[str, object]] = {
    "web:mfa_enrolment": {**STAFF_ADMIN_ONLY, "it_admin": 200},
    "web:mfa_link_issue": {**STAFF_ADMIN_ONLY, "it_admin": 405},
    "web:mfa_enrol_link": PUBLIC,
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    newcomer = make_user("nadia_newcomer", Discipline.FRONT_DESK, None)
    _invite, token = mfa_invite_issue(actor=clinic.it_admin, staff=newcomer)
    return {"enrolment_token": token}
