"""Text normalisation for case- and accent-insensitive search."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents: "Zoë Núñez" -> "zoe nunez".

    Stored beside names so that one indexed column answers searches the same way on SQLite
    and PostgreSQL.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())
