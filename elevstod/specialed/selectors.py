"""Read queries of the special-education area. Each page's queries are shaped here, with a fixed
count per page whatever the amount of data (tests pin it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from elevstod.access.context import UserContext
from elevstod.access.scoping import pupils_at_units_visible_to, pupils_visible_to
from elevstod.accounts.models import User
from elevstod.organisation.duties import UNIT_WIDE_SUPPORT_DUTIES
from elevstod.organisation.models import AcademicYear, Group, SchoolUnit, UnitDuty
from elevstod.people.models import Pupil
from elevstod.specialed.models import (
    CompetencePlan,
    CompetencePlanVersion,
    Goal,
    Intervention,
    InterventionKind,
    Level,
    Period,
    PlanFollowUp,
    PlannedActivity,
    Report,
    ReportGoal,
    ReportState,
)

RECENT_INTERVENTIONS = 5


# ----------------------------------------------------------------------------- units


def units_with_special_education(ctx: UserContext) -> list[SchoolUnit]:
    """The units where the user records special-education work or leads it."""
    unit_ids = ctx.support_units | ctx.leader_units
    if not unit_ids:
        return []
    return list(SchoolUnit.objects.filter(pk__in=unit_ids).order_by("name"))


def unit_or_none(unit_id: uuid.UUID) -> SchoolUnit | None:
    return SchoolUnit.objects.filter(pk=unit_id).first()


def _current_support_duties(unit_ids: Iterable[uuid.UUID], today: date) -> QuerySet[UnitDuty]:
    """Current duties as specialpedagog or speciallärare at the units."""
    return UnitDuty.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        school_unit_id__in=list(unit_ids),
        duty__in=[duty.value for duty in UNIT_WIDE_SUPPORT_DUTIES],
        starts_on__lte=today,
    )


def special_educators_at(unit_id: uuid.UUID, today: date) -> list[User]:
    """The unit's specialpedagoger and speciallärare with a current duty."""
    duties = _current_support_duties([unit_id], today)
    return list(
        User.objects.filter(pk__in=duties.values("user_id")).order_by("last_name", "first_name")
    )


# ----------------------------------------------------------------------------- figures


