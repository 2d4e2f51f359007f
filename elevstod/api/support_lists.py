"""The shape and filters of API v1's support-chain lists (elevstod.api.support).

Which records a user may see is elevstod.access.records' alone: a list starts from its
`support_records_visible_to(ctx, kind)`, and this module only narrows and orders it. Each list
is one page query plus a fixed number of prefetches, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from elevstod.access.policy import SupportRecord
from elevstod.support.selectors.investigations import INVESTIGATION_STATES


@dataclass(frozen=True)
class ListShape:
    """What a list page reads beside each row, and its order (newest first, ties by id)."""

    order: tuple[str, ...]
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()


LIST_SHAPES: dict[SupportRecord, ListShape] = {
    SupportRecord.CONCERN: ListShape(("-raised_on", "-created_at", "pk")),
    SupportRecord.ADAPTATION: ListShape(
        ("-starts_on", "-created_at", "pk"), related=("responsible", "group")
    ),
    SupportRecord.REFERRAL: ListShape(("-reported_on", "-created_at", "pk")),
    SupportRecord.INVESTIGATION: ListShape(
        ("-opened_on", "-created_at", "pk"), prefetch=("investigators",)
    ),
    SupportRecord.PROGRAMME: ListShape(("pupil_id", "referral_id", "-number", "pk")),
    SupportRecord.DECISION: ListShape(("-decided_on", "-created_at", "pk")),
    SupportRecord.FOLLOW_UP: ListShape(("-held_on", "-created_at", "pk")),
    SupportRecord.APPEAL: ListShape(("-lodged_on", "-created_at", "pk")),
}


def _filter_q(kind: SupportRecord, name: str, value: object) -> Q:
    """One filter of a list's query string (`pupil_id`, `state`, `kind`, `programme_id`)."""
    if kind is SupportRecord.INVESTIGATION and name == "state":
        return INVESTIGATION_STATES[str(value)]
    return Q(**{name: value})


def listed(
    visible: QuerySet[Any], kind: SupportRecord, filters: Mapping[str, object]
) -> QuerySet[Any]:
    """The records of `visible` that match the filters sent, in the list's shape and order."""
    rows = visible
    for name, value in filters.items():
        if value is not None and value != "":
            rows = rows.filter(_filter_q(kind, name, value))
    shape = LIST_SHAPES[kind]
    return (
        rows.select_related("pupil", *shape.related)
        .prefetch_related(*shape.prefetch)
        .order_by(*shape.order)
    )
