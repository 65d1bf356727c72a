"""How many rows each part of one client's record holds, answered in one statement.

The chart shows a dozen sections, and for most clients most of them are empty: no crisis
episode, no mandated report, no risk assessment. Reading each empty section still costs a
query, and in Django a query costs about a millisecond of compiling before the database sees
it. So the chart first asks, in one ``SELECT (SELECT COUNT(*) ...), ...``, how many rows each
part has, and reads only the parts that have some (the notes timeline also takes its page
count from the answer).

Each app declares its parts (``Part``): a name and the rows of one client, as a queryset built
from the client's id. The SQL of each part is compiled once per process and database and then
reused with the client's id in place of a sentinel. That is only right for a queryset whose
SQL depends on nothing but the client id: never on the time, the actor or settings that change
while the process runs. Declare such parts only (``Part`` refuses a queryset in which the
client id does not appear as a parameter exactly once).

Access is the caller's: ask only about a client whose record the actor may open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

# An id no client has; the compiled SQL of a part carries it where the client id goes.
_SENTINEL = -7_115_002
_compiled: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}


@dataclass(frozen=True)
class Part:
    """A part of a client's record: ``rows(client_id)`` is a queryset of its rows that
    depends on the client id only (not on the time, the actor or anything else)."""

    name: str
    rows: Callable[[int], QuerySet[Any]]


def _has_moment(node: Any) -> bool:
    """Whether a WHERE tree compares with a date or time (which compiling once would freeze)."""
    if isinstance(getattr(node, "rhs", None), date):
        return True
    return any(_has_moment(child) for child in getattr(node, "children", ()))


def _compiled_sql(part: Part, using: str) -> tuple[str, tuple[Any, ...]]:
    key = (part.name, using)
    if key not in _compiled:
        query = part.rows(_SENTINEL).order_by().values("pk").query
        sql, params = query.get_compiler(using=using).as_sql()
        if sum(1 for p in params if type(p) is int and p == _SENTINEL) != 1:
            raise ImproperlyConfigured(
                f"record part {part.name!r}: the client id must be the query's one client filter"
            )
        if _has_moment(query.where):
            raise ImproperlyConfigured(
                f"record part {part.name!r}: its rows may not depend on a date or time"
            )
        _compiled[key] = (sql, tuple(params))
    return _compiled[key]


def part_counts(parts: Sequence[Part], client_id: int, using: str = "default") -> dict[str, int]:
    """Part name → number of rows client ``client_id`` has in it, for each of ``parts``."""
    parts = list({part.name: part for part in parts}.values())  # each asked once
    if not parts:
        return {}
    pieces: list[str] = []
    params: list[Any] = []
    for number, part in enumerate(parts):
        sql, part_params = _compiled_sql(part, using)
        # Django's own compiled SQL, values as parameters: no input reaches the text.
        pieces.append(f"(SELECT COUNT(*) FROM ({sql}) part_{number})")  # noqa: S608
        params.extend(client_id if type(p) is int and p == _SENTINEL else p for p in part_params)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(pieces), params)
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
