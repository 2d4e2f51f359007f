"""Writing the access log. Call inside the same transaction as any change it describes."""

import uuid
from contextvars import ContextVar
from datetime import date
from typing import Any, Protocol, TypedDict

from django.utils import timezone
from typing_extensions import Unpack

from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome, LogReview

# The role the signed-in user acts in towards the pupil the request is about, as the access check
# found it (access.lookup). A change written later in the same request logs that role too
# (security.md P1: every row names the acting role). Cleared at the start of every request.
_acting: ContextVar[tuple[uuid.UUID | None, str]] = ContextVar("acting", default=(None, ""))


def act_as(pupil_id: uuid.UUID, role: str) -> None:
    _acting.set((pupil_id, role))


def clear_acting_role() -> None:
    _acting.set((None, ""))


def _role_for(pupil_id: uuid.UUID | None) -> str:
    checked_pupil, role = _acting.get()
    return role if pupil_id is not None and pupil_id == checked_pupil else ""


def record_access(
    *,
    actor_id: uuid.UUID | None,
    action: AccessAction,
    record_type: str,
    outcome: AccessOutcome = AccessOutcome.ALLOWED,
    pupil_id: uuid.UUID | None = None,
    school_unit_id: uuid.UUID | None = None,
    record_id: object = "",
    acting_role: str = "",
    purpose: str = "",
    channel: str = "web",
) -> AccessEvent:
    return AccessEvent.objects.create(
        occurred_at=timezone.now(),
        actor_id=actor_id,
        acting_role=acting_role or _role_for(pupil_id),
        school_unit_id=school_unit_id,
        pupil_id=pupil_id,
        record_type=record_type,
        record_id=str(record_id)[:64],
        action=action,
        outcome=outcome,
        purpose=purpose[:100],
        channel=channel,
    )


class RowAboutPupil(Protocol):
    """A stored row that names its pupil (or none) and its school unit: a chain record, a
    deviation report, an intervention. Read-only, so any model with these fields fits."""

    @property
    def pk(self) -> Any: ...

    @property
    def pupil_id(self) -> uuid.UUID | None: ...

    @property
    def school_unit_id(self) -> uuid.UUID | None: ...


def record_access_to(
    row: RowAboutPupil,
    *,
    actor_id: uuid.UUID | None,
    action: AccessAction,
    record_type: str,
    outcome: AccessOutcome = AccessOutcome.ALLOWED,
    acting_role: str = "",
    purpose: str = "",
    channel: str = "web",
) -> AccessEvent:
    """`record_access` for one stored row: the log row names the row, its pupil and its unit, so
    that the unit's log review finds it (security.md P1)."""
    return record_access(
        actor_id=actor_id,
        action=action,
        record_type=record_type,
        outcome=outcome,
        pupil_id=row.pupil_id,
        school_unit_id=row.school_unit_id,
        record_id=row.pk,
        acting_role=acting_role,
        purpose=purpose,
        channel=channel,
    )


class LogReviewFields(TypedDict):
    reviewer_id: uuid.UUID
    school_unit_id: uuid.UUID
    period_start: date
    period_end: date
    pupil_id: uuid.UUID | None
    reviewed_user_id: uuid.UUID | None
    events_seen: int
    outcome: str
    note: str


def log_review_create(**fields: Unpack[LogReviewFields]) -> LogReview:
    """Record a sample check of the log (loggkontroll, security.md P4)."""
    return LogReview.objects.create(**fields)
