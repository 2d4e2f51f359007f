"""The start, unit and organisation pages and the pupil list: what they name and link."""

import pytest
from django.urls import reverse

from tests.factories import PupilFactory, place
from tests.world import World

pytestmark = pytest.mark.django_db


def test_the_unit_page_labels_each_duty_and_group_kind(world: World) -> None:
    unit = world.units["a"]
    response = world.client_for("principal_a").get(reverse("front:unit_detail", args=[unit.pk]))
    body = response.content.decode()
    assert "<td>Rektor</td>" in body
    assert "<td>Biträdande rektor</td>" in body
    # 8B is a class of year 8 with one pupil (w).
    assert "<tr><td>8B</td><td>Klass</td><td>8</td><td>1</td></tr>" in body


def test_the_organisation_page_lists_each_huvudmans_units(world: World) -> None:
    body = world.client_for("huvudman_admin").get(reverse("front:organisation")).content.decode()
    assert "Exempelstads kommun" in body
    assert "Björkskolan" in body
    assert "Lindskolan" in body
    # Friskolan belongs to another huvudman.
    assert "Friskolan" not in body
    start = world.client_for("huvudman_admin").get(reverse("front:start")).content.decode()
    assert "Exempelstads kommun: 2 skolenheter." in start


def test_turning_the_pupil_list_page_keeps_the_search_and_the_unit(world: World) -> None:
    unit = world.units["a"]
    for number in range(51):
        place(PupilFactory(last_name=f"Sökbar{number:02}"), unit)
    client = world.client_for("principal_a")
    response = client.post(reverse("front:pupil_list"), {"q": "Sökbar", "enhet": str(unit.pk)})
    body = response.content.decode()
    assert "51 elever" in body
    # The next page is asked for by POST, with the search and the unit in the form's body.
    assert '<input type="hidden" name="q" value="Sökbar">' in body
    assert f'<input type="hidden" name="enhet" value="{unit.pk}">' in body
    assert '<button type="submit" name="sida" value="2"' in body
    second = client.post(
        reverse("front:pupil_list"), {"q": "Sökbar", "enhet": str(unit.pk), "sida": "2"}
    )
    assert [p.last_name for p in second.context["page"].object_list] == ["Sökbar50"]
