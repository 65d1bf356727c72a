"""Pages of the safety app (included in ``alliance.web.urls``, namespace ``web``).

``assessment_id`` names any risk assessment, ``risk_draft_id`` one the page expects to be a
draft (edit, sign); ``version_id`` any version of the client's safety plan, ``plan_draft_id`` the
draft version (sign).
``p/<plan_token>/`` is the client's read-only plan link: public, reached only through its token.
"""

from django.urls import URLPattern, path

from alliance.web.safety import risk as safety
from alliance.web.safety import safety_plans

CLIENT = "clients/<int:client_id>/"
RISK = CLIENT + "risk/<int:assessment_id>/"
RISK_DRAFT = CLIENT + "risk/<int:risk_draft_id>/"
PLAN = CLIENT + "safety-plan/"
VERSION = PLAN + "versions/<int:version_id>/"
PLAN_DRAFT = PLAN + "versions/<int:plan_draft_id>/"

urlpatterns: list[URLPattern] = [
    path(CLIENT + "risk/new/", safety.create, name="risk_create"),
    path(RISK, safety.view, name="risk_view"),
    path(RISK_DRAFT + "edit/", safety.edit, name="risk_edit"),
    path(RISK_DRAFT + "sign/", safety.sign, name="risk_sign"),
    path(RISK + "addenda/new/", safety.addendum, name="risk_addendum"),
    path(RISK + "entered-in-error/", safety.entered_in_error, name="risk_entered_in_error"),
    path(CLIENT + "risk-flags/", safety.flags, name="risk_flags"),
    path(CLIENT + "risk-flags/new/", safety.flag_add, name="risk_flag_add"),
    path(CLIENT + "risk-flags/<int:flag_id>/review/", safety.flag_review, name="risk_flag_review"),
    path(PLAN, safety_plans.plan, name="safety_plan"),
    path(PLAN + "edit/", safety_plans.edit, name="safety_plan_edit"),
    path(VERSION, safety_plans.version, name="safety_plan_version"),
    path(PLAN_DRAFT + "sign/", safety_plans.sign, name="safety_plan_sign"),
    path(VERSION + "pdf/", safety_plans.pdf, name="safety_plan_pdf"),
    path(PLAN + "links/", safety_plans.link_create, name="safety_plan_link_create"),
    path(
        PLAN + "links/<int:link_id>/revoke/",
        safety_plans.link_revoke,
        name="safety_plan_link_revoke",
    ),
    path("p/<str:plan_token>/", safety_plans.public_plan, name="safety_plan_public"),
]
