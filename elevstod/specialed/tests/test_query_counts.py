"""Every special-education page runs the same number of queries at two data sizes, within the
budget of tests/test_query_counts.py (12 per full page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elevstod.specialed import services
from elevstod.specialed.models import CompetencePlan, Report
from tests.factories import PupilFactory, SchoolUnitFactory, duty, place
from tests.matrix_rows.specialed import activity, goal, intervention, period, plan, report
from tests.world import World

FULL_PAGE_BUDGET = 12


def _grow(world: World, n: int = 12) -> None:
    """More of everything the pages show: entries about more pupils, goals, reports, plans,
    follow-ups, and more units for the same people."""
    unit_a = world.units["a"]
    today = timezone.localdate()
    running = period(world)
    for index in range(n):
        pupil = PupilFactory(first_name=f"Extra{index}")
        place(pupil, unit_a)
        world.pupils[f"extra{index}"] = pupil
        intervention(world, pupil=f"extra{index}", days_ago=index % 20 + 1)
        intervention(world, level="group", kind="teaching", days_ago=index % 15 + 1)
        goal(world, running, text=f"Mål nummer {index}")
    for _ in range(3):
        report(world, state="submitted")
    the_plan = plan(world)
    for _ in range(n):
        activity(world)
        services.plan_follow_up_add(
            actor=world.users["principal_a"],  # type: ignore[arg-type]
            plan=the_plan,
            on_date=today - timedelta(days=3),
            text="Avstämning",
        )
    services.plan_agree(actor=world.users["principal_a"], plan=the_plan, today=today)  # type: ignore[arg-type]
    services.plan_update(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        plan=the_plan,
        values={"assignment_description": "Ny beskrivning", "development_needs": "Nya behov"},
    )
    for index in range(4):
        unit = SchoolUnitFactory(provider=unit_a.provider, name=f"Extraskolan {index}")
        duty(world.users["principal_a"], unit, "principal")
        duty(world.users["special_educator_a"], unit, "special_educator")


PAGES = [
    ("special_educator_a", "index"),
    ("principal_a", "index"),
    ("special_educator_a", "intervention_list"),
    ("principal_a", "intervention_list"),
    ("principal_a", "intervention_list_filtered"),
    ("special_educator_a", "intervention_detail"),
    ("special_educator_a", "intervention_create"),
    ("principal_a", "period_list"),
    ("special_educator_a", "period_detail"),
    ("principal_a", "report_list"),
    ("special_educator_a", "report_list"),
    ("principal_a", "report_detail"),
    ("principal_a", "report_review"),
    ("special_educator_a", "report_edit"),
    ("principal_a", "plan_list"),
    ("principal_a", "plan_detail"),
]


def _url(world: World, page: str, objects: dict[str, object]) -> str:
    unit = world.units["a"].pk
    if page == "index":
        return reverse("specialed:index")
    if page == "intervention_list_filtered":
        return reverse("specialed:intervention_list", args=[unit]) + "?niva=individual&typ=mapping"
    if page in {"intervention_list", "intervention_create", "period_list", "report_list",
                "plan_list"}:  # fmt: skip
        return reverse(f"specialed:{page}", args=[unit])
    return reverse(f"specialed:{page}", args=[objects[page]])


@pytest.mark.parametrize(("persona", "page"), PAGES)
def test_query_count_does_not_grow_with_data(world: World, persona: str, page: str) -> None:
    first = intervention(world, pupil="x")
    running = period(world)
    goal(world, running)
    submitted = report(world, state="submitted")
    draft = report(world)
    objects: dict[str, object] = {
        "intervention_detail": first.pk,
        "period_detail": running.pk,
        "report_detail": submitted.pk,
        "report_review": submitted.pk,
        "report_edit": draft.pk,
        "plan_detail": plan(world).pk,
    }
    url = _url(world, page, objects)
    small = world.count_queries(persona, url)
    _grow(world)
    # The same objects must have more around them: a goal more in the running period and
    # in the open reports, and the plan's history.
    goal(world, running, text="Ett mål till")
    assert Report.objects.count() > 2
    assert CompetencePlan.objects.get().versions.exists()
    large = world.count_queries(persona, url)
    assert small == large, f"{persona} {page}: {small} queries, then {large} with more data"
    assert large <= FULL_PAGE_BUDGET, f"{persona} {page}: {large} queries"
