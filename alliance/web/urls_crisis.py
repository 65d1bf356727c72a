"""Pages of the crisis app (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
