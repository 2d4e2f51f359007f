"""Service (delgivning) and appeals: the rules as tables (no database), then the services.

FL 43–47 §§ via SL 29 kap. 11 §; SL 28 kap. 16 §; process.md §2.4 (service is evidence).
"""

from datetime import date, timedelta

import pytest
from django.http import HttpResponse
from django.urls import reverse

from elevstod.audit.models import AccessEvent
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import Appeal, ChainEvent, Decision, Referral
from elevstod.support.tests import builders as b
from elevstod.support.tests.builders import refused, today
from tests.world import World

DAY = date(2025, 3, 3)  # a Monday
DEADLINE = date(2025, 3, 24)


# --------------------------------------------------------------------------- rules (no database)


def _refusal(outcome: wf.Outcome, rule: str | None) -> wf.Refused | None:
    """The outcome is refused by `rule`, or allowed when `rule` is None."""
    if rule is None:
        assert isinstance(outcome, wf.Allowed), outcome
        return None
    assert isinstance(outcome, wf.Refused), outcome
    assert outcome.rule == rule
    return outcome


@pytest.mark.parametrize(
    ("recorded", "received", "sent", "rule"),
    [
        (None, DAY, DAY, None),
        (None, None, None, None),
        (DAY, DAY, DAY, None),  # the same day again changes nothing
        (DAY, DAY + timedelta(days=2), DAY, "service.receipt_recorded"),
        (DAY, None, DAY, "service.receipt_recorded"),  # clearing it is refused too
        (None, DAY + timedelta(days=30), None, "service.received_in_future"),
        (None, DAY, DAY + timedelta(days=1), "service.received_before_sent"),
    ],
)
def test_recording_service(
    recorded: date | None, received: date | None, sent: date | None, rule: str | None
) -> None:
    outcome = wf.may_record_service(
        recorded_received_on=recorded, received_on=received, sent_on=sent, today=DAY
    )
    refusal = _refusal(outcome, rule)
    if refusal is not None:
        assert "förvaltningslagen" in refusal.paragraph


@pytest.mark.parametrize(
    ("recorded", "received", "reason", "appeals", "rule"),
    [
        (DAY, DAY - timedelta(days=1), "Fel datum skrevs in.", 0, None),
        (None, DAY, "Skäl", 0, "service.nothing_to_correct"),
        (DAY, DAY - timedelta(days=1), "  ", 0, "service.correction_reason"),
        (DAY, DAY, "Skäl", 0, "service.correction_unchanged"),
        (DAY, DAY - timedelta(days=1), "Skäl", 1, "service.correction_after_appeal"),
        (DAY - timedelta(days=3), DAY + timedelta(days=1), "Skäl", 0, "service.received_in_future"),
    ],
)
def test_correcting_service(
    recorded: date | None, received: date, reason: str, appeals: int, rule: str | None
) -> None:
    outcome = wf.may_correct_service(
        recorded_received_on=recorded,
        received_on=received,
        sent_on=None,
        reason=reason,
        appeals_counted_from_it=appeals,
        today=DAY,
    )
    refusal = _refusal(outcome, rule)
    if refusal is not None:
        assert refusal.paragraph


@pytest.mark.parametrize(
    ("lodged", "served_row", "rule"),
    [
        (DAY, True, None),
        (DAY, False, "appeal.service_required"),
        (DAY + timedelta(days=1), True, "appeal.lodged_in_future"),
        (DAY - timedelta(days=10), True, "appeal.before_decision"),
    ],
)
def test_registering_an_appeal(lodged: date, served_row: bool, rule: str | None) -> None:
    outcome = wf.may_register_appeal(
        lodged_on=lodged,
        decided_on=DAY - timedelta(days=5),
        today=DAY,
        appellant_served_row=served_row,
    )
    refusal = _refusal(outcome, rule)
    if refusal is not None:
        assert "förvaltningslagen" in refusal.paragraph


LATE = DEADLINE + timedelta(days=1)


