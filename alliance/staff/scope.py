"""Scope of practice as data: which capabilities each discipline holds, and which need a licence.

The table is code, not a database table, on purpose: changing who may diagnose or open charts is
a clinical-governance decision that goes through review, and an administrator with database or
admin access must not be able to grant clinical capabilities to themselves (SEC-15).
``docs/scope-of-practice.md`` documents it and the staff page renders it from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from alliance.staff.capabilities import Capability as C
from alliance.staff.disciplines import Discipline as D
from alliance.staff.disciplines import LicenceStatus
from alliance.staff.disciplines import LicenceType as L


@dataclass(frozen=True)
class ScopeRule:
    """Capabilities of one discipline.

    ``always`` holds whatever the licence status; ``with_licence`` holds only while the staff
    member has an active, unexpired licence of one of the ``licence_types`` (an expired licence
    removes them at once, with no job to run).
    """

    discipline: D
    always: frozenset[C]
    with_licence: frozenset[C] = field(default_factory=frozenset)
    licence_types: frozenset[L] = field(default_factory=frozenset)


# Every clinician is a mandated reporter and may help a client write a safety plan, licensed or
# not; formulating a risk level (which sets the chart's risk flag) needs a licence.
_CLINICAL_BASE = frozenset(
    {
        C.CLIENT_SEARCH,
        C.DEMOGRAPHICS_READ,
        C.DEMOGRAPHICS_WRITE,
        C.CHART_READ,
        C.CHART_WRITE,
        C.SAFETY_PLAN_EDIT,
        C.MANDATED_REPORT,
    }
)
_INDEPENDENT = frozenset(
    {C.DIAGNOSE, C.NOTE_SIGN, C.BREAK_GLASS, C.CARE_TEAM_EDIT, C.EPISODE_EDIT, C.RISK_ASSESS}
)
_PRESCRIBER = _INDEPENDENT | {C.PRESCRIBE}
_REGISTRY = frozenset(
    {C.CLIENT_SEARCH, C.CLIENT_REGISTER, C.DEMOGRAPHICS_READ, C.DEMOGRAPHICS_WRITE}
)

SCOPE_OF_PRACTICE: dict[D, ScopeRule] = {
    rule.discipline: rule
    for rule in (
        ScopeRule(D.PSYCHIATRIST, _CLINICAL_BASE, _PRESCRIBER, frozenset({L.MD, L.DO})),
        ScopeRule(D.PSYCHIATRIC_NP, _CLINICAL_BASE, _PRESCRIBER, frozenset({L.APRN})),
        ScopeRule(D.PSYCHOLOGIST, _CLINICAL_BASE, _INDEPENDENT, frozenset({L.PSYCHOLOGIST})),
        ScopeRule(D.CLINICAL_SOCIAL_WORKER, _CLINICAL_BASE, _INDEPENDENT, frozenset({L.LCSW})),
        ScopeRule(D.COUNSELOR, _CLINICAL_BASE, _INDEPENDENT, frozenset({L.LPC})),
        ScopeRule(D.MARRIAGE_FAMILY_THERAPIST, _CLINICAL_BASE, _INDEPENDENT, frozenset({L.LMFT})),
        ScopeRule(
            D.PSYCHIATRIC_NURSE,
            _CLINICAL_BASE,
            frozenset({C.NOTE_SIGN, C.BREAK_GLASS, C.RISK_ASSESS}),
            frozenset({L.RN}),
        ),
        ScopeRule(D.PEER_SUPPORT, _CLINICAL_BASE, frozenset({C.NOTE_SIGN}), frozenset({L.CPS})),
        ScopeRule(
            D.OCCUPATIONAL_THERAPIST, _CLINICAL_BASE, frozenset({C.NOTE_SIGN}), frozenset({L.OTR})
        ),
        ScopeRule(D.CASE_MANAGER, _CLINICAL_BASE | {C.NOTE_SIGN, C.EPISODE_EDIT, C.SCHEDULE}),
        ScopeRule(
            D.INTAKE_COORDINATOR,
            _REGISTRY | {C.REGISTRY_WIDE, C.EPISODE_EDIT, C.CARE_TEAM_EDIT, C.SCHEDULE},
        ),
        ScopeRule(D.FRONT_DESK, _REGISTRY | {C.REGISTRY_WIDE, C.SCHEDULE}),
        ScopeRule(D.PRIVACY_OFFICER, frozenset({C.AUDIT_REVIEW})),
        ScopeRule(D.IT_ADMINISTRATOR, frozenset({C.STAFF_ADMIN, C.SYSTEM_CONFIG})),
    )
}


@dataclass(frozen=True)
class LicenceFacts:
    """The parts of a licence that scope depends on (kept free of the ORM for easy testing)."""

    licence_type: str
    status: str
    expires_on: date | None


def licence_is_current(licence: LicenceFacts, today: date) -> bool:
    """Active and not past its expiry date (a licence is valid through its expiry day)."""
    if licence.status != LicenceStatus.ACTIVE:
        return False
    return licence.expires_on is None or licence.expires_on >= today


def capabilities_from_scope(
    discipline: str, licences: Iterable[LicenceFacts], today: date
) -> frozenset[C]:
    """Capabilities that ``discipline`` with these ``licences`` holds on ``today``."""
    try:
        rule = SCOPE_OF_PRACTICE[D(discipline)]
    except ValueError:
        return frozenset()
    granted = set(rule.always)
    if rule.with_licence and any(
        lic.licence_type in rule.licence_types and licence_is_current(lic, today)
        for lic in licences
    ):
        granted |= rule.with_licence
    return frozenset(granted)
