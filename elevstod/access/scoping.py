"""The list twins of elevstod.access.policy: querysets of what a user may see.

`pupils_visible_to(ctx)` must agree with `policy.can_view_pupil` for every user and pupil;
tests/test_access_policy.py checks that for every persona. `pupils_related_q` is the twin of
`policy.relations_to_pupil` narrowed to some relations, which the support records' list twin
(elevstod.access.records) builds on.
"""

import uuid
from collections.abc import Collection

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
    staff = _staff_branches(ctx, unit_ids, group_ids)
    personal_ids = set(ctx.custody_pupils)
    if ctx.own_pupil is not None:
        personal_ids.add(ctx.own_pupil)
    # Protected pupils reach staff only through an explicit assignment (security.md P6): staff
    # relations count for unprotected pupils, an assignment only for a protected one.
    assigned = _assigned_branch(ctx)
    personal = [_ids_branch(personal_ids)] if personal_ids else []
    candidates = union_of_ids([*staff, *([assigned] if assigned is not None else []), *personal])
    if candidates is None:
        return Pupil.objects.none()
    return Pupil.objects.filter(
        Q(pk__in=candidates),
        Q(protected_identity=ProtectedIdentity.NONE)
        | Q(pk__in=ctx.protected_assignments | personal_ids),
    )


def _staff_branches(
    ctx: UserContext, unit_ids: Collection[uuid.UUID], group_ids: Collection[uuid.UUID]
) -> list[QuerySet]:
    """Pupil ids placed today at `unit_ids` and in `group_ids` (this year's groups, context.py)."""
    branches: list[QuerySet] = []
    if unit_ids:
        placed = Placement.objects.filter(current_placement_q(ctx), school_unit_id__in=unit_ids)
        branches.append(placed.values("pupil_id"))
    if group_ids:
        members = GroupMembership.objects.filter(group_id__in=group_ids)
        branches.append(members.values("pupil_id"))
    return branches


def _assigned_branch(ctx: UserContext) -> QuerySet | None:
    if not ctx.protected_assignments:
        return None
    return (
        Pupil.objects.filter(pk__in=ctx.protected_assignments)
        .exclude(protected_identity=ProtectedIdentity.NONE)
        .values("pk")
    )


def _ids_branch(ids: Collection[uuid.UUID]) -> QuerySet:
    return Pupil.objects.filter(pk__in=ids).values("pk")


def union_of_ids(branches: list[QuerySet]) -> QuerySet | None:
    """One subquery of ids: `IN (a UNION ALL b …)`, each branch one index lookup; None when
    there are no branches.

    An OR of IN-subqueries (or an OR reaching across a join) cannot become a semi-join in
    PostgreSQL: every list filtered by one scanned the whole pupil table at municipal scale, and
    the programme lists joined every programme with every measure (issue 12). The planner hashes
    one union of small index scans instead. Also the named-person rules of access.records.
    """
    if not branches:
        return None
    first, *rest = [branch.order_by() for branch in branches]
    return first.union(*rest, all=True) if rest else first


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
    staff = _staff_branches(ctx, unit_ids, group_ids)
    # A protected pupil counts for a staff relation only when the user is assigned to them.
    reachable_protected: set[uuid.UUID] = set(ctx.protected_assignments) if staff else set()
    assigned = _assigned_branch(ctx) if Relation.PROTECTED_ASSIGNMENT in relations else None
    if assigned is not None:
        reachable_protected |= ctx.protected_assignments
    personal: set[uuid.UUID] = set()
    if Relation.SELF in relations and ctx.own_pupil is not None:
        personal.add(ctx.own_pupil)
    if Relation.GUARDIAN in relations:
        personal |= ctx.custody_pupils
    candidates = union_of_ids(
        [
            *staff,
            *([assigned] if assigned is not None else []),
            *([_ids_branch(personal)] if personal else []),
        ]
    )
    if candidates is None:
        return None
    related = Pupil.objects.filter(
        Q(pk__in=candidates),
        Q(protected_identity=ProtectedIdentity.NONE) | Q(pk__in=reachable_protected | personal),
    )
    return Q(**{f"{field}__in": related.values("pk")})
