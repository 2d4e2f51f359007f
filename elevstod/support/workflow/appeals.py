"""Appeals against a decision and their deadline (FL 43–47 §§; SL 28 kap. 16 §).

FL 43–47 §§ (how an appeal is made, its time, late appeals, forwarding) apply to every
huvudman, municipal or enskild, through SL 29 kap. 11 §; FL 33 § (underrättelse) through
SL 29 kap. 10 §. FL 37–39 §§ (ändring av beslut, omprövning) are NOT among the sections SL 29 kap.
10–11 §§ list: they bind a municipal huvudman because förvaltningslagen applies to the
municipality as an authority, not an enskild huvudman.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypedDict, Unpack

from elevstod.support.workflow.refusals import (
    ALLOWED,
    Outcome,
    Refused,
    gettext_noop,
    refused_where,
)
from elevstod.support.workflow.states import (
    APPEAL_STEPS_REOPENING,
    APPEAL_TRANSITIONS,
    AppealAction,
    AppealState,
    CaseAction,
    CaseState,
    DecisionKind,
)

FL_HOW_TO_APPEAL = "43 § förvaltningslagen (29 kap. 11 § skollagen)"
FL_APPEAL_TIME = "44 § förvaltningslagen (29 kap. 11 § skollagen)"
FL_LATE_APPEAL = "45 § förvaltningslagen (29 kap. 11 § skollagen)"
FL_LATE_EXCUSED = "45 § andra stycket förvaltningslagen (29 kap. 11 § skollagen)"
FL_FORWARD = "46 § förvaltningslagen (29 kap. 11 § skollagen)"
RECONSIDERATION_CITATION = {
    True: "37–39 §§ förvaltningslagen",  # municipal huvudman: FL applies directly
    False: "29 kap. 10–11 §§ skollagen (37–39 §§ förvaltningslagen gäller inte enskild huvudman)",
}
APPEAL_WEEKS = 3  # FL 44 § via SL 29 kap. 11 §: three weeks from the day the appellant received it


def reconsideration_citation(municipal: bool) -> str:
    """Where a decision-maker's changing of its own decision rests, by kind of huvudman."""
    return RECONSIDERATION_CITATION[municipal]


def appeal_deadline(received_on: date, days_off: Collection[date] = ()) -> date:
    """The last day to lodge an appeal, for one recipient.

    A time limit ending on a Saturday, Sunday or public holiday, or on midsommarafton,
    julafton or nyårsafton, runs to the next weekday (lag (1930:173) om beräkning av
    lagstadgad tid). `days_off` is that set of holidays, supplied by the caller.
    """
    deadline = received_on + timedelta(weeks=APPEAL_WEEKS)
    while deadline.weekday() >= 5 or deadline in days_off:
        deadline += timedelta(days=1)
    return deadline


# ----------------------------------------------------------------------------- appeals

ALREADY_HANDLED = Refused(
    "appeal.transition_not_allowed",
    gettext_noop("Överklagandet är redan handlagt i det här steget."),
)


def appeal_transition(state: AppealState, action: AppealAction) -> AppealState | Refused:
    return APPEAL_TRANSITIONS.get((state, action)) or ALREADY_HANDLED


SERVICE_REQUIRED = Refused(
    "appeal.service_required",
    gettext_noop(
        "Välj vem som överklagar bland beslutets mottagare: tiden för överklagande "
        "räknas från den dag just den personen fick del av beslutet."
    ),
    FL_APPEAL_TIME,
)
LODGED_IN_FUTURE = Refused(
    "appeal.lodged_in_future",
    gettext_noop("Dagen då överklagandet kom in kan inte ligga i framtiden."),
    FL_HOW_TO_APPEAL,
)
BEFORE_DECISION = Refused(
    "appeal.before_decision",
    gettext_noop("Ett överklagande kan inte ha kommit in före beslutet."),
    FL_HOW_TO_APPEAL,
)


def may_register_appeal(
    *, lodged_on: date, decided_on: date, today: date, appellant_served_row: bool
) -> Outcome:
    """An appeal is registered against the appellant's own service row: their three weeks run
    from their own receipt (FL 44 §), and only a recipient may appeal (SL 29 kap. 12 §)."""
    return refused_where(
        (not appellant_served_row, SERVICE_REQUIRED),
        (lodged_on > today, LODGED_IN_FUTURE),
        (lodged_on < decided_on, BEFORE_DECISION),
    )


@dataclass(frozen=True)
class Receipt:
    """One recipient's receipt as recorded: the day (None: not yet) and its appeal deadline."""

    received_on: date | None
    deadline: date | None


@dataclass(frozen=True)
class AppealClock:
    """What an appeal's timeliness is judged from: the deadline, or not served (the time has not
    begun to run), and whether it was the guardians' receipt that counted (SL 29 kap. 12 §)."""

    deadline: date | None
    not_served: bool
    through_guardians: bool = False


