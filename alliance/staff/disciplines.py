"""Disciplines of the staff who work in a mental health clinic, and the licences they hold."""

from __future__ import annotations

from django.db import models


class Discipline(models.TextChoices):
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    PSYCHIATRIC_NP = "psychiatric_np", "Psychiatric nurse practitioner"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    CLINICAL_SOCIAL_WORKER = "lcsw", "Licensed clinical social worker"
    COUNSELOR = "counselor", "Licensed professional counselor / mental health counselor"
    MARRIAGE_FAMILY_THERAPIST = "mft", "Marriage and family therapist"
    PSYCHIATRIC_NURSE = "psychiatric_nurse", "Psychiatric nurse"
    PEER_SUPPORT = "peer_support", "Peer support specialist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    CASE_MANAGER = "case_manager", "Case manager"
    INTAKE_COORDINATOR = "intake_coordinator", "Intake coordinator"
    FRONT_DESK = "front_desk", "Front desk"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    IT_ADMINISTRATOR = "it_administrator", "IT administrator"


class LicenceType(models.TextChoices):
    MD = "md", "Physician (MD)"
    DO = "do", "Physician (DO)"
    APRN = "aprn", "Advanced practice registered nurse (PMHNP)"
    DEA = "dea", "DEA registration"
    PSYCHOLOGIST = "psychologist", "Licensed psychologist (PhD/PsyD)"
    LCSW = "lcsw", "Licensed clinical social worker (LCSW)"
    LPC = "lpc", "Licensed professional counselor (LPC/LMHC)"
    LMFT = "lmft", "Licensed marriage and family therapist (LMFT)"
    RN = "rn", "Registered nurse (RN)"
    OTR = "otr", "Occupational therapist, registered and licensed (OTR/L)"
    CPS = "cps", "Certified peer specialist (CPS)"


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
