"""The huvudman's table and the API summary: every unit side by side, and nothing from fewer
than five pupils can be read or worked out (issue 4; security.md: the huvudman sees counts).

The snapshots are written by hand (only the keys selectors.provider_table reads, in the shape
figures.compute writes: {"v": rows, "p": distinct pupils}), and every expected published figure
is worked out by hand in the comments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.audit.models import AccessEvent
from elevstod.organisation.models import AcademicYear, ProviderDuty
from elevstod.quality import selectors
from elevstod.quality.models import QualitySnapshot
from elevstod.quality.periods import Period, periods_of
from elevstod.quality.suppression import Cell, Published, Shown
from elevstod.quality.tests.attack import FEW_BELOW, assert_group_safe
from tests.factories import (
    GuardianFactory,
    ProviderFactory,
    PupilFactory,
    SchoolUnitFactory,
    UserFactory,
    duty,
    guardian_of,
    place,
)

GUIDANCE = "guidance_and_stimulation"
EXTRA = "extra_adaptations"
SPECIAL = "special_support"
CANARY = "Kanarieqkvalitet"
SHARE_KEYS = (
    "adaptations_sufficient",
    "measures_effective",
    "investigation_pupil",
    "investigation_guardian",
    "programme_pupil",
    "programme_guardian",
    "follow_up_pupil",
    "follow_up_guardian",
    "evaluation_pupil",
)
SHARE_PATHS = {
    "adaptations_sufficient": ("results", "adaptations", "all"),
    "measures_effective": ("results", "measures", "all"),
    **{key: ("participation", key) for key in SHARE_KEYS[2:]},
}
STEPS = (
    "concern_to_adaptation",
    "report_to_investigation",
    "investigation_to_decision",
    "decision_to_service",
)
MONTH_1, MONTH_2 = "2025-08-31", "2025-09-30"

Count = int | tuple[int, int]


def cnt(value: Count) -> dict[str, int]:
    """A count: an int counts pupils (v == p); a pair is (rows, pupils)."""
    v, p = (value, value) if isinstance(value, int) else value
    return {"v": v, "p": p}


def pyramid(pupils: int, guidance: int, extra: int, special: int) -> dict[str, Any]:
    return {
        "pupils": cnt(pupils),
        GUIDANCE: cnt(guidance),
        EXTRA: cnt(extra),
        SPECIAL: cnt(special),
    }


def figures(
    levels: tuple[int, int, int, int],
    *,
    match: dict[str, Count] | None = None,
    closed_needs_met: Count = 0,
    shares: dict[str, tuple[Count, Count]] | None = None,
    steps: dict[str, tuple[Count, float | None, Count]] | None = None,
    grade: dict[str, tuple[int, int, int, int]] | None = None,
    gender: dict[str, tuple[int, int, int, int]] | None = None,
    first_month: tuple[int, int, int, int] | None = None,
) -> dict[str, Any]:
    """One unit's snapshot figures. Shares are (yes, n); steps are (cases, median, within)."""
    match = match or {}
    shares = shares or {}
    steps = steps or {}
    participation = {
        key: {"n": cnt(shares.get(key, (0, 0))[1]), "yes": cnt(shares.get(key, (0, 0))[0])}
        for key in SHARE_KEYS[2:]
    }

    def share(key: str) -> dict[str, Any]:
        yes, n = shares.get(key, (0, 0))
        return {"n": cnt(n), "yes": cnt(yes)}

    return {
        "pyramid": pyramid(*levels),
        "over_time": [
            {"on": MONTH_1, **pyramid(*(first_month or levels))},
            {"on": MONTH_2, **pyramid(*levels)},
        ],
        "match": {
            key: cnt(match.get(key, 0))
            for key in (
                "needs_without_measure",
                "adaptations_without_need",
                "late_follow_up",
                "not_sufficient_without_referral",
            )
        },
        "results": {
            "adaptations": {"all": share("adaptations_sufficient")},
            "measures": {"all": share("measures_effective")},
            "closed_needs_met": cnt(closed_needs_met),
        },
        "participation": participation,
        "promptness": {
            step: {
                "cases": cnt(steps.get(step, (0, None, 0))[0]),
                "median": steps.get(step, (0, None, 0))[1],
                "within": cnt(steps.get(step, (0, None, 0))[2]),
                "deadline": 7,
            }
            for step in STEPS
        },
        "patterns": {
            "grade": {name: pyramid(*v) for name, v in (grade or {}).items()},
            "gender": {name: pyramid(*v) for name, v in (gender or {}).items()},
        },
    }


