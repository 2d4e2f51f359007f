"""Appeals lodged with the school: registered against the appellant's own service, then
reconsidered, dismissed as late, forwarded, and the board's ruling recorded (FL 43–46 §§ via
SL 29 kap. 11 §; SL 28 kap. 16 §)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.support import workflow as wf
from elevstod.support.models import (
    Appeal,
    Decision,
    DecisionService,
    Investigation,
    RecipientKind,
)
from elevstod.support.services._recording import (
    case_step,
    created,
    following,
    lock_referral,
    move_case,
    record,
    refuse_unless,
)
from elevstod.support.services.deadlines import deadlines_for
from elevstod.support.services.decisions import deadline_from_receipt, recipient_acts_alone
from elevstod.support.workflow import appeals as wf_appeals


def appeal_register(
    *,
    actor: User,
    decision: Decision,
    service: DecisionService | None,
    appellant_name: str,
    lodged_on: date,
    content: str,
    today: date,
    channel: str = "web",
    reached_board_in_time: bool = False,
    wrong_appeal_instructions: bool = False,
) -> Appeal:
    """Register an appeal lodged with the school. Timeliness is counted from the appellant's
    own receipt of the decision (FL 44 §): `service` is the appellant's own service row, and
    is required. An appellant not yet served is in time (recorded as `not_served`).

    The pupil's appeal, where the pupil may not act alone (SL 29 kap. 12 §), is registered all
    the same (the board judges standing), but counted from the guardians' receipt
    (appellant_clock). No appeal is judged against a day before the decision's own."""
    refuse_unless(
        wf.may_register_appeal(
            lodged_on=lodged_on,
            decided_on=decision.decided_on,
            today=today,
            appellant_served_row=service is not None and service.decision_id == decision.pk,
        )
    )
    assert service is not None  # refused above otherwise
    with transaction.atomic():
        current = DecisionService.objects.select_for_update().get(pk=service.pk)
        clock = appellant_clock(decision, current, lodged_on)
        not_served, deadline = clock.not_served, clock.deadline
        return created(
            actor,
            Appeal,
            "appeal.registered",
            today,
            channel,
            decision=decision,
            service=current,
            **following(decision),
            appellant_name=appellant_name.strip() or current.recipient_name,
            lodged_on=lodged_on,
            deadline=deadline,
            not_served=not_served,
            is_timely=wf.appeal_is_timely(lodged_on, deadline, not_served=not_served),
            reached_board_in_time=reached_board_in_time,
            wrong_appeal_instructions=wrong_appeal_instructions,
            content=content,
        )


def appellant_clock(
    decision: Decision, service: DecisionService, lodged_on: date
) -> wf_appeals.AppealClock:
    """The deadline the appeal is judged against, or not served (workflow.appeal_clock)."""
    acts_alone = recipient_acts_alone(decision, service, lodged_on)
    guardians = (
        []
        if acts_alone
        else [
            wf_appeals.Receipt(row.received_on, row.appeal_deadline)
            for row in decision.services.filter(recipient_kind=RecipientKind.GUARDIAN)
        ]
    )
    return wf_appeals.appeal_clock(
        wf_appeals.Receipt(service.received_on, service.appeal_deadline),
        acts_alone=acts_alone,
        guardians=guardians,
        earliest_deadline=deadline_from_receipt(decision.decided_on),
    )


def appeal_handle(
    *,
    actor: User,
    appeal: Appeal,
    action: str,
    note: str,
    today: date,
    channel: str = "web",
    reached_board_in_time: bool | None = None,
    wrong_appeal_instructions: bool | None = None,
) -> Appeal:
    """Reconsider, dismiss as late, forward, or record the board's ruling (FL 45–46 §§, SL 28
    kap. 16 §). The two FL 45 § andra stycket facts, when given, are recorded with the step.
    A board ruling that sets aside or returns a no-programme decision reopens the case for a
    new decision."""
    step = wf.AppealAction(action)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if reached_board_in_time is not None:
            appeal.reached_board_in_time = reached_board_in_time
        if wrong_appeal_instructions is not None:
            appeal.wrong_appeal_instructions = wrong_appeal_instructions
        _refuse_unless_timeliness_allows(appeal, step)
        target = wf.appeal_transition(wf.AppealState(appeal.state), step)
        if isinstance(target, wf.Refused):
            raise wf.RefusalError(target)
        appeal.state = target
        appeal.handling_note = "\n".join(filter(None, [appeal.handling_note, note]))
        if step is wf.AppealAction.FORWARD:
            appeal.forwarded_on = today
        else:
            appeal.outcome_on = today
        appeal.save()
        _reopen_after_appeal(actor=actor, appeal=appeal, step=step, today=today, channel=channel)
        record(actor, appeal, f"appeal.{step.value}", today, channel)
    return appeal


def _refuse_unless_timeliness_allows(appeal: Appeal, step: wf.AppealAction) -> None:
    """A late appeal is dismissed, not forwarded, unless FL 45 § andra stycket excuses it."""
    facts = wf.LateAppealFacts(
        not_served=appeal.not_served,
        reached_board_in_time=appeal.reached_board_in_time,
        wrong_appeal_instructions=appeal.wrong_appeal_instructions,
    )
    if step is wf.AppealAction.FORWARD:
        refuse_unless(wf.may_forward_appeal(appeal.lodged_on, appeal.deadline, **facts))
    if step is wf.AppealAction.DISMISS_AS_LATE:
        refuse_unless(wf.may_dismiss_appeal_as_late(appeal.lodged_on, appeal.deadline, **facts))


def _reopen_after_appeal(
    *, actor: User, appeal: Appeal, step: wf.AppealAction, today: date, channel: str
) -> None:
    """A no-programme decision set aside or returned by the board (SL 28 kap. 16 § andra
    stycket) or changed on reconsideration: the case awaits a new decision. The investigation
    opens again for the new assessment, its target the huvudman's decision time from today."""
    decision = appeal.new_decision or appeal.decision
    referral = lock_referral(decision.referral)
    case_action = wf.case_action_after_appeal_step(
        step, wf.DecisionKind(decision.kind), wf.CaseState(referral.state)
    )
    if case_action is None:
        return
    move_case(referral, case_step(referral, case_action))
    if decision.investigation_id is not None:
        provider_id = referral.school_unit.provider_id
        Investigation.objects.filter(pk=decision.investigation_id).update(
            closed_on=None,
            assessed_on=None,
            target_on=today + timedelta(days=deadlines_for(provider_id).decision_days),
            updated_at=timezone.now(),
        )
    record(actor, referral, "case.reopened_after_appeal", today, channel)
