"""One query over several record kinds: a UNION of differently shaped querysets, read back.

The pupil's support page (selectors.support_page) and what is due (due) each gather concerns,
adaptations, cases, programmes and decisions in one query. Every branch yields the same columns
in the same order; a branch leaves out what it lacks and gets a typed NULL. A UNION can lose the
column types on SQLite, so values are coerced when read rather than trusted (the technique of
elevstod.access.context).
"""

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import CharField, Field, QuerySet, Value
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
