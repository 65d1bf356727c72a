"""How each view declares who may reach it (STYLE habit 6: fail closed).

Every view is wrapped by exactly one of these. ``CapabilityGateMiddleware`` refuses any view
without a declaration, so a new page is closed until someone decides who may use it.
Which *client* a user may see is decided later, by ``alliance.access.policy``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from alliance.staff.capabilities import Capability

View = TypeVar("View", bound=Callable[..., Any])


class Gate(StrEnum):
    PUBLIC = "public"  # login page, static pages: no account needed
    PASSWORD_ONLY = "password_only"  # noqa: S105  (second-factor pages: password given, MFA pending)
    SIGNED_IN = "signed_in"  # password given, second factor done or pending (sign-out)
    STAFF = "staff"  # any fully signed-in staff member (home, logout)
    CAPABILITY = "capability"  # fully signed in and holding a capability


@dataclass(frozen=True)
class ViewAccess:
    gate: Gate
    capabilities: tuple[Capability, ...] = ()

    def describe(self) -> str:
        if self.gate is Gate.CAPABILITY:
            return " or ".join(self.capabilities)
        return self.gate.value


def _declare(access: ViewAccess) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        view.alliance_access = access  # type: ignore[attr-defined]
        return view

    return decorator


def public(view: View) -> View:
    return _declare(ViewAccess(Gate.PUBLIC))(view)


def password_only(view: View) -> View:
    return _declare(ViewAccess(Gate.PASSWORD_ONLY))(view)


def signed_in(view: View) -> View:
    """Any session with a password behind it, second factor or not: signing out must work
    from the second-factor page too, or a half-signed-in session could not be ended."""
    return _declare(ViewAccess(Gate.SIGNED_IN))(view)


def staff(view: View) -> View:
    return _declare(ViewAccess(Gate.STAFF))(view)


def requires(*capabilities: Capability) -> Callable[[View], View]:
    """The user must hold at least one of ``capabilities``."""
    if not capabilities:
        raise ValueError("requires() needs at least one capability")
    return _declare(ViewAccess(Gate.CAPABILITY, tuple(capabilities)))


def access_of(view: Callable[..., Any]) -> ViewAccess | None:
    return getattr(view, "alliance_access", None)
