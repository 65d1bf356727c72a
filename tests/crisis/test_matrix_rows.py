"""The crisis rows of the access matrix: complete, and their census ids feed only crisis URLs."""

from __future__ import annotations

from alliance.web.crisis import urls as urls_crisis
from tests.web import matrix_crisis, test_access_matrix


def test_every_crisis_row_names_every_persona() -> None:
    for name, statuses in matrix_crisis.EXPECTED.items():
        assert set(statuses) == set(test_access_matrix.PERSONAS), name


def test_every_crisis_url_has_a_row() -> None:
    assert {f"web:{p.name}" for p in urls_crisis.urlpatterns} == set(matrix_crisis.EXPECTED)


def test_the_census_ids_of_crisis_urls_are_used_by_no_other_page() -> None:
    """The census merges every app's ids into one dict: a shared parameter name would hand
    another app's page a crisis id (or the reverse) and test the wrong object."""
    ours = {name for p in urls_crisis.urlpatterns for name in p.pattern.converters} - {
        "client_id",
        "alert_id",
    }
    assert ours == {"crisis_id", "follow_up_id"}
    crisis_names = {p.name for p in urls_crisis.urlpatterns}
    others = {
        name
        for p in test_access_matrix.web_patterns()
        if p.name not in crisis_names
        for name in p.pattern.converters
    }
    assert not ours & others
