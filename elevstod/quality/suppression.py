"""Small-number suppression for figures the huvudman sees (issue 4; security.md, counts only).

A figure built from fewer than five pupils is shown as "<5" (primary suppression). Hiding it is
not enough when a total is published beside it: total minus the other figures would give it
back. So every published table is a set of *groups*, each a list of cells that add up to a
published total (the units of one column add up to the huvudman's figure). In each group we
hide further cells (secondary suppression, shown as "–") until no hidden cell can be worked out
from the group's total, the published cells and what the display itself says about a hidden
cell: "<5" means 0–4, and "–" means at least 5 (a smaller figure would have shown "<5").
If every cell of a group is hidden and one is still determined, the group's total is hidden.

A difference of published figures is published too. Where a row (or the totals) shows a whole and
its parts, such as a share's denominator and its "yes" count, the remainder (the "no" group) is
a group of pupils of its own; when it has 1–4 pupils, the first part is hidden ("–", a
*complement* suppression) and then protected in its column like a "<5" (`Remainder`).

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
    # Hidden because whole minus parts would be a group of 1–4 pupils (`Remainder`). Published
    # as HIDDEN ("–"); inside this module protected like FEW: it must not be worked out.
    COMPLEMENT = "complement"


PROTECTED = frozenset({Shown.FEW, Shown.COMPLEMENT})


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


Interval = tuple[int, int | None]  # (lowest, highest or None for no upper bound)


def _bounds(cell: Cell, shown: Shown, cap: int | None) -> Interval:
    """What a reader knows about a cell from the display alone.

    "<5" bounds the pupils, not a count of records: a count of evaluations from three pupils may
    be 7. Only when the figure counts pupils themselves (value == pupils) is it 0–4. A "–" is
    never larger than a figure left shown (`cap`): the rule hides the smallest first, and a
    reader who knows the rule knows that too."""
    if shown is Shown.VALUE:
        return (cell.value, cell.value)
    if shown is Shown.FEW:
        return (0, THRESHOLD - 1) if cell.value == cell.pupils else (0, None)
    if shown is Shown.COMPLEMENT:  # not the smallest-first rule: no cap
        return (THRESHOLD if cell.value == cell.pupils else 0, None)
    return (THRESHOLD if cell.value == cell.pupils else 0, cap)


def _meet(a: Interval, b: Interval | None) -> Interval:
    if b is None:
        return a
    high = a[1] if b[1] is None else b[1] if a[1] is None else min(a[1], b[1])
    return (max(a[0], b[0]), high)


def _smallest_shown(cells: Sequence[Cell], shown: Sequence[Shown]) -> int | None:
    values = [c.value for c, s in zip(cells, shown, strict=True) if s is Shown.VALUE]
    return min(values) if values else None


def determined(
    cells: Sequence[Cell],
    shown: Sequence[Shown],
    total: int,
    limits: Sequence[Interval | None] | None = None,
) -> list[int]:
    """Indexes of "<5" cells whose value follows from the total, the shown cells, the display's
    own bounds and `limits` (what other published figures say about a cell, e.g. a numerator
    is at most its denominator): the attack this module exists to stop. A "–" that can be
    worked out gives away only a figure of five or more; what matters is whether it then
    gives away a "<5", and the "<5" cells' own intervals account for it."""
    hidden = [i for i, s in enumerate(shown) if s is not Shown.VALUE]
    if not hidden:
        return []
    rest = total - sum(c.value for c, s in zip(cells, shown, strict=True) if s is Shown.VALUE)
    cap = _smallest_shown(cells, shown)
    bounds = {
        i: _meet(_bounds(cells[i], shown[i], cap), limits[i] if limits else None) for i in hidden
    }
    # Sums over every hidden cell once; each cell's "others" are the sums less its own bounds.
    low_sum = sum(low for low, _ in bounds.values())
    unbounded = sum(1 for _, high in bounds.values() if high is None)
    high_sum = sum(high for _, high in bounds.values() if high is not None)
    pinned = []
    for i in (i for i in hidden if shown[i] in PROTECTED):
        own_low, own_high = bounds[i]
        low_others = low_sum - own_low
        if own_high is None:
            high_others = None if unbounded > 1 else high_sum
        else:
            high_others = None if unbounded else high_sum - own_high
        low = own_low if high_others is None else max(own_low, rest - high_others)
        high = rest - low_others if own_high is None else min(own_high, rest - low_others)
        if low >= high:
            pinned.append(i)
    return pinned


def _publish(
    cells: Sequence[Cell],
    total: Cell,
    shown: list[Shown],
    total_shown: Shown,
    limits: Sequence[Interval | None] | None = None,
    total_limit: Interval | None = None,
) -> Shown:
    """Hide the smallest shown cell until no hidden cell is determined; then the total."""
    if total_shown is Shown.COMPLEMENT:
        # The total is protected: the cells must not add up to it.
        while _total_determined(cells, shown, total_limit):
            candidates = [i for i, s in enumerate(shown) if s is Shown.VALUE]
            if not candidates:
                break
            shown[min(candidates, key=lambda i: (cells[i].value, i))] = Shown.HIDDEN
        return total_shown
    if total_shown is not Shown.VALUE:
        return total_shown
    while determined(cells, shown, total.value, limits):
        candidates = [i for i, s in enumerate(shown) if s is Shown.VALUE]
        if not candidates:
            return Shown.HIDDEN
        # The smallest published figure costs the reader least to lose.
        shown[min(candidates, key=lambda i: (cells[i].value, i))] = Shown.HIDDEN
    return total_shown