def _year() -> AcademicYear:
    today = timezone.localdate()
    starts = today - timedelta(days=100)
    return AcademicYear.objects.create(
        name=f"{starts.year}/{(starts.year + 1) % 100:02d}",
        starts_on=starts,
        ends_on=today + timedelta(days=200),
    )


def _snapshots(provider: Any, period: Period, units: dict[str, dict[str, Any]]) -> dict[str, Any]:
    made = {}
    for name, figs in units.items():
        unit: Any = SchoolUnitFactory(provider=provider, name=name)
        QualitySnapshot.objects.create(
            school_unit=unit,
            period=period.key,
            grade="",
            as_of=timezone.localdate(),
            computed_at=timezone.now(),
            figures=figs,
        )
        made[name] = unit
    return made


# ------------------------------------------------------------------------------ the main huvudman
#
# Five units, in name order. (pupils, guidance, extra, special) on the period's last day:
ASP = "Aspskolan"  # (3, 1, 1, 1): a tiny unit
EK = "Ekskolan"  # (120, 78, 30, 12)
GRAN = "Granskolan"  # (85, 62, 20, 3)
HASSEL = "Hasselskolan"  # (40, 32, 8, 0)
LONN = "Lönnskolan"  # (60, 50, 4, 6)
ORDER = (ASP, EK, GRAN, HASSEL, LONN)

# The inputs per column, in ORDER, kept here so the test can run the attack on them.
COLUMNS: dict[str, list[Count]] = {
    "pupils": [3, 120, 85, 40, 60],
    "extra_adaptations": [1, 30, 20, 8, 4],
    "special_support": [1, 12, 3, 0, 6],
    "needs_without_measure": [0, (9, 6), (4, 2), 0, (7, 5)],
    "adaptations_without_need": [1, (15, 12), 6, 2, 0],
    "late_follow_up": [0, 5, 2, 0, 0],
    "not_sufficient_without_referral": [0, 0, 0, 0, 0],
    "closed_needs_met": [0, 6, 1, 5, 0],
}
SHARES: dict[str, tuple[list[Count], list[Count]]] = {  # (yes per unit, n per unit)
    "adaptations_sufficient": (
        [1, (30, 20), (10, 8), 3, (6, 5)],
        [(2, 1), (50, 30), (25, 15), (8, 6), (12, 7)],
    ),
    "measures_effective": ([0, (14, 9), (5, 4), 0, 2], [0, (20, 11), (9, 5), 1, (4, 3)]),
    "investigation_pupil": ([0, 8, 2, 5, 1], [1, 10, 5, 6, 2]),
}
STEP_INPUT: dict[str, list[tuple[Count, float | None, Count]]] = {  # (cases, median, within)
    "report_to_investigation": [
        (1, 4.0, 1),
        (12, 6.0, 10),
        (4, 20.0, 1),
        ((6, 5), 10.0, (5, 4)),
        (0, None, 0),
    ],
    "investigation_to_decision": [
        (0, None, 0),
        (8, 12.0, 7),
        (3, 30.0, 1),
        (0, None, 0),
        (0, None, 0),
    ],
}