@pytest.mark.parametrize(
    ("lodged", "deadline", "not_served", "board", "wrong", "forward_rule", "dismiss_rule"),
    [
        (DEADLINE, DEADLINE, False, False, False, None, "appeal.timely"),
        (LATE, DEADLINE, False, False, False, "appeal.late", None),
        # Not served: the time has not begun to run, so it is in time (FL 44 §).
        (LATE, None, True, False, False, None, "appeal.timely"),
        # FL 45 § andra stycket: reached the board in time, or wrong appeal instructions.
        (LATE, DEADLINE, False, True, False, None, "appeal.late_excused"),
        (LATE, DEADLINE, False, False, True, None, "appeal.late_excused"),
        (LATE, DEADLINE, False, True, True, None, "appeal.late_excused"),
        # The facts change nothing for a timely appeal: it is tried, never dismissed.
        (DEADLINE, DEADLINE, False, True, True, None, "appeal.timely"),
    ],
)
def test_late_appeals(
    lodged: date,
    deadline: date | None,
    not_served: bool,
    board: bool,
    wrong: bool,
    forward_rule: str | None,
    dismiss_rule: str | None,
) -> None:
    facts = wf.LateAppealFacts(
        not_served=not_served, reached_board_in_time=board, wrong_appeal_instructions=wrong
    )
    _refusal(wf.may_forward_appeal(lodged, deadline, **facts), forward_rule)
    dismissal = _refusal(wf.may_dismiss_appeal_as_late(lodged, deadline, **facts), dismiss_rule)
    if dismiss_rule == "appeal.late_excused":
        assert dismissal is not None
        assert dismissal.paragraph.startswith("45 § andra stycket")
    assert wf.appeal_is_timely(lodged, deadline, not_served=not_served) is (
        dismiss_rule == "appeal.timely"
    )


NO_AP = wf.DecisionKind.NO_ACTION_PROGRAMME
AP = wf.DecisionKind.ACTION_PROGRAMME
NO_PROG = wf.CaseState.NO_PROGRAMME


@pytest.mark.parametrize(
    ("action", "kind", "state", "expected"),
    [
        (wf.AppealAction.RECORD_BOARD_SET_ASIDE, NO_AP, NO_PROG, wf.CaseAction.REOPEN_AFTER_APPEAL),
        (wf.AppealAction.RECORD_BOARD_RETURNED, NO_AP, NO_PROG, wf.CaseAction.REOPEN_AFTER_APPEAL),
        (wf.AppealAction.RECONSIDER_AND_CHANGE, NO_AP, NO_PROG, wf.CaseAction.REOPEN_AFTER_APPEAL),
        (wf.AppealAction.RECORD_BOARD_UPHELD, NO_AP, NO_PROG, None),
        (wf.AppealAction.FORWARD, NO_AP, NO_PROG, None),
        (wf.AppealAction.RECORD_BOARD_SET_ASIDE, AP, wf.CaseState.PROGRAMME_ACTIVE, None),
        # The case moved on since (a new decision was made): the ruling is recorded only.
        (wf.AppealAction.RECORD_BOARD_SET_ASIDE, NO_AP, wf.CaseState.PROGRAMME_ACTIVE, None),
    ],
)
def test_case_step_after_an_appeal(
    action: wf.AppealAction,
    kind: wf.DecisionKind,
    state: wf.CaseState,
    expected: wf.CaseAction | None,
) -> None:
    assert wf.case_action_after_appeal_step(action, kind, state) == expected


def test_reopening_returns_the_case_to_awaiting_a_new_decision() -> None:
    assert (
        wf.case_transition(wf.CaseState.NO_PROGRAMME, wf.CaseAction.REOPEN_AFTER_APPEAL)
        == wf.CaseState.INVESTIGATING
    )
    for state in set(wf.CaseState) - {wf.CaseState.NO_PROGRAMME}:
        refused = wf.case_transition(state, wf.CaseAction.REOPEN_AFTER_APPEAL)
        assert isinstance(refused, wf.Refused)


