"""Staff administration forms."""

from __future__ import annotations

from django import forms


class EnrolmentLinkForm(forms.Form):
    """Which account a two-factor enrolment link is for (posted from the list's button)."""

    staff_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
