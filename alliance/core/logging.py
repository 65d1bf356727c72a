"""Log formatting that keeps one event on one line (SEC-28: log-injection encoding)."""

from __future__ import annotations

import logging


class OneLineFormatter(logging.Formatter):
    """Escape carriage returns, line feeds and other control characters in the message."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return "".join(
            ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
            for ch in text
        )