def test_reconsideration_cites_fl_only_for_a_municipal_huvudman() -> None:
    assert wf.reconsideration_citation(True) == "37–39 §§ förvaltningslagen"
    assert "29 kap. 10–11 §§ skollagen" in wf.reconsideration_citation(False)


# --------------------------------------------------------------------------- services


@pytest.mark.django_db
def test_a_recorded_receipt_day_cannot_be_moved_or_cleared(world: World) -> None:
    decision = b.no_programme_decision(world)
    row = b.serve(world, b.guardian_row(decision), today() - timedelta(days=30))
    first_deadline = row.appeal_deadline
    for new_day in (today() - timedelta(days=2), None):
        with refused("service.receipt_recorded") as refusal:
            services.service_record(
                actor=world.users["principal_a"],
                service=row,
                method="letter",
                sent_on=None,
                received_on=new_day,
                today=today(),
            )
        assert "44 § förvaltningslagen" in refusal.value.refusal.text()
    row.refresh_from_db()
    assert row.received_on == today() - timedelta(days=30)
    assert row.appeal_deadline == first_deadline
    # Confirming in the app afterwards changes nothing either.
    services.service_confirm_receipt(actor=world.users["guardian_x"], service=row, today=today())
    row.refresh_from_db()
    assert row.received_on == today() - timedelta(days=30)


@pytest.mark.django_db
def test_a_correction_is_a_logged_act_that_keeps_the_old_day(world: World) -> None:
    decision = b.no_programme_decision(world)
    old = today() - timedelta(days=30)
    row = b.serve(world, b.guardian_row(decision), old)
    correct = {"actor": world.users["principal_a"], "service": row, "today": today()}
    with refused("service.correction_reason"):
        services.service_correct(received_on=old + timedelta(days=1), reason="", **correct)
    events = ChainEvent.objects.filter(record_id=decision.pk).count()
    logs = AccessEvent.objects.filter(record_id=decision.pk).count()
    services.service_correct(
        received_on=old + timedelta(days=1),
        reason="Brevet kom fram en dag senare enligt mottagningsbeviset.",
        **correct,
    )
    row.refresh_from_db()
    assert row.received_on == old + timedelta(days=1)
    assert row.appeal_deadline == wf.appeal_deadline(old + timedelta(days=1))
    assert row.corrections[0]["from"] == old.isoformat()
    assert row.corrections[0]["to"] == (old + timedelta(days=1)).isoformat()
    assert row.corrections[0]["reason"].startswith("Brevet kom fram")
    assert ChainEvent.objects.filter(record_id=decision.pk).count() == events + 1
    assert ChainEvent.objects.filter(verb="decision.service_corrected").count() == 1
    assert AccessEvent.objects.filter(record_id=decision.pk).count() == logs + 1


@pytest.mark.django_db
def test_no_correction_once_an_appeal_was_judged_from_the_day(world: World) -> None:
    decision = b.no_programme_decision(world)
    row = b.serve(world, b.guardian_row(decision), today() - timedelta(days=30))
    appeal = b.register_appeal(world, decision, row, appellant_name="")
    assert appeal.is_timely is False
    assert appeal.appellant_name == row.recipient_name
    with refused("service.correction_after_appeal"):
        services.service_correct(
            actor=world.users["principal_a"],
            service=row,
            received_on=today() - timedelta(days=5),
            reason="Fel dag.",
            today=today(),
        )
    assert Appeal.objects.get(pk=appeal.pk).is_timely is False


@pytest.mark.django_db
def test_an_appeal_requires_the_appellants_service_row(world: World) -> None:
    decision = b.no_programme_decision(world)
    with refused("appeal.service_required"):
        b.register_appeal(world, decision, None, appellant_name="Någon")
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_an_appellant_not_yet_served_is_in_time_and_recorded_so(world: World) -> None:
    decision = b.no_programme_decision(world)
    appeal = b.register_appeal(world, decision, b.guardian_row(decision))
    assert appeal.not_served is True
    assert appeal.deadline is None
    assert appeal.is_timely is True
    with refused("appeal.timely"):
        b.handle_appeal(world, appeal, wf.AppealAction.DISMISS_AS_LATE)


