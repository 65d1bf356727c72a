"""Signing in and out (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern, path

from alliance.web.auth import views as auth

urlpatterns: list[URLPattern] = [
    path("login/", auth.login_view, name="login"),
    path("login/verify/", auth.mfa_view, name="mfa"),
    path("logout/", auth.logout_view, name="logout"),
]
