"""The access policy against the hand-written visibility table, and its list twin."""

import pytest

from elevstod.access.context import load_user_context
from elevstod.access.lookup import facts_of, pupil_queryset_with_facts
from elevstod.access.policy import can_view_pupil
from elevstod.access.scoping import pupils_visible_to
from elevstod.people.models import Pupil
from tests.world import PERSONAS, VISIBLE, World


def _keys(world: World, pupils) -> set[str]:  # type: ignore[no-untyped-def]
    by_id = {p.pk: key for key, p in world.pupils.items()}
    return {by_id[p.pk] for p in pupils}


@pytest.mark.parametrize("persona", PERSONAS)
def test_policy_matches_the_hand_written_table(world: World, persona: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = world.users.get(persona, AnonymousUser())
    ctx = load_user_context(user)
    pupils = pupil_queryset_with_facts(ctx).filter(pk__in=[p.pk for p in world.pupils.values()])
    allowed = {p for p in pupils if can_view_pupil(ctx, facts_of(p))}
    assert _keys(world, allowed) == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_twin_agrees_with_the_policy(world: World, persona: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = world.users.get(persona, AnonymousUser())
    ctx = load_user_context(user)
    listed = pupils_visible_to(ctx)
    assert _keys(world, listed) == VISIBLE[persona]
    assert listed.count() == len(VISIBLE[persona])  # no duplicates from the OR of relations


def test_user_context_is_one_query(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        ctx = load_user_context(world.users["principal_a"])
    assert world.units["a"].pk in ctx.principal_units


def test_ended_duty_grants_nothing(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from elevstod.organisation.models import UnitDuty

    UnitDuty.objects.filter(user=world.users["principal_a"]).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    ctx = load_user_context(world.users["principal_a"])
    assert not pupils_visible_to(ctx).exists()


def test_protected_pupil_never_in_lists_of_unassigned_staff(world: World) -> None:
    z = world.pupils["z"]
    for persona in ("principal_a", "mentor_a", "teacher_a", "counsellor_a"):
        ctx = load_user_context(world.users[persona])
        assert not pupils_visible_to(ctx).filter(pk=z.pk).exists(), persona
    assert Pupil.objects.filter(pk=z.pk).exists()
