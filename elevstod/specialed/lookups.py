"""How the special-education pages get their objects: asked of elevstod.access.policy, or 404.

Missing and forbidden give the same 404 (security.md P5). An intervention that names a pupil is
reached only through elevstod.access.lookup.get_pupil_for, which checks the relation to the
pupil and logs the access, allowed or denied (P1, P6).
"""

from __future__ import annotations

import uuid

from django.http import Http404

from elevstod.access.context import UserContext
from elevstod.access.lookup import get_pupil_for
from elevstod.access.policy import can_record_special_education, can_review_special_education
from elevstod.audit.models import AccessAction, AccessOutcome
from elevstod.audit.recording import record_access_to
from elevstod.organisation.models import SchoolUnit
from elevstod.specialed import selectors as sel
from elevstod.specialed.models import (
    CompetencePlan,
    Goal,
    Intervention,
    Period,
    PlannedActivity,
    Report,
    ReportState,
)
from elevstod.specialed.services import INTERVENTION_RECORD


def records_or_reviews(ctx: UserContext, unit_id: uuid.UUID) -> bool:
    return can_record_special_education(ctx, unit_id) or can_review_special_education(ctx, unit_id)


def unit_for(
    ctx: UserContext, unit_id: uuid.UUID, *, record: bool = False, review: bool = False
) -> SchoolUnit:
    """The unit, when the user records (`record`) or leads (`review`) its special education."""
    allowed = (record and can_record_special_education(ctx, unit_id)) or (
        review and can_review_special_education(ctx, unit_id)
    )
    if not allowed:
        raise Http404
    unit = sel.unit_or_none(unit_id)
    if unit is None:
        raise Http404
    return unit


def intervention_for(
    ctx: UserContext, intervention_id: uuid.UUID, *, edit: bool = False, purpose: str
) -> Intervention:
    """Read: the unit's special educators and leaders. Edit: only the one who recorded it, while
    still a special educator at the unit. Either way, a named pupil must be visible to the
    user now (a protected pupil only to the assigned staff; one who moved away, to no one
    at the old unit)."""
    intervention = sel.intervention_or_none(intervention_id)
    if intervention is None:
        raise Http404
    unit_id = intervention.school_unit_id
    if edit:
        allowed = (
            can_record_special_education(ctx, unit_id) and intervention.created_by_id == ctx.user_id
        )
    else:
        allowed = records_or_reviews(ctx, unit_id)
    if not allowed:
        if intervention.pupil_id is not None:
            record_access_to(
                intervention,
                actor_id=ctx.user_id,
                action=AccessAction.VIEW,
                outcome=AccessOutcome.DENIED,
                record_type=INTERVENTION_RECORD,
                purpose=purpose,
            )
        raise Http404
    if intervention.pupil_id is not None:
        get_pupil_for(
            ctx,
            intervention.pupil_id,
            record_type=INTERVENTION_RECORD,
            record_id=intervention.pk,
            purpose=purpose,
        )
    return intervention


def period_for(ctx: UserContext, period_id: uuid.UUID, *, manage: bool = False) -> Period:
    """Read: the unit's special educators and leaders. Manage: the leaders (seed 001 § 3)."""
    period = sel.period_or_none(period_id)
    if period is None:
        raise Http404
    unit_id = period.school_unit_id
    allowed = (
        can_review_special_education(ctx, unit_id) if manage else records_or_reviews(ctx, unit_id)
    )
    if not allowed:
        raise Http404
    return period


def goal_for(ctx: UserContext, goal_id: uuid.UUID) -> Goal:
    goal = sel.goal_or_none(goal_id)
    if goal is None or not can_review_special_education(ctx, goal.period.school_unit_id):
        raise Http404
    return goal


def may_read_report(ctx: UserContext, report: Report) -> bool:
    """The author while a special educator at the unit; the leaders once it is handed in."""
    unit_id = report.period.school_unit_id
    if report.author_id == ctx.user_id and can_record_special_education(ctx, unit_id):
        return True
    return report.state != ReportState.DRAFT and can_review_special_education(ctx, unit_id)


def report_for(
    ctx: UserContext, report_id: uuid.UUID, *, write: bool = False, review: bool = False
) -> Report:
    """`write`: the author's draft. `review`: the leaders' follow-up of a handed-in report."""
    report = sel.report_or_none(report_id)
    if report is None:
        raise Http404
    unit_id = report.period.school_unit_id
    if write:
        allowed = (
            report.author_id == ctx.user_id
            and can_record_special_education(ctx, unit_id)
            and report.state == ReportState.DRAFT
        )
    elif review:
        allowed = can_review_special_education(ctx, unit_id) and report.state != ReportState.DRAFT
    else:
        allowed = may_read_report(ctx, report)
    if not allowed:
        raise Http404
    return report


def is_plan_owner(ctx: UserContext, plan: CompetencePlan) -> bool:
    return plan.special_educator_id == ctx.user_id and can_record_special_education(
        ctx, plan.school_unit_id
    )


def plan_for(
    ctx: UserContext, plan_id: uuid.UUID, *, own: bool = False, lead: bool = False
) -> CompetencePlan:
    """Read: the special educator whose plan it is, and the unit's leaders (seed 001 § 2).
    `own`: only the owner (edits). `lead`: only the leaders (agreement)."""
    plan = sel.plan_or_none(plan_id)
    if plan is None:
        raise Http404
    owner = is_plan_owner(ctx, plan)
    leader = can_review_special_education(ctx, plan.school_unit_id)
    allowed = owner if own else leader if lead else owner or leader
    if not allowed:
        raise Http404
    return plan


def activity_for(ctx: UserContext, activity_id: uuid.UUID) -> PlannedActivity:
    activity = sel.activity_or_none(activity_id)
    if activity is None or not is_plan_owner(ctx, activity.plan):
        raise Http404
    return activity