def _main_units() -> dict[str, dict[str, Any]]:
    levels = {
        ASP: (3, 1, 1, 1),
        EK: (120, 78, 30, 12),
        GRAN: (85, 62, 20, 3),
        HASSEL: (40, 32, 8, 0),
        LONN: (60, 50, 4, 6),
    }
    # The first month: special support only at Aspskolan (1 pupil) over the huvudman.
    first_month = {
        ASP: (3, 1, 1, 1),
        EK: (118, 90, 28, 0),
        GRAN: (85, 65, 20, 0),
        HASSEL: (40, 32, 8, 0),
        LONN: (60, 56, 4, 0),
    }
    grade = {
        ASP: {"4": (3, 1, 1, 1)},
        EK: {"7": (60, 40, 14, 6), "8": (60, 38, 16, 6)},
        GRAN: {"7": (45, 33, 10, 2), "9": (40, 29, 10, 1)},
        HASSEL: {"4": (40, 32, 8, 0)},
        LONN: {"8": (30, 25, 2, 3), "9": (30, 25, 2, 3)},
    }
    gender = {
        ASP: {"female": (2, 1, 1, 0), "male": (1, 0, 0, 1)},
        EK: {"female": (62, 40, 16, 6), "male": (58, 38, 14, 6)},
        GRAN: {"female": (40, 30, 9, 1), "male": (45, 32, 11, 2)},
        HASSEL: {"female": (20, 16, 4, 0), "male": (20, 16, 4, 0)},
        LONN: {"female": (30, 26, 1, 3), "male": (29, 24, 2, 3), "other": (1, 0, 1, 0)},
    }
    out = {}
    for i, name in enumerate(ORDER):
        match_keys = (
            "needs_without_measure",
            "adaptations_without_need",
            "late_follow_up",
            "not_sufficient_without_referral",
        )
        out[name] = figures(
            levels[name],
            match={key: COLUMNS[key][i] for key in match_keys},
            closed_needs_met=COLUMNS["closed_needs_met"][i],
            shares={key: (yes[i], n[i]) for key, (yes, n) in SHARES.items()},
            steps={step: rows[i] for step, rows in STEP_INPUT.items()},
            grade=grade[name],
            gender=gender[name],
            first_month=first_month[name],
        )
    return out


@pytest.fixture
def main(db: Any) -> dict[str, Any]:
    period = periods_of(_year())[0]
    provider: Any = ProviderFactory(name="Exempelstads kommun")
    units = _snapshots(provider, period, _main_units())
    table = selectors.provider_table(provider.pk, period, timezone.localdate())
    return {"provider": provider, "period": period, "units": units, "table": table}


def _texts(cells: list[Published]) -> list[str]:
    return [cell.text for cell in cells]


def _cells(values: Sequence[Count]) -> list[Cell]:
    return [Cell(cnt(v)["v"], cnt(v)["p"]) for v in values]


def _total(values: Sequence[Count]) -> Cell:
    cells = _cells(values)
    return Cell(sum(c.value for c in cells), sum(c.pupils for c in cells))


def test_units_in_name_order_with_their_day(main: dict[str, Any]) -> None:
    table = main["table"]
    assert [row.name for row in table.units] == list(ORDER)
    assert [row.unit_id for row in table.units] == [main["units"][n].pk for n in ORDER]
    assert all(row.as_of == timezone.localdate() for row in table.units)
    assert table.missing == 0


def test_support_levels_per_unit(main: dict[str, Any]) -> None:
    table = main["table"]
    column = {key: [row.counts[key] for row in table.units] for key in COLUMNS}
    # Pupils 3, 120, 85, 40, 60 (308): 308 − 120 − 85 − 40 − 60 = 3 would give Aspskolan
    # back, so the smallest shown figure (40) is hidden too; then Aspskolan is 0–4 (43 − "–").
    assert _texts(column["pupils"]) == ["<5", "120", "85", "–", "60"]
    assert table.total.counts["pupils"].text == "308"
    # Extra 1, 30, 20, 8, 4 (63): the two "<5" add up to 5, so each is 1–4. Nothing more.
    assert _texts(column["extra_adaptations"]) == ["<5", "30", "20", "8", "<5"]
    assert table.total.counts["extra_adaptations"].text == "63"
    # Special 1, 12, 3, 0, 6 (22): three "<5" add up to 4; each is 0–4.
    assert _texts(column["special_support"]) == ["<5", "12", "<5", "<5", "6"]
    assert table.total.counts["special_support"].text == "22"
    # Share with special support: only where both counts are shown (Ekskolan 12/120,
    # Lönnskolan 6/60, the huvudman 22/308 = 7 %).
    assert [row.special_share for row in table.units] == ["<5", "10 %", "<5", "<5", "10 %"]
    assert table.total.special_share == "7 %"


