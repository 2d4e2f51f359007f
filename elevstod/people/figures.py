"""How many pupils, groups and staff each school unit has today: the organisation's head counts.

The organisation page lists every unit of the huvudman with its counts; at Stockholm's 170 units
that adds up 110,000 placements, 31,000 groups and 16,000 duties on every view, which made the
page 27 times dearer on the large tier than for one school (issue 12). The counts are summary
figures that change when the SS 12000 sync writes (the only writer of placements, groups and
duties, once a day), so they are computed in three grouped queries for the units that are
missing and kept in the cache for FIGURES_SECONDS, per unit and day: a figure is at most that
old. The cache is each process's own (no shared cache is configured), so a sync in the worker
cannot clear the web server's figures; the short lifetime is what bounds their age.

A pupil counts once per unit even with two current placements there (say, two school forms).
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Q

from elevstod.organisation.models import Group, UnitDuty
from elevstod.people.models import Placement

FIGURES_SECONDS = 10 * 60


@dataclass(frozen=True)
class UnitFigures:
    pupils: int = 0
    groups: int = 0
    staff: int = 0


def unit_figures(unit_ids: frozenset[uuid.UUID], today: date) -> dict[uuid.UUID, UnitFigures]:
    """Figures for every unit in `unit_ids` (zeros for a unit with nothing)."""
    if not unit_ids:
        return {}
    keys = {unit: f"people:unit-figures:{today.isoformat()}:{unit}" for unit in unit_ids}
    cached = cache.get_many(list(keys.values()))
    figures = {unit: cached[key] for unit, key in keys.items() if key in cached}
    missing = frozenset(unit_ids - figures.keys())
    if missing:
        fresh = _count(missing, today)
        cache.set_many({keys[unit]: fresh[unit] for unit in missing}, FIGURES_SECONDS)
        figures.update(fresh)
    return figures


def _count(unit_ids: frozenset[uuid.UUID], today: date) -> dict[uuid.UUID, UnitFigures]:
    current = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    pupils = dict(
        Placement.objects.filter(current, school_unit_id__in=unit_ids)
        .order_by()
        .values_list("school_unit_id")
        .annotate(n=Count("pupil_id", distinct=True))
    )
    groups = dict(
        Group.objects.filter(
            school_unit_id__in=unit_ids,
            academic_year__starts_on__lte=today,
            academic_year__ends_on__gte=today,
        )
        .order_by()
        .values_list("school_unit_id")
        .annotate(n=Count("pk"))
    )
    staff = dict(
        UnitDuty.objects.filter(current, school_unit_id__in=unit_ids)
        .order_by()
        .values_list("school_unit_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {
        unit: UnitFigures(pupils.get(unit, 0), groups.get(unit, 0), staff.get(unit, 0))
        for unit in unit_ids
    }
