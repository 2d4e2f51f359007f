"""Writers of the quality app: computed snapshots, and the analysis and its improvement actions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.models import AcademicYear, SchoolUnit
from elevstod.quality import figures as f
from elevstod.quality.loading import load_unit_data
from elevstod.quality.models import (
    FollowUpStatus,
    ImprovementAction,
    QualityAnalysis,
    QualitySnapshot,
)
from elevstod.quality.periods import Period, periods_of
from elevstod.support import workflow as wf
from elevstod.support.models import ProviderDeadlines


def deadlines_for(provider_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, wf.DeadlineSettings]:
    return {
        row.provider_id: row.as_settings()
        for row in ProviderDeadlines.objects.filter(provider_id__in=list(provider_ids))
    }


def grade_of(data: f.UnitData, day: date) -> dict[uuid.UUID, str]:
    """Each pupil's year group at the unit: on `day`, or on their last day there before it."""
    grades: dict[uuid.UUID, tuple[date, str]] = {}
    for row in data.placements:
        if row.starts_on > day:
            continue
        grade = "" if row.grade is None else str(row.grade)
        seen = grades.get(row.pupil)
        if seen is None or row.starts_on > seen[0]:
            grades[row.pupil] = (row.starts_on, grade)
    return {pupil: grade for pupil, (_, grade) in grades.items()}


def compute_snapshots(
    unit: SchoolUnit,
    periods: list[Period],
    today: date,
    deadlines: wf.DeadlineSettings,
    grades: Iterable[str] = ("",),
) -> list[QualitySnapshot]:
    """Load the unit's chain once for the span of `periods`, then compute each period and year
    group ("" = every pupil) from it."""
    if not periods:
        return []
    first = min(p.starts_on for p in periods)
    last = min(max(p.ends_on for p in periods), today)
    data = load_unit_data(unit.pk, first, last)
    now = timezone.now()
    rows = []
    for period in periods:
        window = f.Window(period.starts_on, period.ends_on, today)
        by_grade = grade_of(data, window.last)
        for grade in grades:
            keep = _grade_filter(by_grade, grade)
            computed = f.compute(data, window, deadlines, keep)
            rows.append(
                QualitySnapshot(
                    school_unit=unit,
                    period=period.key,
                    grade=grade,
                    as_of=window.last,
                    computed_at=now,
                    figures=computed,
                    summary=f.summary_of(computed),
                )
            )
    return rows


def _grade_filter(by_grade: dict[uuid.UUID, str], grade: str) -> Callable[[uuid.UUID], bool]:
    """The pupils of one year group; "" for every pupil."""
    if not grade:
        return lambda pupil: True
    return lambda pupil: by_grade.get(pupil) == grade


def store(rows: list[QualitySnapshot]) -> None:
    QualitySnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["school_unit", "period", "grade"],
        update_fields=["as_of", "computed_at", "figures", "summary"],
        batch_size=200,
    )


def refresh_unit(unit: SchoolUnit, period: Period, grade: str, today: date) -> QualitySnapshot:
    """One unit, period and year group, computed now (a principal's page asks for it)."""
    deadlines = deadlines_for([unit.provider_id]).get(unit.provider_id, wf.DEFAULT_DEADLINES)
    (row,) = compute_snapshots(unit, [period], today, deadlines, grades=(grade,))
    store([row])
    return row


