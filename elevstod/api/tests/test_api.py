"""API v1: the same policy and log as the pages, an OpenAPI document, ids on every object."""

from django.test import Client

from elevstod.audit.models import AccessEvent
from tests.world import CANARIES, World


def test_openapi_document_lists_every_resource(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/v1/schools/",
        "/api/v1/groups/",
        "/api/v1/pupils/",
        "/api/v1/pupils/{pupil_id}/",
        "/api/v1/access-events/",
    ):
        assert path in document["paths"], path


def test_anonymous_gets_401(client: Client) -> None:
    assert client.get("/api/v1/pupils/").status_code == 401


def test_pupil_list_is_scoped_and_logged(world: World) -> None:
    before = AccessEvent.objects.filter(record_type="pupil_list").count()
    body = world.client_for("mentor_a").get("/api/v1/pupils/?limit=50").json()
    names = {item["last_name"] for item in body["items"]}
    assert names == {CANARIES["x"], CANARIES["m"]}
    assert all("id" in item for item in body["items"])
    assert AccessEvent.objects.filter(record_type="pupil_list").count() == before + 1


def test_pupil_detail_hides_contact_details_of_protected_pupil(world: World) -> None:
    client = world.client_for("special_educator_a")
    body = client.get(f"/api/v1/pupils/{world.pupils['z'].pk}/").json()
    assert body["protected_identity"] is True
    assert body["street_address"] is None
    assert world.pupils["z"].street_address not in str(body)


def test_pupil_detail_shows_contact_details_to_staff_for_ordinary_pupil(world: World) -> None:
    body = world.client_for("mentor_a").get(f"/api/v1/pupils/{world.pupils['x'].pk}/").json()
    assert body["street_address"] == world.pupils["x"].street_address
    assert {g["has_custody"] for g in body["guardians"]} == {True, False}


def test_guardian_sees_no_contact_details_of_other_guardian(world: World) -> None:
    body = world.client_for("guardian_x").get(f"/api/v1/pupils/{world.pupils['x'].pk}/").json()
    assert all(g["phone"] is None for g in body["guardians"])


def test_organiser_sees_its_schools_but_no_pupils(world: World) -> None:
    client = world.client_for("huvudman_admin")
    schools = {s["name"] for s in client.get("/api/v1/schools/").json()["items"]}
    assert schools == {"Björkskolan", "Lindskolan"}
    assert client.get("/api/v1/pupils/").json()["count"] == 0


def test_groups_for_teacher_and_principal(world: World) -> None:
    teacher = {
        g["name"] for g in world.client_for("teacher_a").get("/api/v1/groups/").json()["items"]
    }
    assert teacher == {"Ma 7A"}
    principal = world.client_for("principal_a").get("/api/v1/groups/").json()["items"]
    assert {g["name"] for g in principal} == {"7A", "Ma 7A", "8B"}


def test_access_events_refused_to_teacher(world: World) -> None:
    response = world.client_for("mentor_a").get(
        "/api/v1/access-events/", {"pupil": str(world.pupils["x"].pk)}
    )
    assert response.status_code == 404
