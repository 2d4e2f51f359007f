"""Writing the access log. Call inside the same transaction as any change it describes."""

import uuid
from contextvars import ContextVar

from django.utils import timezone

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


def log_review_create(**fields: object) -> LogReview:
    """Record a sample check of the log (loggkontroll, security.md P4)."""
    return LogReview.objects.create(**fields)
