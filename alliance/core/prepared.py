"""Querysets compiled to SQL once per process, then run again with new values.

Why: turning a queryset into SQL is Django's most expensive step on our pages. On the chart
of a client with 500 notes, building and compiling the ~20 querysets cost a third of the
request's Python work, for SQL text that is the same on every request but for its values.
``Prepared`` keeps the text and binds the values, the way a database keeps a prepared
statement.

A ``Prepared`` wraps a *builder*: a function from plain values to a queryset. The first call
for a shape builds the queryset with sentinel values, compiles it, and records where each
argument lands among the SQL's parameters; it does so twice, with two different sets of
sentinels, and refuses the builder when the two compilations disagree. Later calls bind the
arguments into the kept SQL and run it. Rows come back through Django's own iterables, so a
model queryset gives model instances (``select_related`` included, ``prefetch_related`` run
after) and ``values_list`` gives tuples, exactly as the plain queryset would.

Rules for a builder (the checks below catch what they can):

- Arguments are ints, dates, strings, tuples of ints (``IN`` lists) or of strings, and
  booleans or ``None``. Booleans, ``None`` and the length of each tuple make the *shape*: a
  builder may branch on them, and each shape is compiled on its own. It may not branch on any
  other value (the two compilations would differ, and the call is refused).
- The SQL may depend on the arguments and on nothing else that changes while the process runs:
  no clock, no request, no settings that change. A date or time among the parameters that is
  not an argument is refused; pass today's date as an argument.
- An argument reaches the SQL as a parameter unchanged, or not at all. The one change allowed
  is the pattern a string lookup makes of a string (``contains``, ``startswith`` and their
  ``i`` forms): the backend's LIKE escaping, between a kept prefix and suffix. Any other
  change (an ``icontains`` on an int, a lower-cased string) would be kept as a constant, and
  the second compilation catches it.
- A value that changes the SQL's text itself (a page's ``OFFSET``) is passed as ``Shape(value)``:
  the builder gets the value, and each value is compiled on its own. Keep such values few.
- Start from a model's manager, never from a related manager (its known owner would be the
  sentinel), and do not slice with an argument.

The result is a list, never a queryset: a queryset could be filtered further, and its SQL
would no longer be the kept one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

T = TypeVar("T")

# Sentinels for the two compilations: ints well inside a 32-bit column (Django treats a value
# out of a column's range as "no row", which would hide the parameter), dates long past.
_INT_BASES = (1_987_000_000, 1_986_000_001)  # of two parities
_DATE_YEARS = (1901, 1951)
# Strings: the two rounds differ in their first and last characters (a builder that keeps a
# slice of its argument is caught), hold both cases (lower() or upper() is caught) and the
# characters LIKE escaping changes (so that a pattern shows its escaping); the "_" after the
# number keeps one sentinel from being the start of another.
_STR_ENDS = (("\x1fA", "a\x1e"), ("\x1dB", "b\x1c"))
_SLOT_WIDTH = 1000  # room for the elements of one tuple argument


@dataclass(frozen=True)
class _Slot:
    """Where one SQL parameter comes from: an argument (and element of a tuple), or a constant."""

    argument: int | None
    element: int | None
    adapt: Callable[[Any], Any] | None  # the backend's form of a date or datetime
    constant: Any = None


@dataclass
class _Statement:
    """One compiled shape: SQL, parameter slots, and what Django's iterables need."""

    queryset: QuerySet[Any]
    sql: str | None  # None: the shape matches no row (e.g. ``pk__in=()``)
    slots: tuple[_Slot, ...]
    compiler_class: type
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int
    has_extra_select: bool


@dataclass(frozen=True)
class Shape:
    """An argument that changes the SQL's text: each value is a shape of its own."""

    value: Any


class _KeptSQL:
    """Mixin for a backend's compiler: the SQL is the kept one; nothing is compiled."""

    prepared_sql: tuple[str, list[Any]]

    def as_sql(self, with_limits: bool = True, with_col_aliases: bool = False) -> Any:
        return self.prepared_sql


class _BoundQuery:
    """The compiled query as Django's row iterables see it: ``get_compiler`` gives the compiler
    holding the kept SQL; anything else (column names for ``values()``) is the template's."""

    def __init__(self, compiler: Any, template: Any) -> None:
        self._compiler = compiler
        self._template = template

    def get_compiler(
        self, using: Any = None, connection: Any = None, elide_empty: bool = True
    ) -> Any:
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


_kept_sql_classes: dict[type, type] = {}


