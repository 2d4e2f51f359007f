"""Table tests for the support chain's rules (elevstod.support.workflow; process.md §1–3).

Plain functions, no database: the rules module is pure, and so are its tests. Every refusal is
checked for its stable rule code, a Swedish message and, where the law gives one, its paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date
from enum import StrEnum
from itertools import product
from typing import Any

import pytest

from elevstod.organisation.duties import NON_DELEGABLE, DecisionType
from elevstod.support.workflow import (
    ALLOWED,
    APPEAL_TRANSITIONS,
    CASE_TRANSITIONS,
    DEFAULT_DEADLINES,
    RESERVED_SETTINGS,
    AdaptationState,
    AppealAction,
    AppealState,
    AssessmentFacts,
    CaseAction,
    CaseClock,
    CaseState,
    DeadlineBasis,
    DeadlineSettings,
    DecisionAuthority,
    DecisionKind,
    Due,
    MeasureFacts,
    MeasureSetting,
    Outcome,
    ProgrammeFacts,
    ProgrammeState,
    ReferralGround,
    Refused,
    SupportLevel,
    TaskKind,
    appeal_deadline,
    appeal_is_timely,
    appeal_transition,
    case_due,
    case_transition,
    first_refusal,
    is_overdue,
    may_conclude_assessment,
    may_decide,
    may_decide_closure,
    may_decide_no_programme,
    may_decide_programme,
    may_decide_programme_after_assessment,
    may_dismiss_appeal_as_late,
    may_edit_programme,
    may_evaluate_adaptation,
    may_forward_appeal,
    may_open_investigation,
    may_refer,
    required_decision_types,
    support_level,
    term_end,
)

# A Swedish sentence: a Swedish letter or one of the commonest Swedish function words.
SWEDISH = re.compile(r"[åäö]|\b(?:och|att|ska|som|inte|eller|en|ett)\b", re.IGNORECASE)

# Expected outcome in the tables: None for Allowed, else (rule, text the paragraph contains).
Expected = tuple[str, str] | None


def assert_refused(outcome: object, rule: str, paragraph: str = "") -> Refused:
    assert isinstance(outcome, Refused), f"expected {rule!r}, got {outcome!r}"
    assert outcome.rule == rule
    assert outcome.ok is False
    assert outcome.message.strip(), "a refusal always explains itself"
    assert SWEDISH.search(outcome.message), f"not Swedish: {outcome.message!r}"
    assert paragraph in outcome.paragraph
    return outcome


def _id(value: object) -> str | None:
    """Readable ids for table rows: dates, outcomes and reasons by what they mean."""
    if value is None:
        return "allowed"
    if isinstance(value, date | StrEnum):
        return str(value)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return value[0]  # an Expected refusal: its rule
    if isinstance(value, str):
        return "reasons" if value.strip() else "no-reasons"
    return None


def assert_outcome(outcome: Outcome, expected: Expected) -> None:
    if expected is None:
        assert outcome == ALLOWED, f"expected Allowed, got {outcome!r}"
    else:
        assert_refused(outcome, *expected)


# --------------------------------------------------------------------------- transitions

# Closing an investigation has a refusal of its own (tested below), so it is left out here.
CASE_COMPLEMENT = [
    (state, action)
    for state, action in product(CaseState, CaseAction)
    if (state, action) not in CASE_TRANSITIONS and action is not CaseAction.CLOSE_INVESTIGATION
]
APPEAL_COMPLEMENT = [
    pair for pair in product(AppealState, AppealAction) if pair not in APPEAL_TRANSITIONS
]


def _pair_id(pair: tuple[object, object]) -> str:
    return f"{pair[0]}-{pair[1]}"


# Every allowed step of both state machines: the case's and an appeal's.
ALLOWED_STEPS = [
    *(
        pytest.param(case_transition, state, action, target, id=f"case-{state}-{action}")
        for (state, action), target in CASE_TRANSITIONS.items()
    ),
    *(
        pytest.param(appeal_transition, state, action, target, id=f"appeal-{state}-{action}")
        for (state, action), target in APPEAL_TRANSITIONS.items()
    ),
]


@pytest.mark.parametrize(("transition", "state", "action", "target"), ALLOWED_STEPS)
def test_case_and_appeal_move_along_every_allowed_transition(
    transition: Callable[[Any, Any], object], state: StrEnum, action: StrEnum, target: StrEnum
) -> None:
    assert transition(state, action) is target


@pytest.mark.parametrize(("state", "action"), CASE_COMPLEMENT, ids=map(_pair_id, CASE_COMPLEMENT))
def test_case_refuses_every_other_transition_naming_the_current_state(
    state: CaseState, action: CaseAction
) -> None:
    refusal = assert_refused(case_transition(state, action), "case.transition_not_allowed")
    assert dict(refusal.params) == {"state": str(state)}


@pytest.mark.parametrize("state", list(CaseState))
def test_investigation_is_never_closed_without_a_decision(state: CaseState) -> None:
    assert_refused(
        case_transition(state, CaseAction.CLOSE_INVESTIGATION),
        "investigation.close_without_decision",
        "3 kap. 9 §",
    )


@pytest.mark.parametrize(
    ("state", "action"), APPEAL_COMPLEMENT, ids=map(_pair_id, APPEAL_COMPLEMENT)
)
def test_appeal_refuses_every_other_transition(state: AppealState, action: AppealAction) -> None:
    assert_refused(appeal_transition(state, action), "appeal.transition_not_allowed")


# --------------------------------------------------------------------------- who may decide

PRINCIPAL = DecisionAuthority(is_principal=True, delegated_types=frozenset())
SETTING_CHOICES: list[tuple[MeasureSetting, ...]] = [
    (),
    *((setting,) for setting in MeasureSetting),
    tuple(MeasureSetting),
]


def delegate(*types: str) -> DecisionAuthority:
    return DecisionAuthority(is_principal=False, delegated_types=frozenset(types))


@pytest.mark.parametrize(
    ("kind", "settings"),
    list(product(DecisionKind, SETTING_CHOICES)),
    ids=[f"{kind}-{'+'.join(s) or 'none'}" for kind, s in product(DecisionKind, SETTING_CHOICES)],
)
def test_principal_may_decide_every_kind_in_every_setting(
    kind: DecisionKind, settings: tuple[MeasureSetting, ...]
) -> None:
    assert may_decide(PRINCIPAL, kind, settings) == ALLOWED


@pytest.mark.parametrize("kind", list(DecisionKind))
def test_delegate_with_a_covering_delegation_may_decide_ordinary_decisions(
    kind: DecisionKind,
) -> None:
    assert may_decide(delegate(str(kind)), kind) == ALLOWED
    assert may_decide(delegate(str(kind)), kind, (MeasureSetting.OWN_GROUP,)) == ALLOWED


@pytest.mark.parametrize(
    ("authority", "kind"),
    [
        pytest.param(delegate(), DecisionKind.ACTION_PROGRAMME, id="no-delegation-at-all"),
        pytest.param(
            delegate(), DecisionKind.NO_ACTION_PROGRAMME, id="a-delegation-outside-its-dates"
        ),
        pytest.param(
            delegate("no_action_programme"),
            DecisionKind.ACTION_PROGRAMME,
            id="delegation-for-another-decision-type",
        ),
        pytest.param(
            delegate("action_programme"),
            DecisionKind.ACTION_PROGRAMME_CLOSURE,
            id="programme-delegation-does-not-cover-closure",
        ),
        pytest.param(
            delegate("distance_teaching"),
            DecisionKind.ACTION_PROGRAMME,
            id="setting-delegation-alone-does-not-cover-the-programme",
        ),
    ],
)
def test_delegate_without_a_covering_delegation_cannot_decide(
    authority: DecisionAuthority, kind: DecisionKind
) -> None:
    assert_refused(may_decide(authority, kind), "decision.no_delegation", "2 kap. 10 §")


@pytest.mark.parametrize(
    ("settings", "paragraph"),
    [
        ((MeasureSetting.SPECIAL_TEACHING_GROUP,), "3 kap. 9 § andra stycket 1"),
        ((MeasureSetting.INDIVIDUAL_TEACHING,), "3 kap. 9 § andra stycket 1"),
        ((MeasureSetting.DISTANCE_TEACHING,), "3 kap. 9 § andra stycket 2"),
        ((MeasureSetting.ADAPTED_STUDY_PATH,), "3 kap. 9 § andra stycket 3"),
        ((MeasureSetting.OWN_GROUP, MeasureSetting.DISTANCE_TEACHING), "andra stycket 2"),
    ],
    ids=["special-teaching-group", "individual", "distance", "adapted-study-path", "mixed"],
)
def test_delegate_cannot_decide_reserved_settings_even_with_every_delegation(
    settings: tuple[MeasureSetting, ...], paragraph: str
) -> None:
    # SL 3 kap. 9 § andra stycket: no delegation can reach these, not even one naming them.
    authority = delegate("action_programme", *map(str, settings))
    refusal = assert_refused(
        may_decide(authority, DecisionKind.ACTION_PROGRAMME, settings),
        "decision.reserved_for_principal",
        "3 kap. 9 §",
    )
    assert paragraph in refusal.paragraph


def test_reserved_settings_match_the_delegation_register() -> None:
    # The workflow and organisation.duties must agree on what the rektor alone decides.
    assert {str(kind) for kind in DecisionKind} <= {str(t) for t in DecisionType}
    for setting, paragraph in RESERVED_SETTINGS.items():
        assert str(NON_DELEGABLE[DecisionType(setting)]) == paragraph


@pytest.mark.parametrize(
    ("kind", "settings", "types"),
    [
        (DecisionKind.ACTION_PROGRAMME, (), {"action_programme"}),
        (DecisionKind.ACTION_PROGRAMME, (MeasureSetting.OWN_GROUP,), {"action_programme"}),
        (
            DecisionKind.ACTION_PROGRAMME,
            (MeasureSetting.OWN_GROUP, MeasureSetting.DISTANCE_TEACHING),
            {"action_programme", "distance_teaching"},
        ),
        (
            DecisionKind.ACTION_PROGRAMME,
            tuple(MeasureSetting),
            {"action_programme", *map(str, RESERVED_SETTINGS)},
        ),
        (DecisionKind.NO_ACTION_PROGRAMME, tuple(MeasureSetting), {"no_action_programme"}),
        (
            DecisionKind.ACTION_PROGRAMME_CLOSURE,
            tuple(MeasureSetting),
            {"action_programme_closure"},
        ),
    ],
    ids=["programme", "own-group", "with-distance", "all-settings", "no-programme", "closure"],
)
def test_required_decision_types_add_reserved_settings_to_programmes_only(
    kind: DecisionKind, settings: Collection[MeasureSetting], types: set[str]
) -> None:
    assert required_decision_types(kind, settings) == types


# --------------------------------------------------------------------------- investigation

COMPLETE_ASSESSMENT = AssessmentFacts(
    mapping_done=True,
    pupil_view_recorded=True,
    guardian_view_recorded=True,
    eht_consulted=True,
    eht_skip_reason="",
    special_support_needed=True,
    needs_found=2,
)


EHT_NOT_CONSULTED = ("investigation.eht_not_consulted", "3 kap. 7 § andra stycket")
# One case a row: (id, changes to the complete assessment, the refusal expected or None).
ASSESSMENT_CASES = [
    ("complete", {}, None),
    ("no-need-found", {"special_support_needed": False, "needs_found": 0}, None),
    (
        "eht-skipped-with-a-reason",
        {"eht_consulted": False, "eht_skip_reason": "Elevhälsan utredde nyss."},
        None,
    ),
    ("mapping-missing", {"mapping_done": False}, ("investigation.mapping_missing", "3 kap. 7 §")),
    (
        "assessed-twice",
        {"already_assessed": True},
        ("investigation.already_assessed", "3 kap. 7 §"),
    ),
    ("eht-not-consulted-without-reason", {"eht_consulted": False}, EHT_NOT_CONSULTED),
    ("eht-reason-blank", {"eht_consulted": False, "eht_skip_reason": "  "}, EHT_NOT_CONSULTED),
    (
        "conclusion-missing",
        {"special_support_needed": None},
        ("investigation.conclusion_missing", "3 kap. 7 §"),
    ),
    (
        "need-concluded-but-none-described",
        {"needs_found": 0},
        ("investigation.needs_missing", "3 kap. 9 §"),
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [pytest.param(changes, expected, id=name) for name, changes, expected in ASSESSMENT_CASES],
)
def test_assessment_is_concluded_only_when_mapped_consulted_and_decided(
    changes: dict[str, object], expected: Expected
) -> None:
    assert_outcome(may_conclude_assessment(replace(COMPLETE_ASSESSMENT, **changes)), expected)


DESPITE_ADAPTATIONS = ReferralGround.DESPITE_ADAPTATIONS
OTHER_GROUNDS = [ground for ground in ReferralGround if ground is not DESPITE_ADAPTATIONS]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        # An investigation is opened with someone to investigate (SL 3 kap. 7 §).
        pytest.param(may_open_investigation(1), None, id="one-investigator"),
        pytest.param(may_open_investigation(3), None, id="three-investigators"),
        pytest.param(
            may_open_investigation(0),
            ("investigation.no_investigator", "3 kap. 7 §"),
            id="no-investigator",
        ),
        # A report "despite adaptations" names the adaptations tried; other grounds need none.
        pytest.param(may_refer(DESPITE_ADAPTATIONS, 1), None, id="despite-one-adaptation"),
        pytest.param(
            may_refer(DESPITE_ADAPTATIONS, 0),
            ("referral.adaptations_missing", "3 kap. 7 § första stycket"),
            id="despite-no-adaptation",
        ),
        *(pytest.param(may_refer(ground, 0), None, id=str(ground)) for ground in OTHER_GROUNDS),
        # Only an adaptation in use is evaluated.
        pytest.param(may_evaluate_adaptation(AdaptationState.ACTIVE), None, id="active"),
        pytest.param(
            may_evaluate_adaptation(AdaptationState.ENDED), ("adaptation.ended", ""), id="ended"
        ),
    ],
)
def test_before_the_assessment_investigators_adaptations_and_grounds(
    outcome: Outcome, expected: Expected
) -> None:
    assert_outcome(outcome, expected)


# --------------------------------------------------------------------------- decisions

REASONS = "Utredningen visar behov av stöd i läsning och skrivning."
REASONS_MISSING = ("decision.reasons_missing", "32 § förvaltningslagen")
NOT_ASSESSED = ("investigation.not_assessed", "3 kap. 7 §")


@pytest.mark.parametrize(
    ("needed", "reasons", "expected"),
    [
        pytest.param(False, REASONS, None, id="no-need-with-reasons"),
        pytest.param(None, REASONS, NOT_ASSESSED, id="not-assessed"),
        pytest.param(
            True,
            REASONS,
            ("decision.support_needed", "3 kap. 7 § tredje stycket"),
            id="need-found",
        ),
        pytest.param(False, "", REASONS_MISSING, id="reasons-missing"),
        pytest.param(False, " \n", REASONS_MISSING, id="reasons-blank"),
    ],
)
def test_no_programme_decision_needs_an_assessment_of_no_need_and_reasons(
    needed: bool | None, reasons: str, expected: Expected
) -> None:
    assert_outcome(may_decide_no_programme(needed, reasons), expected)


DECIDED_IS_LOCKED = ("programme.decided_is_locked", "3 kap. 9 §")


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        # A programme decision rests on an assessment that found a need (SL 3 kap. 9 §).
        pytest.param(may_decide_programme_after_assessment(True), None, id="need-found"),
        pytest.param(may_decide_programme_after_assessment(None), NOT_ASSESSED, id="not-assessed"),
        pytest.param(
            may_decide_programme_after_assessment(False),
            ("decision.no_support_needed", "3 kap. 9 § tredje stycket"),
            id="no-need-found",
        ),
        # A closure rests on an evaluation and states its reasons.
        pytest.param(may_decide_closure(1, REASONS), None, id="closure-evaluated"),
        pytest.param(
            may_decide_closure(0, REASONS),
            ("closure.not_evaluated", "3 kap. 9 §"),
            id="closure-not-evaluated",
        ),
        pytest.param(may_decide_closure(2, ""), REASONS_MISSING, id="closure-without-reasons"),
        # Only a draft is edited; a decided programme changes by a new decision.
        pytest.param(may_edit_programme(ProgrammeState.DRAFT), None, id="draft"),
        *(
            pytest.param(may_edit_programme(state), DECIDED_IS_LOCKED, id=str(state))
            for state in (ProgrammeState.IN_FORCE, ProgrammeState.SUPERSEDED, ProgrammeState.CLOSED)
        ),
    ],
)
def test_programme_decisions_closures_and_edits(outcome: Outcome, expected: Expected) -> None:
    assert_outcome(outcome, expected)


# --------------------------------------------------------------------------- the programme

DECIDED_ON = date(2026, 9, 1)
MEASURE = MeasureFacts(
    has_need=True,
    has_responsible=True,
    setting=MeasureSetting.OWN_GROUP,
    starts_on=date(2026, 9, 7),
    ends_on=date(2026, 12, 18),
    has_special_reasons=False,
)
PROGRAMME = ProgrammeFacts(
    needs=2,
    measures=(MEASURE,),
    follow_up_on=date(2026, 10, 15),
    follow_up_responsible=True,
    evaluation_on=date(2026, 12, 10),
    evaluation_responsible=True,
    participation_offered=True,
    statement_of_reasons=REASONS,
)
SECTION_9 = "3 kap. 9 §"


def with_measure(**changes: object) -> dict[str, object]:
    """Programme changes: the valid measure plus one changed as given."""
    return {"measures": (MEASURE, replace(MEASURE, **changes))}


# What SL 3 kap. 9 § asks of a programme, one missing piece a row: (id, changes, refusal rule).
PROGRAMME_CONTENT_MISSING = [
    ("needs-missing", {"needs": 0}, "programme.needs_missing"),
    ("measures-missing", {"measures": ()}, "programme.measures_missing"),
    ("measure-without-need", with_measure(has_need=False), "programme.measure_without_need"),
    (
        "measure-without-responsible",
        with_measure(has_responsible=False),
        "programme.measure_without_responsible",
    ),
    ("follow-up-date-missing", {"follow_up_on": None}, "programme.follow_up_missing"),
    (
        "follow-up-responsible-missing",
        {"follow_up_responsible": False},
        "programme.follow_up_missing",
    ),
    ("evaluation-date-missing", {"evaluation_on": None}, "programme.evaluation_missing"),
    (
        "evaluation-responsible-missing",
        {"evaluation_responsible": False},
        "programme.evaluation_missing",
    ),
    (
        "participation-not-offered",
        {"participation_offered": False},
        "programme.participation_not_offered",
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, None, id="fully-valid"),
        *(
            pytest.param(changes, (rule, SECTION_9), id=name)
            for name, changes, rule in PROGRAMME_CONTENT_MISSING
        ),
        pytest.param({"statement_of_reasons": ""}, REASONS_MISSING, id="reasons-missing"),
        pytest.param({"statement_of_reasons": "  "}, REASONS_MISSING, id="reasons-blank"),
    ],
)
def test_programme_is_decided_only_with_its_mandatory_content(
    changes: dict[str, object], expected: Expected
) -> None:
    assert_outcome(may_decide_programme(replace(PROGRAMME, **changes), DECIDED_ON), expected)


@pytest.mark.parametrize("setting", list(RESERVED_SETTINGS))
def test_measure_outside_the_own_group_needs_special_reasons(setting: MeasureSetting) -> None:
    without = replace(PROGRAMME, **with_measure(setting=setting))
    assert_refused(
        may_decide_programme(without, DECIDED_ON),
        "programme.special_reasons_missing",
        "3 kap. 11–12 §§",
    )
    with_reasons = replace(PROGRAMME, **with_measure(setting=setting, has_special_reasons=True))
    assert may_decide_programme(with_reasons, DECIDED_ON) == ALLOWED


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "last_day"),
    [
        # The default term dates (decision 0015): autumn to 18 December 2026, spring to
        # 15 June 2027.
        pytest.param(date(2026, 9, 1), date(2026, 12, 18), None, id="autumn-to-term-end"),
        pytest.param(date(2026, 9, 1), date(2027, 1, 15), "2026-12-18", id="autumn-into-spring"),
        # One term at a time (SL 3 kap. 11 a § second paragraph), which may be the next term:
        # decided in the autumn for the whole spring is lawful, into the summer is not.
        pytest.param(date(2027, 1, 10), date(2027, 6, 15), None, id="next-spring"),
        pytest.param(date(2027, 1, 10), date(2027, 6, 16), "2027-06-15", id="spring-into-summer"),
        pytest.param(date(2026, 9, 1), None, "2026-12-18", id="no-end-date"),
        pytest.param(None, date(2026, 12, 18), None, id="starts-on-decision-day"),
        pytest.param(None, date(2027, 1, 4), "2026-12-18", id="from-decision-day-into-spring"),
    ],
)
def test_distance_teaching_is_decided_for_at_most_one_term(
    starts_on: date | None, ends_on: date | None, last_day: str | None
) -> None:
    distance = with_measure(
        setting=MeasureSetting.DISTANCE_TEACHING,
        has_special_reasons=True,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    outcome = may_decide_programme(replace(PROGRAMME, **distance), DECIDED_ON)
    if last_day is None:
        assert outcome == ALLOWED
    else:
        refusal = assert_refused(
            outcome, "programme.distance_over_one_term", "3 kap. 11 a § andra stycket"
        )
        assert dict(refusal.params) == {"term_end": last_day}
        assert f"senast {last_day}" in refusal.text()


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2027, 1, 1), date(2027, 6, 15)),
        (date(2027, 6, 15), date(2027, 6, 15)),
        (date(2026, 7, 1), date(2026, 12, 18)),
        (date(2026, 12, 18), date(2026, 12, 18)),
        (date(2026, 12, 19), date(2027, 6, 15)),  # the Christmas break: the next term
    ],
    ids=_id,
)
def test_term_ends_on_the_default_last_school_day(day: date, end: date) -> None:
    assert term_end(day) == end


# --------------------------------------------------------------------------- appeals

MIDSUMMER_EVE_2026 = date(2026, 6, 19)  # a Friday
CHRISTMAS_2026 = {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}  # Thu–Sat


@pytest.mark.parametrize(
    ("received_on", "days_off", "deadline"),
    [
        pytest.param(date(2026, 3, 2), set(), date(2026, 3, 23), id="three-weeks-to-a-monday"),
        pytest.param(date(2026, 3, 6), set(), date(2026, 3, 27), id="three-weeks-to-a-friday"),
        pytest.param(date(2026, 2, 28), set(), date(2026, 3, 23), id="saturday-moves-to-monday"),
        pytest.param(date(2026, 3, 1), set(), date(2026, 3, 23), id="sunday-moves-to-monday"),
        pytest.param(
            date(2026, 4, 23), {date(2026, 5, 14)}, date(2026, 5, 15), id="holiday-to-next-day"
        ),
        pytest.param(
            date(2026, 5, 29),
            {MIDSUMMER_EVE_2026},
            date(2026, 6, 22),
            id="midsummer-eve-over-the-weekend",
        ),
        pytest.param(
            date(2026, 12, 3), CHRISTMAS_2026, date(2026, 12, 28), id="christmas-to-monday"
        ),
    ],
)
def test_appeal_deadline_is_three_weeks_then_the_next_weekday(
    received_on: date, days_off: set[date], deadline: date
) -> None:
    # FL 44 § via SL 29 kap. 11 §; lag (1930:173) om beräkning av lagstadgad tid.
    assert appeal_deadline(received_on, days_off) == deadline


DEADLINE = date(2026, 3, 23)


@pytest.mark.parametrize(
    ("lodged_on", "deadline", "timely"),
    [
        pytest.param(date(2026, 3, 10), DEADLINE, True, id="well-before"),
        pytest.param(DEADLINE, DEADLINE, True, id="on-the-deadline-day"),
        pytest.param(date(2026, 3, 24), DEADLINE, False, id="the-day-after"),
        pytest.param(date(2027, 1, 1), None, True, id="never-served-so-time-has-not-run"),
    ],
)
def test_timely_appeal_is_forwarded_and_late_appeal_dismissed(
    lodged_on: date, deadline: date | None, timely: bool
) -> None:
    # FL 45 §: the decision-maker checks timeliness, dismisses a late appeal, forwards the rest.
    assert appeal_is_timely(lodged_on, deadline) is timely
    forward = may_forward_appeal(lodged_on, deadline)
    dismiss = may_dismiss_appeal_as_late(lodged_on, deadline)
    if timely:
        assert forward == ALLOWED
        assert_refused(dismiss, "appeal.timely", "45 § förvaltningslagen")
    else:
        assert dismiss == ALLOWED
        refusal = assert_refused(forward, "appeal.late", "45 § förvaltningslagen")
        assert "(2026-03-23)" in refusal.text()


# --------------------------------------------------------------------------- deadlines

REPORTED_ON = date(2026, 9, 1)
RECEIVED_ON = date(2026, 9, 3)
OWN_DEADLINES = DeadlineSettings(
    receipt_days=1, investigation_start_days=5, investigation_complete_days=30, decision_days=10
)


TARGET_ON = date(2026, 10, 20)


def clock(
    state: CaseState,
    *,
    received_on: date | None = None,
    assessed_on: date | None = None,
    investigation_target_on: date | None = None,
) -> CaseClock:
    """A case reported on REPORTED_ON, in `state`, with the dates given."""
    return CaseClock(
        state,
        REPORTED_ON,
        received_on=received_on,
        assessed_on=assessed_on,
        investigation_target_on=investigation_target_on,
    )


# One case a row: (id, the case's clock, the step and day it waits for, or None).
CASE_STEPS = [
    (
        "reported-awaits-receipt",
        clock(CaseState.REPORTED),
        (TaskKind.RECEIVE_REFERRAL, date(2026, 9, 2)),
    ),
    (
        "received-awaits-investigation",
        clock(CaseState.RECEIVED, received_on=RECEIVED_ON),
        (TaskKind.OPEN_INVESTIGATION, date(2026, 9, 8)),
    ),
    (
        "investigating-until-its-target",
        clock(CaseState.INVESTIGATING, received_on=RECEIVED_ON, investigation_target_on=TARGET_ON),
        (TaskKind.COMPLETE_INVESTIGATION, TARGET_ON),
    ),
    (
        "investigating-default-from-receipt",
        clock(CaseState.INVESTIGATING, received_on=RECEIVED_ON),
        (TaskKind.COMPLETE_INVESTIGATION, date(2026, 10, 3)),
    ),
    (
        "investigating-default-from-report-without-receipt",
        clock(CaseState.INVESTIGATING),
        (TaskKind.COMPLETE_INVESTIGATION, date(2026, 10, 1)),
    ),
    (
        "assessed-awaits-decision",
        clock(
            CaseState.INVESTIGATING,
            received_on=RECEIVED_ON,
            investigation_target_on=TARGET_ON,
            assessed_on=date(2026, 10, 5),
        ),
        (TaskKind.DECIDE, date(2026, 10, 15)),
    ),
    ("no-programme", clock(CaseState.NO_PROGRAMME), None),
    ("programme", clock(CaseState.PROGRAMME_ACTIVE), None),
    ("closed", clock(CaseState.CLOSED), None),
]


@pytest.mark.parametrize(
    ("clock", "expected"),
    [pytest.param(case_clock, step, id=name) for name, case_clock, step in CASE_STEPS],
)
def test_case_waits_for_its_next_step_by_the_huvudmans_deadline(
    clock: CaseClock, expected: tuple[TaskKind, date] | None
) -> None:
    due = case_due(clock, OWN_DEADLINES)
    if expected is None:
        assert due is None
    else:
        assert due is not None
        assert (due.kind, due.due_on) == expected
        assert due.basis is DeadlineBasis.MUNICIPAL  # "skyndsamt" is law; the days are not
        assert "skollagen" in due.rule


def test_default_deadlines_follow_common_municipal_practice() -> None:
    # process.md §3: started within about a week, finished in 4–6 weeks, decided in 1–2 weeks.
    assert DEFAULT_DEADLINES.investigation_start_days <= 7
    assert 28 <= DEFAULT_DEADLINES.investigation_complete_days <= 42
    assert 7 <= DEFAULT_DEADLINES.decision_days <= 14
    assert 28 <= DEFAULT_DEADLINES.follow_up_interval_days <= 42
    due = case_due(CaseClock(CaseState.REPORTED, REPORTED_ON))
    assert due is not None
    assert due.due_on == date(2026, 9, 3)


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(date(2026, 9, 30), False), (date(2026, 10, 1), False), (date(2026, 10, 2), True)],
    ids=_id,
)
def test_task_is_overdue_only_after_its_due_day(today: date, overdue: bool) -> None:
    due = Due(TaskKind.DECIDE, date(2026, 10, 1), DeadlineBasis.MUNICIPAL, "3 kap. 9 §")
    assert is_overdue(due, today) is overdue


@pytest.mark.parametrize(
    ("adaptations", "programme_in_force", "level"),
    [
        (0, False, SupportLevel.GUIDANCE_AND_STIMULATION),
        (2, False, SupportLevel.EXTRA_ADAPTATIONS),
        (0, True, SupportLevel.SPECIAL_SUPPORT),
        (3, True, SupportLevel.SPECIAL_SUPPORT),
    ],
)
def test_support_level_is_the_highest_support_given(
    adaptations: int, programme_in_force: bool, level: SupportLevel
) -> None:
    assert support_level(adaptations, programme_in_force) is level


# --------------------------------------------------------------------------- outcomes

FIRST = Refused("first.rule", "Första skälet.")
SECOND = Refused("second.rule", "Andra skälet.")


@pytest.mark.parametrize(
    ("outcomes", "result"),
    [((), ALLOWED), ((ALLOWED, ALLOWED), ALLOWED), ((ALLOWED, FIRST, SECOND), FIRST)],
    ids=["nothing-asked", "all-allowed", "first-of-two-refusals"],
)
def test_first_refusal_wins(outcomes: tuple[Outcome, ...], result: Outcome) -> None:
    assert first_refusal(*outcomes) == result


@pytest.mark.parametrize(
    ("refusal", "translate", "text"),
    [
        pytest.param(
            Refused("r", "Beslutet saknas.", "3 kap. 9 § skollagen"),
            str,
            "Beslutet saknas. (3 kap. 9 § skollagen)",
            id="paragraph-in-parentheses",
        ),
        pytest.param(
            Refused("r", "Anpassningen är avslutad."),
            str,
            "Anpassningen är avslutad.",
            id="no-paragraph-no-parentheses",
        ),
        pytest.param(
            Refused("r", "Sista dag är %(day)s.", "44 § förvaltningslagen", (("day", "1 mars"),)),
            str,
            "Sista dag är 1 mars. (44 § förvaltningslagen)",
            id="params-substituted",
        ),
        pytest.param(
            Refused("r", "Sista dag är %(day)s.", "", (("day", "1 mars"),)),
            lambda message: message.replace("Sista dag", "Last day"),
            "Last day är 1 mars.",
            id="translated-before-substitution",
        ),
    ],
)
def test_refusal_text_substitutes_params_and_cites_the_paragraph(
    refusal: Refused, translate: Callable[[str], str], text: str
) -> None:
    assert refusal.text(translate) == text


def test_transition_refusal_text_names_the_state() -> None:
    refusal = case_transition(CaseState.CLOSED, CaseAction.RECEIVE)
    assert isinstance(refusal, Refused)
    assert refusal.text() == "Det går inte i ärendets nuvarande läge (closed)."
