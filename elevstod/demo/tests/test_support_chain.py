"""The generated support chain: every state, plausible proportions, the services' invariants,
work for the demo users, and the same data for the same seed (small tier only, to stay quick)."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.db.models import Count, Model, Q
from pytest_django import DjangoDbBlocker, Settings

from elevstod.access.context import load_user_context
from elevstod.accounts.models import User
from elevstod.demo.generator import build_plan
from elevstod.demo.plan import SupportChain
from elevstod.organisation.models import Delegation, UnitDuty
from elevstod.people.models import Guardianship, Pupil
from elevstod.support import models as support
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.due import due_for_user
from elevstod.support.services import programme_facts
from elevstod.support.services.decisions import recipient_acts_alone
from tests.scoped_data import demo_municipality_for_scope

# As in test_generator: a pinned day, so the tests pass on any real date.
TODAY = date(2026, 11, 16)
Generated = dict[str, Any]  # what generate() returns


def facts_as_decided(programme: support.ActionProgramme, reasons: str) -> wf.ProgrammeFacts:
    """The programme's facts with its follow-up and evaluation days as decided: a follow-up or
    evaluation held since moves the programme's next day (services.follow_up_record), and the
    first one held of each kind keeps the day that was planned at the decision."""
    facts = programme_facts(programme, reasons)
    first = {
        kind: support.FollowUp.objects.filter(programme=programme, kind=kind)
        .order_by("held_on")
        .values_list("planned_on", flat=True)
        .first()
        for kind in (wf.FollowUpKind.FOLLOW_UP, wf.FollowUpKind.EVALUATION)
    }
    return replace(
        facts,
        follow_up_on=first[wf.FollowUpKind.FOLLOW_UP] or facts.follow_up_on,
        evaluation_on=first[wf.FollowUpKind.EVALUATION] or facts.evaluation_on,
    )


@pytest.fixture(scope="module")
def _generated(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Generated]:
    """Generated once for the module (tests/scoped_data.py); a test's own writes are undone."""
    with demo_municipality_for_scope(django_db_blocker, today=TODAY) as generated:
        yield generated


@pytest.fixture
def municipality(_generated: Generated, db: None, settings: Settings) -> Generated:
    settings.ELEVSTOD_DEMO_MODE = True
    return _generated


def values(model: type[Model], field: str) -> set[str]:
    return set(model.objects.values_list(field, flat=True).distinct())


# --- every state ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_state_of_the_chain_is_present(municipality: Generated) -> None:
    assert values(support.Concern, "source") == {s.value for s in wf.ConcernSource}
    assert values(support.Concern, "state") == {s.value for s in wf.ConcernState}
    assert values(support.Concern, "raised_by_kind") == {"staff", "guardian", "pupil"}

    assert values(support.Adaptation, "state") == {s.value for s in wf.AdaptationState}
    assert values(support.AdaptationEvaluation, "effect") == {e.value for e in wf.AdaptationEffect}
    assert values(support.AdaptationEvaluation, "next_step") == {
        s.value for s in wf.AdaptationNextStep
    }

    assert values(support.Referral, "state") == {s.value for s in wf.CaseState}
    assert values(support.Referral, "ground") == {g.value for g in wf.ReferralGround}

    investigations = support.Investigation.objects.all()
    assert investigations.filter(closed_on__isnull=True, assessed_on__isnull=True).exists()
    assert investigations.filter(closed_on__isnull=True, assessed_on__isnull=False).exists()
    assert investigations.filter(assessed_on__isnull=False, special_support_needed=True).exists()
    assert investigations.filter(assessed_on__isnull=False, special_support_needed=False).exists()
    assert investigations.filter(eht_consulted=True).exists()
    assert investigations.exclude(eht_skip_reason="").exists()
    assert support.InvestigationNeed.objects.exists()

    assert values(support.Decision, "kind") == {k.value for k in wf.DecisionKind}
    assert support.Decision.objects.filter(delegation__isnull=False).exists()
    assert values(support.DecisionService, "recipient_kind") == {
        k.value for k in support.RecipientKind
    }
    services = support.DecisionService.objects.all()
    assert services.filter(received_on__isnull=False).exists()
    assert services.filter(sent_on__isnull=False, received_on__isnull=True).exists()
    assert services.filter(sent_on__isnull=True).exists()

    assert values(support.Appeal, "state") == {s.value for s in wf.AppealState}
    assert support.Appeal.objects.filter(is_timely=False).exists()

    assert values(support.ActionProgramme, "state") == {s.value for s in wf.ProgrammeState}
    assert support.ActionProgramme.objects.filter(
        number__gte=2, state=wf.ProgrammeState.IN_FORCE
    ).exists()
    assert support.ActionProgramme.objects.filter(
        number__gte=2, state=wf.ProgrammeState.DRAFT
    ).exists()
    assert support.ProgrammeNeed.objects.exists()
    assert values(support.ProgrammeMeasure, "setting") == {s.value for s in wf.MeasureSetting}

    assert values(support.FollowUp, "kind") == {k.value for k in wf.FollowUpKind}
    assert values(support.FollowUp, "outcome") == {o.value for o in wf.FollowUpOutcome}
    assert values(support.MeasureReview, "carried_out") == {c.value for c in wf.CarriedOut}
    assert values(support.MeasureReview, "effect") == {e.value for e in wf.MeasureEffect}

    assert values(support.ParticipantView, "author_kind") == {
        k.value for k in support.RecipientKind
    }
    assert support.ProviderDeadlines.objects.count() == 1

    # The timeline holds every verb the services write for these records.
    verbs = values(support.ChainEvent, "verb")
    assert {
        "concern.created",
        "concern.closed",
        "adaptation.created",
        "adaptation.evaluated",
        "referral.created",
        "referral.received",
        "investigation.opened",
        "investigation.saved",
        "investigation.assessed",
        "programme.drafted",
        "programme.revision_started",
        "decision.made",
        "decision.served",
        "appeal.registered",
        "appeal.forward",
        "appeal.dismiss_as_late",
        "appeal.reconsider_and_change",
        "appeal.record_board_upheld",
        "appeal.record_board_set_aside",
        "appeal.record_board_returned",
        "follow_up.recorded",
        "evaluation.recorded",
        "view.added",
    } <= verbs


