"""Extra adaptations: made, changed and evaluated (SL 3 kap. 5 §; process.md §2.2)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.people.models import Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import Adaptation, AdaptationEvaluation, Concern
from elevstod.support.services._recording import created, record, refuse_unless, save_versioned
from elevstod.support.services.drafts import draft_discard
from elevstod.support.workflow.adaptations import may_date_adaptation


def adaptation_create(
    *,
    actor: User,
    pupil: Pupil,
    school_unit_id: uuid.UUID,
    values: dict[str, Any],
    today: date,
    concern: Concern | None = None,
    channel: str = "web",
) -> Adaptation:
    """Give an extra adaptation; its days are days that can be (workflow.may_date_adaptation)."""
    refuse_unless(_dates_outcome(values, pupil.birth_date, today))
    with transaction.atomic():
        adaptation = created(
            actor,
            Adaptation,
            "adaptation.created",
            today,
            channel,
            pupil=pupil,
            school_unit_id=school_unit_id,
            concern=concern,
            **values,
        )
        if concern is not None and concern.state == wf.ConcernState.OPEN:
            Concern.objects.filter(pk=concern.pk).update(state=wf.ConcernState.ADAPTATIONS)
    return adaptation


def adaptation_update(
    *,
    actor: User,
    adaptation: Adaptation,
    expected_version: int,
    values: dict[str, Any],
    today: date,
    channel: str = "web",
) -> None:
    """Save a change, guarded by the version; the user's own draft of it is then spent."""
    refuse_unless(wf.may_evaluate_adaptation(wf.AdaptationState(adaptation.state)))
    born_on = Pupil.objects.values_list("birth_date", flat=True).get(pk=adaptation.pupil_id)
    current = {"starts_on": adaptation.starts_on, "evaluate_on": adaptation.evaluate_on}
    refuse_unless(_dates_outcome(current | values, born_on, today))
    with transaction.atomic():
        save_versioned(adaptation, expected_version=expected_version, values=values)
        draft_discard(user=actor, record_type=Adaptation.RECORD_TYPE, record_id=adaptation.pk)
        record(actor, adaptation, "adaptation.changed", today, channel)


def _dates_outcome(values: dict[str, Any], born_on: date, today: date) -> wf.Outcome:
    return may_date_adaptation(
        starts_on=values["starts_on"],
        evaluate_on=values.get("evaluate_on"),
        guardian_informed_on=values.get("guardian_informed_on"),
        born_on=born_on,
        today=today,
    )


def adaptation_dates(
    *,
    pupil: Pupil,
    starts_on: date | None,
    evaluate_on: date | None,
    evaluation_days: int,
    today: date,
) -> tuple[date, date]:
    """The start (default today) and planned evaluation (default `evaluation_days` after the
    start) of a new adaptation, refused before anything is computed on an absurd day."""
    starts = starts_on or today
    refuse_unless(
        may_date_adaptation(
            starts_on=starts, evaluate_on=evaluate_on, born_on=pupil.birth_date, today=today
        )
    )
    return starts, evaluate_on or starts + timedelta(days=evaluation_days)


def adaptation_evaluate(
    *,
    actor: User,
    adaptation: Adaptation,
    effect: str,
    next_step: str,
    pupil_view: str = "",
    comment: str = "",
    next_evaluation_on: date | None = None,
    today: date,
    channel: str = "web",
) -> AdaptationEvaluation:
    refuse_unless(wf.may_evaluate_adaptation(wf.AdaptationState(adaptation.state)))
    step = wf.AdaptationNextStep(next_step)
    refuse_unless(wf.may_plan_next_evaluation(step, next_evaluation_on, today))
    with transaction.atomic():
        evaluation = AdaptationEvaluation.objects.create(
            adaptation=adaptation,
            evaluated_on=today,
            evaluated_by=actor,
            effect=effect,
            next_step=step,
            pupil_view=pupil_view,
            comment=comment,
            next_evaluation_on=next_evaluation_on,
        )
        changes: dict[str, Any] = {"updated_at": timezone.now()}
        if not wf.adaptation_stays_active(step):
            changes |= {"state": wf.AdaptationState.ENDED, "ended_on": today}
        elif next_evaluation_on is not None:
            # A report to the principal may leave the next evaluation as planned.
            changes["evaluate_on"] = next_evaluation_on
        Adaptation.objects.filter(pk=adaptation.pk).update(**changes)
        record(actor, adaptation, "adaptation.evaluated", today, channel)
    adaptation.refresh_from_db()
    return evaluation