def appeal_clock(
    own: Receipt,
    *,
    acts_alone: bool = True,
    guardians: Sequence[Receipt] = (),
    earliest_deadline: date | None = None,
) -> AppealClock:
    """The appellant's own receipt starts their three weeks (FL 44 §), if they may act alone.

    A pupil who may not act alone (SL 29 kap. 12 §) appeals through the guardians with custody:
    the time runs from their receipt, and as they act together, from the last of them to receive
    the decision; while one has not, the time has not begun. `earliest_deadline` is the deadline
    counted from the decision's own day: no receipt precedes the decision (FL 44 §), so no appeal
    is judged against an earlier day, whatever an old record says.
    """
    if acts_alone:
        clock = AppealClock(own.deadline, not_served=own.received_on is None)
    elif not guardians or any(g.received_on is None or g.deadline is None for g in guardians):
        clock = AppealClock(None, not_served=True, through_guardians=True)
    else:
        last = max(g.deadline for g in guardians if g.deadline is not None)
        clock = AppealClock(last, not_served=False, through_guardians=True)
    if clock.not_served or clock.deadline is None:
        return AppealClock(None, not_served=True, through_guardians=clock.through_guardians)
    if earliest_deadline is not None and clock.deadline < earliest_deadline:
        return AppealClock(earliest_deadline, False, clock.through_guardians)
    return clock


def appeal_is_timely(lodged_on: date, deadline: date | None, *, not_served: bool = False) -> bool:
    """In time if lodged by the deadline. An appellant not yet served is in time by definition:
    their time has not begun to run (FL 44 §). `deadline` None means exactly that."""
    return not_served or deadline is None or lodged_on <= deadline


def late_appeal_excused(*, reached_board_in_time: bool, wrong_appeal_instructions: bool) -> bool:
    """FL 45 § andra stycket: a late appeal is not dismissed if the delay is due to wrong appeal
    instructions from the authority, or if it reached the appellate body within the time."""
    return reached_board_in_time or wrong_appeal_instructions


class LateAppealFacts(TypedDict, total=False):
    """What decides a late appeal besides its dates; each is False unless given."""

    not_served: bool  # the appellant was never served: their time has not run (FL 44 §)
    reached_board_in_time: bool  # FL 45 § andra stycket
    wrong_appeal_instructions: bool  # FL 45 § andra stycket


def _timely_or_excused(
    lodged_on: date, deadline: date | None, facts: LateAppealFacts
) -> tuple[bool, bool]:
    timely = appeal_is_timely(lodged_on, deadline, not_served=facts.get("not_served", False))
    excused = late_appeal_excused(
        reached_board_in_time=facts.get("reached_board_in_time", False),
        wrong_appeal_instructions=facts.get("wrong_appeal_instructions", False),
    )
    return timely, excused


def may_forward_appeal(
    lodged_on: date, deadline: date | None, **facts: Unpack[LateAppealFacts]
) -> Outcome:
    timely, excused = _timely_or_excused(lodged_on, deadline, facts)
    if timely or excused:
        return ALLOWED
    return Refused(
        "appeal.late",
        gettext_noop(
            "Överklagandet kom in efter sista dag (%(deadline)s) och ska avvisas, inte "
            "överlämnas, om det inte kom in till nämnden i tid eller förseningen beror på en "
            "felaktig överklagandehänvisning."
        ),
        FL_LATE_APPEAL,
        params=(("deadline", deadline.isoformat() if deadline else ""),),
    )


TIMELY = Refused(
    "appeal.timely",
    gettext_noop("Överklagandet kom in i tid och ska prövas, inte avvisas."),
    FL_LATE_APPEAL,
)
LATE_EXCUSED = Refused(
    "appeal.late_excused",
    gettext_noop(
        "Överklagandet får inte avvisas: det kom in till nämnden i tid eller förseningen "
        "beror på en felaktig överklagandehänvisning. Det ska överlämnas."
    ),
    FL_LATE_EXCUSED,
)


def may_dismiss_appeal_as_late(
    lodged_on: date, deadline: date | None, **facts: Unpack[LateAppealFacts]
) -> Outcome:
    timely, excused = _timely_or_excused(lodged_on, deadline, facts)
    return refused_where((timely, TIMELY), (excused, LATE_EXCUSED))


def case_action_after_appeal_step(
    action: AppealAction, decision_kind: DecisionKind, case_state: CaseState
) -> CaseAction | None:
    """When a decision not to draw up a programme is set aside, returned or changed, the case
    goes back to awaiting a new decision. A programme decision needs no case step (the new
    decision is a revision); other rulings, or a case that has moved on since, leave the case as
    it is (the ruling is recorded either way)."""
    if (
        action in APPEAL_STEPS_REOPENING
        and decision_kind is DecisionKind.NO_ACTION_PROGRAMME
        and case_state is CaseState.NO_PROGRAMME
    ):
        return CaseAction.REOPEN_AFTER_APPEAL
    return None