def refresh_all(today: date, provider_id: uuid.UUID | None = None) -> int:
    """Every unit's figures for the current and the previous school year, with their terms,
    for every pupil. The nightly task and the demo generator call this; the huvudman's
    dashboard reads what it wrote."""
    years = list(AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on")[:2])
    units = SchoolUnit.objects.all()
    if provider_id is not None:
        units = units.filter(provider_id=provider_id)
    units_list = list(units)
    deadlines = deadlines_for({u.provider_id for u in units_list})
    written = 0
    for unit in units_list:
        settings = deadlines.get(unit.provider_id, wf.DEFAULT_DEADLINES)
        rows: list[QualitySnapshot] = []
        for year in years:
            periods = [p for p in periods_of(year) if p.starts_on <= today]
            rows += compute_snapshots(unit, periods, today, settings)
        store(rows)
        written += len(rows)
    return written


def refreshed_on(day: date) -> bool:
    """Whether the nightly refresh has already run for `day` (a snapshot of the current
    school year describes that day), so that a restarted worker does not run it twice."""
    return QualitySnapshot.objects.filter(as_of=day, grade="").exists()


def refresh_units(units: list[SchoolUnit], period: Period, today: date) -> list[QualitySnapshot]:
    """Some units of one period (all pupils), computed and stored now."""
    deadlines = deadlines_for({unit.provider_id for unit in units})
    rows = [
        row
        for unit in units
        for row in compute_snapshots(
            unit, [period], today, deadlines.get(unit.provider_id, wf.DEFAULT_DEADLINES)
        )
    ]
    store(rows)
    return rows


# ---------------------------------------------------------------------------- the analysis


def analysis_save(
    *,
    actor: User,
    school_year: str,
    analysis_text: str,
    expected_version: int | None,
    school_unit_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
) -> QualityAnalysis:
    """Create or update the analysis of one school year; attributable, version-checked."""
    scope: dict[str, uuid.UUID | None] = (
        {"school_unit_id": school_unit_id} if school_unit_id else {"provider_id": provider_id}
    )
    with transaction.atomic():
        analysis = (
            QualityAnalysis.objects.select_for_update()
            .filter(school_year=school_year, **scope)
            .first()
        )
        if analysis is None:
            analysis = QualityAnalysis.objects.create(
                school_year=school_year, analysis=analysis_text, updated_by=actor, **scope
            )
            action = AccessAction.CREATE
        else:
            if expected_version is not None and analysis.version != expected_version:
                raise StaleAnalysisError(analysis)
            analysis.analysis = analysis_text
            analysis.version += 1
            analysis.updated_by = actor
            analysis.save(update_fields=["analysis", "version", "updated_by", "updated_at"])
            action = AccessAction.UPDATE
        _log(actor, action, "quality_analysis", analysis.pk, school_unit_id)
    return analysis


def action_add(
    *, actor: User, analysis: QualityAnalysis, text: str, responsible: str
) -> ImprovementAction:
    with transaction.atomic():
        action = ImprovementAction.objects.create(
            analysis=analysis, text=text, responsible=responsible, created_by=actor
        )
        _log(actor, AccessAction.CREATE, "improvement_action", action.pk, analysis.school_unit_id)
    return action


def action_follow_up(
    *, actor: User, action: ImprovementAction, status: FollowUpStatus, note: str, today: date
) -> ImprovementAction:
    """The next year's report follows up last year's improvement actions (seed 001 § 9)."""
    with transaction.atomic():
        action.follow_up_status = status
        action.follow_up_note = note
        action.followed_up_on = today
        action.followed_up_by = actor
        action.save(
            update_fields=[
                "follow_up_status",
                "follow_up_note",
                "followed_up_on",
                "followed_up_by",
                "updated_at",
            ]
        )
        _log(
            actor,
            AccessAction.UPDATE,
            "improvement_action",
            action.pk,
            action.analysis.school_unit_id,
        )
    return action


class StaleAnalysisError(Exception):
    """Someone else saved the analysis after the form was opened."""

    def __init__(self, current: QualityAnalysis) -> None:
        super().__init__("stale analysis")
        self.current = current


def _log(
    actor: User, action: AccessAction, record_type: str, record_id: object, unit: uuid.UUID | None
) -> None:
    # No pupil is involved: the row attributes the change (security.md P1).
    record_access(
        actor_id=actor.pk,
        action=action,
        record_type=record_type,
        record_id=record_id,
        school_unit_id=unit,
    )
