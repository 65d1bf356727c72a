"""The clinic and its programs (adult outpatient, youth, substance use, ...)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.core.models import UndeletableModel


class Organisation(UndeletableModel):
    """The clinic that runs this Alliance server."""

    name = models.CharField(max_length=200)
    after_hours_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "organization"

    def __str__(self) -> str:
        return self.name


class Program(UndeletableModel):
    """A program of care. A 42 CFR Part 2 program's records carry extra protection."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programs", verbose_name="organization"
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


class ProgramMembership(UndeletableModel):
    """A staff member's place in a program's personnel, from ``start_on`` until ``end_on``.

    It matters for 42 CFR Part 2 programs: only the program's own personnel (and a medical
    emergency under 2.51) see what the program recorded, or learn that a client is in it
    (``access.part2``). Within a Part 2 program its personnel may share what they need
    (42 CFR 2.12(c)(3)); anyone else needs the client's consent.
    """

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="memberships")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="program_memberships"
    )
    start_on = models.DateField(default=timezone.localdate)
    end_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["program_id", "start_on", "id"]
        indexes = [models.Index(fields=["staff", "end_on"], name="progmember_staff_idx")]

    def __str__(self) -> str:
        return f"{self.staff} in {self.program}"
