"""Choice lists of the client registry. All demographic identity fields are optional."""

from django.db import models


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"
    DECLINED = "declined", "Chose not to disclose"


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NONBINARY = "nonbinary", "Non-binary"
    TRANSGENDER_WOMAN = "transgender_woman", "Transgender woman"
    TRANSGENDER_MAN = "transgender_man", "Transgender man"
    GENDERQUEER = "genderqueer", "Genderqueer / gender fluid"
    TWO_SPIRIT = "two_spirit", "Two-spirit"
    QUESTIONING = "questioning", "Questioning"
    SELF_DESCRIBED = "self_described", "Another identity (described below)"
    DECLINED = "declined", "Chose not to disclose"


class ContactRelationship(models.TextChoices):
    GUARDIAN = "guardian", "Legal guardian"
    EMERGENCY = "emergency", "Emergency contact"
    PARENT = "parent", "Parent"
    PARTNER = "partner", "Spouse or partner"
    FAMILY = "family", "Other family member"
    FRIEND = "friend", "Friend or support person"
    COLLATERAL = "collateral", "Other collateral (teacher, employer, provider)"


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Treatment completed"
    REFERRED = "referred", "Referred to another service"
    CLIENT_WITHDREW = "withdrew", "Client chose to stop"
    NO_CONTACT = "no_contact", "Lost to contact"
    MOVED = "moved", "Moved away"
    HIGHER_LEVEL = "higher_level", "Transferred to a higher level of care"
    DECEASED = "deceased", "Deceased"
    OTHER = "other", "Other (described below)"
