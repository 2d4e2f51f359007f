"""The only way views and the API get a pupil: checked by the policy, logged, 404 otherwise.

Missing and forbidden give the same 404 (security.md P5); both refusals are logged (P1).
"""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404

from elevstod.access.context import UserContext
from elevstod.access.policy import PupilFacts, Relation, acting_role, relations_to_pupil
from elevstod.access.scoping import current_membership_q, current_placement_q
from elevstod.audit.models import AccessAction, AccessOutcome
from elevstod.audit.recording import record_access
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
) -> PupilAccess:
    """`only` narrows which relations count, e.g. the log extract needs the unit's leader."""
    try:
        pupil_uuid = uuid.UUID(str(pupil_id))
    except ValueError as exc:
        raise Http404 from exc
    pupil = pupil_queryset_with_facts(ctx).filter(pk=pupil_uuid).first()
    facts = facts_of(pupil) if pupil is not None else None
    relations = relations_to_pupil(ctx, facts) if facts is not None else frozenset()
    if only is not None:
        relations = relations & only
    if pupil is None or facts is None or not relations:
        record_access(
            actor_id=ctx.user_id,
            action=action,
            outcome=AccessOutcome.DENIED,
            pupil_id=pupil_uuid,
            # So that the unit's log review sees refused attempts on its pupils too.
            school_unit_id=min(facts.current_units) if facts and facts.current_units else None,
            record_type=record_type,
            record_id=pupil_uuid,
            purpose=purpose,
            channel=channel,
        )
        raise Http404
    access = PupilAccess(pupil=pupil, facts=facts, relations=relations)
    record_access(
        actor_id=ctx.user_id,
        action=action,
        pupil_id=pupil.pk,
        school_unit_id=access.school_unit_id,
        record_type=record_type,
        record_id=pupil.pk,
        acting_role=access.acting_role,
        purpose=purpose,
        channel=channel,
    )
    return access
