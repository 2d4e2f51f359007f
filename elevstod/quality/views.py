"""The quality pages: the principal's dashboard, the huvudman's, the analysis and the reports.

Guardians and pupils reach none of it: every view asks elevstod.access.policy for a unit
leader's or a huvudman administrator's duty, and answers 404 otherwise.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from elevstod.access import policy
from elevstod.access.context import UserContext, context_for
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.documents.rendering import render_pdf
from elevstod.organisation.models import EducationProvider, SchoolUnit
from elevstod.quality import periods, presentation, selectors, services
from elevstod.quality.forms import ActionForm, AnalysisForm, FollowUpForm
from elevstod.support import workflow as wf
from elevstod.support.labels import TASK_KIND_LABELS

GRADES = [str(g) for g in range(0, 10)]


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _led_units(ctx: UserContext) -> list[SchoolUnit]:
    units = selectors.units(ctx.leader_units)
    if not units:
        raise Http404
    return units


def _chosen_unit(ctx: UserContext, units: list[SchoolUnit], raw: str | None) -> SchoolUnit:
    wanted = _uuid(raw)
    if wanted is None:
        return units[0]
    if not policy.can_view_unit_quality(ctx, wanted):
        raise Http404
    return next(unit for unit in units if unit.pk == wanted)


def _period(raw: str | None, options: list[periods.Period] | None = None) -> periods.Period:
    today = timezone.localdate()
    period = periods.find(raw, today, options)
    if period is None:
        raise Http404
    return period


def _unit_context(request: HttpRequest) -> dict[str, Any]:
    ctx = context_for(request)
    if ctx.user_id is None:
        raise Http404
    units = _led_units(ctx)
    unit = _chosen_unit(ctx, units, request.GET.get("enhet"))
    today = timezone.localdate()
    options = periods.available(today)
    period = _period(request.GET.get("period"), options)
    grade = request.GET.get("arskurs", "")
    if grade not in GRADES:
        grade = ""
    snapshot = selectors.unit_figures(unit, period, grade, today)
    deadlines = services.deadlines_for([unit.provider_id]).get(
        unit.provider_id, wf.DEFAULT_DEADLINES
    )
    return {
        "ctx": ctx,
        "units": units,
        "unit": unit,
        "period": period,
        "periods": options,
        "grade": grade,
        "grades": GRADES,
        "snapshot": snapshot,
        "sections": presentation.principal_sections(snapshot.figures),
        "deadlines": deadlines,
        "today": today,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The principal's dashboard (SL 4 kap. 4 §): own units, chosen period and year group."""
    data = _unit_context(request)
    ctx: UserContext = data["ctx"]
    unit: SchoolUnit = data["unit"]
    overdue = selectors.overdue_cases(ctx, unit.pk, data["today"], data["deadlines"])
    # The overdue list names pupils: one LIST row, as every list of pupils (security.md P1).
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.LIST,
        record_type="quality_dashboard",
        school_unit_id=unit.pk,
        purpose=f"period:{data['period'].key}",
    )
    data["overdue"] = [{"case": case, "task": TASK_KIND_LABELS[case.task]} for case in overdue]
    return render(request, "quality/dashboard.html", data)


@login_required
def unit_report(request: HttpRequest) -> HttpResponse:
    """The unit's annual quality report as a PDF: figures, the principal's analysis and last
    year's improvement actions followed up (SL 4 kap. 5–6 §§)."""
    # Built and rendered in Swedish, labels included, as every document (decision 0007).
    with translation.override(settings.LANGUAGE_CODE):
        data = _unit_context(request)
        ctx: UserContext = data["ctx"]
        unit: SchoolUnit = data["unit"]
        school_year = data["period"].school_year
        data["analysis"] = selectors.analysis_for(school_year, school_unit_id=unit.pk)
        data["goals"] = selectors.goals_from_previous_year(school_year, school_unit_id=unit.pk)
        record_access(
            actor_id=ctx.user_id,
            action=AccessAction.PRINT,
            record_type="quality_report",
            school_unit_id=unit.pk,
            purpose=f"period:{data['period'].key}",
        )
        content = render_pdf("quality/report_unit.html", data)
    return _pdf(f"kvalitetsrapport-{unit.unit_code}.pdf", content)


