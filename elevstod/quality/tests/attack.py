"""The differencing attack on one published group, written independently of suppression.py.

The reader sees a group's published cells, the display kind of every hidden cell ("<5" or "–")
and, when shown, the group's total. They try every assignment of the hidden cells that agrees
with it. A "<5" cell with exactly one possible value has been given back.

The enumeration walks reachable sums cell by cell instead of using interval arithmetic (as
suppression.determined() does), so a mistake in one does not hide a mistake in the other.

What the reader knows about a hidden cell from the display alone (the strongest reader we can
justify, so that passing means something):
- "<5" on a cell that counts pupils themselves (value == pupils): 0–4.
- "<5" on a count of records (value may exceed pupils): any value ≥ 0.
- "–": it was not "<5", so at least five pupils, and a count of rows is never smaller than
  the number of distinct pupils behind it, so at least 5 whatever it counts.
- The total: its value when shown; "<5" on a pupil count means at most 4; "–" at least 5.
"""

from __future__ import annotations

from collections.abc import Sequence

from elevstod.quality.suppression import Cell, Published, Shown

# Written by hand, not imported: the rule is "fewer than five pupils" (issue 4).
FEW_BELOW = 5
# Unbounded hidden cells are enumerated up to this when no total bounds them: a larger value
# only adds possibilities, so a cell with two values found here has two values in truth.
OPEN_CAP = 60


def candidates(cell: Cell, shown: Shown, cap: int) -> range:
    """The values the display alone allows for one hidden cell."""
    if shown is Shown.FEW:
        if cell.value == cell.pupils:
            return range(0, min(FEW_BELOW - 1, cap) + 1)
        return range(0, cap + 1)
    return range(FEW_BELOW, cap + 1)  # "–"


def possible_values(
    cells: Sequence[Cell], published: Sequence[Published], total: Cell, shown_total: Published
) -> dict[int, set[int]]:
    """For every hidden cell, each value the reader cannot rule out."""
    hidden = [i for i, p in enumerate(published) if p.shown is not Shown.VALUE]
    known = sum(p.value or 0 for p in published if p.shown is Shown.VALUE)
    cap = shown_total.value if shown_total.value is not None else OPEN_CAP

    def total_allows(value: int) -> bool:
        if shown_total.shown is Shown.VALUE:
            return value == shown_total.value
        if shown_total.shown is Shown.FEW:
            return value <= FEW_BELOW - 1 if total.value == total.pupils else True
        return value >= FEW_BELOW  # "–"

    result: dict[int, set[int]] = {}
    for i in hidden:
        # Every sum the other hidden cells can reach together, one cell at a time.
        sums = {0}
        for j in hidden:
            if j != i:
                options = candidates(cells[j], published[j].shown, cap)
                sums = {s + x for s in sums for x in options if s + x <= cap * len(cells)}
        result[i] = {
            a
            for a in candidates(cells[i], published[i].shown, cap)
            if any(total_allows(known + a + s) for s in sums)
        }
    return result


def assert_group_safe(
    cells: Sequence[Cell], published: Sequence[Published], total: Cell, shown_total: Published
) -> None:
    """Primary suppression holds, published values are the true ones, the total is the sum
    when shown, and no "<5" can be worked out by the reader above."""
    assert len(published) == len(cells)
    for cell, out in zip(cells, published, strict=True):
        if cell.pupils < FEW_BELOW:
            assert out.shown is Shown.FEW, (cell, out)
            assert out.value is None
            assert out.text == "<5"
        elif out.shown is Shown.VALUE:
            assert out.value == cell.value
            assert out.text == str(cell.value)
        else:
            # Secondary suppression never says "<5" about a cell of five or more pupils.
            assert out.shown is Shown.HIDDEN
            assert out.value is None
            assert out.text == "–"
    if total.pupils < FEW_BELOW:
        assert shown_total.shown is Shown.FEW
        assert shown_total.value is None
    elif shown_total.shown is Shown.VALUE:
        assert shown_total.value == sum(c.value for c in cells)
    else:
        # The total goes only when hiding every cell was not enough.
        assert shown_total.shown is Shown.HIDDEN
        assert shown_total.value is None
        assert all(p.shown is not Shown.VALUE for p in published)

    possible = possible_values(cells, published, total, shown_total)
    texts = [p.text for p in published]
    for i, out in enumerate(published):
        if out.shown is Shown.FEW:
            # The true value is among the possibilities (the enumeration is sound) ...
            assert cells[i].value in possible[i] or cells[i].value > OPEN_CAP, (cells, texts)
            # ... and never the only one: nothing was given back.
            assert len(possible[i]) >= 2, (cells, texts, shown_total.text)
