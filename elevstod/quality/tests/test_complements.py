"""Differencing by complement (issue 10, item 16): a share publishes n and its "yes"; n − yes
is the "no" group. Neither a published cell nor a difference of published cells in a row or a
column may give back a group of 1–4 pupils.

The attacker below is written independently of suppression.py: it enumerates every pair of
columns (yes, n) that agrees with the display ("<5" on a pupil count is 0–4, "–" at least 5),
the published totals and yes ≤ n in every row, and looks at n − yes in each row and in the
totals.
"""

from __future__ import annotations

from itertools import product

from hypothesis import example, given, settings
from hypothesis import strategies as st

from elevstod.quality.suppression import AtMost, Cell, Published, Remainder, Shown, publish_table

FEW_BELOW = 5
CAP = 16  # above every true value here (yes, no ≤ 7): the truth is always among the options


def _options(published: Published, bound: int) -> range:
    if published.shown is Shown.VALUE:
        return range(published.value or 0, (published.value or 0) + 1)
    if published.shown is Shown.FEW:
        return range(0, FEW_BELOW)
    return range(FEW_BELOW, bound + 1)


def _total_allows(published: Published, value: int) -> bool:
    if published.shown is Shown.VALUE:
        return value == published.value
    if published.shown is Shown.FEW:
        return value < FEW_BELOW
    return value >= FEW_BELOW


def _columns(cells: list[Published], total: Published) -> list[tuple[int, ...]]:
    return [
        values
        for values in product(*(_options(p, CAP) for p in cells))
        if _total_allows(total, sum(values))
    ]


def _possible_remainders(out: dict[str, tuple[list[Published], Published]]) -> list[set[int]]:
    """For each row, then for the totals: every value of n − yes the reader cannot rule out."""
    yes_cells, yes_total = out["yes"]
    n_cells, n_total = out["n"]
    rows = len(yes_cells)
    found: list[set[int]] = [set() for _ in range(rows + 1)]
    n_columns = _columns(n_cells, n_total)
    for yes in _columns(yes_cells, yes_total):
        for n in n_columns:
            if all(y <= m for y, m in zip(yes, n, strict=True)):
                for row in range(rows):
                    found[row].add(n[row] - yes[row])
                found[rows].add(sum(n) - sum(yes))
    return found


def _publish(pairs: list[tuple[int, int]]) -> dict[str, tuple[list[Published], Published]]:
    """Pairs of (yes, no) pupils per unit; every figure counts pupils."""
    return publish_table(
        {"yes": [Cell(y, y) for y, _ in pairs], "n": [Cell(y + n, y + n) for y, n in pairs]},
        [AtMost("yes", "n"), Remainder(("yes",), "n")],
    )


pupils = st.integers(min_value=0, max_value=7)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(pupils, pupils), min_size=1, max_size=3))
@example([(8 - 2, 2)])  # n 8, yes 6: the "no" group of 2 must not be exact
@example([(7, 1), (7, 7)])
def test_no_difference_of_published_cells_gives_back_a_group_of_one_to_four(
    pairs: list[tuple[int, int]],
) -> None:
    out = _publish(pairs)
    possible = _possible_remainders(out)
    remainders = [no for _yes, no in pairs] + [sum(no for _yes, no in pairs)]
    for index, (true, options) in enumerate(zip(remainders, possible, strict=True)):
        assert true in options, (pairs, index)  # the enumeration is sound
        if 1 <= true < FEW_BELOW:
            assert len(options) >= 2, (pairs, index, options)


def test_a_share_whose_no_group_is_two_hides_its_yes() -> None:
    out = _publish([(8, 2), (20, 10), (9, 9)])
    yes_cells, _yes_total = out["yes"]
    assert yes_cells[0].text == "–"
    assert out["n"][0][0].text == "10"


def test_a_share_whose_no_group_is_zero_or_large_is_shown() -> None:
    out = _publish([(8, 0), (20, 10)])
    assert [p.text for p in out["yes"][0]] == ["8", "20"]
    assert out["yes"][1].text == "28"


def test_totals_whose_difference_is_small_hide_the_yes_total() -> None:
    out = _publish([(10, 1), (10, 0), (9, 2)])
    assert out["yes"][1].text == "–"
    assert out["n"][1].text == "32"
