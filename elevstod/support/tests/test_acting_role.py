"""Every access-log row names the acting role, the rows a change writes included (security.md
P1): the role the access check found for this user and pupil, never one left from an earlier
request or another pupil."""

from django.urls import reverse

from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.audit.recording import act_as, clear_acting_role, record_access
from elevstod.support.models import Concern
from tests.world import World


def test_a_change_made_on_a_page_logs_the_role_the_access_check_found(world: World) -> None:
    x = world.pupils["x"]
    response = world.client_for("mentor_a").post(
        reverse("support:concern_create", kwargs={"pupil_id": x.pk}),
        {"source": "teaching", "subject": "Svenska", "description": "Skriver nästan ingenting."},
    )
    assert response.status_code == 302
    concern = Concern.objects.get(pupil=x)
    created = AccessEvent.objects.get(action=AccessAction.CREATE, record_id=str(concern.pk))
    assert created.acting_role == "mentor"
    assert created.actor_id == world.users["mentor_a"].pk


def test_the_role_applies_only_to_the_pupil_it_was_found_for(world: World) -> None:
    x, y = world.pupils["x"], world.pupils["y"]
    act_as(x.pk, "mentor")
    other = record_access(
        actor_id=None, action=AccessAction.VIEW, record_type="pupil", pupil_id=y.pk
    )
    same = record_access(
        actor_id=None, action=AccessAction.VIEW, record_type="pupil", pupil_id=x.pk
    )
    clear_acting_role()
    cleared = record_access(
        actor_id=None, action=AccessAction.VIEW, record_type="pupil", pupil_id=x.pk
    )
    assert (other.acting_role, same.acting_role, cleared.acting_role) == ("", "mentor", "")


def test_no_role_carries_over_from_an_earlier_request(world: World) -> None:
    x = world.pupils["x"]
    world.client_for("mentor_a").get(reverse("support:pupil_support", kwargs={"pupil_id": x.pk}))
    # The next request is by someone refused: its denied row must not borrow the mentor's role.
    world.client_for("teacher_b").get(reverse("support:pupil_support", kwargs={"pupil_id": x.pk}))
    denied = AccessEvent.objects.order_by("-pk").first()
    assert denied is not None
    assert denied.outcome == "denied"
    assert denied.acting_role == ""
