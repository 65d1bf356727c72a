"""The configuration site (Django admin at ``/config/``), opened by capabilities, not flags.

Django's stock site lets in any account with ``is_staff``; that flag says nothing about what a
person's role allows, and it left the privacy officer (who holds ``AUDIT_REVIEW`` but is not
``is_staff``) unable to reach the read-only audit trail. Here the site is open to active staff
holding one of ``ADMIN_CAPABILITIES``; each model's own permissions apply after that, so the
privacy officer sees the audit trail and nothing else, and IT sees configuration but not the
audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from alliance.staff.capabilities import Capability

ADMIN_CAPABILITIES = (Capability.STAFF_ADMIN, Capability.SYSTEM_CONFIG, Capability.AUDIT_REVIEW)


def holds_admin_capability(user: object) -> bool:
    has_capability = getattr(user, "has_capability", None)
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_authenticated", False)
        and has_capability is not None
        and any(has_capability(c) for c in ADMIN_CAPABILITIES)
    )


class AllianceAdminSite(AdminSite):
    site_header = "Alliance configuration"
    site_title = "Alliance configuration"
    index_title = "Configuration (no clinical records here)"

    def has_permission(self, request: HttpRequest) -> bool:
        return holds_admin_capability(request.user)

    def logout(  # type: ignore[override]  # a redirect, not the stock "logged out" page
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        """Sign out as everywhere else: audited, session flushed, browser told to clear."""
        from alliance.web.auth.views import logout_view

        return logout_view(request)

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> TemplateResponse:
        """Changing one's own password here is a credential change, audited with it."""
        from alliance.staff.services import staff_change_record

        with transaction.atomic():
            response = super().password_change(request, extra_context)
            if request.method == "POST" and response.status_code == 302:
                staff_change_record(
                    actor=request.user,  # type: ignore[arg-type]
                    target=request.user,
                    change="own password changed",
                    fields=["password"],
                )
        return response


class AllianceAdminConfig(AdminConfig):
    default_site = "alliance.config.admin_site.AllianceAdminSite"
