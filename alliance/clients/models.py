"""The client registry: identity, contacts and collaterals, episodes of care.

Registry rows are never deleted (REL-02). Changes go through ``clients.services`` so that
each one is validated, checked against the access policy and audited.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.clients.choices import (
    ContactRelationship,
    DischargeReason,
    GenderIdentity,
    SexAtBirth,
)
from alliance.clients.validation import name_sort_for, phone_digits, search_text_for
from alliance.core.fields import BytewiseCharField
from alliance.core.models import UndeletableModel
from alliance.organisation.models import Program


class Client(UndeletableModel):
    """A person who receives care. ``version`` guards against lost concurrent edits."""

    mrn = models.CharField("MRN", max_length=12, unique=True, editable=False)
    legal_first_name = models.CharField("legal first name", max_length=100)
    legal_middle_name = models.CharField("legal middle name", max_length=100, blank=True)
    legal_last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField("preferred name", max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField("date of birth")
    sex_at_birth = models.CharField(
        "sex assigned at birth", max_length=20, choices=SexAtBirth.choices, blank=True
    )
    gender_identity = models.CharField(max_length=30, choices=GenderIdentity.choices, blank=True)
    gender_identity_other = models.CharField(
        "gender identity (own words)", max_length=100, blank=True
    )
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField("needs an interpreter", default=False)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state", max_length=60, blank=True)
    postal_code = models.CharField("ZIP code", max_length=20, blank=True)
    staff_account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="client_record",
        help_text="Set when the client is also a member of staff: they never see their own chart.",
    )
    last_contact_on = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Folded (lower-case, accent-free) names and digits-only phone, kept by the services so one
    # indexed column answers search the same way on SQLite and PostgreSQL.
    search_text = models.CharField(max_length=420, editable=False, db_index=True)
    phone_digits = models.CharField(max_length=20, editable=False, blank=True, db_index=True)
    # Folded last name, a separator below every character, folded first name: lists of clients
    # sort on it, in the same order on both databases, accents ignored, without computing
    # lower() for every matching row (bench/README.md).
    name_sort = BytewiseCharField(max_length=300, editable=False, default="")

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "id"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="client_dob_idx"),
            # search_text rides along so SQLite can test a search on the index entry alone.
            models.Index(
                fields=["legal_last_name", "legal_first_name", "search_text"],
                name="client_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    # Columns computed from the names and the phone number (``fill_derived``).
    DERIVED_FIELDS = ("search_text", "name_sort", "phone_digits")

    def fill_derived(self) -> None:
        """Compute ``DERIVED_FIELDS`` from the names and phone now set (before saving)."""
        self.search_text = search_text_for(
            self.legal_first_name, self.legal_middle_name, self.legal_last_name, self.preferred_name
        )
        self.name_sort = name_sort_for(self.legal_last_name, self.legal_first_name)
        self.phone_digits = phone_digits(self.phone)

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        parts = [self.legal_first_name, self.legal_middle_name, self.legal_last_name]
        return " ".join(p for p in parts if p)

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class Contact(UndeletableModel):
    """A guardian, emergency contact, family member or other collateral of a client.

    ``version`` guards against lost concurrent edits, as on ``Client`` (REL-04).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=ContactRelationship.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    may_contact = models.BooleanField(
        "client allows us to contact this person",
        default=False,
        help_text="Only contact this person with the client's permission (or as the law allows).",
    )
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["client_id", "relationship", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class Episode(UndeletableModel):
    """An episode of care: enrolment in one program from referral to discharge.

    ``version`` guards against lost concurrent edits, as on ``Client`` (REL-04).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="episodes")
    referral_date = models.DateField()
    admission_date = models.DateField(null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    discharge_note = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["client_id", "-referral_date"]
        indexes = [models.Index(fields=["client", "discharge_date"], name="episode_open_idx")]

    def __str__(self) -> str:
        return f"{self.program} from {self.referral_date}"

    @property
    def status(self) -> str:
        if self.discharge_date:
            return "discharged"
        return "admitted" if self.admission_date else "referred"

    @property
    def is_open(self) -> bool:
        return self.discharge_date is None
