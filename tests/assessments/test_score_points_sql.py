"""``assessments.selectors.SCORE_POINTS_SQL`` gives what the queryset it stands for gives, for
every client of the demo clinic: same rows, same order, same values (the time aware, in UTC)."""

from __future__ import annotations

import pytest

from alliance.assessments.models import Administration
from alliance.assessments.selectors import _score_points
from alliance.clients.models import Client
from alliance.demo.clinic import demo_build

pytestmark = pytest.mark.django_db


def test_score_points_are_the_querysets_rows() -> None:
    demo_build(clients=30, seed=7)
    seen = 0
    for client_id in Client.objects.values_list("pk", flat=True):
        expected = list(
            Administration.objects.filter(client_id=client_id)
            .order_by("instrument", "completed_at", "id")
            .values_list("instrument", "id", "completed_at", "total", "severity")
        )
        found = _score_points(client_id)
        assert found == expected, client_id
        assert all(at.utcoffset() is not None for _, _, at, _, _ in found)
        seen += len(found)
    assert seen > 50  # the demo gives measures to many clients
