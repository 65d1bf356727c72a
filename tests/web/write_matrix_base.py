"""What the write census's tables are made of (``tests/web/write_matrix_<domain>.py``).

Each domain module holds ``WRITES`` (a ``Write`` per route whose POST writes, or answers a
form such as a search), ``READS`` (routes whose view takes a POST but only shows a page) and,
if its forms need objects the access census does not make, ``write_objects(clinic)``.
``test_write_matrix`` finds the modules by name, as the access matrix finds ``matrix_*``.

A cell of a row is what one persona's POST must get: ``STORED`` (accepted, and the record
changed), ``ANSWERED`` (accepted, nothing stored: a search, a sign-out) or a refusal, the
status the access matrix uses (404, 403, ``LOGIN``), always with the database unchanged.

A new route is a few lines in its domain's module: a payload built against the target, and
who may post it (the rows for client_b are usually client_a's with ``beyond_care``)::

    def consent(target: Target) -> dict[str, object]:
        return {"recipient": "Riverside Clinic", "signed_on": "2026-01-05"}

    WRITE = clinical(on=STORED, off=404, peer=STORED, registry=403)
    WRITES = {"web:consent_record": Write(consent, WRITE, beyond_care(WRITE))}

``takes_post`` and ``post_only`` read the methods a view serves off the view itself: the
census uses the first, other tests that must ask a POST-only page with a POST the second.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from alliance.clients.models import Client
from tests.personas import Clinic

# The columns are the access matrix's (``no_role``: a discipline that grants no capability).
from tests.web.test_access_matrix import PERSONAS


class Allowed(Enum):
    STORED = "stored"
    ANSWERED = "answered"


STORED = Allowed.STORED
ANSWERED = Allowed.ANSWERED
LOGIN = (302, "/login/")
HOME = (302, "/")

Want = Allowed | int | tuple[int, str]

REGISTRY_STAFF = ("front_desk", "intake")


@dataclass(frozen=True)
class Target:
    """What a payload is built against: one client, the ids of its objects, its clinic.

    ``clinic`` is the persona clinic seen from this client: for client_b it is a mirror in
    which ``therapist_on_team`` is client_b's own counsellor, so ``clinic.client_a`` is always
    the client aimed at.
    """

    clinic: Clinic
    client: Client
    ids: Mapping[str, int | str]

    def id(self, key: str) -> int:
        return int(self.ids[key])


Payload = Callable[[Target], dict[str, object]]


def empty(target: Target) -> dict[str, object]:
    """A button with no fields (end, revoke, lift): the token is all it sends."""
    return {}


@dataclass(frozen=True)
class Write:
    """One route whose POST does something.

    ``inside`` aims at client_a and its objects (client_a's care team: therapist_on_team,
    psychiatrist, peer_specialist, and the therapist's supervisor); ``outside`` at client_b
    and its objects, in nobody's care but a counsellor who is no persona. ``outside=None``:
    the route names no client (signing in, registering), one POST is enough. ``swap`` aims a
    URL parameter at another object of the target (``{"treatment_plan_id": "active_plan_id"}``)
    when the form needs one in another state than the census object.
    """

    payload: Payload
    inside: Mapping[str, Want]
    outside: Mapping[str, Want] | None
    swap: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for cells in (self.inside, self.outside):
            if cells is not None:
                row(**cells)


def row(**cells: Want) -> dict[str, Want]:
    """One row; every persona must be named, so no cell is left to a default."""
    assert set(cells) == set(PERSONAS), f"row must name every persona: {set(PERSONAS)}"
    return cells


def clinical(*, on: Want, off: Want, peer: Want, registry: Want) -> dict[str, Want]:
    """A client route as seen by the clinicians (``on``: client_a's team and the therapist's
    supervisor) and registry staff; the roles without clinical capabilities are refused."""
    return row(
        anonymous=LOGIN,
        therapist_on_team=on,
        therapist_off_team=off,
        psychiatrist=on,
        supervisor=on,
        peer_specialist=peer,
        front_desk=registry,
        intake=registry,
        privacy_officer=403,
        it_admin=403,
        no_role=403,
    )


def only(*personas: str, want: Want = STORED, others: Want = 403) -> dict[str, Want]:
    """A route of a few roles (the privacy officer's pages): the rest are refused at the gate."""
    return row(
        **{p: want if p in personas else others for p in PERSONAS if p != "anonymous"},
        anonymous=LOGIN,
    )


def beyond_care(inside: Mapping[str, Want], **overrides: Want) -> dict[str, Want]:
    """The same route aimed at client_b: whoever got through for client_a now gets the 404 of
    a client outside their care (SEC-10), save the ``overrides`` (registry-wide staff, the
    privacy officer); refusals at the gate stay what they were."""
    cells = {p: 404 if isinstance(w, Allowed) else w for p, w in inside.items()}
    return row(**{**cells, **overrides})


def registry_wide(inside: Mapping[str, Want]) -> dict[str, Want]:
    """Registry staff reach every client's registry details (REGISTRY_WIDE)."""
    return beyond_care(inside, **{p: inside[p] for p in REGISTRY_STAFF})


# ---------------------------------------------------------------- which methods a view serves


def allowed_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods a function view's decorators let through, or None for every method.

    Django's ``require_http_methods`` (and ``require_POST``, ``require_GET``,
    ``require_safe``) keep the list in the closure of the function they wrap; a view without
    one serves any method, so a POST reaches its body.
    """
    func: Any = view
    while func is not None:
        if inspect.isfunction(func):
            methods = inspect.getclosurevars(func).nonlocals.get("request_method_list")
            if methods is not None:
                return frozenset(methods)
        func = getattr(func, "__wrapped__", None)
    return None


def takes_post(view: Callable[..., Any]) -> bool:
    """Whether a POST reaches the view's code (a class-based view: it has ``post``)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    methods = allowed_methods(view)
    return methods is None or "POST" in methods


def post_only(view: Callable[..., Any]) -> bool:
    """Whether the view answers a GET with 405 and serves a POST (``require_POST``)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and not hasattr(view_class, "get")
    methods = allowed_methods(view)
    return methods is not None and "POST" in methods and "GET" not in methods
