"""Read queries of routines and deviation reports. Each one a fixed number of queries.

Callers decide access (elevstod.routines.permissions, which asks elevstod.access.policy); these
functions only shape what is loaded, so templates never trigger a query of their own.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncQuarter

from elevstod.accounts.models import User
from elevstod.organisation.duties import LEADERSHIP_DUTIES
from elevstod.organisation.models import EducationProvider, SchoolUnit
from elevstod.routines import rules
from elevstod.routines.models import (
    COUNTERPART_FIELDS,
    Counterpart,
    DeviationReport,
    DeviationStatus,
    DeviationStatusChange,
    Routine,
    RoutineCategory,
    RoutineReview,
    RoutineVersion,
)

# ----------------------------------------------------------------------------- organisation


def units_by_id(unit_ids: Iterable[uuid.UUID]) -> list[SchoolUnit]:
    """The units, with their huvudman, by name."""
    ids = list(unit_ids)
    if not ids:
        return []
    return list(SchoolUnit.objects.filter(pk__in=ids).select_related("provider").order_by("name"))


def providers_by_id(provider_ids: Iterable[uuid.UUID]) -> list[EducationProvider]:
    ids = list(provider_ids)
    if not ids:
        return []
    return list(EducationProvider.objects.filter(pk__in=ids).order_by("name"))


def units_of_providers(provider_ids: Iterable[uuid.UUID]) -> list[SchoolUnit]:
    ids = list(provider_ids)
    if not ids:
        return []
    return list(
        SchoolUnit.objects.filter(provider_id__in=ids).select_related("provider").order_by("name")
    )


def unit_with_provider(unit_id: uuid.UUID) -> SchoolUnit | None:
    return SchoolUnit.objects.select_related("provider").filter(pk=unit_id).first()


def unit_ids_of_provider(provider_id: uuid.UUID, among: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `among` belong to the huvudman (one query)."""
    ids = list(among)
    if not ids:
        return set()
    return set(
        SchoolUnit.objects.filter(pk__in=ids, provider_id=provider_id).values_list("pk", flat=True)
    )


def _current_duty_q(today: date) -> Q:
    return Q(unit_duties__starts_on__lte=today) & (
        Q(unit_duties__ends_on__isnull=True) | Q(unit_duties__ends_on__gte=today)
    )


