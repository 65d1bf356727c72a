"""Staff accounts: one account per person (SEC-01), with discipline, licences and supervision."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from alliance.core.models import TimestampedModel, UndeletableModel
from alliance.staff.capabilities import Capability
from alliance.staff.disciplines import Discipline, LicenceStatus, LicenceType
from alliance.staff.scope import LicenceFacts, capabilities_from_scope

# Accounts that name a role rather than a person are shared accounts in disguise (SEC-01).
GENERIC_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "superuser",
        "sysadmin",
        "system",
        "test",
        "tester",
        "user",
        "staff",
        "shared",
        "guest",
        "demo",
        "clinic",
        "office",
        "frontdesk",
        "front_desk",
        "reception",
        "nurse",
        "doctor",
        "therapist",
        "clinician",
        "info",
        "support",
        "intake",
        "billing",
        "manager",
        "supervisor",
        "default",
        "temp",
    }
)
# Words that name a role, a place or a purpose rather than a person: a username made only of
# these ("it.admin", "test.user", "nurse.station2") is a shared account too.
ROLE_WORDS = frozenset(
    {
        "account",
        "all",
        "assistant",
        "backup",
        "call",
        "counselor",
        "counsellor",
        "coverage",
        "desk",
        "dept",
        "everyone",
        "front",
        "group",
        "helpdesk",
        "it",
        "lab",
        "locum",
        "medical",
        "night",
        "noreply",
        "nurses",
        "officer",
        "on",
        "oncall",
        "ops",
        "privacy",
        "psych",
        "qa",
        "receptionist",
        "records",
        "room",
        "scheduler",
        "scheduling",
        "secretary",
        "security",
        "service",
        "shift",
        "social",
        "station",
        "team",
        "training",
        "unit",
        "users",
        "ward",
        "worker",
    }
)
# A word starting like these is never a person's name part: "testing", "tester2", "admins".
GENERIC_PREFIXES = ("test", "admin")
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,39}$")


def _is_generic_word(word: str) -> bool:
    return word in GENERIC_USERNAMES or word in ROLE_WORDS or word.startswith(GENERIC_PREFIXES)


def validate_personal_username(value: str) -> None:
    """Usernames name one person: lower-case, 3-40 characters, not a role or a generic word."""
    if not USERNAME_PATTERN.match(value):
        raise ValidationError(
            "Use 3 to 40 lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter.",
            code="username_format",
        )
    stripped = re.sub(r"[0-9._-]", "", value)
    words = [w for w in re.split(r"[0-9._-]+", value) if w]
    if (
        value in GENERIC_USERNAMES
        or stripped in GENERIC_USERNAMES
        or all(_is_generic_word(w) for w in words)
    ):
        raise ValidationError(
            "Shared or role accounts are not allowed: use the person's own name.",
            code="generic_username",
        )


class StaffManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A staff member. Clients never log in with this model."""

    username = models.CharField(
        max_length=40,
        unique=True,
        validators=[validate_personal_username],
        help_text="The person's own login, e.g. 'tmorgan'. Role accounts are refused.",
    )
    discipline = models.CharField(max_length=40, choices=Discipline.choices)
    credentials = models.CharField(
        max_length=60, blank=True, help_text="Letters after the name, e.g. 'LCSW', 'MD'."
    )
    phone = models.CharField(max_length=40, blank=True)
    on_call = models.BooleanField(default=False, help_text="On the clinic's on-call list.")

    objects = StaffManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["discipline", "first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "staff member"
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    def capabilities(self, today: date | None = None) -> frozenset[Capability]:
        """Capabilities held today, from discipline and current licences (memoised per object).

        A request loads a fresh user, so a revoked licence or account takes effect on the next
        request (SEC-07).
        """
        if not self.is_active or not self.pk:
            return frozenset()
        day = today or timezone.localdate()
        cache: dict[date, frozenset[Capability]] = self.__dict__.setdefault("_capability_cache", {})
        if day not in cache:
            if "licences" in getattr(self, "_prefetched_objects_cache", {}):  # a staff list
                facts = [
                    LicenceFacts(lic.licence_type, lic.status, lic.expires_on)
                    for lic in self.licences.all()
                ]
            else:  # every request asks
                facts = licence_facts(self.pk)
            cache[day] = capabilities_from_scope(self.discipline, facts, day)
        return cache[day]

    def has_capability(self, capability: Capability) -> bool:
        return capability in self.capabilities()


class Licence(TimestampedModel):
    """A professional licence or registration. Expiry is checked on every use."""

    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="licences")
    licence_type = models.CharField("license type", max_length=20, choices=LicenceType.choices)
    number = models.CharField(max_length=60)
    jurisdiction = models.CharField(max_length=60, help_text="State or board, e.g. 'NY'.")
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE
    )

    class Meta:
        ordering = ["staff_id", "licence_type"]
        verbose_name = "license"
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "number", "jurisdiction"], name="licence_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_licence_type_display()} {self.jurisdiction} {self.number}"


class SupervisionLink(TimestampedModel):
    """Clinical supervision: a supervisee may have several supervisors at once."""

    supervisor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supervisees_links")
    supervisee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supervisors_links")
    start_on = models.DateField(default=timezone.localdate)
    end_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["supervisee_id", "supervisor_id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("supervisee")),
                name="supervision_not_self",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.supervisee}"

    @classmethod
    def active_q(cls, today: date) -> models.Q:
        return models.Q(start_on__lte=today) & (
            models.Q(end_on__isnull=True) | models.Q(end_on__gt=today)
        )


class MfaEnrolmentInvite(UndeletableModel):
    """A single-use link with which one staff member enrols their first authenticator (SEC-02).

    Issued by a staff administrator; only the SHA-256 hash of the token in the link is kept.
    The link expires, is spent by the enrolment it allows, and is revoked when a newer one is
    issued for the same person (so at most one is open at a time).
    """

    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mfa_invites")
    token_hash = models.CharField(max_length=64, unique=True)
    # Null when issued from the command line (the first administrator has no one to ask).
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "MFA enrollment invite"
        constraints = [
            models.UniqueConstraint(
                fields=["staff"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="mfa_invite_one_open_per_staff",
            )
        ]

    def __str__(self) -> str:
        return f"two-factor enrollment link {self.pk} for staff {self.staff_id}"


# Read on every request (the signed-in user's scope of practice), written out in SQL;
# ``tests/staff/test_models.py`` compares it with the queryset it stands for.
LICENCE_FACTS_SQL = (
    "SELECT licence_type, status, expires_on FROM staff_licence WHERE staff_id = %s ORDER BY id"
)


def licence_facts(staff_id: int) -> list[LicenceFacts]:
    """The type, status and expiry of each licence of ``staff_id``, in the order entered."""
    with connection.cursor() as cursor:
        cursor.execute(LICENCE_FACTS_SQL, [staff_id])
        return [LicenceFacts(*row) for row in cursor.fetchall()]


# The TOTP device lives in its own module; importing it here registers the model with the app.
from alliance.staff.mfa import TotpDevice  # noqa: E402

__all__ = ["Licence", "MfaEnrolmentInvite", "SupervisionLink", "TotpDevice", "User"]
