"""Every support record the demo generator writes obeys the workflow, as if the services wrote it.

The generator makes the chain in bulk, without calling the services (elevstod.demo.support_chain:
the big tiers have tens of thousands of records). This module is the check the issue asks for in
exchange: it generates the small municipality once and holds EVERY generated record to the rules
of elevstod.support.workflow (`wf`), and where a rule lives only in the services, to its
observable result, using the services' own public functions where they exist
(`authority_of`, `programme_facts`, `assessment_facts`, `deadlines_for`).
"""

import dataclasses
import itertools
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import timezone, translation
from pytest_django import DjangoDbBlocker

from elevstod.accounts.models import User
from elevstod.organisation.models import UnitDuty
from elevstod.people.models import Guardianship, Pupil
from elevstod.support import models as support
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.labels import APPEAL_INSTRUCTIONS
from elevstod.support.services import communication as communicating
from elevstod.support.services.appeals import appellant_clock
from elevstod.support.services.decisions import recipient_acts_alone
from elevstod.support.workflow.communication import may_decide_adversely
from tests.scoped_data import demo_municipality_for_scope

TODAY = date(2026, 11, 16)  # as in the other demo tests: a pinned day
CASE_ACTION_OF_DECISION = {
    wf.DecisionKind.NO_ACTION_PROGRAMME: wf.CaseAction.DECIDE_NO_PROGRAMME,
    wf.DecisionKind.ACTION_PROGRAMME_CLOSURE: wf.CaseAction.DECIDE_CLOSURE,
}
DECIDED_STATES = (
    wf.ProgrammeState.IN_FORCE,
    wf.ProgrammeState.SUPERSEDED,
    wf.ProgrammeState.CLOSED,
)


def facts_as_decided(programme: support.ActionProgramme, reasons: str) -> wf.ProgrammeFacts:
    """The programme's facts with its follow-up and evaluation days as decided: a follow-up or
    evaluation held since moves the programme's next day (services.follow_up_record), and the
    first one held of each kind keeps the day that was planned at the decision."""
    facts = services.programme_facts(programme, reasons)
    first = {
        kind: support.FollowUp.objects.filter(programme=programme, kind=kind)
        .order_by("held_on")
        .values_list("planned_on", flat=True)
        .first()
        for kind in (wf.FollowUpKind.FOLLOW_UP, wf.FollowUpKind.EVALUATION)
    }
    return dataclasses.replace(
        facts,
        follow_up_on=first[wf.FollowUpKind.FOLLOW_UP] or facts.follow_up_on,
        evaluation_on=first[wf.FollowUpKind.EVALUATION] or facts.evaluation_on,
    )


@pytest.fixture(scope="module")
def _generated(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[str, object]]:
    """Generated once for the module (tests/scoped_data.py); a test's own writes are undone."""
    with demo_municipality_for_scope(django_db_blocker, today=TODAY) as generated:
        yield generated


@pytest.fixture
def chain(_generated: dict[str, object], db: None) -> "Chain":
    return Chain()


@dataclasses.dataclass(frozen=True)
class Step:
    """One line of a record's timeline."""

    on_date: date
    verb: str
    actor_id: uuid.UUID
    order: int  # the event's id: ids follow time


