"""The special-education forms' error states pass axe-core's WCAG 2.1 A and AA rules in the light
and the dark colour scheme.

The pages themselves are audited by the crawl in tests/browser, which must reach every kind of
them from the main menu (SPECIALED_LEADER and SPECIALED_EDUCATOR in its EXPECTED_ROUTES); a
crawl does not submit forms, so their error states are audited here. Uses the browser suite's
helpers and Debian's chromium; skipped like that suite when chromium is missing
(ELEVSTOD_REQUIRE_BROWSER=1 makes a missing browser fail)."""

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


def _objects(world: World) -> dict[str, object]:
    """A running period with a goal, a report in each state and a competence plan."""
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
    intervention(world, pupil="x")
    return {"unit": world.units["a"].pk, "draft": draft, "submitted": submitted, "plan": the_plan}


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
def test_special_education_form_errors_pass_axe(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.support import Audit, open_context

    world = build_world()
    objects = _objects(world)
    audit = Audit(demo_mode=False)  # each error state in the light and the dark scheme
    for persona in ("special_educator_a", "principal_a"):
        session = world.client_for(persona).cookies["sessionid"].value
        context = open_context(browser, live_server.url)
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        audit.watch(page, persona)
        _error_states(page, audit, persona, objects)
        context.close()
    assert audit.axe_runs == 2 * 5  # five forms, two schemes
    audit.assert_clean()