def test_match_and_result_columns(main: dict[str, Any]) -> None:
    table = main["table"]

    def column(key: str) -> list[str]:
        return _texts([row.counts[key] for row in table.units])

    # Needs without a measure, rows from pupils: (0,0), (9,6), (4,2), (0,0), (7,5) = 20.
    # Granskolan's 4 rows come from 2 pupils: "<5". Hidden rows add up to 4.
    assert column("needs_without_measure") == ["<5", "9", "<5", "<5", "7"]
    assert table.total.counts["needs_without_measure"].text == "20"
    assert column("adaptations_without_need") == ["<5", "15", "6", "<5", "<5"]
    assert column("late_follow_up") == ["<5", "5", "<5", "<5", "<5"]
    assert table.total.counts["late_follow_up"].text == "7"
    # Nothing anywhere: every cell and the total are from 0 pupils.
    assert column("not_sufficient_without_referral") == ["<5"] * 5
    assert table.total.counts["not_sufficient_without_referral"].text == "<5"
    assert column("closed_needs_met") == ["<5", "6", "<5", "5", "<5"]
    assert table.total.counts["closed_needs_met"].text == "12"


def test_no_column_gives_a_small_figure_back(main: dict[str, Any]) -> None:
    # The attack on every column of counts, the yes and n of every share, and the cases and
    # within of every step: the hand inputs against what the table publishes.
    table = main["table"]
    groups: list[tuple[Sequence[Count], list[Published], Published]] = []
    for key, values in COLUMNS.items():
        groups.append((values, [row.counts[key] for row in table.units], table.total.counts[key]))
    for key, (yes, n) in SHARES.items():
        groups.append(
            (yes, [row.shares[key].yes for row in table.units], table.total.shares[key].yes)
        )
        groups.append((n, [row.shares[key].n for row in table.units], table.total.shares[key].n))
    for step, rows in STEP_INPUT.items():
        cases = [r[0] for r in rows]
        within = [r[2] for r in rows]
        groups.append(
            (
                cases,
                [row.promptness[step].cases for row in table.units],
                table.total.promptness[step].cases,
            )
        )
        groups.append(
            (
                within,
                [row.promptness[step].within.yes for row in table.units],
                table.total.promptness[step].within.yes,
            )
        )
    for inputs, published, total in groups:
        assert_group_safe(_cells(inputs), published, _total(inputs), total)


def test_shares_need_both_counts(main: dict[str, Any]) -> None:
    table = main["table"]
    share = [row.shares["adaptations_sufficient"] for row in table.units]
    # yes 1, 30, 10, 3, 6 (50) → "<5", 30, 10, "<5", 6.
    # n (2 rows/1 pupil), 50, 25, 8, 12 (97): 97 − 50 − 25 − 8 − 12 = 2 gives Aspskolan's
    # rows back, so the smallest shown (8, Hasselskolan) is hidden as "–".
    # Askskolan's "no" (12 − 6 rows, 7 − 5 pupils) may be fewer than five pupils: its yes is
    # hidden (complement suppression), and then protected in the yes column, which hides the
    # rest of the column and its total (issue 10, item 16).
    assert _texts([s.yes for s in share]) == ["<5", "–", "–", "<5", "–"]
    assert _texts([s.n for s in share]) == ["<5", "50", "25", "–", "12"]
    assert [s.share for s in share] == [None, None, None, None, None]
    total = table.total.shares["adaptations_sufficient"]
    assert (total.yes.value, total.n.value) == (None, 97)
    assert total.text == "–"
    # Investigations with the pupil's view: yes 0, 8, 2, 5, 1; n 1, 10, 5, 6, 2.
    pupil_view = [row.shares["investigation_pupil"] for row in table.units]
    # Ekskolan 10 − 8 and Hasselskolan 6 − 5: the investigations without the pupil's view
    # (2 and 1) would be exact, so neither share is shown (complement suppression).
    assert [s.share for s in pupil_view] == [None, None, None, None, None]
    assert [s.yes.text for s in pupil_view] == ["<5", "–", "<5", "–", "<5"]
    # Granskolan: n is shown (5) but yes is "<5": the share would give yes back.
    assert pupil_view[2].n.value == 5
    assert pupil_view[2].yes.shown is Shown.FEW


