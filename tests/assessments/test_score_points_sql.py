"""``assessments.selectors.SCORE_POINTS_SQL`` gives what the queryset it stands for gives, for
every client of the demo clinic: same rows, same order, same values (the time aware, in UTC)."""

from __future__ import annotations

import pytest

from alliance.assessments.models import Administration
from alliance.assessments.selectors import _score_points
from alliance.clients.models import Client
from alliance.demo.clinic import demo_build
from alliance.organisation.models import Program

pytestmark = pytest.mark.django_db


def test_score_points_are_the_querysets_rows() -> None:
    """For a reader outside the Part 2 program (labelled rows hidden) and one inside it."""
    demo_build(clients=30, seed=7)
    part2 = frozenset(Program.objects.filter(is_part2=True).values_list("pk", flat=True))
    seen = labelled = 0
    for client_id in Client.objects.values_list("pk", flat=True):
        for programs in (frozenset(), part2):
            rows = Administration.objects.filter(client_id=client_id)
            if not programs:
                rows = rows.filter(part2_program__isnull=True)
            expected = list(
                rows.order_by("instrument", "completed_at", "id").values_list(
                    "instrument", "id", "completed_at", "total", "severity"
                )
            )
            found = _score_points(client_id, programs)
            assert found == expected, client_id
            assert all(at.utcoffset() is not None for _, _, at, _, _ in found)
            seen += len(found)
        labelled += Administration.objects.filter(
            client_id=client_id, part2_program__isnull=False
        ).count()
    assert seen > 50  # the demo gives measures to many clients
    assert labelled  # and some were recorded in its Part 2 program
