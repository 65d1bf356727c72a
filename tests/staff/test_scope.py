"""The scope-of-practice table: who holds which capability, and what a licence adds."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from alliance.staff.capabilities import CAPABILITY_DESCRIPTIONS, CLINICAL_CAPABILITIES, Capability
from alliance.staff.disciplines import Discipline, LicenceStatus, LicenceType
from alliance.staff.scope import (
    SCOPE_OF_PRACTICE,
    LicenceFacts,
    capabilities_from_scope,
    licence_is_current,
)
from alliance.staff.selectors import scope_markdown, scope_table

C, D, L = Capability, Discipline, LicenceType
TODAY = date(2026, 3, 2)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "scope-of-practice.md"

NON_CLINICAL = [D.FRONT_DESK, D.INTAKE_COORDINATOR, D.IT_ADMINISTRATOR, D.PRIVACY_OFFICER]
# Each licensed discipline with the licence that gives it its ◐ capabilities.
LICENSED = {
    D.PSYCHIATRIST: L.MD,
    D.PSYCHIATRIC_NP: L.APRN,
    D.PSYCHOLOGIST: L.PSYCHOLOGIST,
    D.CLINICAL_SOCIAL_WORKER: L.LCSW,
    D.COUNSELOR: L.LPC,
    D.MARRIAGE_FAMILY_THERAPIST: L.LMFT,
    D.PSYCHIATRIC_NURSE: L.RN,
    D.PEER_SUPPORT: L.CPS,
    D.OCCUPATIONAL_THERAPIST: L.OTR,
}


def licence(
    kind: LicenceType,
    *,
    status: str = LicenceStatus.ACTIVE,
    expires_on: date | None = TODAY + timedelta(days=365),
) -> LicenceFacts:
    return LicenceFacts(kind, status, expires_on)


def every_licence() -> list[LicenceFacts]:
    return [licence(kind) for kind in LicenceType]


def test_every_discipline_has_a_rule() -> None:
    """Deny by default stays meaningful: no discipline falls through to an unknown scope."""
    assert set(SCOPE_OF_PRACTICE) == set(Discipline)


@pytest.mark.parametrize("discipline", NON_CLINICAL)
def test_non_clinical_roles_hold_no_clinical_capability(discipline: Discipline) -> None:
    """SEC-12, SEC-15: front desk, intake, privacy and IT never reach clinical narrative.

    Not even when (by mistake) given every licence there is.
    """
    held = capabilities_from_scope(discipline, every_licence(), TODAY)

    assert not held & CLINICAL_CAPABILITIES


def test_it_administrators_manage_staff_and_configuration_only() -> None:
    """SEC-15: IT holds STAFF_ADMIN and SYSTEM_CONFIG, and no client capability at all."""
    held = capabilities_from_scope(D.IT_ADMINISTRATOR, every_licence(), TODAY)

    assert held == {C.STAFF_ADMIN, C.SYSTEM_CONFIG}


def test_the_privacy_officer_reviews_the_audit_trail_only() -> None:
    """SEC-27: the privacy officer holds AUDIT_REVIEW and nothing that opens a record."""
    held = capabilities_from_scope(D.PRIVACY_OFFICER, every_licence(), TODAY)

    assert held == {C.AUDIT_REVIEW}


@pytest.mark.parametrize(
    ("discipline", "expected"),
    [
        (
            D.FRONT_DESK,
            {
                C.CLIENT_SEARCH,
                C.CLIENT_REGISTER,
                C.DEMOGRAPHICS_READ,
                C.DEMOGRAPHICS_WRITE,
                C.REGISTRY_WIDE,
                C.SCHEDULE,
            },
        ),
        (
            D.INTAKE_COORDINATOR,
            {
                C.CLIENT_SEARCH,
                C.CLIENT_REGISTER,
                C.DEMOGRAPHICS_READ,
                C.DEMOGRAPHICS_WRITE,
                C.REGISTRY_WIDE,
                C.EPISODE_EDIT,
                C.CARE_TEAM_EDIT,
                C.SCHEDULE,
            },
        ),
    ],
)
def test_registry_roles(discipline: Discipline, expected: set[Capability]) -> None:
    """Front desk and intake work on the whole registry, and on nothing clinical."""
    assert capabilities_from_scope(discipline, [], TODAY) == expected


@pytest.mark.parametrize("discipline", list(LICENSED))
def test_licensed_capabilities_need_the_right_current_licence(discipline: Discipline) -> None:
    """A clinician holds the ◐ capabilities with their licence, and not without it."""
    rule = SCOPE_OF_PRACTICE[discipline]
    own = LICENSED[discipline]
    wrong = [licence(kind) for kind in LicenceType if kind not in rule.licence_types]

    with_licence = capabilities_from_scope(discipline, [licence(own)], TODAY)
    without = capabilities_from_scope(discipline, [], TODAY)
    with_wrong_licences = capabilities_from_scope(discipline, wrong, TODAY)

    assert rule.with_licence
    assert with_licence == rule.always | rule.with_licence
    assert without == rule.always
    assert with_wrong_licences == rule.always
    assert not without & rule.with_licence


@pytest.mark.parametrize("discipline", list(LICENSED))
@pytest.mark.parametrize(
    "lapsed",
    [
        {"status": LicenceStatus.SUSPENDED},
        {"status": LicenceStatus.REVOKED},
        {"expires_on": TODAY - timedelta(days=1)},
    ],
    ids=["suspended", "revoked", "expired yesterday"],
)
def test_a_lapsed_licence_removes_licensed_capabilities_today(
    discipline: Discipline, lapsed: dict[str, object]
) -> None:
    """SEC-07: a suspended, revoked or expired licence gives nothing the same day."""
    rule = SCOPE_OF_PRACTICE[discipline]

    held = capabilities_from_scope(discipline, [licence(LICENSED[discipline], **lapsed)], TODAY)  # type: ignore[arg-type]

    assert held == rule.always


def test_a_licence_is_valid_through_its_expiry_day() -> None:
    """A licence expiring today still counts today, and not tomorrow."""
    expiring = licence(L.LCSW, expires_on=TODAY)

    assert licence_is_current(expiring, TODAY)
    assert not licence_is_current(expiring, TODAY + timedelta(days=1))
    assert licence_is_current(licence(L.LCSW, expires_on=None), TODAY)


def test_one_current_licence_is_enough_when_another_has_lapsed() -> None:
    """A renewed licence next to the lapsed one keeps the capabilities."""
    held = capabilities_from_scope(
        D.PSYCHIATRIST,
        [licence(L.MD, expires_on=TODAY - timedelta(days=30)), licence(L.DO)],
        TODAY,
    )

    assert C.PRESCRIBE in held


def test_only_prescribers_may_prescribe() -> None:
    """PRESCRIBE belongs to psychiatrists and psychiatric NPs, and only with their licence."""
    holders = {
        d for d in Discipline if C.PRESCRIBE in capabilities_from_scope(d, every_licence(), TODAY)
    }

    assert holders == {D.PSYCHIATRIST, D.PSYCHIATRIC_NP}


def test_always_and_licensed_do_not_overlap() -> None:
    """A capability is either always held or licensed, so the table's marks are unambiguous."""
    for rule in SCOPE_OF_PRACTICE.values():
        assert not rule.always & rule.with_licence, rule.discipline
        assert bool(rule.with_licence) == bool(rule.licence_types), rule.discipline


