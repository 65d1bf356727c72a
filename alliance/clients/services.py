"""Writes to the client registry (STYLE habit 2).

Each service checks access through ``alliance.access.policy``, validates, writes and audits
in one transaction. Edits carry the version the editor started from; a stale version is a
``StaleEdit`` and nothing is written, so concurrent edits are never silently overwritten.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import clients_visible_to, may, require_capability
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.services import audit_record
from alliance.clients.models import Client, Contact, Episode
from alliance.clients.validation import (
    phone_digits,
    search_text_for,
    validate_birth_date,
    validate_phone,
)
from alliance.core.changes import apply_changes
from alliance.organisation.models import Program
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

CLIENT_FIELDS = (
    "legal_first_name",
    "legal_middle_name",
    "legal_last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "gender_identity_other",
    "preferred_language",
    "interpreter_needed",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
)
CONTACT_FIELDS = ("name", "relationship", "phone", "email", "may_contact", "active")
EPISODE_FIELDS = (
    "program",
    "referral_date",
    "admission_date",
    "discharge_date",
    "discharge_reason",
    "discharge_note",
)


class StaleEdit(Exception):
    """Someone saved this record after the editor loaded it; ``current`` is the row as saved."""

    def __init__(self, current: Any) -> None:
        super().__init__("record changed since it was loaded")
        self.current = current


class DuplicateSuspected(Exception):
    """A likely duplicate exists; the caller must confirm before creating."""

    def __init__(self, matches: list[Client]) -> None:
        super().__init__("likely duplicate")
        self.matches = matches


@dataclass(frozen=True)
class ClientData:
    """Validated registry fields, as a form or an API would hand them over."""

    values: dict[str, Any]


def _generate_mrn() -> str:
    # 8 random digits and a Luhn check digit: unguessable order, typo-resistant.
    digits = [secrets.randbelow(10) for _ in range(8)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def client_field_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every registry rule ``values`` break, as messages by field name; empty if none.

    Forms call it with the fields they could parse, so a person sees every problem at once
    instead of one rule's message only after another field is fixed.
    """
    errors: dict[str, list[str]] = {}
    for name in ("legal_first_name", "legal_last_name"):
        if not str(values.get(name, "")).strip():
            errors.setdefault(name, []).append("This name is required.")
    dob = values.get("date_of_birth")
    if not isinstance(dob, date):
        errors.setdefault("date_of_birth", []).append("Enter the date of birth.")
    else:
        try:
            validate_birth_date(dob, timezone.localdate())
        except ValidationError as exc:
            errors.setdefault("date_of_birth", []).extend(exc.messages)
    try:
        validate_phone(str(values.get("phone", "")))
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.messages)
    return errors


def _clean_client(values: dict[str, Any]) -> None:
    if errors := client_field_errors(values):
        raise ValidationError(errors)


def _apply(client: Client, values: dict[str, Any]) -> list[str]:
    changed = apply_changes(client, values, CLIENT_FIELDS)
    client.fill_derived()
    return changed


def likely_duplicates(
    *, actor: User, values: dict[str, Any], exclude_id: int | None = None
) -> list[Client]:
    """Clients with the same name and date of birth, or the same phone number."""
    first = search_text_for(str(values.get("legal_first_name", "")))
    last = search_text_for(str(values.get("legal_last_name", "")))
    same_person = Q(pk__in=[])
    if first and last and isinstance(values.get("date_of_birth"), date):
        same_person = Q(
            date_of_birth=values["date_of_birth"],
            search_text__startswith=first,
            search_text__contains=last,
        )
    digits = phone_digits(str(values.get("phone", "")))
    if len(digits) >= 7:
        same_person |= Q(phone_digits=digits)
    found = clients_visible_to(actor=actor, capability=Capability.DEMOGRAPHICS_READ).filter(
        same_person
    )
    if exclude_id:
        found = found.exclude(pk=exclude_id)
    return list(found[:10])


