"""Measures: choosing, sending and giving questionnaires, schedules, alerts.

Included in ``alliance.web.urls``, namespace ``web``.
"""

from django.urls import URLPattern, path

from alliance.web.assessments import views as measures

urlpatterns: list[URLPattern] = [
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
]
