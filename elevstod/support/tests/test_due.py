"""What is due, for whom, by when (elevstod.support.due)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from elevstod.access.context import load_user_context
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.due import (
    APPEAL_HANDLING_DAYS,
    DueItem,
    due_for_pupil,
    due_for_user,
    due_soon,
    group_by_when,
)
from elevstod.support.models import DecisionService
from elevstod.support.tests.builders import serve
from tests.factories import PupilFactory, place
from tests.matrix_rows.tasks import (
    adaptation,
    assessed_no_need,
    decided_no_programme,
    investigating,
    programme_in_force,
    received,
    referral,
)
from tests.world import World

K = wf.TaskKind
Chain = dict[str, Any]  # the `chain` fixture: one record at every step, by step
NOBODY = uuid.UUID(int=0)  # an item in a list, about no pupil and no record


def _for(world: World, persona: str, today: date | None = None) -> list[DueItem]:
    user = world.users[persona]
    today = today or timezone.localdate()
    return due_for_user(user_id=user.pk, ctx=load_user_context(user, today=today), today=today)


def _kinds(items: list[DueItem]) -> set[wf.TaskKind]:
    return {item.kind for item in items}


@pytest.fixture
def chain(world: World) -> Chain:
    """One record at every step, each for the people tests/world.py makes responsible."""
    decision = decided_no_programme(world, "x")
    guardian_service = DecisionService.objects.filter(decision=decision).first()
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=guardian_service,
        appellant_name="Vårdnadshavare",
        lodged_on=timezone.localdate(),
        content="Vi överklagar beslutet.",
        today=timezone.localdate(),
    )
    return {
        "adaptation": adaptation(world, "x", "teacher_a"),
        "reported": referral(world, "x"),
        "received": received(world, "w"),
        "investigating": investigating(world, "m", investigator="special_educator_a"),
        "assessed": assessed_no_need(world, "x"),
        "decision": decision,
        "appeal": appeal,
        # m: a pupil both responsible people may see. Someone named responsible for a pupil
        # they have no relation to is not shown the item (security.md P5; see
        # test_staff_never_see_pupils_they_have_no_relation_to).
        "programme": programme_in_force(
            world, "m", follow_up="mentor_a", evaluation="special_educator_a"
        ),
    }


# Who gets what, by hand: the rektor proper answers for the unit's steps (SL 3 kap. 7 och 9 §§,
# FL 45–46 §§); everyone else for what they are named responsible for.
EXPECTED = {
    "principal_a": {
        K.RECEIVE_REFERRAL,
        K.OPEN_INVESTIGATION,
        K.DECIDE,
        K.SERVE_DECISION,
        K.HANDLE_APPEAL,
    },
    "teacher_a": {K.EVALUATE_ADAPTATION},
    "special_educator_a": {K.COMPLETE_INVESTIGATION, K.EVALUATE_PROGRAMME},
    "mentor_a": {K.FOLLOW_UP},
    "deputy_a": set(),  # a biträdande rektor is not the rektor the steps fall to
    "principal_b": set(),  # another unit
    "counsellor_a": set(),
    "huvudman_admin": set(),
    "guardian_x": set(),
    "pupil_x": set(),
}


@pytest.mark.parametrize(("persona", "kinds"), EXPECTED.items())
def test_each_kind_is_due_from_the_right_person(
    world: World, chain: Chain, persona: str, kinds: set[wf.TaskKind]
) -> None:
    assert _kinds(_for(world, persona)) == kinds


def test_the_pupils_list_has_every_step_and_names_who_answers(world: World, chain: Chain) -> None:
    items = due_for_pupil(pupil_id=world.pupils["x"].pk, today=timezone.localdate())
    by_kind = {item.kind: item for item in items}
    assert set(by_kind) == {
        K.EVALUATE_ADAPTATION,
        K.RECEIVE_REFERRAL,
        K.DECIDE,
        K.SERVE_DECISION,
        K.HANDLE_APPEAL,
    }
    principal = world.users["principal_a"].display_name
    assert by_kind[K.RECEIVE_REFERRAL].responsible_name == principal
    assert by_kind[K.DECIDE].responsible_name == principal
    assert by_kind[K.SERVE_DECISION].responsible_name == principal
    assert by_kind[K.EVALUATE_ADAPTATION].responsible_name == world.users["teacher_a"].display_name
    assert all(item.pupil_name == "ElevX Kanarieqx" for item in items)
    m_items = due_for_pupil(pupil_id=world.pupils["m"].pk, today=timezone.localdate())
    (completion,) = [item for item in m_items if item.kind is K.COMPLETE_INVESTIGATION]
    assert completion.responsible_name == world.users["special_educator_a"].display_name
    assert completion.record_id == chain["investigating"].pk


def test_items_name_their_rule_and_basis(world: World, chain: Chain) -> None:
    today = timezone.localdate()
    items = {item.kind: item for item in _for(world, "principal_a") + _for(world, "mentor_a")}
    receipt = items[K.RECEIVE_REFERRAL]
    assert receipt.basis is wf.DeadlineBasis.MUNICIPAL
    assert receipt.rule.startswith("3 kap. 7 § skollagen (skyndsamt)")
    assert "kvittens inom 2 dagar" in receipt.rule
    assert receipt.due_on == today + timedelta(days=2)
    assert items[K.DECIDE].rule.startswith("3 kap. 9 § skollagen")
    assert items[K.SERVE_DECISION].due_on == today + timedelta(days=7)
    assert "33 § förvaltningslagen" in items[K.SERVE_DECISION].rule
    assert items[K.HANDLE_APPEAL].due_on == today + timedelta(days=APPEAL_HANDLING_DAYS)
    assert items[K.FOLLOW_UP].basis is wf.DeadlineBasis.LAW
    assert items[K.FOLLOW_UP].rule.startswith("3 kap. 9 § skollagen")
    assert items[K.FOLLOW_UP].record_id == chain["programme"].pk


def test_a_past_date_is_overdue_and_today_is_not(world: World) -> None:
    today = timezone.localdate()
    adaptation(world, "x", "teacher_a", evaluate_on=today - timedelta(days=1))
    adaptation(world, "w", "teacher_a", evaluate_on=today)
    items = sorted(_for(world, "teacher_a"), key=lambda item: item.due_on)
    # teacher_a sees x through the maths group, not w: w's item is left out (security.md P5).
    assert [(item.due_on, item.overdue) for item in items] == [(today - timedelta(days=1), True)]
    adaptation(world, "x", "teacher_a", evaluate_on=today)
    overdue = [item.overdue for item in sorted(_for(world, "teacher_a"), key=lambda i: i.due_on)]
    assert overdue == [True, False]


def test_the_huvudmans_settings_move_the_dates(world: World) -> None:
    today = timezone.localdate()
    referral(world, "x")
    received(world, "w")
    before = {item.kind: item for item in _for(world, "principal_a")}
    assert before[K.RECEIVE_REFERRAL].due_on == today + timedelta(days=2)
    assert before[K.OPEN_INVESTIGATION].due_on == today + timedelta(days=7)
    services.deadlines_update(
        actor=world.users["huvudman_admin"],
        provider_id=world.units["a"].provider_id,
        values={"receipt_days": 5, "investigation_start_days": 3},
    )
    after = {item.kind: item for item in _for(world, "principal_a")}
    assert after[K.RECEIVE_REFERRAL].due_on == today + timedelta(days=5)
    assert "kvittens inom 5 dagar" in after[K.RECEIVE_REFERRAL].rule
    assert after[K.OPEN_INVESTIGATION].due_on == today + timedelta(days=3)
    # Unit B belongs to the same huvudman (Exempelstads kommun): its rektor's dates move too.
    referral(world, "y", reporter="teacher_b")
    (same_provider,) = _for(world, "principal_b")
    assert same_provider.due_on == today + timedelta(days=5)
    # Another huvudman's unit (Friskolan AB) keeps the defaults of process.md §3.
    pupil = PupilFactory(first_name="Elev", last_name="Friskoleelev")
    place(pupil, world.units["c"])
    services.referral_create(
        actor=world.users["principal_b"],  # a teacher at unit C
        pupil=pupil,
        school_unit_id=world.units["c"].pk,
        ground=wf.ReferralGround.OTHER_DIFFICULTIES,
        description="Svårigheter i skolsituationen",
        today=today,
    )
    (other,) = due_for_pupil(pupil_id=pupil.pk, today=today)
    assert (
        other.due_on
        == today + timedelta(days=wf.DEFAULT_DEADLINES.receipt_days)
        == today + timedelta(days=2)
    )
    assert "kvittens inom 2 dagar" in other.rule


def test_protected_pupil_is_hidden_from_unassigned_staff(world: World) -> None:
    adaptation(world, "z", "mentor_a")  # z is in mentor_a's class but protected
    adaptation(world, "z", "special_educator_a")  # explicitly assigned to z
    referral(world, "z")  # principal_a leads z's unit but is not assigned
    assert _for(world, "mentor_a") == []
    assert _for(world, "principal_a") == []
    (item,) = _for(world, "special_educator_a")
    assert item.pupil_id == world.pupils["z"].pk
    # The pupil's own list has no filter: its caller has already been let in by access.lookup.
    assert len(due_for_pupil(pupil_id=world.pupils["z"].pk, today=timezone.localdate())) == 3


def test_staff_never_see_pupils_they_have_no_relation_to(world: World) -> None:
    adaptation(world, "y", "mentor_a")  # y is at unit B, out of mentor_a's reach
    assert _for(world, "mentor_a") == []


def test_closed_and_finished_work_is_not_due(world: World, chain: Chain) -> None:
    today = timezone.localdate()
    services.adaptation_evaluate(
        actor=world.users["teacher_a"],
        adaptation=chain["adaptation"],
        effect=wf.AdaptationEffect.SUFFICIENT,
        next_step=wf.AdaptationNextStep.END,
        today=today,
    )
    for service in DecisionService.objects.filter(decision=chain["decision"]):
        serve(world, service, today)
    services.appeal_handle(
        actor=world.users["principal_a"],
        appeal=chain["appeal"],
        action=wf.AppealAction.FORWARD,
        note="",
        today=today,
    )
    assert _kinds(_for(world, "teacher_a")) == set()
    assert _kinds(_for(world, "principal_a")) == {
        K.RECEIVE_REFERRAL,
        K.OPEN_INVESTIGATION,
        K.DECIDE,
    }


def test_one_query_whatever_the_amount_of_data(world: World) -> None:
    def count(call: Callable[[], list[DueItem]]) -> int:
        with CaptureQueriesContext(connection) as queries:
            items = call()
        assert items
        return len(queries)

    ctx = load_user_context(world.users["principal_a"])
    today = timezone.localdate()

    def for_user() -> list[DueItem]:
        return due_for_user(user_id=world.users["principal_a"].pk, ctx=ctx, today=today)

    def for_pupil() -> list[DueItem]:
        return due_for_pupil(pupil_id=world.pupils["x"].pk, today=today)

    def grow(n: int) -> None:
        for _ in range(n):
            adaptation(world, "x", "principal_a")
            referral(world, "x")
            investigating(world, "x", investigator="principal_a")
        decided_no_programme(world, "x")
        programme_in_force(world, "x", follow_up="principal_a", evaluation="principal_a")

    grow(1)
    small = (count(for_user), count(for_pupil))
    grow(19)
    large = (count(for_user), count(for_pupil))
    assert small == large == (1, 1)


def test_grouping_and_the_reminder_horizon() -> None:
    today = date(2026, 3, 4)  # a Wednesday

    def item(days: int) -> DueItem:
        due_on = today + timedelta(days=days)
        return DueItem(
            kind=K.FOLLOW_UP,
            label="",
            due_on=due_on,
            basis=wf.DeadlineBasis.LAW,
            rule="",
            overdue=due_on < today,
            responsible_name="",
            url="",
            pupil_id=NOBODY,
            pupil_name="",
            record_id=NOBODY,
        )

    items = [item(d) for d in (-2, 0, 3, 4, 5, 30)]
    groups = group_by_when(items, today)
    assert [i.due_on.day for i in groups["overdue"]] == [2]
    assert [i.due_on.day for i in groups["this_week"]] == [4, 7, 8]  # to Sunday 8 March
    assert [i.due_on.day for i in groups["later"]] == [9, 3]
    assert [i.due_on.day for i in due_soon(items, today)] == [2, 4, 7]
