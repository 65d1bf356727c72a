"""SEC-22, SEC-23 (issue 14 class 2): a client link lasts no longer than the access that made it.

A link is a delegation of its creator's access to the client. For every kind of client link and
every way that access ends (a restriction, the end of the care-team place or of the supervision
that gave it, the expiry of the break-the-glass grant it was made under) and for revocation, the
link stops serving at once: its public page answers exactly what an expired link answers (the
plan's keeps the crisis numbers), binding or spending it is refused as well, and the refusal is
audited. A link made under a break-the-glass grant is audited with purpose ``BTG``.

The census: every model with a ``token_hash`` (a link) and every public token URL must have a
row in ``KINDS``, or in ``NOT_CLIENT_LINKS`` with the reason it opens no client's record; a new
kind of link fails here until it is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.db import models
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from alliance.access.delegation import DELEGATION_ENDED
from alliance.access.models import BreakGlassGrant, CareTeamMember, RestrictionReason
from alliance.access.services import break_glass_start, care_team_end, restriction_add
from alliance.assessments.models import Administration, SelfCompletionLink
from alliance.assessments.services import link_create, link_revoke
from alliance.audit.models import AuditEvent
from alliance.safety.links import plan_link_create, plan_link_revoke
from alliance.safety.models import SafetyPlanLink
from alliance.staff.models import SupervisionLink, User
from tests.personas import PASSWORD, Clinic
from tests.safety.conftest import signed_plan
from tests.web.test_public_links import public_token_routes

GAD7_ANSWERS = {f"item_{i}": "1" for i in range(1, 8)}
CRISIS = ('href="tel:988"', 'href="sms:988"', 'href="tel:911"')  # dialable crisis numbers


@dataclass(frozen=True)
class LinkKind:
    """How the census makes, uses and revokes one kind of client link."""

    model: type[models.Model]
    route: str  # the public URL name
    make: Callable[[Clinic, User], tuple[models.Model, str]]  # (link, token) made by the user
    use: Callable[[HttpClient, str, Clinic], None]  # the client opens (and binds) it
    refused_post: Callable[[Clinic], dict[str, str]]  # a bind or a spend, as the client posts it
    revoke: Callable[[Clinic, models.Model], object]
    refusal_says: tuple[str, ...]  # what the refusal page must show

    def path(self, token: str) -> str:
        return reverse(f"web:{self.route}", kwargs={public_token_routes()[self.route]: token})


def _plan_link(clinic: Clinic, creator: User) -> tuple[models.Model, str]:
    return plan_link_create(actor=creator, client=clinic.client_a)


def _open_plan(browser: HttpClient, path: str, clinic: Clinic) -> None:
    bound = browser.post(path, {"date_of_birth": clinic.client_a.date_of_birth.isoformat()})
    assert bound.status_code == 303
    page = browser.get(path)
    assert page.status_code == 200 and "Walk by the river" in page.content.decode()


def _measure_link(clinic: Clinic, creator: User) -> tuple[models.Model, str]:
    return link_create(actor=creator, client=clinic.client_a, instrument="gad7")


def _open_questionnaire(browser: HttpClient, path: str, clinic: Clinic) -> None:
    page = browser.get(path)
    assert page.status_code == 200 and "Send my answers" in page.content.decode()


def _revoke_measure_link(clinic: Clinic, link: models.Model) -> None:
    assert isinstance(link, SelfCompletionLink)
    link_revoke(actor=clinic.psychiatrist, link=link)


KINDS: dict[type[models.Model], LinkKind] = {
    SafetyPlanLink: LinkKind(
        model=SafetyPlanLink,
        route="safety_plan_public",
        make=_plan_link,
        use=_open_plan,
        refused_post=lambda clinic: {"date_of_birth": clinic.client_a.date_of_birth.isoformat()},
        revoke=lambda clinic, link: plan_link_revoke(
            actor=clinic.psychiatrist, client=clinic.client_a, link_id=link.pk
        ),
        refusal_says=CRISIS,
    ),
    SelfCompletionLink: LinkKind(
        model=SelfCompletionLink,
        route="questionnaire",
        make=_measure_link,
        use=_open_questionnaire,
        refused_post=lambda clinic: GAD7_ANSWERS,
        revoke=_revoke_measure_link,
        refusal_says=("This link cannot be used",),
    ),
}


# ------------------------------------------------------------------ ways the creator's access ends
#
# Each ends it and returns the moment the client next tries the link.


def _grant(clinic: Clinic) -> None:
    break_glass_start(
        actor=clinic.therapist_off_team,
        mrn=clinic.client_a.mrn,
        reason_code="crisis_call",
        reason_text="Crisis call, primary clinician on leave",
        password=PASSWORD,
    )


def _restrict(clinic: Clinic, creator: User, kind: LinkKind, link: models.Model) -> datetime:
    restriction_add(
        actor=clinic.privacy_officer,
        client=clinic.client_a,
        staff=creator,
        reason=RestrictionReason.RELATIVE,
        note="Synthetic: a relative of the client",
    )
    return timezone.now()


def _end_place(clinic: Clinic, creator: User, kind: LinkKind, link: models.Model) -> datetime:
    member = CareTeamMember.objects.get(client=clinic.client_a, staff=creator)
    care_team_end(actor=clinic.psychiatrist, member=member)
    return timezone.now()


def _end_supervision(clinic: Clinic, creator: User, kind: LinkKind, link: models.Model) -> datetime:
    # Supervision is kept in the staff administration (no service); it ends today.
    SupervisionLink.objects.filter(supervisor=creator).update(end_on=timezone.localdate())
    return timezone.now()


def _grant_runs_out(clinic: Clinic, creator: User, kind: LinkKind, link: models.Model) -> datetime:
    grant = BreakGlassGrant.objects.get(actor=creator, client=clinic.client_a)
    return grant.expires_at + timedelta(seconds=1)


def _revoke(clinic: Clinic, creator: User, kind: LinkKind, link: models.Model) -> datetime:
    kind.revoke(clinic, link)
    return timezone.now()


@dataclass(frozen=True)
class Ending:
    creator: str  # the persona who makes the link
    end: Callable[[Clinic, User, LinkKind, models.Model], datetime]
    refused: str  # the ``refused`` detail of the audited refusal
    setup: Callable[[Clinic], None] = lambda clinic: None  # gives the creator the client


ENDINGS: dict[str, Ending] = {
    "restriction added": Ending("therapist_on_team", _restrict, DELEGATION_ENDED),
    "care-team place ended": Ending("therapist_on_team", _end_place, DELEGATION_ENDED),
    "supervision ended": Ending("supervisor", _end_supervision, DELEGATION_ENDED),
    "break-the-glass grant expired": Ending(
        "therapist_off_team", _grant_runs_out, DELEGATION_ENDED, setup=_grant
    ),
    "link revoked": Ending("therapist_on_team", _revoke, "revoked or expired"),
}


# Links with a token that act for no one on a client's record: model, public URL name, why.
NOT_CLIENT_LINKS = {
    "staff.MfaEnrolmentInvite": (
        "mfa_enrol_link",
        "a staff member enrols their own authenticator: it opens no client's record",
    ),
}


def _client_link_models() -> set[type[models.Model]]:
    """Every model with a token (a link), but those of ``NOT_CLIENT_LINKS``."""
    return {
        model
        for model in apps.get_models()
        if any(field.name == "token_hash" for field in model._meta.get_fields())
        and model._meta.label not in NOT_CLIENT_LINKS
    }


def _client_link_routes() -> set[str]:
    """Every public URL that takes a token, but those of ``NOT_CLIENT_LINKS``."""
    others = {route for route, _why in NOT_CLIENT_LINKS.values()}
    return set(public_token_routes()) - others


def _expired_answer(kind: LinkKind, clinic: Clinic) -> tuple[int, str]:
    """What the client sees on an expired link of this kind: the answer a dead one must give."""
    link, token = kind.make(clinic, clinic.therapist_on_team)
    kind.model._default_manager.filter(pk=link.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = HttpClient().get(kind.path(token))
    return response.status_code, response.content.decode()


def test_the_census_knows_every_kind_of_client_link() -> None:
    """Issue 14 class 2: each model with a token and each public token URL has a row here."""
    assert _client_link_models() == set(KINDS), (
        "add the new kind of link to KINDS (issue 14 class 2)"
    )
    assert {kind.route for kind in KINDS.values()} == _client_link_routes()


@pytest.mark.parametrize("ending", list(ENDINGS))
@pytest.mark.parametrize("model", list(KINDS), ids=lambda model: model._meta.label)
def test_a_link_stops_when_its_creators_access_ends(
    model: type[models.Model], ending: str, clinic: Clinic
) -> None:
    """SEC-22, SEC-23 (issue 14 class 2): ``ending`` stops the link at once, with the page an
    expired link answers (the plan's with the crisis numbers); binding or spending it is
    refused too, and every refusal is audited."""
    kind, way = KINDS[model], ENDINGS[ending]
    signed_plan(clinic.therapist_on_team, clinic.client_a)
    expired_status, expired_page = _expired_answer(kind, clinic)
    assert expired_status == 404 and all(text in expired_page for text in kind.refusal_says)
    # given: a link made by the creator, in the client's hands and working
    way.setup(clinic)
    creator = User.objects.get(pk=getattr(clinic, way.creator).pk)
    link, token = kind.make(clinic, creator)
    path = kind.path(token)
    phone = HttpClient()
    kind.use(phone, path, clinic)
    refusals = AuditEvent.objects.filter(
        object_type=model._meta.label, object_id=str(link.pk), outcome="denied"
    )
    assert not refusals.exists()
    # when
    moment = way.end(clinic, creator, kind, link)
    # then: an expired link's answer, on the client's phone and on any other browser
    with freeze_time(moment):
        for browser in (phone, HttpClient()):
            opened = browser.get(path)
            assert (opened.status_code, opened.content.decode()) == (expired_status, expired_page)
            posted = browser.post(path, kind.refused_post(clinic))
            assert (posted.status_code, posted.content.decode()) == (expired_status, expired_page)
    assert not Administration.objects.exists()
    assert refusals.count() == 4
    assert set(refusals.values_list("detail__refused", flat=True)) == {way.refused}
    assert set(refusals.values_list("client_id", flat=True)) == {clinic.client_a.pk}


@pytest.mark.parametrize("model", list(KINDS), ids=lambda model: model._meta.label)
def test_a_link_made_under_break_the_glass_is_audited_as_such(
    model: type[models.Model], clinic: Clinic
) -> None:
    """SEC-22, SEC-23 (issue 14 class 2): a link's creation row carries the purpose of the
    access that made it: ``BTG`` under a grant, ``TREAT`` from the care team."""
    kind = KINDS[model]
    signed_plan(clinic.therapist_on_team, clinic.client_a)
    _grant(clinic)
    made = {
        "BTG": kind.make(clinic, clinic.therapist_off_team)[0],
        "TREAT": kind.make(clinic, clinic.therapist_on_team)[0],
    }
    for purpose, link in made.items():
        created = AuditEvent.objects.get(
            action="create", object_type=model._meta.label, object_id=str(link.pk)
        )
        assert created.purpose == purpose
