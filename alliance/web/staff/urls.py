"""Staff: scope of practice, two-factor enrolment links (included in ``alliance.web.urls``,
namespace ``web``)."""

from django.urls import URLPattern, path

from alliance.web.staff import views as staff

urlpatterns: list[URLPattern] = [
    path("staff/scope-of-practice/", staff.scope_of_practice, name="scope_of_practice"),
    path("staff/two-factor/", staff.mfa_enrolment, name="mfa_enrolment"),
    path("staff/two-factor/link/", staff.mfa_link_issue, name="mfa_link_issue"),
]
