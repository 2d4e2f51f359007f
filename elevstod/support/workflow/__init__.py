"""The support chain's rules, as plain Python (Skollagen 3 kap.; shared/domain/process.md §1–3).

States, transitions, guards and deadlines live here and nowhere else (decision 0005). Services
are the only callers: they load the facts, ask `may_*`, and save. Nothing here touches the
database, the clock or Django, so the rules are tested as tables (tests/test_workflow.py).

One module per legal subject, named as the record kinds are in the other layers:

- `refusals`: Allowed / Refused and the RefusalError services raise.
- `concerns`, `adaptations`: before any case (SL 3 kap. 5 §).
- `referrals`: the report to the principal, which is the case: its states and transitions.
- `investigations`: the investigation and its assessment (SL 3 kap. 7 §).
- `programmes`: measures, settings, the distance-teaching term and the school's term dates
  (SL 3 kap. 9–12 §§).
- `decisions`: who may decide (SL 2 kap. 10 §, 3 kap. 9 § andra stycket), on what, and the
  service (delgivning) of the decision on each recipient.
- `follow_ups`: follow-up and evaluation of a programme in force.
- `appeals`: appeals (FL 43–47 §§), the appeal deadline and whose receipt starts it.
- `standing`: whether the pupil acts alone in the matter (SL 29 kap. 12 §).
- `communication`: kommunicering before an adverse decision (FL 25 §).
- `deadlines`: what the case waits for and by when (process.md §3).
- `levels`: the pupil's level of support.

Callers import the package (`from elevstod.support import workflow as wf`); every public name
is re-exported here.
"""

from elevstod.support.workflow.adaptations import (
    adaptation_stays_active,
    may_evaluate_adaptation,
    may_plan_next_evaluation,
)
from elevstod.support.workflow.appeals import (
    APPEAL_WEEKS,
    FL_APPEAL_TIME,
    FL_FORWARD,
    FL_HOW_TO_APPEAL,
    FL_LATE_APPEAL,
    FL_LATE_EXCUSED,
    RECONSIDERATION_CITATION,
    AppealClock,
    LateAppealFacts,
    Receipt,
    appeal_clock,
    appeal_deadline,
    appeal_is_timely,
    appeal_transition,
    case_action_after_appeal_step,
    late_appeal_excused,
    may_dismiss_appeal_as_late,
    may_forward_appeal,
    may_register_appeal,
    reconsideration_citation,
)
from elevstod.support.workflow.communication import (
    CommunicationException,
    CommunicationFacts,
    CommunicationPurpose,
    may_decide_adversely,
    may_record_answer,
    may_record_communication,
)
from elevstod.support.workflow.concerns import (
    may_close_concern,
)
from elevstod.support.workflow.deadlines import (
    DEFAULT_DEADLINES,
    CaseClock,
    DeadlineSettings,
    Due,
    case_due,
    is_overdue,
)
from elevstod.support.workflow.decisions import (
    DecisionAuthority,
    may_correct_service,
    may_decide,
    may_decide_closure,
    may_decide_no_programme,
    may_decide_programme,
    may_decide_programme_after_assessment,
    may_record_service,
    required_decision_types,
)
from elevstod.support.workflow.follow_ups import (
    may_record_follow_up,
)
from elevstod.support.workflow.investigations import (
    AssessmentFacts,
    may_change_assessment,
    may_conclude_assessment,
    may_edit_investigation,
    may_open_investigation,
    may_set_investigation_target,
)
from elevstod.support.workflow.levels import (
    support_level,
)
from elevstod.support.workflow.programmes import (
    DEFAULT_TERMS,
    RESERVED_SETTINGS,
    MeasureFacts,
    ProgrammeFacts,
    Term,
    TermDates,
    default_last_day,
    distance_period_outcome,
    may_act_on_programme,
    may_edit_programme,
    measure_outcome,
    term_end,
)
from elevstod.support.workflow.referrals import (
    case_transition,
    may_refer,
)
from elevstod.support.workflow.refusals import (
    ALLOWED,
    Allowed,
    Outcome,
    RefusalError,
    Refused,
    first_refusal,
    gettext_noop,
    refused_where,
)
from elevstod.support.workflow.standing import (
    AGE_OF_STANDING,
    Standing,
    age_on,
    standing_on,
)
from elevstod.support.workflow.states import (
    APPEAL_STATES_AWAITING_NEW_DECISION,
    APPEAL_STEPS_REOPENING,
    APPEAL_TRANSITIONS,
    CASE_TRANSITIONS,
    OPEN_CASE_STATES,
    UNDECIDED_PROGRAMME_STATES,
    AdaptationEffect,
    AdaptationNextStep,
    AdaptationState,
    AppealAction,
    AppealState,
    CarriedOut,
    CaseAction,
    CaseState,
    ConcernSource,
    ConcernState,
    DeadlineBasis,
    DecisionKind,
    FollowUpKind,
    FollowUpOutcome,
    MeasureEffect,
    MeasureSetting,
    NeedCategory,
    ProgrammeState,
    ProgrammeStep,
    ReferralGround,
    SupportLevel,
    TaskKind,
)

