"""One query over several record kinds: a UNION of differently shaped querysets, read back.

The pupil's support page (selectors.support_page) and what is due (due) each gather concerns,
adaptations, cases, programmes and decisions in one query. Every branch yields the same columns
in the same order; a branch leaves out what it lacks and gets a typed NULL. A UNION can lose the
column types on SQLite, so values are coerced when read rather than trusted (the technique of
elevstod.access.context). The two big UNIONs are compiled once per process (Prepared).
"""

import itertools
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Field,
    QuerySet,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def typed_null(field_class: type[Field]) -> Cast:
    """PostgreSQL types a bare NULL as text when the first branches all lack the column, and
    then refuses the UNION with a branch that has it."""
    return Cast(Value(None), output_field=field_class())


def branch(
    queryset: QuerySet,
    tag: str,
    columns: Mapping[str, type[Field]],
    values: Mapping[str, Any],
) -> QuerySet:
    """`queryset` as one branch: `c_tag` first, then every column of `columns` as `c_<name>`,
    taken from `values` or NULL."""
    selected: dict[str, Any] = {"c_tag": Value(tag, output_field=CharField())}
    for name, field_class in columns.items():
        if name != "tag":
            selected[f"c_{name}"] = values.get(name, typed_null(field_class))
    return queryset.order_by().values(**selected)


def as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else as_uuid(value)


def as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return parse_date(str(value))


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


# --------------------------------------------------------------------------- prepared queries

# Stand-ins for a prepared query's values, chosen so that no real row or setting holds them.
_STAND_IN_NAMESPACE = uuid.UUID("6f1c2a4e-0d3b-4c55-9a6e-5e1d7a0b2c91")
_STAND_IN_DAY = date(1001, 1, 1)

_Slots = list[tuple[str, Any]]  # each parameter: ("=", the value) or ("?", the value's name)


