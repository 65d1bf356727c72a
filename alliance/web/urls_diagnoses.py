"""Pages of diagnoses and problem list (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