@pytest.mark.django_db
@pytest.mark.parametrize("fact", ["reached_board_in_time", "wrong_appeal_instructions"])
def test_a_late_appeal_with_an_fl_45_excuse_is_forwarded_not_dismissed(
    world: World, fact: str
) -> None:
    decision = b.no_programme_decision(world)
    row = b.serve(world, b.guardian_row(decision), today() - timedelta(days=30))
    appeal = b.register_appeal(world, decision, row)
    assert appeal.is_timely is False
    with pytest.raises(wf.RefusalError):
        b.handle_appeal(world, appeal, wf.AppealAction.FORWARD)
    with refused("appeal.late_excused"):
        b.handle_appeal(world, appeal, wf.AppealAction.DISMISS_AS_LATE, **{fact: True})
    # The refused step wrote nothing, not even the fact.
    assert getattr(Appeal.objects.get(pk=appeal.pk), fact) is False
    appeal = b.handle_appeal(
        world,
        appeal,
        wf.AppealAction.FORWARD,
        note="Kom in till nämnden i tid.",
        **{fact: True},
    )
    assert appeal.state == wf.AppealState.FORWARDED
    assert getattr(appeal, fact) is True


def _appeal_on_confirmed_decision(world: World) -> tuple[Decision, Appeal]:
    """A no-programme decision the guardian confirmed receiving in the app, and their appeal."""
    decision = b.no_programme_decision(world)
    row = b.guardian_row(decision)
    services.service_confirm_receipt(actor=world.users["guardian_x"], service=row, today=today())
    return decision, b.register_appeal(world, decision, row, appellant_name="")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ruling", [wf.AppealAction.RECORD_BOARD_SET_ASIDE, wf.AppealAction.RECORD_BOARD_RETURNED]
)
def test_board_setting_aside_a_no_programme_decision_reopens_the_case(
    world: World, ruling: wf.AppealAction
) -> None:
    decision, appeal = _appeal_on_confirmed_decision(world)
    appeal = b.handle_appeal(world, appeal, wf.AppealAction.FORWARD, ruling)
    referral = Referral.objects.get(pk=decision.referral_id)
    assert referral.state == wf.CaseState.INVESTIGATING
    investigation = decision.investigation
    assert investigation is not None
    investigation.refresh_from_db()
    assert investigation.closed_on is None
    assert investigation.assessed_on is None
    assert ChainEvent.objects.filter(verb="case.reopened_after_appeal").count() == 1
    # The new decision goes through the normal flow, and the appeal links it.
    b.save(
        world,
        investigation,
        {"special_support_needed": False},
        persona="special_educator_a",
        needs=[],
    )
    investigation.refresh_from_db()
    new = b.decide_no_programme(
        world,
        investigation,
        statement_of_reasons="Ny bedömning efter nämndens beslut: inget behov.",
        instead="Extra anpassningar.",
    )
    assert Appeal.objects.get(pk=appeal.pk).new_decision_id == new.pk


@pytest.mark.django_db
def test_an_upheld_ruling_leaves_the_case_alone(world: World) -> None:
    decision, appeal = _appeal_on_confirmed_decision(world)
    appeal = b.handle_appeal(
        world, appeal, wf.AppealAction.FORWARD, wf.AppealAction.RECORD_BOARD_UPHELD
    )
    assert Referral.objects.get(pk=decision.referral_id).state == wf.CaseState.NO_PROGRAMME
    assert appeal.new_decision_id is None


# --------------------------------------------------------------------------- pages


