"""The home page's follow-up tasks, each with its own completion form (a section of the home
page, not a view: the home view imports it)."""

from __future__ import annotations

from dataclasses import dataclass

from alliance.crisis.models import FollowUpTask
from alliance.crisis.selectors import follow_ups_for_home
from alliance.staff.models import User
from alliance.web.crisis.forms import FollowUpCompleteForm


@dataclass(frozen=True)
class HomeTask:
    task: FollowUpTask
    overdue: bool
    form: FollowUpCompleteForm


@dataclass(frozen=True)
class HomeFollowUps:
    rows: list[HomeTask]
    supervising: bool


def home_follow_ups(*, actor: User) -> HomeFollowUps:
    """The home page's follow-up tasks, each with its own completion form (one context line of
    ``web.home.views``)."""
    found = follow_ups_for_home(actor=actor)
    rows = [
        HomeTask(row.task, row.overdue, FollowUpCompleteForm(prefix=f"t{row.task.pk}"))
        for row in found.rows
    ]
    return HomeFollowUps(rows, found.supervising)
