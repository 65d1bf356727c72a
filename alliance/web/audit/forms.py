"""Filters of the audit report. Sorting is checked against an allow-list in the selector."""

from __future__ import annotations

from django import forms

from alliance.audit.actions import AuditAction
from alliance.staff.models import User
from alliance.web.dates import BoundedDateField


class AuditFilterForm(forms.Form):
    staff = forms.ModelChoiceField(
        queryset=User.objects.order_by("last_name", "first_name"), required=False
    )
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    date_from = BoundedDateField(required=False, label="From")
    date_to = BoundedDateField(required=False, label="To")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class FindClientForm(forms.Form):
    mrn = forms.CharField(label="Client MRN", max_length=12)