def test_medians_from_fewer_than_five_pupils_are_hidden(main: dict[str, Any]) -> None:
    table = main["table"]
    steps = [row.promptness["report_to_investigation"] for row in table.units]
    # Cases 1, 12, 4, 6 rows/5 pupils, 0: medians shown for Ekskolan (6) and Hasselskolan
    # (10, five pupils); not for Aspskolan (1 pupil) nor Granskolan (4 pupils, median 20).
    assert [s.median for s in steps] == [None, 6.0, None, 10.0, None]
    assert [s.text for s in steps] == ["<5", "6", "<5", "10", "<5"]
    assert _texts([s.cases for s in steps]) == ["<5", "12", "<5", "6", "<5"]
    # Within the deadline 1, 10, 1, 5 rows/4 pupils, 0: only Ekskolan's is from five or more,
    # and its 12 − 10 = 2 cases outside the deadline would be exact: hidden (complement).
    assert _texts([s.within.yes for s in steps]) == ["<5", "–", "<5", "<5", "<5"]
    assert [s.within.share for s in steps] == [None, None, None, None, None]
    total = table.total.promptness["report_to_investigation"]
    assert total.cases.text == "23"
    assert total.within.yes.text == "17"
    # The huvudman's median is only shown from five or more pupils.
    decision = table.total.promptness["decision_to_service"]
    assert decision.median is None
    assert decision.cases.text == "<5"


def test_the_huvudman_median_does_not_give_a_hidden_median_back(main: dict[str, Any]) -> None:
    # Investigation → decision: Ekskolan 8 pupils, median 12 (shown); Granskolan 3 pupils,
    # median 30 (hidden); no other unit has a case. The huvudman's median is built from the
    # shown medians only (12), so the hidden 30 cannot be worked back out of it (it was 21,
    # the mean of 12 and 30, before the fix).
    table = main["table"]
    steps = [row.promptness["investigation_to_decision"] for row in table.units]
    assert [s.median for s in steps] == [None, 12.0, None, None, None]
    total = table.total.promptness["investigation_to_decision"]
    assert total.median == 12.0


def test_breakdowns_by_grade_and_gender(main: dict[str, Any]) -> None:
    table = main["table"]
    grade = dict(table.breakdowns["grade"])
    # Summed over units: year 4 (Asp + Hassel) 33/9/1, 7: 73/24/8, 8: 63/18/9, 9: 54/12/4.
    assert list(grade) == ["4", "7", "8", "9"]
    assert {name: {k: c.text for k, c in cells.items()} for name, cells in grade.items()} == {
        "4": {EXTRA: "9", SPECIAL: "<5"},
        "7": {EXTRA: "24", SPECIAL: "8"},
        "8": {EXTRA: "18", SPECIAL: "9"},
        "9": {EXTRA: "12", SPECIAL: "<5"},
    }
    # No row's own number of pupils is published (it would be a second group over the cells),
    # nor guidance only (its total is pupils − extra − special: with the unit table's totals
    # it would give a hidden level's total back).
    assert all("pupils" not in cells and GUIDANCE not in cells for cells in grade.values())
    gender = dict(table.breakdowns["gender"])
    # male 110/31/12, other 0/1/0, female 113/31/10 (sorted by length, then name).
    # Extra 31 + 1 + 31: the 1 would come back; the smaller (first) 31 is hidden.
    # Special 12 + 0 + 10: the 0 would come back; 10 is hidden.
    assert list(gender) == ["male", "other", "female"]
    assert {name: {k: c.text for k, c in cells.items()} for name, cells in gender.items()} == {
        "male": {EXTRA: "–", SPECIAL: "12"},
        "other": {EXTRA: "<5", SPECIAL: "<5"},
        "female": {EXTRA: "31", SPECIAL: "–"},
    }
    # And the attack on each level's column, with the huvudman's total as the published sum.
    sums = {
        "grade": {
            EXTRA: [9, 24, 18, 12],
            SPECIAL: [1, 8, 9, 4],
        },
        "gender": {
            EXTRA: [31, 1, 31],
            SPECIAL: [12, 0, 10],
        },
    }
    for dimension, rows in (("grade", grade), ("gender", gender)):
        for level, values in sums[dimension].items():
            published = [cells[level] for cells in rows.values()]
            total = _total(values)
            assert_group_safe(_cells(values), published, total, Published(total.value, Shown.VALUE))


