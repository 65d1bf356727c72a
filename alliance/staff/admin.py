"""Staff configuration in the admin. Every save is a privilege change and is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from alliance.audit.actions import AuditAction, AuditPurpose, AuditSeverity
from alliance.audit.services import audit_record
from alliance.staff.models import Licence, SupervisionLink, TotpDevice, User
from alliance.staff.services import staff_change_record


class AuditedAdmin(admin.ModelAdmin):
    """Writes go through the audit trail and nothing is hard-deleted from here."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            staff_change_record(
                actor=request.user,  # type: ignore[arg-type]
                target=obj,
                change="changed" if change else "created",
                fields=list(form.changed_data),
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 0
    fk_name = "staff"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class StaffAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "discipline", "is_active"]
    list_filter = ["discipline", "is_active"]
    inlines = [LicenceInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "phone", "credentials")}),
        ("Role", {"fields": ("discipline", "on_call", "is_active", "is_staff")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "discipline",
                    "password1",
                    "password2",
                )
            },
        ),
    )
    readonly_fields = ["last_login"]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Setting someone's password is a credential change: audited with the change."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            saved = (
                request.method == "POST"
                and response.status_code == 302
                and response["Location"] != request.get_full_path()
            )
            if saved:
                staff_change_record(
                    actor=request.user,  # type: ignore[arg-type]
                    target=self.get_object(request, id),
                    change="password set",
                    fields=["password"],
                )
        return response

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects + [o for o, _ in formset.changed_objects]:
                staff_change_record(actor=request.user, target=obj, change="licence saved")  # type: ignore[arg-type]


@admin.register(SupervisionLink)
class SupervisionAdmin(AuditedAdmin):
    list_display = ["supervisor", "supervisee", "start_on", "end_on"]


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Resetting a lost authenticator deletes the device; the person enrols again, with the
    password and (when two-factor sign-in is required) a new enrolment link from the staff
    administrator's Two-factor enrolment page."""

    list_display = ["user", "name", "confirmed", "confirmed_at"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=AuditAction.MFA_RESET,
                target=obj,
                purpose=AuditPurpose.SYSTEM,
                severity=AuditSeverity.HIGH,
                detail={"staff_id": obj.user_id},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
