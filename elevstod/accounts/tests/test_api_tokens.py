from django.urls import reverse

from elevstod.accounts.models import ApiToken
from tests.world import World


def test_token_is_shown_once_and_authenticates_the_api(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(reverse("accounts:api_tokens"), {"name": "Elevregister"})
    token = ApiToken.objects.get(user=world.users["principal_a"])
    raw = response.context["created_raw"]
    assert raw.startswith("es_")
    assert token.token_hash != raw
    anonymous = world.client_for("anonymous")
    ok = anonymous.get("/api/v1/pupils/", headers={"Authorization": f"Bearer {raw}"})
    assert ok.status_code == 200
    assert ok.json()["count"] == 3
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert (
        raw
        not in world.client_for("principal_a").get(reverse("accounts:api_tokens")).content.decode()
    )


def test_revoked_token_no_longer_works(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(reverse("accounts:api_tokens"), {"name": "Test"})
    raw = response.context["created_raw"]
    token = ApiToken.objects.get(user=world.users["principal_a"])
    client.post(reverse("accounts:api_token_revoke", kwargs={"token_id": token.pk}))
    anonymous = world.client_for("anonymous")
    assert (
        anonymous.get("/api/v1/pupils/", headers={"Authorization": f"Bearer {raw}"}).status_code
        == 401
    )


def test_other_users_token_cannot_be_revoked(world: World) -> None:
    client = world.client_for("principal_a")
    client.post(reverse("accounts:api_tokens"), {"name": "Test"})
    token = ApiToken.objects.get(user=world.users["principal_a"])
    world.client_for("principal_b").post(
        reverse("accounts:api_token_revoke", kwargs={"token_id": token.pk})
    )
    token.refresh_from_db()
    assert token.revoked_at is None


def test_empty_token_name_is_refused_in_swedish(world: World) -> None:
    response = world.client_for("principal_a").post(reverse("accounts:api_tokens"), {"name": ""})
    assert "Detta fält måste fyllas i" in response.content.decode()
