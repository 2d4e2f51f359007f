"""The API keys are reached from the page's foot, not the main menu (issue 13): few staff
connect other systems, and a teacher's menu is for the day's work."""

import re

import pytest
from django.urls import reverse

from tests.world import World

pytestmark = pytest.mark.django_db


def _parts(html: str) -> tuple[str, str]:
    nav = re.search(r"<nav.*?</nav>", html, re.S)
    footer = re.search(r"<footer.*?</footer>", html, re.S)
    assert nav
    assert footer
    return nav.group(0), footer.group(0)


def test_staff_find_the_api_keys_in_the_foot_of_the_page(world: World) -> None:
    html = world.client_for("teacher_a").get(reverse("front:start")).content.decode()
    nav, footer = _parts(html)
    link = reverse("accounts:api_tokens")
    assert link not in nav
    assert link in footer


def test_the_family_is_not_offered_api_keys(world: World) -> None:
    html = world.client_for("guardian_x").get(reverse("front:start")).content.decode()
    assert reverse("accounts:api_tokens") not in html
