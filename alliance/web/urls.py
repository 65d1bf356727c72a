"""Every page of the web interface. Each view declares its access (see ``web.access``)."""

from django.urls import path

from alliance.web import (
    urls_crisis,
    urls_diagnoses,
    urls_disclosures,
    urls_notes,
    urls_plans,
    urls_safety,
)
from alliance.web.views import (
    auth,
    break_glass,
    care_team,
    clients,
    home,
    measures,
    privacy,
    restrictions,
    staff,
)

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/verify/", auth.mfa_view, name="mfa"),
    path("logout/", auth.logout_view, name="logout"),
    path("clients/search/", clients.search, name="client_search"),
    path("clients/new/", clients.create, name="client_create"),
    path("clients/<int:client_id>/", clients.chart, name="client_chart"),
    path("clients/<int:client_id>/edit/", clients.edit, name="client_edit"),
    path("clients/<int:client_id>/contacts/new/", clients.contact, name="contact_create"),
    path(
        "clients/<int:client_id>/contacts/<int:contact_id>/",
        clients.contact,
        name="contact_edit",
    ),
    path("clients/<int:client_id>/episodes/new/", clients.episode, name="episode_create"),
    path(
        "clients/<int:client_id>/episodes/<int:episode_id>/",
        clients.episode,
        name="episode_edit",
    ),
    path("clients/<int:client_id>/care-team/", care_team.care_team, name="care_team"),
    path(
        "clients/<int:client_id>/care-team/<int:member_id>/end/",
        care_team.care_team_member_end,
        name="care_team_end",
    ),
    path("clients/<int:client_id>/measures/", measures.choose, name="measure_choose"),
    path("clients/<int:client_id>/measures/send/", measures.send, name="measure_send"),
    path("clients/<int:client_id>/measures/give/<slug:code>/", measures.give, name="measure_give"),
    path(
        "clients/<int:client_id>/measures/schedules/",
        measures.schedule_add,
        name="measure_schedule_add",
    ),
    path(
        "clients/<int:client_id>/measures/schedules/<int:schedule_id>/end/",
        measures.schedule_stop,
        name="measure_schedule_end",
    ),
    path("caseload/not-improving/", measures.not_improving, name="not_improving"),
    path("alerts/<int:alert_id>/acknowledge/", measures.acknowledge, name="alert_acknowledge"),
    path("q/<str:token>/", measures.questionnaire, name="questionnaire"),
    path("break-glass/", break_glass.break_glass, name="break_glass"),
    path("privacy/break-glass/", privacy.queue, name="break_glass_queue"),
    path("privacy/break-glass/<int:grant_id>/review/", privacy.review, name="break_glass_review"),
    path("privacy/audit/", privacy.audit_report_view, name="audit_report"),
    path("privacy/audit/find-client/", privacy.find_client, name="audit_find_client"),
    path(
        "privacy/audit/clients/<int:client_id>/",
        privacy.client_access_report,
        name="client_access_report",
    ),
    path(
        "privacy/clients/<int:client_id>/restrictions/",
        restrictions.restrictions,
        name="client_restrictions",
    ),
    path(
        "privacy/clients/<int:client_id>/restrictions/<int:restriction_id>/lift/",
        restrictions.lift,
        name="restriction_lift",
    ),
    path("staff/scope-of-practice/", staff.scope_of_practice, name="scope_of_practice"),
]

# Clinical-record apps keep their own URL lists (same namespace), so that each can grow
# without every change touching this file.
for _domain in (
    urls_diagnoses,
    urls_notes,
    urls_plans,
    urls_safety,
    urls_crisis,
    urls_disclosures,
):
    urlpatterns += _domain.urlpatterns
