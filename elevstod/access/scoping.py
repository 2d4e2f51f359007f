"""The list twins of elevstod.access.policy: querysets of what a user may see.

`pupils_visible_to(ctx)` must agree with `policy.can_view_pupil` for every user and pupil;
tests/test_access_policy.py checks that for every persona. `pupils_related_q` is the twin of
`policy.relations_to_pupil` narrowed to some relations, which the support records' list twin
(elevstod.access.records) builds on.
"""

import uuid
from collections.abc import Collection
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from elevstod.access.context import UserContext
from elevstod.access.policy import Relation
from elevstod.organisation.models import Group, SchoolUnit
from elevstod.people.models import GroupMembership, Placement, ProtectedIdentity, Pupil


def current_placement_q(ctx: UserContext, prefix: str = "") -> Q:
    today = ctx.today
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


def current_membership_q(ctx: UserContext, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}group__academic_year__starts_on__lte": ctx.today,
            f"{prefix}group__academic_year__ends_on__gte": ctx.today,
        }
    )


def pupils_visible_to(ctx: UserContext) -> QuerySet[Pupil]:
    if ctx.user_id is None:
        return Pupil.objects.none()
    unit_ids = ctx.leader_units | ctx.support_units | ctx.eht_units
    group_ids = ctx.mentor_groups | ctx.taught_groups
    staff = Q(pk__in=[])
    if unit_ids:
        staff |= Q(
            pk__in=Placement.objects.filter(
                current_placement_q(ctx), school_unit_id__in=unit_ids
            ).values("pupil_id")
        )
    if group_ids:
        staff |= Q(pk__in=GroupMembership.objects.filter(group_id__in=group_ids).values("pupil_id"))
    # Protected pupils reach staff only through an explicit assignment (security.md P6).
    staff &= Q(protected_identity=ProtectedIdentity.NONE)
    assigned = Q(pk__in=ctx.protected_assignments) & ~Q(protected_identity=ProtectedIdentity.NONE)
    personal_ids = set(ctx.custody_pupils)
    if ctx.own_pupil is not None:
        personal_ids.add(ctx.own_pupil)
    return Pupil.objects.filter(staff | assigned | Q(pk__in=personal_ids))


def pupils_at_units_visible_to(ctx: UserContext, unit_ids: frozenset[uuid.UUID]) -> QuerySet[Pupil]:
    """Visible pupils currently placed at the given units."""
    return pupils_visible_to(ctx).filter(
        pk__in=Placement.objects.filter(
            current_placement_q(ctx), school_unit_id__in=unit_ids
        ).values("pupil_id")
    )


def school_units_visible_to(ctx: UserContext) -> QuerySet[SchoolUnit]:
    """Units are not personal data, but still only those the user has a relation to."""
    if ctx.user_id is None:
        return SchoolUnit.objects.none()
    personal = set(ctx.custody_pupils) | ({ctx.own_pupil} if ctx.own_pupil else set())
    return SchoolUnit.objects.filter(
        Q(pk__in=ctx.staff_units | ctx.eht_units)
        | Q(provider_id__in=ctx.administered_providers)
        | Q(
            pk__in=Placement.objects.filter(current_placement_q(ctx), pupil_id__in=personal).values(
                "school_unit_id"
            )
        )
    )


def groups_visible_to(ctx: UserContext) -> QuerySet[Group]:
    """Own groups, and this year's groups at units the user works across."""
    if ctx.user_id is None:
        return Group.objects.none()
    unit_ids = ctx.leader_units | ctx.support_units | ctx.eht_units
    return Group.objects.filter(
        Q(pk__in=ctx.taught_groups | ctx.mentor_groups)
        | Q(
            school_unit_id__in=unit_ids,
            academic_year__starts_on__lte=ctx.today,
            academic_year__ends_on__gte=ctx.today,
        )
    )


def pupils_related_q(
    ctx: UserContext, relations: Collection[Relation], field: str = "pupil_id"
) -> Q | None:
    """Rows whose `field` is a pupil to whom the user has one of `relations`; None when there
    can be none.

    The list twin of `relations_to_pupil(ctx, pupil) & relations`: unit duties reach the pupils
    placed at the unit today, group roles the pupils in this year's groups, and a protected pupil
    counts only with an explicit assignment, which then lets every relation count (P6).
    """
    if ctx.user_id is None:
        return None
    parts = [
        part
        for part in (
            _staff_related_q(ctx, relations),
            _assigned_q(ctx) if Relation.PROTECTED_ASSIGNMENT in relations else None,
            _personal_q(ctx, relations),
        )
        if part is not None
    ]
    if not parts:
        return None
    return Q(**{f"{field}__in": Pupil.objects.filter(reduce(or_, parts)).values("pk")})


def _staff_related_q(ctx: UserContext, relations: Collection[Relation]) -> Q | None:
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
    staff: list[Q] = []
    if unit_ids:
        placed = Placement.objects.filter(current_placement_q(ctx), school_unit_id__in=unit_ids)
        staff.append(Q(pk__in=placed.values("pupil_id")))
    if group_ids:
        members = GroupMembership.objects.filter(group_id__in=group_ids)
        staff.append(Q(pk__in=members.values("pupil_id")))
    if not staff:
        return None
    reachable = Q(protected_identity=ProtectedIdentity.NONE)
    if ctx.protected_assignments:
        reachable |= Q(pk__in=ctx.protected_assignments)
    return reduce(or_, staff) & reachable


def _assigned_q(ctx: UserContext) -> Q | None:
    if not ctx.protected_assignments:
        return None
    return Q(pk__in=ctx.protected_assignments) & ~Q(protected_identity=ProtectedIdentity.NONE)


def _personal_q(ctx: UserContext, relations: Collection[Relation]) -> Q | None:
    personal: set[uuid.UUID] = set()
    if Relation.SELF in relations and ctx.own_pupil is not None:
        personal.add(ctx.own_pupil)
    if Relation.GUARDIAN in relations:
        personal |= ctx.custody_pupils
    return Q(pk__in=personal) if personal else None
