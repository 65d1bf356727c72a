"""Home (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern, path

from alliance.web.home import views as home

urlpatterns: list[URLPattern] = [
    path("", home.home, name="home"),
]