def owner_choices_for_unit(unit_id: uuid.UUID, today: date) -> QuerySet[User]:
    """Who may own a unit routine: anyone with a current duty at the unit."""
    return (
        User.objects.filter(Q(unit_duties__school_unit_id=unit_id) & _current_duty_q(today))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def owner_choices_for_provider(provider_id: uuid.UUID, today: date) -> QuerySet[User]:
    """Who may own a huvudman routine: the huvudman's staff and the leaders of its units."""
    leaders = (
        Q(unit_duties__school_unit__provider_id=provider_id)
        & Q(unit_duties__duty__in=[str(duty) for duty in LEADERSHIP_DUTIES])
        & _current_duty_q(today)
    )
    return (
        User.objects.filter(Q(provider_duties__provider_id=provider_id) | leaders)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def leader_addresses(
    unit_id: uuid.UUID, today: date, *, exclude_user_id: uuid.UUID | None = None
) -> list[str]:
    """The e-mail addresses of the unit's current leaders (rektor, biträdande rektor)."""
    leaders = User.objects.filter(
        # One filter() call: every condition applies to the same duty row.
        Q(unit_duties__school_unit_id=unit_id)
        & Q(unit_duties__duty__in=[str(duty) for duty in LEADERSHIP_DUTIES])
        & _current_duty_q(today)
    ).exclude(email="")
    if exclude_user_id is not None:
        leaders = leaders.exclude(pk=exclude_user_id)
    return sorted(set(leaders.values_list("email", flat=True)))


# ----------------------------------------------------------------------------- routines

_ROUTINE_RELATED = ("current_version", "owner", "school_unit", "provider")


def routines_in_force_at_unit(unit: SchoolUnit) -> list[Routine]:
    """The unit's own routines and its huvudman's, which apply at every unit."""
    return list(
        Routine.objects.filter(Q(school_unit_id=unit.pk) | Q(provider_id=unit.provider_id))
        .select_related(*_ROUTINE_RELATED)
        .order_by("current_version__title")
    )


def routines_of_provider(provider_id: uuid.UUID) -> list[Routine]:
    return list(
        Routine.objects.filter(provider_id=provider_id)
        .select_related(*_ROUTINE_RELATED)
        .order_by("current_version__title")
    )


def routine_by_id(routine_id: uuid.UUID) -> Routine | None:
    return (
        Routine.objects.select_related(
            *_ROUTINE_RELATED, "school_unit__provider", "updated_by", "created_by"
        )
        .filter(pk=routine_id)
        .first()
    )


def routine_versions(routine: Routine) -> list[RoutineVersion]:
    """Every version, newest first, with who published it."""
    return list(
        RoutineVersion.objects.filter(routine=routine)
        .select_related("created_by")
        .order_by("-number")
    )


def routine_reviews(routine: Routine) -> list[RoutineReview]:
    return list(
        RoutineReview.objects.filter(routine=routine)
        .select_related("created_by")
        .order_by("-reviewed_on", "-created_at")
    )


def routine_version_pair(
    routine: Routine, number: int
) -> tuple[RoutineVersion | None, RoutineVersion | None]:
    """Version `number` and the one before it (one query)."""
    rows = {
        version.number: version
        for version in RoutineVersion.objects.filter(
            routine=routine, number__in=[number, number - 1]
        ).select_related("created_by")
    }
    return rows.get(number), rows.get(number - 1)


@dataclass
class CategoryGroup:
    value: str
    label: str
    required: bool
    routines: list[Routine] = field(default_factory=list)


def group_by_category(routines: Iterable[Routine]) -> list[CategoryGroup]:
    """Routines per category in the seed's order; categories without routines are left out."""
    groups = {
        value: CategoryGroup(value, str(label), value in rules.REQUIRED_CATEGORIES)
        for value, label in RoutineCategory.choices
    }
    for routine in routines:
        groups[routine.category].routines.append(routine)
    return [group for group in groups.values() if group.routines]


@dataclass(frozen=True)
class UnitCoverage:
    unit: SchoolUnit
    missing: list[str]
    overdue: int


def coverage_of_provider(provider_id: uuid.UUID, today: date) -> list[UnitCoverage]:
    """Per unit of the huvudman: required routines missing, and routines past their review.

    No routine text: the huvudman sees whether the quality system is complete (two queries).
    """
    units = units_of_providers([provider_id])
    rows = Routine.objects.filter(
        Q(provider_id=provider_id) | Q(school_unit__provider_id=provider_id)
    ).values_list("school_unit_id", "category", "review_by")
    shared: set[str] = set()
    per_unit: dict[Any, set[str]] = defaultdict(set)
    overdue: dict[Any, int] = defaultdict(int)
    for unit_id, category, review_by in rows:
        if unit_id is None:
            shared.add(category)
            continue
        per_unit[unit_id].add(category)
        if rules.review_state(review_by, today) is rules.ReviewState.OVERDUE:
            overdue[unit_id] += 1
    return [
        UnitCoverage(unit, rules.missing_categories(shared | per_unit[unit.pk]), overdue[unit.pk])
        for unit in units
    ]


def routines_to_remind(day: date) -> list[Routine]:
    """Routines due for review within the warning window that were not yet reminded about for
    their current review date, with the owner's address loaded."""
    return list(
        Routine.objects.filter(review_by__lte=rules.reminder_horizon(day))
        .exclude(owner__email="")
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("review_by")))
        .select_related(*_ROUTINE_RELATED)
        .order_by("owner_id", "review_by")
    )


# ----------------------------------------------------------------------------- deviations

_REPORT_RELATED = ("school_unit", "created_by")


