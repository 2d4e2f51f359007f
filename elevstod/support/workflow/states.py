"""The chain's vocabulary: every state, action and choice as a StrEnum, and the transition tables.

The values are what the database stores. The Swedish words for them are in support/labels.py;
the rules that use them are in the modules named after each record kind.
"""

from __future__ import annotations

from enum import StrEnum


class SupportLevel(StrEnum):
    """The three levels of support (SL 3 kap. 2 §, 5 §, 7–9 §§)."""

    GUIDANCE_AND_STIMULATION = "guidance_and_stimulation"
    EXTRA_ADAPTATIONS = "extra_adaptations"
    SPECIAL_SUPPORT = "special_support"


class ConcernSource(StrEnum):
    """Where a concern came from (SL 3 kap. 5 § first paragraph lists them)."""

    TEACHING = "teaching"
    NATIONAL_ASSESSMENT = "national_assessment"
    HANDOVER = "handover"
    ABSENCE = "absence"
    PUPIL_OR_GUARDIAN = "pupil_or_guardian"
    OTHER = "other"


class ConcernState(StrEnum):
    OPEN = "open"
    ADAPTATIONS = "adaptations"  # answered with extra adaptations
    REFERRED = "referred"  # reported to the principal
    CLOSED = "closed"  # no further action, with a reason


class NeedCategory(StrEnum):
    """Needs in terms of the school situation. Never a diagnosis (SL 26 a kap. 4 §)."""

    READING_WRITING = "reading_writing"
    MATHEMATICS = "mathematics"
    LANGUAGE = "language"
    CONCENTRATION = "concentration"
    STRUCTURE_AND_PLANNING = "structure_and_planning"
    SOCIAL_INTERACTION = "social_interaction"
    WELLBEING = "wellbeing"
    ATTENDANCE = "attendance"
    SENSORY_ENVIRONMENT = "sensory_environment"
    MOTOR_SKILLS = "motor_skills"
    STIMULATION = "stimulation"  # a pupil who easily reaches the criteria (SL 3 kap. 2 §)
    OTHER = "other"


class AdaptationState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class AdaptationEffect(StrEnum):
    SUFFICIENT = "sufficient"
    PARTLY = "partly"
    NOT_SUFFICIENT = "not_sufficient"


class AdaptationNextStep(StrEnum):
    CONTINUE = "continue"
    CHANGE = "change"
    END = "end"
    REFER = "refer"  # report to the principal (SL 3 kap. 7 §)


class ReferralGround(StrEnum):
    """The grounds for a report to the principal (SL 3 kap. 7 § first paragraph; 7 kap. 19 a §)."""

    DESPITE_ADAPTATIONS = "despite_adaptations"
    SPECIAL_REASONS = "special_reasons_adaptations_insufficient"
    OTHER_DIFFICULTIES = "other_difficulties"
    ABSENCE_INVESTIGATION = "absence_investigation"


class CaseState(StrEnum):
    """One support case: from the report to the principal to a closed programme."""

    REPORTED = "reported"  # S3: anmälan lodged, awaiting the principal's receipt
    RECEIVED = "received"  # receipt recorded: the "skyndsamt" clock runs (SL 3 kap. 7 §)
    INVESTIGATING = "investigating"  # S4
    NO_PROGRAMME = "no_programme"  # S5a: decided not to draw up a programme
    PROGRAMME_ACTIVE = "programme_active"  # S5b/S6: a decided programme in force
    CLOSED = "closed"  # S8: closing decision


class CaseAction(StrEnum):
    RECEIVE = "receive"
    OPEN_INVESTIGATION = "open_investigation"
    CLOSE_INVESTIGATION = "close_investigation"
    DECIDE_NO_PROGRAMME = "decide_no_programme"
    DECIDE_PROGRAMME = "decide_programme"
    EVALUATE_CONTINUE = "evaluate_continue"
    DECIDE_REVISION = "decide_revision"
    DECIDE_CLOSURE = "decide_closure"
    # The board set aside or returned a no-programme decision (SL 28 kap. 16 § andra stycket).
    REOPEN_AFTER_APPEAL = "reopen_after_appeal"


