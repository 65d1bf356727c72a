"""Pages of the crisis app (included in ``alliance.web.urls``, namespace ``web``).

The alert an episode starts from is named in the path, never in a query string.
"""

from django.urls import URLPattern, path

from alliance.web.crisis import views as crisis

CLIENT = "clients/<int:client_id>/"
EPISODE = CLIENT + "crisis/<int:crisis_id>/"

urlpatterns: list[URLPattern] = [
    path(CLIENT + "crisis/new/", crisis.start, name="crisis_start"),
    path("alerts/<int:alert_id>/crisis/new/", crisis.start_from_alert, name="crisis_from_alert"),
    path(EPISODE, crisis.episode, name="crisis_episode"),
    path(EPISODE + "actions/new/", crisis.action, name="crisis_action"),
    path(EPISODE + "close/", crisis.close, name="crisis_close"),
    path(EPISODE + "discharge/", crisis.discharge, name="crisis_discharge"),
    path(CLIENT + "follow-ups/<int:follow_up_id>/", crisis.follow_up, name="follow_up"),
    path("follow-ups/overdue/", crisis.overdue, name="follow_ups_overdue"),
]
