"""What the support at one unit achieved in one period, computed from the support chain.

The questions are seed 003's: did the support match the needs found, what did it achieve, how
promptly did it come, did the pupil and the guardians take part, and where do patterns show?
`compute()` is pure: it takes a `UnitData` (plain tuples loaded by `load_unit_data`) and returns
JSON-ready figures, so the hand-computed tests can feed it rows directly. Every count carries
the number of distinct pupils behind it ({"v": value, "p": pupils}) because the huvudman sees
"<5" for a figure built from fewer than five pupils (elevstod.quality.suppression).

Never by diagnosis: the chain records need categories, subjects, groups, year groups and gender,
and no diagnosis field exists to group by (process.md design rule 2).
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from elevstod.support import workflow as wf

Level = wf.SupportLevel
LEVELS = (Level.GUIDANCE_AND_STIMULATION, Level.EXTRA_ADAPTATIONS, Level.SPECIAL_SUPPORT)
# A measure "works" when the need is met or clearly progressing (MeasureEffect's upper half).
EFFECTIVE_MEASURE = frozenset({wf.MeasureEffect.NEED_MET, wf.MeasureEffect.CLEAR_PROGRESS})
PROMPTNESS_STEPS = (
    "concern_to_adaptation",
    "report_to_investigation",
    "investigation_to_decision",
    "decision_to_service",
)


# ---------------------------------------------------------------------------- the input rows


@dataclass(frozen=True)
class PlacementRow:
    pupil: uuid.UUID
    grade: int | None
    starts_on: date
    ends_on: date | None
    gender: str
    group: str = ""  # the pupil's class this school year, "" when none

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


@dataclass(frozen=True)
class AdaptationRow:
    id: uuid.UUID
    pupil: uuid.UUID
    starts_on: date
    ended_on: date | None
    subject: str
    need_categories: tuple[str, ...]
    concern: uuid.UUID | None = None
    concern_raised_on: date | None = None
    referred: bool = False  # linked to a report to the principal

    def active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ended_on is None or self.ended_on > day)


@dataclass(frozen=True)
class EvaluationRow:
    adaptation: uuid.UUID
    evaluated_on: date
    effect: str
    pupil_view: bool


@dataclass(frozen=True)
class ReferralRow:
    id: uuid.UUID
    pupil: uuid.UUID
    reported_on: date


@dataclass(frozen=True)
class InvestigationRow:
    id: uuid.UUID
    pupil: uuid.UUID
    reported_on: date
    opened_on: date
    assessed_on: date | None
    pupil_view: bool
    guardian_view: bool


@dataclass(frozen=True)
class DecisionRow:
    id: uuid.UUID
    pupil: uuid.UUID
    kind: str
    decided_on: date
    investigation: uuid.UUID | None
    assessed_on: date | None
    first_received_on: date | None


@dataclass(frozen=True)
class ProgrammeRow:
    id: uuid.UUID
    pupil: uuid.UUID
    state: str
    in_force_from: date | None
    ends_on: date | None  # closed: valid_until; superseded: the next version's first day
    follow_up_on: date | None
    pupil_view: bool
    guardian_view: bool

    def in_force_on(self, day: date) -> bool:
        if self.in_force_from is None or self.state in (
            wf.ProgrammeState.DRAFT,
            wf.ProgrammeState.LAPSED,
        ):
            return False
        return self.in_force_from <= day and (self.ends_on is None or self.ends_on > day)


@dataclass(frozen=True)
class NeedRow:
    programme: uuid.UUID
    category: str
    measures: int


@dataclass(frozen=True)
class FollowUpRow:
    id: uuid.UUID
    pupil: uuid.UUID
    programme: uuid.UUID
    held_on: date
    outcome: str
    pupil_view: bool
    guardian_view: bool


@dataclass(frozen=True)
class ReviewRow:
    follow_up: uuid.UUID
    pupil: uuid.UUID
    effect: str
    setting: str
    category: str


@dataclass
class UnitData:
    placements: list[PlacementRow] = field(default_factory=list)
    adaptations: list[AdaptationRow] = field(default_factory=list)
    evaluations: list[EvaluationRow] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)
    investigations: list[InvestigationRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    programmes: list[ProgrammeRow] = field(default_factory=list)
    needs: list[NeedRow] = field(default_factory=list)
    follow_ups: list[FollowUpRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    # Each concern's first adaptation ever, also when it lies before the loaded window: the
    # concern → adaptation step is counted once, in the period it was completed.
    first_answer: dict[uuid.UUID, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """The period asked about, cut at the day the figures describe."""

    starts_on: date
    ends_on: date
    as_of: date

    @property
    def last(self) -> date:
        return min(self.ends_on, self.as_of)

    def holds(self, day: date | None) -> bool:
        return day is not None and self.starts_on <= day <= self.last


# ---------------------------------------------------------------------------- counting


def count(pupils: Iterable[uuid.UUID]) -> dict[str, int]:
    """A count and the distinct pupils behind it: {"v": rows, "p": pupils}."""
    rows = list(pupils)
    return {"v": len(rows), "p": len(set(rows))}


def checkpoints(window: Window) -> list[date]:
    """The last day of each month in the window, and its last day: the pyramid's x axis."""
    days = []
    month = date(window.starts_on.year, window.starts_on.month, 1)
    while month <= window.last:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days.append(min(following - timedelta(days=1), window.last))
        month = following
    return days


