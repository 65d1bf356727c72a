"""Writing safety plans (STYLE habit 2): save a draft version, sign it with the client's
agreement recorded; editing a signed plan starts the next draft version.

The plan is the client's, in their own words: six steps as lists (one entry per line on the
form), the means of harm with who will do what, and reasons for living. The professionals step
always shows the crisis line (988), the local emergency number and the clinic's after-hours
line (settings); signing copies them into the signed version so the document says what the
client was given. The lifecycle is the records kernel's (``records.lifecycle``, locked on
``revision``): saving is an atomic ``UPDATE … WHERE revision = n`` (REL-04) and writes a revision
row in the same transaction (REL-03).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from alliance.access.policy import has_capability
from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.organisation.models import Organisation
from alliance.records import lifecycle
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.safety.base import client_with
from alliance.safety.models import ClientAgreement, DocumentStatus, SafetyPlan, SafetyPlanVersion
from alliance.safety.signing import SAFETY_PLAN, reload_version
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.staff.stepup import step_up

# (key, step heading, question asked of the client)
STEPS: tuple[tuple[str, str, str], ...] = (
    ("warning_signs", "Warning signs", "What tells me a crisis may be coming?"),
    ("coping", "Things I can do on my own", "What can I do by myself to take my mind off it?"),
    (
        "distractions",
        "People and places that take my mind off things",
        "Who or where can I go to for company and distraction?",
    ),
    ("help_people", "People I can ask for help", "Who can I call or text, and their number?"),
    (
        "professionals",
        "Professionals and services I can contact",
        "My clinician, other services I use, with their numbers.",
    ),
)
STEP_KEYS = tuple(key for key, _heading, _question in STEPS)
# (key, label) of the means of harm the plan makes safer.
MEANS: tuple[tuple[str, str], ...] = (
    ("firearms", "Firearms"),
    ("medications", "Medications"),
    ("other", "Other means"),
)
MEANS_KEYS = tuple(key for key, _label in MEANS)
REQUIRED_STEPS = ("warning_signs", "coping")
AGREED = (ClientAgreement.SIGNED, ClientAgreement.AGREED)
AGREEMENT_NOTE_MIN = 5
ITEM_MAX = 300
ITEMS_MAX = 15


@dataclass(frozen=True)
class CrisisContact:
    label: str
    number: str


def crisis_contacts() -> list[CrisisContact]:
    """What every plan lists in the professionals step, from the settings."""
    after_hours = (
        settings.AFTER_HOURS_LINE
        or Organisation.objects.exclude(after_hours_phone="")
        .values_list("after_hours_phone", flat=True)
        .first()
        or "Call the clinic's main number and follow the after-hours message"
    )
    return [
        CrisisContact("Suicide and crisis line", settings.CRISIS_LINE),
        CrisisContact("Emergency", settings.EMERGENCY_NUMBER),
        CrisisContact(f"{settings.CLINIC_NAME} after hours", after_hours),
    ]


def _items(value: Any) -> list[str]:
    lines = value if isinstance(value, list) else str(value or "").splitlines()
    return [" ".join(str(line).split())[:ITEM_MAX] for line in lines if str(line).strip()][
        :ITEMS_MAX
    ]


def plan_content(values: dict[str, Any]) -> dict[str, Any]:
    """The plan's content in its stored shape, from form values (text with one item a line)."""
    means = values.get("means") or {}
    return {
        **{key: _items(values.get(key)) for key in STEP_KEYS},
        "means": {
            key: {
                "plan": str((means.get(key) or {}).get("plan") or "").strip()[: ITEM_MAX * 2],
                "who": str((means.get(key) or {}).get("who") or "").strip()[:ITEM_MAX],
            }
            for key in MEANS_KEYS
        },
        "reasons_for_living": _items(values.get("reasons_for_living")),
    }


def _draft_create(
    actor: User, client: Client, content: dict[str, Any], now: Any
) -> SafetyPlanVersion:
    plan, _created = SafetyPlan.objects.get_or_create(client=client, defaults={"created_by": actor})
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            version = SafetyPlanVersion.objects.create(
                plan=plan, number=number, content=content, written_by=actor
            )
    except IntegrityError:
        # Someone started the next draft meanwhile (one draft per plan): show theirs.
        current = SafetyPlanVersion.objects.filter(plan=plan, status=DocumentStatus.DRAFT).first()
        raise StaleDraft(current) from None
    return version


def safety_plan_save(
    *,
    actor: User,
    client: Client,
    values: dict[str, Any],
    draft: SafetyPlanVersion | None,
    revision: int,
) -> SafetyPlanVersion:
    """Save the plan's draft version; ``draft=None`` starts the next version (number + 1)."""
    client = client_with(actor, client, Capability.SAFETY_PLAN_EDIT)
    content = plan_content(values)
    now = timezone.now()
    with transaction.atomic():
        if draft is None:
            saved = _draft_create(actor, client, content, now)
        else:
            if draft.plan.client_id != client.pk:
                raise DocumentLocked
            saved = lifecycle.draft_claim(
                SAFETY_PLAN, draft, lock=revision, now=now, content=content
            )
        SAFETY_PLAN.write_version(saved, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if draft is None else AuditAction.CHANGE,
            client=client,
            target=saved,
            detail={"plan_version": saved.number, "revision": saved.revision},
        )
    return saved


def missing_for_signing(version: SafetyPlanVersion) -> dict[str, list[str]]:
    headings = {key: heading for key, heading, _q in STEPS}
    return {
        key: [f"Write at least one entry for “{headings[key]}” with the client."]
        for key in REQUIRED_STEPS
        if not version.content.get(key)
    }


def safety_plan_sign(
    *,
    actor: User,
    version: SafetyPlanVersion,
    revision: int,
    password: str,
    agreement: str,
    agreement_note: str = "",
) -> SafetyPlanVersion:
    """Sign the draft version as it stands at ``revision``, recording the client's agreement
    (or why it could not be given). Needs ``SAFETY_PLAN_EDIT`` and ``NOTE_SIGN`` (SEC-08)."""
    client = client_with(actor, version.plan.client_id, Capability.SAFETY_PLAN_EDIT)
    if not has_capability(actor, Capability.NOTE_SIGN):
        raise ValidationError("Your scope of practice does not include signing safety plans.")
    if not version.is_draft:
        raise DocumentLocked
    errors: dict[str, list[str]] = {}
    if agreement not in ClientAgreement.values:
        errors["agreement"] = ["Record whether the client agreed to the plan."]
    elif agreement not in AGREED and len(agreement_note.strip()) < AGREEMENT_NOTE_MIN:
        errors["agreement_note"] = ["Say why the client could not agree, and what is next."]
    if errors:
        raise ValidationError(errors)
    step_up(actor, password, client_id=client.pk, target=version, step="sign")
    current = reload_version(version)
    if current.revision != revision or not current.is_draft:
        raise StaleDraft(current)
    missing = missing_for_signing(current)
    if missing:
        raise ValidationError(missing)
    content = {
        **current.content,
        "crisis_contacts": [{"label": c.label, "number": c.number} for c in crisis_contacts()],
    }
    signed: SafetyPlanVersion = lifecycle.document_sign(
        SAFETY_PLAN,
        actor=actor,
        document=current,
        lock=revision,
        client_id=client.pk,
        changes={
            "content": content,
            "agreement": agreement,
            "agreement_on": timezone.localdate(),
            "agreement_note": agreement_note.strip(),
        },
        severity=AuditSeverity.HIGH,
        also=lambda signed: {"plan_version": signed.number, "agreement": agreement},
    )
    return signed
