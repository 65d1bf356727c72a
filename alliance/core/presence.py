"""How many rows each part of one client's record holds, answered in one statement.

The chart shows a dozen sections, and for most clients most of them are empty: no crisis
episode, no mandated report, no risk assessment. Reading each empty section still costs a
query, and in Django a query costs about a millisecond of compiling before the database sees
it. So the chart first asks, in one statement, how many rows each
part has, and reads only the parts that have some (the notes timeline also takes its page
count from the answer).

Each app declares its parts (``Part``): a name, the rows of one client as a queryset (what the
part means, in the ORM), and ``count_sql``, the plainly written SQL that counts those rows for
the client id given as its one ``%s`` parameter. ``part_counts`` puts the parts' counts side by
side in one ``SELECT (...), (...)``: no queryset is built or compiled on the chart's way, and
PostgreSQL prepares the statement once a connection has run it a few times (settings
``ALLIANCE_DATABASE_PREPARE``). ``tests/core/test_presence.py`` compares every declared part's
SQL with its queryset, row counts for every client of the demo clinic, on both databases.

Access is the caller's: ask only about a client whose record the actor may open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

# Every part declared, by name (for the test that compares each part's SQL with its queryset).
DECLARED: dict[str, Part] = {}


@dataclass(frozen=True)
class Part:
    """A part of a client's record: ``rows(client_id)`` is a queryset of its rows, and
    ``count_sql`` counts the same rows in SQL, the client id being its one ``%s``."""

    name: str
    rows: Callable[[int], QuerySet[Any]]
    count_sql: str

    def __post_init__(self) -> None:
        if self.count_sql.count("%s") != 1 or not self.count_sql.startswith("SELECT COUNT(*)"):
            raise ImproperlyConfigured(
                f"record part {self.name!r}: count_sql is SELECT COUNT(*) ... with one %s"
            )
        DECLARED[self.name] = self


def part_counts(parts: Sequence[Part], client_id: int, using: str = "default") -> dict[str, int]:
    """Part name → number of rows client ``client_id`` has in it, for each of ``parts``."""
    parts = list({part.name: part for part in parts}.values())  # each asked once
    if not parts:
        return {}
    # Each part's SQL is a constant of the code; the client id is a parameter.
    sql = "SELECT " + ", ".join(f"({part.count_sql})" for part in parts)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [client_id] * len(parts))
        row = cursor.fetchone()
    return {part.name: int(count) for part, count in zip(parts, row, strict=True)}


class Presence:
    """The answer of ``part_counts`` for a page, or "unknown" (every part may have rows) for
    callers that did not ask: section selectors read a part only when it may have rows.

    A part the page did not count is unknown too, so a section whose part is missing from the
    page's list is read as before, never silently shown empty."""

    def __init__(self, counts: dict[str, int] | None = None) -> None:
        self._counts = counts or {}

    def may_have(self, part: Part) -> bool:
        count = self.count(part)
        return count is None or count > 0

    def count(self, part: Part) -> int | None:
        """The part's number of rows, or None when it was not counted."""
        return self._counts.get(part.name)


UNKNOWN = Presence()
