"""What a staff member may do, as named capabilities (STYLE habit 8: capabilities, not ranks).

Capabilities say what kind of action is allowed; *which clients* it applies to is the access
policy's business (``alliance.access.policy``).
"""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    CLIENT_SEARCH = "CLIENT_SEARCH"
    CLIENT_REGISTER = "CLIENT_REGISTER"
    DEMOGRAPHICS_READ = "DEMOGRAPHICS_READ"
    DEMOGRAPHICS_WRITE = "DEMOGRAPHICS_WRITE"
    REGISTRY_WIDE = "REGISTRY_WIDE"
    EPISODE_EDIT = "EPISODE_EDIT"
    CARE_TEAM_EDIT = "CARE_TEAM_EDIT"
    SCHEDULE = "SCHEDULE"
    CHART_READ = "CHART_READ"
    CHART_WRITE = "CHART_WRITE"
    DIAGNOSE = "DIAGNOSE"
    PRESCRIBE = "PRESCRIBE"
    NOTE_SIGN = "NOTE_SIGN"
    BREAK_GLASS = "BREAK_GLASS"
    RISK_ASSESS = "RISK_ASSESS"
    SAFETY_PLAN_EDIT = "SAFETY_PLAN_EDIT"
    MANDATED_REPORT = "MANDATED_REPORT"
    AUDIT_REVIEW = "AUDIT_REVIEW"
    STAFF_ADMIN = "STAFF_ADMIN"
    SYSTEM_CONFIG = "SYSTEM_CONFIG"

    @property
    def description(self) -> str:
        return CAPABILITY_DESCRIPTIONS[self]


CAPABILITY_DESCRIPTIONS: dict[Capability, str] = {
    Capability.CLIENT_SEARCH: "Search the client registry (results limited by the access policy)",
    Capability.CLIENT_REGISTER: "Register a new client",
    Capability.DEMOGRAPHICS_READ: "See a client's registry details: names, contacts, episodes",
    Capability.DEMOGRAPHICS_WRITE: "Change a client's registry details and contacts",
    Capability.REGISTRY_WIDE: "Registry details of every client, not only of one's care teams",
    Capability.EPISODE_EDIT: "Enroll, admit and discharge clients in programs",
    Capability.CARE_TEAM_EDIT: "Add staff to and remove staff from a client's care team",
    Capability.SCHEDULE: "Book and change appointments",
    Capability.CHART_READ: "Read the clinical record of clients in one's care",
    Capability.CHART_WRITE: "Write to the clinical record of clients in one's care",
    Capability.DIAGNOSE: "Record diagnoses",
    Capability.PRESCRIBE: "Prescribe medication",
    Capability.NOTE_SIGN: "Sign clinical notes",
    Capability.BREAK_GLASS: "Open a chart outside one's care teams in an emergency (audited)",
    Capability.RISK_ASSESS: "Sign suicide and violence risk assessments, which set risk flags",
    Capability.SAFETY_PLAN_EDIT: "Write safety plans with clients (signing needs NOTE_SIGN)",
    Capability.MANDATED_REPORT: "File mandated reports and duty-to-warn records (restricted)",
    Capability.AUDIT_REVIEW: "Read the audit trail and review emergency access",
    Capability.STAFF_ADMIN: "Manage staff accounts, licenses and supervision",
    Capability.SYSTEM_CONFIG: "Configure the clinic, programs and system settings",
}

# Capabilities that reach into clinical narrative: front desk, intake and IT never hold these.
CLINICAL_CAPABILITIES = frozenset(
    {
        Capability.CHART_READ,
        Capability.CHART_WRITE,
        Capability.DIAGNOSE,
        Capability.PRESCRIBE,
        Capability.NOTE_SIGN,
        Capability.BREAK_GLASS,
        Capability.RISK_ASSESS,
        Capability.SAFETY_PLAN_EDIT,
        Capability.MANDATED_REPORT,
    }
)
