"""The rules of special-education documentation, as plain Python (no Django, no database).

The periodic report follows seed 001 § 9: the special educator reports to the rektor, and
together they check that the goals are reached; the result and its analysis are the ground for
revised or new goals. Its states and the moves between them are a table, so the services, the
pages and the tests read the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Level(StrEnum):
    """Seed 001 § 4 and § 6: work on organisation, group and individual level."""

    ORGANISATION = "organisation"
    GROUP = "group"
    INDIVIDUAL = "individual"


class InterventionKind(StrEnum):
    """The kinds of work seed 001 §§ 2, 4, 6 and 7 name for the special educator."""

    STAFF_GUIDANCE = "staff_guidance"  # handledning av personal
    MAPPING = "mapping"  # kartläggning
    TEACHING = "teaching"  # undervisning
    COOPERATION = "cooperation"  # samverkan och samarbete
    ASSESSMENT = "assessment"  # pedagogisk bedömning eller utredning
    PUPIL_HEALTH_TEAM = "pupil_health_team"  # elevhälsoteamsarbete
    OTHER = "other"


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"


class ReportAction(StrEnum):
    SUBMIT = "submit"  # the special educator hands the report to the rektor
    RETURN = "return"  # the rektor sends it back for completion, with a comment
    REVIEW = "review"  # the rektor records the follow-up: comment and goal attainment


class GoalAttainment(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


class ActivityKind(StrEnum):
    """Seed 001 § 2 (handledning, research-based methods) and § 4 (research, colleagues)."""

    COURSE = "course"  # kurs/utbildning
    SUPERVISION = "supervision"  # handledning
    PEER_LEARNING = "peer_learning"  # kollegialt lärande
    RESEARCH = "research"  # forskningsbevakning
    OTHER = "other"


class PeriodKind(StrEnum):
    TERM = "term"
    SCHOOL_YEAR = "school_year"


REPORT_TRANSITIONS: dict[tuple[ReportState, ReportAction], ReportState] = {
    (ReportState.DRAFT, ReportAction.SUBMIT): ReportState.SUBMITTED,
    (ReportState.SUBMITTED, ReportAction.RETURN): ReportState.DRAFT,
    (ReportState.SUBMITTED, ReportAction.REVIEW): ReportState.REVIEWED,
}


class RuleError(Exception):
    """A refused step; `message` is the Swedish text shown to the user (set by the caller's
    gettext, so this module stays free of Django)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def report_next_state(state: ReportState, action: ReportAction) -> ReportState | None:
    """The state after `action`, or None when the report's state does not allow it."""
    return REPORT_TRANSITIONS.get((state, action))


def individual_fields_allowed(level: Level) -> tuple[bool, bool]:
    """(group allowed, pupil allowed): a teaching group belongs to group-level work and a pupil
    only to individual-level work, so the level figures stay true (seed 001 § 4)."""
    return level is Level.GROUP, level is Level.INDIVIDUAL


@dataclass(frozen=True)
class TermSpec:
    name: str
    starts_on: date
    ends_on: date


def term_containing(day: date) -> TermSpec:
    """The usual Swedish term around `day`: HT from 1 August to 31 December, VT from
    1 January to 30 June; July counts to the coming HT. Only a suggestion: the rektor sets the
    period's dates."""
    if day.month >= 7:
        return TermSpec(f"HT {day.year}", date(day.year, 8, 1), date(day.year, 12, 31))
    return TermSpec(f"VT {day.year}", date(day.year, 1, 1), date(day.year, 6, 30))


def term_after(term: TermSpec) -> TermSpec:
    if term.name.startswith("HT"):
        year = term.starts_on.year + 1
        return TermSpec(f"VT {year}", date(year, 1, 1), date(year, 6, 30))
    year = term.starts_on.year
    return TermSpec(f"HT {year}", date(year, 8, 1), date(year, 12, 31))


def proposals_from(text: str) -> list[str]:
    """The proposed improvements, one per line, without list marks ("-", "•", "1.")."""
    proposals = []
    for line in text.splitlines():
        stripped = line.strip().lstrip("-•*–").strip()
        head, dot, rest = stripped.partition(".")
        if dot and head.isdigit():
            stripped = rest.strip()
        if stripped:
            proposals.append(stripped)
    return proposals
