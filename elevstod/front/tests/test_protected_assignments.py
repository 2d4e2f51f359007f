"""The rektor assigns staff to a pupil with protected identity (issue 11; decision 0019)."""

import pytest
from django.urls import reverse

from elevstod.access.context import load_user_context
from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.people.models import EndedProtectedPupilAssignment, ProtectedPupilAssignment
from tests.world import CANARIES, World

pytestmark = pytest.mark.django_db


def _page(world: World) -> str:
    return reverse("front:protected_assignments", args=[world.pupils["z"].pk])


def _end_url(world: World, assignment: ProtectedPupilAssignment) -> str:
    return reverse("front:protected_assignment_end", args=[world.pupils["z"].pk, assignment.pk])


def _educator_assignment(world: World) -> ProtectedPupilAssignment:
    return ProtectedPupilAssignment.objects.get(
        pupil=world.pupils["z"], user=world.users["special_educator_a"]
    )


def test_unassigned_rektor_reaches_the_assignment_page_but_not_the_pupil(world: World) -> None:
    client = world.client_for("principal_a")
    z = world.pupils["z"]
    assert client.get(reverse("front:pupil_detail", args=[z.pk])).status_code == 404
    response = client.get(_page(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert "ElevZ K." in body
    assert world.users["special_educator_a"].display_name in body
    for hidden in (CANARIES["z"], z.street_address, z.phone, z.identity_number):
        assert hidden not in body
    row = AccessEvent.objects.filter(record_type="protected_assignment").latest("id")
    assert (row.action, row.outcome, row.acting_role) == ("view", "allowed", "principal")


def test_biträdande_rektor_cannot_assign_staff_to_a_protected_pupil(world: World) -> None:
    client = world.client_for("deputy_a")
    assert client.get(_page(world)).status_code == 404
    response = client.post(
        _page(world), {"user": str(world.users["deputy_a"].pk), "reason": "Vill se"}
    )
    assert response.status_code == 404
    assert not ProtectedPupilAssignment.objects.filter(user=world.users["deputy_a"]).exists()
    assert AccessEvent.objects.filter(
        record_type="protected_assignment", actor_id=world.users["deputy_a"].pk, outcome="denied"
    ).exists()


def test_rektor_assigns_a_teacher_who_then_sees_the_pupil(world: World) -> None:
    teacher = world.users["teacher_a_unrelated"]
    z = world.pupils["z"]
    pupil_page = reverse("front:pupil_detail", args=[z.pk])
    assert world.client_for("teacher_a_unrelated").get(pupil_page).status_code == 404
    response = world.client_for("principal_a").post(
        _page(world), {"user": str(teacher.pk), "reason": "Undervisar eleven i svenska"}
    )
    assert response.status_code == 302
    assert ProtectedPupilAssignment.objects.filter(pupil=z, user=teacher).exists()
    assert world.client_for("teacher_a_unrelated").get(pupil_page).status_code == 200


def test_an_assignment_is_listed_in_the_units_log_review(world: World) -> None:
    client = world.client_for("principal_a")
    client.post(
        _page(world),
        {"user": str(world.users["counsellor_a"].pk), "reason": "Kurator för eleven"},
    )
    created = AccessEvent.objects.get(record_type="protected_assignment", action="create")
    assert created.school_unit_id == world.units["a"].pk
    body = client.get(reverse("audit:log_review")).content.decode()
    assert "<td>Tilldelad personal – skyddad identitet</td>" in body
    assert "Skapande" in body


def test_a_refused_assignment_keeps_what_was_typed(world: World) -> None:
    response = world.client_for("principal_a").post(
        _page(world), {"user": "", "reason": "Mitt noggrant skrivna skäl"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Tilldelningen kunde inte sparas" in body
    assert "Mitt noggrant skrivna skäl" in body


def test_staff_of_another_unit_cannot_be_assigned(world: World) -> None:
    outsider = world.users["teacher_b"]
    response = world.client_for("principal_a").post(
        _page(world), {"user": str(outsider.pk), "reason": "Fel skola"}
    )
    assert response.status_code == 400
    assert "aktuellt uppdrag på elevens skolenhet" in response.content.decode()
    assert not ProtectedPupilAssignment.objects.filter(user=outsider).exists()


def test_ending_an_assignment_removes_access_and_keeps_the_history(world: World) -> None:
    educator = world.users["special_educator_a"]
    assignment = _educator_assignment(world)
    client = world.client_for("principal_a")
    response = client.post(
        _end_url(world, assignment), {f"end-{assignment.pk}-end_reason": "Byter skola"}
    )
    assert response.status_code == 302
    assert world.pupils["z"].pk not in load_user_context(educator).protected_assignments
    ended = EndedProtectedPupilAssignment.objects.get(user=educator)
    assert (ended.reason, ended.end_reason) == ("Utsedd handläggare", "Byter skola")
    assert AccessEvent.objects.filter(
        record_type="protected_assignment", action=AccessAction.UPDATE
    ).exists()
    body = client.get(_page(world)).content.decode()
    assert "Tidigare tilldelningar" in body
    assert "Byter skola" in body


def test_ending_without_a_reason_shows_the_error_by_the_row(world: World) -> None:
    assignment = _educator_assignment(world)
    response = world.client_for("principal_a").post(_end_url(world, assignment), {})
    assert response.status_code == 400
    assert "Tilldelningen kunde inte avslutas" in response.content.decode()
    assert ProtectedPupilAssignment.objects.filter(pk=assignment.pk).exists()


def test_ending_an_already_ended_assignment_says_so(world: World) -> None:
    assignment = _educator_assignment(world)
    client = world.client_for("principal_a")
    data = {f"end-{assignment.pk}-end_reason": "Klar"}
    client.post(_end_url(world, assignment), data)
    response = client.post(_end_url(world, assignment), data, follow=True)
    assert response.status_code == 200
    assert "Tilldelningen är redan avslutad." in response.content.decode()
    assert EndedProtectedPupilAssignment.objects.count() == 1


def test_the_unit_lists_its_protected_pupils_to_its_rektor(world: World) -> None:
    client = world.client_for("principal_a")
    unit = world.units["a"]
    unit_page = client.get(reverse("front:unit_detail", args=[unit.pk])).content.decode()
    listing = reverse("front:unit_protected_pupils", args=[unit.pk])
    assert listing in unit_page
    body = client.get(listing).content.decode()
    assert "ElevZ K." in body
    assert CANARIES["z"] not in body
    assert CANARIES["x"] not in body  # not protected: not on this list
    assert AccessEvent.objects.filter(
        record_type="protected_assignment", action=AccessAction.LIST, school_unit_id=unit.pk
    ).exists()
    deputy_page = world.client_for("deputy_a").get(reverse("front:unit_detail", args=[unit.pk]))
    assert listing not in deputy_page.content.decode()


def test_an_assigned_rektor_sees_who_is_assigned_on_the_pupil_page(world: World) -> None:
    rektor = world.users["principal_a"]
    ProtectedPupilAssignment.objects.create(pupil=world.pupils["z"], user=rektor, reason="Rektor")
    body = (
        world.client_for("principal_a")
        .get(reverse("front:pupil_detail", args=[world.pupils["z"].pk]))
        .content.decode()
    )
    assert "Tilldelad personal" in body
    assert world.users["special_educator_a"].display_name in body
    assert _page(world) in body
