"""The routine pages: the list by area with what is missing, writing, revising, reviewing and
the version history. Forms work without JavaScript; bad input is a 400 that keeps the text."""

from __future__ import annotations

import re
from datetime import timedelta

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from elevstod.routines.models import Routine, RoutineCategory, RoutineReview, RoutineVersion
from tests.matrix_rows.routines import provider_routine, unit_routine
from tests.world import World

LIST = reverse("routines:routine_list")
CREATE = reverse("routines:routine_create")


def _html(response: HttpResponse) -> str:
    return response.content.decode()


def _new_routine_data(world: World, **changes: object) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "category": RoutineCategory.EARLY_DETECTION,
        "title": "Tidig upptäckt i årskurs 7",
        "purpose": "Att elever som riskerar att inte nå målen upptäcks tidigt.",
        "content": "Mentorn går igenom resultaten varje månad.\nEHT följer upp.",
        "owner": str(world.users["special_educator_a"].pk),
        "approved_on": today.isoformat(),
        "review_by": (today + timedelta(days=365)).isoformat(),
    }
    data.update(changes)
    return data


# ----------------------------------------------------------------------------- list


def test_the_list_groups_by_area_and_shows_what_is_missing(world: World) -> None:
    unit_routine(world, category=RoutineCategory.INVESTIGATION, title="Utredningsrutinen")
    unit_routine(
        world, category=RoutineCategory.EARLY_DETECTION, title="Snart granskad", review_in_days=12
    )
    unit_routine(world, category=RoutineCategory.OTHER, title="Försenad", review_in_days=-4)
    provider_routine(world)
    unit_routine(world, "b", actor="principal_b", title="Lindskolans egen")
    response = world.client_for("teacher_a").get(LIST)
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    for title in (
        "Utredningsrutinen",
        "Snart granskad",
        "Försenad",
        "Samverkan med socialtjänsten",
    ):
        assert title in html
    assert "Lindskolans egen" not in html  # another unit's own routine
    # Grouped by area, in the seed's order, each with its own heading.
    positions = [
        html.index(">Utredning av behov av särskilt stöd</h3>"),
        html.index(">Tidig upptäckt</h3>"),
        html.index(">Extern samverkan med socialtjänst</h3>"),
        html.index(">Annat</h3>"),
    ]
    assert positions == sorted(positions)
    assert "Granskningen försenad 4 dagar" in html
    assert "Granskas inom 12 dagar" in html
    assert "badge-overdue" in html
    # The required routines that neither the unit nor the huvudman has.
    missing = html[html.index('id="missing-heading"') :]
    assert "Elevhälsoteamets arbete" in missing
    assert "Extern samverkan med BUP" in missing
    assert "Extern samverkan med socialtjänst</strong>" not in missing
    assert "Utredning av behov av särskilt stöd</strong>" not in missing
    assert 'scope="col"' in html
    assert "Ny rutin" not in html  # a teacher does not write routines


def test_a_leader_may_write_a_new_routine_for_a_missing_area(world: World) -> None:
    html = _html(world.client_for("principal_a").get(LIST))
    assert f'href="{CREATE}?enhet={world.units["a"].pk}"' in html
    assert f"{CREATE}?enhet={world.units['a'].pk}&amp;omrade=investigation" in html


def test_the_huvudman_sees_its_routines_and_what_each_unit_lacks(world: World) -> None:
    provider_routine(world)
    unit_routine(world, category=RoutineCategory.INVESTIGATION, review_in_days=-1)
    response = world.client_for("huvudman_admin").get(LIST)
    html = _html(response)
    assert response.status_code == 200
    assert "Rutiner för hela Exempelstads kommun" in html
    assert "Samverkan med socialtjänsten" in html
    coverage = html[html.index('id="coverage-heading"') :]
    assert "Björkskolan" in coverage
    assert "Lindskolan" in coverage
    assert "Friskolan" not in coverage  # another huvudman's unit
    assert "Utredning av behov av särskilt stöd" not in coverage.split("Lindskolan")[0]
    # The unit routine's text is not shown to the huvudman, only that it exists.
    assert "Mentor anmäler till rektor" not in html