def test_month_by_month(main: dict[str, Any]) -> None:
    table = main["table"]
    months = dict(table.over_time)
    # The last month is the unit table's day: its figures are published (and suppressed)
    # there only, so that two different suppressions cannot undo each other.
    assert list(months) == [MONTH_1]
    # First month: 306 pupils, guidance 244, extra 61, special 1 (Aspskolan only). 306 − 244 −
    # 61 = 1 would give the "<5" back, so extra (the smaller shown level) is hidden.
    assert {k: c.text for k, c in months[MONTH_1].items()} == {
        "pupils": "306",
        GUIDANCE: "244",
        EXTRA: "–",
        SPECIAL: "<5",
    }
    first = [244, 61, 1]
    published = [months[MONTH_1][level] for level in (GUIDANCE, EXTRA, SPECIAL)]
    assert_group_safe(_cells(first), published, _total(first), months[MONTH_1]["pupils"])


# ------------------------------------------------------------------------------ across tables
#
# A small huvudman: Björkskolan (21 pupils: 10 / 8 / 3) and Cederskolan (26: 20 / 6 / 0).
# In total 47 pupils: guidance 30, extra 14, special 3 — fewer than five with special support.


@pytest.fixture
def small(db: Any) -> dict[str, Any]:
    period = periods_of(_year())[0]
    provider: Any = ProviderFactory(name="Lilla kommunen")
    _snapshots(
        provider,
        period,
        {
            "Björkskolan": figures(
                (21, 10, 8, 3),
                gender={"female": (11, 5, 4, 2), "male": (10, 5, 4, 1)},
            ),
            "Cederskolan": figures(
                (26, 20, 6, 0),
                gender={"female": (13, 10, 3, 0), "male": (13, 10, 3, 0)},
            ),
        },
    )
    return {"table": selectors.provider_table(provider.pk, period, timezone.localdate())}


def _special_total_candidates(pupils: int, guidance: int | None, extra: int | None) -> set[int]:
    """The huvudman's special-support figure, "<5" (0–4), given what else is published:
    guidance + extra + special = pupils; a hidden guidance or extra is at least 5."""
    options = set()
    for special in range(0, FEW_BELOW):
        for g in [guidance] if guidance is not None else range(FEW_BELOW, pupils + 1):
            for e in [extra] if extra is not None else range(FEW_BELOW, pupils + 1):
                if g + e + special == pupils:
                    options.add(special)
    return options


def test_small_huvudman_special_support_is_few(small: dict[str, Any]) -> None:
    table = small["table"]
    assert table.total.counts["special_support"].text == "<5"
    assert table.total.counts["pupils"].text == "47"
    assert table.total.counts["extra_adaptations"].text == "14"
    assert _texts([row.counts["special_support"] for row in table.units]) == ["<5", "<5"]
    # The last month is the unit table's day: not published twice.
    assert MONTH_2 not in dict(table.over_time)


def test_month_table_and_unit_table_together_keep_special_support_hidden(
    small: dict[str, Any],
) -> None:
    table = small["table"]
    last = dict(table.over_time).get(MONTH_2, {})
    # What a reader takes from both tables: pupils and guidance from the month if it is
    # there, extra from whichever table shows it.
    extra = last[EXTRA].value if EXTRA in last else None
    if extra is None:
        extra = table.total.counts["extra_adaptations"].value
    pupils = (last["pupils"].value if "pupils" in last else None) or table.total.counts[
        "pupils"
    ].value
    assert pupils is not None
    guidance = last[GUIDANCE].value if GUIDANCE in last else None
    assert len(_special_total_candidates(pupils, guidance, extra)) >= 2


def test_breakdown_and_unit_table_together_keep_special_support_hidden(
    small: dict[str, Any],
) -> None:
    table = small["table"]
    gender = dict(table.breakdowns["gender"])
    shown_guidance = [
        cells[GUIDANCE].value if GUIDANCE in cells else None for cells in gender.values()
    ]
    guidance = None if None in shown_guidance else sum(v or 0 for v in shown_guidance)
    pupils = table.total.counts["pupils"].value
    assert pupils is not None
    extra = table.total.counts["extra_adaptations"].value
    assert len(_special_total_candidates(pupils, guidance, extra)) >= 2


