"""Signing in and out (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern, path

from alliance.web.auth import views as auth

urlpatterns: list[URLPattern] = [
    path("login/", auth.login_view, name="login"),
    path("login/verify/", auth.mfa_view, name="mfa"),
    # A staff administrator's single-use link for a first authenticator: public, reached only
    # through its token (in the path, never a query string: SEC-33), and asks for the password.
    path("login/enrol/<str:enrolment_token>/", auth.enrolment_link_view, name="mfa_enrol_link"),
    path("logout/", auth.logout_view, name="logout"),
]
