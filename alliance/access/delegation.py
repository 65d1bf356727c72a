"""A client link acts for the staff member who made it (issue 14 class 2; SEC-10, SEC-13, SEC-22).

A link the client opens without signing in (their safety plan, a questionnaire to fill in) is a
delegation: it shows or takes what its creator could, on their authority. It therefore works
only while the access that made it lasts, that is while the access policy still gives the
creator, for this client, the capability they used to make the link. A restriction naming them,
the end of their place on the care team or of the supervision that brought them the client, the
expiry of their break-the-glass grant, a lapsed licence or a deactivated account: each stops
every link they made at its next use, with no sweep to run and nothing to remember to revoke.

This module adds no rule of its own: it asks ``allowed``, as the creator's own requests do. A
client opening a link is anonymous, so no answer about the creator is kept from their requests;
inside the link's request the policy keeps its answers as for any other (``decisions_cached``).
"""

from __future__ import annotations

from alliance.access.policy import access_purpose, allowed
from alliance.audit.actions import AuditPurpose
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

# The ``refused`` detail of the audit row a link's refusal writes when its delegation has ended.
DELEGATION_ENDED = "creator's access ended"


def delegation_alive(*, creator: User | None, client: Client, capability: Capability) -> bool:
    """Whether a link ``creator`` made with ``capability`` may still act for them on ``client``.

    A link without a creator acts for nobody: it is refused (fail closed).
    """
    if creator is None:
        return False
    return capability in allowed(actor=creator, client=client)


def delegation_purpose(*, creator: User, client: Client) -> AuditPurpose:
    """The purpose of use of the access a link is made under, for its audit row: break the
    glass (``BTG``) when an emergency grant is what gives the creator the client, else
    treatment (``Relationship.purpose``)."""
    return AuditPurpose(access_purpose(actor=creator, client_id=client.pk))