@pytest.mark.django_db
def test_proportions_are_plausible(municipality: Generated) -> None:
    pupils = Pupil.objects.count()
    with_case = support.Referral.objects.values("pupil_id").distinct().count()
    assert with_case < 0.15 * pupils  # most pupils have no case
    # scale.md: active programmes ≈ 6.5 %, active extra adaptations ≈ 20 % of the pupils.
    in_force = support.ActionProgramme.objects.filter(state=wf.ProgrammeState.IN_FORCE).count()
    assert 0.05 * pupils <= in_force <= 0.08 * pupils
    active = support.Adaptation.objects.filter(state=wf.AdaptationState.ACTIVE).count()
    assert 0.17 * pupils <= active <= 0.26 * pupils
    # The support ladder narrows: more adaptations than reports than programmes.
    assert support.Adaptation.objects.count() > support.Referral.objects.count()
    assert (
        support.Referral.objects.count()
        > support.ActionProgramme.objects.values("referral").distinct().count()
    )
    # One programme in force per pupil at most; one open case per pupil at most.
    assert (
        not support.ActionProgramme.objects.filter(state=wf.ProgrammeState.IN_FORCE)
        .values("pupil")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert (
        not support.Referral.objects.filter(state__in=wf.OPEN_CASE_STATES)
        .values("pupil")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # Appeals are rare; investigations per year ≈ 5 % of the pupils (scale.md: 20 of 400).
    assert support.Appeal.objects.count() < 0.05 * pupils
    assert (
        10 <= support.Investigation.objects.filter(opened_on__gt=date(2025, 11, 16)).count() <= 60
    )


# --- invariants -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_records_follow_the_workflow(municipality: Generated) -> None:
    # Nothing lies after the day the data describes.
    for model, field in (
        (support.Concern, "raised_on"),
        (support.Adaptation, "starts_on"),
        (support.AdaptationEvaluation, "evaluated_on"),
        (support.Referral, "reported_on"),
        (support.Investigation, "opened_on"),
        (support.Decision, "decided_on"),
        (support.DecisionService, "received_on"),
        (support.Appeal, "lodged_on"),
        (support.FollowUp, "held_on"),
        (support.ChainEvent, "on_date"),
    ):
        assert not model.objects.filter(**{f"{field}__gt": TODAY}).exists(), model

    # Concerns: answered with adaptations or a report where their state says so.
    for concern in support.Concern.objects.annotate(a=Count("adaptations"), r=Count("referrals")):
        if concern.state == wf.ConcernState.ADAPTATIONS:
            assert concern.a > 0
        if concern.state == wf.ConcernState.REFERRED:
            assert concern.r > 0
        if concern.state == wf.ConcernState.CLOSED:
            assert concern.closed_reason
    # Adaptations: ended ones have an end date and a last evaluation that ended them.
    for adaptation in support.Adaptation.objects.prefetch_related("evaluations"):
        evaluations = list(adaptation.evaluations.all())
        assert all(e.evaluated_on >= adaptation.starts_on for e in evaluations)
        if adaptation.state == wf.AdaptationState.ENDED:
            assert adaptation.ended_on is not None
            assert evaluations[0].next_step in (
                wf.AdaptationNextStep.END,
                wf.AdaptationNextStep.REFER,
            )
        else:
            assert adaptation.ended_on is None
            assert all(e.next_evaluation_on is not None for e in evaluations)
    # A report "despite adaptations" names the adaptations tried (SL 3 kap. 7 §).
    despite = support.Referral.objects.filter(ground=wf.ReferralGround.DESPITE_ADAPTATIONS)
    assert not despite.annotate(n=Count("adaptations")).filter(n=0).exists()

    # Case states agree with the records behind them.
    for referral in support.Referral.objects.all():
        state = wf.CaseState(referral.state)
        investigation = support.Investigation.objects.filter(referral=referral).first()
        programmes = support.ActionProgramme.objects.filter(referral=referral)
        if state is wf.CaseState.REPORTED:
            assert referral.received_at is None
            assert investigation is None
        else:
            assert referral.received_at is not None
            assert referral.received_by_id is not None
        if state is wf.CaseState.RECEIVED:
            assert investigation is None
        if state is wf.CaseState.INVESTIGATING:
            assert investigation is not None
            assert investigation.closed_on is None
            assert not programmes.exclude(state=wf.ProgrammeState.DRAFT).exists()
        if state is wf.CaseState.NO_PROGRAMME:
            assert investigation is not None
            assert investigation.special_support_needed is False
            assert investigation.closed_on is not None
            assert support.Decision.objects.filter(
                referral=referral, kind=wf.DecisionKind.NO_ACTION_PROGRAMME
            ).exists()
        if state is wf.CaseState.PROGRAMME_ACTIVE:
            assert programmes.filter(state=wf.ProgrammeState.IN_FORCE).count() == 1
        if state is wf.CaseState.CLOSED:
            assert programmes.filter(state=wf.ProgrammeState.CLOSED).count() == 1
            assert not programmes.filter(state=wf.ProgrammeState.IN_FORCE).exists()


@pytest.mark.django_db
def test_programmes_and_decisions_hold_what_the_decision_requires(municipality: Generated) -> None:
    custody = Counter(
        Guardianship.objects.filter(has_custody=True).values_list("pupil_id", flat=True)
    )
    decisions = support.Decision.objects.select_related("programme").prefetch_related("services")
    for decision in decisions:
        # Service on each guardian with custody and on the pupil, as the services create it.
        kinds = Counter(s.recipient_kind for s in decision.services.all())
        assert kinds[support.RecipientKind.GUARDIAN] == custody[decision.pupil_id]
        assert kinds[support.RecipientKind.PUPIL] == 1
        for service in decision.services.all():
            if service.received_on is None:
                assert service.appeal_deadline is None
            else:
                assert service.sent_on is not None
                assert service.sent_on <= service.received_on
                assert service.received_on >= decision.decided_on
                # A pupil's receipt starts a time only if the pupil acts alone (SL 29 kap. 12 §).
                starts = recipient_acts_alone(decision, service, service.received_on)
                assert service.appeal_deadline == (
                    wf.appeal_deadline(service.received_on, days_off_around(service.received_on))
                    if starts
                    else None
                )
        # The decision-maker is the unit's rektor or holds a delegation valid that day.
        is_principal = UnitDuty.objects.filter(
            user_id=decision.decided_by_id,
            school_unit_id=decision.school_unit_id,
            duty="principal",
            starts_on__lte=decision.decided_on,
        ).exists()
        delegated = frozenset(
            Delegation.objects.filter(
                pk=decision.delegation_id,
                delegate_id=decision.decided_by_id,
                valid_from__lte=decision.decided_on,
                valid_until__gte=decision.decided_on,
            ).values_list("decision_type", flat=True)
        )
        assert is_principal or decision.delegation_id is not None
        settings = (
            [wf.MeasureSetting(m.setting) for m in decision.programme.measures.all()]
            if decision.programme and decision.kind == wf.DecisionKind.ACTION_PROGRAMME
            else []
        )
        authority = wf.DecisionAuthority(is_principal=is_principal, delegated_types=delegated)
        assert wf.may_decide(authority, wf.DecisionKind(decision.kind), settings).ok
        if decision.kind == wf.DecisionKind.ACTION_PROGRAMME:
            programme = decision.programme
            assert programme is not None
            assert programme.in_force_from == decision.decided_on
            facts = facts_as_decided(programme, decision.statement_of_reasons)
            assert wf.may_decide_programme(facts, decision.decided_on).ok, programme.pk

    for programme in support.ActionProgramme.objects.all():
        made = support.Decision.objects.filter(
            programme=programme, kind=wf.DecisionKind.ACTION_PROGRAMME
        )
        if programme.state in (wf.ProgrammeState.DRAFT, wf.ProgrammeState.LAPSED):
            assert not made.exists()  # a lapsed revision was never decided
            assert programme.in_force_from is None
        else:
            assert made.count() == 1  # in force, superseded and closed were all decided
        if programme.state == wf.ProgrammeState.IN_FORCE:
            assert programme.follow_up_on
            assert programme.evaluation_on
            assert not support.ActionProgramme.objects.filter(
                previous=programme, state=wf.ProgrammeState.IN_FORCE
            ).exists()
        if programme.state == wf.ProgrammeState.SUPERSEDED:
            successor = support.ActionProgramme.objects.get(previous=programme)
            assert successor.number == programme.number + 1
            assert successor.state in (wf.ProgrammeState.IN_FORCE, wf.ProgrammeState.SUPERSEDED)
        if programme.previous_id is not None:
            assert programme.previous is not None
            assert programme.previous.state in (
                wf.ProgrammeState.IN_FORCE,
                wf.ProgrammeState.SUPERSEDED,
                # the programme the lapsed revision was drafted from was closed instead
                *([wf.ProgrammeState.CLOSED] if programme.state == "lapsed" else []),
            )
        if programme.state == wf.ProgrammeState.CLOSED:
            assert programme.valid_until is not None
            assert support.Decision.objects.filter(
                programme=programme, kind=wf.DecisionKind.ACTION_PROGRAMME_CLOSURE
            ).exists()
            assert programme.follow_ups.filter(kind=wf.FollowUpKind.EVALUATION).exists()
        # Each measure answers a need of its own programme.
        assert not programme.measures.exclude(need__programme=programme).exists()

    # Follow-ups review every measure of a decided programme, on or after it came into force.
    for follow_up in support.FollowUp.objects.select_related("programme").annotate(
        n=Count("reviews")
    ):
        programme = follow_up.programme
        assert programme.in_force_from is not None
        assert follow_up.held_on >= programme.in_force_from
        assert follow_up.n == programme.measures.count()
        if follow_up.outcome == wf.FollowUpOutcome.CONTINUE:
            assert follow_up.next_on is not None
            assert follow_up.next_on > follow_up.held_on

    # Appeals: the deadline is the appellant's own, and timeliness follows from it.
    for appeal in support.Appeal.objects.select_related("service", "decision"):
        assert appeal.service is not None
        assert appeal.service.decision_id == appeal.decision_id
        assert appeal.deadline == appeal.service.appeal_deadline
        assert appeal.lodged_on >= appeal.decision.decided_on
        assert appeal.is_timely == wf.appeal_is_timely(appeal.lodged_on, appeal.deadline)
        assert (appeal.state == wf.AppealState.DISMISSED_LATE) == (not appeal.is_timely)
        if appeal.state in (wf.AppealState.REGISTERED, wf.AppealState.CHANGED_ON_RECONSIDERATION):
            assert appeal.forwarded_on is None
        elif appeal.state != wf.AppealState.DISMISSED_LATE:
            assert appeal.forwarded_on is not None
            assert appeal.forwarded_on >= appeal.lodged_on


@pytest.mark.django_db
def test_every_record_has_its_place_in_the_timeline(municipality: Generated) -> None:
    events = support.ChainEvent.objects.values_list("record_type", "record_id", "verb")
    seen = {(record_type, record_id) for record_type, record_id, _verb in events}
    for model, record_type in (
        (support.Concern, "concern"),
        (support.Adaptation, "adaptation"),
        (support.Referral, "referral"),
        (support.Investigation, "investigation"),
        (support.ActionProgramme, "action_programme"),
        (support.Decision, "decision"),
        (support.Appeal, "appeal"),
        (support.FollowUp, "follow_up"),
    ):
        for pk in model.objects.values_list("pk", flat=True):
            assert (record_type, pk) in seen, (record_type, pk)
    # The actor of each event is a real user acting at the pupil's unit.
    assert not support.ChainEvent.objects.filter(
        Q(actor__isnull=True) | Q(pupil__isnull=True)
    ).exists()


# --- the demo users -------------------------------------------------------------------------


K = wf.TaskKind


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "kinds"),
    [
        (
            "rektor",
            {
                K.RECEIVE_REFERRAL,
                K.OPEN_INVESTIGATION,
                K.DECIDE,
                K.SERVE_DECISION,
                K.HANDLE_APPEAL,
            },
        ),
        ("specialpedagog", {K.COMPLETE_INVESTIGATION, K.EVALUATE_PROGRAMME}),
        ("mentor", {K.EVALUATE_ADAPTATION, K.FOLLOW_UP}),
        ("larare", {K.EVALUATE_ADAPTATION}),
    ],
)
def test_demo_staff_have_due_and_overdue_tasks(
    municipality: Generated, username: str, kinds: set[wf.TaskKind]
) -> None:
    user = User.objects.get(username=username)
    ctx = load_user_context(user, today=TODAY)
    items = due_for_user(user_id=user.pk, ctx=ctx, today=TODAY)
    assert kinds <= {item.kind for item in items}
    assert any(item.overdue for item in items)
    assert any(not item.overdue for item in items)


