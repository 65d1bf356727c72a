"""Top-level URLs: the clinical web interface, and the Django admin for configuration only."""

from django.contrib import admin
from django.urls import include, path

from alliance.web.errors import handler_404, handler_500

urlpatterns = [
    path("config/", admin.site.urls),
    path("", include("alliance.web.urls")),
]

handler404 = handler_404
handler500 = handler_500
