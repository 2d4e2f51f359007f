"""The pages of the tasks area: "Mina uppgifter" and the huvudman's deadline settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import ProviderDeadlines
from tests.matrix_rows.tasks import (
    adaptation,
    decided_no_programme,
    investigating,
    programme_in_force,
    received,
    referral,
    seed_due,
)
from tests.world import CANARIES, VISIBLE, World

MY_TASKS = reverse("support:my_tasks")
SETTINGS = reverse("support:deadline_settings")
PAGE_BUDGET = 12  # tests/test_query_counts.py FULL_PAGE_BUDGET


def _html(response: Any) -> str:
    return response.content.decode()


# ----------------------------------------------------------------------------- Mina uppgifter


def test_my_tasks_lists_what_is_due_from_me_with_its_rule(world: World) -> None:
    referral(world, "x")
    received(world, "w")
    response = world.client_for("principal_a").get(MY_TASKS)
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert "Mina uppgifter" in html
    assert "Kvittera anmälan" in html
    assert "Inled utredning" in html
    assert "3 kap. 7 § skollagen (skyndsamt)" in html
    assert "huvudmannens rutin: kvittens inom 2 dagar" in html
    assert "Huvudmannens rutin" in html  # the basis badge
    assert "ElevX Kanarieqx" in html
    assert "ElevW Kanarieqw" in html
    # Pupils are linked by their UUID only.
    assert reverse("front:pupil_detail", args=[world.pupils["x"].pk]) in html
    assert '<th scope="col">' in html


def test_my_tasks_is_one_list_row_in_the_access_log(world: World) -> None:
    referral(world, "x")
    client = world.client_for("principal_a")
    before = AccessEvent.objects.filter(record_type="due_tasks").count()
    client.get(MY_TASKS)
    client.get(MY_TASKS, {"typ": "receive_referral"}, headers={"HX-Request": "true"})
    events = AccessEvent.objects.filter(record_type="due_tasks").order_by("id")
    assert events.count() == before + 2
    assert {e.action for e in events} == {AccessAction.LIST}
    last = events.last()
    assert last is not None
    assert last.purpose == "filter:receive_referral"
    assert {e.actor_id for e in events} == {world.users["principal_a"].pk}


def test_overdue_items_come_first_and_stand_out(world: World) -> None:
    today = timezone.localdate()
    adaptation(world, "x", "teacher_a", evaluate_on=today - timedelta(days=3))
    adaptation(world, "x", "teacher_a", evaluate_on=today + timedelta(days=40))
    html = _html(world.client_for("teacher_a").get(MY_TASKS))
    assert "Försenade" in html
    assert "badge-overdue" in html
    assert "Försenad 3 dagar" in html
    assert "1 försenad" in html
    assert html.index("Försenade") < html.index("Senare")
    assert html.index((today - timedelta(days=3)).isoformat()) < html.index(
        (today + timedelta(days=40)).isoformat()
    )


def test_filter_by_kind_works_without_javascript(world: World) -> None:
    referral(world, "x")
    received(world, "w")
    client = world.client_for("principal_a")
    html = _html(client.get(MY_TASKS, {"typ": "open_investigation"}))
    assert "<html" in html
    assert "ElevW Kanarieqw" in html
    assert "ElevX Kanarieqx" not in html
    assert '<option value="open_investigation" selected>' in html
    assert "Alla uppgifter (2)" in html  # counts cover every kind, not just the shown one
    # A kind with nothing due says so; an unknown kind shows everything.
    assert "Du har inga uppgifter av den här typen." in _html(
        client.get(MY_TASKS, {"typ": "handle_appeal"})
    )
    everything = _html(client.get(MY_TASKS, {"typ": "nonsense"}))
    assert "ElevW Kanarieqw" in everything
    assert "ElevX Kanarieqx" in everything


def test_filter_through_htmx_returns_only_the_list(world: World) -> None:
    referral(world, "x")
    received(world, "w")
    response = world.client_for("principal_a").get(
        MY_TASKS, {"typ": "receive_referral"}, headers={"HX-Request": "true"}
    )
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "<h1" not in html
    assert html.lstrip().startswith('<div id="task-list"')
    assert "ElevX Kanarieqx" in html
    assert "ElevW Kanarieqw" not in html


def test_someone_with_nothing_due_is_told_so(world: World) -> None:
    html = _html(world.client_for("counsellor_a").get(MY_TASKS))
    assert "Du har inga uppgifter just nu." in html
    assert "0 uppgifter" in html


@pytest.mark.parametrize("persona", ["guardian_x", "pupil_x"])
def test_the_family_has_no_task_page(world: World, persona: str) -> None:
    assert world.client_for(persona).get(MY_TASKS).status_code == 404


def test_no_pupil_outside_my_reach_shows_up(world: World) -> None:
    seed_due(world)  # mentor_a is made responsible for every pupil, y and z included
    for persona in ("mentor_a", "special_educator_a", "principal_a", "teacher_a"):
        html = _html(world.client_for(persona).get(MY_TASKS))
        for key, canary in CANARIES.items():
            assert (canary in html) == (key in VISIBLE[persona] and persona != "teacher_a"), (
                persona,
                key,
            )


def _grow(world: World, n: int) -> None:
    today = timezone.localdate()
    for _ in range(n):
        adaptation(world, "x", "principal_a", evaluate_on=today - timedelta(days=1))
        referral(world, "w")
        received(world, "m")
        investigating(world, "x", investigator="principal_a")
    decided_no_programme(world, "x")
    programme_in_force(world, "m", follow_up="principal_a", evaluation="principal_a")


@pytest.mark.parametrize("htmx", [False, True])
def test_my_tasks_query_count_does_not_grow_with_data(
    world: World,
    django_assert_num_queries: Any,
    htmx: bool,
) -> None:
    client = world.client_for("principal_a")
    headers = {"HX-Request": "true"} if htmx else {}
    _grow(world, 1)
    client.get(MY_TASKS, headers=headers)  # warm the session
    with CaptureQueriesContext(connection) as small:
        response = client.get(MY_TASKS, headers=headers)
    small_html = _html(response)
    assert small_html.count("ElevX Kanarieqx") >= 3
    assert len(small) <= PAGE_BUDGET
    _grow(world, 15)
    with django_assert_num_queries(len(small)):
        response = client.get(MY_TASKS, headers=headers)
    assert _html(response).count("ElevX Kanarieqx") > small_html.count("ElevX Kanarieqx")


# ----------------------------------------------------------------------------- deadline settings


def _post(world: World, provider_id: object, **days: object) -> dict[str, object]:
    values = {name: getattr(wf.DEFAULT_DEADLINES, name) for name in _FIELDS}
    values.update(days)
    data: dict[str, object] = {"provider": str(provider_id)}
    data.update({f"{provider_id}-{name}": value for name, value in values.items()})
    return data


_FIELDS = (
    "adaptation_evaluation_days",
    "receipt_days",
    "investigation_start_days",
    "investigation_complete_days",
    "decision_days",
    "service_days",
    "follow_up_interval_days",
)


def test_the_administrator_sees_the_defaults_of_process_md(world: World) -> None:
    response = world.client_for("huvudman_admin").get(SETTINGS)
    assert response.status_code == 200
    html = _html(response)
    provider = world.units["a"].provider
    assert html.count("<h1") == 1
    assert provider.name in html
    assert "Friskolan AB" not in html  # another huvudman
    assert "Inga egna tidsfrister är sparade: standardvärdena gäller." in html
    prefix = f"{provider.pk}-receipt_days"
    assert f'for="id_{prefix}"' in html
    assert f'name="{prefix}" id="id_{prefix}" value="2"' in html
    assert "Standardvärde: 7 dagar." in html
    assert "3 kap. 7 § skollagen" in html
    assert "Inga ändringar är gjorda ännu." in html


@pytest.mark.parametrize("persona", ["principal_a", "deputy_a", "mentor_a", "guardian_x"])
def test_only_the_huvudmans_administrators_reach_the_settings(world: World, persona: str) -> None:
    client = world.client_for(persona)
    provider_id = world.units["a"].provider_id
    assert client.get(SETTINGS).status_code == 404
    assert client.post(SETTINGS, _post(world, provider_id, receipt_days=9)).status_code == 404
    assert not ProviderDeadlines.objects.exists()


def test_another_huvudmans_settings_cannot_be_changed(world: World) -> None:
    other = world.units["c"].provider_id
    client = world.client_for("huvudman_admin")
    assert client.post(SETTINGS, _post(world, other, receipt_days=9)).status_code == 404
    assert client.post(SETTINGS, {"provider": "not-a-uuid"}).status_code == 404
    assert not ProviderDeadlines.objects.exists()


def test_a_change_is_saved_attributed_and_moves_the_dates(world: World) -> None:
    referral(world, "x")
    provider_id = world.units["a"].provider_id
    admin = world.users["huvudman_admin"]
    client = world.client_for("huvudman_admin")
    response = client.post(SETTINGS, _post(world, provider_id, receipt_days=5, decision_days=10))
    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    saved = ProviderDeadlines.objects.get(provider_id=provider_id)
    assert (saved.receipt_days, saved.decision_days, saved.investigation_start_days) == (5, 10, 7)
    assert saved.updated_by == admin
    events = AccessEvent.objects.filter(record_type=services.DEADLINES_RECORD_TYPE)
    assert sorted(e.purpose for e in events) == [
        "decision_days: 14 -> 10",
        "receipt_days: 2 -> 5",
    ]
    assert {(e.actor_id, e.action, e.record_id) for e in events} == {
        (admin.pk, AccessAction.UPDATE, str(provider_id))
    }
    page = _html(client.get(SETTINGS))
    assert "Tidsfristerna är sparade." in page
    assert "Senast ändrade" in page
    assert admin.display_name in page
    assert "Kvittens av anmälan" in page
    assert "2 dagar" in page
    assert "5 dagar" in page
    tasks = _html(world.client_for("principal_a").get(MY_TASKS))
    assert "kvittens inom 5 dagar" in tasks
    assert (timezone.localdate() + timedelta(days=5)).isoformat() in tasks


def test_saving_the_same_values_changes_nothing(world: World) -> None:
    provider_id = world.units["a"].provider_id
    client = world.client_for("huvudman_admin")
    response = client.post(SETTINGS, _post(world, provider_id), follow=True)
    assert "Inget ändrades" in _html(response)
    assert not AccessEvent.objects.filter(record_type=services.DEADLINES_RECORD_TYPE).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Ange minst 1 dag."),
        ("366", "Ange högst 365 dagar."),
        ("sju", "Ange antal dagar som ett heltal, till exempel 7."),
        ("", "Ange antal dagar."),
    ],
)
def test_invalid_days_are_refused_in_swedish_keeping_what_was_typed(
    world: World, typed: str, message: str
) -> None:
    provider_id = world.units["a"].provider_id
    response = world.client_for("huvudman_admin").post(
        SETTINGS, _post(world, provider_id, receipt_days=typed, decision_days=11)
    )
    assert response.status_code == 400
    html = _html(response)
    assert message in html
    assert "Tidsfristerna kunde inte sparas. Rätta uppgifterna nedan." in html
    field = f"id_{provider_id}-receipt_days"
    assert f'aria-describedby="{field}-meaning {field}-law {field}-error"' in html
    assert f'id="{field}-error"' in html
    assert 'aria-invalid="true"' in html
    # What was typed is kept, the mistake included.
    assert f'id="id_{provider_id}-decision_days" value="11"' in html
    assert f'id="{field}" value="{typed}"' in html
    assert not ProviderDeadlines.objects.exists()


def test_the_settings_page_query_count_does_not_grow_with_history(
    world: World,
    django_assert_num_queries: Any,
) -> None:
    provider_id = world.units["a"].provider_id
    admin = world.users["huvudman_admin"]
    client = world.client_for("huvudman_admin")
    services.deadlines_change(actor=admin, provider_id=provider_id, values={"receipt_days": 3})
    client.get(SETTINGS)
    with CaptureQueriesContext(connection) as small:
        client.get(SETTINGS)
    assert len(small) <= PAGE_BUDGET
    for days in range(4, 14):
        services.deadlines_change(
            actor=admin,
            provider_id=provider_id,
            values={"receipt_days": days, "decision_days": days},
        )
    with django_assert_num_queries(len(small)):
        html = _html(client.get(SETTINGS))
    assert html.count("<tr>") > 10
