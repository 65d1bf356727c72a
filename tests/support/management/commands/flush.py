"""Test-only ``flush``: lifts the append-only guards, empties the tables, puts them back.

Django's transactional tests (live server, browser tests) end by flushing the database, which
the audit table's triggers rightly refuse. This command exists only in the test settings.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from alliance.core.dbguards import append_only_tables, install_append_only, remove_append_only
from alliance.crisis.guards import install_crisis_guards, remove_crisis_guards
from alliance.disclosures.guards import install_disclosure_guards, remove_disclosure_guards
from alliance.notes.guards import install_note_guards, remove_note_guards
from alliance.plans.guards import install_plan_guards, remove_plan_guards
from alliance.safety.guards import install_safety_guards, remove_safety_guards


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or "default"]
        for table in append_only_tables():
            remove_append_only(connection, table)
        remove_note_guards(connection)
        remove_crisis_guards(connection)
        remove_disclosure_guards(connection)
        remove_plan_guards(connection)
        remove_safety_guards(connection)
        try:
            super().handle(**options)
        finally:
            for table in append_only_tables():
                install_append_only(connection, table)
            install_note_guards(connection)
            install_crisis_guards(connection)
            install_disclosure_guards(connection)
            install_plan_guards(connection)
            install_safety_guards(connection)
