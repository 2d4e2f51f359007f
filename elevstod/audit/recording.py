"""Writing the access log. Call inside the same transaction as any change it describes."""

import uuid

from django.utils import timezone

from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome, LogReview


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
        acting_role=acting_role,
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
