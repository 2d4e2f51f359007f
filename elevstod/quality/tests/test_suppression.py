"""Small-number suppression, tested as an attacker would use it (issue 4; security.md: the
huvudman sees counts, never pupils).

The attack is differencing: from a group's published cells, the kind of each hidden cell and
the total, try every assignment of the hidden cells (elevstod/quality/tests/attack.py, written
independently of suppression.py). No "<5" may come out with exactly one possible value.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from elevstod.quality.suppression import (
    Cell,
    Published,
    Shown,
    median_shown,
    share,
    suppress_group,
)
from elevstod.quality.tests.attack import FEW_BELOW, assert_group_safe


def _publish(
    values: list[tuple[int, int]],
) -> tuple[list[Cell], list[Published], Cell, Published]:
    cells = [Cell(v, p) for v, p in values]
    total = Cell(sum(c.value for c in cells), sum(c.pupils for c in cells))
    published, shown_total = suppress_group(cells, total)
    return cells, published, total, shown_total


def _assert_safe(values: list[tuple[int, int]]) -> None:
    assert_group_safe(*_publish(values))


# ------------------------------------------------------------------------------ generated groups

small = st.integers(min_value=0, max_value=FEW_BELOW - 1)
large = st.integers(min_value=FEW_BELOW, max_value=30)
pupil_counts = st.one_of(small, large, st.just(0))


@st.composite
def pupil_groups(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Cells that count pupils (value == pupils): the pyramid, "needs without a measure"..."""
    shape = draw(st.sampled_from(["mixed", "zeros", "all_small", "one_large", "two_small_equal"]))
    n = draw(st.integers(min_value=1, max_value=6))
    if shape == "zeros":
        values = [draw(st.sampled_from([0, 0, 0, 7])) for _ in range(n)]
    elif shape == "all_small":
        values = [draw(small) for _ in range(n)]
    elif shape == "one_large":
        values = [draw(small) for _ in range(n - 1)] + [draw(large)]
    elif shape == "two_small_equal":
        a = draw(small)
        values = [a, a] + [draw(pupil_counts) for _ in range(min(n, 4))]
    else:
        values = [draw(pupil_counts) for _ in range(n)]
    order = draw(st.permutations(values))
    return [(v, v) for v in order]