class Prepared:
    """A query whose SQL depends on its values only through its parameters, built and compiled
    once per process and database, then run with each request's values.

    Building the support page's and "Mina uppgifter"'s UNIONs (a dozen branches of twenty
    columns) costs more Python than PostgreSQL spends running them, and their SQL is the same
    for every pupil and user. `build(**values)` returns the queryset; each value is declared
    with its field class, or as `[field class]` for a list of them (a list's length is part of
    the SQL, so each length is compiled once). The queryset is compiled with stand-in values,
    and each stand-in among the parameters is replaced by the real value, prepared by the same
    field class as the ORM prepares it. If a stand-in does not come out as a parameter of its
    own (say, the ORM inlined it), the queryset is built afresh for every call instead, as it is
    for a value of None (which changes the SQL: IS NULL): slower, never different. Rows come
    back as dicts of raw database values, which the callers coerce (as_uuid, as_date, ...), as
    they must for a UNION on SQLite anyway.
    """

    def __init__(self, build: Callable[..., QuerySet], **values: type[Field] | list[type[Field]]):
        self.build = build
        self.values = values
        self._fields: dict[type[Field], Field] = {}
        # (vendor, alias, list lengths) -> (sql, slots), or None where the SQL is not reusable.
        self._compiled: dict[tuple[Any, ...], tuple[str, _Slots] | None] = {}

    def rows(
        self, *, null_or_in: tuple[str, QuerySet] | None = None, **values: Any
    ) -> list[dict[str, Any]]:
        """The rows for `values`. `null_or_in=(column, queryset)` keeps only the rows whose
        column is NULL or among the queryset's single column, filtering the whole UNION once
        rather than each branch."""
        connection = connections[DEFAULT_DB_ALIAS]
        flat = self._flatten(values)
        if any(value is None for _field, value in flat.values()):
            return self._direct(values, null_or_in)
        lengths = tuple(len(values[name]) for name, spec in self.values.items() if _is_list(spec))
        key = (connection.vendor, connection.alias, lengths)
        if key not in self._compiled:
            # Compiled twice, with stand-ins apart by different steps: a value the build turned
            # into another (a date plus days, a year) would be a fixed parameter, the same for
            # everyone, or taken for another value's stand-in; either way the two differ.
            first = self._compile(connection, values, itertools.count(0))
            second = self._compile(connection, values, itertools.count(1_000, 7))
            self._compiled[key] = first if first is not None and first == second else None
        compiled = self._compiled[key]
        if compiled is None:
            return self._direct(values, null_or_in)
        sql, slots = compiled
        prepared = {
            name: field.get_db_prep_value(value, connection)
            for name, (field, value) in flat.items()
        }
        params = [prepared[value] if kind == "?" else value for kind, value in slots]
        if null_or_in is not None:
            sql, params = _null_or_in(connection, sql, params, *null_or_in)
        return _fetch(connection, sql, params)

    def _field(self, field_class: type[Field]) -> Field:
        if field_class not in self._fields:
            self._fields[field_class] = field_class()
        return self._fields[field_class]

    def _flatten(self, values: Mapping[str, Any]) -> dict[str, tuple[Field, Any]]:
        """Every single value by name (a list's items as name#0, name#1, ...), with its field."""
        flat: dict[str, tuple[Field, Any]] = {}
        for name, spec in self.values.items():
            if _is_list(spec):
                field = self._field(spec[0])  # type: ignore[index]
                for i, item in enumerate(values[name]):
                    flat[f"{name}#{i}"] = (field, item)
            else:
                flat[name] = (self._field(spec), values[name])  # type: ignore[arg-type]
        return flat

    def _direct(
        self, values: Mapping[str, Any], null_or_in: tuple[str, QuerySet] | None
    ) -> list[dict[str, Any]]:
        queryset = self.build(**values)
        if null_or_in is None:
            return list(queryset)
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:
            return []
        return _fetch(connection, *_null_or_in(connection, sql, list(params), *null_or_in))

    def _compile(
        self, connection: BaseDatabaseWrapper, values: Mapping[str, Any], serial: Iterator[int]
    ) -> tuple[str, _Slots] | None:
        """The SQL and its parameters, each a fixed value or the name of the value it takes;
        `serial` numbers the stand-ins, each different from every other."""
        stand_ins: dict[str, Any] = {}
        for name, spec in self.values.items():
            if _is_list(spec):
                field_class = spec[0]  # type: ignore[index]
                items = range(len(values[name]))
                stand_ins[name] = [_stand_in(field_class, next(serial)) for _n in items]
            else:
                stand_ins[name] = _stand_in(spec, next(serial))  # type: ignore[arg-type]
        try:
            sql, params = self.build(**stand_ins).query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:
            return None
        prepared = {
            name: field.get_db_prep_value(value, connection)
            for name, (field, value) in self._flatten(stand_ins).items()
        }
        slots: _Slots = []
        for param in params:
            found = next((n for n, v in prepared.items() if _same(param, v)), None)
            slots.append(("=", param) if found is None else ("?", found))
        # A stand-in left in the SQL's text or in another parameter (say, made into a pattern)
        # would not be replaced: then the SQL is not reusable. A value the SQL does not use
        # (today, where no unit's rektor is asked for) is fine.
        texts = [str(value) for value in prepared.values()]
        texts += [str(value) for _field, value in self._flatten(stand_ins).values()]
        fixed = [str(value) for kind, value in slots if kind == "="]
        if any(text in part for text in texts for part in [sql, *fixed]):
            return None
        return sql, slots


def _is_list(spec: Any) -> bool:
    return isinstance(spec, list)


def _stand_in(field_class: type[Field], serial: int) -> Any:
    if issubclass(field_class, UUIDField):
        return uuid.uuid5(_STAND_IN_NAMESPACE, str(serial))
    if issubclass(field_class, DateField) and not issubclass(field_class, DateTimeField):
        return _STAND_IN_DAY + timedelta(days=serial)
    raise TypeError(f"Prepared: no stand-in for a {field_class.__name__}")


def _fetch(connection: BaseDatabaseWrapper, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _same(param: Any, stand_in: Any) -> bool:
    return type(param) is type(stand_in) and param == stand_in


def _null_or_in(
    connection: BaseDatabaseWrapper, sql: str, params: list[Any], column: str, within: QuerySet
) -> tuple[str, list[Any]]:
    # Only compiled SQL and a quoted column name are put together here; values stay parameters.
    quoted = connection.ops.quote_name(column)
    outer = f"SELECT * FROM ({sql}) AS u WHERE u.{quoted} IS NULL"  # noqa: S608
    try:
        inner, inner_params = within.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # nothing is within: only the rows without a value
        return outer, params
    return f"{outer} OR u.{quoted} IN ({inner})", [*params, *inner_params]
