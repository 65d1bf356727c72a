"""Reads about staff: the scope-of-practice table as rows for pages and docs."""

from __future__ import annotations

from dataclasses import dataclass

from alliance.staff.capabilities import Capability
from alliance.staff.disciplines import Discipline, LicenceType
from alliance.staff.scope import SCOPE_OF_PRACTICE


@dataclass(frozen=True)
class ScopeRow:
    discipline: str
    licences: list[str]
    cells: list[str]  # per capability: "always", "licensed" or ""


def scope_table() -> dict[str, object]:
    capabilities = list(Capability)
    rows = []
    for discipline in Discipline:
        rule = SCOPE_OF_PRACTICE[discipline]
        cells = [
            "always" if c in rule.always else "licensed" if c in rule.with_licence else ""
            for c in capabilities
        ]
        licences = [LicenceType(t).label for t in sorted(rule.licence_types)]
        rows.append(ScopeRow(discipline.label, licences, cells))
    return {"capabilities": capabilities, "rows": rows}


def scope_markdown() -> str:
    """The table as Markdown, for ``docs/scope-of-practice.md`` (a test keeps them equal)."""
    table = scope_table()
    caps: list[Capability] = table["capabilities"]  # type: ignore[assignment]
    lines = [
        "| Discipline | License that grants the licensed capabilities | "
        + " | ".join(c.value for c in caps)
        + " |",
        "|---|---|" + "---|" * len(caps),
    ]
    marks = {"always": "●", "licensed": "◐", "": ""}
    for row in table["rows"]:  # type: ignore[attr-defined]
        lines.append(
            f"| {row.discipline} | {', '.join(row.licences) or '—'} | "
            + " | ".join(marks[c] for c in row.cells)
            + " |"
        )
    return "\n".join(lines) + "\n"
