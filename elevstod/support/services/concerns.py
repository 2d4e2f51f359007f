"""A concern about a pupil, raised by staff or the family (SL 3 kap. 5 §; process.md §2.1)."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.people.models import Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import Concern, RaisedBy
from elevstod.support.services._recording import created, record, refuse_unless


def concern_create(
    *,
    actor: User,
    pupil: Pupil,
    school_unit_id: uuid.UUID,
    source: str,
    description: str,
    subject: str = "",
    raised_by_kind: str = RaisedBy.STAFF,
    today: date,
    channel: str = "web",
) -> Concern:
    with transaction.atomic():
        return created(
            actor,
            Concern,
            "concern.created",
            today,
            channel,
            pupil=pupil,
            school_unit_id=school_unit_id,
            source=source,
            raised_by_kind=raised_by_kind,
            raised_on=today,
            subject=subject,
            description=description,
        )


def concern_close(*, actor: User, concern: Concern, reason: str, today: date) -> None:
    """No further action, and why (the reason is kept with the concern)."""
    refuse_unless(wf.may_close_concern(wf.ConcernState(concern.state), reason))
    with transaction.atomic():
        Concern.objects.filter(pk=concern.pk).update(
            state=wf.ConcernState.CLOSED, closed_reason=reason, updated_at=timezone.now()
        )
        record(actor, concern, "concern.closed", today)
