"""The page "Mina anpassningar" lists each adaptation once (issue 13): a teacher who shares
several groups with a pupil saw every adaptation under each of them, a mathematics adaptation
under physical education, and a count three times too large."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elevstod.organisation.models import Group, GroupKind
from elevstod.support import services
from elevstod.support.models import Adaptation
from elevstod.support.tests.builders import today as _today
from tests.factories import GroupFactory, join, staff_group
from tests.world import CANARIES, World

pytestmark = pytest.mark.django_db

URL = "support:my_adaptations"
SECTION = re.compile(r"<section[^>]*>.*?<h2[^>]*>(?P<name>[^<]+)</h2>(?P<body>.*?)</section>", re.S)


def _sections(client: Client) -> tuple[str, dict[str, str]]:
    response = client.get(reverse(URL))
    assert response.status_code == 200
    body = response.content.decode()
    return body, {m["name"].strip(): m["body"] for m in SECTION.finditer(body)}


def _maths(world: World) -> Group:
    group = Group.objects.get(school_unit=world.units["a"], name="Ma 7A")
    group.subject = "Matematik"
    group.save()
    return group


def _physical_education(world: World) -> Group:
    """A second group teacher_a teaches x (and protected z) in."""
    group = GroupFactory(
        school_unit=world.units["a"],
        name="Idh 7A",
        kind=GroupKind.TEACHING_GROUP,
        subject="Idrott och hälsa",
    )
    staff_group(world.users["teacher_a"], group, "teacher")
    for key in ("x", "z"):
        join(world.pupils[key], group)
    return group


def _adaptation(world: World, key: str, measure: str, **values: Any) -> Adaptation:
    today = _today()
    return services.adaptation_create(
        actor=world.users["mentor_a"],
        pupil=world.pupils[key],
        school_unit_id=world.units["a"].pk,
        today=today,
        values={
            "need_description": "Behov",
            "measure": measure,
            "responsible": world.users["teacher_a"],
            "subject": "",
            "starts_on": today,
            "evaluate_on": today + timedelta(days=30),
            **values,
        },
    )


def test_an_adaptation_given_in_one_group_is_listed_once_under_that_group(world: World) -> None:
    maths = _maths(world)
    _physical_education(world)
    _adaptation(world, "x", "Miniräknare på prov", group_id=maths.pk, subject="Matematik")

    body, sections = _sections(world.client_for("teacher_a"))

    assert body.count("Miniräknare på prov") == 1
    assert "1 anpassning att genomföra." in body
    assert "Miniräknare på prov" in sections["Ma 7A"]
    assert "Miniräknare på prov" not in sections["Idh 7A"]
    assert "Inga extra anpassningar pågår i gruppen." in sections["Idh 7A"]
    assert "Övriga anpassningar" not in sections


def test_an_adaptation_with_a_subject_and_no_group_goes_under_the_group_of_that_subject(
    world: World,
) -> None:
    _maths(world)
    _physical_education(world)
    _adaptation(
        world,
        "x",
        "Anpassad uppvärmning",
        subject="Idrott och hälsa",
        responsible=world.users["special_educator_a"],
    )

    body, sections = _sections(world.client_for("teacher_a"))

    assert body.count("Anpassad uppvärmning") == 1
    assert "Anpassad uppvärmning" in sections["Idh 7A"]
    assert "1 anpassning att genomföra." in body


def test_an_adaptation_across_subjects_is_listed_once_after_the_groups(world: World) -> None:
    """It holds in every group the teacher shares with the pupil, so it is shown once, by pupil."""
    _maths(world)
    _physical_education(world)
    _adaptation(world, "x", "Tydligt schema", responsible=world.users["special_educator_a"])
    english = GroupFactory(school_unit=world.units["a"], name="En 7A", subject="Engelska")
    join(world.pupils["x"], english)
    # The teacher's own adaptation in a group they do not teach: once, with that group's name.
    _adaptation(world, "x", "Ordlista", group_id=english.pk, subject="Engelska")
    # Someone else's in that group is not the teacher's to carry out.
    _adaptation(
        world,
        "x",
        "Inläst text",
        group_id=english.pk,
        subject="Engelska",
        responsible=world.users["special_educator_a"],
    )

    body, sections = _sections(world.client_for("teacher_a"))

    assert body.count("Tydligt schema") == 1
    assert body.count("Ordlista") == 1
    assert "Inläst text" not in body
    elsewhere = sections["Övriga anpassningar"]
    assert "Tydligt schema" in elsewhere
    assert "Ordlista" in elsewhere
    assert "En 7A" in elsewhere
    assert "2 anpassningar att genomföra." in body


def test_a_protected_pupil_stays_hidden_from_a_teacher_who_is_not_assigned(world: World) -> None:
    maths = _maths(world)
    _physical_education(world)
    _adaptation(world, "z", "Hemlig åtgärd", group_id=maths.pk, subject="Matematik")
    _adaptation(world, "z", "Hemlig överallt")

    body, _ = _sections(world.client_for("teacher_a"))

    assert CANARIES["z"] not in body
    assert "Hemlig" not in body
    assert "0 anpassningar att genomföra." in body


def test_the_page_costs_the_same_queries_with_one_group_or_two_and_more_adaptations(
    world: World,
) -> None:
    maths = _maths(world)
    _adaptation(world, "x", "Första", group_id=maths.pk, subject="Matematik")
    client = world.client_for("teacher_a")
    url = reverse(URL)
    client.get(url)  # warm: the first request after sign-in may refresh the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _physical_education(world)
    for i in range(5):
        _adaptation(world, "x", f"Till {i}", group_id=maths.pk, subject="Matematik")
        _adaptation(world, "x", f"Överallt {i}")
    with CaptureQueriesContext(connection) as more:
        body = client.get(url).content.decode()
    assert "11 anpassningar att genomföra." in body
    assert len(more) == len(one)
