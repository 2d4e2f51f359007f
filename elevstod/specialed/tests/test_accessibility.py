"""Every special-education page, and its form-error states, passes axe-core's WCAG 2.1 A and AA
rules in the light and the dark colour scheme.

Until the lead links /specialpedagogik/ from the main menu, the crawl in tests/browser cannot
reach these pages, so they are visited here by address. Uses the browser suite's helpers and
Debian's chromium; skipped like that suite when chromium is missing (ELEVSTOD_REQUIRE_BROWSER=1
makes a missing browser fail)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.browser.conftest import CHROMIUM_ARGS, browser_required, chromium_path
from tests.matrix_rows.specialed import (
    activity,
    goal,
    intervention,
    period,
    plan,
    report,
    seed_interventions,
)
from tests.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium_path().exists() and not browser_required(),
        reason="chromium not installed: browser suite skipped",
    ),
]


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # As in tests/browser/conftest.py: the ORM is only called between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path()), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _pages(world: World) -> tuple[dict[str, list[str]], dict[str, object]]:
    seed_interventions(world)
    running = period(world, name="HT Tillgänglighet")
    goal(world, running)
    reviewed = report(world, state="reviewed")
    start = reviewed.period.ends_on + timedelta(days=1)
    period(world, name="VT Tillgänglighet", starts_on=start, ends_on=start + timedelta(days=100))
    submitted = report(world, state="submitted")
    draft = report(world)
    the_plan = plan(world)
    activity(world)
    entry = intervention(world, pupil="x")
    unit = world.units["a"].pk
    pages = {
        "special_educator_a": [
            reverse("specialed:index"),
            reverse("specialed:intervention_list", args=[unit]),
            reverse("specialed:intervention_create", args=[unit]),
            reverse("specialed:intervention_detail", args=[entry.pk]),
            reverse("specialed:intervention_edit", args=[entry.pk]),
            reverse("specialed:period_detail", args=[running.pk]),
            reverse("specialed:report_edit", args=[draft.pk]),
            reverse("specialed:plan_detail", args=[the_plan.pk]),
            reverse("specialed:plan_create", args=[unit]),
            reverse("specialed:plan_edit", args=[the_plan.pk]),
            reverse("specialed:activity_create", args=[the_plan.pk]),
        ],
        "principal_a": [
            reverse("specialed:index"),
            reverse("specialed:intervention_list", args=[unit]),
            reverse("specialed:period_list", args=[unit]),
            reverse("specialed:period_detail", args=[running.pk]),
            reverse("specialed:goal_create", args=[running.pk]),
            reverse("specialed:report_list", args=[unit]),
            reverse("specialed:report_detail", args=[reviewed.pk]),
            reverse("specialed:report_review", args=[submitted.pk]),
            reverse("specialed:plan_list", args=[unit]),
            reverse("specialed:plan_detail", args=[the_plan.pk]),
        ],
    }
    objects = {"unit": unit, "draft": draft, "submitted": submitted, "plan": the_plan}
    return pages, objects


def _error_states(page, audit, persona: str, objects: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    """Submit forms empty: the 400 page with its error messages must pass axe too."""
    from tests.browser.support import submit

    unit = objects["unit"]
    if persona == "special_educator_a":
        steps = [
            (reverse("specialed:intervention_create", args=[unit]), "Spara insatsen"),
            (reverse("specialed:report_edit", args=[objects["draft"].pk]), "Lämna till rektor"),  # type: ignore[attr-defined]
            (reverse("specialed:plan_edit", args=[objects["plan"].pk]), "Spara kompetensplanen"),  # type: ignore[attr-defined]
        ]
    else:
        steps = [
            (
                reverse("specialed:report_review", args=[objects["submitted"].pk]),
                "Spara uppföljningen",
            ),  # type: ignore[attr-defined]
            (reverse("specialed:period_list", args=[unit]), "Skapa perioden"),
        ]
    for url, button in steps:
        page.goto(url)
        for field in page.locator(
            "form[method=post] textarea, form[method=post] input[type=text]"
        ).all():
            field.fill("")
        status = submit(page, button)
        audit.check(status == 400, persona, url, f"empty form gave HTTP {status}, expected 400")
        audit.axe(page, persona, "errors")


@pytest.mark.django_db(transaction=True)
def test_special_education_pages_pass_axe(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.support import Audit, open_context

    world = build_world()
    pages, objects = _pages(world)
    audit = Audit(demo_mode=False)
    for scheme in ("light", "dark"):
        for persona, urls in pages.items():
            session = world.client_for(persona).cookies["sessionid"].value
            context = open_context(browser, live_server.url, colour_scheme=scheme)
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
            page = context.new_page()
            audit.watch(page, persona)
            for url in urls:
                audit.visit(page, url, persona)
            if scheme == "light":
                _error_states(page, audit, persona, objects)
            context.close()
    assert audit.axe_runs >= 2 * (len(pages["special_educator_a"]) + len(pages["principal_a"]))
    audit.assert_clean()
