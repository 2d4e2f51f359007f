"""Rows in bulk: how the generator makes its unsaved instances and how they reach the database.

The generator (people, organisation) and the support chain both build every row as an unsaved
instance with an explicit id (`make_row`) and insert lists of them in foreign-key order inside the
caller's transaction (`write_batches`): COPY on PostgreSQL for the big tables, one executemany per
table on SQLite, bulk_create elsewhere. Timestamps are the rows' own (`explicit_timestamps`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState

from elevstod.accounts.models import User

BATCH_SIZE = 2000
# PostgreSQL's COPY loads the big tables several times faster than multi-row INSERTs.
COPY_THRESHOLD = 5000
# SQLite: rows per executemany call, to bound the memory of one statement's values.
SQLITE_CHUNK = 20_000
_COPYABLE = (
    models.UUIDField,
    models.CharField,
    models.TextField,
    models.DateField,  # DateTimeField is a subclass
    models.BooleanField,
    models.IntegerField,  # and its small, big, positive and auto variants
    models.ForeignKey,
)
M = TypeVar("M", bound=models.Model)
Batches = Sequence[tuple[type[models.Model], Sequence[models.Model]]]
_DEFAULTS: dict[type[models.Model], dict[str, Any]] = {}


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


def say(stdout: Writer | None, message: str) -> None:
    """A progress line for the management command (nothing when there is no one to tell)."""
    if stdout is None:
        return
    stdout.write(message + "\n")
    flush = getattr(stdout, "flush", None)
    if callable(flush):
        flush()


def make_row(model: type[M], **values: Any) -> M:
    """An unsaved instance without Model.__init__, about five times faster (1.5 M in large).

    It starts from every field's default, as __init__ would, so a field added later still gets
    one; `values` must use attnames (pupil_id, not pupil). Callable defaults are evaluated once
    per model, which is harmless here because every row gets its own explicit id.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = {field.attname: field.get_default() for field in model._meta.concrete_fields}
        _DEFAULTS[model] = defaults
    instance = model.__new__(model)
    instance._state = ModelState()
    instance.__dict__.update(defaults)
    instance.__dict__.update(values)
    return instance


def timestamp_fields(model: type[models.Model]) -> list[models.DateField[Any, Any]]:
    """The fields Django stamps itself (auto_now, auto_now_add); only date fields have them."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)
    ]


def stamp(model: type[models.Model], rows: Sequence[models.Model], moment: datetime) -> None:
    """created_at and updated_at (and a user's date_joined) at `moment`."""
    names = [field.attname for field in timestamp_fields(model)]
    if model is User:
        names.append("date_joined")
    for row in rows:
        for name in names:
            row.__dict__[name] = moment


@contextmanager
def explicit_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Keep the values set on the rows: auto_now and auto_now_add would put in the real now.

    The fields belong to this one model (abstract parents' fields are copied per model), and the
    generator runs alone in its process, so switching them off for the insert is safe.
    """
    fields = timestamp_fields(model)
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def write_batches(batches: Batches, log: Writer | None = None) -> dict[str, int]:
    """Insert each list (inside the caller's transaction); returns the rows written per model."""
    counts: dict[str, int] = {}
    for model, rows in batches:
        started = time.perf_counter()
        with explicit_timestamps(model):
            write_rows(model, rows)
        counts[model._meta.object_name or model.__name__] = len(rows)
        if len(rows) >= BATCH_SIZE:
            seconds = time.perf_counter() - started
            say(log, f"  {model._meta.object_name}: {len(rows)} rader ({seconds:.1f} s)")
    return counts


def write_rows(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        copy_rows(model, rows)
    elif connection.vendor == "sqlite":
        insert_many(model, rows)
    else:
        model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)


def copy_rows(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """COPY the rows. Values go through psycopg's own adapters, so only plain types qualify."""
    fields = model._meta.concrete_fields
    # An auto-incremented key (the team members' link table) is the database's to fill.
    if isinstance(model._meta.pk, models.AutoField) or any(
        not isinstance(field, _COPYABLE) for field in fields
    ):
        model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
        return
    quote = connection.ops.quote_name
    # The timestamps are already on the rows, so every value is the row's.
    names = [field.attname for field in fields]
    columns = ", ".join(quote(field.column) for field in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = row.__dict__
            copy.write_row([values[name] for name in names])


def insert_many(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """One executemany per table: SQLite's 999-parameter limit makes bulk_create send ~50 rows a
    statement for the wide tables. Values go through each field's own get_db_prep_save."""
    if not rows:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
    preps = [(f.attname, f.get_db_prep_save) for f in fields]
    values = [tuple(prep(row.__dict__[name], connection) for name, prep in preps) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), SQLITE_CHUNK):
            cursor.executemany(statement, values[start : start + SQLITE_CHUNK])
