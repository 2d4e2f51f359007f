"""Each page's query count is the same at two data sizes, and within scale.md's budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elevstod.audit.recording import record_access
from elevstod.organisation.models import Delegation, Group, GroupKind
from tests.factories import (
    GroupFactory,
    GuardianFactory,
    PupilFactory,
    SchoolUnitFactory,
    duty,
    guardian_of,
    join,
    place,
    staff_group,
)
from tests.matrix_rows.tasks import adaptation, referral
from tests.world import World

FULL_PAGE_BUDGET = 12

PAGES = [
    ("principal_a", "front:start", None),
    ("mentor_a", "front:start", None),
    ("teacher_a", "front:start", None),
    ("special_educator_a", "front:start", None),
    ("huvudman_admin", "front:start", None),
    ("guardian_x", "front:start", None),
    ("pupil_x", "front:start", None),
    ("principal_a", "front:pupil_list", None),
    ("mentor_a", "front:pupil_detail", "x"),
    ("guardian_x", "front:pupil_detail", "x"),
    ("principal_a", "front:unit_detail", "unit"),
    ("huvudman_admin", "front:organisation", None),
    ("principal_a", "audit:log_review", None),
    ("principal_a", "audit:pupil_log_extract", "x"),
    ("principal_a", "organisation:delegation_list", None),
    ("principal_a", "api:list_pupils", None),
    ("principal_a", "api:get_pupil", "x"),
    ("principal_a", "api:list_groups", None),
    ("huvudman_admin", "api:list_schools", None),
    # The quality dashboards read computed snapshots (scale.md goal 4).
    ("principal_a", "quality:dashboard", None),
    ("principal_a", "quality:analysis", None),
    ("huvudman_admin", "quality:provider_dashboard", None),
    ("huvudman_admin", "api:quality_summary", None),
]


def _url(world: World, name: str, target: str | None) -> str:
    if target == "unit":
        return reverse(name, kwargs={"unit_id": world.units["a"].pk})
    if target:
        return reverse(name, kwargs={"pupil_id": world.pupils[target].pk})
    return reverse(name)


def _grow(world: World, n: int = 25) -> None:
    """More of everything each page shows: pupils, guardians, groups, units, log rows."""
    unit_a = world.units["a"]
    class_7a = Group.objects.get(school_unit=unit_a, name="7A")
    maths = Group.objects.get(school_unit=unit_a, name="Ma 7A")
    extra_group = GroupFactory(school_unit=unit_a, name="Sv 7A", kind=GroupKind.TEACHING_GROUP)
    staff_group(world.users["teacher_a"], extra_group, "teacher")
    for i in range(n):
        pupil = PupilFactory(first_name=f"Extra{i}")
        place(pupil, unit_a)
        join(pupil, class_7a)
        join(pupil, maths)
        join(pupil, extra_group)
        guardian_of(GuardianFactory(), pupil)
        guardian_of(GuardianFactory(), pupil, custody=i % 3 != 0)
        record_access(
            actor_id=world.users["mentor_a"].pk,
            action="view",
            record_type="pupil",
            pupil_id=pupil.pk,
            school_unit_id=unit_a.pk,
        )
    # Support-chain records, which the quality figures count.
    for key in ("x", "w", "m"):
        adaptation(world, key, "mentor_a")
        referral(world, key)
    for i in range(5):
        unit = SchoolUnitFactory(provider=unit_a.provider, name=f"Extraskolan {i}")
        duty(world.users["principal_a"], unit, "principal")
        GroupFactory(school_unit=unit)
    second_child = PupilFactory(first_name="Syskon")
    place(second_child, unit_a)
    guardian_x = world.users["guardian_x"].guardian
    guardian_of(guardian_x, second_child)
    for i in range(5):
        Delegation.objects.create(
            school_unit=unit_a,
            delegated_by=world.users["principal_a"],
            delegate=world.users["mentor_a"],
            decision_type="action_programme",
            valid_from=world.delegation.valid_from,
            valid_until=world.delegation.valid_until,
            note=f"{i}",
        )


@pytest.mark.parametrize(("persona", "name", "target"), PAGES)
def test_query_count_does_not_grow_with_data(world: World, persona, name, target) -> None:  # type: ignore[no-untyped-def]
    url = _url(world, name, target)
    small = world.count_queries(persona, url)
    _grow(world)
    large = world.count_queries(persona, url)
    assert small == large, f"{persona} {name}: {small} queries, then {large} with more data"
    assert large <= FULL_PAGE_BUDGET, f"{persona} {name}: {large} queries"


def test_htmx_fragment_of_pupil_search_is_within_budget(world: World) -> None:
    client = world.client_for("principal_a")
    url = reverse("front:pupil_list")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "Elev"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert len(queries) <= 8