def test_a_unit_the_user_has_no_duty_at_is_a_404(world: World) -> None:
    client = world.client_for("principal_a")
    assert client.get(LIST, {"enhet": str(world.units["b"].pk)}).status_code == 404
    assert client.get(LIST, {"enhet": "inte-ett-id"}).status_code == 404
    assert client.get(LIST, {"huvudman": str(world.units["a"].provider_id)}).status_code == 404


def test_principal_b_switches_between_units(world: World) -> None:
    unit_routine(world, "c", actor="principal_b", title="Friskolans rutin")
    client = world.client_for("principal_b")
    html = _html(client.get(LIST, {"enhet": str(world.units["c"].pk)}))
    assert "Friskolans rutin" in html
    assert 'aria-current="page"' in html
    assert "Ny rutin" not in html  # a teacher at Friskolan, not its leader


# ----------------------------------------------------------------------------- create


def test_the_form_works_without_javascript_and_publishes_version_one(world: World) -> None:
    client = world.client_for("principal_a")
    page = client.get(CREATE, {"omrade": "early_detection"})
    assert page.status_code == 200
    html = _html(page)
    assert '<option value="early_detection" selected>' in html
    assert 'type="date"' in html
    response = client.post(
        f"{CREATE}?enhet={world.units['a'].pk}", _new_routine_data(world), follow=True
    )
    assert response.redirect_chain[0][1] == 302
    routine = Routine.objects.get()
    assert routine.school_unit == world.units["a"]
    assert routine.owner == world.users["special_educator_a"]
    assert routine.created_by == world.users["principal_a"]
    assert "Rutinen är publicerad som version 1." in _html(response)


def test_bad_input_is_a_400_that_keeps_what_was_typed(world: World) -> None:
    today = timezone.localdate()
    data = _new_routine_data(
        world,
        title="",
        review_by=(today - timedelta(days=1)).isoformat(),
        content="Mitt långa utkast\nrad två",
    )
    response = world.client_for("principal_a").post(CREATE, data)
    assert response.status_code == 400
    html = _html(response)
    assert "Skriv en rubrik." in html
    assert "Nästa granskning måste ligga efter dagen då rutinen fastställdes." in html
    assert "Mitt långa utkast\nrad två</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_error"' in html
    assert 'id="id_title_error"' in html
    assert not Routine.objects.exists()


def test_the_owner_must_work_at_the_unit(world: World) -> None:
    data = _new_routine_data(world, owner=str(world.users["teacher_b"].pk))
    response = world.client_for("principal_a").post(CREATE, data)
    assert response.status_code == 400
    assert "Välj en ägare i listan." in _html(response)


def test_the_huvudman_writes_a_routine_for_all_its_units(world: World) -> None:
    provider_id = world.units["a"].provider_id
    data = _new_routine_data(world, owner=str(world.users["principal_b"].pk))
    response = world.client_for("huvudman_admin").post(f"{CREATE}?huvudman={provider_id}", data)
    assert response.status_code == 302
    routine = Routine.objects.get()
    assert routine.provider_id == provider_id
    assert routine.school_unit is None
    # It applies at unit B too, and the way back leads to the teacher's own list.
    html = _html(world.client_for("teacher_b").get(LIST))
    assert "Tidig upptäckt i årskurs 7" in html
    detail = world.client_for("teacher_b").get(
        reverse("routines:routine_detail", args=[routine.pk])
    )
    assert f'<li><a href="{LIST}">' in _html(detail)


# ----------------------------------------------------------------------------- one routine


def test_the_detail_shows_the_text_and_the_history(world: World) -> None:
    routine = unit_routine(world)
    response = world.client_for("nurse_a_not_eht").get(
        reverse("routines:routine_detail", args=[routine.pk])
    )
    html = _html(response)
    assert response.status_code == 200
    assert "Mentor anmäler till rektor." in html
    assert "Version 1 publicerad" in html
    assert "Revidera" not in html
    html = _html(
        world.client_for("deputy_a").get(reverse("routines:routine_detail", args=[routine.pk]))
    )
    assert reverse("routines:routine_revise", args=[routine.pk]) in html
    assert reverse("routines:routine_review", args=[routine.pk]) in html


