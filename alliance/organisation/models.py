"""The clinic and its programs (adult outpatient, youth, substance use, ...)."""

from __future__ import annotations

from django.db import models

from alliance.core.models import UndeletableModel


class Organisation(UndeletableModel):
    """The clinic that runs this Alliance server."""

    name = models.CharField(max_length=200)
    after_hours_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(UndeletableModel):
    """A program of care. A 42 CFR Part 2 program's records carry extra protection."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True)
    is_part2 = models.BooleanField(
        "42 CFR Part 2 program",
        default=False,
        help_text="Substance use disorder program whose records fall under 42 CFR Part 2.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