def test_an_unknown_discipline_holds_nothing() -> None:
    """Deny by default: a discipline value the table does not know grants no capability."""
    assert capabilities_from_scope("astrologer", every_licence(), TODAY) == frozenset()


def test_every_capability_has_a_description() -> None:
    assert set(CAPABILITY_DESCRIPTIONS) == set(Capability)


# ------------------------------------------------------------------- table and docs


def test_the_table_rows_follow_the_rules() -> None:
    """The scope table shown to staff is the rule table, cell for cell."""
    table = scope_table()
    capabilities = table["capabilities"]
    rows = {row.discipline: row for row in table["rows"]}  # type: ignore[attr-defined]

    assert capabilities == list(Capability)
    for discipline, rule in SCOPE_OF_PRACTICE.items():
        cells = dict(zip(capabilities, rows[discipline.label].cells, strict=True))  # type: ignore[call-overload]
        for capability, cell in cells.items():
            expected = (
                "always"
                if capability in rule.always
                else "licensed"
                if capability in rule.with_licence
                else ""
            )
            assert cell == expected, (discipline, capability)


def test_docs_hold_exactly_the_generated_table() -> None:
    """docs/scope-of-practice.md shows the table the code enforces, between its markers."""
    text = DOCS.read_text()
    match = re.search(r"<!-- scope-table:start -->\n(.*?)<!-- scope-table:end -->", text, re.DOTALL)

    assert match, "the scope-table markers are missing"
    assert match.group(1) == scope_markdown()


def test_docs_list_every_capability_with_its_description() -> None:
    """The capability list in the docs names each capability with the code's description."""
    text = DOCS.read_text()

    for capability in Capability:
        assert f"| `{capability.value}` | {capability.description} |" in text


def test_docs_explain_the_marks() -> None:
    text = DOCS.read_text()

    assert "**●**" in text
    assert "**◐**" in text
