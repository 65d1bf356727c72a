"""Pages of sessions and progress notes (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
