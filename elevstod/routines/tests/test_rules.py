"""The pure rules: review windows, required routines, the handling of a deviation, the diff."""

from datetime import date, timedelta

import pytest

from elevstod.routines import rules
from elevstod.routines.diff import field_diff, line_diff
from elevstod.routines.models import DeviationStatus, RoutineCategory

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("days", "state"),
    [
        (-1, rules.ReviewState.OVERDUE),
        (0, rules.ReviewState.DUE_SOON),
        (30, rules.ReviewState.DUE_SOON),
        (31, rules.ReviewState.OK),
        (365, rules.ReviewState.OK),
    ],
)
def test_review_state_marks_thirty_days_ahead_and_overdue(days: int, state: object) -> None:
    assert rules.review_state(TODAY + timedelta(days=days), TODAY) is state


def test_every_category_but_other_is_required_in_the_seeds_order() -> None:
    assert list(rules.REQUIRED_CATEGORIES) == [
        c for c in RoutineCategory.values if c != RoutineCategory.OTHER
    ]
    assert rules.missing_categories(set()) == list(rules.REQUIRED_CATEGORIES)
    present = {RoutineCategory.INVESTIGATION, RoutineCategory.OTHER}
    missing = rules.missing_categories(present)
    assert RoutineCategory.INVESTIGATION not in missing
    assert len(missing) == 8


@pytest.mark.parametrize(
    ("start", "end", "allowed"),
    [
        (DeviationStatus.REPORTED, DeviationStatus.UNDER_HANDLING, True),
        (DeviationStatus.REPORTED, DeviationStatus.CLOSED, True),
        (DeviationStatus.UNDER_HANDLING, DeviationStatus.REPORTED_TO_KSL, True),
        (DeviationStatus.REPORTED_TO_KSL, DeviationStatus.CLOSED, True),
        (DeviationStatus.UNDER_HANDLING, DeviationStatus.REPORTED, False),
        (DeviationStatus.REPORTED_TO_KSL, DeviationStatus.UNDER_HANDLING, False),
        (DeviationStatus.CLOSED, DeviationStatus.UNDER_HANDLING, False),
        (DeviationStatus.CLOSED, DeviationStatus.CLOSED, False),
        (DeviationStatus.REPORTED, DeviationStatus.REPORTED, False),
    ],
)
def test_deviation_handling_moves_forward_only(start: str, end: str, allowed: bool) -> None:
    assert rules.may_move(start, end) is allowed


def test_line_diff_shows_removed_and_added_lines_in_reading_order() -> None:
    lines = line_diff("Ett\nTvå\nTre", "Ett\nTvå och en halv\nTre\nFyra")
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "Ett"),
        ("removed", "Två"),
        ("added", "Två och en halv"),
        ("same", "Tre"),
        ("added", "Fyra"),
    ]


def test_field_diff_knows_when_nothing_changed() -> None:
    assert not field_diff("Syfte", "Samma", "Samma").changed
    assert field_diff("Syfte", "Före", "Efter").changed