def levels_on(data: UnitData, day: date, keep: Callable[[uuid.UUID], bool]) -> dict[uuid.UUID, str]:
    """Each pupil placed at the unit on `day` (and kept) and their support level that day."""
    placed = {row.pupil for row in data.placements if row.covers(day) and keep(row.pupil)}
    special = {p.pupil for p in data.programmes if p.pupil in placed and p.in_force_on(day)}
    adapted = {a.pupil for a in data.adaptations if a.pupil in placed and a.active_on(day)}
    return {
        pupil: (
            Level.SPECIAL_SUPPORT
            if pupil in special
            else Level.EXTRA_ADAPTATIONS
            if pupil in adapted
            else Level.GUIDANCE_AND_STIMULATION
        ).value
        for pupil in placed
    }


def _pyramid(levels: dict[uuid.UUID, str]) -> dict[str, dict[str, int]]:
    by_level: dict[str, list[uuid.UUID]] = {level.value: [] for level in LEVELS}
    for pupil, level in levels.items():
        by_level[level].append(pupil)
    return {"pupils": count(levels), **{level: count(p) for level, p in by_level.items()}}


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _step(cases: list[tuple[uuid.UUID, int]], deadline: int | None) -> dict[str, Any]:
    """One promptness step: cases as (pupil, days taken)."""
    within = [pupil for pupil, days in cases if deadline is not None and days <= deadline]
    return {
        "cases": count(pupil for pupil, _ in cases),
        "median": _median([days for _, days in cases]),
        "within": count(within),
        "deadline": deadline,
    }


def _share_table(rows: Iterable[tuple[str, uuid.UUID, bool]]) -> dict[str, dict[str, Any]]:
    """Rows of (key, pupil, success) → {key: {"n": count, "yes": count}}."""
    table: dict[str, dict[str, list[uuid.UUID]]] = defaultdict(lambda: {"n": [], "yes": []})
    for key, pupil, success in rows:
        table[key]["n"].append(pupil)
        if success:
            table[key]["yes"].append(pupil)
    return {key: {"n": count(v["n"]), "yes": count(v["yes"])} for key, v in sorted(table.items())}


# ---------------------------------------------------------------------------- the figures


