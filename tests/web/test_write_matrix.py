"""The write census: every route that takes a POST, for every persona, inside and outside its
care (SEC-10, SEC-14; issue 14 class 7, "writes the access matrix never tries").

The access matrix requests every route with GET, so a POST-only view answers 405 to every
persona there and proves the gate, not the policy. Here each persona POSTs a valid form, with
the CSRF token its own session was given, to every route whose view takes a POST: once aimed
at client_a and its objects (the care of client_a's team), once at client_b and its objects
(nobody's care among the personas). A refused persona gets the table's status and the
database is unchanged; an allowed persona's POST is stored, which proves the form was valid,
so the refusals are the policy's and not a bad payload's.

The census walks the URL resolver as the access matrix does: a new route whose view takes a
POST fails ``test_every_route_that_takes_a_post_has_a_write_matrix_entry`` until a
``tests/web/write_matrix_<domain>.py`` says what its POST does and who may make it.

"Unchanged" covers every table of the project's apps but the audit trail (refusals are
audited, SEC-23); sessions and django-axes are not the project's. Each POST runs inside a
savepoint that is rolled back, so every POST meets the same database and one persona's
write never changes the next request's answer.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.forms import BaseForm, BaseFormSet
from django.template import Context
from django.test import Client as HttpClient
from django.test.utils import ContextList
from django.urls import reverse
from django.utils import timezone

import tests.web
from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.staff.disciplines import Discipline, LicenceType
from alliance.staff.models import User
from tests.conftest import sign_in
from tests.personas import Clinic, build_clinic, make_user
from tests.web import test_access_matrix as access_matrix
from tests.web.matrix_modules import MATRIX_MODULES
from tests.web.write_matrix_base import PERSONAS, Allowed, Target, Want, Write, takes_post

# ---------------------------------------------------------------- the tables

WRITE_MODULES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(f"tests.web.{info.name}")
    for info in sorted(pkgutil.iter_modules(tests.web.__path__), key=lambda i: i.name)
    if info.name.startswith("write_matrix_") and info.name != "write_matrix_base"
)


def _merged() -> tuple[dict[str, Write], frozenset[str]]:
    writes: dict[str, Write] = {}
    reads: set[str] = set()
    for module in WRITE_MODULES:
        twice = (set(module.WRITES) | module.READS) & (set(writes) | reads)
        assert not twice, f"{module.__name__}: routes already in another table: {twice}"
        writes.update(module.WRITES)
        reads |= module.READS
    return writes, frozenset(reads)


WRITES, READS = _merged()

# ---------------------------------------------------------------- which routes take a POST


def census() -> dict[str, bool]:
    """Every route of the web namespace, and whether its view takes a POST."""
    return {f"web:{p.name}": takes_post(p.callback) for p in access_matrix.web_patterns()}


# ---------------------------------------------------------------- the two clients


@dataclass(frozen=True)
class Targets:
    inside: Target
    outside: Target


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """The access census's ``objects()`` fixture, called for a clinic of our choosing."""
    make: Callable[[Clinic], dict[str, int | str]]
    make = access_matrix.objects.__wrapped__  # type: ignore[attr-defined]
    return dict(make(clinic))


def write_objects(clinic: Clinic) -> dict[str, int | str]:
    """The objects of ``clinic.client_a`` that the write forms need beyond the census's."""
    found: dict[str, int | str] = {}
    for module in WRITE_MODULES:
        make = getattr(module, "write_objects", None)
        if make is not None:
            found.update(make(clinic))
    return found


