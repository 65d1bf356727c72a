"""Where the current request comes from, for the audit row's source address.

Set by ``AuditContextMiddleware`` for web requests; the command line leaves the default.
"""

from __future__ import annotations

from contextvars import ContextVar

source_address: ContextVar[str] = ContextVar("alliance_audit_source_address", default="local")