def compute(
    data: UnitData,
    window: Window,
    deadlines: wf.DeadlineSettings,
    keep: Callable[[uuid.UUID], bool] = lambda pupil: True,
) -> dict[str, Any]:
    """Every figure the dashboards show for the pupils `keep` accepts, in `window`."""
    last = window.last
    now = levels_on(data, last, keep)
    start = levels_on(data, window.starts_on, keep)
    adaptations = {a.id: a for a in data.adaptations if keep(a.pupil)}
    programmes = {p.id: p for p in data.programmes if keep(p.pupil)}
    in_force_now = {pid for pid, p in programmes.items() if p.pupil in now and p.in_force_on(last)}
    evaluations = [
        e for e in data.evaluations if e.adaptation in adaptations and window.holds(e.evaluated_on)
    ]
    follow_ups = [f for f in data.follow_ups if keep(f.pupil) and window.holds(f.held_on)]
    held = {f.id for f in follow_ups}
    reviews = [r for r in data.reviews if r.follow_up in held]

    return {
        "window": {
            "starts_on": window.starts_on.isoformat(),
            "ends_on": window.ends_on.isoformat(),
            "as_of": last.isoformat(),
        },
        "pyramid": _pyramid(now),
        "over_time": [
            {"on": day.isoformat(), **_pyramid(levels_on(data, day, keep))}
            for day in checkpoints(window)
        ],
        "flows": _flows(start, now),
        "promptness": _promptness(data, window, deadlines, keep, adaptations),
        "match": _match(data, window, now, adaptations, programmes, in_force_now, evaluations),
        "results": _results(data, window, adaptations, evaluations, follow_ups, reviews),
        "participation": _participation(
            data, window, keep, adaptations, evaluations, follow_ups, programmes
        ),
        "patterns": _patterns(data, last, now, adaptations, evaluations),
    }


def _flows(start: dict[uuid.UUID, str], now: dict[uuid.UUID, str]) -> dict[str, Any]:
    """From the level on the period's first day to the level on its last, for pupils placed on
    both days; plus the pupils who came and who left."""
    moves: dict[str, dict[str, list[uuid.UUID]]] = {
        a.value: {b.value: [] for b in LEVELS} for a in LEVELS
    }
    for pupil, level in now.items():
        if pupil in start:
            moves[start[pupil]][level].append(pupil)
    return {
        "between": {a: {b: count(p) for b, p in row.items()} for a, row in moves.items()},
        "arrived": count(p for p in now if p not in start),
        "left": count(p for p in start if p not in now),
    }


def _promptness(
    data: UnitData,
    window: Window,
    deadlines: wf.DeadlineSettings,
    keep: Callable[[uuid.UUID], bool],
    adaptations: dict[uuid.UUID, AdaptationRow],
) -> dict[str, Any]:
    """Days each step took, for steps completed in the period (process.md §3)."""
    first_adaptation: dict[uuid.UUID, tuple[uuid.UUID, date, date]] = {}
    for a in adaptations.values():
        if a.concern is None or a.concern_raised_on is None:
            continue
        seen = first_adaptation.get(a.concern)
        if seen is None or a.starts_on < seen[1]:
            first_adaptation[a.concern] = (a.pupil, a.starts_on, a.concern_raised_on)
    concern_cases = [
        (pupil, (started - raised).days)
        for concern, (pupil, started, raised) in first_adaptation.items()
        if window.holds(started) and data.first_answer.get(concern, started) >= started
    ]
    report_cases = [
        (i.pupil, (i.opened_on - i.reported_on).days)
        for i in data.investigations
        if keep(i.pupil) and window.holds(i.opened_on)
    ]
    # The first decision on each investigation (a revision is not part of this step).
    first_decision: dict[uuid.UUID, DecisionRow] = {}
    for d in sorted(data.decisions, key=lambda d: d.decided_on):
        if d.investigation is not None and d.assessed_on is not None and keep(d.pupil):
            first_decision.setdefault(d.investigation, d)
    decision_cases = [
        (d.pupil, (d.decided_on - d.assessed_on).days)
        for d in first_decision.values()
        if d.assessed_on is not None and window.holds(d.decided_on)
    ]
    service_cases = [
        (d.pupil, (d.first_received_on - d.decided_on).days)
        for d in data.decisions
        if keep(d.pupil) and d.first_received_on is not None and window.holds(d.first_received_on)
    ]
    return {
        # The law says "skyndsamt" for extra adaptations (SL 3 kap. 5 §) and sets no days; the
        # huvudman has no setting for it either, so this step has a median and no deadline.
        "concern_to_adaptation": _step(concern_cases, None),
        # From the report to the opened investigation: receipt, then start (SL 3 kap. 7 §).
        "report_to_investigation": _step(
            report_cases, deadlines.receipt_days + deadlines.investigation_start_days
        ),
        "investigation_to_decision": _step(decision_cases, deadlines.decision_days),
        "decision_to_service": _step(service_cases, deadlines.service_days),
    }


