"""Staff: scope of practice (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern, path

from alliance.web.staff import views as staff

urlpatterns: list[URLPattern] = [
    path("staff/scope-of-practice/", staff.scope_of_practice, name="scope_of_practice"),
]