@pytest.mark.django_db
def test_ella_has_a_rich_chain(municipality: Generated) -> None:
    ella = Pupil.objects.get(user__username="elev")
    guardian = User.objects.get(username="vardnadshavare")
    adaptations = support.Adaptation.objects.filter(pupil=ella)
    assert adaptations.filter(state=wf.AdaptationState.ENDED).exists()
    assert adaptations.filter(state=wf.AdaptationState.ACTIVE).exists()
    assert support.AdaptationEvaluation.objects.filter(adaptation__pupil=ella).count() >= 2
    referral = support.Referral.objects.get(pupil=ella)
    assert referral.state == wf.CaseState.PROGRAMME_ACTIVE
    assert support.Investigation.objects.get(referral=referral).special_support_needed is True
    current = support.ActionProgramme.objects.get(pupil=ella, state=wf.ProgrammeState.IN_FORCE)
    assert current.number == 2
    assert current.previous is not None
    assert current.previous.state == wf.ProgrammeState.SUPERSEDED
    assert current.follow_ups.exists()
    assert current.previous.follow_ups.filter(outcome=wf.FollowUpOutcome.REVISE).exists()
    assert current.follow_up_on is not None
    assert current.follow_up_on >= TODAY
    assert support.ParticipantView.objects.filter(pupil=ella, author=guardian).exists()
    assert support.ParticipantView.objects.filter(pupil=ella, author__username="elev").exists()
    # The demo guardian has received the current decision; the appeal window is stated.
    service = support.DecisionService.objects.get(
        decision__programme=current, guardian__user=guardian
    )
    assert service.received_on is not None
    assert service.appeal_deadline is not None
    assert support.ChainEvent.objects.filter(pupil=ella).count() >= 15


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_the_same_chain() -> None:
    def chain(seed: int) -> SupportChain:
        plan = build_plan("small", seed, demo_users=True, today=TODAY)
        assert plan.support is not None
        return plan.support

    first = chain(5)
    assert first.digest() == chain(5).digest()
    assert first.digest() != chain(6).digest()
    assert first.events
    assert first.programmes
    assert first.appeals


@pytest.mark.django_db
def test_database_holds_exactly_the_chain(municipality: Generated) -> None:
    plan = build_plan("small", 1, demo_users=True, today=TODAY)
    assert plan.support is not None
    for model, rows in plan.support.batches():
        assert model._default_manager.count() == len(rows), model
    stored = set(support.ActionProgramme.objects.values_list("pk", flat=True))
    assert stored == {programme.id for programme in plan.support.programmes}
