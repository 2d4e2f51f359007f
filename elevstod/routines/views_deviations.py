"""Deviation reporting for better cooperation (seed 001, last page; the BUS agreement).

Any staff member reports; the unit's leaders handle; the huvudman sees counts and exports a list
for the BUS secretariat at KSL. Pupil data appears only when the reporter linked a pupil with a
reason; every page that shows such a report writes an access-log row with the pupil's id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access import policy
from elevstod.access.context import UserContext, context_for
from elevstod.access.scoping import pupils_at_units_visible_to
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction, AccessOutcome
from elevstod.audit.recording import record_access, record_access_to
from elevstod.core.parsing import uuid_or_none
from elevstod.organisation.models import EducationProvider, SchoolUnit
from elevstod.routines import exports, rules, selectors, services
from elevstod.routines.forms import DeviationForm, PeriodForm, StatusForm
from elevstod.routines.models import Counterpart, DeviationReport, DeviationStatus
from elevstod.routines.permissions import (
    acting_role_towards,
    can_handle_report,
    can_view_report,
    is_reporter,
    linked_pupil,
)

T = "routines/"


def _handled_units(ctx: UserContext) -> frozenset[uuid.UUID]:
    return frozenset(u for u in ctx.staff_units if policy.can_handle_deviation(ctx, u))


def _reporting_units(ctx: UserContext) -> frozenset[uuid.UUID]:
    return frozenset(u for u in ctx.staff_units if policy.can_report_deviation(ctx, u))


def _overview_providers(ctx: UserContext) -> frozenset[uuid.UUID]:
    return frozenset(
        p for p in ctx.administered_providers if policy.can_view_deviation_overview(ctx, p)
    )


# ----------------------------------------------------------------------------- list


@login_required
def deviation_list(request: AuthenticatedRequest) -> HttpResponse:
    """The reports routed to me as a leader, and my own reports with their status.

    Shows no pupil and no description, so it reads no pupil data.
    """
    ctx = context_for(request)
    reporting, handled = _reporting_units(ctx), _handled_units(ctx)
    overview = _overview_providers(ctx)
    if not reporting and not handled and not overview:
        raise Http404
    status = request.GET.get("status") or None
    if status not in DeviationStatus.values:
        status = None
    to_handle = selectors.reports_at_units(handled, status=status) if handled else []
    own = [
        report
        for report in (selectors.reports_by(ctx.user_id, status=status) if ctx.user_id else [])
        if report.school_unit_id in reporting
    ]
    return render(
        request,
        T + "deviation_list.html",
        {
            "to_handle": to_handle,
            "own": own,
            "is_leader": bool(handled),
            "may_report": bool(reporting),
            "may_overview": bool(overview),
            "may_export": bool(handled or overview),
            "statuses": DeviationStatus.choices,
            "status": status or "",
            "waiting": sum(1 for r in to_handle if r.status == DeviationStatus.REPORTED),
        },
    )


# ----------------------------------------------------------------------------- create


def _pupil_choices(ctx: UserContext, unit_id: uuid.UUID) -> list[tuple[str, str]]:
    """The pupils at the unit the reporter may see, by name. Listing them is a read of pupil
    data: one LIST row in the access log (security.md P1)."""
    pupils = (
        pupils_at_units_visible_to(ctx, frozenset({unit_id}))
        .order_by("last_name", "first_name")
        .values_list("pk", "first_name", "last_name")
    )
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type="deviation_pupil_choice",
        school_unit_id=unit_id,
        purpose="deviation_create",
    )
    return [(str(pk), f"{last}, {first}") for pk, first, last in pupils]


# Multi-valued fields of the deviation form, kept as lists when the form is shown again.
_LIST_FIELDS = ("counterparts", "natures")
_TRUE_VALUES = {"True", "on", "1", "true"}


def _typed(post: QueryDict, *, with_pupil: bool) -> dict[str, Any]:
    """What the user has typed so far, as the initial values of a fresh form."""
    values: dict[str, Any] = {
        name: post.getlist(name) if name in _LIST_FIELDS else post.get(name)
        for name in post
        if name not in {"csrfmiddlewaretoken", "show_pupils", "hide_pupils"}
    }
    values["with_pupil"] = with_pupil
    if not with_pupil:
        values.pop("pupil", None)
        values.pop("pupil_reason", None)
    return values


def _units_to_report_at(ctx: UserContext) -> list[SchoolUnit]:
    units = selectors.units_by_id(_reporting_units(ctx))
    if not units:
        raise Http404
    return units


def _chosen_unit(units: list[SchoolUnit], params: QueryDict) -> SchoolUnit:
    """The unit the form asks for among the user's, else the first."""
    key = params.get("school_unit") or params.get("enhet") or ""
    return next((unit for unit in units if str(unit.pk) == key), units[0])