def _kept_sql_class(base: type) -> type:
    """The backend's compiler class, answering with the kept SQL."""
    if base not in _kept_sql_classes:
        _kept_sql_classes[base] = type(f"Prepared{base.__name__}", (_KeptSQL, base), {})
    return _kept_sql_classes[base]


def _shape_of(value: Any) -> object:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Shape):
        return value
    if isinstance(value, (tuple, list)):
        kinds = {type(item) for item in value}
        if not kinds <= {int} and not kinds <= {str}:
            raise TypeError("a tuple argument of a prepared query holds ints, or strings")
        return ("tuple", len(value), *kinds)
    if isinstance(value, datetime) and value.tzinfo is None:
        raise TypeError("a prepared query takes aware datetimes only")
    if type(value) in (int, str, date, datetime):
        return type(value).__name__
    raise TypeError(f"a prepared query cannot take a {type(value).__name__}")


def _sentinel(kind: type, round_: int, argument: int, element: int) -> Any:
    number = argument * _SLOT_WIDTH + element
    if kind is int:
        return _INT_BASES[round_] + number
    if kind is datetime:
        return datetime(_DATE_YEARS[round_] + argument, 1, 1 + element % 28, 3, 4, 5, tzinfo=UTC)
    if kind is date:
        return date(_DATE_YEARS[round_] + argument, 1, 1 + element % 28)
    lead, tail = _STR_ENDS[round_]
    return f"{lead}{number}_%\\{tail}"


def _sentinels(arguments: tuple[Any, ...], round_: int) -> tuple[Any, ...]:
    values: list[Any] = []
    for number, value in enumerate(arguments):
        if value is None or isinstance(value, bool):
            values.append(value)
        elif isinstance(value, Shape):
            values.append(value.value)
        elif isinstance(value, (tuple, list)):
            values.append(tuple(_sentinel(type(v), round_, number, k) for k, v in enumerate(value)))
        else:
            values.append(_sentinel(type(value), round_, number, 0))
    return tuple(values)


def _flat(values: tuple[Any, ...]) -> Iterator[Any]:
    for value in values:
        yield from value if isinstance(value, tuple) else (value,)


def _adapter(value: Any, using: str) -> Callable[[Any], Any] | None:
    """How the backend turns a date or datetime into a parameter (SQLite: text)."""
    ops = connections[using].ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value
    if isinstance(value, date):
        return ops.adapt_datefield_value
    return None


def _where_from(
    sentinels: tuple[Any, ...], using: str, shapes: frozenset[int]
) -> dict[tuple[type, Any], _Slot]:
    """Each sentinel's form among the SQL parameters → the slot it fills."""
    found: dict[tuple[type, Any], _Slot] = {}
    for number, value in enumerate(sentinels):
        if number in shapes:  # a Shape's value is part of the SQL, not a parameter
            continue
        items = list(enumerate(value)) if isinstance(value, tuple) else [(None, value)]
        for element, item in items:
            if item is None or isinstance(item, bool):
                continue
            adapt = _adapter(item, using)
            form = adapt(item) if adapt else item
            found[(type(form), form)] = _Slot(number, element, adapt)
    return found


def _moments(node: Any) -> Iterator[date]:
    """The dates and times a WHERE tree (and its subqueries) compares with."""
    rhs = getattr(node, "rhs", None)
    values = rhs if isinstance(rhs, (list, tuple, set)) else [rhs]
    yield from (value for value in values if isinstance(value, date))
    query: Any
    for query in (rhs, getattr(rhs, "query", None)):
        if hasattr(query, "where"):
            yield from _moments(query.where)
            for combined in getattr(query, "combined_queries", ()):
                yield from _moments(combined.where)
    for child in getattr(node, "children", ()):
        yield from _moments(child)


def _compile(
    name: str, queryset: QuerySet[Any], using: str, sentinels: tuple[Any, ...]
) -> tuple[Any, str | None, list[Any]]:
    if queryset._known_related_objects:  # type: ignore[attr-defined]
        raise ImproperlyConfigured(f"prepared query {name!r}: start from a model's manager")
    # SQLite receives dates as text, so look for a kept date in the tree, not the parameters.
    allowed = {value for value in _flat(sentinels) if isinstance(value, date)}
    if any(moment not in allowed for moment in _moments(queryset.query.where)):
        raise ImproperlyConfigured(
            f"prepared query {name!r}: a date or time that is not an argument would be kept"
        )
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return compiler, None, []
    return compiler, sql, list(params)


class _LikePattern:
    """A string argument as a string lookup's pattern: the backend's LIKE escaping of the
    value, between the prefix and suffix the lookup added (``%`` for ``contains``)."""

    def __init__(self, prefix: str, suffix: str, escape: Callable[[str], str]) -> None:
        self.prefix, self.suffix, self.escape = prefix, suffix, escape

    def __call__(self, value: str) -> str:
        return f"{self.prefix}{self.escape(value)}{self.suffix}"


