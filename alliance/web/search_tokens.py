"""Recent client searches, kept in the session under opaque tokens (SEC-33).

The search form posts, and the results are then shown at ``?s=<token>`` (POST-redirect-GET)
so that Back and reload work without resubmitting a form. What was typed (a name, an MRN, a
date of birth) stays on the server, in this session's row, never in a URL; the session is
flushed at sign-out, and a token means nothing in any other session.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "alliance_searches"
# Enough for Back through a morning's searches; the oldest is forgotten first.
KEEP = 20


def search_remember(session: SessionBase, query: str) -> str:
    """Keep ``query`` in ``session`` and return the unguessable token that names it."""
    token = secrets.token_urlsafe(16)
    kept = session.get(SESSION_KEY)
    searches = dict(kept) if isinstance(kept, dict) else {}
    searches[token] = query  # dicts (and the session's JSON) keep insertion order
    session[SESSION_KEY] = dict(list(searches.items())[-KEEP:])
    return token


def search_recall(session: SessionBase, token: str) -> str | None:
    """The query kept under ``token`` in this session, or None if it is unknown or forgotten."""
    kept = session.get(SESSION_KEY)
    query = kept.get(token) if isinstance(kept, dict) else None
    return query if isinstance(query, str) else None