def mirrored_objects(mirror: Clinic, inside: Mapping[str, int | str]) -> dict[str, int | str]:
    """The access census's objects made again for ``mirror.client_a`` (client_b).

    ``objects()`` makes the registry objects, then asks each ``matrix_<domain>`` module for
    its own. A domain whose objects belong to no client (an account and its enrolment link)
    cannot make them twice: both sides share the inside ones.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(access_matrix, "MATRIX_MODULES", ())
        found = census_objects(mirror)
    for module in MATRIX_MODULES:
        try:
            with transaction.atomic():
                found.update(module.census_objects(mirror))
        except IntegrityError:
            continue
    return {**inside, **found}


def make_targets(clinic: Clinic) -> Targets:
    """client_a with its objects, and client_b with the same objects, made in a mirror clinic.

    In the mirror, client_b's own counsellor plays ``therapist_on_team`` (she makes its notes,
    plans and reports) and a stranger plays ``therapist_off_team`` (the census gives that role
    an expired emergency grant and a restriction). Neither is a persona, so client_b stays
    outside every persona's care, and no persona is kept out of it by anything but that.
    """
    inside = {**census_objects(clinic), **write_objects(clinic)}
    counsellor = make_user("cora_lindgren", Discipline.COUNSELOR, LicenceType.LPC)
    stranger = make_user("otto_brandt", Discipline.COUNSELOR, LicenceType.LPC)
    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=counsellor,
        role=CareTeamRole.PRIMARY_CLINICIAN,
        start_on=timezone.localdate() - timedelta(days=30),
    )
    mirror = Clinic(
        users={**clinic.users, "therapist_on_team": counsellor, "therapist_off_team": stranger},
        client_a=clinic.client_b,
        client_b=clinic.client_a,
        program=clinic.program,
    )
    outside = {**mirrored_objects(mirror, inside), **write_objects(mirror)}
    return Targets(
        Target(clinic, clinic.client_a, inside), Target(mirror, clinic.client_b, outside)
    )


@dataclass(frozen=True)
class World:
    clinic: Clinic
    targets: Targets
    no_role: User


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The persona clinic and both targets, made once for the module.

    They are made in a transaction that is rolled back when the module is done; each test
    runs in a savepoint of it (pytest-django's ``db``), and each POST in a savepoint of that.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        clinic = build_clinic()
        no_role = make_user("nora_norole", "volunteer", None)
        yield World(clinic, make_targets(clinic), no_role)
        transaction.set_rollback(True)


def aims(write: Write, targets: Targets) -> Iterator[tuple[str, Target, Mapping[str, Want]]]:
    yield "inside", targets.inside, write.inside
    if write.outside is not None:
        yield "outside", targets.outside, write.outside


def url_of(name: str, target: Target, write: Write) -> str:
    ids = {**target.ids, **{param: target.ids[key] for param, key in write.swap.items()}}
    return access_matrix.url_for(name, ids)


# ---------------------------------------------------------------- a browser per persona

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser(persona: str, world: World) -> HttpClient:
    """A browser that checks CSRF as a real one does, signed in as ``persona``."""
    http = HttpClient(enforce_csrf_checks=True)
    if persona == "anonymous":
        return http
    if persona == "no_role":
        return sign_in(http, world.no_role)
    return sign_in(http, getattr(world.clinic, persona))


def form_token(http: HttpClient) -> str:
    """The CSRF token of a form the persona is shown: the sign-in form, or the sign-out form
    of the page the sign-in page sends a signed-in persona to."""
    page = http.get(reverse("web:login"), follow=True)
    found = TOKEN.search(page.content.decode())
    assert found, "no form with a CSRF token on the persona's first page"
    return found.group(1)


# ---------------------------------------------------------------- the database, before and after

Snapshot = dict[str, list[tuple[Any, ...]]]
UNWATCHED_APPS = frozenset({"audit"})  # refusals are audited (SEC-23): that is not a write


def watched_tables() -> list[tuple[str, str, str]]:
    """(model, table, primary key) of every concrete model of the project's apps."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.app_config.name.startswith("alliance.") or meta.app_label in UNWATCHED_APPS:
            continue
        if meta.proxy or not meta.managed:
            continue
        assert meta.pk is not None and meta.pk.column, meta.label
        found.add((meta.label, meta.db_table, meta.pk.column))
    return sorted(found)


def snapshot(tables: list[tuple[str, str, str]]) -> Snapshot:
    """Every row of every watched table (a few hundred rows: cheaper than hashing them)."""
    quote = connection.ops.quote_name
    rows: Snapshot = {}
    with connection.cursor() as cursor:
        for label, table, pk in tables:
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            rows[label] = cursor.fetchall()
    return rows


@dataclass
class Attempt:
    response: Any  # the test client's response: an HttpResponse with its request attached
    changed: list[str]
    error: str = ""


def post_and_undo(
    http: HttpClient,
    url: str,
    data: dict[str, object],
    tables: list[tuple[str, str, str]],
    baseline: Snapshot,
) -> Attempt:
    """POST, note which tables changed, then roll the database and the browser back."""
    cookies = copy.deepcopy(http.cookies)
    attempt = Attempt(None, [])
    try:
        with transaction.atomic():
            attempt.response = http.post(url, data)
            after = snapshot(tables)
            attempt.changed = [label for label, rows in after.items() if rows != baseline[label]]
            transaction.set_rollback(True)
    except Exception as error:
        attempt.error = f"raised {type(error).__name__}: {error}"
    http.cookies = cookies
    return attempt


def form_errors(response: Any) -> str:
    """The errors of the forms a page shows again, to say why a payload was not taken."""
    context = getattr(response, "context", None)
    contexts = context if isinstance(context, ContextList) else [context] if context else []
    found = {}
    for shown in contexts:
        values = shown.flatten() if isinstance(shown, Context) else shown
        for key, form in values.items():
            if isinstance(form, BaseForm | BaseFormSet) and form.is_bound and form.errors:
                found[key] = form.errors
    return f" {found}" if found else ""


