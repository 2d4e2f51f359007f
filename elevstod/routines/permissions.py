"""Who may read or change a routine or a deviation report: the policy's rules, applied to one
record. Every decision is a call to elevstod.access.policy; nothing here grants on its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from elevstod.access import policy
from elevstod.access.context import UserContext
from elevstod.access.lookup import facts_of, pupil_queryset_with_facts
from elevstod.access.policy import Relation
from elevstod.people.models import Pupil
from elevstod.routines import selectors
from elevstod.routines.models import DeviationReport, Routine


def can_read_routine(ctx: UserContext, routine: Routine) -> bool:
    """A unit routine: the unit's staff. A huvudman routine: the huvudman, and the staff of
    any of its units, where it applies (seed 001 § 7: the routines "ska följas")."""
    if routine.school_unit_id is not None:
        return policy.can_read_routines(ctx, routine.school_unit_id)
    assert routine.provider_id is not None  # the model's check constraint
    if policy.can_manage_provider_routines(ctx, routine.provider_id):
        return True
    units = selectors.unit_ids_of_provider(routine.provider_id, ctx.staff_units)
    return any(policy.can_read_routines(ctx, unit_id) for unit_id in units)


def can_manage_routine(ctx: UserContext, routine: Routine) -> bool:
    """Unit routines are the unit leaders', huvudman routines the huvudman's."""
    if routine.school_unit_id is not None:
        return policy.can_manage_unit_routines(ctx, routine.school_unit_id)
    assert routine.provider_id is not None
    return policy.can_manage_provider_routines(ctx, routine.provider_id)


def is_reporter(ctx: UserContext, report: DeviationReport) -> bool:
    """The reporter follows their own report while they still work at the unit."""
    return (
        ctx.user_id is not None
        and report.created_by_id == ctx.user_id
        and policy.can_report_deviation(ctx, report.school_unit_id)
    )


def can_view_report(ctx: UserContext, report: DeviationReport) -> bool:
    """The reporter and the responsible managers: the unit's leaders. Nobody else, whether or
    not a pupil is linked (a linked pupil makes it only more so)."""
    return is_reporter(ctx, report) or policy.can_handle_deviation(ctx, report.school_unit_id)


def can_handle_report(ctx: UserContext, report: DeviationReport) -> bool:
    return policy.can_handle_deviation(ctx, report.school_unit_id)


@dataclass(frozen=True)
class LinkedPupil:
    """The pupil named in a report as this user may know them, and the role they act in."""

    pupil: Pupil | None
    acting_role: str


def acting_role_towards(ctx: UserContext, pupil_id: uuid.UUID) -> str:
    """The role the user acts in towards the pupil, for the access log ("" if none)."""
    pupil = pupil_queryset_with_facts(ctx).filter(pk=pupil_id).first()
    return policy.acting_role(policy.relations_to_pupil(ctx, facts_of(pupil))) if pupil else ""


def linked_pupil(ctx: UserContext, report: DeviationReport) -> LinkedPupil:
    """The named pupil if this user may see them under the ordinary rules, else None.

    A leader handles every report at the unit, but a pupil with protected identity is shown
    only to the staff assigned to them (security.md P6): the leader then sees that a pupil is
    linked, not who. The acting role is the user's relation to the pupil, or, for a leader
    without one, the principal's role in which they handle the report.
    """
    fallback = Relation.PRINCIPAL.value if can_handle_report(ctx, report) else ""
    if report.pupil_id is None:
        return LinkedPupil(None, fallback)
    pupil = pupil_queryset_with_facts(ctx).filter(pk=report.pupil_id).first()
    relations = policy.relations_to_pupil(ctx, facts_of(pupil)) if pupil else frozenset()
    if not relations:
        return LinkedPupil(None, fallback)
    return LinkedPupil(pupil, policy.acting_role(relations))
