"""The unit tables name school forms, never their codes (issue 13: "anpassad_grundskola")."""

import pytest
from django.urls import reverse

from elevstod.organisation.labels import school_form_names
from elevstod.organisation.models import SchoolUnit
from tests.world import World

pytestmark = pytest.mark.django_db


def test_the_organisation_page_names_the_units_school_forms(world: World) -> None:
    SchoolUnit.objects.filter(pk=world.units["a"].pk).update(
        school_forms=["grundskola", "anpassad_grundskola"]
    )
    body = world.client_for("huvudman_admin").get(reverse("front:organisation")).content.decode()
    assert "<td>Grundskola, Anpassad grundskola</td>" in body
    assert "anpassad_grundskola" not in body
    assert "<td>grundskola</td>" not in body


def test_a_code_that_is_no_school_form_is_named_as_unknown() -> None:
    assert school_form_names(["gymnasieskola", "folkhogskola"]) == (
        "Gymnasieskola, Annan skolform (folkhogskola)"
    )
    assert school_form_names([]) == ""
