"""The audit trail in the admin: read-only for everyone (SEC-25), visible to auditors only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.models import AuditEvent
from alliance.audit.services import audit_record
from alliance.staff.capabilities import Capability


def _record_opened(request: HttpRequest, detail: dict[str, Any]) -> None:
    """Reading the audit trail is itself audited, here as in the audit report (SEC-27).

    Written before the page is rendered, so a failed write serves no page (REL-06).
    """
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditAction.AUDIT_REPORT_VIEW,
            purpose=AuditPurpose.OVERSIGHT,
            detail=detail,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "occurred_at", "actor_username", "action", "client_id", "outcome"]
    list_filter = ["action", "outcome", "severity"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            _record_opened(request, {"via": "admin", "view": "list"})
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            _record_opened(request, {"via": "admin", "view": "event", "seq": object_id[:20]})
        return response

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_authenticated and request.user.has_capability(
            Capability.AUDIT_REVIEW
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