def _pattern_slot(param: str, forms: dict[tuple[type, Any], _Slot], using: str) -> _Slot | None:
    """The slot of a parameter that is a LIKE pattern made of one string argument."""
    escape = connections[using].ops.prep_for_like_query
    for (kind, form), origin in forms.items():
        if kind is not str:
            continue
        escaped = escape(form)
        if param.count(escaped) == 1:
            prefix, suffix = param.split(escaped)
            return _Slot(origin.argument, origin.element, _LikePattern(prefix, suffix, escape))
    return None


def _slots(
    name: str, params: list[Any], sentinels: tuple[Any, ...], using: str, shapes: frozenset[int]
) -> tuple[_Slot, ...]:
    forms = _where_from(sentinels, using, shapes)
    slots: list[_Slot] = []
    for param in params:
        try:
            origin = forms.get((type(param), param))
        except TypeError:  # an unhashable parameter (a list): never an argument
            origin = None
        if origin is None and isinstance(param, str):
            origin = _pattern_slot(param, forms, using)
        if origin is not None:
            slots.append(origin)
        elif isinstance(param, (date, time)):
            raise ImproperlyConfigured(
                f"prepared query {name!r}: a date or time that is not an argument would be kept"
            )
        else:
            slots.append(_Slot(None, None, None, param))
    return tuple(slots)


def _bind(slots: tuple[_Slot, ...], arguments: tuple[Any, ...]) -> list[Any]:
    params: list[Any] = []
    for slot in slots:
        if slot.argument is None:
            params.append(slot.constant)
            continue
        value = arguments[slot.argument]
        if slot.element is not None:
            value = value[slot.element]
        params.append(slot.adapt(value) if slot.adapt else value)
    return params


class Prepared(Generic[T]):
    """``Prepared(name, builder)(*arguments)`` → the rows of ``builder(*arguments)``, as a list."""

    def __init__(self, name: str, builder: Callable[..., QuerySet[Any]]) -> None:
        self.name = name
        self._builder = builder
        self._statements: dict[tuple[object, ...], _Statement] = {}

    def __call__(self, *arguments: Any, using: str = "default") -> list[T]:
        shape = (using, connections[using].vendor, *map(_shape_of, arguments))
        statement = self._statements.get(shape)
        if statement is None:
            statement = self._statements[shape] = self._prepare(arguments, using)
        if statement.sql is None:
            return []
        compiler = statement.compiler_class(statement.queryset.query, connections[using], using)
        compiler.prepared_sql = (statement.sql, _bind(statement.slots, arguments))
        compiler.select = statement.select
        compiler.klass_info = statement.klass_info
        compiler.annotation_col_map = statement.annotation_col_map
        compiler.col_count = statement.col_count
        compiler.has_extra_select = statement.has_extra_select
        template = statement.queryset
        bound = _BoundQuery(compiler, template.query)
        rows = type(template)(model=template.model, query=bound, using=using)  # type: ignore[arg-type]
        rows._iterable_class = template._iterable_class
        rows._fields = template._fields  # type: ignore[attr-defined]
        rows._prefetch_related_lookups = template._prefetch_related_lookups  # type: ignore[attr-defined]
        return list(rows)

    def _prepare(self, arguments: tuple[Any, ...], using: str) -> _Statement:
        first_values = _sentinels(arguments, 0)
        second_values = _sentinels(arguments, 1)
        queryset = self._builder(*first_values)
        compiler, sql, params = _compile(self.name, queryset, using, first_values)
        second = self._builder(*second_values)
        _, second_sql, second_params = _compile(self.name, second, using, second_values)
        shapes = frozenset(n for n, value in enumerate(arguments) if isinstance(value, Shape))
        slots = _slots(self.name, params, first_values, using, shapes) if sql is not None else ()
        if second_sql != sql or (sql is not None and _bind(slots, second_values) != second_params):
            raise ImproperlyConfigured(
                f"prepared query {self.name!r}: its SQL depends on more than its arguments' shape"
            )
        return _Statement(
            queryset=queryset,
            sql=sql,
            slots=slots,
            compiler_class=_kept_sql_class(type(compiler)),
            select=compiler.select,
            klass_info=compiler.klass_info,
            annotation_col_map=compiler.annotation_col_map,
            col_count=getattr(compiler, "col_count", 0),
            has_extra_select=getattr(compiler, "has_extra_select", False),
        )