CASE_TRANSITIONS: dict[tuple[CaseState, CaseAction], CaseState] = {
    (CaseState.REPORTED, CaseAction.RECEIVE): CaseState.RECEIVED,
    (CaseState.RECEIVED, CaseAction.OPEN_INVESTIGATION): CaseState.INVESTIGATING,
    (CaseState.INVESTIGATING, CaseAction.DECIDE_NO_PROGRAMME): CaseState.NO_PROGRAMME,
    (CaseState.INVESTIGATING, CaseAction.DECIDE_PROGRAMME): CaseState.PROGRAMME_ACTIVE,
    (CaseState.PROGRAMME_ACTIVE, CaseAction.EVALUATE_CONTINUE): CaseState.PROGRAMME_ACTIVE,
    (CaseState.PROGRAMME_ACTIVE, CaseAction.DECIDE_REVISION): CaseState.PROGRAMME_ACTIVE,
    (CaseState.PROGRAMME_ACTIVE, CaseAction.DECIDE_CLOSURE): CaseState.CLOSED,
    # Back to awaiting a new decision: the investigation is open again for the new assessment.
    (CaseState.NO_PROGRAMME, CaseAction.REOPEN_AFTER_APPEAL): CaseState.INVESTIGATING,
}
# Closing an investigation is not a transition of its own: it happens only through one of the two
# decisions (process.md §2.5). The action exists so that the refusal can be asked for and shown.

OPEN_CASE_STATES = frozenset(
    {
        CaseState.REPORTED,
        CaseState.RECEIVED,
        CaseState.INVESTIGATING,
        CaseState.PROGRAMME_ACTIVE,
    }
)


class DecisionKind(StrEnum):
    """Decisions in the chain. Values match organisation.duties.DecisionType."""

    ACTION_PROGRAMME = "action_programme"
    NO_ACTION_PROGRAMME = "no_action_programme"
    ACTION_PROGRAMME_CLOSURE = "action_programme_closure"


class MeasureSetting(StrEnum):
    """Where a measure is given (SL 3 kap. 8 §, 11 §, 11 a §, 12 §)."""

    OWN_GROUP = "own_group"
    SPECIAL_TEACHING_GROUP = "special_teaching_group"
    INDIVIDUAL_TEACHING = "individual_teaching"
    DISTANCE_TEACHING = "distance_teaching"
    ADAPTED_STUDY_PATH = "adapted_study_path"


class ProgrammeState(StrEnum):
    DRAFT = "draft"
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"  # replaced by a revision (a new decision)
    CLOSED = "closed"
    # A revision draft never decided: it lapsed when the programme it would have replaced was
    # closed. Kept, not deleted (process.md rule 5); like a draft, never shown to the family.
    LAPSED = "lapsed"


# Programme versions that were never decided: working material, not shown to the family.
UNDECIDED_PROGRAMME_STATES = frozenset({ProgrammeState.DRAFT, ProgrammeState.LAPSED})


class FollowUpKind(StrEnum):
    FOLLOW_UP = "follow_up"  # uppföljning: are the measures carried out?
    EVALUATION = "evaluation"  # utvärdering: what effect did they have?


