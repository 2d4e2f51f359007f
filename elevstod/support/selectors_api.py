"""Read-side queries for API v1's support-chain resources (elevstod.api.support).

Lists are the twin of the detail check in elevstod.access.lookup.get_record_for: a record is
listed when the user's relations to its pupil are among `policy.SUPPORT_VIEWERS` for its type
(drafts never to the family), or when the user is named on it as a participant and has a staff
relation to the pupil (`policy.can_view_support_record`). The relation sets are computed the way
`policy.relations_to_pupil` computes them, with protected pupils reachable only through an
explicit assignment (security.md P6). tests in elevstod/api/tests/test_support_api.py check that
every persona's list equals the records whose detail they may open.

Each list is one page query plus a fixed number of prefetches, whatever the number of rows, and
each detail queryset loads everything its schema shows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from elevstod.access.context import UserContext
from elevstod.access.policy import FAMILY, STAFF_RELATIONS, SUPPORT_VIEWERS, Relation, SupportRecord
from elevstod.access.scoping import current_placement_q
from elevstod.organisation.models import Group, SchoolUnit, UnitDuty
from elevstod.people.models import GroupMembership, Placement, ProtectedIdentity, Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    AdaptationEvaluation,
    Appeal,
    Concern,
    Decision,
    DecisionService,
    FollowUp,
    Investigation,
    MeasureReview,
    ProgrammeMeasure,
    Referral,
)
from elevstod.support.services import deadlines_for

# --------------------------------------------------------------------------- who is related


def pupils_related_to(ctx: UserContext, relations: Collection[Relation]) -> QuerySet[Pupil] | None:
    """Pupils to whom the user has at least one of `relations`; None when there can be none.

    The list twin of `relations_to_pupil(ctx, pupil) & relations`: unit duties reach the pupils
    placed at the unit today, group roles the pupils in this year's groups, and a protected pupil
    counts only with an explicit assignment, which then lets every relation count (P6).
    """
    if ctx.user_id is None:
        return None
    unit_ids: set[uuid.UUID] = set()
    if Relation.PRINCIPAL in relations:
        unit_ids |= ctx.leader_units
    if Relation.SPECIAL_EDUCATION in relations:
        unit_ids |= ctx.support_units
    if Relation.PUPIL_HEALTH_TEAM in relations:
        unit_ids |= ctx.eht_units
    group_ids: set[uuid.UUID] = set()
    if Relation.MENTOR in relations:
        group_ids |= ctx.mentor_groups
    if Relation.TEACHER in relations:
        group_ids |= ctx.taught_groups

    parts: list[Q] = []
    staff: list[Q] = []
    if unit_ids:
        placed = Placement.objects.filter(current_placement_q(ctx), school_unit_id__in=unit_ids)
        staff.append(Q(pk__in=placed.values("pupil_id")))
    if group_ids:
        members = GroupMembership.objects.filter(group_id__in=group_ids)
        staff.append(Q(pk__in=members.values("pupil_id")))
    if staff:
        reachable = Q(protected_identity=ProtectedIdentity.NONE)
        if ctx.protected_assignments:
            reachable |= Q(pk__in=ctx.protected_assignments)
        parts.append(reduce(or_, staff) & reachable)
    if Relation.PROTECTED_ASSIGNMENT in relations and ctx.protected_assignments:
        parts.append(
            Q(pk__in=ctx.protected_assignments) & ~Q(protected_identity=ProtectedIdentity.NONE)
        )
    personal: set[uuid.UUID] = set()
    if Relation.SELF in relations and ctx.own_pupil is not None:
        personal.add(ctx.own_pupil)
    if Relation.GUARDIAN in relations:
        personal |= ctx.custody_pupils
    if personal:
        parts.append(Q(pk__in=personal))
    if not parts:
        return None
    return Pupil.objects.filter(reduce(or_, parts)).values("pk")  # type: ignore[return-value]


def _pupil_in(ctx: UserContext, relations: Collection[Relation]) -> Q | None:
    pupils = pupils_related_to(ctx, relations)
    return None if pupils is None else Q(pupil_id__in=pupils)


def _visible(
    ctx: UserContext,
    record: SupportRecord,
    *,
    family_may_see: Q | None = None,
    participant: Q | None = None,
) -> Q:
    """The records of `record`'s type the user may see (policy.can_view_support_record)."""
    viewers = SUPPORT_VIEWERS[record]
    parts: list[Q] = []
    staff = _pupil_in(ctx, viewers - FAMILY)
    if staff is not None:
        parts.append(staff)
    family = _pupil_in(ctx, viewers & FAMILY)
    if family is not None:
        parts.append(family if family_may_see is None else family & family_may_see)
    if participant is not None:
        related_staff = _pupil_in(ctx, STAFF_RELATIONS)
        if related_staff is not None:
            parts.append(participant & related_staff)
    return reduce(or_, parts) if parts else Q(pk__in=[])


