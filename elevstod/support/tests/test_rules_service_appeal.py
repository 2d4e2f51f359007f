"""Service (delgivning) and appeals: the rules as tables (no database), then the services.

FL 43–47 §§ via SL 29 kap. 11 §; SL 28 kap. 16 §; process.md §2.4 (service is evidence).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elevstod.audit.models import AccessEvent
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import Appeal, ChainEvent, Decision, DecisionService, Referral
from elevstod.support.tests.test_services import _investigation
from tests.world import World

DAY = date(2025, 3, 3)  # a Monday
DEADLINE = date(2025, 3, 24)


# --------------------------------------------------------------------------- rules (no database)


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
def test_recording_service(recorded, received, sent, rule) -> None:
    outcome = wf.may_record_service(
        recorded_received_on=recorded, received_on=received, sent_on=sent, today=DAY
    )
    assert getattr(outcome, "rule", None) == rule
    if rule is not None:
        assert "förvaltningslagen" in outcome.paragraph  # type: ignore[union-attr]


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
def test_correcting_service(recorded, received, reason, appeals, rule) -> None:
    outcome = wf.may_correct_service(
        recorded_received_on=recorded,
        received_on=received,
        sent_on=None,
        reason=reason,
        appeals_counted_from_it=appeals,
        today=DAY,
    )
    assert getattr(outcome, "rule", None) == rule
    if rule is not None:
        assert outcome.paragraph  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("lodged", "served_row", "rule"),
    [
        (DAY, True, None),
        (DAY, False, "appeal.service_required"),
        (DAY + timedelta(days=1), True, "appeal.lodged_in_future"),
        (DAY - timedelta(days=10), True, "appeal.before_decision"),
    ],
)
def test_registering_an_appeal(lodged, served_row, rule) -> None:
    outcome = wf.may_register_appeal(
        lodged_on=lodged,
        decided_on=DAY - timedelta(days=5),
        today=DAY,
        appellant_served_row=served_row,
    )
    assert getattr(outcome, "rule", None) == rule
    if rule is not None:
        assert "förvaltningslagen" in outcome.paragraph  # type: ignore[union-attr]


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
def test_late_appeals(lodged, deadline, not_served, board, wrong, forward_rule, dismiss_rule):
    facts = {
        "not_served": not_served,
        "reached_board_in_time": board,
        "wrong_appeal_instructions": wrong,
    }
    forward = wf.may_forward_appeal(lodged, deadline, **facts)
    dismiss = wf.may_dismiss_appeal_as_late(lodged, deadline, **facts)
    assert getattr(forward, "rule", None) == forward_rule
    assert getattr(dismiss, "rule", None) == dismiss_rule
    if dismiss_rule == "appeal.late_excused":
        assert dismiss.paragraph.startswith("45 § andra stycket")  # type: ignore[union-attr]
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
def test_case_step_after_an_appeal(action, kind, state, expected) -> None:
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


def _today() -> date:
    return timezone.localdate()


def _no_programme_decision(world: World) -> Decision:
    investigation = _investigation(world, needed=False)
    decision = services.decide_no_programme(
        actor=world.users["principal_a"],
        investigation=investigation,
        statement_of_reasons="Utredningen visar inget behov av särskilt stöd.",
        instead="Fortsatta extra anpassningar.",
        today=_today(),
    )
    # Decided some weeks ago, so that receipt days in the past are possible.
    Decision.objects.filter(pk=decision.pk).update(decided_on=_today() - timedelta(days=40))
    decision.refresh_from_db()
    return decision


def _guardian_row(decision: Decision) -> DecisionService:
    return decision.services.get(recipient_kind="guardian")


def _serve(world: World, row: DecisionService, received: date) -> DecisionService:
    return services.service_record(
        actor=world.users["principal_a"],
        service=row,
        method="letter",
        sent_on=received,
        received_on=received,
        today=_today(),
    )


@pytest.mark.django_db
def test_a_recorded_receipt_day_cannot_be_moved_or_cleared(world: World) -> None:
    decision = _no_programme_decision(world)
    row = _serve(world, _guardian_row(decision), _today() - timedelta(days=30))
    first_deadline = row.appeal_deadline
    for new_day in (_today() - timedelta(days=2), None):
        with pytest.raises(wf.RefusalError) as refused:
            services.service_record(
                actor=world.users["principal_a"],
                service=row,
                method="letter",
                sent_on=None,
                received_on=new_day,
                today=_today(),
            )
        assert refused.value.refusal.rule == "service.receipt_recorded"
        assert "44 § förvaltningslagen" in refused.value.refusal.text()
    row.refresh_from_db()
    assert row.received_on == _today() - timedelta(days=30)
    assert row.appeal_deadline == first_deadline
    # Confirming in the app afterwards changes nothing either.
    services.service_confirm_receipt(actor=world.users["guardian_x"], service=row, today=_today())
    row.refresh_from_db()
    assert row.received_on == _today() - timedelta(days=30)


@pytest.mark.django_db
def test_a_correction_is_a_logged_act_that_keeps_the_old_day(world: World) -> None:
    decision = _no_programme_decision(world)
    old = _today() - timedelta(days=30)
    row = _serve(world, _guardian_row(decision), old)
    with pytest.raises(wf.RefusalError) as refused:
        services.service_correct(
            actor=world.users["principal_a"],
            service=row,
            received_on=old + timedelta(days=1),
            reason="",
            today=_today(),
        )
    assert refused.value.refusal.rule == "service.correction_reason"
    events = ChainEvent.objects.filter(record_id=decision.pk).count()
    logs = AccessEvent.objects.filter(record_id=decision.pk).count()
    services.service_correct(
        actor=world.users["principal_a"],
        service=row,
        received_on=old + timedelta(days=1),
        reason="Brevet kom fram en dag senare enligt mottagningsbeviset.",
        today=_today(),
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
    decision = _no_programme_decision(world)
    row = _serve(world, _guardian_row(decision), _today() - timedelta(days=30))
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=row,
        appellant_name="",
        lodged_on=_today(),
        content="Vi överklagar.",
        today=_today(),
    )
    assert appeal.is_timely is False
    assert appeal.appellant_name == row.recipient_name
    with pytest.raises(wf.RefusalError) as refused:
        services.service_correct(
            actor=world.users["principal_a"],
            service=row,
            received_on=_today() - timedelta(days=5),
            reason="Fel dag.",
            today=_today(),
        )
    assert refused.value.refusal.rule == "service.correction_after_appeal"
    assert Appeal.objects.get(pk=appeal.pk).is_timely is False


@pytest.mark.django_db
def test_an_appeal_requires_the_appellants_service_row(world: World) -> None:
    decision = _no_programme_decision(world)
    with pytest.raises(wf.RefusalError) as refused:
        services.appeal_register(
            actor=world.users["principal_a"],
            decision=decision,
            service=None,
            appellant_name="Någon",
            lodged_on=_today(),
            content="Vi överklagar.",
            today=_today(),
        )
    assert refused.value.refusal.rule == "appeal.service_required"
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_an_appellant_not_yet_served_is_in_time_and_recorded_so(world: World) -> None:
    decision = _no_programme_decision(world)
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=_guardian_row(decision),
        appellant_name="Vårdnadshavare",
        lodged_on=_today(),
        content="Vi överklagar.",
        today=_today(),
    )
    assert appeal.not_served is True
    assert appeal.deadline is None
    assert appeal.is_timely is True
    with pytest.raises(wf.RefusalError) as refused:
        services.appeal_handle(
            actor=world.users["principal_a"],
            appeal=appeal,
            action=wf.AppealAction.DISMISS_AS_LATE,
            note="",
            today=_today(),
        )
    assert refused.value.refusal.rule == "appeal.timely"


@pytest.mark.django_db
@pytest.mark.parametrize("fact", ["reached_board_in_time", "wrong_appeal_instructions"])
def test_a_late_appeal_with_an_fl_45_excuse_is_forwarded_not_dismissed(
    world: World, fact: str
) -> None:
    decision = _no_programme_decision(world)
    row = _serve(world, _guardian_row(decision), _today() - timedelta(days=30))
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=row,
        appellant_name="Vårdnadshavare",
        lodged_on=_today(),
        content="Vi överklagar.",
        today=_today(),
    )
    assert appeal.is_timely is False
    with pytest.raises(wf.RefusalError):
        services.appeal_handle(
            actor=world.users["principal_a"],
            appeal=appeal,
            action=wf.AppealAction.FORWARD,
            note="",
            today=_today(),
        )
    with pytest.raises(wf.RefusalError) as refused:
        services.appeal_handle(
            actor=world.users["principal_a"],
            appeal=appeal,
            action=wf.AppealAction.DISMISS_AS_LATE,
            note="",
            today=_today(),
            **{fact: True},
        )
    assert refused.value.refusal.rule == "appeal.late_excused"
    # The refused step wrote nothing, not even the fact.
    assert getattr(Appeal.objects.get(pk=appeal.pk), fact) is False
    appeal = services.appeal_handle(
        actor=world.users["principal_a"],
        appeal=appeal,
        action=wf.AppealAction.FORWARD,
        note="Kom in till nämnden i tid.",
        today=_today(),
        **{fact: True},
    )
    assert appeal.state == wf.AppealState.FORWARDED
    assert getattr(appeal, fact) is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ruling", [wf.AppealAction.RECORD_BOARD_SET_ASIDE, wf.AppealAction.RECORD_BOARD_RETURNED]
)
def test_board_setting_aside_a_no_programme_decision_reopens_the_case(
    world: World, ruling: wf.AppealAction
) -> None:
    decision = _no_programme_decision(world)
    row = _guardian_row(decision)
    services.service_confirm_receipt(actor=world.users["guardian_x"], service=row, today=_today())
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=row,
        appellant_name="Vårdnadshavare",
        lodged_on=_today(),
        content="Vi överklagar.",
        today=_today(),
    )
    for action in (wf.AppealAction.FORWARD, ruling):
        appeal = services.appeal_handle(
            actor=world.users["principal_a"], appeal=appeal, action=action, note="", today=_today()
        )
    referral = Referral.objects.get(pk=decision.referral_id)
    assert referral.state == wf.CaseState.INVESTIGATING
    investigation = decision.investigation
    assert investigation is not None
    investigation.refresh_from_db()
    assert investigation.closed_on is None
    assert investigation.assessed_on is None
    assert ChainEvent.objects.filter(verb="case.reopened_after_appeal").count() == 1
    # The new decision goes through the normal flow, and the appeal links it.
    services.investigation_save(
        actor=world.users["special_educator_a"],
        investigation=investigation,
        expected_version=investigation.version,
        values={"special_support_needed": False},
        needs=[],
        today=_today(),
    )
    investigation.refresh_from_db()
    new = services.decide_no_programme(
        actor=world.users["principal_a"],
        investigation=investigation,
        statement_of_reasons="Ny bedömning efter nämndens beslut: inget behov.",
        instead="Extra anpassningar.",
        today=_today(),
    )
    assert Appeal.objects.get(pk=appeal.pk).new_decision_id == new.pk


@pytest.mark.django_db
def test_an_upheld_ruling_leaves_the_case_alone(world: World) -> None:
    decision = _no_programme_decision(world)
    row = _guardian_row(decision)
    services.service_confirm_receipt(actor=world.users["guardian_x"], service=row, today=_today())
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=row,
        appellant_name="",
        lodged_on=_today(),
        content="Vi överklagar.",
        today=_today(),
    )
    for action in (wf.AppealAction.FORWARD, wf.AppealAction.RECORD_BOARD_UPHELD):
        appeal = services.appeal_handle(
            actor=world.users["principal_a"], appeal=appeal, action=action, note="", today=_today()
        )
    assert Referral.objects.get(pk=decision.referral_id).state == wf.CaseState.NO_PROGRAMME
    assert appeal.new_decision_id is None


# --------------------------------------------------------------------------- pages


def _page_text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.mark.django_db
def test_decision_page_offers_a_correction_not_a_new_service_once_received(world: World) -> None:
    decision = _no_programme_decision(world)
    old = _today() - timedelta(days=30)
    row = _serve(world, _guardian_row(decision), old)
    principal = world.client_for("principal_a")
    url = reverse("support:decision_detail", kwargs={"decision_id": decision.pk})
    page = _page_text(principal.get(url))
    assert "Rätta mottagningsdagen" in page
    assert f'name="c{row.pk.hex[:8]}-reason"' in page
    assert f'name="s{row.pk.hex[:8]}-received_on"' not in page
    # Posting the old service form again cannot move the day.
    prefix = f"s{row.pk.hex[:8]}"
    refused = principal.post(
        url,
        {
            "action": "serve",
            "service": row.pk,
            f"{prefix}-method": "letter",
            f"{prefix}-received_on": _today().isoformat(),
        },
    )
    assert refused.status_code == 200
    assert "44 § förvaltningslagen" in _page_text(refused)
    row.refresh_from_db()
    assert row.received_on == old
    # Without a reason the correction form keeps what was typed and says what is missing.
    prefix = f"c{row.pk.hex[:8]}"
    typed = (old + timedelta(days=1)).isoformat()
    invalid = principal.post(
        url, {"action": "correct", "service": row.pk, f"{prefix}-received_on": typed}
    )
    assert invalid.status_code == 200
    assert "Ange skälet till rättelsen." in _page_text(invalid)
    assert typed in _page_text(invalid)
    done = principal.post(
        url,
        {
            "action": "correct",
            "service": row.pk,
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
    decision = _no_programme_decision(world)
    row = _serve(world, _guardian_row(decision), _today() - timedelta(days=30))
    principal = world.client_for("principal_a")
    register = reverse("support:appeal_register", kwargs={"decision_id": decision.pk})
    missing = principal.post(
        register, {"lodged_on": _today().isoformat(), "content": "Vi överklagar."}
    )
    assert missing.status_code == 200
    assert "Välj vem som överklagar bland beslutets mottagare." in _page_text(missing)
    assert not Appeal.objects.exists()
    response = principal.post(
        register,
        {
            "service": row.pk,
            "lodged_on": _today().isoformat(),
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
    refused = principal.post(
        detail, {"action": "dismiss_as_late", "note": "", "wrong_appeal_instructions": "on"}
    )
    assert refused.status_code == 200
    assert "45 § andra stycket förvaltningslagen" in _page_text(refused)
    forwarded = principal.post(
        detail, {"action": "forward", "note": "", "wrong_appeal_instructions": "on"}
    )
    assert forwarded.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == wf.AppealState.FORWARDED
    set_aside = principal.post(
        detail, {"action": "record_board_set_aside", "note": "", "wrong_appeal_instructions": "on"}
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