def test_a_share_numerator_is_not_pinned_by_its_denominator(db: Any) -> None:
    period = periods_of(_year())[0]
    provider: Any = ProviderFactory()
    # Adaptations evaluated as sufficient (yes) of all evaluated (n), per unit:
    # A 3 of 10, B 5 of 5, C 20 of 30. Yes column 3, 5, 20 (28): 3 is "<5" and would come
    # back, so 5 is hidden as "–". n column 10, 5, 30: nothing small, all shown.
    _snapshots(
        provider,
        period,
        {
            "A-skolan": figures((40, 30, 10, 0), shares={"adaptations_sufficient": (3, 10)}),
            "B-skolan": figures((40, 30, 10, 0), shares={"adaptations_sufficient": (5, 5)}),
            "C-skolan": figures((40, 30, 10, 0), shares={"adaptations_sufficient": (20, 30)}),
        },
    )
    table = selectors.provider_table(provider.pk, period, timezone.localdate())
    shares = [row.shares["adaptations_sufficient"] for row in table.units]
    yes_total = table.total.shares["adaptations_sufficient"].yes.value
    assert _texts([s.yes for s in shares])[0] == "<5"
    # The reader: every yes is between its floor (0–4 for "<5", 5 for "–") and its n when n
    # is shown; the shown yes and the total fix the sum.
    ranges = []
    for s in shares:
        if s.yes.value is not None:
            ranges.append(range(s.yes.value, s.yes.value + 1))
            continue
        low, high = (0, FEW_BELOW - 1) if s.yes.shown is Shown.FEW else (FEW_BELOW, 10**3)
        if s.n.value is not None:
            high = min(high, s.n.value)
        ranges.append(range(low, high + 1))
    possible_a = {
        a
        for a in ranges[0]
        for b in ranges[1]
        for c in ranges[2]
        if yes_total is None or a + b + c == yes_total
    }
    assert len(possible_a) >= 2


def test_units_without_snapshots_are_computed_once(db: Any) -> None:
    # A new period: no snapshot yet, so every unit is computed now (no pupils: all "<5").
    period = periods_of(_year())[0]
    provider: Any = ProviderFactory()
    for name in ("Alm", "Bok"):
        SchoolUnitFactory(provider=provider, name=name)
    table = selectors.provider_table(provider.pk, period, timezone.localdate())
    assert table.missing == 2
    assert [row.name for row in table.units] == ["Alm", "Bok"]
    assert all(row.counts["pupils"].text == "<5" for row in table.units)
    assert QualitySnapshot.objects.filter(school_unit__provider=provider, grade="").count() == 2


# ------------------------------------------------------------------------------ the API


def _client(user: Any, *, second_factor: bool = True) -> Client:
    client = Client()
    client.force_login(user)
    if second_factor:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    assert client.session[SESSION_KEY]
    return client


def _admin(provider: Any) -> Any:
    user: Any = UserFactory()
    ProviderDuty.objects.create(user=user, provider=provider, duty="administrator")
    return user


URL = "/api/v1/quality/summary/"


def _published(cell: Published) -> dict[str, Any]:
    return {"value": cell.value, "shown": cell.shown.value, "text": cell.text}