def _total_determined(
    cells: Sequence[Cell], shown: Sequence[Shown], limit: Interval | None
) -> bool:
    """Whether the sum of the cells follows from what is shown (and `limit`, what the other
    published totals say of it)."""
    cap = _smallest_shown(cells, shown)
    low = high = 0
    for cell, s in zip(cells, shown, strict=True):
        cell_low, cell_high = _bounds(cell, s, cap)
        if cell_high is None:
            return False
        low, high = low + cell_low, high + cell_high
    low, high_or_none = _meet((low, high), limit)
    return high_or_none is not None and low >= high_or_none


def _primary(cells: Sequence[Cell]) -> list[Shown]:
    return [Shown.FEW if is_few(cell) else Shown.VALUE for cell in cells]


def _as_published(
    cells: Sequence[Cell], shown: Sequence[Shown], total: Cell, total_shown: Shown
) -> tuple[list[Published], Published]:
    def out(s: Shown) -> Shown:
        return Shown.HIDDEN if s is Shown.COMPLEMENT else s

    return (
        [
            Published(c.value if s is Shown.VALUE else None, out(s))
            for c, s in zip(cells, shown, strict=True)
        ],
        Published(total.value if total_shown is Shown.VALUE else None, out(total_shown)),
    )


def suppress_group(cells: Sequence[Cell], total: Cell) -> tuple[list[Published], Published]:
    """Publish one group: the cells and their total. The total is the sum of the cells."""
    shown = _primary(cells)
    total_shown = _publish(cells, total, shown, Shown.FEW if is_few(total) else Shown.VALUE)
    return _as_published(cells, shown, total, total_shown)


# ------------------------------------------------------------ columns that constrain each other


@dataclass(frozen=True)
class AtMost:
    """In every row, column `small` is at most column `large` (a numerator and its
    denominator; steps within the deadline and all steps)."""

    small: str
    large: str


@dataclass(frozen=True)
class PartsAtMost:
    """In every row, the two `parts` together are at most `whole` (pupils with extra
    adaptations and pupils with special support, of all the unit's pupils)."""

    parts: tuple[str, str]
    whole: str


@dataclass(frozen=True)
class Remainder:
    """In every row and in the totals, `whole` less the `parts` is a group of pupils of its own
    that the table publishes by difference: a share's "no" (n − yes), the steps outside the
    deadline, the pupils with guidance only (all pupils less the two other levels)."""

    parts: tuple[str, ...]
    whole: str


Link = AtMost | PartsAtMost | Remainder
REMAINDER_SLACK = (1, THRESHOLD - 1)  # a protected remainder is 1–4 (for pupil counts)


def remainder_is_few(whole: Cell, parts: Sequence[Cell]) -> bool:
    """Whether whole − parts is a group of 1–4 pupils, or may be one: a count of records
    gives only a lower bound for its pupils (whole's pupils less the parts')."""
    value = whole.value - sum(p.value for p in parts)
    pupils_at_least = whole.pupils - sum(p.pupils for p in parts)
    return value >= 1 and pupils_at_least < THRESHOLD


def _protect_remainders(
    columns: dict[str, list[Cell]],
    totals: dict[str, Cell],
    shown: dict[str, list[Shown]],
    total_shown: dict[str, Shown],
    links: Sequence[Link],
) -> dict[Remainder, tuple[set[int], bool]]:
    """Complement suppression: where a remainder is few and the whole and every part are shown,
    the first part is hidden and protected. Returns, per link, the rows (and whether the
    totals) where the reader may take the remainder to be 1–4."""
    flagged: dict[Remainder, tuple[set[int], bool]] = {}
    for link in (link for link in links if isinstance(link, Remainder)):
        keys = (*link.parts, link.whole)
        rows = set()
        for row in range(len(columns[link.whole])):
            if remainder_is_few(columns[link.whole][row], [columns[k][row] for k in link.parts]):
                rows.add(row)
                if all(shown[k][row] is Shown.VALUE for k in keys):
                    shown[link.parts[0]][row] = Shown.COMPLEMENT
        in_totals = remainder_is_few(totals[link.whole], [totals[k] for k in link.parts])
        if in_totals and all(total_shown[k] is Shown.VALUE for k in keys):
            total_shown[link.parts[0]] = Shown.COMPLEMENT
        flagged[link] = (rows, in_totals)
    return flagged


