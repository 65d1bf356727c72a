"""The privacy officer's pages: audit reports and break-the-glass review.

Included in ``alliance.web.urls``, namespace ``web``.
"""

from django.urls import URLPattern, path

from alliance.web.audit import views as privacy

urlpatterns: list[URLPattern] = [
    path("privacy/break-glass/", privacy.queue, name="break_glass_queue"),
    path("privacy/break-glass/<int:grant_id>/review/", privacy.review, name="break_glass_review"),
    path("privacy/audit/", privacy.audit_report_view, name="audit_report"),
    path("privacy/audit/find-client/", privacy.find_client, name="audit_find_client"),
    path(
        "privacy/audit/clients/<int:client_id>/",
        privacy.client_access_report,
        name="client_access_report",
    ),
]
