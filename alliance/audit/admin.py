"""The audit trail in the admin: read-only for everyone (SEC-25), visible to auditors only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alliance.audit.models import AuditEvent
from alliance.staff.capabilities import Capability


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "occurred_at", "actor_username", "action", "client_id", "outcome"]
    list_filter = ["action", "outcome", "severity"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

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
