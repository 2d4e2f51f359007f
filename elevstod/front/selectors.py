"""Read-side queries for the start pages, the pupil list and the pupil page.

Every query here is scoped by elevstod.access.scoping and shaped so that its count does not grow
with the data (pinned in tests).
"""

import uuid
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from elevstod.access.context import UserContext
from elevstod.access.lookup import current_memberships
from elevstod.access.scoping import current_placement_q, pupils_visible_to
from elevstod.accounts.models import User
from elevstod.organisation.duties import UNIT_DUTY_LABELS
from elevstod.organisation.models import (
    EducationProvider,
    Group,
    GroupKind,
    GroupStaff,
    GroupStaffRole,
    PupilHealthTeam,
    SchoolUnit,
    UnitDuty,
)
from elevstod.people.figures import unit_figures
from elevstod.people.models import GroupMembership, Guardianship, Placement, Pupil


def _current_placements(ctx: UserContext) -> Prefetch:
    """A pupil's current placements with their unit, as `current_placements`."""
    return Prefetch(
        "placements",
        queryset=Placement.objects.filter(current_placement_q(ctx)).select_related("school_unit"),
        to_attr="current_placements",
    )


def units_with_counts(ctx: UserContext, unit_ids: frozenset[uuid.UUID]) -> list[SchoolUnit]:
    """The units by name, each with `pupil_count`, `group_count` and `staff_count` today
    (elevstod.people.figures: cached summary figures, so the cost does not grow with the units'
    size)."""
    if not unit_ids:
        return []
    units = list(
        SchoolUnit.objects.filter(pk__in=unit_ids).select_related("provider").order_by("name")
    )
    figures = unit_figures(frozenset(unit.pk for unit in units), ctx.today)
    for unit in units:
        counted = figures[unit.pk]
        unit.pupil_count = counted.pupils  # type: ignore[attr-defined]
        unit.group_count = counted.groups  # type: ignore[attr-defined]
        unit.staff_count = counted.staff  # type: ignore[attr-defined]
    return units


def units_named(unit_ids: frozenset[uuid.UUID]) -> QuerySet[SchoolUnit]:
    """Names only, for filters and menus."""
    return SchoolUnit.objects.filter(pk__in=unit_ids).only("name").order_by("name")


def groups_with_pupils(ctx: UserContext, group_ids: frozenset[uuid.UUID]) -> QuerySet[Group]:
    if not group_ids:
        return Group.objects.none()
    visible = pupils_visible_to(ctx)
    return (
        Group.objects.filter(pk__in=group_ids)
        .select_related("school_unit")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=GroupMembership.objects.filter(pupil__in=visible)
                .select_related("pupil")
                .only("group_id", "pupil__first_name", "pupil__last_name")
                .order_by("pupil__last_name", "pupil__first_name"),
                to_attr="visible_memberships",
            )
        )
        .order_by("name")
    )


def children_of(ctx: UserContext) -> QuerySet[Pupil]:
    return (
        Pupil.objects.filter(pk__in=ctx.custody_pupils)
        .prefetch_related(_current_placements(ctx))
        .order_by("first_name")
    )


def pupil_list(
    ctx: UserContext, *, query: str = "", unit_id: uuid.UUID | None = None
) -> QuerySet[Pupil]:
    pupils = pupils_visible_to(ctx)
    if unit_id is not None:
        pupils = pupils.filter(
            pk__in=Placement.objects.filter(
                current_placement_q(ctx), school_unit_id=unit_id
            ).values("pupil_id")
        )
    query = query.strip()
    if query:
        digits = query.replace("-", "")
        if digits.isdigit() and len(digits) in (10, 12):
            # A personnummer search matches exactly; no partial matching on identity numbers.
            suffix = digits[-10:]
            pupils = pupils.filter(identity_number__endswith=suffix)
        else:
            for word in query.split()[:3]:
                pupils = pupils.filter(
                    Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
                )
    return pupils.prefetch_related(_current_placements(ctx)).order_by(
        "last_name", "first_name", "pk"
    )


def pupil_page_details(ctx: UserContext, pupil: Pupil) -> dict[str, object]:
    """Everything the pupil page shows beyond the facts already loaded by the lookup."""
    placements = list(
        Placement.objects.filter(pupil=pupil).select_related("school_unit").order_by("-starts_on")
    )
    group_ids = [m.group_id for m in current_memberships(pupil)]
    mentors = list(
        GroupStaff.objects.filter(group_id__in=group_ids, role=GroupStaffRole.MENTOR)
        .select_related("user", "group")
        .order_by("user__last_name")
    )
    guardianships = list(
        Guardianship.objects.filter(pupil=pupil)
        .select_related("guardian")
        .order_by("-has_custody", "guardian__last_name")
    )
    return {"placements": placements, "mentors": mentors, "guardianships": guardianships}


@dataclass(frozen=True)
class ProviderUnits:
    """A huvudman and its school units, each with its counts (`units_with_counts`)."""

    provider: EducationProvider
    units: list[SchoolUnit]


def providers_with_units(ctx: UserContext) -> list[ProviderUnits]:
    providers = list(
        EducationProvider.objects.filter(pk__in=ctx.administered_providers).order_by("name")
    )
    units = units_with_counts(
        ctx,
        frozenset(SchoolUnit.objects.filter(provider__in=providers).values_list("pk", flat=True)),
    )
    by_provider: dict[uuid.UUID, list[SchoolUnit]] = {}
    for unit in units:
        by_provider.setdefault(unit.provider_id, []).append(unit)
    return [ProviderUnits(provider, by_provider.get(provider.pk, [])) for provider in providers]


def providers_with_unit_counts(ctx: UserContext) -> list[EducationProvider]:
    """The huvudmän the user administers, each with `unit_count`: the start page names them and
    links to the organisation, whose table has the units (one query, whatever their number)."""
    return list(
        EducationProvider.objects.filter(pk__in=ctx.administered_providers)
        .annotate(unit_count=Count("school_units"))
        .order_by("name")
    )


@dataclass(frozen=True)
class StaffDuty:
    user: User
    label: str  # the duty, in the reader's language


@dataclass(frozen=True)
class GroupRow:
    group: Group  # annotated with member_count
    kind_label: str


def unit_overview(ctx: UserContext, unit_id: uuid.UUID) -> dict[str, object]:
    (unit,) = units_with_counts(ctx, frozenset({unit_id}))
    today = ctx.today
    # Translate each label once, not once per row (get_FOO_display rebuilds the choices map).
    duty_labels = {kind.value: str(label) for kind, label in UNIT_DUTY_LABELS.items()}
    kind_labels = {value: str(label) for value, label in GroupKind.choices}
    duties = [
        StaffDuty(row.user, duty_labels[row.duty])
        for row in UnitDuty.objects.filter(current_placement_q(ctx), school_unit_id=unit_id)
        .select_related("user")
        .only("duty", "user__first_name", "user__last_name", "user__username")
        .order_by("duty", "user__last_name")
    ]
    groups = [
        GroupRow(group, kind_labels[group.kind])
        for group in Group.objects.filter(
            school_unit_id=unit_id,
            academic_year__starts_on__lte=today,
            academic_year__ends_on__gte=today,
        )
        .annotate(member_count=Count("memberships"))
        .only("name", "kind", "grade")
        .order_by("grade", "name")
    ]
    team_obj = (
        PupilHealthTeam.objects.filter(school_unit_id=unit_id).prefetch_related("members").first()
    )
    team = list(team_obj.members.all()) if team_obj else []
    return {
        "unit": unit,
        "duties": duties,
        "groups": groups,
        "eht_members": team,
    }
