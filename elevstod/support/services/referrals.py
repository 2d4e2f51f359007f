"""The report to the principal, which opens the case, and the rektor's receipt of it
(SL 3 kap. 7 §; process.md §2.2)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.people.models import Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import Adaptation, Concern, Referral
from elevstod.support.services._recording import (
    created,
    duty_title,
    lock_case_for,
    record,
    refuse_unless,
)


def referral_create(
    *,
    actor: User,
    pupil: Pupil,
    school_unit_id: uuid.UUID,
    ground: str,
    description: str,
    adaptations: Sequence[Adaptation] = (),
    results: str = "",
    guardian_informed: bool = False,
    pupil_informed: bool = False,
    concern: Concern | None = None,
    today: date,
    channel: str = "web",
) -> Referral:
    refuse_unless(wf.may_refer(wf.ReferralGround(ground), len(adaptations)))
    role = duty_title(actor, school_unit_id)
    with transaction.atomic():
        referral = created(
            actor,
            Referral,
            "referral.created",
            today,
            channel,
            pupil=pupil,
            school_unit_id=school_unit_id,
            concern=concern,
            reported_on=today,
            reporter_role=role,
            ground=ground,
            description=description,
            results=results,
            guardian_informed=guardian_informed,
            pupil_informed=pupil_informed,
        )
        referral.adaptations.set(adaptations)
        if concern is not None:
            Concern.objects.filter(pk=concern.pk).update(state=wf.ConcernState.REFERRED)
    return referral


def referral_receive(
    *, actor: User, referral: Referral, today: date, channel: str = "web"
) -> Referral:
    """The rektor's receipt: from here the investigation is due "skyndsamt" (SL 3 kap. 7 §)."""
    with transaction.atomic():
        referral, target = lock_case_for(referral, wf.CaseAction.RECEIVE)
        referral.state = target
        referral.received_at = timezone.now()
        referral.received_by = actor
        referral.save(update_fields=["state", "received_at", "received_by", "updated_at"])
        record(actor, referral, "referral.received", today, channel)
    return referral
