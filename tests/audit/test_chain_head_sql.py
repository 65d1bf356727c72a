"""``audit.services.CHAIN_HEAD_SQL``: the newest event of the chain, as the queryset it stands
for gives it, on an empty chain and on a long one."""

from __future__ import annotations

import pytest

from alliance.audit.models import AuditEvent
from alliance.audit.services import _chain_head
from alliance.demo.clinic import demo_build

pytestmark = pytest.mark.django_db


def _expected() -> list[tuple[int, str]]:
    return list(AuditEvent.objects.order_by("-seq").values_list("seq", "hash")[:1])


def test_chain_head_is_the_newest_event() -> None:
    assert _chain_head() == _expected()
    demo_build(clients=4, seed=7)
    assert AuditEvent.objects.count() > 10
    assert _chain_head() == _expected()
