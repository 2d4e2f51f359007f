"""The quality figures, checked against a small unit worked out by hand (issue 4, seed 003).

Every expected value below was counted by hand from the rows in `unit()`, and the working is in
the comments; nothing is computed with the code under test. A count is {"v": rows, "p":
distinct pupils}; where one pupil has several rows the two differ on purpose.

The unit, in the autumn term 2025 cut at 15 October (the window: 1 Aug – 15 Oct):

pupil  grade class gender   placed                 support
P1     7     7A    female   all term               A1 (Svenska, reading_writing) from May
P2     7     7A    male     all term               A2 (Ma, mathematics) 1 Sep, A3 (Ma,
                                                   mathematics+concentration) 15 Sep, one concern
P3     7     7B    female   all term               A4 (no subject, no need category) 20 Aug
P4     8     8A    male     all term               A5 (Engelska, language) 1 Mar – 5 Sep;
                                                   programme PR4 in force from 1 Oct
P5     8     8A    female   all term               programme PR5 1 Apr – closed 30 Sep;
                                                   A6 (Svenska, reading_writing+structure) 10 Aug
P6     8     8B    male     all term               A7 (Ma) since Jan; programme PR6a from 1 Feb,
                                                   superseded by PR6b from 1 Sep
P7     9     9A    female   all term               A10 (Engelska, language) 1 Sep – 1 Oct
P8     7     7B    male     from 10 Sep (arrived)  nothing
P9     9     9A    male     until 20 Sep (left)    A8 (Idrott, motor_skills); PR9 closed 1 Aug
P10    8     8B    female   all term               A9 (Svenska, wellbeing) from 15 Oct
P11    –     –     unknown  all term               only A11, which starts 20 Oct (after the cut)
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from elevstod.quality import figures as f
from elevstod.support import workflow as wf

D = date
GUIDANCE = "guidance_and_stimulation"
EXTRA = "extra_adaptations"
SPECIAL = "special_support"


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


P = {n: _id(n) for n in range(1, 12)}  # pupils P1..P11
C = {n: _id(100 + n) for n in range(1, 12)}  # concerns, numbered after their pupil
A = {n: _id(200 + n) for n in range(1, 12)}  # adaptations A1..A11
INV = {n: _id(300 + n) for n in range(1, 12)}  # investigations, numbered after their pupil


def c(v: int, p: int | None = None) -> dict[str, int]:
    """A count: v rows from p distinct pupils (p = v when every row is a different pupil)."""
    return {"v": v, "p": v if p is None else p}


def levels(pupils: int, guidance: int, extra: int, special: int) -> dict[str, dict[str, int]]:
    """A pyramid of pupil counts (one row per pupil, so v == p)."""
    return {
        "pupils": c(pupils),
        GUIDANCE: c(guidance),
        EXTRA: c(extra),
        SPECIAL: c(special),
    }


WINDOW = f.Window(starts_on=D(2025, 8, 1), ends_on=D(2025, 12, 31), as_of=D(2025, 10, 15))
# Not the defaults, so that a figure reading the wrong setting shows: report → investigation
# is receipt + start = 3 + 5 = 8 days; decision 10 days; service 5 days.
DEADLINES = wf.DeadlineSettings(
    receipt_days=3, investigation_start_days=5, decision_days=10, service_days=5
)


# Short names for the values in the rows below (workflow enums, spelled out by hand).
S, PA, NS = "sufficient", "partly", "not_sufficient"
AP, NO, CL = "action_programme", "no_action_programme", "action_programme_closure"
IN, SUP, CLO, DRAFT = "in_force", "superseded", "closed", "draft"
CONT, REV, CLOSE = "continue", "revise", "close"
MET, CLEAR, SOME, NONE = "need_met", "clear_progress", "some_progress", "no_progress"
OWN, IND, STG = "own_group", "individual_teaching", "special_teaching_group"


def unit() -> f.UnitData:
    placements = [
        f.PlacementRow(P[1], 7, D(2024, 8, 15), None, "female", "7A"),
        f.PlacementRow(P[2], 7, D(2024, 8, 15), None, "male", "7A"),
        f.PlacementRow(P[3], 7, D(2024, 8, 15), None, "female", "7B"),
        f.PlacementRow(P[4], 8, D(2024, 8, 15), None, "male", "8A"),
        f.PlacementRow(P[5], 8, D(2024, 8, 15), None, "female", "8A"),
        f.PlacementRow(P[6], 8, D(2024, 8, 15), None, "male", "8B"),
        f.PlacementRow(P[7], 9, D(2024, 8, 15), None, "female", "9A"),
        f.PlacementRow(P[8], 7, D(2025, 9, 10), None, "male", "7B"),
        f.PlacementRow(P[9], 9, D(2024, 8, 15), D(2025, 9, 20), "male", "9A"),
        f.PlacementRow(P[10], 8, D(2024, 8, 15), None, "female", "8B"),
        f.PlacementRow(P[11], None, D(2024, 8, 15), None, "unknown", ""),
    ]

    def adaptation(
        n: int,
        pupil: int,
        starts: date,
        ended: date | None,
        subject: str,
        needs: tuple[str, ...],
        concern: tuple[int, date] | None = None,
        referred: bool = False,
    ) -> f.AdaptationRow:
        return f.AdaptationRow(
            id=A[n],
            pupil=P[pupil],
            starts_on=starts,
            ended_on=ended,
            subject=subject,
            need_categories=needs,
            concern=C[concern[0]] if concern else None,
            concern_raised_on=concern[1] if concern else None,
            referred=referred,
        )

    adaptations = [
        adaptation(1, 1, D(2025, 5, 10), None, "Svenska", ("reading_writing",), (1, D(2025, 5, 2))),
        # A3 is listed before A2: the concern's FIRST adaptation is A2 (1 Sep), not A3.
        adaptation(
            3,
            2,
            D(2025, 9, 15),
            None,
            "Matematik",
            ("mathematics", "concentration"),
            (2, D(2025, 8, 25)),
        ),
        adaptation(2, 2, D(2025, 9, 1), None, "Matematik", ("mathematics",), (2, D(2025, 8, 25))),
        adaptation(4, 3, D(2025, 8, 20), None, "", (), (3, D(2025, 8, 18))),
        adaptation(5, 4, D(2025, 3, 1), D(2025, 9, 5), "Engelska", ("language",), referred=True),
        adaptation(
            6,
            5,
            D(2025, 8, 10),
            None,
            "Svenska",
            ("reading_writing", "structure_and_planning"),
            (5, D(2025, 7, 20)),
        ),
        adaptation(7, 6, D(2025, 1, 10), None, "Matematik", ("mathematics",), referred=True),
        adaptation(8, 9, D(2025, 2, 1), None, "Idrott och hälsa", ("motor_skills",)),
        adaptation(9, 10, D(2025, 10, 15), None, "Svenska", ("wellbeing",), (10, D(2025, 10, 1))),
        adaptation(
            10, 7, D(2025, 9, 1), D(2025, 10, 1), "Engelska", ("language",), (7, D(2025, 8, 29))
        ),
        adaptation(
            11, 11, D(2025, 10, 20), None, "Svenska", ("reading_writing",), (11, D(2025, 10, 10))
        ),
    ]
    evaluations = [
        f.EvaluationRow(A[1], D(2025, 9, 10), S, True),  # E1  P1
        f.EvaluationRow(A[2], D(2025, 9, 20), PA, False),  # E2  P2
        f.EvaluationRow(A[3], D(2025, 10, 5), NS, True),  # E3  P2, reported 10 Oct
        f.EvaluationRow(A[5], D(2025, 9, 5), NS, True),  # E4  P4, adaptation referred
        f.EvaluationRow(A[6], D(2025, 9, 25), S, False),  # E5  P5
        f.EvaluationRow(A[10], D(2025, 10, 1), NS, False),  # E6  P7, only an older referral
        f.EvaluationRow(A[1], D(2025, 7, 15), S, True),  # E7  P1, before the window
        f.EvaluationRow(A[4], D(2025, 10, 10), PA, True),  # E8  P3
        f.EvaluationRow(A[7], D(2025, 8, 20), NS, False),  # E9  P6, adaptation referred
        f.EvaluationRow(A[1], D(2025, 10, 12), NS, False),  # E10 P1, never referred
        f.EvaluationRow(A[11], D(2025, 10, 16), NS, True),  # E11 after the cut
    ]
    referrals = [
        f.ReferralRow(_id(402), P[2], D(2025, 10, 10)),
        f.ReferralRow(_id(404), P[4], D(2025, 9, 5)),
        f.ReferralRow(_id(406), P[6], D(2025, 1, 20)),
        f.ReferralRow(_id(407), P[7], D(2025, 3, 1)),
    ]
    investigations = [
        # id, pupil, reported, opened, assessed, pupil's view, guardians' view
        f.InvestigationRow(INV[4], P[4], D(2025, 9, 5), D(2025, 9, 12), D(2025, 9, 22), True, True),
        f.InvestigationRow(INV[2], P[2], D(2025, 10, 10), D(2025, 10, 14), None, False, False),
        f.InvestigationRow(
            INV[6], P[6], D(2025, 1, 20), D(2025, 1, 22), D(2025, 1, 28), True, True
        ),
        f.InvestigationRow(
            INV[5], P[5], D(2025, 7, 20), D(2025, 8, 5), D(2025, 8, 25), False, True
        ),
        f.InvestigationRow(
            INV[9], P[9], D(2025, 8, 10), D(2025, 8, 12), D(2025, 9, 15), True, False
        ),
        f.InvestigationRow(INV[7], P[7], D(2025, 10, 14), D(2025, 10, 20), None, False, False),
    ]
    decisions = [
        # id, pupil, kind, decided, investigation, its assessment, first receipt
        f.DecisionRow(_id(504), P[4], AP, D(2025, 9, 30), INV[4], D(2025, 9, 22), D(2025, 10, 3)),
        # Two decisions on I5: only the first (20 Sep) is the step investigation → decision.
        f.DecisionRow(_id(516), P[5], NO, D(2025, 10, 1), INV[5], D(2025, 8, 25), None),
        f.DecisionRow(_id(515), P[5], NO, D(2025, 9, 20), INV[5], D(2025, 8, 25), D(2025, 10, 10)),
        f.DecisionRow(_id(509), P[9], NO, D(2025, 9, 18), INV[9], D(2025, 9, 15), D(2025, 9, 19)),
        f.DecisionRow(_id(506), P[6], AP, D(2025, 1, 31), INV[6], D(2025, 1, 28), D(2025, 2, 3)),
        f.DecisionRow(_id(517), P[5], CL, D(2025, 9, 30), None, None, D(2025, 10, 2)),
        f.DecisionRow(_id(526), P[6], AP, D(2025, 8, 28), None, None, D(2025, 8, 29)),
        f.DecisionRow(_id(501), P[1], NO, D(2025, 7, 10), None, None, D(2025, 7, 31)),
    ]
    programmes = [
        # id, pupil, state, in force from, ended, follow-up due, pupil's view, guardians' view
        f.ProgrammeRow(_id(604), P[4], IN, D(2025, 10, 1), None, D(2025, 11, 1), True, False),
        # Closed by a decision on 30 Sep: in force up to and including 29 Sep.
        f.ProgrammeRow(
            _id(605), P[5], CLO, D(2025, 4, 1), D(2025, 9, 30), D(2025, 6, 1), False, True
        ),
        f.ProgrammeRow(
            _id(606), P[6], SUP, D(2025, 2, 1), D(2025, 9, 1), D(2025, 5, 1), True, True
        ),
        # PR6b's follow-up was due 10 Oct and is not yet held on 15 Oct: late.
        f.ProgrammeRow(_id(616), P[6], IN, D(2025, 9, 1), None, D(2025, 10, 10), False, True),
        f.ProgrammeRow(
            _id(609), P[9], CLO, D(2025, 3, 1), D(2025, 8, 1), D(2025, 6, 1), True, True
        ),
        f.ProgrammeRow(_id(601), P[1], DRAFT, None, None, None, True, True),
    ]
    needs = [
        f.NeedRow(_id(604), "reading_writing", 2),
        f.NeedRow(_id(604), "language", 0),
        f.NeedRow(_id(604), "wellbeing", 0),
        f.NeedRow(_id(616), "mathematics", 1),
        f.NeedRow(_id(616), "concentration", 0),
        f.NeedRow(_id(606), "social_interaction", 0),  # superseded: not in force now
        f.NeedRow(_id(605), "attendance", 0),  # closed
    ]
    follow_ups = [
        f.FollowUpRow(_id(705), P[5], _id(605), D(2025, 9, 25), CLOSE, True, True),
        f.FollowUpRow(_id(706), P[6], _id(606), D(2025, 8, 25), REV, False, True),
        f.FollowUpRow(_id(704), P[4], _id(604), D(2025, 10, 14), CONT, True, False),
        f.FollowUpRow(_id(709), P[9], _id(609), D(2025, 8, 1), CLOSE, False, False),
        f.FollowUpRow(_id(715), P[5], _id(605), D(2025, 6, 1), CONT, True, True),  # before
    ]
    reviews = [
        f.ReviewRow(_id(705), P[5], MET, OWN, "reading_writing"),
        f.ReviewRow(_id(705), P[5], MET, IND, "structure_and_planning"),
        f.ReviewRow(_id(706), P[6], SOME, OWN, "mathematics"),
        f.ReviewRow(_id(704), P[4], CLEAR, IND, "reading_writing"),
        f.ReviewRow(_id(704), P[4], NONE, OWN, "reading_writing"),
        f.ReviewRow(_id(709), P[9], MET, OWN, "motor_skills"),
        f.ReviewRow(_id(709), P[9], SOME, STG, "motor_skills"),
        f.ReviewRow(_id(715), P[5], NONE, OWN, "reading_writing"),  # follow-up before
    ]
    return f.UnitData(
        placements=placements,
        adaptations=adaptations,
        evaluations=evaluations,
        referrals=referrals,
        investigations=investigations,
        decisions=decisions,
        programmes=programmes,
        needs=needs,
        follow_ups=follow_ups,
        reviews=reviews,
    )


@pytest.fixture(scope="module")
def figures() -> dict:
    return f.compute(unit(), WINDOW, DEADLINES)


# ------------------------------------------------------------------------------ the pyramid


def test_window(figures: dict) -> None:
    assert figures["window"] == {
        "starts_on": "2025-08-01",
        "ends_on": "2025-12-31",
        "as_of": "2025-10-15",
    }


def test_pyramid_on_the_last_day(figures: dict) -> None:
    # Placed on 15 Oct: P1–P8, P10, P11 (P9 left 20 Sep) = 10.
    # Special: P4 (PR4 from 1 Oct), P6 (PR6b) = 2.
    # Extra: P1 (A1), P2 (A2, A3), P3 (A4), P5 (A6; PR5 closed 30 Sep), P10 (A9 starts that
    # very day) = 5.
    # Guidance: P7 (A10 ended 1 Oct), P8, P11 (A11 starts 20 Oct) = 3.
    assert figures["pyramid"] == levels(10, 3, 5, 2)


def test_pyramid_over_time_at_month_ends(figures: dict) -> None:
    # 31 Aug: placed P1–P7, P9, P10, P11 (P8 not yet). Special P5 (PR5), P6 (PR6a until
    # 1 Sep). Extra P1, P3 (A4 from 20 Aug), P4 (A5 until 5 Sep), P9 (A8). Guidance P2 (A2
    # from 1 Sep), P7 (A10 from 1 Sep), P10, P11.
    # 30 Sep: placed P1–P8, P10, P11 (P9 gone). Special P6 (PR6b). PR5 closed on 30 Sep, so
    # P5 is extra (A6). Extra P1, P2, P3, P5, P7 (A10 ends 1 Oct). Guidance P4 (A5 ended
    # 5 Sep, PR4 from 1 Oct), P8, P10, P11.
    # 15 Oct: the window's last day, as the pyramid.
    assert figures["over_time"] == [
        {"on": "2025-08-31", **levels(10, 4, 4, 2)},
        {"on": "2025-09-30", **levels(10, 4, 5, 1)},
        {"on": "2025-10-15", **levels(10, 3, 5, 2)},
    ]


def test_checkpoints_are_month_ends_and_the_last_day() -> None:
    assert f.checkpoints(WINDOW) == [D(2025, 8, 31), D(2025, 9, 30), D(2025, 10, 15)]
    # Across a new year, and a window that ends before the as-of day.
    winter = f.Window(D(2025, 11, 20), D(2026, 2, 10), D(2026, 6, 1))
    assert f.checkpoints(winter) == [
        D(2025, 11, 30),
        D(2025, 12, 31),
        D(2026, 1, 31),
        D(2026, 2, 10),
    ]


def test_flows_from_first_to_last_day(figures: dict) -> None:
    # On 1 Aug: P1 extra (A1), P2 guidance, P3 guidance (A4 from 20 Aug), P4 extra (A5),
    # P5 special (PR5), P6 special (PR6a), P7 guidance, P9 extra (A8), P10 guidance,
    # P11 guidance. PR9 closed on 1 Aug, so P9 is extra, not special, that day.
    # Placed both days: P1 e→e, P2 g→e, P3 g→e, P4 e→s, P5 s→e, P6 s→s, P7 g→g, P10 g→e,
    # P11 g→g. Arrived: P8. Left: P9.
    between = {a: {b: c(0) for b in (GUIDANCE, EXTRA, SPECIAL)} for a in (GUIDANCE, EXTRA, SPECIAL)}
    between[GUIDANCE][GUIDANCE] = c(2)
    between[GUIDANCE][EXTRA] = c(3)
    between[EXTRA][EXTRA] = c(1)
    between[EXTRA][SPECIAL] = c(1)
    between[SPECIAL][EXTRA] = c(1)
    between[SPECIAL][SPECIAL] = c(1)
    assert figures["flows"] == {"between": between, "arrived": c(1), "left": c(1)}


# ------------------------------------------------------------------------------ promptness


# Each step of the chain, counted by hand: cases, the median of their days, and the cases
# within the deadline (DEADLINES above).
PROMPTNESS = {
    # First adaptation per concern, started in the window: C2 → A2 1 Sep − 25 Aug = 7 (not
    # A3), C3 → 20 Aug − 18 Aug = 2, C5 → 10 Aug − 20 Jul = 21, C7 → 1 Sep − 29 Aug = 3,
    # C10 → 15 Oct − 1 Oct = 14. C1 started in May; C11's adaptation starts after the cut.
    # Median of 2, 3, 7, 14, 21 = 7. No deadline in law or setting ("skyndsamt").
    "concern_to_adaptation": {"cases": c(5), "median": 7.0, "within": c(0), "deadline": None},
    # Opened in the window: I4 12 Sep − 5 Sep = 7, I2 14 Oct − 10 Oct = 4, I5 5 Aug − 20 Jul
    # = 16, I9 12 Aug − 10 Aug = 2 (P9 has left since; the case still counts). I6 opened in
    # January, I7 after the cut. Median of 2, 4, 7, 16 = 5.5; within 3 + 5 = 8 days: 7, 4, 2.
    "report_to_investigation": {"cases": c(4), "median": 5.5, "within": c(3), "deadline": 8},
    # The first decision on each assessed investigation, decided in the window: I4 30 Sep −
    # 22 Sep = 8, I5 20 Sep − 25 Aug = 26 (its second decision on 1 Oct is not this step),
    # I9 18 Sep − 15 Sep = 3. I6 was decided in January. Median 8; within 10 days: 8, 3.
    "investigation_to_decision": {"cases": c(3), "median": 8.0, "within": c(2), "deadline": 10},
    # First receipt in the window: D504 (P4) 3, D515 (P5) 20, D509 (P9) 1, D517 (P5, the
    # closure) 2, D526 (P6, the revision) 1. D506 was served in February, D501 on 31 Jul,
    # D516 not yet. Five cases from four pupils; median of 1, 1, 2, 3, 20 = 2; within 5
    # days: all but D515, which leaves P4, P9, P5 (D517) and P6: four rows, four pupils.
    "decision_to_service": {"cases": c(5, 4), "median": 2.0, "within": c(4, 4), "deadline": 5},
}


@pytest.mark.parametrize("step", PROMPTNESS)
def test_promptness_per_step(figures: dict, step: str) -> None:
    assert figures["promptness"][step] == PROMPTNESS[step]


def test_a_step_with_no_cases_has_no_median() -> None:
    empty = f.compute(f.UnitData(), WINDOW, DEADLINES)
    assert empty["promptness"]["report_to_investigation"] == {
        "cases": c(0),
        "median": None,
        "within": c(0),
        "deadline": 8,
    }
    assert empty["pyramid"] == levels(0, 0, 0, 0)


# ------------------------------------------------------------------------------ match, results


def test_match_signals(figures: dict) -> None:
    # Needs without a measure in programmes in force on 15 Oct: PR4 language and wellbeing
    # (P4, two rows), PR6b concentration (P6). PR6a (superseded) and PR5 (closed) not.
    # Active adaptations without a need category: A4 (P3).
    # Late follow-up: PR6b (due 10 Oct); PR4 is due 1 Nov.
    # "Not sufficient" without a later report: E6 (P7; the report of 1 Mar came before) and
    # E10 (P1, never reported). Not E3 (P2 reported on 10 Oct, after), E4 and E9 (their
    # adaptations are part of a report), E11 (after the cut).
    assert figures["match"] == {
        "needs_without_measure": c(3, 2),
        "adaptations_without_need": c(1),
        "late_follow_up": c(1),
        "not_sufficient_without_referral": c(2),
    }


def test_adaptation_results(figures: dict) -> None:
    # Evaluations in the window: E1 P1 S, E2 P2 PA, E3 P2 NS, E4 P4 NS, E5 P5 S, E6 P7 NS,
    # E8 P3 PA, E9 P6 NS, E10 P1 NS: 9 rows, pupils P1–P7 = 7; sufficient: E1, E5.
    adaptations = figures["results"]["adaptations"]
    assert adaptations["all"] == {"n": c(9, 7), "yes": c(2)}
    assert adaptations["by_effect"] == {
        "sufficient": c(2),
        "partly": c(2),  # E2 P2, E8 P3
        "not_sufficient": c(5),  # E3 P2, E4 P4, E6 P7, E9 P6, E10 P1
    }
    # One row per need category of the evaluated adaptation; A4 has none ("other").
    assert adaptations["by_need"] == {
        "concentration": {"n": c(1), "yes": c(0)},  # E3
        "language": {"n": c(2), "yes": c(0)},  # E4, E6
        "mathematics": {"n": c(3, 2), "yes": c(0)},  # E2, E3 (both P2), E9
        "other": {"n": c(1), "yes": c(0)},  # E8
        "reading_writing": {"n": c(3, 2), "yes": c(2)},  # E1, E10 (both P1), E5
        "structure_and_planning": {"n": c(1), "yes": c(1)},  # E5
    }


def test_measure_results_and_closed_programmes(figures: dict) -> None:
    # Follow-ups held in the window: F705 (P5, close), F706 (P6, revise), F704 (P4,
    # continue), F709 (P9, close); F715 was in June. Their reviews: 7 rows from P5, P6, P4,
    # P9. Effective (need met or clear progress): P5 ×2, P4 clear, P9 need met = 4 rows,
    # 3 pupils.
    results = figures["results"]
    assert results["measures"]["all"] == {"n": c(7, 4), "yes": c(4, 3)}
    assert results["measures"]["by_need"] == {
        "mathematics": {"n": c(1), "yes": c(0)},
        "motor_skills": {"n": c(2, 1), "yes": c(1)},
        "reading_writing": {"n": c(3, 2), "yes": c(2)},  # P5 met, P4 clear, P4 none
        "structure_and_planning": {"n": c(1), "yes": c(1)},
    }
    assert results["measures"]["by_setting"] == {
        "individual_teaching": {"n": c(2), "yes": c(2)},  # P5 met, P4 clear
        "own_group": {"n": c(4), "yes": c(2)},  # P5 met, P6 some, P4 none, P9 met
        "special_teaching_group": {"n": c(1), "yes": c(0)},  # P9 some
    }
    # Closed: F705 and F709. Closed because every need was met: F705 only (F709 has a review
    # with some progress).
    assert results["closed"] == c(2)
    assert results["closed_needs_met"] == c(1)


# ------------------------------------------------------------------------------ participation


def test_participation(figures: dict) -> None:
    # Investigations assessed in the window: I4 (pupil ✓, guardians ✓), I5 (–, ✓), I9 (✓, –).
    # Programmes in force from a day in the window: PR4 (✓, –), PR6b (–, ✓); the draft has
    # no such day. Follow-ups held: F705 (✓, ✓), F706 (–, ✓), F704 (✓, –), F709 (–, –).
    # Evaluations: E1 ✓, E2 –, E3 ✓, E4 ✓, E5 –, E6 –, E8 ✓, E9 –, E10 – (9 rows, 7 pupils).
    assert figures["participation"] == {
        "investigation_pupil": {"n": c(3), "yes": c(2)},
        "investigation_guardian": {"n": c(3), "yes": c(2)},
        "programme_pupil": {"n": c(2), "yes": c(1)},
        "programme_guardian": {"n": c(2), "yes": c(1)},
        "follow_up_pupil": {"n": c(4), "yes": c(2)},
        "follow_up_guardian": {"n": c(4), "yes": c(2)},
        "evaluation_pupil": {"n": c(9, 7), "yes": c(4)},
    }


# ------------------------------------------------------------------------------ patterns


def test_patterns_by_grade_class_and_gender(figures: dict) -> None:
    # On 15 Oct: P1 7 7A f extra, P2 7 7A m extra, P3 7 7B f extra, P4 8 8A m special,
    # P5 8 8A f extra, P6 8 8B m special, P7 9 9A f guidance, P8 7 7B m guidance,
    # P10 8 8B f extra, P11 – – unknown guidance.
    patterns = figures["patterns"]
    assert patterns["grade"] == {
        "": levels(1, 1, 0, 0),
        "7": levels(4, 1, 3, 0),
        "8": levels(4, 0, 2, 2),
        "9": levels(1, 1, 0, 0),
    }
    assert patterns["group"] == {
        "": levels(1, 1, 0, 0),
        "7A": levels(2, 0, 2, 0),
        "7B": levels(2, 1, 1, 0),
        "8A": levels(2, 0, 1, 1),
        "8B": levels(2, 0, 1, 1),
        "9A": levels(1, 1, 0, 0),
    }
    assert patterns["gender"] == {
        "female": levels(5, 1, 4, 0),
        "male": levels(4, 1, 1, 2),
        "unknown": levels(1, 1, 0, 0),
    }


def test_patterns_by_subject(figures: dict) -> None:
    # Active on 15 Oct for a pupil placed then: A1 Sv (P1), A2 + A3 Ma (P2), A4 "" (P3),
    # A6 Sv (P5), A7 Ma (P6), A9 Sv (P10). Not A5, A10 (ended), A8 (P9 left), A11 (later).
    patterns = figures["patterns"]
    assert patterns["subject_active"] == {
        "": c(1),
        "Matematik": c(3, 2),
        "Svenska": c(3),
    }
    # Evaluations in the window by subject; sufficient only E1 (Sv, P1) and E5 (Sv, P5).
    assert patterns["subject_effect"] == {
        "": {"n": c(1), "yes": c(0)},  # E8
        "Engelska": {"n": c(2), "yes": c(0)},  # E4, E6
        "Matematik": {"n": c(3, 2), "yes": c(0)},  # E2, E3, E9
        "Svenska": {"n": c(3, 2), "yes": c(2)},  # E1, E5, E10
    }


def test_no_diagnosis_key_anywhere(figures: dict) -> None:
    # Process.md design rule 2: never by diagnosis. No key of the figures mentions one.
    def keys(node: object) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    assert not {k for k in keys(figures) if "diagnos" in k.lower()}


# ------------------------------------------------------------------------------ a year group


def test_a_year_group_filter_restricts_every_section() -> None:
    # Year 8: P4, P5, P6, P10. Worked out again by hand from the same rows.
    eight = {P[4], P[5], P[6], P[10]}
    got = f.compute(unit(), WINDOW, DEADLINES, keep=lambda pupil: pupil in eight)

    # 15 Oct: P4 special, P5 extra, P6 special, P10 extra.
    assert got["pyramid"] == levels(4, 0, 2, 2)
    # 31 Aug: P4 extra, P5 special, P6 special, P10 guidance. 30 Sep: P4 guidance, P5 extra,
    # P6 special, P10 guidance.
    assert got["over_time"] == [
        {"on": "2025-08-31", **levels(4, 1, 1, 2)},
        {"on": "2025-09-30", **levels(4, 2, 1, 1)},
        {"on": "2025-10-15", **levels(4, 0, 2, 2)},
    ]
    # 1 Aug → 15 Oct: P4 e→s, P5 s→e, P6 s→s, P10 g→e.
    between = {a: {b: c(0) for b in (GUIDANCE, EXTRA, SPECIAL)} for a in (GUIDANCE, EXTRA, SPECIAL)}
    between[EXTRA][SPECIAL] = c(1)
    between[SPECIAL][EXTRA] = c(1)
    between[SPECIAL][SPECIAL] = c(1)
    between[GUIDANCE][EXTRA] = c(1)
    assert got["flows"] == {"between": between, "arrived": c(0), "left": c(0)}

    promptness = got["promptness"]
    # C5 21 days, C10 14 days → median 17.5.
    assert promptness["concern_to_adaptation"] == {
        "cases": c(2),
        "median": 17.5,
        "within": c(0),
        "deadline": None,
    }
    # I4 7, I5 16 → median 11.5; within 8: I4.
    assert promptness["report_to_investigation"] == {
        "cases": c(2),
        "median": 11.5,
        "within": c(1),
        "deadline": 8,
    }
    # I4 8, I5 26 → 17; within 10: I4.
    assert promptness["investigation_to_decision"] == {
        "cases": c(2),
        "median": 17.0,
        "within": c(1),
        "deadline": 10,
    }
    # D504 3 (P4), D515 20 (P5), D517 2 (P5), D526 1 (P6) → median 2.5; within 5: three
    # rows from P4, P5, P6.
    assert promptness["decision_to_service"] == {
        "cases": c(4, 3),
        "median": 2.5,
        "within": c(3),
        "deadline": 5,
    }

    assert got["match"] == {
        "needs_without_measure": c(3, 2),  # PR4 ×2 (P4), PR6b (P6)
        "adaptations_without_need": c(0),  # A4 is P3's, year 7
        "late_follow_up": c(1),  # PR6b
        "not_sufficient_without_referral": c(0),  # E4, E9 referred; E6, E10 other years
    }

    results = got["results"]
    # E4 P4 NS (language, Engelska), E5 P5 S (reading_writing + structure, Svenska),
    # E9 P6 NS (mathematics, Matematik).
    assert results["adaptations"] == {
        "all": {"n": c(3), "yes": c(1)},
        "by_effect": {"sufficient": c(1), "partly": c(0), "not_sufficient": c(2)},
        "by_need": {
            "language": {"n": c(1), "yes": c(0)},
            "mathematics": {"n": c(1), "yes": c(0)},
            "reading_writing": {"n": c(1), "yes": c(1)},
            "structure_and_planning": {"n": c(1), "yes": c(1)},
        },
    }
    # F705 (P5: met, met), F706 (P6: some), F704 (P4: clear, none); F709 is P9's (year 9).
    assert results["measures"] == {
        "all": {"n": c(5, 3), "yes": c(3, 2)},
        "by_need": {
            "mathematics": {"n": c(1), "yes": c(0)},
            "reading_writing": {"n": c(3, 2), "yes": c(2)},
            "structure_and_planning": {"n": c(1), "yes": c(1)},
        },
        "by_setting": {
            "individual_teaching": {"n": c(2), "yes": c(2)},
            "own_group": {"n": c(3), "yes": c(1)},
        },
    }
    assert results["closed"] == c(1)
    assert results["closed_needs_met"] == c(1)

    assert got["participation"] == {
        "investigation_pupil": {"n": c(2), "yes": c(1)},  # I4 ✓, I5 –
        "investigation_guardian": {"n": c(2), "yes": c(2)},
        "programme_pupil": {"n": c(2), "yes": c(1)},  # PR4 ✓, PR6b –
        "programme_guardian": {"n": c(2), "yes": c(1)},
        "follow_up_pupil": {"n": c(3), "yes": c(2)},  # F705 ✓, F706 –, F704 ✓
        "follow_up_guardian": {"n": c(3), "yes": c(2)},  # F705 ✓, F706 ✓, F704 –
        "evaluation_pupil": {"n": c(3), "yes": c(1)},  # E4 ✓, E5 –, E9 –
    }

    patterns = got["patterns"]
    assert patterns["grade"] == {"8": levels(4, 0, 2, 2)}
    assert patterns["group"] == {"8A": levels(2, 0, 1, 1), "8B": levels(2, 0, 1, 1)}
    assert patterns["gender"] == {"female": levels(2, 0, 2, 0), "male": levels(2, 0, 0, 2)}
    assert patterns["subject_active"] == {"Matematik": c(1), "Svenska": c(2)}  # A7; A6, A9
    assert patterns["subject_effect"] == {
        "Engelska": {"n": c(1), "yes": c(0)},
        "Matematik": {"n": c(1), "yes": c(0)},
        "Svenska": {"n": c(1), "yes": c(1)},
    }


def test_a_filter_that_keeps_nobody_leaves_only_zeros() -> None:
    got = f.compute(unit(), WINDOW, DEADLINES, keep=lambda pupil: False)
    assert got["pyramid"] == levels(0, 0, 0, 0)
    assert got["flows"]["arrived"] == c(0)
    assert got["flows"]["left"] == c(0)
    assert all(step["cases"] == c(0) for step in got["promptness"].values())
    assert all(value == c(0) for value in got["match"].values())
    assert got["results"]["adaptations"]["by_need"] == {}
    assert got["results"]["measures"]["by_setting"] == {}
    assert got["results"]["closed"] == c(0)
    assert all(part["n"] == c(0) for part in got["participation"].values())
    assert got["patterns"]["grade"] == {}
    assert got["patterns"]["subject_effect"] == {}


def test_a_window_cut_earlier_moves_every_section() -> None:
    # The same term asked about on 31 Aug: the over-time axis stops there, and nothing from
    # September counts. Checked on a few figures worked out by hand.
    early = f.Window(D(2025, 8, 1), D(2025, 12, 31), D(2025, 8, 31))
    got = f.compute(unit(), early, DEADLINES)
    assert [p["on"] for p in got["over_time"]] == ["2025-08-31"]
    assert got["pyramid"] == levels(10, 4, 4, 2)  # as on 31 Aug above
    # Opened by 31 Aug: I5 (16 days), I9 (2 days).
    assert got["promptness"]["report_to_investigation"]["cases"] == c(2)
    assert got["promptness"]["report_to_investigation"]["median"] == 9.0
    # Evaluations by 31 Aug: E9 only (P6, not sufficient).
    assert got["results"]["adaptations"]["all"] == {"n": c(1), "yes": c(0)}
    # Follow-ups by 31 Aug: F706 (revise), F709 (close).
    assert got["results"]["closed"] == c(1)
    assert got["window"]["as_of"] == "2025-08-31"


def test_window_holds_and_last() -> None:
    window = f.Window(D(2025, 8, 1), D(2025, 12, 31), D(2026, 3, 1))
    assert window.last == D(2025, 12, 31)
    assert window.holds(D(2025, 8, 1))
    assert window.holds(D(2025, 12, 31))
    assert not window.holds(D(2025, 7, 31))
    assert not window.holds(D(2026, 1, 1))
    assert not window.holds(None)
    assert WINDOW.last == D(2025, 10, 15)
    assert not WINDOW.holds(D(2025, 10, 16))
    assert WINDOW.holds(WINDOW.last - timedelta(days=1))


# ------------------------------------------------------------------------------ from the database


def _adaptation(
    educator: Any,
    pupil: Any,
    unit: Any,
    starts: date,
    subject: str,
    needs: list[str],
    concern: Any = None,
) -> Any:
    """An extra adaptation made through the service, to be evaluated after four weeks."""
    from elevstod.support import services

    return services.adaptation_create(
        actor=educator,
        pupil=pupil,
        school_unit_id=unit.pk,
        values={
            "need_description": "Behöver stöd",
            "measure": "Anpassat material",
            "responsible": educator,
            "starts_on": starts,
            "evaluate_on": starts + timedelta(days=28),
            "subject": subject,
            "need_categories": needs,
        },
        concern=concern,
        today=starts,
    )


def _chain_in_database() -> dict:
    """A small chain made through the support services (and the ORM where a step needs a
    decision path the test does not care about), at unit A and, as noise, at unit B."""
    from elevstod.organisation.models import AcademicYear, GroupKind
    from elevstod.people.models import Gender
    from elevstod.support import services
    from elevstod.support.models import (
        ActionProgramme,
        Decision,
        DecisionService,
        FollowUp,
        Investigation,
        MeasureReview,
        ProgrammeMeasure,
        ProgrammeNeed,
        RecipientKind,
    )
    from tests.factories import (
        GroupFactory,
        ProviderFactory,
        PupilFactory,
        SchoolUnitFactory,
        UserFactory,
        duty,
        join,
        place,
    )

    provider: Any = ProviderFactory()
    unit_a: Any = SchoolUnitFactory(provider=provider)
    unit_b: Any = SchoolUnitFactory(provider=provider)
    principal: Any = UserFactory()
    educator: Any = UserFactory()
    duty(principal, unit_a, "principal")
    duty(principal, unit_b, "principal")
    duty(educator, unit_a, "special_educator")
    year = AcademicYear.objects.create(
        name="2025/26", starts_on=D(2025, 8, 1), ends_on=D(2026, 6, 30)
    )
    class_7a: Any = GroupFactory(
        school_unit=unit_a, academic_year=year, name="7A", kind=GroupKind.CLASS
    )
    x: Any = PupilFactory(gender=Gender.FEMALE)  # at A all term, in 7A
    z: Any = PupilFactory(gender=Gender.MALE)  # at A from 1 Sep, no class
    old: Any = PupilFactory()  # left A before the window
    y: Any = PupilFactory()  # at B
    place(x, unit_a, starts=D(2025, 6, 1), grade=7)
    place(z, unit_a, starts=D(2025, 9, 1), grade=8)
    place(old, unit_a, starts=D(2024, 8, 1), ends=D(2025, 6, 15), grade=9)
    place(y, unit_b, starts=D(2025, 6, 1), grade=7)
    join(x, class_7a)

    def evaluate(adaptation: Any, on: date, effect: str, view: str, step: str = "continue") -> Any:
        return services.adaptation_evaluate(
            actor=educator,
            adaptation=adaptation,
            effect=effect,
            next_step=step,
            pupil_view=view,
            next_evaluation_on=on + timedelta(days=30) if step == "continue" else None,
            today=on,
        )

    concern = services.concern_create(
        actor=educator,
        pupil=x,
        school_unit_id=unit_a.pk,
        source=wf.ConcernSource.TEACHING,
        description="Läser långsamt",
        today=D(2025, 8, 20),
    )
    a1 = _adaptation(educator, x, unit_a, D(2025, 8, 25), "Svenska", ["reading_writing"], concern)
    a2 = _adaptation(educator, x, unit_a, D(2025, 9, 2), "", [])
    a_old = _adaptation(educator, x, unit_a, D(2025, 1, 10), "Matematik", ["mathematics"])
    evaluate(a_old, D(2025, 5, 1), "sufficient", "Bra", step="end")  # ended before the window
    a_at_b = _adaptation(
        educator, x, unit_b, D(2025, 8, 25), "Engelska", ["language"]
    )  # another unit
    b1 = _adaptation(educator, y, unit_b, D(2025, 8, 25), "Svenska", ["reading_writing"])
    evaluate(a1, D(2025, 9, 20), "partly", "Jag tycker att det hjälper")
    evaluate(a2, D(2025, 10, 1), "sufficient", "")
    evaluate(a_at_b, D(2025, 9, 20), "sufficient", "Bra")
    evaluate(b1, D(2025, 9, 20), "sufficient", "Bra")
    a1.refresh_from_db()
    evaluate(a1, D(2025, 11, 5), "sufficient", "Bra")  # after the window

    referral = services.referral_create(
        actor=educator,
        pupil=x,
        school_unit_id=unit_a.pk,
        ground=wf.ReferralGround.DESPITE_ADAPTATIONS,
        description="Svårigheter trots anpassningar",
        adaptations=[a1],
        today=D(2025, 9, 22),
    )
    services.referral_create(
        actor=principal,
        pupil=y,
        school_unit_id=unit_b.pk,
        ground=wf.ReferralGround.OTHER_DIFFICULTIES,
        description="Svårigheter",
        today=D(2025, 9, 22),
    )
    services.referral_receive(actor=principal, referral=referral, today=D(2025, 9, 23))
    investigation = services.investigation_open(
        actor=principal,
        referral=referral,
        investigator_ids=[educator.pk],
        target_on=D(2025, 10, 20),
        today=D(2025, 9, 26),
    )
    Investigation.objects.filter(pk=investigation.pk).update(
        assessed_on=D(2025, 10, 10), pupil_view="Jag vill sitta lugnare", guardian_view=""
    )
    decision = Decision.objects.create(
        referral=referral,
        pupil=x,
        school_unit=unit_a,
        created_by=principal,
        kind=wf.DecisionKind.ACTION_PROGRAMME,
        investigation=investigation,
        decided_on=D(2025, 10, 15),
        decided_by=principal,
        decided_by_name="Rektor",
        decided_by_title="Rektor",
        statement_of_reasons="Behov av särskilt stöd",
        appeal_instructions="Hur man överklagar",
    )
    for kind, received in (
        (RecipientKind.GUARDIAN, D(2025, 10, 20)),
        (RecipientKind.PUPIL, D(2025, 10, 18)),
    ):
        DecisionService.objects.create(
            decision=decision, recipient_kind=kind, recipient_name="Mottagare", received_on=received
        )

    def programme(state: str, in_force_from: date | None, **extra: Any) -> Any:
        return ActionProgramme.objects.create(
            referral=referral,
            pupil=x,
            school_unit=unit_a,
            created_by=principal,
            state=state,
            in_force_from=in_force_from,
            **extra,
        )

    v1 = programme(
        wf.ProgrammeState.SUPERSEDED,
        D(2025, 3, 1),
        valid_until=D(2026, 3, 1),  # planned validity; a revision replaced it on 15 Oct
        follow_up_on=D(2025, 9, 10),
        pupil_view="Jag vill ha hjälp i svenska",
    )
    v2 = programme(
        wf.ProgrammeState.IN_FORCE,
        D(2025, 10, 15),
        previous=v1,
        number=2,
        follow_up_on=D(2025, 11, 15),
        guardian_view="Vi instämmer",
    )
    programme(wf.ProgrammeState.CLOSED, D(2024, 9, 1), valid_until=D(2025, 6, 30))  # before
    programme(wf.ProgrammeState.DRAFT, None)  # never decided
    services.participant_view_add(
        actor=principal,
        pupil=x,
        author_kind=RecipientKind.PUPIL,
        text="Jag vill ha mer tid",
        today=D(2025, 10, 16),
        programme=v2,
    )
    need_rw = ProgrammeNeed.objects.create(
        programme=v2, category="reading_writing", description="Läsa"
    )
    ProgrammeNeed.objects.create(programme=v2, category="wellbeing", description="Trivas")
    ProgrammeNeed.objects.create(programme=v1, category="mathematics", description="Räkna")
    measure = ProgrammeMeasure.objects.create(
        programme=v2, need=need_rw, description="Lästräning", extent="2 h/v"
    )

    def follow_up(prog: Any, held: date, outcome: str, **views: str) -> Any:
        return FollowUp.objects.create(
            programme=prog,
            pupil=x,
            school_unit=unit_a,
            created_by=educator,
            kind=wf.FollowUpKind.FOLLOW_UP,
            planned_on=held,
            held_on=held,
            outcome=outcome,
            **views,
        )

    fu_v1 = follow_up(v1, D(2025, 9, 10), wf.FollowUpOutcome.REVISE, pupil_view="Det går bättre")
    services.participant_view_add(
        actor=principal,
        pupil=x,
        author_kind=RecipientKind.GUARDIAN,
        text="Vi ser framsteg",
        today=D(2025, 9, 11),
        follow_up=fu_v1,
    )
    fu_v2 = follow_up(v2, D(2025, 10, 25), wf.FollowUpOutcome.CONTINUE)
    MeasureReview.objects.create(
        follow_up=fu_v2, measure=measure, carried_out="yes", effect="clear_progress"
    )
    follow_up(v2, D(2025, 11, 20), wf.FollowUpOutcome.CONTINUE)  # after the window
    return {
        "unit_a": unit_a,
        "x": x,
        "z": z,
        "concern": concern,
        "a1": a1,
        "a2": a2,
        "referral": referral,
        "investigation": investigation,
        "decision": decision,
        "v1": v1,
        "v2": v2,
        "fu_v1": fu_v1,
        "fu_v2": fu_v2,
    }


@pytest.mark.django_db
def test_load_unit_data_reads_the_right_unit_and_window() -> None:
    from elevstod.quality.loading import load_unit_data

    w = _chain_in_database()
    x, z = w["x"].pk, w["z"].pk
    data = load_unit_data(w["unit_a"].pk, D(2025, 8, 1), D(2025, 10, 31))

    # Placements overlapping the window at unit A only: x (7A) and z (no class). Not the
    # pupil who left in June, not y at unit B.
    assert sorted(data.placements, key=lambda r: r.grade or 0) == [
        f.PlacementRow(x, 7, D(2025, 6, 1), None, "female", "7A"),
        f.PlacementRow(z, 8, D(2025, 9, 1), None, "male", ""),
    ]
    # Adaptations overlapping the window at A: a1 (with its concern, part of the report) and
    # a2. Not the one ended on 1 May, not x's adaptation at unit B, not y's.
    assert sorted(data.adaptations, key=lambda r: r.starts_on) == [
        f.AdaptationRow(
            id=w["a1"].pk,
            pupil=x,
            starts_on=D(2025, 8, 25),
            ended_on=None,
            subject="Svenska",
            need_categories=("reading_writing",),
            concern=w["concern"].pk,
            concern_raised_on=D(2025, 8, 20),
            referred=True,
        ),
        f.AdaptationRow(
            id=w["a2"].pk,
            pupil=x,
            starts_on=D(2025, 9, 2),
            ended_on=None,
            subject="",
            need_categories=(),
            concern=None,
            concern_raised_on=None,
            referred=False,
        ),
    ]
    # Evaluations in the window at A; the pupil's view is a fact only when text was written.
    assert sorted(data.evaluations, key=lambda r: r.evaluated_on) == [
        f.EvaluationRow(w["a1"].pk, D(2025, 9, 20), "partly", True),
        f.EvaluationRow(w["a2"].pk, D(2025, 10, 1), "sufficient", False),
    ]
    assert data.referrals == [f.ReferralRow(w["referral"].pk, x, D(2025, 9, 22))]
    assert data.investigations == [
        f.InvestigationRow(
            w["investigation"].pk, x, D(2025, 9, 22), D(2025, 9, 26), D(2025, 10, 10), True, False
        )
    ]
    # The first receipt of the decision is the pupil's, 18 Oct.
    assert data.decisions == [
        f.DecisionRow(
            w["decision"].pk,
            x,
            "action_programme",
            D(2025, 10, 15),
            w["investigation"].pk,
            D(2025, 10, 10),
            D(2025, 10, 18),
        )
    ]
    # The superseded version ends on its successor's first day (not its planned validity);
    # v2's pupil view comes from the view the pupil added, its guardians' from the text. The
    # programme closed in June and the draft are not loaded.
    assert sorted(data.programmes, key=lambda r: r.in_force_from or D.min) == [
        f.ProgrammeRow(
            w["v1"].pk, x, "superseded", D(2025, 3, 1), D(2025, 10, 15), D(2025, 9, 10), True, False
        ),
        f.ProgrammeRow(
            w["v2"].pk, x, "in_force", D(2025, 10, 15), None, D(2025, 11, 15), True, True
        ),
    ]
    assert sorted(data.needs, key=lambda r: r.category) == [
        f.NeedRow(w["v1"].pk, "mathematics", 0),
        f.NeedRow(w["v2"].pk, "reading_writing", 1),
        f.NeedRow(w["v2"].pk, "wellbeing", 0),
    ]
    # Follow-ups held in the window: fu_v1 (pupil's text, a guardian's added view) and fu_v2
    # (no views). The one on 20 Nov is after it.
    assert sorted(data.follow_ups, key=lambda r: r.held_on) == [
        f.FollowUpRow(w["fu_v1"].pk, x, w["v1"].pk, D(2025, 9, 10), "revise", True, True),
        f.FollowUpRow(w["fu_v2"].pk, x, w["v2"].pk, D(2025, 10, 25), "continue", False, False),
    ]
    assert data.reviews == [
        f.ReviewRow(w["fu_v2"].pk, x, "clear_progress", "own_group", "reading_writing")
    ]


@pytest.mark.django_db
def test_figures_from_the_database_chain() -> None:
    # The same chain through compute(), autumn term cut at 31 Oct, default deadlines
    # (receipt 2 + start 7 = 9, decision 14, service 7). Worked out by hand from the rows.
    from elevstod.quality.loading import load_unit_data

    w = _chain_in_database()
    data = load_unit_data(w["unit_a"].pk, D(2025, 8, 1), D(2025, 10, 31))
    got = f.compute(
        data, f.Window(D(2025, 8, 1), D(2025, 12, 31), D(2025, 10, 31)), wf.DEFAULT_DEADLINES
    )
    # 31 Oct: x has v2 in force (special), z nothing (guidance).
    assert got["pyramid"] == levels(2, 1, 0, 1)
    promptness = got["promptness"]
    assert promptness["concern_to_adaptation"]["cases"] == c(1)  # 20 Aug → 25 Aug
    assert promptness["concern_to_adaptation"]["median"] == 5.0
    assert promptness["report_to_investigation"] == {  # 22 Sep → 26 Sep
        "cases": c(1),
        "median": 4.0,
        "within": c(1),
        "deadline": 9,
    }
    assert promptness["investigation_to_decision"]["median"] == 5.0  # 10 Oct → 15 Oct
    assert promptness["decision_to_service"]["median"] == 3.0  # 15 Oct → 18 Oct
    assert got["match"] == {
        "needs_without_measure": c(1),  # v2 wellbeing
        "adaptations_without_need": c(1),  # a2
        "late_follow_up": c(0),  # v2 due 15 Nov
        "not_sufficient_without_referral": c(0),
    }
    assert got["participation"]["investigation_pupil"] == {"n": c(1), "yes": c(1)}
    assert got["participation"]["investigation_guardian"] == {"n": c(1), "yes": c(0)}
    assert got["participation"]["programme_pupil"] == {"n": c(1), "yes": c(1)}  # v2 only
    assert got["participation"]["programme_guardian"] == {"n": c(1), "yes": c(1)}
    assert got["participation"]["follow_up_pupil"] == {"n": c(2, 1), "yes": c(1)}
    assert got["participation"]["follow_up_guardian"] == {"n": c(2, 1), "yes": c(1)}
    assert got["results"]["measures"]["all"] == {"n": c(1), "yes": c(1)}


@pytest.mark.django_db
def test_concern_answered_before_the_period_is_not_counted_again() -> None:
    # A concern raised 5 Jan was answered by an adaptation on 10 Jan (5 days), which ended on
    # 1 Mar. On 5 Sep a new adaptation is made for the same concern. The step concern →
    # first adaptation was completed in January, so the autumn term has no such case. What
    # goes wrong: only the September adaptation is loaded, and it counts as 243 days.
    from elevstod.quality.loading import load_unit_data
    from elevstod.support import services
    from tests.factories import PupilFactory, SchoolUnitFactory, UserFactory, duty, place

    unit: Any = SchoolUnitFactory()
    educator: Any = UserFactory()
    duty(educator, unit, "special_educator")
    pupil: Any = PupilFactory()
    place(pupil, unit, starts=D(2024, 8, 1))
    concern = services.concern_create(
        actor=educator,
        pupil=pupil,
        school_unit_id=unit.pk,
        source=wf.ConcernSource.TEACHING,
        description="Oro",
        today=D(2025, 1, 5),
    )

    def adaptation(starts: date) -> Any:
        return _adaptation(educator, pupil, unit, starts, "", ["reading_writing"], concern)

    first = adaptation(D(2025, 1, 10))
    services.adaptation_evaluate(
        actor=educator,
        adaptation=first,
        effect="sufficient",
        next_step="end",
        today=D(2025, 3, 1),
    )
    adaptation(D(2025, 9, 5))
    data = load_unit_data(unit.pk, D(2025, 8, 1), D(2025, 12, 31))
    got = f.compute(data, f.Window(D(2025, 8, 1), D(2025, 12, 31), D(2025, 12, 31)), DEADLINES)
    assert got["promptness"]["concern_to_adaptation"]["cases"] == c(0)
