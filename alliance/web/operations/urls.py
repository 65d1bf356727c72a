"""Monitoring pages (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern, path

from alliance.web.operations import views as operations

urlpatterns: list[URLPattern] = [
    path("healthz", operations.healthz, name="healthz"),
]