# --------------------------------------------------------------------------- participants
#
# The policy lets a participant (staff named on the record) see it (policy.SUPPORT_VIEWERS
# comment): the author of a concern or report and an assigned investigator. Each rule has a Q
# for lists and a predicate for a loaded record, side by side so that they stay twins.


def participant_q(record: SupportRecord, user_id: uuid.UUID | None) -> Q | None:
    if user_id is None:
        return None
    if record in (SupportRecord.CONCERN, SupportRecord.REFERRAL):
        return Q(created_by_id=user_id)
    if record is SupportRecord.INVESTIGATION:
        # Exists rather than a join, so that a record is never listed twice.
        named = Investigation.investigators.through.objects.filter(
            investigation_id=OuterRef("pk"), user_id=user_id
        )
        return Q(Exists(named))
    return None


def is_participant(record: SupportRecord, user_id: uuid.UUID | None, obj: Any) -> bool:
    if user_id is None:
        return False
    if record in (SupportRecord.CONCERN, SupportRecord.REFERRAL):
        return bool(obj.created_by_id == user_id)
    if record is SupportRecord.INVESTIGATION:
        return any(person.pk == user_id for person in obj.investigators.all())
    return False


# Named on the record, which lets staff do the record's own work (policy.can_act `participant`).


def is_named_on_adaptation(user_id: uuid.UUID | None, adaptation: Adaptation) -> bool:
    return user_id is not None and adaptation.responsible_id == user_id


def is_named_on_programme(user_id: uuid.UUID | None, programme: ActionProgramme) -> bool:
    """Responsible for the programme's follow-up, its evaluation or one of its measures."""
    if user_id is None:
        return False
    if user_id in (programme.follow_up_responsible_id, programme.evaluation_responsible_id):
        return True
    return any(measure.responsible_id == user_id for measure in programme.measures.all())


# --------------------------------------------------------------------------- lists


def concerns_visible_to(
    ctx: UserContext, *, pupil: uuid.UUID | None = None, state: str | None = None
) -> QuerySet[Concern]:
    record = SupportRecord.CONCERN
    concerns = Concern.objects.filter(
        _visible(ctx, record, participant=participant_q(record, ctx.user_id))
    )
    if pupil is not None:
        concerns = concerns.filter(pupil_id=pupil)
    if state:
        concerns = concerns.filter(state=state)
    return concerns.select_related("pupil").order_by("-raised_on", "-created_at", "pk")


def adaptations_visible_to(
    ctx: UserContext, *, pupil: uuid.UUID | None = None, state: str | None = None
) -> QuerySet[Adaptation]:
    adaptations = Adaptation.objects.filter(_visible(ctx, SupportRecord.ADAPTATION))
    if pupil is not None:
        adaptations = adaptations.filter(pupil_id=pupil)
    if state:
        adaptations = adaptations.filter(state=state)
    return adaptations.select_related("pupil", "responsible", "group").order_by(
        "-starts_on", "-created_at", "pk"
    )


