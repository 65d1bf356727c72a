"""The verifiers, run in a process of their own on a restored database (REL-07, SEC-26, REL-01).

``backup_verify`` starts ``python -m alliance.backups.check`` with ``ALLIANCE_DATABASE_URL``
naming the throwaway database and ``ALLIANCE_AUDIT_CHECKPOINT_DIR`` the backup's checkpoints.
In that process the throwaway database *is* the default database, so the audit-chain verifier
and the signature checks run exactly as they do on the clinic's own database (``alliance audit
verify``), unchanged: nothing in them has to learn about a second database alias, and nothing
they do can reach the clinic's database, which that process never connects to.

Prints one JSON object on stdout: the audit chain's result and the documents checked per type.
It carries ids and counts, never a row's contents.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    import django

    django.setup()
    from alliance.audit.verify import audit_verify
    from alliance.backups.documents import documents_check

    audit = audit_verify()
    documents = documents_check()
    json.dump(
        {
            "audit": {
                "ok": audit.ok,
                "rows_checked": audit.rows_checked,
                "first_bad_seq": audit.first_bad_seq,
                "description": audit.describe(),
            },
            "documents": [asdict(check) for check in documents],
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