def _pdf(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _scope(request: HttpRequest, ctx: UserContext) -> dict[str, Any]:
    """The analysis page works for a unit (?enhet=) or for the huvudman (?huvudman=)."""
    provider_id = _uuid(request.GET.get("huvudman") or request.POST.get("huvudman"))
    if provider_id is not None:
        if not policy.can_view_provider_quality(ctx, provider_id):
            raise Http404
        provider = selectors.provider(provider_id)
        if provider is None:
            raise Http404
        return {
            "provider_id": provider_id,
            "name": provider.name,
            "query": f"huvudman={provider_id}",
        }
    unit_id = _uuid(request.GET.get("enhet") or request.POST.get("enhet"))
    if unit_id is None and ctx.leader_units:
        unit_id = min(ctx.leader_units)
    if unit_id is None or not policy.can_write_quality_analysis(ctx, unit_id):
        raise Http404
    unit = selectors.unit(unit_id)
    if unit is None:
        raise Http404
    return {"school_unit_id": unit_id, "name": unit.name, "query": f"enhet={unit_id}"}


@login_required
def analysis(request: HttpRequest) -> HttpResponse:
    """The analysis of a school year and the improvement actions it leads to; last year's
    actions are this year's goals and are followed up here (seed 001 § 9)."""
    ctx = context_for(request)
    if ctx.user_id is None:
        raise Http404
    scope = _scope(request, ctx)
    period = _period(request.GET.get("period") or request.POST.get("period"))
    school_year = period.school_year
    keys = {k: scope[k] for k in ("school_unit_id", "provider_id") if k in scope}
    current = selectors.analysis_for(school_year, **keys)
    analysis_form = AnalysisForm(
        initial={
            "analysis": current.analysis if current else "",
            "version": current.version if current else 0,
        }
    )
    action_form = ActionForm()
    follow_up_forms: dict[uuid.UUID, FollowUpForm] = {}
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "analysis":
            analysis_form = AnalysisForm(request.POST)
            if analysis_form.is_valid():
                try:
                    services.analysis_save(
                        actor=request.user,
                        school_year=school_year,
                        analysis_text=analysis_form.cleaned_data["analysis"],
                        expected_version=analysis_form.cleaned_data["version"] or None,
                        **keys,
                    )
                except services.StaleAnalysisError as exc:
                    analysis_form.add_error(
                        None,
                        _(
                            "Någon annan har sparat analysen sedan du öppnade sidan. Din text "
                            "finns kvar nedan; den sparade texten är: %(text)s"
                        )
                        % {"text": exc.current.analysis},
                    )
                else:
                    messages.success(request, _("Analysen är sparad."))
                    return redirect(f"{request.path}?{scope['query']}&period={period.key}")
        elif step == "action":
            action_form = ActionForm(request.POST)
            if action_form.is_valid():
                saved = current or services.analysis_save(
                    actor=request.user,
                    school_year=school_year,
                    analysis_text="",
                    expected_version=None,
                    **keys,
                )
                services.action_add(
                    actor=request.user,
                    analysis=saved,
                    text=action_form.cleaned_data["text"],
                    responsible=action_form.cleaned_data["responsible"],
                )
                messages.success(request, _("Förbättringsåtgärden är sparad."))
                return redirect(f"{request.path}?{scope['query']}&period={period.key}")
        elif step == "follow_up":
            goals = selectors.goals_from_previous_year(school_year, **keys)
            goal = next((g for g in goals if str(g.pk) == request.POST.get("action")), None)
            if goal is None:
                raise Http404
            form = FollowUpForm(request.POST, prefix=str(goal.pk))
            if form.is_valid():
                services.action_follow_up(
                    actor=request.user,
                    action=goal,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    today=timezone.localdate(),
                )
                messages.success(request, _("Uppföljningen är sparad."))
                return redirect(f"{request.path}?{scope['query']}&period={period.key}")
            follow_up_forms[goal.pk] = form
        else:
            raise Http404
        status = 400
    goals = selectors.goals_from_previous_year(school_year, **keys)
    return render(
        request,
        "quality/analysis.html",
        {
            "scope": scope,
            "period": period,
            "analysis": current,
            "analysis_form": analysis_form,
            "action_form": action_form,
            "goals": [
                {
                    "goal": goal,
                    "form": follow_up_forms.get(goal.pk)
                    or FollowUpForm(
                        prefix=str(goal.pk),
                        initial={"status": goal.follow_up_status, "note": goal.follow_up_note},
                    ),
                }
                for goal in goals
            ],
        },
        status=status,
    )


# ------------------------------------------------------------------------------- the huvudman


def _provider(request: HttpRequest) -> tuple[UserContext, EducationProvider]:
    ctx = context_for(request)
    if ctx.user_id is None or not ctx.administered_providers:
        raise Http404
    wanted = _uuid(request.GET.get("huvudman")) or min(ctx.administered_providers)
    if not policy.can_view_provider_quality(ctx, wanted):
        raise Http404
    provider = selectors.provider(wanted)
    if provider is None:
        raise Http404
    return ctx, provider


def _provider_context(request: HttpRequest) -> dict[str, Any]:
    ctx, provider = _provider(request)
    today = timezone.localdate()
    # The huvudman chooses among school years only: a term and its year would let a hidden
    # figure of one term be subtracted from the year's (docs/decisions/0009).
    years = [p for p in periods.available(today) if p.is_year]
    key = request.GET.get("period") or (years[0].key if years else "")
    period = next((p for p in years if p.key == key), None)
    if period is None:
        raise Http404
    version = selectors.table_version(provider.pk, period)
    record_access(
        actor_id=ctx.user_id,
        action=AccessAction.VIEW,
        record_type="quality_summary",
        purpose=f"period:{period.key}",
    )
    return {
        # Computed only when the page's cached tables (keyed by `version`) are not at hand.
        "p": SimpleLazyObject(
            lambda: presentation.provider_sections(
                selectors.provider_table_cached(provider.pk, period, today, version)
            )
        ),
        "version": version,
        "result_columns": [selectors.MATCH_COLUMNS[4]]
        + [c for c in selectors.SHARE_COLUMNS if c[0] in selectors.RESULT_SHARES],
        "participation_columns": [
            c for c in selectors.SHARE_COLUMNS if c[0] not in selectors.RESULT_SHARES
        ],
        "provider": provider,
        "providers": list(selectors.providers(ctx.administered_providers))
        if len(ctx.administered_providers) > 1
        else [],
        "period": period,
        "periods": years,
        "count_columns": selectors.COUNT_COLUMNS,
        "match_columns": selectors.MATCH_COLUMNS[:4],
        "share_columns": selectors.SHARE_COLUMNS,
        "step_labels": presentation.step_labels(),
        "level_labels": presentation.level_labels(),
        "breakdown_labels": [
            presentation.level_labels()[level] for level in selectors.BREAKDOWN_LEVELS
        ],
        "today": today,
    }


@login_required
def provider_dashboard(request: HttpRequest) -> HttpResponse:
    """The huvudman's dashboard: every unit side by side, counts only, "<5" where fewer than
    five pupils are behind a figure (SL 4 kap. 3 §; OSL 23 kap. 2 §)."""
    return render(request, "quality/provider_dashboard.html", _provider_context(request))


@login_required
def provider_report(request: HttpRequest) -> HttpResponse:
    """The huvudman's annual quality report: the same suppressed figures as the dashboard,
    the huvudman's analysis, and last year's improvement actions followed up."""
    with translation.override(settings.LANGUAGE_CODE):
        data = _provider_context(request)
        provider: EducationProvider = data["provider"]
        school_year = data["period"].school_year
        data["analysis"] = selectors.analysis_for(school_year, provider_id=provider.pk)
        data["goals"] = selectors.goals_from_previous_year(school_year, provider_id=provider.pk)
        content = render_pdf("quality/report_provider.html", data)
    return _pdf(f"kvalitetsrapport-{provider.organisation_number}.pdf", content)