def _revision_data(routine: Routine, **changes: object) -> dict[str, object]:
    current = routine.current_version
    assert current is not None
    today = timezone.localdate()
    data: dict[str, object] = {
        "category": routine.category,
        "title": current.title,
        "purpose": current.purpose,
        "content": current.content.replace("Rektor utser utredare.", "Rektor utser två utredare."),
        "change_note": "Två utredare i stället för en.",
        "owner": str(routine.owner_id),
        "approved_on": today.isoformat(),
        "review_by": (today + timedelta(days=365)).isoformat(),
        "base_version": str(current.number),
    }
    data.update(changes)
    return data


def test_a_revision_publishes_version_two_and_the_diff_shows_the_change(world: World) -> None:
    routine = unit_routine(world)
    client = world.client_for("deputy_a")
    url = reverse("routines:routine_revise", args=[routine.pk])
    form = _html(client.get(url))
    assert "Mentor anmäler till rektor." in form  # starts from the text in force
    assert 'name="base_version" value="1"' in form
    response = client.post(url, _revision_data(routine))
    assert response.status_code == 302
    assert RoutineVersion.objects.filter(routine=routine).count() == 2
    diff = _html(client.get(reverse("routines:routine_version", args=[routine.pk, 2])))
    assert "Skillnader mellan version 1 och version 2" in diff
    assert re.search(r"<del>.*Rektor utser utredare\.</del>", diff)
    assert re.search(r"<ins>.*Rektor utser två utredare\.</ins>", diff)
    assert "Två utredare i stället för en." in diff
    first = _html(client.get(reverse("routines:routine_version", args=[routine.pk, 1])))
    assert "Rektor utser utredare." in first
    assert "Ersatt av en senare version" in first
    assert client.get(reverse("routines:routine_version", args=[routine.pk, 3])).status_code == 404


def test_an_unchanged_revision_is_a_400_that_suggests_a_review(world: World) -> None:
    routine = unit_routine(world)
    current = routine.current_version
    assert current is not None
    data = _revision_data(routine, content=current.content, change_note="Inget egentligen")
    response = world.client_for("principal_a").post(
        reverse("routines:routine_revise", args=[routine.pk]), data
    )
    assert response.status_code == 400
    html = _html(response)
    assert "markera den som granskad" in html
    assert "Inget egentligen" in html


def test_a_stale_revision_shows_the_newer_version_and_keeps_my_text(world: World) -> None:
    routine = unit_routine(world)
    url = reverse("routines:routine_revise", args=[routine.pk])
    mine = _revision_data(routine, content="Min egen version av texten")
    assert world.client_for("principal_a").post(url, _revision_data(routine)).status_code == 302
    response = world.client_for("deputy_a").post(url, mine)
    assert response.status_code == 400
    html = _html(response)
    assert "Någon annan har publicerat version 2" in html
    assert "Rektor utser två utredare." in html  # the newer text, to compare
    assert "Min egen version av texten</textarea>" in html
    assert 'name="base_version" value="2"' in html  # saving again builds on version 2


def test_marking_reviewed_without_changes(world: World) -> None:
    routine = unit_routine(world, review_in_days=3)
    client = world.client_for("principal_a")
    url = reverse("routines:routine_review", args=[routine.pk])
    page = _html(client.get(url))
    assert "Granskas inom 3 dagar" in page
    today = timezone.localdate()
    bad = {
        "reviewed_on": today.isoformat(),
        "next_review_by": today.isoformat(),
        "owner": str(routine.owner_id),
        "note": "Genomgången på arbetsplatsträffen",
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Genomgången på arbetsplatsträffen</textarea>" in _html(response)
    good = {**bad, "next_review_by": (today + timedelta(days=180)).isoformat()}
    assert client.post(url, good).status_code == 302
    review = RoutineReview.objects.get(routine=routine)
    assert review.created_by == world.users["principal_a"]
    detail = _html(client.get(reverse("routines:routine_detail", args=[routine.pk])))
    assert "Granskad utan ändringar (version 1)" in detail
    assert "Genomgången på arbetsplatsträffen" in detail


def test_staff_who_may_read_may_not_revise_and_nothing_changes(world: World) -> None:
    routine = unit_routine(world)
    client = world.client_for("special_educator_a")
    url = reverse("routines:routine_revise", args=[routine.pk])
    assert client.post(url, _revision_data(routine)).status_code == 404
    review = reverse("routines:routine_review", args=[routine.pk])
    assert client.post(review, {}).status_code == 404
    assert RoutineVersion.objects.filter(routine=routine).count() == 1
    assert not RoutineReview.objects.exists()
