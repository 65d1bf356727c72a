"""Issuing self-completion links: a random token for the client, only its hash kept here.

A link is a delegation of its creator's access (issue 14 class 2, ``access.delegation``): it
works only while the access policy still gives the creator ``LINK_CAPABILITY`` on the client
(``services.link_open``), and its creation is audited with the purpose of that access (``BTG``
under a break-the-glass grant).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alliance import instruments
from alliance.access.delegation import delegation_purpose
from alliance.assessments.models import SelfCompletionLink
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

# What making a link needs, and what keeps it alive for its creator (issue 14 class 2).
LINK_CAPABILITY = Capability.CHART_WRITE


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(
    *, client: Client, instrument: str, issued_by: User | None, kiosk: bool = False
) -> tuple[SelfCompletionLink, str]:
    """Make the link (access already decided by the caller: a clinician, or a schedule).

    The link acts for ``issued_by`` (a schedule's link for the schedule's creator): it stops
    working when their access to the client ends. A link issued by nobody is never usable.
    """
    instruments.get(instrument)
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=2) if kiosk else timedelta(days=settings.MEASURE_LINK_DAYS)
    with transaction.atomic():
        link = SelfCompletionLink.objects.create(
            client=client,
            instrument=instrument,
            token_hash=token_hash(token),
            created_by=issued_by,
            kiosk=kiosk,
            expires_at=timezone.now() + lifetime,
        )
        audit_record(
            actor=issued_by,
            actor_username="" if issued_by else "system",
            action=AuditAction.CREATE,
            client=client,
            target=link,
            purpose=delegation_purpose(creator=issued_by, client=client) if issued_by else None,
            detail={"instrument": instrument, "kiosk": kiosk},
        )
    return link, token
