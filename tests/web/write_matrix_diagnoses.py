"""Write-matrix rows of diagnoses: recording and changing need DIAGNOSE on the client; a
supervisee's diagnosis (``diagnosis_id``, by therapist_on_team) waits for her supervisor, who
alone may co-sign it or send it back (404 to anyone else who may diagnose)."""

from __future__ import annotations

from alliance.diagnoses.models import Diagnosis, DiagnosisStatus
from tests.web.write_matrix_base import STORED, Target, Write, beyond_care, clinical


def add(target: Target) -> dict[str, object]:
    return {
        "code_typed": "F41.1",
        "status": DiagnosisStatus.PROVISIONAL,
        "note": "Worry most days for a year.",
    }


def version(target: Target) -> int:
    return Diagnosis.objects.get(pk=target.id("diagnosis_id")).version


def change(target: Target) -> dict[str, object]:
    return {
        "status": DiagnosisStatus.IN_REMISSION,
        "is_primary": "on",
        "note": "No episode for six months.",
        "version": version(target),
    }


def cosign(target: Target) -> dict[str, object]:
    prefix = f"c{target.id('diagnosis_id')}"
    return {f"{prefix}-version": version(target), f"{prefix}-note": "Agree."}


def send_back(target: Target) -> dict[str, object]:
    prefix = f"r{target.id('diagnosis_id')}"
    return {f"{prefix}-version": version(target), f"{prefix}-comment": "Add the onset."}


DIAGNOSE = clinical(on=STORED, off=404, peer=403, registry=403)
SUPERVISOR = {**clinical(on=404, off=404, peer=403, registry=403), "supervisor": STORED}

WRITES: dict[str, Write] = {
    "web:diagnosis_add": Write(add, DIAGNOSE, beyond_care(DIAGNOSE)),
    "web:diagnosis_change": Write(change, DIAGNOSE, beyond_care(DIAGNOSE)),
    "web:diagnosis_cosign": Write(cosign, SUPERVISOR, beyond_care(SUPERVISOR)),
    "web:diagnosis_return": Write(send_back, SUPERVISOR, beyond_care(SUPERVISOR)),
}

READS: frozenset[str] = frozenset()
