"""Reading quality figures for the dashboards, the report and the API.

The principal's dashboard reads one snapshot row (computing it when it is from an earlier day)
and lists the cases now outside the deadlines live. The huvudman's reads one row per unit and
publishes them through elevstod.quality.suppression: never a pupil, never a figure from fewer
than five pupils, and no hidden figure that subtraction would give back.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Subquery
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from elevstod.access.context import UserContext
from elevstod.organisation.models import AcademicYear, EducationProvider, SchoolUnit
from elevstod.quality import services
from elevstod.quality import suppression as sup
from elevstod.quality.figures import summary_of as figures_summary
from elevstod.quality.models import ImprovementAction, QualityAnalysis, QualitySnapshot
from elevstod.quality.periods import Period
from elevstod.support import workflow as wf
from elevstod.support.models import Investigation, Referral

# ------------------------------------------------------------------------------ the principal


def units(ids: frozenset[uuid.UUID]) -> list[SchoolUnit]:
    return list(SchoolUnit.objects.filter(pk__in=ids).select_related("provider").order_by("name"))


def unit(unit_id: uuid.UUID) -> SchoolUnit | None:
    return SchoolUnit.objects.filter(pk=unit_id).first()


def provider(provider_id: uuid.UUID) -> EducationProvider | None:
    return EducationProvider.objects.filter(pk=provider_id).first()


def provider_of_unit(unit_id: uuid.UUID) -> uuid.UUID | None:
    return SchoolUnit.objects.filter(pk=unit_id).values_list("provider_id", flat=True).first()


def providers(ids: frozenset[uuid.UUID]) -> list[EducationProvider]:
    return list(EducationProvider.objects.filter(pk__in=ids).order_by("name"))


def unit_figures(unit: SchoolUnit, period: Period, grade: str, today: date) -> QualitySnapshot:
    """The snapshot for the principal's page: reused when it describes the period's last day
    (or today), computed again otherwise."""
    wanted = min(period.ends_on, today)
    row = QualitySnapshot.objects.filter(
        school_unit=unit, period=period.key, grade=grade, as_of=wanted
    ).first()
    if row is None:
        row = services.refresh_unit(unit, period, grade, today)
    return row


@dataclass(frozen=True)
class OverdueCase:
    pupil_name: str  # "" when the reader may not see the pupil's name
    referral_id: uuid.UUID
    pupil_id: uuid.UUID | None
    task: wf.TaskKind
    due_on: date
    days_late: int


def overdue_cases(
    ctx: UserContext, unit_id: uuid.UUID, today: date, deadlines: wf.DeadlineSettings
) -> list[OverdueCase]:
    """Open cases at the unit whose next step is past the huvudman's deadline, now. One query.

    A protected pupil's name shows only to staff assigned to them (security.md P6)."""
    rows = (
        Referral.objects.filter(
            school_unit_id=unit_id,
            state__in=(wf.CaseState.REPORTED, wf.CaseState.RECEIVED, wf.CaseState.INVESTIGATING),
        )
        .select_related("pupil", "investigation")
        .only(
            "id",
            "state",
            "reported_on",
            "received_at",
            "pupil__id",
            "pupil__first_name",
            "pupil__last_name",
            "pupil__protected_identity",
            "investigation__opened_on",
            "investigation__assessed_on",
            "investigation__target_on",
        )
    )
    found = []
    for referral in rows:
        investigation: Investigation | None = getattr(referral, "investigation", None)
        clock = wf.CaseClock(
            state=wf.CaseState(referral.state),
            reported_on=referral.reported_on,
            received_on=referral.received_at.date() if referral.received_at else None,
            investigation_opened_on=investigation.opened_on if investigation else None,
            assessed_on=investigation.assessed_on if investigation else None,
            investigation_target_on=investigation.target_on if investigation else None,
        )
        due = wf.case_due(clock, deadlines)
        if due is None or not wf.is_overdue(due, today):
            continue
        pupil = referral.pupil
        visible = not pupil.is_protected or pupil.pk in ctx.protected_assignments
        found.append(
            OverdueCase(
                pupil_name=f"{pupil.first_name} {pupil.last_name}" if visible else "",
                referral_id=referral.pk,
                pupil_id=pupil.pk if visible else None,
                task=due.kind,
                due_on=due.due_on,
                days_late=(today - due.due_on).days,
            )
        )
    return sorted(found, key=lambda case: case.due_on)