def client_create(
    *, actor: User, values: dict[str, Any], confirmed_not_duplicate: bool = False
) -> Client:
    """Register a client. Raises ``DuplicateSuspected`` unless the actor confirmed."""
    require_capability(actor, Capability.CLIENT_REGISTER)
    _clean_client(values)
    if not confirmed_not_duplicate:
        matches = likely_duplicates(actor=actor, values=values)
        if matches:
            raise DuplicateSuspected(matches)
    for _attempt in range(5):
        client = Client(mrn=_generate_mrn())
        changed = _apply(client, values)
        try:
            with transaction.atomic():
                client.save(force_insert=True)
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    client=client,
                    target=client,
                    purpose=AuditPurpose.OPERATIONS,
                    detail={"fields": sorted(changed)},
                )
            return client
        except IntegrityError:
            if Client.objects.filter(mrn=client.mrn).exists():
                continue  # an MRN collision: draw again
            raise
    raise RuntimeError("could not allocate a unique MRN")


def client_update(*, actor: User, client: Client, values: dict[str, Any], version: int) -> Client:
    """Change registry fields, refusing a stale ``version`` (no lost updates)."""
    allowed = clients_visible_to(actor=actor, capability=Capability.DEMOGRAPHICS_WRITE)
    merged = {name: getattr(client, name) for name in CLIENT_FIELDS} | values
    _clean_client(merged)
    with transaction.atomic():
        current = allowed.select_for_update().get(pk=client.pk)
        if current.version != version:
            raise StaleEdit(current)
        changed = _apply(current, values)
        if not changed:
            return current
        # The version check is repeated in the UPDATE itself, so it holds even without
        # row locks (SQLite): the second of two racing writers updates nothing.
        updated = Client.objects.filter(pk=current.pk, version=version).update(
            **{name: getattr(current, name) for name in (*changed, *Client.DERIVED_FIELDS)},
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if updated != 1:
            raise StaleEdit(Client.objects.get(pk=current.pk))
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=current,
            target=current,
            purpose=AuditPurpose.TREATMENT,
            detail={"fields": sorted(changed), "version": version + 1},
        )
    current.refresh_from_db()
    return current


def contact_field_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every contact rule ``values`` break, as messages by field name; empty if none."""
    errors: dict[str, list[str]] = {}
    if not str(values.get("name", "")).strip():
        errors["name"] = ["Enter the contact's name."]
    try:
        validate_phone(str(values.get("phone", "")))
    except ValidationError as exc:
        errors["phone"] = exc.messages
    return errors


def _clean_contact(values: dict[str, Any]) -> None:
    if errors := contact_field_errors(values):
        raise ValidationError(errors)


def _save_versioned(row: Contact | Episode, *, changed: list[str], version: int) -> None:
    """Write ``changed`` fields of an edited row only if it is still at ``version`` (REL-04).

    The check sits in the UPDATE itself, so it holds even without row locks (SQLite): the
    second of two racing writers updates nothing and gets ``StaleEdit`` with the saved row.
    """
    model = type(row)
    updated = model.objects.filter(pk=row.pk, version=version).update(
        **{name: getattr(row, name) for name in changed},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise StaleEdit(model.objects.get(pk=row.pk))
    row.refresh_from_db()


def _current_for_edit(
    model: type[Contact] | type[Episode], *, pk: int, client: Client, version: int | None
) -> Any:
    """The saved row an edit starts from, refusing another client's row or a stale version."""
    current = model.objects.select_for_update().get(pk=pk)
    if current.client_id != client.pk:
        # A row cannot be moved to another client through its form (SEC-11).
        raise model.DoesNotExist
    if version is None:
        raise ValueError("an edit must say which version it started from (REL-04)")
    if current.version != version:
        raise StaleEdit(current)
    return current


def contact_save(
    *,
    actor: User,
    client: Client,
    values: dict[str, Any],
    contact: Contact | None = None,
    version: int | None = None,
) -> Contact:
    """Add a contact (``contact`` is None) or change one of this client's contacts.

    A change names the ``version`` the editor started from; a stale one raises ``StaleEdit``
    and writes nothing (REL-04).
    """
    allowed = clients_visible_to(actor=actor, capability=Capability.DEMOGRAPHICS_WRITE)
    _clean_contact(values)
    with transaction.atomic():
        client = allowed.get(pk=client.pk)
        if contact is None:
            contact = Contact(client=client)
            changed = apply_changes(contact, values, CONTACT_FIELDS)
            contact.save()
            action = AuditAction.CREATE
        else:
            contact = _current_for_edit(Contact, pk=contact.pk, client=client, version=version)
            changed = apply_changes(contact, values, CONTACT_FIELDS)
            if not changed:
                return contact
            assert version is not None  # checked by _current_for_edit
            _save_versioned(contact, changed=changed, version=version)
            action = AuditAction.CHANGE
        audit_record(
            actor=actor,
            action=action,
            client=client,
            target=contact,
            detail={"fields": sorted(changed)},
        )
    return contact