@st.composite
def record_groups(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Cells that count records (evaluations, reviews, needs): value ≥ pupils, 0 only with 0."""
    n = draw(st.integers(min_value=1, max_value=6))
    out = []
    for _ in range(n):
        pupils = draw(pupil_counts)
        extra = 0 if pupils == 0 else draw(st.integers(min_value=0, max_value=30 - pupils))
        out.append((pupils + extra, pupils))
    return out


# 400 examples each, 200 with HYPOTHESIS_PROFILE=ci (conftest.py): the groups by hand below and
# test_provider_table's attack on the real tables try the same property.
@settings(max_examples=4 * settings.default.max_examples, deadline=None)
@given(pupil_groups())
@example([(12, 12), (3, 3), (40, 40)])
@example([(0, 0), (0, 0), (0, 0)])
@example([(0, 0), (5, 5)])
@example([(2, 2), (2, 2), (30, 30)])
@example([(4, 4), (1, 1)])
@example([(1, 1), (2, 2), (1, 1)])
@example([(0, 0), (0, 0), (20, 20)])
@example([(3, 3), (5, 5), (5, 5)])
@example([(4, 4), (4, 4), (5, 5), (6, 6)])
def test_no_few_cell_is_given_back_in_a_group_of_pupil_counts(
    values: list[tuple[int, int]],
) -> None:
    _assert_safe(values)


@settings(max_examples=4 * settings.default.max_examples, deadline=None)
@given(record_groups())
@example([(7, 3), (20, 20)])
@example([(0, 0), (9, 5)])
@example([(3, 3), (6, 5), (30, 30)])
@example([(0, 0), (5, 5), (6, 2)])
def test_no_few_cell_is_given_back_in_a_group_of_record_counts(
    values: list[tuple[int, int]],
) -> None:
    _assert_safe(values)


# ------------------------------------------------------------------------------ by hand


def test_twelve_three_forty_does_not_publish_both_large_cells() -> None:
    # [12, 3, 40], total 55: publishing 12 and 40 gives back 55 - 12 - 40 = 3. The smallest
    # published figure (12) is hidden as "–"; then 3 could be 0–4 (12 would be 15–11).
    _cells, published, _total, shown_total = _publish([(12, 12), (3, 3), (40, 40)])
    assert not (published[0].shown is Shown.VALUE and published[2].shown is Shown.VALUE)
    assert [p.text for p in published] == ["–", "<5", "40"]
    assert shown_total.value == 55
    assert shown_total.text == "55"


def test_a_lone_zero_next_to_one_cell_hides_the_total() -> None:
    # [0, 5]: 5 - 5 = 0 gives the "<5" back; hiding 5 is not enough either ("–" is at least 5,
    # so the "<5" would be 5 - 5 = 0 again). Only hiding the total (5 pupils, so "–") helps.
    _cells, published, _total, shown_total = _publish([(0, 0), (5, 5)])
    assert [p.text for p in published] == ["<5", "–"]
    assert shown_total.shown is Shown.HIDDEN
    assert shown_total.value is None


def test_nothing_is_hidden_without_a_small_cell() -> None:
    _cells, published, _total, shown_total = _publish([(5, 5), (17, 17), (8, 8)])
    assert [p.value for p in published] == [5, 17, 8]
    assert shown_total.value == 30


def test_two_small_cells_protect_each_other() -> None:
    # 2 + 2 = 4 published beside 30 and 34: each "<5" may be 0–4, so nothing more is hidden.
    _cells, published, _total, shown_total = _publish([(2, 2), (2, 2), (30, 30)])
    assert [p.text for p in published] == ["<5", "<5", "30"]
    assert shown_total.value == 34


def test_a_small_total_is_itself_few() -> None:
    _cells, published, _total, shown_total = _publish([(1, 1), (2, 2), (1, 1)])
    assert [p.text for p in published] == ["<5", "<5", "<5"]
    assert shown_total.text == "<5"
    assert shown_total.value is None


def test_a_record_count_from_few_pupils_is_few_even_when_large() -> None:
    # Seven evaluations of three pupils: a figure built from fewer than five pupils.
    _cells, published, _total, shown_total = _publish([(7, 3), (20, 20)])
    assert published[0].text == "<5"
    assert published[0].value is None
    # 27 − 20 = 7 would give it back, so 20 is hidden too; then "<5" is anything up to 22.
    assert [p.text for p in published] == ["<5", "–"]
    assert shown_total.text == "27"


def test_the_choice_of_the_hidden_cell_does_not_give_a_value_back() -> None:
    # A reader who knows the rule (suppression.py states it) adds one fact: a "–" is
    # never larger than a figure left shown. With [3, 5, 5], hiding one 5 is not enough
    # ("–" would be 5..5, so "<5" = 13 − 5 − 5 = 3); both 5s are hidden.
    _cells, published, _total, shown_total = _publish([(3, 3), (5, 5), (5, 5)])
    assert [p.text for p in published] == ["<5", "–", "–"]
    assert shown_total.value == 13
    # By hand: each "–" is 5 or more and nothing shown caps it; "<5" is 0–4, summing to 13.
    possible_few = {
        few
        for few in range(0, 5)
        for first in range(5, 14)
        for second in range(5, 14)
        if few + first + second == 13
    }
    assert possible_few == {0, 1, 2, 3}


# ------------------------------------------------------------------------------ share, median


def test_share_is_shown_only_when_both_counts_are() -> None:
    assert share(Published(3, Shown.VALUE), Published(12, Shown.VALUE)) == pytest.approx(0.25)
    assert share(Published(12, Shown.VALUE), Published(12, Shown.VALUE)) == 1.0
    assert share(Published(None, Shown.FEW), Published(12, Shown.VALUE)) is None
    assert share(Published(None, Shown.HIDDEN), Published(12, Shown.VALUE)) is None
    assert share(Published(6, Shown.VALUE), Published(None, Shown.FEW)) is None
    assert share(Published(6, Shown.VALUE), Published(None, Shown.HIDDEN)) is None
    assert share(Published(0, Shown.VALUE), Published(0, Shown.VALUE)) is None


def test_published_text() -> None:
    assert Published(None, Shown.FEW).text == "<5"
    assert Published(None, Shown.HIDDEN).text == "–"
    assert Published(17, Shown.VALUE).text == "17"
    assert Published(0, Shown.VALUE).text == "0"


@pytest.mark.parametrize(
    ("pupils", "shown"), [(0, False), (1, False), (4, False), (5, True), (6, True), (120, True)]
)
def test_median_is_shown_from_five_pupils(pupils: int, shown: bool) -> None:
    assert median_shown(pupils) is shown
