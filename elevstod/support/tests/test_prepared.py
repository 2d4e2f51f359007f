"""The support page's and "Mina uppgifter"'s queries are compiled once and run with each
request's values (unions.Prepared): what they find must be what building them afresh finds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from elevstod.access.context import load_user_context
from elevstod.access.policy import Relation
from elevstod.support import due, unions
from elevstod.support import workflow as wf
from elevstod.support.due import DueItem, due_for_pupil, due_for_user
from elevstod.support.selectors import support_page as page
from tests.matrix_rows.tasks import (
    adaptation,
    decided_no_programme,
    investigating,
    programme_in_force,
    referral,
)
from tests.world import STAFF, World

PREPARED = [due._FOR_PUPIL, due._FOR_USER, page._CHAIN, *page._DECISIONS.values()]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    """Run a call with every prepared query built afresh instead of reused."""

    def run(call: Callable[[], Any]) -> Any:
        with monkeypatch.context() as patch:
            patch.setattr(unions.Prepared, "_compile", lambda *_args: None)
            for prepared in PREPARED:
                patch.setattr(prepared, "_compiled", {})
            return call()

    return run


@pytest.fixture
def chain(world: World) -> None:
    """Records at several steps; the rektor also investigates a case at their own unit, which
    two branches of due_for_user find."""
    adaptation(world, "x", "teacher_a")
    referral(world, "w")
    investigating(world, "m", investigator="principal_a")
    investigating(world, "x", investigator="special_educator_a")
    decided_no_programme(world, "w")
    programme_in_force(world, "m", follow_up="mentor_a", evaluation="special_educator_a")


def _due(world: World, persona: str) -> list[DueItem]:
    user = world.users[persona]
    today = timezone.localdate()
    ctx = load_user_context(user, today=today)
    return due_for_user(user_id=user.pk, ctx=ctx, today=today)


def _everything(world: World) -> Iterator[Any]:
    today = timezone.localdate()
    for persona in sorted(STAFF):
        yield persona, _due(world, persona)
    for key, pupil in sorted(world.pupils.items()):
        yield key, due_for_pupil(pupil_id=pupil.pk, today=today)
        for persona in ("mentor_a", "special_educator_a", "principal_a", "guardian_x", "pupil_x"):
            user_id = world.users[persona].pk
            chain = page._chain(pupil.pk, user_id)
            yield key, persona, dataclasses.asdict(chain)
            for is_pupil in (False, True):
                rows = page.decision_rows(pupil.pk, user_id=user_id, is_pupil=is_pupil)
                yield key, persona, is_pupil, [dataclasses.asdict(row) for row in rows]
        relations = frozenset({Relation.MENTOR})
        yield key, page.support_page(pupil, relations, user_id=None).adaptations


@pytest.mark.usefixtures("chain")
def test_reused_sql_finds_what_fresh_sql_finds(world: World, fresh: Callable[[], Any]) -> None:
    reused = list(_everything(world))
    assert reused == fresh(lambda: list(_everything(world)))
    assert any(items for _key, items in reused[: len(STAFF)])


@pytest.mark.usefixtures("chain")
def test_the_sql_is_reused(world: World) -> None:
    list(_everything(world))
    for prepared in PREPARED:
        assert prepared._compiled, prepared.build
        assert all(compiled is not None for compiled in prepared._compiled.values())


def test_a_case_the_rektor_also_investigates_is_listed_once(world: World) -> None:
    # Found as the unit's rektor and as its investigator: two branches of the UNION.
    investigation = investigating(world, "m", investigator="principal_a")
    items = _due(world, "principal_a")
    assert [item.record_id for item in items] == [investigation.pk]
    assert items[0].kind is wf.TaskKind.COMPLETE_INVESTIGATION


def test_a_new_day_is_a_new_value_not_new_sql(world: World) -> None:
    adaptation(world, "x", "teacher_a")
    today = timezone.localdate()
    pupil = world.pupils["x"].pk
    assert due_for_pupil(pupil_id=pupil, today=today)
    compiled = dict(due._FOR_PUPIL._compiled)
    assert due_for_pupil(pupil_id=pupil, today=today + timedelta(days=400))
    assert due._FOR_PUPIL._compiled == compiled


def test_a_value_the_build_derives_from_another_is_never_reused(world: World) -> None:
    """A build that computes with a value (here a day plus 14) would fix the stand-in's result
    for everyone: compiled twice with different stand-ins, it is seen and built afresh."""
    from django.db.models import DateField

    from elevstod.people.models import Placement

    prepared = unions.Prepared(
        lambda today: (
            Placement.objects.filter(starts_on__lte=today + timedelta(days=14))
            .order_by("pk")
            .values("pk")
        ),
        today=DateField,
    )
    today = timezone.localdate()
    placement = Placement.objects.filter(ends_on__isnull=True).order_by("pk").first()
    assert placement is not None
    Placement.objects.filter(pk=placement.pk).update(starts_on=today + timedelta(days=10))

    rows = prepared.rows(today=today)

    assert placement.pk in [unions.as_uuid(row["pk"]) for row in rows]
    assert list(prepared._compiled.values()) == [None]