def test_api_summary_is_the_same_suppressed_table(main: dict[str, Any]) -> None:
    provider, units = main["provider"], main["units"]
    pupil: Any = PupilFactory(last_name=CANARY)
    place(pupil, units[EK])
    client = _client(_admin(provider))
    before = AccessEvent.objects.filter(record_type="quality_summary").count()

    wide = client.get(URL)
    assert wide.status_code == 200
    body = wide.json()
    assert body["provider_id"] == str(provider.pk)
    assert body["period"] == main["period"].key
    assert body["threshold"] == 5
    assert [u["name"] for u in body["units"]] == list(ORDER)
    assert CANARY not in wide.content.decode()
    # The same figures as the page's table, unit by unit.
    by_name = {u["name"]: u for u in body["units"]}
    assert [by_name[n]["counts"]["pupils"]["text"] for n in ORDER] == ["<5", "120", "85", "–", "60"]
    assert by_name[ASP]["counts"]["special_support"] == {
        "value": None,
        "shown": "few",
        "text": "<5",
    }
    assert by_name[HASSEL]["counts"]["pupils"] == {"value": None, "shown": "hidden", "text": "–"}
    assert body["total"]["counts"]["pupils"]["value"] == 308
    assert by_name[GRAN]["promptness"]["report_to_investigation"]["median_days"] is None
    assert by_name[EK]["promptness"]["report_to_investigation"]["median_days"] == 6.0
    assert by_name[ASP]["shares"]["adaptations_sufficient"]["share"] is None
    assert by_name[EK]["shares"]["investigation_pupil"]["yes"] == {
        "value": None,
        "shown": "hidden",
        "text": "–",
    }
    # No value is published for any "<5" or "–" anywhere in the answer.

    def cells(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            if {"value", "shown", "text"} <= set(node):
                return [node]
            return [c for v in node.values() for c in cells(v)]
        if isinstance(node, list):
            return [c for v in node for c in cells(v)]
        return []

    published = cells(body)
    assert published
    assert all(c["value"] is None for c in published if c["shown"] != "value")

    for name in (ASP, HASSEL, EK):
        one = client.get(URL, {"school_unit": str(units[name].pk)})
        assert one.status_code == 200
        row = one.json()
        assert [u["name"] for u in row["units"]] == [name]
        # Cut from the huvudman-wide table: the very same suppression, and the same total.
        assert row["units"][0] == by_name[name]
        assert row["total"] == body["total"]
        assert CANARY not in one.content.decode()
    # Every answer is logged, with no pupil.
    events = AccessEvent.objects.filter(record_type="quality_summary").order_by("pk")
    assert events.count() == before + 4
    assert all(e.pupil_id is None for e in events)


def test_api_unit_row_equals_the_table_row(main: dict[str, Any]) -> None:
    provider, units, table = main["provider"], main["units"], main["table"]
    client = _client(_admin(provider))
    row = client.get(URL, {"school_unit": str(units[GRAN].pk)}).json()["units"][0]
    expected = next(r for r in table.units if r.name == GRAN)
    assert row["counts"] == {key: _published(cell) for key, cell in expected.counts.items()}
    assert row["shares"]["investigation_pupil"] == {
        "yes": _published(expected.shares["investigation_pupil"].yes),
        "n": _published(expected.shares["investigation_pupil"].n),
        "share": None,
    }


def test_api_refuses_everyone_but_the_huvudman(main: dict[str, Any]) -> None:
    provider, units = main["provider"], main["units"]
    unit = units[EK]
    principal: Any = UserFactory()
    duty(principal, unit, "principal")
    guardian_user: Any = UserFactory()
    pupil: Any = PupilFactory(last_name=CANARY)
    place(pupil, unit)
    guardian: Any = GuardianFactory(user=guardian_user)
    guardian_of(guardian, pupil)
    other_provider: Any = ProviderFactory()
    other_unit: Any = SchoolUnitFactory(provider=other_provider)
    other_admin = _admin(other_provider)

    for query in ({}, {"school_unit": str(unit.pk)}):
        # Anonymous: 401, as the rest of the API.
        assert Client().get(URL, query).status_code == 401
        # A principal of the unit and a guardian of a pupil there: the same 404 as missing.
        assert _client(principal).get(URL, query).status_code == 404
        assert _client(guardian_user, second_factor=False).get(URL, query).status_code == 404
    # Another huvudman's administrator may not read this one's units ...
    assert _client(other_admin).get(URL, {"school_unit": str(unit.pk)}).status_code == 404
    assert _client(other_admin).get(URL, {"huvudman": str(provider.pk)}).status_code == 404
    # ... and this one's administrator not the other's.
    admin = _client(_admin(provider))
    assert admin.get(URL, {"school_unit": str(other_unit.pk)}).status_code == 404
    assert admin.get(URL, {"huvudman": str(other_provider.pk)}).status_code == 404
    # A period that does not exist is the same 404; a unit id that does not exist too.
    assert admin.get(URL, {"period": "1999/00"}).status_code == 404
    assert (
        admin.get(URL, {"school_unit": "00000000-0000-0000-0000-000000000000"}).status_code == 404
    )


def test_a_median_is_written_as_the_principals_page_writes_it() -> None:
    """The huvudman's table wrote "5.5" where the principal's page says "5,5" (issue 13)."""
    from django.utils import translation

    from elevstod.quality import suppression as sup
    from elevstod.quality.selectors import PublishedMedian

    cases = sup.Published(value=12, shown=sup.Shown.VALUE)
    with translation.override("sv"):
        assert PublishedMedian(5.5, cases, None).text == "5,5"  # type: ignore[arg-type]
        assert PublishedMedian(5.0, cases, None).text == "5"  # type: ignore[arg-type]
    with translation.override("en"):
        assert PublishedMedian(5.5, cases, None).text == "5.5"  # type: ignore[arg-type]
