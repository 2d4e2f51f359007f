"""The quality pages: the principal's dashboard, the huvudman's, the analysis and the reports.

Guardians and pupils reach none of it: every view asks elevstod.access.policy for a unit
leader's or a huvudman administrator's duty, and answers 404 otherwise.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access import policy
from elevstod.access.context import UserContext, context_for
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.core.parsing import uuid_or_none
from elevstod.documents.rendering import render_pdf
from elevstod.organisation.models import EducationProvider, SchoolUnit
from elevstod.quality import periods, presentation, selectors, services
from elevstod.quality.forms import ActionForm, AnalysisForm, FollowUpForm
from elevstod.quality.models import ImprovementAction, QualityAnalysis
from elevstod.support import workflow as wf
from elevstod.support.labels import TASK_KIND_LABELS

GRADES = [str(g) for g in range(0, 10)]


def _led_units(ctx: UserContext) -> list[SchoolUnit]:
    units = selectors.units(ctx.leader_units)
    if not units:
        raise Http404
    return units


def _chosen_unit(ctx: UserContext, units: list[SchoolUnit], raw: str | None) -> SchoolUnit:
    wanted = uuid_or_none(raw)
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


def _record_unit_read(data: dict[str, Any], action: AccessAction, record_type: str) -> None:
    record_access(
        actor_id=data["ctx"].user_id,
        action=action,
        record_type=record_type,
        school_unit_id=data["unit"].pk,
        purpose=f"period:{data['period'].key}",
    )


def _written_part(
    school_year: str,
    *,
    school_unit_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A report's written part: the year's analysis, and last year's actions followed up."""
    return {
        "analysis": selectors.analysis_for(
            school_year, school_unit_id=school_unit_id, provider_id=provider_id
        ),
        "goals": selectors.goals_from_previous_year(
            school_year, school_unit_id=school_unit_id, provider_id=provider_id
        ),
    }


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The principal's dashboard (SL 4 kap. 4 §): own units, chosen period and year group."""
    data = _unit_context(request)
    unit: SchoolUnit = data["unit"]
    overdue = selectors.overdue_cases(data["ctx"], unit.pk, data["today"], data["deadlines"])
    # The overdue list names pupils: one LIST row, as every list of pupils (security.md P1).
    _record_unit_read(data, AccessAction.LIST, "quality_dashboard")
    data["overdue"] = [{"case": case, "task": TASK_KIND_LABELS[case.task]} for case in overdue]
    return render(request, "quality/dashboard.html", data)


@login_required
def unit_report(request: AuthenticatedRequest) -> HttpResponse:
    """The unit's annual quality report as a PDF: figures, the principal's analysis and last
    year's improvement actions followed up (SL 4 kap. 5–6 §§)."""
    # Built and rendered in Swedish, labels included, as every document (decision 0007).
    with translation.override(settings.LANGUAGE_CODE):
        data = _unit_context(request)
        unit: SchoolUnit = data["unit"]
        data.update(_written_part(data["period"].school_year, school_unit_id=unit.pk))
        _record_unit_read(data, AccessAction.PRINT, "quality_report")
        content = render_pdf("quality/report_unit.html", data)
    return _pdf(f"kvalitetsrapport-{unit.unit_code}.pdf", content)


