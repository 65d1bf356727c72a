"""A default ordering never names a relation.

``Meta.ordering = ["client", ...]`` makes Django join the related table and sort by *its*
default ordering (for a client: the legal name) on every query of the model, even a list of one
client's rows. The chart runs a dozen such lists per view; ordering by the column
(``client_id``) keeps each of them a single-table read.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist


def test_no_default_ordering_joins_a_related_table() -> None:
    joined = []
    for model in apps.get_models():
        if not model.__module__.startswith("alliance."):
            continue
        for term in model._meta.ordering:
            name = str(term).lstrip("-")
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation and name == field.name:
                joined.append(f"{model.__name__}: {term}")
    assert joined == []


def test_a_list_of_one_clients_rows_reads_one_table() -> None:
    from alliance.safety.models import RiskFlag

    sql = str(RiskFlag.objects.filter(client_id=1).query)

    assert "JOIN" not in sql
    assert '"clients_client"' not in sql