def referrals_visible_to(
    ctx: UserContext, *, pupil: uuid.UUID | None = None, state: str | None = None
) -> QuerySet[Referral]:
    record = SupportRecord.REFERRAL
    referrals = Referral.objects.filter(
        _visible(ctx, record, participant=participant_q(record, ctx.user_id))
    )
    if pupil is not None:
        referrals = referrals.filter(pupil_id=pupil)
    if state:
        referrals = referrals.filter(state=state)
    return referrals.select_related("pupil").order_by("-reported_on", "-created_at", "pk")


# An investigation has no state column: it is open, assessed (awaiting the decision), or closed
# by one of the two decisions (process.md §2.5).
INVESTIGATION_STATES: dict[str, Q] = {
    "open": Q(assessed_on__isnull=True, closed_on__isnull=True),
    "assessed": Q(assessed_on__isnull=False, closed_on__isnull=True),
    "closed": Q(closed_on__isnull=False),
}


def investigation_state(investigation: Investigation) -> str:
    if investigation.closed_on is not None:
        return "closed"
    return "assessed" if investigation.assessed_on is not None else "open"


def investigations_visible_to(
    ctx: UserContext, *, pupil: uuid.UUID | None = None, state: str | None = None
) -> QuerySet[Investigation]:
    record = SupportRecord.INVESTIGATION
    investigations = Investigation.objects.filter(
        _visible(ctx, record, participant=participant_q(record, ctx.user_id))
    )
    if pupil is not None:
        investigations = investigations.filter(pupil_id=pupil)
    if state:
        investigations = investigations.filter(INVESTIGATION_STATES[state])
    return (
        investigations.select_related("pupil")
        .prefetch_related("investigators")
        .order_by("-opened_on", "-created_at", "pk")
    )


def programmes_visible_to(
    ctx: UserContext, *, pupil: uuid.UUID | None = None, state: str | None = None
) -> QuerySet[ActionProgramme]:
    # The family sees what has been decided, never a draft (can_view_support_record).
    programmes = ActionProgramme.objects.filter(
        _visible(
            ctx,
            SupportRecord.PROGRAMME,
            family_may_see=~Q(state__in=wf.UNDECIDED_PROGRAMME_STATES),
        )
    )
    if pupil is not None:
        programmes = programmes.filter(pupil_id=pupil)
    if state:
        programmes = programmes.filter(state=state)
    return programmes.select_related("pupil").order_by("pupil_id", "referral_id", "-number", "pk")


def decisions_visible_to(
    ctx: UserContext, *, pupil: uuid.UUID | None = None, kind: str | None = None
) -> QuerySet[Decision]:
    decisions = Decision.objects.filter(_visible(ctx, SupportRecord.DECISION))
    if pupil is not None:
        decisions = decisions.filter(pupil_id=pupil)
    if kind:
        decisions = decisions.filter(kind=kind)
    return decisions.select_related("pupil").order_by("-decided_on", "-created_at", "pk")


def follow_ups_visible_to(
    ctx: UserContext,
    *,
    pupil: uuid.UUID | None = None,
    kind: str | None = None,
    programme: uuid.UUID | None = None,
) -> QuerySet[FollowUp]:
    follow_ups = FollowUp.objects.filter(_visible(ctx, SupportRecord.FOLLOW_UP))
    if pupil is not None:
        follow_ups = follow_ups.filter(pupil_id=pupil)
    if kind:
        follow_ups = follow_ups.filter(kind=kind)
    if programme is not None:
        follow_ups = follow_ups.filter(programme_id=programme)
    return follow_ups.select_related("pupil").order_by("-held_on", "-created_at", "pk")


def appeals_visible_to(
    ctx: UserContext, *, pupil: uuid.UUID | None = None, state: str | None = None
) -> QuerySet[Appeal]:
    appeals = Appeal.objects.filter(_visible(ctx, SupportRecord.APPEAL))
    if pupil is not None:
        appeals = appeals.filter(pupil_id=pupil)
    if state:
        appeals = appeals.filter(state=state)
    return appeals.select_related("pupil").order_by("-lodged_on", "-created_at", "pk")