def _match(
    data: UnitData,
    window: Window,
    now: dict[uuid.UUID, str],
    adaptations: dict[uuid.UUID, AdaptationRow],
    programmes: dict[uuid.UUID, ProgrammeRow],
    in_force_now: set[uuid.UUID],
    evaluations: list[EvaluationRow],
) -> dict[str, Any]:
    """Did the support answer the needs found (seed 003: "Motsvarar det stöd eleverna fått de
    behov som framkom?")"""
    last = window.last
    needs_without_measure = [
        programmes[n.programme].pupil
        for n in data.needs
        if n.programme in in_force_now and n.measures == 0
    ]
    adaptations_without_need = [
        a.pupil
        for a in adaptations.values()
        if a.pupil in now and a.active_on(last) and not a.need_categories
    ]
    late_follow_up = [
        programme.pupil
        for programme in (programmes[pid] for pid in in_force_now)
        if programme.follow_up_on is not None and programme.follow_up_on < last
    ]
    referred_on: dict[uuid.UUID, list[date]] = defaultdict(list)
    for r in data.referrals:
        referred_on[r.pupil].append(r.reported_on)
    not_sufficient = [
        adaptations[e.adaptation].pupil
        for e in evaluations
        if e.effect == wf.AdaptationEffect.NOT_SUFFICIENT
        and not adaptations[e.adaptation].referred
        and not any(day >= e.evaluated_on for day in referred_on[adaptations[e.adaptation].pupil])
    ]
    return {
        "needs_without_measure": count(needs_without_measure),
        "adaptations_without_need": count(adaptations_without_need),
        "late_follow_up": count(late_follow_up),
        "not_sufficient_without_referral": count(not_sufficient),
    }


def _results(
    data: UnitData,
    window: Window,
    adaptations: dict[uuid.UUID, AdaptationRow],
    evaluations: list[EvaluationRow],
    follow_ups: list[FollowUpRow],
    reviews: list[ReviewRow],
) -> dict[str, Any]:
    """What the support achieved: effect by need category and kind of measure."""
    adaptation_rows = [
        (category, adaptations[e.adaptation].pupil, e.effect == wf.AdaptationEffect.SUFFICIENT)
        for e in evaluations
        for category in adaptations[e.adaptation].need_categories or ("other",)
    ]
    by_follow_up: dict[uuid.UUID, list[ReviewRow]] = defaultdict(list)
    for r in reviews:
        by_follow_up[r.follow_up].append(r)
    closing = [f for f in follow_ups if f.outcome == wf.FollowUpOutcome.CLOSE]
    needs_met = [
        f.pupil
        for f in closing
        if by_follow_up[f.id]
        and all(r.effect == wf.MeasureEffect.NEED_MET for r in by_follow_up[f.id])
    ]
    return {
        "adaptations": {
            "all": _share_table(
                ("all", adaptations[e.adaptation].pupil, e.effect == wf.AdaptationEffect.SUFFICIENT)
                for e in evaluations
            ).get("all", {"n": count([]), "yes": count([])}),
            "by_effect": {
                effect.value: count(
                    adaptations[e.adaptation].pupil for e in evaluations if e.effect == effect
                )
                for effect in wf.AdaptationEffect
            },
            "by_need": _share_table(adaptation_rows),
        },
        "measures": {
            "all": _share_table(
                ("all", r.pupil, r.effect in EFFECTIVE_MEASURE) for r in reviews
            ).get("all", {"n": count([]), "yes": count([])}),
            "by_need": _share_table(
                (r.category, r.pupil, r.effect in EFFECTIVE_MEASURE) for r in reviews
            ),
            "by_setting": _share_table(
                (r.setting, r.pupil, r.effect in EFFECTIVE_MEASURE) for r in reviews
            ),
        },
        "closed": count(f.pupil for f in closing),
        "closed_needs_met": count(needs_met),
    }


