"""Pages of the plans app (included in ``alliance.web.urls``, namespace ``web``).

``node_kind`` is one level of the tree: problem, goal, objective or intervention.
"""

from django.urls import URLPattern, path

from alliance.web.plans import drafts as plan_drafts
from alliance.web.plans import views as plans

PLANS = "clients/<int:client_id>/plans/"
PLAN = PLANS + "<int:treatment_plan_id>/"
NODE = PLAN + "<slug:node_kind>/<int:plan_node_id>/"

urlpatterns: list[URLPattern] = [
    path(PLANS, plans.plan_list, name="plan_list"),
    path(PLANS + "new/", plans.plan_new, name="plan_create"),
    path(PLAN, plans.plan_view, name="plan_view"),
    path(PLAN + "strengths/", plan_drafts.plan_strengths, name="plan_strengths"),
    path(PLAN + "<slug:node_kind>/new/", plan_drafts.node, name="plan_node_add"),
    path(NODE, plan_drafts.node, name="plan_node_edit"),
    path(NODE + "remove/", plan_drafts.node_delete, name="plan_node_remove"),
    path(PLAN + "activate/", plans.activate, name="plan_activate"),
    path(PLAN + "revise/", plans.revise, name="plan_revise"),
    path(PLAN + "close/", plans.close, name="plan_close"),
    path(PLAN + "print/", plans.print_pdf, name="plan_print"),
]