def _pdf(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class AnalysisScope:
    """Whose analysis: one unit's (?enhet=) or the huvudman's (?huvudman=)."""

    name: str
    query: str  # the page's query string, carried by every form and redirect
    school_unit_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AnalysisPage:
    """What every action on the analysis page works on: whose, which school year, and the
    analysis saved so far."""

    scope: AnalysisScope
    period: periods.Period
    current: QualityAnalysis | None

    @property
    def url(self) -> str:
        return f"{reverse('quality:analysis')}?{self.scope.query}&period={self.period.key}"

    def goals(self) -> list[ImprovementAction]:
        """Last school year's improvement actions: this year's goals."""
        return selectors.goals_from_previous_year(
            self.period.school_year,
            school_unit_id=self.scope.school_unit_id,
            provider_id=self.scope.provider_id,
        )


def _posted_or_asked(request: HttpRequest, name: str) -> str | None:
    return request.GET.get(name) or request.POST.get(name)


def _scope(request: HttpRequest, ctx: UserContext) -> AnalysisScope:
    """The analysis page works for a unit (?enhet=) or for the huvudman (?huvudman=)."""
    provider_id = uuid_or_none(_posted_or_asked(request, "huvudman"))
    if provider_id is not None:
        if not policy.can_view_provider_quality(ctx, provider_id):
            raise Http404
        provider = selectors.provider(provider_id)
        if provider is None:
            raise Http404
        return AnalysisScope(provider.name, f"huvudman={provider_id}", provider_id=provider_id)
    unit_id = uuid_or_none(_posted_or_asked(request, "enhet"))
    if unit_id is None and ctx.leader_units:
        unit_id = min(ctx.leader_units)
    if unit_id is None or not policy.can_write_quality_analysis(ctx, unit_id):
        raise Http404
    unit = selectors.unit(unit_id)
    if unit is None:
        raise Http404
    return AnalysisScope(unit.name, f"enhet={unit_id}", school_unit_id=unit_id)


def _analysis_page(request: HttpRequest) -> AnalysisPage:
    ctx = context_for(request)
    if ctx.user_id is None:
        raise Http404
    scope = _scope(request, ctx)
    period = _period(_posted_or_asked(request, "period"))
    current = selectors.analysis_for(
        period.school_year, school_unit_id=scope.school_unit_id, provider_id=scope.provider_id
    )
    return AnalysisPage(scope, period, current)


def _render_analysis(
    request: HttpRequest,
    page: AnalysisPage,
    *,
    analysis_form: AnalysisForm | None = None,
    action_form: ActionForm | None = None,
    follow_up_forms: dict[uuid.UUID, FollowUpForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The analysis page; a form that was posted and refused is shown as the user left it."""
    current = page.current
    bound = follow_up_forms or {}
    goals = [
        {
            "goal": goal,
            "form": bound.get(goal.pk)
            or FollowUpForm(
                prefix=str(goal.pk),
                initial={"status": goal.follow_up_status, "note": goal.follow_up_note},
            ),
        }
        for goal in page.goals()
    ]
    initial = {
        "analysis": current.analysis if current else "",
        "version": current.version if current else 0,
    }
    context = {
        "scope": page.scope,
        "period": page.period,
        "analysis": current,
        "analysis_form": analysis_form or AnalysisForm(initial=initial),
        "action_form": action_form or ActionForm(),
        "goals": goals,
    }
    return render(request, "quality/analysis.html", context, status=status)


@login_required
def analysis(request: AuthenticatedRequest) -> HttpResponse:
    """The analysis of a school year and the improvement actions it leads to; last year's
    actions are this year's goals and are followed up here (seed 001 § 9). A POST saves the
    analysis, version-checked against what the writer saw."""
    page = _analysis_page(request)
    if request.method != "POST":
        return _render_analysis(request, page)
    form = AnalysisForm(request.POST)
    if form.is_valid():
        try:
            services.analysis_save(
                actor=request.user,
                school_year=page.period.school_year,
                analysis_text=form.cleaned_data["analysis"],
                expected_version=form.cleaned_data["version"] or None,
                school_unit_id=page.scope.school_unit_id,
                provider_id=page.scope.provider_id,
            )
        except services.StaleAnalysisError as exc:
            form.add_error(None, _stale_message(exc.current))
        else:
            messages.success(request, _("Analysen är sparad."))
            return redirect(page.url)
    return _render_analysis(request, page, analysis_form=form, status=400)


def _stale_message(saved: QualityAnalysis) -> str:
    return _(
        "Någon annan har sparat analysen sedan du öppnade sidan. Din text "
        "finns kvar nedan; den sparade texten är: %(text)s"
    ) % {"text": saved.analysis}


@login_required
@require_POST
def analysis_action_add(request: AuthenticatedRequest) -> HttpResponse:
    """A new improvement action: next school year's goal, followed up in its report (seed 001
    § 9)."""
    page = _analysis_page(request)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _render_analysis(request, page, action_form=form, status=400)
    # An action may come before the analysis text: it then belongs to an empty analysis.
    saved = page.current or services.analysis_save(
        actor=request.user,
        school_year=page.period.school_year,
        analysis_text="",
        expected_version=None,
        school_unit_id=page.scope.school_unit_id,
        provider_id=page.scope.provider_id,
    )
    services.action_add(
        actor=request.user,
        analysis=saved,
        text=form.cleaned_data["text"],
        responsible=form.cleaned_data["responsible"],
    )
    messages.success(request, _("Förbättringsåtgärden är sparad."))
    return redirect(page.url)


@login_required
@require_POST
def analysis_goal_follow_up(request: AuthenticatedRequest, goal_id: uuid.UUID) -> HttpResponse:
    """Following up one of last year's improvement actions, this year's goals (seed 001 § 9)."""
    page = _analysis_page(request)
    goal = next((g for g in page.goals() if g.pk == goal_id), None)
    if goal is None:
        raise Http404
    form = FollowUpForm(request.POST, prefix=str(goal.pk))
    if not form.is_valid():
        return _render_analysis(request, page, follow_up_forms={goal.pk: form}, status=400)
    services.action_follow_up(
        actor=request.user,
        action=goal,
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
        today=timezone.localdate(),
    )
    messages.success(request, _("Uppföljningen är sparad."))
    return redirect(page.url)


# ------------------------------------------------------------------------------- the huvudman


def _provider(request: HttpRequest) -> tuple[UserContext, EducationProvider]:
    ctx = context_for(request)
    if ctx.user_id is None or not ctx.administered_providers:
        raise Http404
    wanted = uuid_or_none(request.GET.get("huvudman")) or min(ctx.administered_providers)
    if not policy.can_view_provider_quality(ctx, wanted):
        raise Http404
    provider = selectors.provider(wanted)
    if provider is None:
        raise Http404
    return ctx, provider


def _provider_context(request: HttpRequest) -> dict[str, Any]:
    ctx, provider = _provider(request)
    today = timezone.localdate()
    years = periods.school_years(today)
    period = _period(request.GET.get("period"), years)
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
def provider_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The huvudman's dashboard: every unit side by side, counts only, "<5" where fewer than
    five pupils are behind a figure (SL 4 kap. 3 §; OSL 23 kap. 2 §)."""
    return render(request, "quality/provider_dashboard.html", _provider_context(request))


@login_required
def provider_report(request: AuthenticatedRequest) -> HttpResponse:
    """The huvudman's annual quality report: the same suppressed figures as the dashboard,
    the huvudman's analysis, and last year's improvement actions followed up."""
    with translation.override(settings.LANGUAGE_CODE):
        data = _provider_context(request)
        provider: EducationProvider = data["provider"]
        data.update(_written_part(data["period"].school_year, provider_id=provider.pk))
        content = render_pdf("quality/report_provider.html", data)
    return _pdf(f"kvalitetsrapport-{provider.organisation_number}.pdf", content)