# --------------------------------------------------------------------------- details
#
# Querysets handed to access.lookup.get_record_for: it picks the row and checks the policy; these
# load what the detail schema shows, and what the record's rule needs (investigators, measures).


def concern_records() -> QuerySet[Concern]:
    return Concern.objects.select_related("pupil")


def adaptation_records() -> QuerySet[Adaptation]:
    return Adaptation.objects.select_related("pupil", "responsible", "group").prefetch_related(
        Prefetch(
            "evaluations",
            queryset=AdaptationEvaluation.objects.select_related("evaluated_by").order_by(
                "-evaluated_on", "-created_at"
            ),
        )
    )


def referral_records() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "pupil", "created_by", "received_by", "investigation"
    ).prefetch_related(Prefetch("adaptations", queryset=Adaptation.objects.only("pk")))


def investigation_records() -> QuerySet[Investigation]:
    return Investigation.objects.select_related("pupil").prefetch_related("investigators", "needs")


def programme_records() -> QuerySet[ActionProgramme]:
    return ActionProgramme.objects.select_related(
        "pupil", "follow_up_responsible", "evaluation_responsible"
    ).prefetch_related(
        "needs",
        Prefetch(
            "measures",
            queryset=ProgrammeMeasure.objects.select_related("responsible").order_by(
                "position", "created_at"
            ),
        ),
    )


def decision_records() -> QuerySet[Decision]:
    return Decision.objects.select_related("pupil").prefetch_related(
        Prefetch(
            "services",
            queryset=DecisionService.objects.select_related("guardian").order_by(
                "recipient_kind", "recipient_name", "pk"
            ),
        )
    )


def follow_up_records() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("pupil").prefetch_related(
        Prefetch(
            "reviews",
            queryset=MeasureReview.objects.select_related("measure").order_by(
                "measure__position", "measure__created_at"
            ),
        )
    )


def appeal_records() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("pupil")


def reloaded(records: Callable[[], QuerySet[Any]], record_id: uuid.UUID) -> Any:
    """A record read again after a service changed it, in its detail shape.

    Access was checked and logged by the lookup earlier in the same request; this only refreshes
    the rows the service replaced (needs, measures, services).
    """
    return records().get(pk=record_id)


# --------------------------------------------------------------------------- input checks


def staff_at_unit(unit_id: uuid.UUID, user_ids: Collection[uuid.UUID], day: date) -> set[uuid.UUID]:
    """Those of `user_ids` who hold a duty at the unit on `day`: who may be named responsible."""
    if not user_ids:
        return set()
    return set(
        UnitDuty.objects.filter(
            school_unit_id=unit_id, user_id__in=list(user_ids), starts_on__lte=day
        )
        .exclude(ends_on__lt=day)
        .values_list("user_id", flat=True)
    )


def concern_of_pupil(pupil_id: uuid.UUID, concern_id: uuid.UUID) -> Concern | None:
    return Concern.objects.filter(pk=concern_id, pupil_id=pupil_id).first()


def adaptations_of_pupil(pupil_id: uuid.UUID, ids: Collection[uuid.UUID]) -> list[Adaptation]:
    if not ids:
        return []
    return list(Adaptation.objects.filter(pk__in=list(ids), pupil_id=pupil_id))


def unit_deadlines(unit_id: uuid.UUID) -> wf.DeadlineSettings:
    """The huvudman's deadline settings for a unit (process.md §3: settings, not law)."""
    provider_id = (
        SchoolUnit.objects.filter(pk=unit_id).values_list("provider_id", flat=True).first()
    )
    return deadlines_for(provider_id) if provider_id else wf.DEFAULT_DEADLINES


def group_at_unit(unit_id: uuid.UUID, group_id: uuid.UUID) -> bool:
    """An adaptation's teaching group must be one of the pupil's unit's groups."""
    return Group.objects.filter(pk=group_id, school_unit_id=unit_id).exists()