def verdict(want: Want, attempt: Attempt) -> str:
    """What is wrong with the attempt, or "" when it is what the table says."""
    if attempt.error or attempt.response is None:
        return attempt.error
    got = access_matrix.outcome(attempt.response)
    if isinstance(want, Allowed):
        if attempt.response.status_code >= 400:
            return f"expected {want.value}, got {got}{form_errors(attempt.response)}"
        if want is Allowed.STORED and not attempt.changed:
            return f"nothing stored ({got}): is the payload valid?{form_errors(attempt.response)}"
        if want is Allowed.ANSWERED and attempt.changed:
            return f"expected nothing stored, but {got} wrote to {attempt.changed}"
        return ""
    if got != want:
        wrote = f" and wrote to {attempt.changed}" if attempt.changed else ""
        return f"expected {want}, got {got}{wrote}"
    if attempt.changed:
        return f"refused ({got}) but wrote to {attempt.changed}"
    return ""


# ---------------------------------------------------------------- the census


def test_every_route_that_takes_a_post_has_a_write_matrix_entry(db: None) -> None:
    """SEC-14: a route whose view takes a POST, without a write-matrix entry, fails the suite."""
    routes = census()
    posting = {name for name, post in routes.items() if post}
    listed = set(WRITES) | READS
    missing = sorted(posting - listed)
    assert not missing, f"routes that take a POST without a write-matrix entry: {missing}"
    stale = sorted(listed - set(routes))
    assert not stale, f"write-matrix entries for routes that no longer exist: {stale}"
    no_post = sorted(listed - posting)
    assert not no_post, f"write-matrix entries for routes whose view takes no POST: {no_post}"


def test_census_finds_the_posts_it_must(db: None) -> None:
    """The detection finds both kinds of POST view (guards against a walk that finds none)."""
    routes = census()
    # require_POST, require_http_methods(["GET", "POST"]), an undecorated form view.
    for name in ("web:care_team_end", "web:diagnosis_add", "web:client_edit", "web:logout"):
        assert routes[name], name
    # require_GET and require_safe.
    for name in ("web:problem_list", "web:disclosure_entry"):
        assert not routes[name], name
    assert len(WRITES) >= 60


def test_write_refusals_agree_with_the_access_matrix(db: None) -> None:
    """SEC-09: a persona the access matrix refuses on GET is refused the POST the same way."""
    assert PERSONAS == access_matrix.PERSONAS
    wrong = []
    for name, write in WRITES.items():
        for persona, want in write.inside.items():
            seen = access_matrix.EXPECTED.get(name, {}).get(persona)  # no row: its census fails
            if seen not in (None, 200, 405) and want != seen:
                wrong.append(f"{name} {persona}: GET {seen}, POST table says {want}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- the matrix


@pytest.mark.parametrize("persona", PERSONAS)
def test_write_matrix(persona: str, world: World, db: None) -> None:
    """SEC-10, SEC-14: each persona's valid POST to every write route, for a client inside and
    outside its care, gets exactly the table's answer; a refusal changes nothing in the
    database, an allowed POST stores what it was sent."""
    http = browser(persona, world)
    token = form_token(http)
    tables = watched_tables()
    baseline = snapshot(tables)
    wrong = []
    for name, write in sorted(WRITES.items()):
        for side, target, cells in aims(write, world.targets):
            url = url_of(name, target, write)
            data = {**write.payload(target), "csrfmiddlewaretoken": token}
            problem = verdict(cells[persona], post_and_undo(http, url, data, tables, baseline))
            if problem:
                wrong.append(f"POST {name} ({side}) {url}: {problem}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


def asker(name: str) -> str | None:
    """The first signed-in persona the access matrix lets GET ``name``."""
    cells = access_matrix.EXPECTED.get(name, {})
    return next((p for p in PERSONAS[1:] if cells.get(p) == 200), None)


def test_posts_to_read_pages_store_nothing(world: World, db: None) -> None:
    """SEC-14: a page listed as a read takes a POST as it takes a GET (200, nothing stored),
    and a route whose view takes no POST answers 405, asked by someone who may GET it."""
    routes = census()
    names = sorted(READS | {n for n, post in routes.items() if not post})
    askers = {n: asker(n) for n in names}
    unasked = [n for n, persona in askers.items() if persona is None]
    assert not unasked, f"no persona may GET these, so none can show what a POST does: {unasked}"
    browsers = {}
    for persona in sorted({p for p in askers.values() if p is not None}):
        http = browser(persona, world)
        browsers[persona] = (http, form_token(http))
    tables = watched_tables()
    baseline = snapshot(tables)
    wrong = []
    for name in names:
        http, token = browsers[str(askers[name])]
        url = access_matrix.url_for(name, dict(world.targets.inside.ids))
        want = 200 if routes[name] else 405
        attempt = post_and_undo(http, url, {"csrfmiddlewaretoken": token}, tables, baseline)
        problem = verdict(want, attempt)
        if problem:
            wrong.append(f"POST {name} as {askers[name]} {url}: {problem}")
    assert not wrong, "\n".join(wrong)