def _form_choices(
    ctx: UserContext, units: list[SchoolUnit], unit: SchoolUnit, *, with_pupil: bool
) -> dict[str, Any]:
    """The choices of the deviation form: the units the user reports at and, only when the
    report needs a pupil, the pupils of the chosen unit."""
    return {
        "units": [(str(u.pk), u.name) for u in units],
        "pupils": _pupil_choices(ctx, unit.pk) if with_pupil else None,
        "today": ctx.today,
    }


def _form_page(
    request: AuthenticatedRequest,
    form: DeviationForm,
    *,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        T + "deviation_form.html",
        {"form": form, "refusal": refusal, "pupils_shown": form.pupils_shown},
        status=status,
    )


def _file_report(ctx: UserContext, actor: User, data: dict[str, Any]) -> DeviationReport:
    pupil_id = uuid_or_none(data["pupil"])
    return services.deviation_report_create(
        actor=actor,
        school_unit_id=uuid.UUID(data["school_unit"]),
        occurred_on=data["occurred_on"],
        counterparts=data["counterparts"],
        natures=data["natures"],
        description=data["description"],
        tried_locally=data["tried_locally"],
        pupil_id=pupil_id,
        pupil_reason=data["pupil_reason"],
        acting_role=acting_role_towards(ctx, pupil_id) if pupil_id else "",
        today=ctx.today,
    )


@login_required
def deviation_create(request: AuthenticatedRequest) -> HttpResponse:
    """Report a cooperation problem. No pupil by default: the button "the report needs a
    pupil" (deviation_pupils) shows the list of pupils, so names are read only when the
    reporter asks for them."""
    ctx = context_for(request)
    units = _units_to_report_at(ctx)
    if request.method != "POST":
        with_pupil = request.GET.get("with_pupil") in _TRUE_VALUES or request.GET.get("elev") == "1"
        unit = _chosen_unit(units, request.GET)
        initial = {"school_unit": str(unit.pk), "occurred_on": ctx.today, "with_pupil": with_pupil}
        choices = _form_choices(ctx, units, unit, with_pupil=with_pupil)
        return _form_page(request, DeviationForm(initial=initial, **choices))
    with_pupil = request.POST.get("with_pupil") in _TRUE_VALUES
    choices = _form_choices(ctx, units, _chosen_unit(units, request.POST), with_pupil=with_pupil)
    form = DeviationForm(request.POST, **choices)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        report = _file_report(ctx, request.user, form.cleaned_data)
    except services.RefusalError as exc:
        return _form_page(request, form, refusal=exc.message, status=400)
    messages.success(
        request,
        _("Avvikelsen är rapporterad. Skolenhetens ledning har fått den för handläggning."),
    )
    return redirect("routines:deviation_detail", report_id=report.pk)


@login_required
@require_POST
def deviation_pupils(request: AuthenticatedRequest) -> HttpResponse:
    """The buttons "the report needs a pupil" and "remove the pupil": the form again, with or
    without the list of pupils, keeping everything typed, without JavaScript."""
    ctx = context_for(request)
    units = _units_to_report_at(ctx)
    with_pupil = "show_pupils" in request.POST
    choices = _form_choices(ctx, units, _chosen_unit(units, request.POST), with_pupil=with_pupil)
    form = DeviationForm(initial=_typed(request.POST, with_pupil=with_pupil), **choices)
    return _form_page(request, form)


# ----------------------------------------------------------------------------- one report


def _report(ctx: UserContext, report_id: uuid.UUID, *, handle: bool = False) -> DeviationReport:
    """The report if this user may see it (and, with `handle`, handle it); otherwise the same
    404 for missing and forbidden, and the refusal is logged (security.md P1, ASVS 16.3.2)."""
    report = selectors.report_by_id(report_id)
    allowed = report is not None and (
        can_handle_report(ctx, report) if handle else can_view_report(ctx, report)
    )
    if report is None or not allowed:
        record_access(
            actor_id=ctx.user_id,
            action=AccessAction.UPDATE if handle else AccessAction.VIEW,
            outcome=AccessOutcome.DENIED,
            record_type=services.DEVIATION_RECORD,
            record_id=report_id,
            pupil_id=report.pupil_id if report is not None else None,
            school_unit_id=report.school_unit_id if report is not None else None,
        )
        raise Http404
    return report


