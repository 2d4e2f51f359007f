"""Reading the access log: review by the unit's leaders (P4) and the pupil's extract (P2)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from elevstod.audit.models import AccessEvent, LogReview
from tests.world import CANARIES, World


def _pupil_url(world: World, key: str) -> str:
    return reverse("front:pupil_detail", kwargs={"pupil_id": world.pupils[key].pk})


def test_principal_filters_the_log_and_records_a_review(world: World) -> None:
    world.client_for("mentor_a").get(_pupil_url(world, "x"))
    world.client_for("teacher_b").get(_pupil_url(world, "x"))
    client = world.client_for("principal_a")
    today = timezone.localdate()
    query = {
        "pupil": str(world.pupils["x"].pk),
        "period_start": str(today - timedelta(days=1)),
        "period_end": str(today),
        "denied_only": "on",
    }
    page = client.get(reverse("audit:log_review"), query)
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1
    response = client.post(
        reverse("audit:log_review_record") + "?" + page.context["querystring"],
        {"outcome": "follow_up", "note": "Lärare på annan enhet försökte öppna eleven."},
    )
    assert response.status_code == 302
    review = LogReview.objects.get()
    assert (review.pupil_id, review.events_seen, review.outcome) == (
        world.pupils["x"].pk,
        1,
        "follow_up",
    )


def test_review_without_period_is_refused_in_swedish(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(
        reverse("audit:log_review_record"), {"outcome": "no_remarks"}, follow=True
    )
    assert "Välj en period" in response.content.decode()
    assert not LogReview.objects.exists()


def test_log_review_hides_protected_pupils_name_from_unassigned_principal(world: World) -> None:
    world.client_for("special_educator_a").get(_pupil_url(world, "z"))
    body = world.client_for("principal_a").get(reverse("audit:log_review")).content.decode()
    assert "Skyddad identitet" in body
    assert CANARIES["z"] not in body


def test_log_extract_lists_who_read_the_pupil(world: World) -> None:
    world.client_for("mentor_a").get(_pupil_url(world, "x"))
    client = world.client_for("principal_a")
    url = reverse("audit:pupil_log_extract", kwargs={"pupil_id": world.pupils["x"].pk})
    body = client.get(url).content.decode()
    assert world.users["mentor_a"].get_full_name() in body
    assert AccessEvent.objects.latest("id").action == "export"


def test_api_log_extract_for_principal(world: World) -> None:
    world.client_for("mentor_a").get(_pupil_url(world, "x"))
    response = world.client_for("principal_a").get(
        "/api/v1/access-events/", {"pupil": str(world.pupils["x"].pk)}
    )
    assert response.status_code == 200
    actors = {item["actor_id"] for item in response.json()["items"]}
    assert str(world.users["mentor_a"].pk) in actors


def test_principal_searches_the_log_by_pupil_name_and_user_name(world: World) -> None:
    world.client_for("mentor_a").get(_pupil_url(world, "x"))
    world.client_for("mentor_a").get(_pupil_url(world, "m"))
    world.client_for("teacher_a").get(_pupil_url(world, "x"))
    client = world.client_for("principal_a")
    found = client.post(reverse("audit:log_review"), {"pupil_query": CANARIES["x"]})
    by_pupil = client.get(found["Location"])
    # The two reads of x, and this review of x's log, itself logged against x.
    actions = sorted(e.action for e in by_pupil.context["page"].object_list)
    assert actions == ["log_review", "view", "view"]
    mentor = world.users["mentor_a"]
    by_user = client.get(reverse("audit:log_review"), {"user_query": mentor.username})
    assert {e.actor_id for e in by_user.context["page"].object_list} == {mentor.pk}


def test_log_search_never_resolves_a_protected_pupil_for_unassigned_principal(world: World) -> None:
    world.client_for("special_educator_a").get(_pupil_url(world, "z"))
    client = world.client_for("principal_a")
    response = client.post(reverse("audit:log_review"), {"pupil_query": CANARIES["z"]})
    assert response.status_code == 200
    assert response.context["candidates"] == []
    assert "Ingen elev vid dina enheter matchar sökningen." in response.content.decode()
