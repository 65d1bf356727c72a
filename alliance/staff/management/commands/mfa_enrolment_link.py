"""``alliance manage mfa_enrolment_link USER``: a two-factor enrolment link from the server.

The first staff administrator has nobody to issue them a link in the web interface; whoever runs
the server does, here. The link is printed once, to this terminal only (audited as issued from
the command line); give it to the person yourself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from alliance.staff.enrolment import mfa_invite_issue
from alliance.staff.models import User


class Command(BaseCommand):
    help = "Issue a single-use two-factor enrollment link for one staff account and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = str(options["username"]).strip().lower()
        staff = User.objects.filter(username__iexact=username, is_active=True).first()
        if staff is None:
            raise CommandError(f"no active staff account {username!r}")
        try:
            invite, token = mfa_invite_issue(actor=None, staff=staff)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        path = reverse("web:mfa_enrol_link", kwargs={"enrolment_token": token})
        self.stdout.write(f"Enrollment link for {staff.username} (works once):")
        self.stdout.write(f"  {settings.BASE_URL}{path}")
        self.stdout.write(f"Valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC.")
