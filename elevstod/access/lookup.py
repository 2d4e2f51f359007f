"""The only way views and the API get a pupil: checked by the policy, logged, 404 otherwise.

Missing and forbidden give the same 404 (security.md P5); both refusals are logged (P1).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from elevstod.access.context import UserContext
from elevstod.access.policy import PupilFacts, Relation, acting_role, relations_to_pupil
from elevstod.access.scoping import current_membership_q, current_placement_q
from elevstod.audit.models import AccessAction, AccessOutcome
from elevstod.audit.recording import act_as, record_access
from elevstod.people.models import GroupMembership, Placement, Pupil


@dataclass(frozen=True)
class PupilAccess:
    pupil: Pupil
    facts: PupilFacts
    relations: frozenset[Relation]

    @property
    def acting_role(self) -> str:
        return acting_role(self.relations)

    @property
    def school_unit_id(self) -> uuid.UUID | None:
        placements = self.pupil.current_placements  # type: ignore[attr-defined]
        return placements[0].school_unit_id if placements else None


def pupil_queryset_with_facts(ctx: UserContext):  # type: ignore[no-untyped-def]
    return Pupil.objects.prefetch_related(
        Prefetch(
            "placements",
            queryset=Placement.objects.filter(current_placement_q(ctx)).select_related(
                "school_unit"
            ),
            to_attr="current_placements",
        ),
        Prefetch(
            "memberships",
            queryset=GroupMembership.objects.filter(current_membership_q(ctx)).select_related(
                "group"
            ),
            to_attr="current_memberships",
        ),
    )


def facts_of(pupil: Pupil) -> PupilFacts:
    return PupilFacts(
        pupil_id=pupil.pk,
        is_protected=pupil.is_protected,
        current_units=frozenset(p.school_unit_id for p in pupil.current_placements),  # type: ignore[attr-defined]
        current_groups=frozenset(m.group_id for m in pupil.current_memberships),  # type: ignore[attr-defined]
    )


def get_pupil_for(
    ctx: UserContext,
    pupil_id: uuid.UUID | str,
    *,
    record_type: str = "pupil",
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
    channel: str = "web",
    only: frozenset[Relation] | None = None,
    record_id: object = None,
    allow: Callable[[frozenset[Relation]], bool] | None = None,
) -> PupilAccess:
    """`only` narrows which relations count, e.g. the log extract needs the unit's leader.

    `allow` is a further check on the relations (the record-level rule of the policy);
    `record_id` names the record in the log when it is not the pupil itself.
    """
    try:
        pupil_uuid = uuid.UUID(str(pupil_id))
    except ValueError as exc:
        raise Http404 from exc
    pupil = pupil_queryset_with_facts(ctx).filter(pk=pupil_uuid).first()
    facts = facts_of(pupil) if pupil is not None else None
    relations = relations_to_pupil(ctx, facts) if facts is not None else frozenset()
    if only is not None:
        relations = relations & only
    if relations and allow is not None and not allow(relations):
        relations = frozenset()
    logged_id = record_id if record_id is not None else pupil_uuid
    if pupil is None or facts is None or not relations:
        record_access(
            actor_id=ctx.user_id,
            action=action,
            outcome=AccessOutcome.DENIED,
            pupil_id=pupil_uuid,
            # So that the unit's log review sees refused attempts on its pupils too.
            school_unit_id=min(facts.current_units) if facts and facts.current_units else None,
            record_type=record_type,
            record_id=logged_id,
            purpose=purpose,
            channel=channel,
        )
        raise Http404
    access = PupilAccess(pupil=pupil, facts=facts, relations=relations)
    act_as(pupil.pk, access.acting_role)
    record_access(
        actor_id=ctx.user_id,
        action=action,
        pupil_id=pupil.pk,
        school_unit_id=access.school_unit_id,
        record_type=record_type,
        record_id=logged_id,
        acting_role=access.acting_role,
        purpose=purpose,
        channel=channel,
    )
    return access


def get_record_for(
    ctx: UserContext,
    queryset: Any,
    record_id: uuid.UUID | str,
    *,
    record_type: str,
    allow: Callable[[frozenset[Relation], Any], bool],
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
    channel: str = "web",
) -> tuple[Any, PupilAccess]:
    """A support record and its pupil, checked by the policy and logged once, or 404.

    `allow(relations, record)` is the policy's record-level rule. Missing and forbidden records
    give the same 404 and are both logged (security.md P1, P5).
    """
    try:
        record_uuid = uuid.UUID(str(record_id))
    except ValueError as exc:
        raise Http404 from exc
    record = queryset.filter(pk=record_uuid).first()
    if record is None:
        record_access(
            actor_id=ctx.user_id,
            action=action,
            outcome=AccessOutcome.DENIED,
            record_type=record_type,
            record_id=record_uuid,
            purpose=purpose,
            channel=channel,
        )
        raise Http404
    access = get_pupil_for(
        ctx,
        record.pupil_id,
        record_type=record_type,
        record_id=record.pk,
        action=action,
        purpose=purpose,
        channel=channel,
        allow=lambda relations: allow(relations, record),
    )
    return record, access
