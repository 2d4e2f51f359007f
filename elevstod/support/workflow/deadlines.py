"""What the chain waits for, and by when: the law's dates and the huvudman's own deadlines where
the law only says "skyndsamt" (process.md §3, rule 4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from elevstod.support.workflow.states import CaseState, DeadlineBasis, TaskKind

SKYNDSAMT = "3 kap. 7 § skollagen (skyndsamt)"


@dataclass(frozen=True)
class DeadlineSettings:
    """A huvudman's own deadlines (process.md §3: configurable defaults, not law)."""

    receipt_days: int = 2  # principal acknowledges a report
    investigation_start_days: int = 7  # investigation opened after receipt
    investigation_complete_days: int = 42  # about 4–6 weeks after the report
    decision_days: int = 14  # decision after the assessment
    adaptation_evaluation_days: int = 42  # default planned evaluation of an adaptation
    follow_up_interval_days: int = 42  # follow-up every 4–6 weeks
    service_days: int = 7  # decision served on the recipients


DEFAULT_DEADLINES = DeadlineSettings()


@dataclass(frozen=True)
class Due:
    """One thing due from someone, with the rule that sets the date."""

    kind: TaskKind
    due_on: date
    basis: DeadlineBasis
    rule: str  # the paragraph or the municipal setting it comes from


def is_overdue(due: Due, today: date) -> bool:
    return due.due_on < today


@dataclass(frozen=True)
class CaseClock:
    """The dates a case's deadlines are counted from."""

    state: CaseState
    reported_on: date
    received_on: date | None = None
    investigation_opened_on: date | None = None
    assessed_on: date | None = None
    investigation_target_on: date | None = None
    extra: dict[str, date] = field(default_factory=dict)


def case_due(clock: CaseClock, settings: DeadlineSettings = DEFAULT_DEADLINES) -> Due | None:
    """What the case waits for next, and by when. The law says "skyndsamt"; the days are the
    huvudman's (process.md §3, rule 4)."""
    step = _next_step(clock, settings)
    if step is None:
        return None
    kind, due_on, rule = step
    return Due(kind, due_on, DeadlineBasis.MUNICIPAL, rule)


def _next_step(clock: CaseClock, settings: DeadlineSettings) -> tuple[TaskKind, date, str] | None:
    """The next step's kind, its day and the rule the day rests on."""
    if clock.state is CaseState.REPORTED:
        received_by = clock.reported_on + timedelta(days=settings.receipt_days)
        return TaskKind.RECEIVE_REFERRAL, received_by, SKYNDSAMT
    if clock.state is CaseState.RECEIVED and clock.received_on is not None:
        opened_by = clock.received_on + timedelta(days=settings.investigation_start_days)
        return TaskKind.OPEN_INVESTIGATION, opened_by, SKYNDSAMT
    if clock.state is CaseState.INVESTIGATING and clock.assessed_on is not None:
        decided_by = clock.assessed_on + timedelta(days=settings.decision_days)
        return TaskKind.DECIDE, decided_by, "3 kap. 9 § skollagen"
    if clock.state is CaseState.INVESTIGATING:
        counted_from = clock.received_on or clock.reported_on
        target = clock.investigation_target_on or (
            counted_from + timedelta(days=settings.investigation_complete_days)
        )
        return TaskKind.COMPLETE_INVESTIGATION, target, SKYNDSAMT
    return None