__all__ = [
    "AGE_OF_STANDING",
    "ALLOWED",
    "APPEAL_STATES_AWAITING_NEW_DECISION",
    "APPEAL_STEPS_REOPENING",
    "APPEAL_TRANSITIONS",
    "APPEAL_WEEKS",
    "CASE_TRANSITIONS",
    "DEFAULT_DEADLINES",
    "DEFAULT_TERMS",
    "FL_APPEAL_TIME",
    "FL_FORWARD",
    "FL_HOW_TO_APPEAL",
    "FL_LATE_APPEAL",
    "FL_LATE_EXCUSED",
    "OPEN_CASE_STATES",
    "RECONSIDERATION_CITATION",
    "RESERVED_SETTINGS",
    "UNDECIDED_PROGRAMME_STATES",
    "AdaptationEffect",
    "AdaptationNextStep",
    "AdaptationState",
    "Allowed",
    "AppealAction",
    "AppealClock",
    "AppealState",
    "AssessmentFacts",
    "CarriedOut",
    "CaseAction",
    "CaseClock",
    "CaseState",
    "CommunicationException",
    "CommunicationFacts",
    "CommunicationPurpose",
    "ConcernSource",
    "ConcernState",
    "DeadlineBasis",
    "DeadlineSettings",
    "DecisionAuthority",
    "DecisionKind",
    "Due",
    "FollowUpKind",
    "FollowUpOutcome",
    "LateAppealFacts",
    "MeasureEffect",
    "MeasureFacts",
    "MeasureSetting",
    "NeedCategory",
    "Outcome",
    "ProgrammeFacts",
    "ProgrammeState",
    "ProgrammeStep",
    "Receipt",
    "ReferralGround",
    "RefusalError",
    "Refused",
    "Standing",
    "SupportLevel",
    "TaskKind",
    "Term",
    "TermDates",
    "adaptation_stays_active",
    "age_on",
    "appeal_clock",
    "appeal_deadline",
    "appeal_is_timely",
    "appeal_transition",
    "case_action_after_appeal_step",
    "case_due",
    "case_transition",
    "default_last_day",
    "distance_period_outcome",
    "first_refusal",
    "gettext_noop",
    "is_overdue",
    "late_appeal_excused",
    "may_act_on_programme",
    "may_change_assessment",
    "may_close_concern",
    "may_conclude_assessment",
    "may_correct_service",
    "may_decide",
    "may_decide_adversely",
    "may_decide_closure",
    "may_decide_no_programme",
    "may_decide_programme",
    "may_decide_programme_after_assessment",
    "may_dismiss_appeal_as_late",
    "may_edit_investigation",
    "may_edit_programme",
    "may_evaluate_adaptation",
    "may_forward_appeal",
    "may_open_investigation",
    "may_plan_next_evaluation",
    "may_record_answer",
    "may_record_communication",
    "may_record_follow_up",
    "may_record_service",
    "may_refer",
    "may_register_appeal",
    "may_set_investigation_target",
    "measure_outcome",
    "reconsideration_citation",
    "refused_where",
    "required_decision_types",
    "standing_on",
    "support_level",
    "term_end",
]
