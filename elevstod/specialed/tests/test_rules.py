"""The pure rules: the report's states, which fields belong to which level, terms, proposals."""

from __future__ import annotations

from datetime import date

import pytest

from elevstod.specialed import rules
from elevstod.specialed.rules import Level, ReportAction, ReportState


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        (ReportState.DRAFT, ReportAction.SUBMIT, ReportState.SUBMITTED),
        (ReportState.SUBMITTED, ReportAction.REVIEW, ReportState.REVIEWED),
        (ReportState.SUBMITTED, ReportAction.RETURN, ReportState.DRAFT),
        (ReportState.DRAFT, ReportAction.REVIEW, None),
        (ReportState.DRAFT, ReportAction.RETURN, None),
        (ReportState.SUBMITTED, ReportAction.SUBMIT, None),
        (ReportState.REVIEWED, ReportAction.SUBMIT, None),
        (ReportState.REVIEWED, ReportAction.RETURN, None),
        (ReportState.REVIEWED, ReportAction.REVIEW, None),
    ],
)
def test_report_transitions(state: ReportState, action: ReportAction, after) -> None:  # type: ignore[no-untyped-def]
    assert rules.report_next_state(state, action) == after


@pytest.mark.parametrize(
    ("level", "group", "pupil"),
    [
        (Level.ORGANISATION, False, False),
        (Level.GROUP, True, False),
        (Level.INDIVIDUAL, False, True),
    ],
)
def test_a_group_belongs_to_group_level_and_a_pupil_to_individual_level(
    level: Level, group: bool, pupil: bool
) -> None:
    assert rules.individual_fields_allowed(level) == (group, pupil)


@pytest.mark.parametrize(
    ("day", "name", "starts", "ends"),
    [
        (date(2026, 9, 14), "HT 2026", date(2026, 8, 1), date(2026, 12, 31)),
        (date(2026, 7, 10), "HT 2026", date(2026, 8, 1), date(2026, 12, 31)),
        (date(2027, 3, 1), "VT 2027", date(2027, 1, 1), date(2027, 6, 30)),
    ],
)
def test_term_containing(day: date, name: str, starts: date, ends: date) -> None:
    assert rules.term_containing(day) == rules.TermSpec(name, starts, ends)


def test_term_after_alternates_between_autumn_and_spring() -> None:
    autumn = rules.term_containing(date(2026, 10, 1))
    spring = rules.term_after(autumn)
    assert spring.name == "VT 2027"
    assert rules.term_after(spring).name == "HT 2027"


def test_proposals_are_lines_without_list_marks() -> None:
    text = "- Mer samplanering\n\n• Rutin för övergångar\n3. Kollegialt lärande\n  * Fler besök  \n"
    assert rules.proposals_from(text) == [
        "Mer samplanering",
        "Rutin för övergångar",
        "Kollegialt lärande",
        "Fler besök",
    ]
    assert rules.proposals_from("   \n") == []
    # A number that is part of the text stays.
    assert rules.proposals_from("2 handledningar per termin") == ["2 handledningar per termin"]