class Chain:
    """The generated chain, loaded once per test: records and each record's timeline."""

    def __init__(self) -> None:
        self.timeline: dict[uuid.UUID, list[Step]] = defaultdict(list)
        for event in support.ChainEvent.objects.order_by("id"):
            step = Step(event.on_date, event.verb, event.actor_id, event.id)
            self.timeline[event.record_id].append(step)
        self.referrals = {r.pk: r for r in support.Referral.objects.all()}
        self.investigations = {i.pk: i for i in support.Investigation.objects.all()}
        self.programmes = {p.pk: p for p in support.ActionProgramme.objects.all()}
        self.decisions = list(support.Decision.objects.order_by("decided_on", "created_at"))
        self.successor = {p.previous_id: p for p in self.programmes.values() if p.previous_id}
        self.decision_of = {
            d.programme_id: d
            for d in self.decisions
            if d.kind == wf.DecisionKind.ACTION_PROGRAMME and d.programme_id
        }

    def steps(self, record_id: uuid.UUID, verb: str) -> list[Step]:
        return [step for step in self.timeline[record_id] if step.verb == verb]

    def one_step(self, record_id: uuid.UUID, verb: str) -> Step:
        found = self.steps(record_id, verb)
        assert len(found) == 1, (record_id, verb, found)
        return found[0]

    def case_actions(self, referral: support.Referral) -> list[tuple[int, wf.CaseAction]]:
        """The case's steps as the services take them, in the order their events show."""
        actions = [
            (s.order, wf.CaseAction.RECEIVE) for s in self.steps(referral.pk, "referral.received")
        ]
        actions += [
            (s.order, wf.CaseAction.REOPEN_AFTER_APPEAL)
            for s in self.steps(referral.pk, "case.reopened_after_appeal")
        ]
        for investigation in self.investigations.values():
            if investigation.referral_id == referral.pk:
                opened = self.one_step(investigation.pk, "investigation.opened")
                actions.append((opened.order, wf.CaseAction.OPEN_INVESTIGATION))
        for decision in self.decisions:
            if decision.referral_id == referral.pk:
                made = self.one_step(decision.pk, "decision.made")
                actions.append((made.order, self.case_action(decision)))
        return sorted(actions)

    def case_action(self, decision: support.Decision) -> wf.CaseAction:
        kind = wf.DecisionKind(decision.kind)
        if kind is not wf.DecisionKind.ACTION_PROGRAMME:
            return CASE_ACTION_OF_DECISION[kind]
        programme = self.programmes[decision.programme_id]
        revision = programme.previous_id is not None
        return wf.CaseAction.DECIDE_REVISION if revision else wf.CaseAction.DECIDE_PROGRAMME

    def in_force_until(self, programme: support.ActionProgramme) -> date:
        """The last day a decided programme was in force."""
        if programme.state == wf.ProgrammeState.SUPERSEDED:
            successor = self.successor[programme.pk]
            return successor.in_force_from or TODAY
        return programme.valid_until or TODAY