def _participation(
    data: UnitData,
    window: Window,
    keep: Callable[[uuid.UUID], bool],
    adaptations: dict[uuid.UUID, AdaptationRow],
    evaluations: list[EvaluationRow],
    follow_ups: list[FollowUpRow],
    programmes: dict[uuid.UUID, ProgrammeRow],
) -> dict[str, Any]:
    """Whose voice is on record (SL 3 kap. 9 §: the pupil and guardians are given the chance to
    take part; Skolinspektionen found this weak)."""
    investigations = [
        i for i in data.investigations if keep(i.pupil) and window.holds(i.assessed_on)
    ]
    decided = [p for p in programmes.values() if window.holds(p.in_force_from)]

    def part(rows: list[Any], pupil: Callable[[Any], uuid.UUID], flag: str) -> dict[str, Any]:
        return {
            "n": count(pupil(r) for r in rows),
            "yes": count(pupil(r) for r in rows if getattr(r, flag)),
        }

    return {
        "investigation_pupil": part(investigations, lambda r: r.pupil, "pupil_view"),
        "investigation_guardian": part(investigations, lambda r: r.pupil, "guardian_view"),
        "programme_pupil": part(decided, lambda r: r.pupil, "pupil_view"),
        "programme_guardian": part(decided, lambda r: r.pupil, "guardian_view"),
        "follow_up_pupil": part(follow_ups, lambda r: r.pupil, "pupil_view"),
        "follow_up_guardian": part(follow_ups, lambda r: r.pupil, "guardian_view"),
        "evaluation_pupil": {
            "n": count(adaptations[e.adaptation].pupil for e in evaluations),
            "yes": count(adaptations[e.adaptation].pupil for e in evaluations if e.pupil_view),
        },
    }


def _patterns(
    data: UnitData,
    last: date,
    now: dict[uuid.UUID, str],
    adaptations: dict[uuid.UUID, AdaptationRow],
    evaluations: list[EvaluationRow],
) -> dict[str, Any]:
    """Support levels by year group, class and gender; adaptations and their effect by subject."""
    placement = {row.pupil: row for row in data.placements if row.covers(last) and row.pupil in now}

    def by(key: Callable[[PlacementRow], str]) -> dict[str, dict[str, dict[str, int]]]:
        groups: dict[str, dict[uuid.UUID, str]] = defaultdict(dict)
        for pupil, level in now.items():
            groups[key(placement[pupil])][pupil] = level
        return {name: _pyramid(levels) for name, levels in sorted(groups.items())}

    subjects: dict[str, list[uuid.UUID]] = defaultdict(list)
    for a in adaptations.values():
        if a.pupil in now and a.active_on(last):
            subjects[a.subject or ""].append(a.pupil)
    return {
        "grade": by(lambda row: "" if row.grade is None else str(row.grade)),
        "group": by(lambda row: row.group),
        "gender": by(lambda row: row.gender),
        "subject_active": {name: count(p) for name, p in sorted(subjects.items())},
        "subject_effect": _share_table(
            (
                adaptations[e.adaptation].subject or "",
                adaptations[e.adaptation].pupil,
                e.effect == wf.AdaptationEffect.SUFFICIENT,
            )
            for e in evaluations
        ),
    }


def summary_of(figures: dict[str, Any]) -> dict[str, Any]:
    """What the huvudman's table and API use of a unit's figures (elevstod.quality.selectors).
    Keys a set of figures lacks are left out, as the table reads a missing key as zero."""
    results = figures.get("results", {})
    patterns = figures.get("patterns", {})
    summary = {key: figures[key] for key in SUMMARY_KEYS if key in figures}
    if results:
        summary["results"] = {
            key: results[key] for key in ("closed", "closed_needs_met") if key in results
        } | {
            kind: {"all": results[kind]["all"]}
            for kind in ("adaptations", "measures")
            if "all" in results.get(kind, {})
        }
    if patterns:
        summary["patterns"] = {key: patterns[key] for key in ("grade", "gender") if key in patterns}
    return summary


SUMMARY_KEYS = ("window", "pyramid", "over_time", "promptness", "match", "participation")
