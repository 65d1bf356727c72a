"""``core.prepared``: a queryset compiled once, run again with new values, gives the rows the
plain queryset gives; builders whose SQL depends on more than their arguments are refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.access.models import CareTeamMember
from alliance.clients.models import Client, Contact
from alliance.core.prepared import Prepared
from tests.personas import Clinic


def team_rows(client_id: int, today: object) -> object:
    return (
        CareTeamMember.objects.filter(CareTeamMember.active_q(today), client_id=client_id)
        .select_related("staff")
        .order_by("role", "staff__last_name")
    )


@pytest.fixture
def compilations() -> Iterator[list[str]]:
    """The SQL Django compiles while the block runs."""
    compiled: list[str] = []
    original = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: object, **kwargs: object) -> object:
        sql, params = original(self, *args, **kwargs)
        compiled.append(sql)
        return sql, params

    with mock.patch.object(SQLCompiler, "as_sql", counting):
        yield compiled


def test_rows_are_those_of_the_plain_queryset(clinic: Clinic) -> None:
    today = timezone.localdate()
    prepared: Prepared[CareTeamMember] = Prepared("test.team", team_rows)

    for client in (clinic.client_a, clinic.client_b, clinic.client_a):
        expected = list(team_rows(client.pk, today))  # type: ignore[call-overload]
        found = prepared(client.pk, today)
        assert [m.pk for m in found] == [m.pk for m in expected]
        # select_related came along: the staff member is there without a query
        with CaptureQueriesContext(connection) as captured:
            assert [m.staff.last_name for m in found] == [m.staff.last_name for m in expected]
        assert captured.captured_queries == []
    assert len(prepared(clinic.client_a.pk, today)) == 3


def test_a_date_argument_is_bound_not_kept(clinic: Clinic) -> None:
    prepared: Prepared[CareTeamMember] = Prepared("test.team_on", team_rows)
    today = timezone.localdate()
    long_ago = today - timedelta(days=3650)

    assert len(prepared(clinic.client_a.pk, today)) == 3
    assert prepared(clinic.client_a.pk, long_ago) == []  # nobody was on the team then


def test_later_calls_compile_nothing_and_run_one_query(
    clinic: Clinic, compilations: list[str]
) -> None:
    prepared: Prepared[CareTeamMember] = Prepared("test.team_once", team_rows)
    today = timezone.localdate()
    prepared(clinic.client_a.pk, today)
    compiled_first = len(compilations)

    with CaptureQueriesContext(connection) as captured:
        prepared(clinic.client_b.pk, today)
        prepared(clinic.client_a.pk, today)

    assert compiled_first == 2  # the two checking compilations
    assert len(compilations) == compiled_first
    assert len(captured.captured_queries) == 2


def test_values_list_and_tuples_of_ids(clinic: Clinic) -> None:
    prepared: Prepared[int] = Prepared(
        "test.ids",
        lambda ids: Client.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True),
    )
    a, b = clinic.client_a.pk, clinic.client_b.pk

    assert prepared((a, b)) == sorted([a, b])
    assert prepared((b,)) == [b]
    assert prepared((a,)) == [a]
    with CaptureQueriesContext(connection) as captured:
        assert prepared(()) == []
    assert captured.captured_queries == []  # an empty IN list matches nothing


def test_a_boolean_argument_chooses_the_shape(clinic: Clinic) -> None:
    Contact.objects.create(
        client=clinic.client_a, name="Ana", relationship="friend", may_contact=True
    )
    Contact.objects.create(
        client=clinic.client_a, name="Eli", relationship="friend", may_contact=False
    )

    def contacts(client_id: int, only_may_contact: bool) -> object:
        rows = Contact.objects.filter(client_id=client_id)
        return rows.filter(may_contact=True) if only_may_contact else rows

    prepared: Prepared[Contact] = Prepared("test.contacts", contacts)

    assert sorted(c.name for c in prepared(clinic.client_a.pk, False)) == ["Ana", "Eli"]
    assert [c.name for c in prepared(clinic.client_a.pk, True)] == ["Ana"]


def test_a_string_lookup_pattern_is_escaped_anew_for_each_value(clinic: Clinic) -> None:
    """``contains`` makes a LIKE pattern of its string: each call escapes the new value the way
    the backend does, so ``%``, ``_`` and ``\\`` are matched as themselves."""
    for name in ("50% Smith", "50_ Smith", "back\\slash", "5000 Smith"):
        Contact.objects.create(client=clinic.client_a, name=name, relationship="friend")

    def named(client_id: int, words: tuple[str, ...]) -> object:
        rows = Contact.objects.filter(client_id=client_id)
        for word in words:
            rows = rows.filter(name__contains=word)
        return rows.order_by("name").values_list("name", flat=True)

    prepared: Prepared[str] = Prepared("test.named", named)
    for words in [("50%",), ("50_",), ("\\",), ("Smith", "0_"), ("Smith",), ("nobody",)]:
        expected = list(named(clinic.client_a.pk, words))  # type: ignore[call-overload]
        assert prepared(clinic.client_a.pk, words) == expected, words
    assert prepared(clinic.client_a.pk, ("50%",)) == ["50% Smith"]
    assert sorted(prepared(clinic.client_a.pk, ("Smith", "0"))) == [
        "50% Smith",
        "5000 Smith",
        "50_ Smith",
    ]


@pytest.mark.parametrize(
    "builder",
    [
        pytest.param(
            lambda client_id: CareTeamMember.objects.filter(
                CareTeamMember.active_q(timezone.localdate()), client_id=client_id
            ),
            id="reads the clock",
        ),
        pytest.param(
            lambda client_id: Contact.objects.filter(client_id=client_id).filter(
                created_at__lte=timezone.now()
            ),
            id="reads the time",
        ),
        pytest.param(
            lambda client_id: Client.objects.filter(mrn__icontains=client_id),
            id="changes its argument",
        ),
        pytest.param(
            lambda client_id: Contact.objects.filter(
                client_id=client_id, may_contact=client_id % 2 == 0
            ),
            id="branches on a value",
        ),
        pytest.param(
            lambda client_id: Client(pk=client_id).contacts.all(),
            id="starts from a related manager",
        ),
    ],
)
def test_a_builder_that_depends_on_more_than_its_arguments_is_refused(
    clinic: Clinic, builder: object
) -> None:
    prepared: Prepared[object] = Prepared("test.refused", builder)  # type: ignore[arg-type]
    with pytest.raises(ImproperlyConfigured):
        prepared(clinic.client_a.pk)


@pytest.mark.parametrize(
    "builder",
    [
        pytest.param(lambda name: Contact.objects.filter(name__contains=name.lower()), id="lower"),
        pytest.param(lambda name: Contact.objects.filter(name__contains=name[:3]), id="cut"),
        pytest.param(lambda name: Contact.objects.filter(name=name + "!"), id="appended"),
    ],
)
def test_a_string_changed_other_than_by_its_pattern_is_refused(
    clinic: Clinic, builder: object
) -> None:
    prepared: Prepared[object] = Prepared("test.refused_text", builder)  # type: ignore[arg-type]
    with pytest.raises(ImproperlyConfigured):
        prepared("Ana")


@pytest.mark.parametrize(
    "argument",
    [timezone.now().replace(tzinfo=None), 1.5, (1, "mixed"), object()],
    ids=["naive datetime", "float", "tuple of ints and strings", "object"],
)
def test_arguments_of_other_kinds_are_refused(argument: object) -> None:
    prepared: Prepared[Client] = Prepared("test.kinds", lambda value: Client.objects.all())

    with pytest.raises(TypeError):
        prepared(argument)
