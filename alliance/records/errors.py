"""The one exception family of the document lifecycle (every document type raises these).

Views catch ``StaleDraft`` to show the conflict page with what is saved now (REL-04) and
``DocumentLocked`` to send the user to the signed document, whatever the document type.
"""

from __future__ import annotations

from typing import Any


class StaleDraft(Exception):
    """Someone saved the draft since this editor loaded it; ``current`` is what is saved now."""

    def __init__(self, current: Any) -> None:
        super().__init__("the draft was saved by someone else meanwhile")
        self.current = current


class DocumentLocked(Exception):
    """The document is no longer a draft (signed, activated or entered in error): it cannot be
    edited. Signed text changes only through an addendum or a new version."""
