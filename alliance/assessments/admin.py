"""Importing FHIR Questionnaires from the configuration site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from alliance.assessments.imports import questionnaire_import, questionnaire_parse
from alliance.assessments.models import ImportedQuestionnaire
from alliance.staff.capabilities import Capability


class ImportForm(forms.ModelForm):
    file = forms.FileField(
        label="FHIR Questionnaire (JSON)",
        help_text="E.g. your licensed EPDS form, or a questionnaire of your own.",
    )

    class Meta:
        model = ImportedQuestionnaire
        fields: list[str] = []

    def clean_file(self) -> dict[str, object]:
        return questionnaire_parse(self.cleaned_data["file"].read())


@admin.register(ImportedQuestionnaire)
class ImportedQuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "instrument", "has_calculated_expression", "active", "created_at"]
    list_filter = ["instrument", "active"]
    readonly_fields = [
        "title",
        "url",
        "instrument",
        "item_texts",
        "has_calculated_expression",
        "imported_by",
        "created_at",
    ]
    fields = [*readonly_fields, "active"]

    def _may(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.has_capability(Capability.SYSTEM_CONFIG))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            return ImportForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["file"] if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        imported = questionnaire_import(
            actor=request.user,  # type: ignore[arg-type]
            data=form.cleaned_data["file"],
        )
        obj.pk = imported.pk
        obj.__dict__.update(imported.__dict__)