def _page_text(response: HttpResponse) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_decision_page_offers_a_correction_not_a_new_service_once_received(world: World) -> None:
    decision = b.no_programme_decision(world)
    old = today() - timedelta(days=30)
    row = b.serve(world, b.guardian_row(decision), old)
    principal = world.client_for("principal_a")
    url = reverse("support:decision_detail", kwargs={"decision_id": decision.pk})
    page = _page_text(principal.get(url))
    assert "Rätta mottagningsdagen" in page
    assert f'name="c{row.pk.hex[:8]}-reason"' in page
    assert f'name="s{row.pk.hex[:8]}-received_on"' not in page
    # Each act on a recipient's row posts to a URL of its own (decision 0011).
    on_row = {"decision_id": decision.pk, "service_id": row.pk}
    serve = reverse("support:decision_serve", kwargs=on_row)
    correct = reverse("support:decision_correct_receipt", kwargs=on_row)
    # Posting the old service form again cannot move the day.
    prefix = f"s{row.pk.hex[:8]}"
    refused = principal.post(
        serve,
        {
            f"{prefix}-method": "letter",
            f"{prefix}-received_on": today().isoformat(),
        },
    )
    assert refused.status_code == 200
    assert "44 § förvaltningslagen" in _page_text(refused)
    row.refresh_from_db()
    assert row.received_on == old
    # Without a reason the correction form keeps what was typed and says what is missing.
    prefix = f"c{row.pk.hex[:8]}"
    typed = (old + timedelta(days=1)).isoformat()
    invalid = principal.post(correct, {f"{prefix}-received_on": typed})
    assert invalid.status_code == 200
    assert "Ange skälet till rättelsen." in _page_text(invalid)
    assert typed in _page_text(invalid)
    done = principal.post(
        correct,
        {
            f"{prefix}-received_on": typed,
            f"{prefix}-reason": "Mottagningsbeviset visar en annan dag.",
        },
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.received_on.isoformat() == typed
    assert "Mottagningsbeviset visar en annan dag." in _page_text(principal.get(url))


@pytest.mark.django_db
def test_appeal_pages_require_a_recipient_and_record_the_fl_45_facts(world: World) -> None:
    decision = b.no_programme_decision(world)
    row = b.serve(world, b.guardian_row(decision), today() - timedelta(days=30))
    principal = world.client_for("principal_a")
    register = reverse("support:appeal_register", kwargs={"decision_id": decision.pk})
    missing = principal.post(
        register, {"lodged_on": today().isoformat(), "content": "Vi överklagar."}
    )
    assert missing.status_code == 200
    assert "Välj vem som överklagar bland beslutets mottagare." in _page_text(missing)
    assert not Appeal.objects.exists()
    response = principal.post(
        register,
        {
            "service": row.pk,
            "lodged_on": today().isoformat(),
            "content": "Vi överklagar.",
            "wrong_appeal_instructions": "on",
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert appeal.wrong_appeal_instructions is True
    assert appeal.is_timely is False
    detail = reverse("support:appeal_detail", kwargs={"appeal_id": appeal.pk})
    page = _page_text(principal.get(detail))
    assert "men det får inte avvisas" in page
    assert 'name="reached_board_in_time"' in page
    handle = reverse("support:appeal_handle", kwargs={"appeal_id": appeal.pk})
    refused = principal.post(
        handle, {"action": "dismiss_as_late", "note": "", "wrong_appeal_instructions": "on"}
    )
    assert refused.status_code == 200
    assert "45 § andra stycket förvaltningslagen" in _page_text(refused)
    forwarded = principal.post(
        handle, {"action": "forward", "note": "", "wrong_appeal_instructions": "on"}
    )
    assert forwarded.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == wf.AppealState.FORWARDED
    set_aside = principal.post(
        handle, {"action": "record_board_set_aside", "note": "", "wrong_appeal_instructions": "on"}
    )
    assert set_aside.status_code == 302
    page = _page_text(principal.get(detail))
    assert "Ett nytt beslut ska fattas på vanligt sätt." in page
    assert (
        reverse(
            "support:investigation_detail", kwargs={"investigation_id": decision.investigation_id}
        )
        in page
    )
