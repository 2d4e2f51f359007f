"""Reading the access log for log review (loggkontroll, security.md P4) and log extracts (P2)."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Required, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from elevstod.access.context import UserContext
from elevstod.access.policy import Relation
from elevstod.access.scoping import pupils_related_q, pupils_visible_to
from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome, LogReview
from elevstod.logreview import labels
from elevstod.people.models import Pupil

_EVENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "acting_role",
    "school_unit_id",
    "pupil_id",
    "record_type",
    "record_id",
    "action",
    "outcome",
    "purpose",
    "channel",
    "actor__first_name",
    "actor__last_name",
    "actor__username",
)


class LogFilters(TypedDict, total=False):
    """What the reviewer narrowed the log to: the arguments of `events_for_review`."""

    unit_ids: Required[frozenset[uuid.UUID]]
    pupil_id: uuid.UUID | None
    user_id: uuid.UUID | None
    user_ids: QuerySet[User, Any] | None
    period_start: date | None
    period_end: date | None
    denied_only: bool


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events_for_review(
    *,
    unit_ids: frozenset[uuid.UUID],
    pupil_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    user_ids: QuerySet[User, Any] | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    denied_only: bool = False,
) -> QuerySet[AccessEvent]:
    events = AccessEvent.objects.filter(school_unit_id__in=unit_ids)
    if pupil_id:
        events = events.filter(pupil_id=pupil_id)
    if user_id:
        events = events.filter(actor_id=user_id)
    if user_ids is not None:
        events = events.filter(actor_id__in=user_ids)
    if period_start:
        events = events.filter(occurred_at__gte=_day_start(period_start))
    if period_end:
        events = events.filter(occurred_at__lt=_day_start(period_end + timedelta(days=1)))
    if denied_only:
        events = events.filter(outcome=AccessOutcome.DENIED)
    return (
        events.select_related("actor", "pupil")
        .only(*_EVENT_FIELDS, "pupil__first_name", "pupil__last_name", "pupil__protected_identity")
        .order_by("-occurred_at", "-id")
    )


def events_for_pupil(pupil_id: uuid.UUID) -> QuerySet[AccessEvent]:
    return (
        AccessEvent.objects.filter(pupil_id=pupil_id)
        .select_related("actor")
        .only(*_EVENT_FIELDS)
        .order_by("-occurred_at", "-id")
    )


def reviews_for_units(unit_ids: frozenset[uuid.UUID]) -> QuerySet[LogReview]:
    return (
        LogReview.objects.filter(school_unit_id__in=unit_ids)
        .select_related("reviewer", "school_unit")
        .order_by("-reviewed_at")[:20]
    )


def user_in_review_scope(unit_ids: frozenset[uuid.UUID], user_id: uuid.UUID) -> bool:
    """Whether the reviewer of these units may narrow the log to this user: someone with a duty
    at one of them, or anyone the units' log names as an actor (a refused attempt from another
    school included). Anyone else is outside the review, like a pupil of another school."""
    return (
        User.objects.filter(pk=user_id)
        .filter(
            Q(unit_duties__school_unit_id__in=unit_ids)
            | Q(
                pk__in=AccessEvent.objects.filter(
                    school_unit_id__in=unit_ids, actor_id=user_id
                ).values("actor_id")[:1]
            )
        )
        .exists()
    )


def first_unit_naming_pupil(unit_ids: frozenset[uuid.UUID]) -> Subquery:
    """For a pupil query: the first of these units whose access log names the pupil, None when
    none does. A pupil who has left a unit stays in its log (P3), and so in its review (P4)."""
    named_at = AccessEvent.objects.filter(school_unit_id__in=unit_ids, pupil_id=OuterRef("pk"))
    return Subquery(named_at.order_by("school_unit_id").values("school_unit_id")[:1])


def staff_matching(unit_ids: frozenset[uuid.UUID], query: str) -> QuerySet[User]:
    """Users with a duty at the units whose name or username starts with each word."""
    users = User.objects.filter(unit_duties__school_unit_id__in=unit_ids)
    for word in query.split()[:3]:
        users = users.filter(
            Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
            | Q(username__istartswith=word)
        )
    return users.distinct()


@dataclass(frozen=True)
class LabelledEvent:
    """One row of a log page: the event, and its role, record type, action and outcome in words
    (the log stores codes; labels.py says why a code never reaches the page bare)."""

    event: AccessEvent
    role_label: str
    record_label: str
    action_label: str
    outcome_label: str


def with_labels(events: Iterable[AccessEvent]) -> list[LabelledEvent]:
    """Translate each code once per page rather than once per row."""
    actions = {value: str(label) for value, label in AccessAction.choices}
    outcomes = {value: str(label) for value, label in AccessOutcome.choices}
    roles: dict[str, str] = {}
    record_types: dict[str, str] = {}
    rows = []
    for event in events:
        role, record_type = event.acting_role, event.record_type
        if role not in roles:
            roles[role] = labels.role_label(role)
        if record_type not in record_types:
            record_types[record_type] = labels.record_type_label(record_type)
        rows.append(
            LabelledEvent(
                event=event,
                role_label=roles[role],
                record_label=record_types[record_type],
                action_label=actions.get(event.action, event.action),
                outcome_label=outcomes.get(event.outcome, event.outcome),
            )
        )
    return rows


@dataclass(frozen=True)
class PupilInLog:
    pupil: Pupil
    log_unit: uuid.UUID | None  # the first of the reviewer's units whose log names the pupil
    led: bool  # the reviewer leads the pupil today
    visible: bool  # the reviewer may see the pupil today


def pupil_in_units_log(
    ctx: UserContext, unit_ids: frozenset[uuid.UUID], pupil_id: uuid.UUID
) -> PupilInLog | None:
    """The pupil as the log review's filter sees them: one query."""
    led = pupils_related_q(ctx, {Relation.PRINCIPAL}, field="pk") or Q(pk__in=[])
    found = (
        Pupil.objects.filter(pk=pupil_id)
        .annotate(
            log_unit=first_unit_naming_pupil(unit_ids),
            led=Exists(Pupil.objects.filter(led, pk=OuterRef("pk"))),
            visible=Exists(pupils_visible_to(ctx).filter(pk=OuterRef("pk"))),
        )
        .first()
    )
    if found is None:
        return None
    return PupilInLog(found, found.log_unit, found.led, found.visible)