def publish_table(
    columns: dict[str, list[Cell]], links: Sequence[Link] = ()
) -> dict[str, tuple[list[Published], Published]]:
    """Publish columns of one table (rows are the same units in every column); each column is
    a group whose total is the sum of its cells. `links` are what a reader knows across
    columns in a row; each column's check uses what the others publish, and the columns are
    checked again until nothing more is hidden (hiding only grows, so this ends)."""
    totals = {
        key: Cell(sum(c.value for c in cells), sum(c.pupils for c in cells))
        for key, cells in columns.items()
    }
    shown = {key: _primary(cells) for key, cells in columns.items()}
    total_shown = {key: Shown.FEW if is_few(t) else Shown.VALUE for key, t in totals.items()}
    flagged = _protect_remainders(columns, totals, shown, total_shown, links)
    changed = True
    while changed:
        changed = False
        for key, cells in columns.items():
            before = (list(shown[key]), total_shown[key])
            limits = _limits(key, columns, shown, links, flagged)
            total_limit = _total_limit(key, totals, total_shown, flagged)
            total_shown[key] = _publish(
                cells, totals[key], shown[key], total_shown[key], limits, total_limit
            )
            changed = changed or before != (shown[key], total_shown[key])
    return {
        key: _as_published(cells, shown[key], totals[key], total_shown[key])
        for key, cells in columns.items()
    }


def _limits(
    key: str,
    columns: dict[str, list[Cell]],
    shown: dict[str, list[Shown]],
    links: Sequence[Link],
    flagged: dict[Remainder, tuple[set[int], bool]] | None = None,
) -> list[Interval | None]:
    """For each row of column `key`: what the linked columns' published figures say of it."""
    flagged = flagged or {}
    links = [link for link in links if key in _columns_of(link)]
    if not links:
        return [None] * len(columns[key])
    smallest = {
        column: _smallest_shown(columns[column], shown[column])
        for link in links
        for column in _columns_of(link)
    }

    def known(column: str, row: int) -> Interval:
        return _bounds(columns[column][row], shown[column][row], smallest[column])

    rows = len(columns[key])
    limits: list[Interval | None] = [None] * rows
    for row in range(rows):
        bound: Interval = (0, None)
        for link in links:
            if isinstance(link, AtMost):
                if link.small == key:
                    bound = _meet(bound, (0, known(link.large, row)[1]))
                if link.large == key:
                    bound = _meet(bound, (known(link.small, row)[0], None))
            elif isinstance(link, Remainder):
                if row in flagged.get(link, (set(), False))[0]:
                    parts = [known(k, row) for k in link.parts]
                    bound = _meet(bound, _remainder_bound(key, link, parts, known(link.whole, row)))
            else:
                first, second = link.parts
                whole = known(link.whole, row)
                if key in link.parts:
                    other = known(second if key == first else first, row)
                    if whole[1] is not None:
                        bound = _meet(bound, (0, whole[1] - other[0]))
                if key == link.whole:
                    bound = _meet(bound, (known(first, row)[0] + known(second, row)[0], None))
        limits[row] = bound
    return limits


def _remainder_bound(
    key: str, link: Remainder, parts: Sequence[Interval], whole: Interval
) -> Interval:
    """What whole − parts = 1–4 says of column `key` (a part or the whole); the bound may be
    stronger than the truth for a count of records, which only hides more."""
    slack_low, slack_high = REMAINDER_SLACK
    if key == link.whole:
        highs = [high for _low, high in parts]
        low = sum(low for low, _high in parts) + slack_low
        return (low, None if None in highs else sum(h for h in highs if h is not None) + slack_high)
    index = link.parts.index(key)
    others = [bound for i, bound in enumerate(parts) if i != index]
    other_highs = [high for _low, high in others]
    high = None if whole[1] is None else whole[1] - sum(low for low, _h in others) - slack_low
    low = (
        0
        if None in other_highs
        else max(0, whole[0] - sum(h for h in other_highs if h is not None) - slack_high)
    )
    return (low, high)


def _total_limit(
    key: str,
    totals: dict[str, Cell],
    total_shown: dict[str, Shown],
    flagged: dict[Remainder, tuple[set[int], bool]],
) -> Interval | None:
    """What the other published totals say of column `key`'s total, when it is protected."""
    if total_shown[key] is not Shown.COMPLEMENT:
        return None
    bound: Interval = (0, None)
    for link, (_rows, in_totals) in flagged.items():
        if in_totals and key in _columns_of(link):

            def known(column: str) -> Interval:
                shown = total_shown[column]
                return (
                    (totals[column].value, totals[column].value)
                    if shown is Shown.VALUE
                    else _bounds(totals[column], shown, None)
                )

            parts = [known(k) for k in link.parts]
            bound = _meet(bound, _remainder_bound(key, link, parts, known(link.whole)))
    return bound


def _columns_of(link: Link) -> tuple[str, ...]:
    if isinstance(link, AtMost):
        return (link.small, link.large)
    return (*link.parts, link.whole)


def share(numerator: Published, denominator: Published) -> float | None:
    """A share is shown only when both its counts are: otherwise it would give one back."""
    if numerator.value is None or denominator.value is None or denominator.value == 0:
        return None
    return numerator.value / denominator.value


def median_shown(pupils: int) -> bool:
    """A median is not additive, so only its own size decides."""
    return pupils >= THRESHOLD