@dataclass
class Tally:
    count: int = 0
    minutes: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class Figures:
    """Interventions counted per level and per kind (seed 001 § 8: the ground for analysis).

    Every level and kind is present, with zero where nothing was done, so a report always
    shows the whole picture."""

    total: Tally = field(default_factory=Tally)
    levels: dict[str, Tally] = field(default_factory=dict)
    kinds: dict[str, Tally] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.total.count,
            "minutes": self.total.minutes,
            "levels": {k: [t.count, t.minutes] for k, t in self.levels.items()},
            "kinds": {k: [t.count, t.minutes] for k, t in self.kinds.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        figures = _empty_figures()
        figures.total = Tally(data.get("count", 0), data.get("minutes", 0))
        for key, (count, minutes) in data.get("levels", {}).items():
            figures.levels[key] = Tally(count, minutes)
        for key, (count, minutes) in data.get("kinds", {}).items():
            figures.kinds[key] = Tally(count, minutes)
        return figures

    def level_rows(self) -> list[tuple[str, Tally]]:
        labels = dict(Level.choices)
        return [(str(labels[key]), tally) for key, tally in self.levels.items()]

    def kind_rows(self) -> list[tuple[str, Tally]]:
        labels = dict(InterventionKind.choices)
        return [(str(labels[key]), tally) for key, tally in self.kinds.items()]


def _empty_figures() -> Figures:
    return Figures(
        levels={value: Tally() for value in Level.values},
        kinds={value: Tally() for value in InterventionKind.values},
    )


def figures_of(queryset: QuerySet[Intervention]) -> Figures:
    """One aggregate query grouped by level and kind; the totals are summed from its rows."""
    figures = _empty_figures()
    rows = (
        queryset.order_by()
        .values("level", "kind")
        .annotate(n=Count("pk"), minutes=Sum("minutes"))
        .values_list("level", "kind", "n", "minutes")
    )
    for level, kind, count, minutes in rows:
        minutes = minutes or 0
        for tally in (figures.total, figures.levels[level], figures.kinds[kind]):
            tally.count += count
            tally.minutes += minutes
    return figures


def report_figures(report: Report) -> Figures:
    """The figures a report shows: frozen when it was handed in, live while it is a draft."""
    if report.state != ReportState.DRAFT and report.figures:
        return Figures.from_json(report.figures)
    period = report.period
    return figures_of(
        Intervention.objects.filter(
            school_unit_id=period.school_unit_id,
            created_by_id=report.author_id,
            performed_on__gte=period.starts_on,
            performed_on__lte=period.ends_on,
        )
    )


# ----------------------------------------------------------------------------- interventions


@dataclass(frozen=True)
class InterventionFilter:
    date_from: date | None = None
    date_to: date | None = None
    level: str = ""
    kind: str = ""
    performer_id: uuid.UUID | None = None


def interventions_at(
    ctx: UserContext, unit_id: uuid.UUID, chosen: InterventionFilter
) -> QuerySet[Intervention]:
    """The unit's interventions, newest first, filtered. `pupil_visible` says whether the user
    may see the pupil named (security.md P5, P6): the list shows neither the name nor the text
    of an entry about a pupil the user may not see (a protected pupil, or one who moved)."""
    queryset = Intervention.objects.filter(school_unit_id=unit_id)
    if chosen.date_from:
        queryset = queryset.filter(performed_on__gte=chosen.date_from)
    if chosen.date_to:
        queryset = queryset.filter(performed_on__lte=chosen.date_to)
    if chosen.level:
        queryset = queryset.filter(level=chosen.level)
    if chosen.kind:
        queryset = queryset.filter(kind=chosen.kind)
    if chosen.performer_id:
        queryset = queryset.filter(created_by_id=chosen.performer_id)
    return queryset


def intervention_page_rows(queryset: QuerySet[Intervention], ctx: UserContext) -> QuerySet:
    return (
        queryset.select_related("group", "pupil", "created_by", "goal__period")
        .annotate(
            pupil_visible=Exists(pupils_visible_to(ctx).filter(pk=OuterRef("pupil_id"))),
        )
        .order_by("-performed_on", "-created_at")
    )


def intervention_or_none(intervention_id: uuid.UUID) -> Intervention | None:
    return (
        Intervention.objects.select_related(
            "school_unit", "group", "pupil", "created_by", "updated_by", "goal__period"
        )
        .filter(pk=intervention_id)
        .first()
    )


def pupil_choices(ctx: UserContext, unit_id: uuid.UUID) -> QuerySet[Pupil]:
    """Pupils currently placed at the unit whom the user may see (protected ones only for the
    assigned staff, security.md P6)."""
    return pupils_at_units_visible_to(ctx, frozenset({unit_id})).order_by("last_name", "first_name")


def group_choices(
    unit_id: uuid.UUID, today: date, *, also: uuid.UUID | None = None
) -> QuerySet[Group]:
    """The unit's groups of the current academic year, and `also` (an entry's earlier choice)."""
    current = Q(academic_year__starts_on__lte=today, academic_year__ends_on__gte=today)
    if also is not None:
        current |= Q(pk=also)
    return Group.objects.filter(current, school_unit_id=unit_id).order_by("name")


def goal_choices(
    unit_id: uuid.UUID, today: date, *, also: uuid.UUID | None = None
) -> QuerySet[Goal]:
    """Goals of the unit's periods that are running or ended within the last half year, and
    `also` (an entry's earlier choice)."""
    recent = Q(period__ends_on__gte=today - timedelta(days=183))
    if also is not None:
        recent |= Q(pk=also)
    return (
        Goal.objects.filter(recent, period__school_unit_id=unit_id)
        .select_related("period")
        .order_by("-period__starts_on", "position", "created_at")
    )


# ----------------------------------------------------------------------------- periods and goals


def periods_at(unit_id: uuid.UUID) -> QuerySet[Period]:
    return (
        Period.objects.filter(school_unit_id=unit_id)
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.select_related("special_educator"))
        )
        .annotate(
            report_count=Count("reports", filter=~Q(reports__state=ReportState.DRAFT)),
        )
        .order_by("-starts_on", "name")
    )


def period_or_none(period_id: uuid.UUID) -> Period | None:
    return (
        Period.objects.select_related("school_unit", "created_by", "updated_by")
        .filter(pk=period_id)
        .first()
    )


def period_name_taken(unit_id: uuid.UUID, name: str) -> bool:
    return Period.objects.filter(school_unit_id=unit_id, name=name).exists()


def goals_of(period: Period) -> list[Goal]:
    return list(
        period.goals.select_related("special_educator", "origin_report__author").annotate(
            intervention_count=Count("interventions")
        )
    )


