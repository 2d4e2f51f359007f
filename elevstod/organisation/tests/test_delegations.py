"""The delegation register: refused in the model, the form, and the database."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from elevstod.organisation.models import Delegation
from elevstod.organisation.services import delegation_create, delegations_covering
from tests.world import World


def _form(world: World, **overrides: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "school_unit": str(world.units["a"].pk),
        "delegate": str(world.users["special_educator_a"].pk),
        "decision_type": "action_programme",
        "valid_from": str(today),
        "valid_until": str(today + timedelta(days=180)),
        "note": "Under rektors semester",
    }
    return data | overrides


def test_principal_registers_a_delegation(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(reverse("organisation:delegation_list"), _form(world))
    assert response.status_code == 302
    created = Delegation.objects.get(decision_type="action_programme")
    assert created.delegated_by == world.users["principal_a"]


def test_reserved_decision_is_refused_in_the_form_keeping_what_was_typed(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(
        reverse("organisation:delegation_list"), _form(world, decision_type="distance_teaching")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 kap. 9 § andra stycket 2 skollagen" in body
    assert "Under rektors semester" in body
    assert not Delegation.objects.filter(decision_type="distance_teaching").exists()


def test_reserved_decision_is_refused_by_the_model(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        delegation_create(
            actor_id=world.users["principal_a"].pk,
            school_unit_id=world.units["a"].pk,
            delegate_id=world.users["special_educator_a"].pk,
            decision_type="adapted_study_path",
            valid_from=today,
            valid_until=today,
        )
    assert "3 kap. 9 §" in str(error.value)


def test_reserved_decision_is_refused_by_the_database(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(
            school_unit=world.units["a"],
            delegated_by=world.users["principal_a"],
            delegate=world.users["special_educator_a"],
            decision_type="special_teaching_group",
            valid_from=today,
            valid_until=today,
        )


def test_delegate_must_work_at_the_unit(world: World) -> None:
    client = world.client_for("principal_a")
    response = client.post(
        reverse("organisation:delegation_list"),
        _form(world, delegate=str(world.users["teacher_b"].pk)),
    )
    assert response.status_code == 200
    assert not Delegation.objects.filter(delegate=world.users["teacher_b"]).exists()


def test_end_before_start_is_refused(world: World) -> None:
    today = timezone.localdate()
    client = world.client_for("principal_a")
    response = client.post(
        reverse("organisation:delegation_list"),
        _form(world, valid_until=str(today - timedelta(days=1))),
    )
    assert "Slutdatumet kan inte ligga före startdatumet" in response.content.decode()


def test_deputy_cannot_delegate(world: World) -> None:
    assert (
        world.client_for("deputy_a").get(reverse("organisation:delegation_list")).status_code == 404
    )


def test_covering_respects_dates_and_revocation(world: World) -> None:
    delegation = world.delegation
    today = timezone.localdate()
    args = {
        "delegate_id": delegation.delegate_id,
        "school_unit_id": delegation.school_unit_id,
        "decision_type": "no_action_programme",
    }
    assert delegations_covering(**args, day=today) == [delegation]
    assert delegations_covering(**args, day=delegation.valid_until + timedelta(days=1)) == []
    assert delegations_covering(**args, day=delegation.valid_from - timedelta(days=1)) == []
    world.client_for("principal_a").post(
        reverse("organisation:delegation_revoke", kwargs={"delegation_id": delegation.pk})
    )
    delegation.refresh_from_db()
    assert delegation.revoked_by == world.users["principal_a"]
    assert delegations_covering(**args, day=today) == []
