"""The only way views and the API get a pupil: checked by the policy, logged, 404 otherwise.

Missing and forbidden give the same 404 (security.md P5); both refusals are logged (P1). They
also cost the same work: the pupil's facts are asked for whether or not the pupil exists, so the
answer's time does not tell a forbidden id from a missing one.
Support records have their own door beside this one, elevstod.access.records, built on the
same pieces: the pupil's facts (`fact_prefetches`, `facts_of`) and one log row per attempt
(`AccessAttempt`).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404

from elevstod.access.context import UserContext
from elevstod.access.policy import (
    PupilFacts,
    Relation,
    acting_role,
    can_manage_protected_assignments,
    relations_to_pupil,
)
from elevstod.access.scoping import current_membership_q, current_placement_q
from elevstod.audit.models import AccessAction, AccessOutcome
from elevstod.audit.recording import act_as, record_access
from elevstod.core.parsing import uuid_or_none
from elevstod.people.models import GroupMembership, Placement, Pupil
from elevstod.people.services import RECORD_TYPE as PROTECTED_ASSIGNMENT


def _prefetched(instance: Model, to_attr: str) -> list[Any]:
    """A list a `Prefetch(to_attr=…)` put on the instance. A KeyError when it was not loaded,
    never a silent empty list that would read as "no relation"."""
    return cast(list[Any], vars(instance)[to_attr])


def current_placements(pupil: Pupil) -> list[Placement]:
    return _prefetched(pupil, "current_placements")


def current_memberships(pupil: Pupil) -> list[GroupMembership]:
    return _prefetched(pupil, "current_memberships")


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
        placements = current_placements(self.pupil)
        return placements[0].school_unit_id if placements else None


def fact_prefetches(ctx: UserContext) -> tuple[Prefetch, Prefetch]:
    """The pupil's current placements and groups, what `facts_of` reads."""
    return (
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


def pupil_queryset_with_facts(ctx: UserContext) -> QuerySet[Pupil]:
    return Pupil.objects.prefetch_related(*fact_prefetches(ctx))


def facts_of(pupil: Pupil) -> PupilFacts:
    return PupilFacts(
        pupil_id=pupil.pk,
        is_protected=pupil.is_protected,
        current_units=frozenset(p.school_unit_id for p in current_placements(pupil)),
        current_groups=frozenset(m.group_id for m in current_memberships(pupil)),
    )


def parsed_id(raw: uuid.UUID | str) -> uuid.UUID | None:
    """The id in `raw`, or None for one that is not an id (a 404 then, never a 500)."""
    return uuid_or_none(str(raw))


@dataclass(frozen=True)
class AccessAttempt:
    """One read asked for, and the one access-log row it leaves, allowed or denied (P1)."""

    ctx: UserContext
    record_type: str
    action: AccessAction
    purpose: str
    channel: str

    def denied(
        self,
        record_id: object,
        *,
        pupil_id: uuid.UUID | None = None,
        facts: PupilFacts | None = None,
        acting_role: str = "",
    ) -> None:
        record_access(
            actor_id=self.ctx.user_id,
            action=self.action,
            outcome=AccessOutcome.DENIED,
            pupil_id=facts.pupil_id if facts is not None else pupil_id,
            # So that the unit's log review sees refused attempts on its pupils too.
            school_unit_id=min(facts.current_units) if facts and facts.current_units else None,
            record_type=self.record_type,
            record_id=record_id,
            acting_role=acting_role,
            purpose=self.purpose,
            channel=self.channel,
        )

    def allowed(self, access: PupilAccess, record_id: object) -> None:
        act_as(access.pupil.pk, access.acting_role)
        record_access(
            actor_id=self.ctx.user_id,
            action=self.action,
            pupil_id=access.pupil.pk,
            school_unit_id=access.school_unit_id,
            record_type=self.record_type,
            record_id=record_id,
            acting_role=access.acting_role,
            purpose=self.purpose,
            channel=self.channel,
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
    pupil_uuid = parsed_id(pupil_id)
    if pupil_uuid is None:
        raise Http404
    attempt = AccessAttempt(ctx, record_type, action, purpose, channel)
    logged_id = record_id if record_id is not None else pupil_uuid
    found = Pupil.objects.filter(pk=pupil_uuid).first()
    # A pupil who does not exist is asked for their facts too (and has none): the same queries.
    pupil = found if found is not None else Pupil(pk=pupil_uuid)
    prefetch_related_objects([pupil], *fact_prefetches(ctx))
    if found is None:
        attempt.denied(logged_id, pupil_id=pupil_uuid)
        raise Http404
    facts = facts_of(pupil)
    relations = relations_to_pupil(ctx, facts)
    if only is not None:
        relations = relations & only
    if relations and allow is not None and not allow(relations):
        relations = frozenset()
    if not relations:
        attempt.denied(logged_id, facts=facts)
        raise Http404
    access = PupilAccess(pupil=pupil, facts=facts, relations=relations)
    attempt.allowed(access, logged_id)
    return access


# ----------------------------------------------------------------------------- protected identity
# The rektor reaches a protected pupil to decide who is assigned, without a relation to the pupil
# (security.md P6, decision 0019).


@dataclass(frozen=True)
class ProtectedPupilAccess:
    """A protected pupil reached for assignment only: no relation to the pupil is implied."""

    pupil: Pupil
    facts: PupilFacts
    school_unit_id: uuid.UUID


def get_protected_pupil_for_assignment(
    ctx: UserContext, pupil_id: uuid.UUID | str, *, purpose: str
) -> ProtectedPupilAccess:
    """The pupil for the assignment page: checked, one access-log row (allowed or denied), or
    the same 404 for missing, unprotected and forbidden (security.md P5)."""
    pupil_uuid = parsed_id(pupil_id)
    if pupil_uuid is None:
        raise Http404
    attempt = AccessAttempt(ctx, PROTECTED_ASSIGNMENT, AccessAction.VIEW, purpose, "web")
    found = Pupil.objects.filter(pk=pupil_uuid).first()
    pupil = found if found is not None else Pupil(pk=pupil_uuid)
    prefetch_related_objects([pupil], *fact_prefetches(ctx))
    if found is None:
        attempt.denied(pupil_uuid, pupil_id=pupil_uuid)
        raise Http404
    facts = facts_of(pupil)
    if not can_manage_protected_assignments(ctx, facts):
        attempt.denied(pupil_uuid, facts=facts)
        raise Http404
    unit_id = min(ctx.principal_units & facts.current_units)
    access = PupilAccess(pupil=pupil, facts=facts, relations=frozenset({Relation.PRINCIPAL}))
    attempt.allowed(access, pupil_uuid)
    return ProtectedPupilAccess(pupil=pupil, facts=facts, school_unit_id=unit_id)
