from django.contrib import admin

from alliance.organisation.models import Organisation, Program


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "after_hours_phone"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_part2", "active"]
    list_filter = ["is_part2", "active"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
