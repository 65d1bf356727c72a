"""Native HTML inputs: date pickers and phone keyboards without JavaScript."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


class PhoneInput(forms.TextInput):
    input_type = "tel"
