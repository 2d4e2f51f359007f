"""The list twins of elevstod.access.policy: querysets of what a user may see.

`pupils_visible_to(ctx)` must agree with `policy.can_view_pupil` for every user and pupil;
tests/test_access_agreement.py checks that for every persona.
"""

from django.db.models import Q, QuerySet

from elevstod.access.context import UserContext
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


def pupils_at_units_visible_to(ctx: UserContext, unit_ids: frozenset) -> QuerySet[Pupil]:
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