def goal_or_none(goal_id: uuid.UUID) -> Goal | None:
    return (
        Goal.objects.select_related("period__school_unit", "special_educator")
        .filter(pk=goal_id)
        .first()
    )


def later_periods(period: Period) -> QuerySet[Period]:
    """Periods of the same unit that start after `period` starts: where proposals may go."""
    return Period.objects.filter(
        school_unit_id=period.school_unit_id, starts_on__gt=period.starts_on
    ).order_by("starts_on")


# ----------------------------------------------------------------------------- reports


def visible_reports(ctx: UserContext, unit_id: uuid.UUID) -> QuerySet[Report]:
    """The author sees their own reports in every state; the unit's leaders see reports once
    they are handed in (a draft is the special educator's work in progress)."""
    mine = Q(author_id=ctx.user_id) if unit_id in ctx.support_units else Q(pk__in=[])
    handed_in = ~Q(state=ReportState.DRAFT) if unit_id in ctx.leader_units else Q(pk__in=[])
    return Report.objects.filter(mine | handed_in, period__school_unit_id=unit_id)


def reports_at(ctx: UserContext, unit_id: uuid.UUID) -> QuerySet[Report]:
    return visible_reports(ctx, unit_id).select_related("period", "author", "reviewed_by")


def report_or_none(report_id: uuid.UUID) -> Report | None:
    return (
        Report.objects.select_related(
            "period__school_unit",
            "author",
            "reviewed_by",
            "returned_by",
            "proposals_adopted_by",
            "updated_by",
        )
        .filter(pk=report_id)
        .first()
    )


def report_goal_entries(report: Report, *, with_new_goals: bool = False) -> list[ReportGoal]:
    """The report's goals. `with_new_goals`: also goals the rektor has added to the period
    since the draft was started, as unsaved entries, so the author can write about them too."""
    entries = list(
        report.goal_entries.select_related("goal__special_educator").order_by(
            "goal__position", "goal__created_at"
        )
    )
    if with_new_goals:
        present = {entry.goal_id for entry in entries}
        added = Goal.objects.filter(
            Q(special_educator__isnull=True) | Q(special_educator_id=report.author_id),
            period_id=report.period_id,
        ).select_related("special_educator")
        entries += [
            ReportGoal(report=report, goal=goal) for goal in added if goal.pk not in present
        ]
    return entries


# ----------------------------------------------------------------------------- competence plans


def plans_at(ctx: UserContext, unit_id: uuid.UUID) -> QuerySet[CompetencePlan]:
    """Leaders see every plan at the unit; a special educator sees their own (seed 001 § 2)."""
    queryset = CompetencePlan.objects.filter(school_unit_id=unit_id)
    if unit_id not in ctx.leader_units:
        queryset = queryset.filter(special_educator_id=ctx.user_id)
    return (
        queryset.select_related("special_educator", "academic_year", "agreed_by")
        .annotate(
            activity_count=Count("activities", distinct=True),
            done_count=Count(
                "activities", filter=Q(activities__done_on__isnull=False), distinct=True
            ),
        )
        .order_by("-academic_year__starts_on", "special_educator__last_name")
    )


def plan_or_none(plan_id: uuid.UUID) -> CompetencePlan | None:
    return (
        CompetencePlan.objects.select_related(
            "school_unit", "special_educator", "academic_year", "agreed_by", "updated_by"
        )
        .prefetch_related(
            "activities",
            Prefetch("follow_ups", queryset=PlanFollowUp.objects.select_related("created_by")),
            Prefetch(
                "versions",
                queryset=CompetencePlanVersion.objects.select_related("agreed_by", "replaced_by"),
            ),
        )
        .filter(pk=plan_id)
        .first()
    )


def activity_or_none(activity_id: uuid.UUID) -> PlannedActivity | None:
    return (
        PlannedActivity.objects.select_related("plan__school_unit", "plan__academic_year")
        .filter(pk=activity_id)
        .first()
    )


def academic_year_choices(today: date) -> QuerySet[AcademicYear]:
    """The current and the coming academic years: a plan is made for the year ahead."""
    return AcademicYear.objects.filter(ends_on__gte=today).order_by("starts_on")


# ----------------------------------------------------------------------------- the entry page


