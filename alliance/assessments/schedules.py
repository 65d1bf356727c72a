"""Measurement schedules: which measures fall due, and when (run by the background task).

A due measure shows on the care team's caseload until an administration of that instrument
arrives. It does not send a link by itself: a link's token is kept only as a hash, so it must
reach the client when it is made, and Alliance has no messaging channel yet; the caseload
puts "send link" and "give now" one click away instead.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance import instruments
from alliance.access.delegation import delegation_alive
from alliance.access.policy import client_for
from alliance.assessments.links import LINK_CAPABILITY, link_issue
from alliance.assessments.models import Administration, DueMeasure, MeasurementSchedule
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.core.aftercommit import after_commit
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

MAXIMUM_EVERY_DAYS = 365


def schedule_create(
    *,
    actor: User,
    client: Client,
    instrument: str,
    every_days: int,
    first_due_on: date | None,
    send_by_email: bool = False,
) -> MeasurementSchedule:
    client_for(actor=actor, client_id=client.pk, capability=Capability.CHART_WRITE)
    errors: dict[str, list[str]] = {}
    try:
        instruments.get(instrument)
    except instruments.UnknownInstrument:
        errors["instrument"] = ["Choose a questionnaire."]
    if not 1 <= every_days <= MAXIMUM_EVERY_DAYS:
        errors["every_days"] = [f"Choose between 1 and {MAXIMUM_EVERY_DAYS} days."]
    today = timezone.localdate()
    if first_due_on and first_due_on < today:
        errors["first_due_on"] = ["The first date cannot be in the past."]
    if send_by_email and not client.email:
        errors["send_by_email"] = ["The client has no email address in the registry."]
    if MeasurementSchedule.objects.filter(
        client=client, instrument=instrument, ended_on__isnull=True
    ).exists():
        errors["instrument"] = ["This questionnaire already has a schedule for the client."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule = MeasurementSchedule.objects.create(
            client=client,
            instrument=instrument,
            every_days=every_days,
            next_due_on=first_due_on or today,
            send_by_email=send_by_email,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=schedule,
            detail={
                "instrument": instrument,
                "every_days": every_days,
                "send_by_email": send_by_email,
            },
        )
    return schedule


def schedule_end(*, actor: User, schedule: MeasurementSchedule) -> None:
    client_for(actor=actor, client_id=schedule.client_id, capability=Capability.CHART_WRITE)
    today = timezone.localdate()
    with transaction.atomic():
        MeasurementSchedule.objects.filter(pk=schedule.pk, ended_on__isnull=True).update(
            ended_on=today, updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=schedule.client_id,
            target=schedule,
            detail={"fields": ["ended_on"]},
        )


def measures_fall_due(*, today: date | None = None) -> int:
    """Create the due measures of every schedule whose date has come; advance the schedules.

    Safe to run any number of times, by any number of workers at once, and after a run cut
    short (issue 15): each schedule moves on in its own transaction, together with its due
    measure, the audit row and the email (sent on commit), and only from the date this run
    read, so a date is acted on once. The unique constraint (one due row per schedule and
    date) backs that up. An email is sent at most once: a worker killed between the commit and
    the send loses it, and the measure still shows as due on the caseload.
    """
    day = today or timezone.localdate()
    created = 0
    for schedule in MeasurementSchedule.objects.filter(ended_on__isnull=True, next_due_on__lte=day):
        due_on = schedule.next_due_on
        next_due = due_on + timedelta(days=schedule.every_days)
        while next_due <= day:  # a worker that was down does not pile up missed dates
            next_due += timedelta(days=schedule.every_days)
        try:
            with transaction.atomic():
                # Another run moved it on (or someone ended it) since this run read it.
                if not MeasurementSchedule.objects.filter(
                    pk=schedule.pk, next_due_on=due_on, ended_on__isnull=True
                ).update(next_due_on=next_due, updated_at=timezone.now()):
                    continue
                due = DueMeasure.objects.create(
                    schedule=schedule,
                    client_id=schedule.client_id,
                    instrument=schedule.instrument,
                    due_on=due_on,
                )
                audit_record(
                    actor=None,
                    actor_username="system",
                    action=AuditAction.CREATE,
                    client=schedule.client_id,
                    object_type="assessments.DueMeasure",
                    object_id=f"{schedule.pk}:{due_on.isoformat()}",
                    purpose=AuditPurpose.SYSTEM,
                    detail={"instrument": schedule.instrument},
                )
                if schedule.send_by_email:
                    _email_link(schedule, due)
            created += 1
        except IntegrityError:
            continue  # another worker got there first
    return created


def _email_link(schedule: MeasurementSchedule, due: DueMeasure) -> None:
    """Issue the due measure's link and email it once the transaction commits.

    The message names only the clinic and carries the link: nothing about the client.
    """
    client = Client.objects.get(pk=schedule.client_id)
    if not client.email:
        return
    # The link would act for the schedule's creator: not once their access to the client has
    # ended (issue 14 class 2). The measure stays due for the care team to give in session.
    if not delegation_alive(creator=schedule.created_by, client=client, capability=LINK_CAPABILITY):
        return
    link, token = link_issue(
        client=client, instrument=schedule.instrument, issued_by=schedule.created_by
    )
    DueMeasure.objects.filter(pk=due.pk).update(link=link)
    url = settings.BASE_URL + reverse("web:questionnaire", args=[token])
    body = (
        f"Hello,\n\n{settings.CLINIC_NAME} asks you to fill in a short questionnaire before "
        f"your next visit. It takes a few minutes:\n\n{url}\n\nThe link works once and "
        f"expires on {link.expires_at:%Y-%m-%d}. If you did not expect this message, please "
        f"call the clinic.\n"
    )
    address = client.email
    # A mail server that refuses is logged (the due measure's id, never the address) and the
    # measure stays on the caseload; it never undoes the committed schedule step (issue 15).
    after_commit(
        lambda: send_mail(
            f"A questionnaire from {settings.CLINIC_NAME}",
            body,
            None,
            [address],
        ),
        what=f"questionnaire link email for due measure #{due.pk}",
    )


def due_measures_satisfy(*, administration: Administration) -> None:
    """An administration completes the client's open due measures of that instrument.

    Older unmet dates are met by it too: one PHQ-9 today answers every PHQ-9 still due.
    """
    DueMeasure.objects.filter(
        client_id=administration.client_id,
        instrument=administration.instrument,
        done_by__isnull=True,
        due_on__lte=administration.completed_at.date(),
    ).update(done_by=administration, updated_at=timezone.now())
