"""Each page's query count is the same at two data sizes and within the page budget
(tests/test_query_counts.py: FULL_PAGE_BUDGET)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elevstod.routines import services
from elevstod.routines.models import Counterpart, DeviationStatus, RoutineCategory
from elevstod.routines.tests.handling import handle
from tests.factories import SchoolUnitFactory, UserFactory, duty
from tests.matrix_rows.routines import provider_routine, report, unit_routine
from tests.world import World

FULL_PAGE_BUDGET = 12


def _seed(world: World) -> dict[str, object]:
    """One of each, so the pages have rows and the targets exist."""
    routine = unit_routine(world)
    provider_routine(world)
    plain = report(world)
    linked = report(world, reporter="mentor_a", pupil="x")
    return {"routine": routine, "report": plain, "linked": linked}


def _grow(world: World, n: int = 15) -> None:
    """More of everything the pages show: routines with versions and reviews, units, reports
    with their handling, owners, reporters."""
    today = timezone.localdate()
    categories = list(RoutineCategory.values)
    for i in range(n):
        owner = UserFactory()
        duty(owner, world.units["a"], "teacher")
        routine = unit_routine(
            world,
            owner=None,
            category=categories[i % len(categories)],
            title=f"Rutin {i}",
            review_in_days=(i * 7) - 20,
        )
        routine.owner = owner
        routine.save(update_fields=["owner"])
        services.routine_mark_reviewed(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            routine=routine,
            reviewed_on=today,
            next_review_by=today + timedelta(days=100 + i),
            owner=owner,
        )
        unit = SchoolUnitFactory(provider=world.units["a"].provider, name=f"Extraskolan {i}")
        reporter = UserFactory()
        duty(reporter, world.units["a"], "teacher")
        created = services.deviation_report_create(
            actor=reporter,
            school_unit_id=world.units["a"].pk,
            occurred_on=today - timedelta(days=i * 20),
            counterparts=[Counterpart.values[i % 4]],
            natures=["principled"],
            description=f"Problem {i}",
            tried_locally="Möte",
            today=today,
        )
        handle(world, created, DeviationStatus.UNDER_HANDLING, today=today)
        report(world, "b", "teacher_b")
        unit_routine(world, "b", actor="principal_b", title=f"B {i}")
        del unit
    report(world, reporter="mentor_a", pupil="m")
    report(world, reporter="teacher_a")


PAGES = [
    ("principal_a", "routines:routine_list", None),
    ("teacher_a", "routines:routine_list", None),
    ("huvudman_admin", "routines:routine_list", None),
    ("principal_a", "routines:routine_detail", "routine"),
    ("principal_a", "routines:deviation_list", None),
    ("teacher_a", "routines:deviation_list", None),
    ("mentor_a", "routines:deviation_list", None),
    ("huvudman_admin", "routines:deviation_overview", None),
    ("principal_a", "routines:deviation_detail", "linked"),
    ("huvudman_admin", "routines:deviation_export_csv", None),
]


def _url(name: str, target: str | None, seeded: dict[str, object]) -> str:
    if target == "routine":
        return reverse(name, args=[seeded["routine"].pk])  # type: ignore[attr-defined]
    if target:
        return reverse(name, args=[seeded[target].pk])  # type: ignore[attr-defined]
    return reverse(name)


@pytest.mark.parametrize(("persona", "name", "target"), PAGES)
def test_query_count_does_not_grow_with_data(
    world: World, persona: str, name: str, target: str | None
) -> None:
    seeded = _seed(world)
    url = _url(name, target, seeded)
    small = world.count_queries(persona, url)
    _grow(world)
    large = world.count_queries(persona, url)
    assert small == large, f"{persona} {name}: {small} queries, then {large} with more data"
    assert large <= FULL_PAGE_BUDGET, f"{persona} {name}: {large} queries"