def analysis_for(
    school_year: str,
    *,
    school_unit_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
) -> QualityAnalysis | None:
    scope: dict[str, uuid.UUID | None] = (
        {"school_unit_id": school_unit_id} if school_unit_id else {"provider_id": provider_id}
    )
    return (
        QualityAnalysis.objects.filter(school_year=school_year, **scope)
        .select_related("updated_by")
        .prefetch_related("actions")
        .first()
    )


def goals_from_previous_year(
    school_year: str,
    *,
    school_unit_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
) -> list[ImprovementAction]:
    """Last school year's improvement actions: this year's goals, followed up in its report."""
    this_year = AcademicYear.objects.filter(name=school_year).values("starts_on")[:1]
    previous = Subquery(
        AcademicYear.objects.filter(starts_on__lt=this_year)
        .order_by("-starts_on")
        .values("name")[:1]
    )
    scope: dict[str, uuid.UUID | None] = (
        {"analysis__school_unit_id": school_unit_id}
        if school_unit_id
        else {"analysis__provider_id": provider_id}
    )
    return list(
        ImprovementAction.objects.filter(analysis__school_year=previous, **scope).select_related(
            "followed_up_by"
        )
    )


# ------------------------------------------------------------------------------ the huvudman


# The huvudman's per-unit columns: (key, label, path to a count in the figures).
COUNT_COLUMNS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("pupils", _("Elever"), ("pyramid", "pupils")),
    ("extra_adaptations", _("Extra anpassningar"), ("pyramid", wf.SupportLevel.EXTRA_ADAPTATIONS)),
    ("special_support", _("Särskilt stöd"), ("pyramid", wf.SupportLevel.SPECIAL_SUPPORT)),
]
MATCH_COLUMNS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("needs_without_measure", _("Behov utan åtgärd"), ("match", "needs_without_measure")),
    (
        "adaptations_without_need",
        _("Anpassningar utan angivet behov"),
        ("match", "adaptations_without_need"),
    ),
    ("late_follow_up", _("Åtgärdsprogram med sen uppföljning"), ("match", "late_follow_up")),
    (
        "not_sufficient_without_referral",
        _("Otillräckliga anpassningar utan anmälan"),
        ("match", "not_sufficient_without_referral"),
    ),
    (
        "closed_needs_met",
        _("Avslutade åtgärdsprogram: behoven tillgodosedda"),
        ("results", "closed_needs_met"),
    ),
]
# Shares: (key, label, path to {"n", "yes"} or to a promptness step).
SHARE_COLUMNS: list[tuple[str, Any, tuple[str, ...]]] = [
    (
        "adaptations_sufficient",
        _("Anpassningar utvärderade som tillräckliga"),
        ("results", "adaptations", "all"),
    ),
    ("measures_effective", _("Åtgärder med tydlig effekt"), ("results", "measures", "all")),
    (
        "investigation_pupil",
        _("Utredningar med elevens syn"),
        ("participation", "investigation_pupil"),
    ),
    (
        "investigation_guardian",
        _("Utredningar med vårdnadshavarnas syn"),
        ("participation", "investigation_guardian"),
    ),
    (
        "programme_pupil",
        _("Åtgärdsprogram med elevens synpunkter"),
        ("participation", "programme_pupil"),
    ),
    (
        "programme_guardian",
        _("Åtgärdsprogram med vårdnadshavarnas synpunkter"),
        ("participation", "programme_guardian"),
    ),
    ("follow_up_pupil", _("Uppföljningar med elevens syn"), ("participation", "follow_up_pupil")),
    (
        "follow_up_guardian",
        _("Uppföljningar med vårdnadshavarnas syn"),
        ("participation", "follow_up_guardian"),
    ),
    (
        "evaluation_pupil",
        _("Utvärderade anpassningar med elevens syn"),
        ("participation", "evaluation_pupil"),
    ),
]