def _log_view(ctx: UserContext, report: DeviationReport, acting_role: str) -> None:
    """A report that names a pupil: every view is a read of that pupil's data (P1)."""
    if report.concerns_pupil:
        record_access_to(
            report,
            actor_id=ctx.user_id,
            action=AccessAction.VIEW,
            record_type=services.DEVIATION_RECORD,
            acting_role=acting_role,
            purpose="deviation_view",
        )


def _detail(
    request: AuthenticatedRequest,
    ctx: UserContext,
    report: DeviationReport,
    *,
    form: StatusForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    may_handle = can_handle_report(ctx, report)
    if may_handle and form is None and rules.next_statuses(report.status):
        form = StatusForm(current=report.status, today=ctx.today)
    linked = linked_pupil(ctx, report)
    _log_view(ctx, report, linked.acting_role)
    return render(
        request,
        T + "deviation_detail.html",
        {
            "report": report,
            "pupil": linked.pupil,
            "changes": selectors.report_status_changes(report),
            "may_handle": may_handle,
            "is_reporter": is_reporter(ctx, report),
            "form": form if may_handle else None,
            "refusal": refusal,
            "statuses": DeviationStatus.choices,
        },
        status=status,
    )


@login_required
def deviation_detail(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    return _detail(request, ctx, _report(ctx, report_id))


@login_required
@require_POST
def deviation_status(request: AuthenticatedRequest, report_id: uuid.UUID) -> HttpResponse:
    """The responsible manager's next step: under handling, reported to KSL, closed."""
    ctx = context_for(request)
    report = _report(ctx, report_id, handle=True)
    form = StatusForm(request.POST, current=report.status, today=ctx.today)
    if not form.is_valid():
        return _detail(request, ctx, report, form=form, status=400)
    data = form.cleaned_data
    try:
        services.deviation_status_change(
            actor=request.user,
            report=report,
            to_status=data["status"],
            ksl_reported_on=data["ksl_reported_on"],
            outcome=data["outcome"],
            note=data["note"],
            today=ctx.today,
        )
    except services.RefusalError as exc:
        return _detail(request, ctx, report, form=form, refusal=exc.message, status=400)
    messages.success(
        request,
        _("Rapportens status är nu: %(status)s.") % {"status": report.get_status_display()},
    )
    return redirect("routines:deviation_detail", report_id=report.pk)


# ----------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class ExportScope:
    """The units an overview or export covers, and how it is named in the document."""

    units: list[SchoolUnit]
    label: str
    unit: SchoolUnit | None = None
    provider: EducationProvider | None = None


def _export_scope(ctx: UserContext, request: AuthenticatedRequest, *, leaders: bool) -> ExportScope:
    """`?huvudman=`: a huvudman's units (its administrators). `?enhet=`: one unit (its leaders,
    or the huvudman's administrators). Nothing asked: the first huvudman the user administers,
    else every unit the user leads (when `leaders`). Anything else is a 404."""
    providers = _overview_providers(ctx)
    handled = _handled_units(ctx) if leaders else frozenset()
    unit_id, provider_id = (
        uuid_or_none(request.GET.get("enhet")),
        uuid_or_none(request.GET.get("huvudman")),
    )
    if request.GET.get("enhet") is not None:
        unit = selectors.unit_with_provider(unit_id) if unit_id else None
        if unit is None or not (unit.pk in handled or unit.provider_id in providers):
            raise Http404
        return ExportScope(units=[unit], label=unit.name, unit=unit)
    if request.GET.get("huvudman") is not None:
        if provider_id is None or provider_id not in providers:
            raise Http404
        provider = selectors.providers_by_id([provider_id])[0]
        return ExportScope(
            units=selectors.units_of_providers([provider_id]),
            label=provider.name,
            provider=provider,
        )
    if providers:
        provider = selectors.providers_by_id(providers)[0]
        return ExportScope(
            units=selectors.units_of_providers([provider.pk]),
            label=provider.name,
            provider=provider,
        )
    if handled:
        units = selectors.units_by_id(handled)
        return ExportScope(units=units, label=", ".join(unit.name for unit in units))
    raise Http404


def _period(request: AuthenticatedRequest) -> tuple[PeriodForm, date | None, date | None]:
    form = PeriodForm(request.GET or None)
    if request.GET and form.is_valid():
        return form, form.cleaned_data["fran"], form.cleaned_data["till"]
    return form, None, None


def _overview_tables(overview: selectors.Overview) -> dict[str, list[dict[str, Any]]]:
    """The overview's three tables as rows of a label, its counts and their total."""
    statuses, counterparts = DeviationStatus.values, Counterpart.choices
    return {
        "by_counterpart": [
            {
                "label": label,
                "counts": [overview.by_counterpart_status[value][s] for s in statuses],
                "total": sum(overview.by_counterpart_status[value].values()),
            }
            for value, label in counterparts
        ],
        "by_quarter": [
            {
                "label": _quarter_label(quarter),
                "counts": [counts[value] for value, _label in counterparts],
                "total": total,
            }
            for quarter, counts, total in overview.by_quarter
        ],
        "by_unit": [
            {"label": unit.name, "counts": [counts[s] for s in statuses], "total": total}
            for unit, counts, total in overview.by_unit
        ],
    }


@login_required
def deviation_overview(request: AuthenticatedRequest) -> HttpResponse:
    """The huvudman's overview: counts only, never a description or a pupil."""
    ctx = context_for(request)
    if not _overview_providers(ctx):
        raise Http404
    scope = _export_scope(ctx, request, leaders=False)
    form, start, end = _period(request)
    overview = selectors.deviation_overview(scope.units, start, end)
    providers = selectors.providers_by_id(_overview_providers(ctx))
    return render(
        request,
        T + "deviation_overview.html",
        {
            "scope": scope,
            "providers": providers if len(providers) > 1 else [],
            "form": form,
            "overview": overview,
            "statuses": DeviationStatus.choices,
            "counterparts": Counterpart.choices,
            **_overview_tables(overview),
            "query": request.GET.urlencode(),
        },
        status=400 if form.errors else 200,
    )


def _quarter_label(quarter: Any) -> str:
    day = quarter.date() if hasattr(quarter, "date") else quarter
    return _("%(year)s kvartal %(quarter)s") % {
        "year": day.year,
        "quarter": (day.month - 1) // 3 + 1,
    }


# ----------------------------------------------------------------------------- exports


@dataclass(frozen=True)
class Export:
    ctx: UserContext
    scope: ExportScope
    form: PeriodForm
    start: date | None
    end: date | None
    reports: list[DeviationReport]


def _export(request: AuthenticatedRequest) -> Export:
    ctx = context_for(request)
    scope = _export_scope(ctx, request, leaders=True)
    form, start, end = _period(request)
    reports = (
        []
        if form.errors
        else selectors.reports_for_export([unit.pk for unit in scope.units], start, end)
    )
    return Export(ctx, scope, form, start, end, reports)


def _bad_period(form: PeriodForm) -> HttpResponse:
    errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
    return HttpResponse(
        _("Perioden kunde inte läsas: %(errors)s") % {"errors": errors},
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def deviation_export_csv(request: AuthenticatedRequest) -> HttpResponse:
    """The list for the county secretariat as CSV: no pupil data (exports.py)."""
    export = _export(request)
    if export.form.errors:
        return _bad_period(export.form)
    content = exports.deviations_csv(export.reports)
    _log_export(request, export, "csv")
    return _attachment(
        content, "text/csv; charset=utf-8", exports.export_filename("csv", export.ctx.today)
    )


@login_required
def deviation_export_pdf(request: AuthenticatedRequest) -> HttpResponse:
    """The same list as a PDF, always in Swedish."""
    export = _export(request)
    if export.form.errors:
        return _bad_period(export.form)
    content = exports.deviations_pdf(
        export.reports,
        scope=export.scope.label,
        start=export.start,
        end=export.end,
        today=export.ctx.today,
    )
    _log_export(request, export, "pdf")
    return _attachment(content, "application/pdf", exports.export_filename("pdf", export.ctx.today))


def _log_export(request: AuthenticatedRequest, export: Export, export_format: str) -> None:
    services.deviation_export_record(
        actor=request.user,
        export_format=export_format,
        rows=len(export.reports),
        school_unit_id=export.scope.unit.pk if export.scope.unit is not None else None,
    )
