"""Write-matrix rows of clearing a 42 CFR Part 2 label (SEC-19; ``access.part2_labels``).

No persona is in a Part 2 program, so for every clinician the record (``labelled_id``, a note
of client_a written outside any program) is not a labelled record they may see: 404, and
nothing changes. The program's own staff are tried in ``tests/access/test_part2_labels.py``.
"""

from __future__ import annotations

from tests.personas import PASSWORD
from tests.web.write_matrix_base import Target, Write, beyond_care, clinical


def removal(target: Target) -> dict[str, object]:
    return {"reason": "Written for the adult outpatient session", "password": PASSWORD}


NOBODY = clinical(on=404, off=404, peer=404, registry=403)

WRITES: dict[str, Write] = {
    "web:part2_label_remove": Write(removal, NOBODY, beyond_care(NOBODY)),
}

READS: frozenset[str] = frozenset()