class CarriedOut(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class MeasureEffect(StrEnum):
    """The small fixed scale for a measure's effect on its need."""

    NEED_MET = "need_met"
    CLEAR_PROGRESS = "clear_progress"
    SOME_PROGRESS = "some_progress"
    NO_PROGRESS = "no_progress"


class FollowUpOutcome(StrEnum):
    CONTINUE = "continue"
    REVISE = "revise"  # a new programme decision (process.md §1, S7→S5b)
    CLOSE = "close"  # a closing decision (S7→S8)


class AppealState(StrEnum):
    REGISTERED = "registered"
    CHANGED_ON_RECONSIDERATION = "changed_on_reconsideration"  # FL 38–39 §§
    DISMISSED_LATE = "dismissed_late"  # FL 45 §
    FORWARDED = "forwarded"  # FL 46 §: to Skolväsendets överklagandenämnd
    BOARD_UPHELD = "board_upheld"
    BOARD_SET_ASIDE = "board_set_aside"
    BOARD_RETURNED = "board_returned"  # SL 28 kap. 16 § second paragraph


class AppealAction(StrEnum):
    RECONSIDER_AND_CHANGE = "reconsider_and_change"
    DISMISS_AS_LATE = "dismiss_as_late"
    FORWARD = "forward"
    RECORD_BOARD_UPHELD = "record_board_upheld"
    RECORD_BOARD_SET_ASIDE = "record_board_set_aside"
    RECORD_BOARD_RETURNED = "record_board_returned"


APPEAL_TRANSITIONS: dict[tuple[AppealState, AppealAction], AppealState] = {
    (AppealState.REGISTERED, AppealAction.RECONSIDER_AND_CHANGE): (
        AppealState.CHANGED_ON_RECONSIDERATION
    ),
    (AppealState.REGISTERED, AppealAction.DISMISS_AS_LATE): AppealState.DISMISSED_LATE,
    (AppealState.REGISTERED, AppealAction.FORWARD): AppealState.FORWARDED,
    # Changed, but not as the appellant asked: the appeal is taken to cover the new decision and
    # is forwarded (39 § förvaltningslagen).
    (AppealState.CHANGED_ON_RECONSIDERATION, AppealAction.FORWARD): AppealState.FORWARDED,
    (AppealState.FORWARDED, AppealAction.RECORD_BOARD_UPHELD): AppealState.BOARD_UPHELD,
    (AppealState.FORWARDED, AppealAction.RECORD_BOARD_SET_ASIDE): AppealState.BOARD_SET_ASIDE,
    (AppealState.FORWARDED, AppealAction.RECORD_BOARD_RETURNED): AppealState.BOARD_RETURNED,
}

# Steps that leave the school to decide again: the board set aside or returned the decision
# (SL 28 kap. 16 § andra stycket), or the school itself changes it on reconsideration (the new
# decision is made through the normal flow and the appeal covers it, FL 39 §).
APPEAL_STEPS_REOPENING = frozenset(
    {
        AppealAction.RECONSIDER_AND_CHANGE,
        AppealAction.RECORD_BOARD_SET_ASIDE,
        AppealAction.RECORD_BOARD_RETURNED,
    }
)

# After these, the school makes a new decision through the normal flow and the appeal links it.
APPEAL_STATES_AWAITING_NEW_DECISION = frozenset(
    {
        AppealState.CHANGED_ON_RECONSIDERATION,
        AppealState.BOARD_SET_ASIDE,
        AppealState.BOARD_RETURNED,
    }
)


class ProgrammeStep(StrEnum):
    """What is done to a programme that only a programme in force allows."""

    CLOSE = "close"
    REVISE = "revise"
    FOLLOW_UP = "follow_up"


class DeadlineBasis(StrEnum):
    LAW = "law"
    MUNICIPAL = "municipal"


class TaskKind(StrEnum):
    EVALUATE_ADAPTATION = "evaluate_adaptation"
    RECEIVE_REFERRAL = "receive_referral"
    OPEN_INVESTIGATION = "open_investigation"
    COMPLETE_INVESTIGATION = "complete_investigation"
    DECIDE = "decide"
    SERVE_DECISION = "serve_decision"
    FOLLOW_UP = "follow_up"
    EVALUATE_PROGRAMME = "evaluate_programme"
    HANDLE_APPEAL = "handle_appeal"