def reports_by(user_id: uuid.UUID, *, status: str | None = None) -> list[DeviationReport]:
    """The reporter's own reports, with their status."""
    reports = DeviationReport.objects.filter(created_by_id=user_id)
    if status:
        reports = reports.filter(status=status)
    return list(reports.select_related(*_REPORT_RELATED))


def reports_at_units(
    unit_ids: Iterable[uuid.UUID], *, status: str | None = None
) -> list[DeviationReport]:
    """The reports routed to the leaders of these units."""
    ids = list(unit_ids)
    if not ids:
        return []
    reports = DeviationReport.objects.filter(school_unit_id__in=ids)
    if status:
        reports = reports.filter(status=status)
    return list(reports.select_related(*_REPORT_RELATED))


def report_by_id(report_id: uuid.UUID) -> DeviationReport | None:
    return (
        DeviationReport.objects.select_related("school_unit", "created_by", "updated_by")
        .filter(pk=report_id)
        .first()
    )


def report_status_changes(report: DeviationReport) -> list[DeviationStatusChange]:
    return list(
        DeviationStatusChange.objects.filter(report=report)
        .select_related("created_by")
        .order_by("created_at")
    )


def _reports_in(
    unit_ids: Iterable[uuid.UUID], start: date | None, end: date | None
) -> QuerySet[DeviationReport]:
    reports = DeviationReport.objects.filter(school_unit_id__in=list(unit_ids))
    if start is not None:
        reports = reports.filter(occurred_on__gte=start)
    if end is not None:
        reports = reports.filter(occurred_on__lte=end)
    return reports


def _counterpart_counts() -> dict[str, Count]:
    return {
        value: Count("pk", filter=Q(**{name: True})) for value, name in COUNTERPART_FIELDS.items()
    }


@dataclass(frozen=True)
class Overview:
    """Counts only: no description, no reporter, no pupil (the huvudman's overview)."""

    total: int
    by_counterpart_status: dict[str, dict[str, int]]
    by_quarter: list[tuple[date, dict[str, int], int]]
    by_unit: list[tuple[SchoolUnit, dict[str, int], int]]


def deviation_overview(
    units: list[SchoolUnit], start: date | None = None, end: date | None = None
) -> Overview:
    """Counts by counterpart × status, by quarter × counterpart and by unit × status.

    Three aggregate queries, whatever the number of reports.
    """
    reports = _reports_in([unit.pk for unit in units], start, end)
    by_counterpart_status: dict[str, dict[str, int]] = {
        value: dict.fromkeys(DeviationStatus.values, 0) for value in Counterpart.values
    }
    for row in reports.values("status").annotate(**_counterpart_counts()).order_by():
        for counterpart in Counterpart.values:
            by_counterpart_status[counterpart][row["status"]] += row[counterpart]
    by_quarter = [
        (
            row["quarter"],
            {counterpart: row[counterpart] for counterpart in Counterpart.values},
            row["total"],
        )
        for row in reports.annotate(quarter=TruncQuarter("occurred_on"))
        .values("quarter")
        .annotate(total=Count("pk"), **_counterpart_counts())
        .order_by("quarter")
    ]
    unit_counts: dict[Any, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(DeviationStatus.values, 0)
    )
    for row in reports.values("school_unit_id", "status").annotate(n=Count("pk")).order_by():
        unit_counts[row["school_unit_id"]][row["status"]] = row["n"]
    by_unit = [
        (unit, unit_counts[unit.pk], sum(unit_counts[unit.pk].values()))
        for unit in units
        if unit.pk in unit_counts
    ]
    return Overview(
        total=sum(total for _quarter, _counts, total in by_quarter),
        by_counterpart_status=by_counterpart_status,
        by_quarter=by_quarter,
        by_unit=by_unit,
    )


def reports_for_export(
    unit_ids: Iterable[uuid.UUID], start: date | None = None, end: date | None = None
) -> list[DeviationReport]:
    """Reports in the period for the county secretariat, without the pupil relation loaded."""
    return list(
        _reports_in(unit_ids, start, end)
        .select_related("school_unit")
        .defer("pupil_reason")
        .order_by("school_unit__name", "occurred_on", "created_at")
    )
