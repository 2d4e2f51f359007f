"""Small-number suppression for figures the huvudman sees (issue 4; security.md, counts only).

A figure built from fewer than five pupils is shown as "<5" (primary suppression). Hiding it is
not enough when a total is published beside it: total minus the other figures would give it
back. So every published table is a set of *groups*, each a list of cells that add up to a
published total (the units of one column add up to the huvudman's figure). In each group we
hide further cells (secondary suppression, shown as "–") until no hidden cell can be worked out
from the group's total, the published cells and what the display itself says about a hidden
cell: "<5" means 0–4, and "–" means at least 5 (a smaller figure would have shown "<5").
If every cell of a group is hidden and one is still determined, the group's total is hidden.

Tables are kept one-dimensional on purpose: no published figure is part of two groups, so the
check per group is the whole check (docs/decisions/0009). Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

THRESHOLD = 5


class Shown(StrEnum):
    VALUE = "value"
    FEW = "few"  # primary: built from fewer than THRESHOLD pupils, shown as "<5"
    HIDDEN = "hidden"  # secondary: hidden so that a "<5" cannot be worked out, shown as "–"


@dataclass(frozen=True)
class Cell:
    """A count and the number of distinct pupils it is built from."""

    value: int
    pupils: int


@dataclass(frozen=True)
class Published:
    value: int | None  # None unless shown
    shown: Shown

    @property
    def text(self) -> str:
        if self.shown is Shown.FEW:
            return f"<{THRESHOLD}"
        if self.shown is Shown.HIDDEN:
            return "–"
        return str(self.value)


def is_few(cell: Cell) -> bool:
    return cell.pupils < THRESHOLD


def _bounds(cell: Cell, shown: Shown, cap: int | None) -> tuple[int, int | None]:
    """What a reader knows about a hidden cell from the display alone (None: no upper bound).

    "<5" bounds the pupils, not a count of records: a count of evaluations from three pupils may
    be 7. Only when the figure counts pupils themselves (value == pupils) is it 0–4. A "–" is
    never larger than a figure left shown (`cap`): the rule hides the smallest first, and a
    reader who knows the rule knows that too."""
    if shown is Shown.FEW:
        return (0, THRESHOLD - 1) if cell.value == cell.pupils else (0, None)
    return (THRESHOLD if cell.value == cell.pupils else 0, cap)


def determined(cells: Sequence[Cell], shown: Sequence[Shown], total: int) -> list[int]:
    """Indexes of hidden cells whose value follows from the total, the shown cells and the
    display's own bounds: the attack this module exists to stop."""
    hidden = [i for i, s in enumerate(shown) if s is not Shown.VALUE]
    if not hidden:
        return []
    values = [cells[i].value for i, s in enumerate(shown) if s is Shown.VALUE]
    rest = total - sum(values)
    cap = min(values) if values else None
    bounds = {i: _bounds(cells[i], shown[i], cap) for i in hidden}
    pinned = []
    for i in hidden:
        others = [bounds[j] for j in hidden if j != i]
        low_others = sum(low for low, _ in others)
        high_others = (
            None if any(high is None for _, high in others) else sum(h or 0 for _, h in others)
        )
        own_low, own_high = bounds[i]
        low = own_low if high_others is None else max(own_low, rest - high_others)
        high = rest - low_others if own_high is None else min(own_high, rest - low_others)
        if low >= high:
            pinned.append(i)
    return pinned


def suppress_group(cells: Sequence[Cell], total: Cell) -> tuple[list[Published], Published]:
    """Publish one group: the cells and their total. The total is the sum of the cells."""
    shown = [Shown.FEW if is_few(cell) else Shown.VALUE for cell in cells]
    total_shown = Shown.FEW if is_few(total) else Shown.VALUE
    if total_shown is Shown.VALUE:
        while determined(cells, shown, total.value):
            candidates = [i for i, s in enumerate(shown) if s is Shown.VALUE]
            if not candidates:
                total_shown = Shown.HIDDEN
                break
            # The smallest published figure costs the reader least to lose.
            smallest = min(candidates, key=lambda i: (cells[i].value, i))
            shown[smallest] = Shown.HIDDEN
    published = [
        Published(cell.value if s is Shown.VALUE else None, s)
        for cell, s in zip(cells, shown, strict=True)
    ]
    return published, Published(total.value if total_shown is Shown.VALUE else None, total_shown)


def share(numerator: Published, denominator: Published) -> float | None:
    """A share is shown only when both its counts are: otherwise it would give one back."""
    if numerator.value is None or denominator.value is None or denominator.value == 0:
        return None
    return numerator.value / denominator.value


def median_shown(pupils: int) -> bool:
    """A median is not additive, so only its own size decides."""
    return pupils >= THRESHOLD