def episode_field_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every episode date and discharge rule ``values`` break, by field name; empty if none.

    The one-open-episode-per-program rule needs the database and stays in ``episode_save``.
    """
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    referral, admission, discharge = (
        values.get("referral_date"),
        values.get("admission_date"),
        values.get("discharge_date"),
    )
    if referral and referral > today:
        errors["referral_date"] = ["Referral date cannot be in the future."]
    if admission and referral and admission < referral:
        errors["admission_date"] = ["Admission cannot be before the referral."]
    if discharge:
        start = admission or referral
        if start and discharge < start:
            errors["discharge_date"] = ["Discharge cannot be before admission or referral."]
        if discharge > today:
            errors.setdefault("discharge_date", []).append(
                "Discharge date cannot be in the future."
            )
        if not values.get("discharge_reason"):
            errors["discharge_reason"] = ["Give the reason for discharge."]
    elif values.get("discharge_reason"):
        errors["discharge_date"] = ["Enter the discharge date, or clear the reason."]
    # Only a form that shows the discharge note (a clinician's) asks for it.
    note = values.get("discharge_note")
    if values.get("discharge_reason") == "other" and note is not None and not note.strip():
        errors["discharge_note"] = ["Describe the reason for discharge."]
    return errors


def _clean_episode(values: dict[str, Any]) -> None:
    if errors := episode_field_errors(values):
        raise ValidationError(errors)


def episode_save(
    *,
    actor: User,
    client: Client,
    values: dict[str, Any],
    episode: Episode | None = None,
    version: int | None = None,
) -> Episode:
    """Enrol a client in a program, or update admission and discharge of an episode.

    An update names the ``version`` the editor started from; a stale one raises ``StaleEdit``
    and writes nothing (REL-04).
    """
    allowed = clients_visible_to(actor=actor, capability=Capability.EPISODE_EDIT)
    if not may(actor=actor, client=client, capability=Capability.CHART_WRITE):
        # The discharge note is clinical narrative: registry staff neither read nor write it.
        values = {k: v for k, v in values.items() if k != "discharge_note"}
    if "program" in values and episode is None:
        offered = Program.objects.filter(
            part2.programs_offered_q(actor), pk=getattr(values["program"], "pk", values["program"])
        )
        if not offered.exists():
            raise ValidationError({"program": ["Choose a program."]})
    _clean_episode(values)
    with transaction.atomic():
        client = allowed.get(pk=client.pk)
        if episode is None:
            episode, action = Episode(client=client), AuditAction.CREATE
        else:
            episode = _current_for_edit(Episode, pk=episode.pk, client=client, version=version)
            action = AuditAction.CHANGE
        # One open episode per client and program, whether it is created, moved or reopened.
        program = values.get("program", episode.program_id)
        stays_open = not values.get("discharge_date", episode.discharge_date)
        if (
            stays_open
            and Episode.objects.filter(client=client, program=program, discharge_date__isnull=True)
            .exclude(pk=episode.pk)
            .exists()
        ):
            raise ValidationError(
                {"program": ["The client already has an open episode in this program."]}
            )
        changed = apply_changes(episode, values, EPISODE_FIELDS)
        if action == AuditAction.CREATE:
            episode.save()
        elif not changed:
            return episode
        else:
            assert version is not None  # checked by _current_for_edit
            _save_versioned(episode, changed=changed, version=version)
        audit_record(
            actor=actor,
            action=action,
            client=client,
            target=episode,
            purpose=AuditPurpose.OPERATIONS,
            detail={"fields": sorted(changed)},
        )
    return episode
