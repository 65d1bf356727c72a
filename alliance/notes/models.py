"""Sessions (encounters) and the notes that document them.

A note is a draft until its author signs it. Signing locks it: the database itself refuses any
change to a signed note's content or identity, and any deletion (``notes.guards``, REL-01,
REL-02); afterwards only addenda, co-signature, CPT confirmation and "entered in error" are
written. Every save of a note writes a ``NoteVersion`` in the same transaction (REL-03).

Psychotherapy notes live in the same table with ``template = psychotherapy`` but are invisible to
the default manager: ``Note.objects`` never returns one, so a list, search or export built on it
cannot leak them (SEC-16). Only ``Note.all_kinds`` sees them, and only ``notes.selectors`` uses
it, with the author-only rule.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.clients.models import Client
from alliance.core.models import UndeletableModel
from alliance.records.models import (
    DocumentAddendum,
    DocumentStatus,
    DocumentVersion,
    EnteredInError,
    Part2Labelled,
    SignedDocument,
)


class EncounterType(models.TextChoices):
    INTAKE = "intake_assessment", "Intake assessment"
    INDIVIDUAL = "individual", "Individual therapy"
    FAMILY = "family", "Family therapy"
    GROUP = "group", "Group therapy"
    CRISIS = "crisis", "Crisis intervention"
    CASE_MANAGEMENT = "case_management", "Case management contact"
    MEDICATION_MANAGEMENT = "medication_management", "Medication management"
    COLLATERAL = "collateral", "Collateral contact"


class EncounterSetting(models.TextChoices):
    OFFICE = "office", "Office"
    TELEHEALTH_VIDEO = "telehealth_video", "Telehealth (video)"
    PHONE = "phone", "Phone"
    HOME_COMMUNITY = "home_community", "Home or community"


class Encounter(UndeletableModel, Part2Labelled):
    """One session or contact with (or about) a client. Never deleted, never moved (guards)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="encounters")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    encounter_type = models.CharField("type", max_length=30, choices=EncounterType.choices)
    setting = models.CharField(max_length=30, choices=EncounterSetting.choices)
    participants = models.JSONField(
        default=list, blank=True, help_text="Who took part besides the clinician, collaterals too"
    )
    client_present = models.BooleanField(
        "the client took part",
        default=True,
        help_text="Decides family therapy with (90847) or without (90846) the client.",
    )

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        indexes = [
            models.Index(
                fields=["client", "-date", "-start_time"], name="encounter_client_date_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="encounter_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_encounter_type_display()} on {self.date:%Y-%m-%d}"

    @property
    def duration_minutes(self) -> int:
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        return end - start

    @property
    def ended_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.end_time))


class NoteTemplate(models.TextChoices):
    INTAKE = "intake", "Intake / biopsychosocial assessment"
    SOAP = "soap", "SOAP progress note"
    DAP = "dap", "DAP progress note"
    BIRP = "birp", "BIRP progress note"
    GIRP = "girp", "GIRP progress note"
    FREE_TEXT = "free_text", "Free text note"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy note (private: only you can read it)"


NoteStatus = DocumentStatus  # a note is a draft, then signed (records kernel)


class CosignStatus(models.TextChoices):
    NOT_NEEDED = "", "Not needed"
    PENDING = "pending", "Waiting for co-signature"
    COSIGNED = "cosigned", "Co-signed"
    RETURNED = "returned", "Returned by the supervisor"


class RecordNoteManager(models.Manager["Note"]):
    """Notes of the clinical record: psychotherapy notes are never among them (SEC-16)."""

    def get_queryset(self) -> models.QuerySet[Note]:
        return super().get_queryset().exclude(template=NoteTemplate.PSYCHOTHERAPY)


class Note(SignedDocument, EnteredInError, Part2Labelled):
    """A note about a client, usually about one encounter. ``version`` is the optimistic lock."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="notes")
    encounter = models.ForeignKey(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    template = models.CharField(max_length=20, choices=NoteTemplate.choices)
    content = models.JSONField(default=dict, help_text="Section name → text")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    cpt_suggested = models.CharField("suggested CPT code", max_length=40, blank=True)
    cpt_confirmed = models.CharField("confirmed CPT code", max_length=40, blank=True)
    cpt_confirmed_at = models.DateTimeField(null=True, blank=True)

    cosign_status = models.CharField(
        max_length=10, choices=CosignStatus.choices, default=CosignStatus.NOT_NEEDED, blank=True
    )
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)

    objects = RecordNoteManager()
    all_kinds = models.Manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "all_kinds"
        indexes = [
            models.Index(fields=["client", "encounter"], name="note_client_encounter_idx"),
            models.Index(fields=["author", "status"], name="note_author_status_idx"),
            models.Index(fields=["cosign_status", "author"], name="note_cosign_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_template_display()} ({self.get_status_display()})"

    @property
    def is_psychotherapy(self) -> bool:
        return self.template == NoteTemplate.PSYCHOTHERAPY

    @property
    def cpt_codes(self) -> list[str]:
        return [code for code in self.cpt_suggested.split("+") if code]


class NoteVersion(DocumentVersion):
    """The note as one save left it (REL-03). Append-only in the database."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["note_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="note_version_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.version} of note {self.note_id}"


class Addendum(DocumentAddendum):
    """Text added to a signed note, signed on its own (REL-01). Append-only in the database."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")

    class Meta:
        ordering = ["note_id", "written_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"addendum to note {self.note_id} ({self.written_at:%Y-%m-%d})"


class CosignDecision(models.TextChoices):
    COSIGNED = "cosigned", "Co-signed"
    RETURNED = "returned", "Returned with comments"


class CosignReview(models.Model):
    """A supervisor's decision on a supervisee's note, kept for every round. Append-only."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="cosign_reviews")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=CosignDecision.choices)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["note_id", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} note {self.note_id}"
