"""The client registry: search, registration, the chart, contacts and episodes.

Included in ``alliance.web.urls``, namespace ``web``.
"""

from django.urls import URLPattern, path

from alliance.web.clients import views as clients

urlpatterns: list[URLPattern] = [
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
]
