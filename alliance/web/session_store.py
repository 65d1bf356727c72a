"""Django's database sessions, with the one read every request makes prepared once
(``core.prepared``): the session row by key, if it has not expired."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from alliance.core.prepared import Prepared

_live_session: Prepared[Session] = Prepared(
    "sessions.live",
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        found = _live_session(key, timezone.now()) if isinstance(key, str) else []
        if found:
            return found[0]
        self._session_key = None  # as Django's store does for a missing or expired key
        return None
