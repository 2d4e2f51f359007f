"""Following up and evaluating a programme in force, measure by measure (SL 3 kap. 9 §;
process.md §1, S6→S7). An evaluation that calls for a revision starts one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.support import workflow as wf
from elevstod.support.models import ActionProgramme, FollowUp, MeasureReview
from elevstod.support.services._recording import created, following, refuse_unless
from elevstod.support.services.programmes import programme_start_revision


@dataclass(frozen=True)
class ReviewInput:
    measure_id: uuid.UUID
    carried_out: str
    effect: str
    comment: str = ""


def follow_up_record(
    *,
    actor: User,
    programme: ActionProgramme,
    kind: str,
    reviews: Sequence[ReviewInput],
    outcome: str,
    values: dict[str, Any],
    next_on: date | None,
    today: date,
    channel: str = "web",
) -> FollowUp:
    """Follow up or evaluate a programme in force, measure by measure (SL 3 kap. 9 §)."""
    result = _refuse_unless_complete(programme, reviews, outcome, next_on, today)
    # The programme names one date for its follow-up and one for its evaluation.
    date_field = "evaluation_on" if kind == wf.FollowUpKind.EVALUATION else "follow_up_on"
    with transaction.atomic():
        follow_up = created(
            actor,
            FollowUp,
            f"{kind}.recorded",
            today,
            channel,
            programme=programme,
            **following(programme),
            kind=kind,
            planned_on=getattr(programme, date_field) or today,
            held_on=today,
            outcome=result,
            next_on=next_on,
            **values,
        )
        MeasureReview.objects.bulk_create(
            # A review's fields are named as the model's.
            MeasureReview(follow_up=follow_up, **asdict(review))
            for review in reviews
        )
        if result is wf.FollowUpOutcome.CONTINUE:
            ActionProgramme.objects.filter(pk=programme.pk).update(
                **{date_field: next_on}, updated_at=timezone.now()
            )
    if result is wf.FollowUpOutcome.REVISE:
        programme_start_revision(
            actor=actor,
            programme=programme,
            reason=values.get("summary", ""),
            today=today,
            channel=channel,
        )
    return follow_up


def _refuse_unless_complete(
    programme: ActionProgramme,
    reviews: Sequence[ReviewInput],
    outcome: str,
    next_on: date | None,
    today: date,
) -> wf.FollowUpOutcome:
    """Only a programme in force is followed up; every measure is reviewed, and a programme
    that continues names its next date. Returns the outcome asked for."""
    refuse_unless(
        wf.may_act_on_programme(wf.ProgrammeState(programme.state), wf.ProgrammeStep.FOLLOW_UP)
    )
    measure_ids = set(programme.measures.values_list("pk", flat=True))
    reviewed = {review.measure_id for review in reviews}
    result = wf.FollowUpOutcome(outcome)
    continues = result is wf.FollowUpOutcome.CONTINUE
    refuse_unless(wf.may_record_follow_up(reviewed == measure_ids, continues, next_on, today))
    return result
