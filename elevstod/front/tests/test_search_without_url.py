"""A personnummer never lands in a URL (issue 10, item 12), and a NUL byte in a search is refused
in Swedish rather than crashing PostgreSQL (item 11). Run on PostgreSQL too (see the brief)."""

import re

from django.urls import reverse

from elevstod.audit.models import AccessEvent
from elevstod.front.search import looks_like_identity_number
from tests.world import CANARIES, World


def _urls_in(body: str) -> list[str]:
    return re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', body)


def test_identity_numbers_and_dates_of_birth_look_identifying_names_do_not() -> None:
    for text in ("20100101-1234", "201001011234", "1001011234", "100101-1234", "2010 01 01"):
        assert looks_like_identity_number(text), text
    for text in ("Anna", "Kanarieqx", "7A", "Ma 7A 2025", ""):
        assert not looks_like_identity_number(text), text


def test_pupil_search_by_personnummer_is_posted_and_never_put_in_a_url(world: World) -> None:
    x = world.pupils["x"]
    client = world.client_for("principal_a")
    page = client.get(reverse("front:pupil_list")).content.decode()
    assert 'method="post"' in page
    assert "hx-post" in page
    assert "hx-push-url" not in page
    response = client.post(
        reverse("front:pupil_list"), {"q": x.identity_number}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert CANARIES["x"] in body
    digits = x.identity_number.replace("-", "")[-10:]
    assert not any(digits in url.replace("-", "") for url in _urls_in(body))
    assert AccessEvent.objects.filter(record_type="pupil_list", purpose="search").count() == 1


def test_a_personnummer_in_the_pupil_list_url_is_neither_searched_nor_logged(world: World) -> None:
    x = world.pupils["x"]
    client = world.client_for("principal_a")
    unit = world.units["a"]
    response = client.get(reverse("front:pupil_list"), {"q": x.identity_number, "enhet": unit.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('front:pupil_list')}?enhet={unit.pk}"
    assert not AccessEvent.objects.exists()
    body = client.get(response["Location"]).content.decode()
    assert "Skriv personnumret i sökrutan" in body
    assert x.identity_number not in body


def test_log_search_by_personnummer_goes_by_post_and_the_url_holds_only_the_id(
    world: World,
) -> None:
    x = world.pupils["x"]
    client = world.client_for("principal_a")
    response = client.post(
        f"{reverse('audit:log_review')}?denied_only=on", {"pupil_query": x.identity_number}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('audit:log_review')}?denied_only=on&pupil={x.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Visar loggen för" in page
    assert x.identity_number not in page


def test_a_personnummer_in_the_log_review_url_is_not_searched(world: World) -> None:
    x = world.pupils["x"]
    client = world.client_for("principal_a")
    response = client.get(reverse("audit:log_review"), {"pupil_query": x.identity_number})
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:log_review")
    assert not AccessEvent.objects.exists()


def test_the_404_page_does_not_echo_the_path(world: World) -> None:
    x = world.pupils["x"]
    for persona in ("principal_a", "anonymous"):
        response = world.client_for(persona).get(f"/elever/{x.identity_number}/?q={x.pk}")
        assert response.status_code == 404, persona
        body = response.content.decode()
        assert x.identity_number not in body
        assert str(x.pk) not in body
        assert 'name="next" type="hidden" value="/"' in body


def test_a_nul_byte_in_the_pupil_search_is_refused_in_swedish(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(reverse("front:pupil_list"), {"q": "Kana\x00rie"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "osynligt nolltecken (NUL)" in body
    assert 'value="Kanarie"' in body  # what was typed, less the NUL
    assert CANARIES["x"] not in body
    fragment = client.post(
        reverse("front:pupil_list"), {"q": "\x00"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "osynligt nolltecken (NUL)" in fragment.content.decode()
    # The same in a query string (an edited URL).
    assert client.get(reverse("front:pupil_list"), {"q": "a\x00"}).status_code == 200


def test_a_nul_byte_in_the_log_search_is_refused_in_swedish(world: World) -> None:
    client = world.client_for("principal_a")
    posted = client.post(reverse("audit:log_review"), {"pupil_query": "Kana\x00rie"})
    assert posted.status_code == 200
    assert "osynligt nolltecken (NUL)" in posted.content.decode()
    by_user = client.get(reverse("audit:log_review"), {"user_query": "men\x00tor"})
    assert by_user.status_code == 200
    assert "osynligt nolltecken (NUL)" in by_user.content.decode()