def on_duty(user_id: uuid.UUID, unit_id: uuid.UUID, day: date) -> bool:
    return (
        UnitDuty.objects.filter(user_id=user_id, school_unit_id=unit_id, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .exists()
    )


# --- the case ---------------------------------------------------------------------------------


def test_every_case_state_is_reached_by_the_workflows_transitions(chain: Chain) -> None:
    for referral in chain.referrals.values():
        state = wf.CaseState.REPORTED
        for _order, action in chain.case_actions(referral):
            target = wf.case_transition(state, action)
            assert not isinstance(target, wf.Refused), (referral.pk, state, action)
            state = target
        assert referral.state == state, referral.pk
        assert referral.version == 1  # a report is never edited, only moved on


def test_reports_and_investigations_meet_their_guards(chain: Chain) -> None:
    for referral in support.Referral.objects.prefetch_related("adaptations"):
        tried = list(referral.adaptations.all())
        assert wf.may_refer(wf.ReferralGround(referral.ground), len(tried)).ok, referral.pk
        assert all(a.pupil_id == referral.pupil_id for a in tried)
        assert all(a.starts_on <= referral.reported_on for a in tried)
        if referral.received_at is not None:
            received = timezone.localtime(referral.received_at).date()
            assert referral.reported_on <= received <= TODAY
            assert on_duty(referral.received_by_id, referral.school_unit_id, received)
    for investigation in support.Investigation.objects.prefetch_related("investigators"):
        referral = chain.referrals[investigation.referral_id]
        investigators = list(investigation.investigators.all())
        assert wf.may_open_investigation(len(investigators)).ok
        # The target may not lie in the past when it is set (on opening, or on reopening).
        set_on = max(
            [investigation.opened_on]
            + [s.on_date for s in chain.steps(referral.pk, "case.reopened_after_appeal")]
        )
        assert wf.may_set_investigation_target(investigation.target_on, set_on).ok
        if investigation.assessed_on is not None:
            facts = dataclasses.replace(
                services.assessment_facts(investigation), already_assessed=False
            )
            assert wf.may_conclude_assessment(facts).ok, investigation.pk
            assert investigation.opened_on <= investigation.assessed_on <= TODAY


def test_open_cases_run_on_the_clock_the_rules_set(chain: Chain) -> None:
    """Each open case waits for its next step by the day `wf.case_due` computes from the
    case's own dates, and those dates run forward."""
    for referral in chain.referrals.values():
        state = wf.CaseState(referral.state)
        investigation = next(
            (i for i in chain.investigations.values() if i.referral_id == referral.pk), None
        )
        received = timezone.localtime(referral.received_at).date() if referral.received_at else None
        clock = wf.CaseClock(
            state=state,
            reported_on=referral.reported_on,
            received_on=received,
            investigation_opened_on=investigation.opened_on if investigation else None,
            assessed_on=investigation.assessed_on if investigation else None,
            investigation_target_on=investigation.target_on if investigation else None,
        )
        dates = [
            d
            for d in (referral.reported_on, received, clock.investigation_opened_on)
            if d is not None
        ]
        assert dates == sorted(dates), referral.pk
        due = wf.case_due(clock, services.deadlines_for(referral.school_unit.provider_id))
        if state in (wf.CaseState.REPORTED, wf.CaseState.RECEIVED, wf.CaseState.INVESTIGATING):
            assert due is not None
            assert due.due_on >= dates[-1]
        else:
            assert due is None


# --- decisions --------------------------------------------------------------------------------


def test_every_decision_is_made_by_someone_the_rules_allow(chain: Chain) -> None:
    with translation.override("sv"):
        instructions = str(APPEAL_INSTRUCTIONS)
    users = {u.pk: u for u in User.objects.all()}
    for decision in chain.decisions:
        kind = wf.DecisionKind(decision.kind)
        decider = users[decision.decided_by_id]
        authority = services.authority_of(
            actor=decider,
            school_unit_id=decision.school_unit_id,
            kind=kind,
            day=decision.decided_on,
        )
        settings = [
            wf.MeasureSetting(m.setting)
            for m in support.ProgrammeMeasure.objects.filter(programme_id=decision.programme_id)
        ]
        assert wf.may_decide(authority.facts, kind, settings).ok, decision.pk
        expected_delegation = authority.delegation.pk if authority.delegation else None
        assert decision.delegation_id == expected_delegation
        assert decision.decided_by_title == authority.title
        assert decision.decided_by_name == decider.get_full_name()
        assert decision.created_by_id == decision.decided_by_id
        assert decision.appeal_instructions == instructions
        assert decision.statement_of_reasons.strip()  # FL 32 §
        made = chain.one_step(decision.pk, "decision.made")
        assert (made.actor_id, made.on_date) == (decision.decided_by_id, decision.decided_on)
        assert_decision_fits_its_case(chain, decision)


def assert_communicated_before(decision: support.Decision) -> None:
    """An adverse decision (not to draw up a programme, to close one) came after the family had
    the material and answered or their time ran out (FL 25 §; decision 0014)."""
    kind = wf.DecisionKind(decision.kind)
    if kind is wf.DecisionKind.ACTION_PROGRAMME:
        return
    latest = communicating.latest_communication(
        investigation=decision.investigation if decision.programme_id is None else None,
        programme=decision.programme,
    )
    assert latest is not None, decision.pk
    facts = communicating.communication_facts(latest)
    assert may_decide_adversely(facts, decision.decided_on).ok, decision.pk


def assert_decision_fits_its_case(chain: Chain, decision: support.Decision) -> None:
    kind = wf.DecisionKind(decision.kind)
    assert_communicated_before(decision)
    if kind is wf.DecisionKind.NO_ACTION_PROGRAMME:
        investigation = chain.investigations[decision.investigation_id]
        drafted = any(p.referral_id == decision.referral_id for p in chain.programmes.values())
        outcome = wf.may_decide_no_programme(
            investigation.special_support_needed,
            decision.statement_of_reasons,
            programme_drafted=drafted,
        )
        assert outcome.ok, decision.pk
    elif kind is wf.DecisionKind.ACTION_PROGRAMME:
        programme = chain.programmes[decision.programme_id]
        facts = facts_as_decided(programme, decision.statement_of_reasons)
        assert wf.may_decide_programme(facts, decision.decided_on).ok, decision.pk
        if programme.previous_id is None:
            investigation = chain.investigations[programme.investigation_id]
            assert decision.investigation_id == investigation.pk
            needed = investigation.special_support_needed
            assert wf.may_decide_programme_after_assessment(needed).ok
    else:
        programme = chain.programmes[decision.programme_id]
        evaluations = support.FollowUp.objects.filter(
            programme=programme,
            kind=wf.FollowUpKind.EVALUATION,
            held_on__lte=decision.decided_on,
        ).count()
        assert wf.may_decide_closure(evaluations, decision.statement_of_reasons).ok
        assert programme.state == wf.ProgrammeState.CLOSED
        assert programme.valid_until == decision.decided_on


# --- programmes ------------------------------------------------------------------------------


def test_programmes_come_into_force_only_by_a_decision(chain: Chain) -> None:
    for programme in chain.programmes.values():
        state = wf.ProgrammeState(programme.state)
        decision = chain.decision_of.get(programme.pk)
        if state in DECIDED_STATES:
            assert decision is not None, programme.pk
            assert programme.in_force_from == decision.decided_on
            drafted = chain.timeline[programme.pk][0]
            assert drafted.on_date <= decision.decided_on
            measures = support.ProgrammeMeasure.objects.filter(programme=programme)
            assert all(m.starts_on == programme.in_force_from for m in measures)
        else:
            assert decision is None, programme.pk
            assert programme.in_force_from is None
        if state is wf.ProgrammeState.SUPERSEDED:
            successor = chain.successor[programme.pk]
            assert successor.state in (wf.ProgrammeState.IN_FORCE, wf.ProgrammeState.SUPERSEDED)
        if state is wf.ProgrammeState.LAPSED:
            # A revision still in draft lapses with the programme it would have replaced.
            previous = chain.programmes[programme.previous_id]
            assert previous.state == wf.ProgrammeState.CLOSED
            lapsed = chain.one_step(programme.pk, "programme.draft_lapsed")
            assert lapsed.on_date == previous.valid_until
        if programme.previous_id is not None:
            previous = chain.programmes[programme.previous_id]
            assert programme.number == previous.number + 1
            started = chain.one_step(programme.pk, "programme.revision_started")
            assert previous.in_force_from is not None
            assert previous.in_force_from <= started.on_date <= chain.in_force_until(previous)
        else:
            assert chain.one_step(programme.pk, "programme.drafted")


def test_follow_ups_only_on_programmes_in_force(chain: Chain) -> None:
    reviews = Counter(support.MeasureReview.objects.values_list("follow_up_id", flat=True))
    measures = Counter(support.ProgrammeMeasure.objects.values_list("programme_id", flat=True))
    by_programme: dict[uuid.UUID, list[support.FollowUp]] = defaultdict(list)
    for follow_up in support.FollowUp.objects.order_by("held_on", "created_at"):
        programme = chain.programmes[follow_up.programme_id]
        assert programme.state in DECIDED_STATES, follow_up.pk
        assert programme.in_force_from is not None
        assert programme.in_force_from <= follow_up.held_on <= chain.in_force_until(programme)
        outcome = wf.FollowUpOutcome(follow_up.outcome)
        every_measure = reviews[follow_up.pk] == measures[programme.pk]
        continues = outcome is wf.FollowUpOutcome.CONTINUE
        allowed = wf.may_record_follow_up(
            every_measure, continues, follow_up.next_on, follow_up.held_on
        )
        assert allowed.ok, follow_up.pk
        if outcome is wf.FollowUpOutcome.REVISE:  # services start the revision at once
            assert programme.pk in chain.successor
        by_programme[programme.pk].append(follow_up)
    for programme_id, follow_ups in by_programme.items():
        assert_dates_follow_the_follow_ups(chain.programmes[programme_id], follow_ups)


def assert_dates_follow_the_follow_ups(
    programme: support.ActionProgramme, follow_ups: list[support.FollowUp]
) -> None:
    """Each session is planned for the day the one before set; a programme in force shows the
    day its latest session set, or kept when it did not continue (services.follow_up_record)."""
    for kind, field in (
        (wf.FollowUpKind.FOLLOW_UP, "follow_up_on"),
        (wf.FollowUpKind.EVALUATION, "evaluation_on"),
    ):
        sessions = [f for f in follow_ups if f.kind == kind]
        for before, after in itertools.pairwise(sessions):
            assert after.planned_on == before.next_on, (programme.pk, after.pk)
        if sessions and programme.state == wf.ProgrammeState.IN_FORCE:
            latest = sessions[-1]
            continued = latest.outcome == wf.FollowUpOutcome.CONTINUE
            expected = latest.next_on if continued else latest.planned_on
            assert getattr(programme, field) == expected, (programme.pk, kind)


# --- service and appeals ----------------------------------------------------------------------


def test_every_decision_is_served_as_the_rules_say(chain: Chain) -> None:
    custody: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for guardian_id, pupil_id in Guardianship.objects.filter(has_custody=True).values_list(
        "guardian_id", "pupil_id"
    ):
        custody[pupil_id].add(guardian_id)
    pupil_names = {p.pk: p.full_name for p in Pupil.objects.all()}
    decisions = {d.pk: d for d in chain.decisions}
    served: Counter[tuple[uuid.UUID, date, uuid.UUID]] = Counter()
    for service in support.DecisionService.objects.select_related("guardian"):
        decision = decisions[service.decision_id]
        if service.guardian_id is None:
            assert service.recipient_name == pupil_names[decision.pupil_id]
        else:
            assert service.guardian_id in custody[decision.pupil_id]
            assert service.recipient_name == service.guardian.full_name
        recorded = service.received_on or service.sent_on
        assert (service.sent_on is None) == (recorded is None) == (service.recorded_by_id is None)
        assert (service.method == "") == (service.sent_on is None)
        if recorded is None:
            assert service.appeal_deadline is None
            continue
        assert decision.decided_on <= service.sent_on
        assert wf.may_record_service(
            recorded_received_on=None,
            received_on=service.received_on,
            sent_on=service.sent_on,
            today=recorded,
            decided_on=decision.decided_on,
        ).ok
        assert recorded <= TODAY
        # A pupil's receipt starts a time only if the pupil acts alone (SL 29 kap. 12 §).
        starts = service.received_on is not None and recipient_acts_alone(
            decision, service, service.received_on
        )
        deadline = (
            wf.appeal_deadline(service.received_on, days_off_around(service.received_on))
            if starts and service.received_on
            else None
        )
        assert service.appeal_deadline == deadline
        assert not service.corrections
        served[(decision.pk, recorded, service.recorded_by_id)] += 1
    for decision_id, day, actor in served:
        steps = chain.steps(decision_id, "decision.served")
        assert any((s.on_date, s.actor_id) == (day, actor) for s in steps), decision_id


def test_appeals_are_in_time_or_dismissed_as_late_by_the_rules(chain: Chain) -> None:
    decisions = {d.pk: d for d in chain.decisions}
    for appeal in support.Appeal.objects.select_related("service"):
        decision = decisions[appeal.decision_id]
        service = appeal.service
        assert service is not None
        assert wf.may_register_appeal(
            lodged_on=appeal.lodged_on,
            decided_on=decision.decided_on,
            today=appeal.lodged_on,
            appellant_served_row=service.decision_id == decision.pk,
        ).ok
        assert appeal.appellant_name == service.recipient_name
        clock = appellant_clock(decision, service, appeal.lodged_on)
        assert (appeal.not_served, appeal.deadline) == (clock.not_served, clock.deadline)
        timely = wf.appeal_is_timely(
            appeal.lodged_on, appeal.deadline, not_served=appeal.not_served
        )
        assert appeal.is_timely == timely, appeal.pk
        registered = chain.one_step(appeal.pk, "appeal.registered")
        assert registered.on_date == appeal.lodged_on
        assert_appeal_handled_by_the_rules(chain, appeal, decision)


def assert_appeal_handled_by_the_rules(
    chain: Chain, appeal: support.Appeal, decision: support.Decision
) -> None:
    """Replays the appeal's steps: each allowed where it was taken, ending in its state."""
    state = wf.AppealState.REGISTERED
    facts = {
        "not_served": appeal.not_served,
        "reached_board_in_time": appeal.reached_board_in_time,
        "wrong_appeal_instructions": appeal.wrong_appeal_instructions,
    }
    days: dict[wf.AppealAction, date] = {}
    for step in chain.timeline[appeal.pk]:
        if step.verb == "appeal.registered":
            continue
        action = wf.AppealAction(step.verb.removeprefix("appeal."))
        if action is wf.AppealAction.FORWARD:
            assert wf.may_forward_appeal(appeal.lodged_on, appeal.deadline, **facts).ok
        if action is wf.AppealAction.DISMISS_AS_LATE:
            assert wf.may_dismiss_appeal_as_late(appeal.lodged_on, appeal.deadline, **facts).ok
        target = wf.appeal_transition(state, action)
        assert not isinstance(target, wf.Refused), (appeal.pk, state, action)
        state, days[action] = target, step.on_date
        assert step.on_date >= appeal.lodged_on
        referral = chain.referrals[decision.referral_id]
        reopens = wf.case_action_after_appeal_step(
            action, wf.DecisionKind(decision.kind), wf.CaseState.NO_PROGRAMME
        )
        if reopens is not None and decision.kind == wf.DecisionKind.NO_ACTION_PROGRAMME:
            reopened = chain.steps(referral.pk, "case.reopened_after_appeal")
            assert [(s.on_date, s.actor_id) for s in reopened] == [(step.on_date, step.actor_id)]
    assert appeal.state == state, appeal.pk
    assert appeal.forwarded_on == days.get(wf.AppealAction.FORWARD)
    outcome_days = [d for a, d in days.items() if a is not wf.AppealAction.FORWARD]
    assert appeal.outcome_on == (outcome_days[-1] if outcome_days else None)
    if state in wf.APPEAL_STATES_AWAITING_NEW_DECISION:
        # The next decision on the case is linked to the appeal (services._make_decision).
        later = [
            d
            for d in chain.decisions
            if d.referral_id == decision.referral_id
            and d.decided_on >= (appeal.outcome_on or TODAY)
            and d.pk != decision.pk
        ]
        assert appeal.new_decision_id == (later[0].pk if later else None), appeal.pk


# --- adaptations and concerns ---------------------------------------------------------------


def test_adaptations_are_evaluated_as_the_rules_say(chain: Chain) -> None:
    evaluations: dict[uuid.UUID, list[support.AdaptationEvaluation]] = defaultdict(list)
    for evaluation in support.AdaptationEvaluation.objects.order_by("evaluated_on", "created_at"):
        evaluations[evaluation.adaptation_id].append(evaluation)
    for adaptation in support.Adaptation.objects.all():
        state = wf.AdaptationState.ACTIVE
        planned = None
        for evaluation in evaluations[adaptation.pk]:
            assert wf.may_evaluate_adaptation(state).ok, adaptation.pk
            step = wf.AdaptationNextStep(evaluation.next_step)
            if step in (wf.AdaptationNextStep.CONTINUE, wf.AdaptationNextStep.CHANGE):
                assert evaluation.next_evaluation_on is not None
                assert evaluation.next_evaluation_on > evaluation.evaluated_on
            assert adaptation.starts_on <= evaluation.evaluated_on <= TODAY
            if not wf.adaptation_stays_active(step):
                state = wf.AdaptationState.ENDED
                assert adaptation.ended_on == evaluation.evaluated_on
            planned = evaluation.next_evaluation_on or planned
        assert adaptation.state == state, adaptation.pk
        if state is wf.AdaptationState.ACTIVE:
            assert adaptation.ended_on is None
            if planned is not None:  # the evaluation sets the next one (services)
                assert adaptation.evaluate_on == planned, adaptation.pk


def test_concerns_move_only_by_what_was_done_about_them(chain: Chain) -> None:
    for concern in support.Concern.objects.prefetch_related("adaptations", "referrals"):
        state = wf.ConcernState(concern.state)
        answers = [a.starts_on for a in concern.adaptations.all()]
        answers += [r.reported_on for r in concern.referrals.all()]
        assert all(day >= concern.raised_on for day in answers), concern.pk
        if state is wf.ConcernState.CLOSED:
            assert not answers
            assert chain.one_step(concern.pk, "concern.closed")


# --- attribution ------------------------------------------------------------------------------

CREATED = {
    support.Concern: ("concern.created", "raised_on"),
    support.Adaptation: ("adaptation.created", "starts_on"),
    support.Referral: ("referral.created", "reported_on"),
    support.Investigation: ("investigation.opened", "opened_on"),
    support.Appeal: ("appeal.registered", "lodged_on"),
}


@pytest.mark.parametrize("model", list(CREATED), ids=lambda m: m.__name__)
def test_every_record_is_made_by_its_author_on_its_day(chain: Chain, model: type) -> None:
    verb, field = CREATED[model]
    for record in model.objects.all():
        made = chain.one_step(record.pk, verb)
        assert (made.actor_id, made.on_date) == (record.created_by_id, getattr(record, field))


def test_every_change_is_in_the_timeline_and_the_versions(chain: Chain) -> None:
    """A version counts the saves the services make, and each save is in the timeline."""
    for adaptation in support.Adaptation.objects.all():
        changes = len(chain.steps(adaptation.pk, "adaptation.changed"))
        assert adaptation.version == 1 + changes, adaptation.pk
    no_programme = Counter(
        d.investigation_id for d in chain.decisions if d.kind == wf.DecisionKind.NO_ACTION_PROGRAMME
    )
    for investigation in chain.investigations.values():
        saves = len(chain.steps(investigation.pk, "investigation.saved"))
        assert investigation.version == 1 + saves + no_programme[investigation.pk], investigation.pk
        if investigation.assessed_on is not None:
            assessed = chain.steps(investigation.pk, "investigation.assessed")
            assert assessed[-1].on_date == investigation.assessed_on
    for programme in chain.programmes.values():
        saves = len(chain.steps(programme.pk, "programme.saved"))
        decided = programme.pk in chain.decision_of
        lapsed = programme.state == wf.ProgrammeState.LAPSED
        assert programme.version == 1 + saves + decided + lapsed, programme.pk
    for evaluation in support.AdaptationEvaluation.objects.all():
        steps = chain.steps(evaluation.adaptation_id, "adaptation.evaluated")
        assert (evaluation.evaluated_on, evaluation.evaluated_by_id) in {
            (s.on_date, s.actor_id) for s in steps
        }
    for follow_up in support.FollowUp.objects.all():
        recorded = chain.one_step(follow_up.pk, f"{follow_up.kind}.recorded")
        assert (recorded.on_date, recorded.actor_id) == (follow_up.held_on, follow_up.created_by_id)
    for view in support.ParticipantView.objects.all():
        target = view.programme_id or view.decision_id or view.follow_up_id
        assert target is not None
        assert view.author_id in {s.actor_id for s in chain.steps(target, "view.added")}


def test_every_actor_acts_at_the_pupils_unit_or_is_the_family(chain: Chain) -> None:
    family: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for pupil_id, user_id in Pupil.objects.exclude(user=None).values_list("pk", "user_id"):
        family[pupil_id].add(user_id)
    for pupil_id, user_id in Guardianship.objects.filter(
        has_custody=True, guardian__user__isnull=False
    ).values_list("pupil_id", "guardian__user_id"):
        family[pupil_id].add(user_id)
    duties: dict[tuple[uuid.UUID, uuid.UUID], date] = {}
    for user_id, unit_id, starts_on in UnitDuty.objects.values_list(
        "user_id", "school_unit_id", "starts_on"
    ):
        duties[(user_id, unit_id)] = min(starts_on, duties.get((user_id, unit_id), starts_on))
    for event in support.ChainEvent.objects.all():
        assert event.on_date <= TODAY
        if event.actor_id in family[event.pupil_id]:
            continue
        since = duties.get((event.actor_id, event.school_unit_id))
        assert since is not None, (event.verb, event.record_id)
        assert since <= event.on_date, (event.verb, event.record_id)