def _get(figures: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = figures
    for key in path:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return node


def _cell(node: Any) -> sup.Cell:
    if not node:
        return sup.Cell(0, 0)
    return sup.Cell(int(node["v"]), int(node["p"]))


@dataclass
class PublishedShare:
    yes: sup.Published
    n: sup.Published

    @property
    def share(self) -> float | None:
        return sup.share(self.yes, self.n)

    @property
    def text(self) -> str:
        value = self.share
        if value is not None:
            return f"{round(value * 100)} %"
        return self.yes.text if self.yes.shown is not sup.Shown.VALUE else self.n.text


@dataclass
class PublishedMedian:
    median: float | None
    cases: sup.Published
    within: PublishedShare

    @property
    def text(self) -> str:
        if self.median is None:
            return "–" if self.cases.shown is sup.Shown.VALUE else self.cases.text
        # As the principal's page writes it (|floatformat:"-1"): "5,5" in Swedish, "5" for 5.0.
        return floatformat(self.median, "-1")


RESULT_SHARES = ("adaptations_sufficient", "measures_effective")
STEPS = (
    "concern_to_adaptation",
    "report_to_investigation",
    "investigation_to_decision",
    "decision_to_service",
)


@dataclass
class UnitRow:
    unit_id: uuid.UUID | None  # None: the huvudman's total
    name: str
    as_of: date | None
    counts: dict[str, sup.Published] = field(default_factory=dict)
    shares: dict[str, PublishedShare] = field(default_factory=dict)
    promptness: dict[str, PublishedMedian] = field(default_factory=dict)

    # The cells in the order of the template's columns.
    @property
    def count_cells(self) -> list[sup.Published]:
        return [self.counts[key] for key, _label, _path in COUNT_COLUMNS]

    @property
    def special_share(self) -> str:
        return PublishedShare(self.counts["special_support"], self.counts["pupils"]).text

    @property
    def step_cells(self) -> list[PublishedMedian]:
        return [self.promptness[step] for step in STEPS]

    @property
    def match_cells(self) -> list[sup.Published]:
        return [self.counts[key] for key, _label, _path in MATCH_COLUMNS[:4]]

    @property
    def result_cells(self) -> list[sup.Published | PublishedShare]:
        return [self.counts["closed_needs_met"], *(self.shares[k] for k in RESULT_SHARES)]

    @property
    def participation_cells(self) -> list[PublishedShare]:
        return [self.shares[key] for key, _l, _p in SHARE_COLUMNS if key not in RESULT_SHARES]


@dataclass
class ProviderTable:
    units: list[UnitRow]
    total: UnitRow
    breakdowns: dict[str, list[tuple[str, dict[str, sup.Published]]]]
    over_time: list[tuple[str, dict[str, sup.Published]]]
    missing: int


def table_version(provider_id: uuid.UUID, period: Period) -> str:
    """What the huvudman's table is built from, in one query: how many units have figures,
    when the newest were computed, and how many units there are. Equal versions mean an equal
    table, so a computed table is reused until the figures change (the nightly refresh)."""
    units = (
        SchoolUnit.objects.filter(provider_id=OuterRef("pk"))
        .order_by()
        .values("provider_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    snapshots = (
        QualitySnapshot.objects.filter(
            school_unit__provider_id=OuterRef("pk"), period=period.key, grade=""
        )
        .order_by()
        .values("period")
        .annotate(n=Count("id"), latest=Max("computed_at"))
    )
    found = (
        EducationProvider.objects.filter(pk=provider_id)
        .annotate(
            units=Subquery(units),
            rows=Subquery(snapshots.values("n")),
            latest=Subquery(snapshots.values("latest")),
        )
        .values("units", "rows", "latest")
        .first()
    ) or {}
    # SQLite hands back the subquery's timestamp as text, PostgreSQL as a datetime: either
    # way it only needs to change when the figures do.
    stamp = str(found.get("latest") or "-")
    return f"{found.get('rows') or 0}:{found.get('units') or 0}:{stamp}"


def provider_table_cached(
    provider_id: uuid.UUID, period: Period, today: date, version: str | None = None
) -> ProviderTable:
    """The huvudman's table, published once per version of its figures (decision 0009)."""
    version = version or table_version(provider_id, period)
    rows, units, _latest = version.split(":", 2)
    digest = hashlib.sha256(f"{period.key}|{version}".encode()).hexdigest()[:32]
    key = f"quality:provider:{provider_id}:{digest}"
    table = cache.get(key) if rows == units else None
    if table is None:
        table = provider_table(provider_id, period, today)
        if rows == units:
            cache.set(key, table, CACHE_SECONDS)
    return table


CACHE_SECONDS = 24 * 60 * 60


def _publish_column(values: list[sup.Cell]) -> tuple[list[sup.Published], sup.Published]:
    total = sup.Cell(sum(c.value for c in values), sum(c.pupils for c in values))
    return sup.suppress_group(values, total)


def provider_table(provider_id: uuid.UUID, period: Period, today: date) -> ProviderTable:
    """Every unit of the huvudman side by side, suppressed per column. One query for the
    figures, one for the units that have none yet (they are computed now, once)."""
    rows, missing = _unit_snapshots(provider_id, period, today)
    figures = _summaries([row for _unit, row in rows])
    published = _publish_unit_columns(figures)
    units = [UnitRow(unit.pk, unit.name, row.as_of) for unit, row in rows]
    total = UnitRow(None, "", None)
    for index, unit_row in [*enumerate(units), (None, total)]:
        _fill_row(unit_row, index, published, figures)
    return ProviderTable(
        units=units,
        total=total,
        breakdowns={
            "grade": _breakdown(figures, "grade"),
            "gender": _breakdown(figures, "gender"),
        },
        over_time=_over_time(figures),
        missing=missing,
    )


def _unit_snapshots(
    provider_id: uuid.UUID, period: Period, today: date
) -> tuple[list[tuple[SchoolUnit, QualitySnapshot]], int]:
    """Each unit of the huvudman with its snapshot of the period (all pupils), by name, and
    how many units had none and were computed now."""
    units_of_provider = list(
        SchoolUnit.objects.filter(provider_id=provider_id).only("id", "name").order_by("name")
    )
    snapshots = {
        row.school_unit_id: row
        for row in QualitySnapshot.objects.filter(
            school_unit__provider_id=provider_id, period=period.key, grade=""
        ).only("school_unit_id", "as_of", "summary")
    }
    new_units = [unit for unit in units_of_provider if unit.pk not in snapshots]
    if new_units:
        # A unit (or a period) the nightly task has not reached yet: computed now, once.
        for row in services.refresh_units(new_units, period, today):
            snapshots[row.school_unit_id] = row
    return [(unit, snapshots[unit.pk]) for unit in units_of_provider], len(new_units)


def _summaries(rows: list[QualitySnapshot]) -> list[dict[str, Any]]:
    """Each snapshot's summary. Rows written before the summary existed (or by hand) are
    summarised here, in one query."""
    unsummarised = [row.pk for row in rows if not row.summary and row.pk is not None]
    full = dict(
        QualitySnapshot.objects.filter(pk__in=unsummarised).values_list("pk", "figures")
        if unsummarised
        else []
    )
    return [row.summary or figures_summary(full.get(row.pk) or row.figures) for row in rows]


PublishedColumns = dict[str, tuple[list[sup.Published], sup.Published]]


def _publish_unit_columns(figures: list[dict[str, Any]]) -> PublishedColumns:
    """Every column of the unit tables, suppressed together with what a reader knows across
    a row: a numerator is at most its denominator, steps within the deadline at most all
    steps, pupils with extra adaptations and with special support at most all pupils; and
    what a row gives by difference (a share's "no", guidance only) is protected too."""

    def column(path: tuple[str, ...]) -> list[sup.Cell]:
        return [_cell(_get(fig, path)) for fig in figures]

    columns: dict[str, list[sup.Cell]] = {}
    links: list[sup.Link] = [
        sup.PartsAtMost(("extra_adaptations", "special_support"), "pupils"),
        # One programme in force per pupil: a late follow-up is a pupil with special support.
        sup.AtMost("late_follow_up", "special_support"),
        # Pupils with guidance only: all pupils less the other two levels (decision 0009).
        sup.Remainder(("extra_adaptations", "special_support"), "pupils"),
    ]
    for key, _label, path in COUNT_COLUMNS + MATCH_COLUMNS:
        columns[key] = column(path)
    for key, _label, path in SHARE_COLUMNS:
        columns[f"{key}:yes"] = column((*path, "yes"))
        columns[f"{key}:n"] = column((*path, "n"))
        links.append(sup.AtMost(f"{key}:yes", f"{key}:n"))
        # The "no" group: n − yes.
        links.append(sup.Remainder((f"{key}:yes",), f"{key}:n"))
    for step in STEPS:
        for part in ("cases", "within"):
            columns[f"{step}:{part}"] = column(("promptness", step, part))
        links.append(sup.AtMost(f"{step}:within", f"{step}:cases"))
        links.append(sup.Remainder((f"{step}:within",), f"{step}:cases"))
    return sup.publish_table(columns, links)


def _fill_row(
    unit_row: UnitRow,
    index: int | None,
    published: PublishedColumns,
    figures: list[dict[str, Any]],
) -> None:
    """One row of the table from the published columns: a unit's (`index`) or the
    huvudman's total (None)."""

    def put(key: str) -> sup.Published:
        cells, column_total = published[key]
        return column_total if index is None else cells[index]

    for key, _label, _path in COUNT_COLUMNS + MATCH_COLUMNS:
        unit_row.counts[key] = put(key)
    for key, _label, _path in SHARE_COLUMNS:
        unit_row.shares[key] = PublishedShare(put(f"{key}:yes"), put(f"{key}:n"))
    for step in STEPS:
        cases = put(f"{step}:cases")
        within = PublishedShare(put(f"{step}:within"), cases)
        unit_row.promptness[step] = PublishedMedian(_median(figures, index, step), cases, within)


def _median(figures: list[dict[str, Any]], index: int | None, step: str) -> float | None:
    """A unit's median, shown when built from enough pupils; the huvudman's, pooled."""
    if index is None:
        # The huvudman's median is not additive: it is built from published medians.
        return _pooled_median(figures, step)
    node = _get(figures[index], ("promptness", step))
    shown = sup.median_shown(_cell(node.get("cases")).pupils)
    return node.get("median") if shown else None


def _pooled_median(figures: list[dict[str, Any]], step: str) -> float | None:
    """A median over every unit's cases is not in the snapshots (only each unit's median is),
    so the huvudman's row shows the median of the unit medians that are themselves shown (from
    five or more pupils): a hidden median pooled in could be worked back out of it."""
    medians = []
    pupils = 0
    for fig in figures:
        node = _get(fig, ("promptness", step))
        cases = _cell(node.get("cases")).pupils
        if node.get("median") is not None and sup.median_shown(cases):
            medians.append(float(node["median"]))
            pupils += cases
    if not medians or not sup.median_shown(pupils):
        return None
    medians.sort()
    middle = len(medians) // 2
    return medians[middle] if len(medians) % 2 else (medians[middle - 1] + medians[middle]) / 2


LEVEL_KEYS = ("pupils", *(level.value for level in wf.SupportLevel))
BREAKDOWN_LEVELS = (wf.SupportLevel.EXTRA_ADAPTATIONS.value, wf.SupportLevel.SPECIAL_SUPPORT.value)


def _add_levels(summed: dict[str, sup.Cell], pyramid: dict[str, Any]) -> None:
    """Adds one unit's pupils per support level to a sum over units."""
    for level in LEVEL_KEYS:
        cell = _cell(pyramid.get(level))
        old = summed.get(level, sup.Cell(0, 0))
        summed[level] = sup.Cell(old.value + cell.value, old.pupils + cell.pupils)


def _breakdown(
    figures: list[dict[str, Any]], dimension: str
) -> list[tuple[str, dict[str, sup.Published]]]:
    """Huvudman-wide support levels by year group or gender: each level's column is one group
    over the breakdown's rows, whose total is the huvudman's figure. A row's own number of
    pupils is left out on purpose: with it, a row would be a second group over the same cells
    and a hidden level could be subtracted from it (docs/decisions/0009). So is "guidance
    only": its total is all pupils less the other two levels, and with the unit table's totals
    it would give back a hidden level's total."""
    summed: dict[str, dict[str, sup.Cell]] = {}
    for fig in figures:
        for name, pyramid in _get(fig, ("patterns", dimension)).items():
            _add_levels(summed.setdefault(name, {}), pyramid)
    names = sorted(summed, key=lambda n: (len(n), n))
    published: dict[str, dict[str, sup.Published]] = {name: {} for name in names}
    for level in BREAKDOWN_LEVELS:
        column, _total = _publish_column(
            [summed[name].get(level, sup.Cell(0, 0)) for name in names]
        )
        for name, shown in zip(names, column, strict=True):
            published[name][level] = shown
    return [(name, published[name]) for name in names]


def _over_time(figures: list[dict[str, Any]]) -> list[tuple[str, dict[str, sup.Published]]]:
    """The huvudman's pyramid month by month: totals over units, each shown or "<5"."""
    summed: dict[str, dict[str, sup.Cell]] = {}
    for fig in figures:
        for point in fig.get("over_time", []):
            _add_levels(summed.setdefault(point["on"], {}), point)
    out = []
    levels = [level.value for level in wf.SupportLevel]
    # The last point is the day the unit table describes: the same figures, suppressed there.
    # Suppressing them twice, differently, would let one table undo the other.
    last_days = {fig["over_time"][-1]["on"] for fig in figures if fig.get("over_time")}
    for day in sorted(summed):
        if day in last_days:
            continue
        row = summed[day]
        # The three levels add up to the month's pupils: one group, so none can be subtracted.
        cells, total = sup.suppress_group(
            [row.get(level, sup.Cell(0, 0)) for level in levels], row.get("pupils", sup.Cell(0, 0))
        )
        out.append((day, {"pupils": total, **dict(zip(levels, cells, strict=True))}))
    return out