@dataclass
class UnitOverview:
    unit: SchoolUnit
    records: bool
    leads: bool
    periods: list[Period] = field(default_factory=list)
    recent: list[Intervention] = field(default_factory=list)
    awaiting_review: list[Report] = field(default_factory=list)
    my_reports: list[Report] = field(default_factory=list)
    plans: list[CompetencePlan] = field(default_factory=list)
    # Leaders: the unit's special educators without a plan for the current academic year.
    without_plan: list[User] = field(default_factory=list)


def overview(ctx: UserContext, today: date) -> list[UnitOverview]:
    """Per unit: the running periods and their goals, recent interventions (no pupil named:
    this page shows the work, not the pupils), reports waiting for the rektor, the state of the
    competence plans. One query per kind of thing, for all units at once."""
    units = units_with_special_education(ctx)
    if not units:
        return []
    rows = {
        unit.pk: UnitOverview(
            unit=unit, records=unit.pk in ctx.support_units, leads=unit.pk in ctx.leader_units
        )
        for unit in units
    }
    unit_ids = list(rows)
    leader_units = [pk for pk in unit_ids if pk in ctx.leader_units]
    support_units = [pk for pk in unit_ids if pk in ctx.support_units]
    _add_running_periods(rows, today)
    _add_recent_interventions(rows)
    _add_reports(rows, ctx.user_id, leader_units, support_units)
    _add_plans(rows, ctx.user_id, leader_units, support_units, today)
    if leader_units:
        _add_educators_without_plan(rows, leader_units, today)
    return list(rows.values())


def _add_running_periods(rows: dict[uuid.UUID, UnitOverview], today: date) -> None:
    periods = (
        Period.objects.filter(
            school_unit_id__in=list(rows), starts_on__lte=today, ends_on__gte=today
        )
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.select_related("special_educator"))
        )
        .order_by("starts_on", "name")
    )
    for period in periods:
        rows[period.school_unit_id].periods.append(period)


def _add_recent_interventions(rows: dict[uuid.UUID, UnitOverview]) -> None:
    """The newest few per unit, ranked in the database."""
    recent = (
        Intervention.objects.filter(school_unit_id__in=list(rows))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("school_unit_id")],
                order_by=[F("performed_on").desc(), F("created_at").desc()],
            )
        )
        .filter(rank__lte=RECENT_INTERVENTIONS)
        .select_related("created_by", "group")
        .order_by("-performed_on", "-created_at")
    )
    for intervention in recent:
        rows[intervention.school_unit_id].recent.append(intervention)


def _add_reports(
    rows: dict[uuid.UUID, UnitOverview],
    user_id: uuid.UUID | None,
    leader_units: list[uuid.UUID],
    support_units: list[uuid.UUID],
) -> None:
    """A leader's reports waiting for follow-up; a special educator's own reports."""
    reports = Report.objects.filter(
        Q(period__school_unit_id__in=leader_units, state=ReportState.SUBMITTED)
        | Q(period__school_unit_id__in=support_units, author_id=user_id)
    ).select_related("period", "author")
    for report in reports:
        row = rows[report.period.school_unit_id]
        if report.author_id == user_id:
            row.my_reports.append(report)
        elif report.state == ReportState.SUBMITTED:
            row.awaiting_review.append(report)


def _add_plans(
    rows: dict[uuid.UUID, UnitOverview],
    user_id: uuid.UUID | None,
    leader_units: list[uuid.UUID],
    support_units: list[uuid.UUID],
    today: date,
) -> None:
    """The current academic year's plans: a leader sees the unit's, a special educator their
    own. The year comes along with them (no query of its own)."""
    plans = CompetencePlan.objects.filter(
        Q(school_unit_id__in=leader_units)
        | Q(school_unit_id__in=support_units, special_educator_id=user_id),
        academic_year__starts_on__lte=today,
        academic_year__ends_on__gte=today,
    ).select_related("special_educator", "agreed_by", "academic_year")
    for plan in plans:
        rows[plan.school_unit_id].plans.append(plan)


def _add_educators_without_plan(
    rows: dict[uuid.UUID, UnitOverview], leader_units: list[uuid.UUID], today: date
) -> None:
    """For the leaders: the unit's special educators without a plan for the year (after
    _add_plans)."""
    duties = (
        _current_support_duties(leader_units, today)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    for duty in duties:
        row = rows[duty.school_unit_id]
        has_plan = any(p.special_educator_id == duty.user_id for p in row.plans)
        listed = any(u.pk == duty.user_id for u in row.without_plan)
        if not has_plan and not listed:
            row.without_plan.append(duty.user)
