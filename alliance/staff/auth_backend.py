"""Django's ``ModelBackend``, with the signed-in user loaded by one plain SQL statement.

Django's authentication middleware asks the backend for the signed-in user on every request
(``get_user``, the documented place to change how that user is loaded). ``ModelBackend`` builds
and compiles a queryset for it each time; here the statement is written out, and PostgreSQL
prepares it once a connection has run it a few times (settings ``ALLIANCE_DATABASE_PREPARE``).
``Manager.raw`` gives a full ``User``, with Django's own conversion of each column.
``tests/staff/test_auth_backend.py`` compares it with ``ModelBackend.get_user``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from alliance.staff.models import User

USER_BY_ID_SQL = "SELECT * FROM staff_user WHERE id = %s"


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2**63:  # no user has it, and the database would refuse the number
            return None
        found = list(User.objects.raw(USER_BY_ID_SQL, [pk]))
        if not found or not self.user_can_authenticate(found[0]):
            return None
        return found[0]
