"""Small helpers shared by views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

from alliance.staff.models import User


def actor_of(request: HttpRequest) -> User:
    """The signed-in staff member (the capability gate has already checked there is one)."""
    user = request.user
    assert isinstance(user, User)
    return user


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's validation errors next to the fields they concern."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def typed_at_version(request: HttpRequest, version: int, field: str = "version") -> QueryDict:
    """What was typed, at the version now saved: saving again is then a deliberate choice made
    after reading the other person's change (REL-04). ``field``: the form's lock field."""
    data = request.POST.copy()
    data[field] = str(version)
    return data
