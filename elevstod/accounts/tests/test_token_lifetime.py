"""API tokens expire, are noted when used, are logged per use and can be revoked by their owner,
the rektor of the owner's unit and the huvudman's administrator (issue 10, item 13)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from elevstod.accounts.models import ApiToken
from elevstod.accounts.services import api_token_create
from elevstod.audit.models import AccessEvent
from tests.world import World

PUPILS = "/api/v1/pupils/"


def _bearer(world: World, raw: str) -> int:
    response = world.client_for("anonymous").get(PUPILS, headers={"Authorization": f"Bearer {raw}"})
    return response.status_code


def test_a_token_lasts_90_days_unless_its_owner_chooses_a_day(world: World) -> None:
    client = world.client_for("mentor_a")
    client.post(reverse("accounts:api_tokens"), {"name": "Standard"})
    token = ApiToken.objects.get(user=world.users["mentor_a"])
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    day = timezone.localdate() + timedelta(days=10)
    client.post(reverse("accounts:api_tokens"), {"name": "Kort", "valid_through": day})
    short = ApiToken.objects.get(name="Kort")
    assert timezone.localtime(short.expires_at).date() == day + timedelta(days=1)
    assert short.valid_through == day
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert f"<td>{day:%Y-%m-%d}</td>" in page


def test_a_token_valid_for_more_than_a_year_is_refused_in_swedish(world: World) -> None:
    too_late = timezone.localdate() + timedelta(days=366)
    response = world.client_for("mentor_a").post(
        reverse("accounts:api_tokens"), {"name": "Evig", "valid_through": too_late}
    )
    body = response.content.decode()
    assert "En nyckel gäller högst ett år" in body
    assert 'value="Evig"' in body  # what was typed is kept
    assert not ApiToken.objects.exists()


def test_an_expired_token_answers_401(world: World) -> None:
    raw = api_token_create(user=world.users["principal_a"], name="Gammal")
    assert _bearer(world, raw) == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _bearer(world, raw) == 401


def test_each_use_of_a_token_is_logged_without_its_secret(world: World) -> None:
    raw = api_token_create(user=world.users["principal_a"], name="Integration")
    token = ApiToken.objects.get()
    before = AccessEvent.objects.count()
    assert _bearer(world, raw) == 200
    assert _bearer(world, raw) == 200
    uses = AccessEvent.objects.filter(action="token_use").order_by("id")
    assert [(u.actor_id, u.record_id, u.channel) for u in uses] == [
        (world.users["principal_a"].pk, str(token.pk), "api-token")
    ] * 2
    assert uses[0].purpose == "GET /api/v1/pupils/"
    rows = AccessEvent.objects.all()[: AccessEvent.objects.count() - before]
    assert not any(raw in " ".join(map(str, vars(row).values())) for row in rows)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_principal_revokes_a_token_of_staff_at_their_unit(world: World) -> None:
    raw = api_token_create(user=world.users["mentor_a"], name="Mentorns system")
    token = ApiToken.objects.get()
    principal = world.client_for("principal_a")
    page = principal.get(reverse("accounts:api_tokens_overseen")).content.decode()
    assert "Mentorns system" in page
    url = reverse("accounts:api_token_revoke_overseen", kwargs={"token_id": token.pk})
    assert principal.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by_id == world.users["principal_a"].pk
    assert _bearer(world, raw) == 401


def test_a_principal_of_another_unit_cannot_see_or_revoke_the_token(world: World) -> None:
    raw = api_token_create(user=world.users["mentor_a"], name="Mentorns system")
    token = ApiToken.objects.get()
    other = world.client_for("principal_b")
    assert (
        "Mentorns system" not in other.get(reverse("accounts:api_tokens_overseen")).content.decode()
    )
    url = reverse("accounts:api_token_revoke_overseen", kwargs={"token_id": token.pk})
    assert other.post(url).status_code == 404
    assert world.client_for("teacher_a").post(url).status_code == 404
    assert _bearer(world, raw) == 200


def test_the_huvudman_administrator_revokes_a_token_at_the_huvudmans_units(world: World) -> None:
    raw = api_token_create(user=world.users["teacher_b"], name="Lärarens system")
    token = ApiToken.objects.get()
    admin = world.client_for("huvudman_admin")
    url = reverse("accounts:api_token_revoke_overseen", kwargs={"token_id": token.pk})
    assert admin.post(url).status_code == 302
    assert _bearer(world, raw) == 401


def test_only_those_who_oversee_staff_reach_the_token_oversight_page(world: World) -> None:
    url = reverse("accounts:api_tokens_overseen")
    assert world.client_for("principal_a").get(url).status_code == 200
    assert world.client_for("huvudman_admin").get(url).status_code == 200
    for persona in ("teacher_a", "mentor_a", "guardian_x", "pupil_x"):
        assert world.client_for(persona).get(url).status_code == 404, persona
