"""Access-matrix rows and census objects of the safety pages (merged by the matrix test).

``assessment_id`` is a signed risk assessment of client_a by therapist_on_team and
``risk_draft_id`` a draft of hers (drafts are the author's: 404 to colleagues). ``version_id``
is the signed version 1 of client_a's safety plan and ``plan_draft_id`` the draft version 2;
``flag_id`` the suicide flag the signed assessment set; ``link_id`` a link to the plan.
Signing a risk assessment or reviewing a flag needs RISK_ASSESS (peer specialists: 403);
registry staff never reach these clinical pages. The client's link is public by design: each
persona's census opens a fresh link first, which binds it to that browser.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.safety.links import plan_link_create
from alliance.safety.models import ClientAgreement, RiskFlag
from alliance.safety.plans import safety_plan_save, safety_plan_sign
from alliance.safety.risk import Formulation, risk_assessment_create, risk_assessment_sign
from tests.personas import PASSWORD, Clinic
from tests.web.matrix_notes import clinical

AUTHOR_ONLY = {"psychiatrist": 404, "supervisor": 404}
PUBLIC = {name: 200 for name in clinical(on=0, off=0, peer=0, registry=0)}

EXPECTED: dict[str, dict[str, object]] = {
    "web:risk_create": clinical(on=200, off=404, peer=200, registry=403),
    "web:risk_view": clinical(on=200, off=404, peer=200, registry=403),
    "web:risk_edit": {**clinical(on=200, off=404, peer=404, registry=403), **AUTHOR_ONLY},
    "web:risk_sign": {**clinical(on=200, off=404, peer=403, registry=403), **AUTHOR_ONLY},
    "web:risk_addendum": clinical(on=200, off=404, peer=200, registry=403),
    "web:risk_entered_in_error": {
        **clinical(on=200, off=404, peer=404, registry=403),
        **AUTHOR_ONLY,
    },
    "web:risk_flags": clinical(on=200, off=404, peer=200, registry=403),
    "web:risk_flag_add": clinical(on=405, off=405, peer=403, registry=403),
    "web:risk_flag_review": clinical(on=200, off=404, peer=403, registry=403),
    "web:safety_plan": clinical(on=200, off=404, peer=200, registry=403),
    "web:safety_plan_edit": clinical(on=200, off=404, peer=200, registry=403),
    "web:safety_plan_version": clinical(on=200, off=404, peer=200, registry=403),
    "web:safety_plan_sign": clinical(on=200, off=404, peer=200, registry=403),
    "web:safety_plan_pdf": clinical(on=200, off=404, peer=200, registry=403),
    "web:safety_plan_link_create": clinical(on=405, off=405, peer=405, registry=403),
    "web:safety_plan_link_revoke": clinical(on=405, off=405, peer=405, registry=403),
    "web:safety_plan_public": PUBLIC,
}

PLAN = {
    "warning_signs": "Not sleeping\nPulling away from friends",
    "coping": "Walk the dog\nMusic",
    "help_people": "Sam (sister) 555-0100",
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids for this app's URL parameters (objects of client_a)."""
    author, client = clinic.therapist_on_team, clinic.client_a
    values = {
        "risk_factors": "Recent loss.",
        "protective_factors": "Sister, dog.",
        "lethal_means": "No firearms.",
        "suicide_rationale": "Ideation without plan.",
        "plan": "Safety plan today.",
    }
    formulation = Formulation(
        suicide_risk="moderate", review_on=timezone.localdate() + timedelta(days=14)
    )
    signed = risk_assessment_create(
        actor=author, client=client, values=values, formulation=formulation
    )
    signed = risk_assessment_sign(
        actor=author, assessment=signed, version=signed.version, password=PASSWORD
    )
    draft = risk_assessment_create(
        actor=author, client=client, values=values, formulation=formulation
    )
    first = safety_plan_save(actor=author, client=client, values=PLAN, draft=None, revision=0)
    first = safety_plan_sign(
        actor=author,
        version=first,
        revision=first.revision,
        password=PASSWORD,
        agreement=ClientAgreement.AGREED,
    )
    second = safety_plan_save(actor=author, client=client, values=PLAN, draft=None, revision=0)
    link, token = plan_link_create(actor=author, client=client)
    return {
        "assessment_id": signed.pk,
        "risk_draft_id": draft.pk,
        "flag_id": RiskFlag.objects.get(client=client, kind="suicide").pk,
        "version_id": first.pk,
        "plan_draft_id": second.pk,
        "link_id": link.pk,
        "plan_token": token,
    }
