"""The access log: one row per read or refusal (P1), append-only (P1).

Reviewing the log and the pupil's extract are pages of their own: elevstod/logreview/tests.
"""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from elevstod.audit.models import AccessEvent
from tests.world import World


def _pupil_url(world: World, key: str) -> str:
    return reverse("front:pupil_detail", kwargs={"pupil_id": world.pupils[key].pk})


def _the_one_new_event(client: Client, url: str, *, status: int) -> AccessEvent:
    """Open the page and return the single row it wrote to the log."""
    before = AccessEvent.objects.count()
    assert client.get(url).status_code == status
    assert AccessEvent.objects.count() == before + 1
    return AccessEvent.objects.latest("id")


def test_reading_a_pupil_writes_exactly_one_row(world: World) -> None:
    client = world.client_for("mentor_a")
    event = _the_one_new_event(client, _pupil_url(world, "x"), status=200)
    assert event.actor_id == world.users["mentor_a"].pk
    assert event.pupil_id == world.pupils["x"].pk
    assert event.school_unit_id == world.units["a"].pk
    assert event.acting_role == "mentor"
    assert (event.action, event.outcome, event.channel) == ("view", "allowed", "web")


def test_refused_read_writes_exactly_one_denied_row_with_the_pupils_unit(world: World) -> None:
    client = world.client_for("teacher_b")
    event = _the_one_new_event(client, _pupil_url(world, "x"), status=404)
    assert event.outcome == "denied"
    assert event.pupil_id == world.pupils["x"].pk
    assert event.school_unit_id == world.units["a"].pk


def test_api_read_is_logged_with_its_channel(world: World) -> None:
    client = world.client_for("principal_a")
    url = f"/api/v1/pupils/{world.pupils['x'].pk}/"
    assert client.get(url).status_code == 200
    event = AccessEvent.objects.latest("id")
    assert (event.channel, event.pupil_id) == ("api", world.pupils["x"].pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_access_log_refuses_update_and_delete_on_postgresql(world: World) -> None:
    world.client_for("mentor_a").get(_pupil_url(world, "x"))
    event = AccessEvent.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(action="export")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.filter(pk=event.pk, action="view").exists()
