"""The special educator's report to the rektor and its follow-up (seed 001 § 9).

draft (the special educator writes) → submitted (handed to the rektor, figures frozen) →
reviewed (the rektor records goal attainment and a comment), or back to draft with a comment.
A reviewed report's proposals become the next period's goals in one action.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import UserContext, context_for
from elevstod.access.policy import can_record_special_education, can_review_special_education
from elevstod.specialed import lookups, rules, services
from elevstod.specialed import selectors as sel
from elevstod.specialed.forms import AdoptForm, ReportForm, ReviewForm
from elevstod.specialed.models import Report, ReportState


@login_required
def report_list(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    unit = lookups.unit_for(ctx, unit_id, record=True, review=True)
    return render(
        request,
        "specialed/report_list.html",
        {
            "unit": unit,
            "reports": sel.reports_at(ctx, unit.pk),
            "leads": can_review_special_education(ctx, unit.pk),
            "user_id": ctx.user_id,
        },
    )


@login_required
@require_POST
def report_create(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    """The special educator starts (or reopens) their report for the period."""
    ctx = context_for(request)
    period = lookups.period_for(ctx, period_id)
    if not can_record_special_education(ctx, period.school_unit_id):
        raise Http404
    report, created = services.report_start(actor=request.user, period=period)  # type: ignore[arg-type]
    if not created and report.state != ReportState.DRAFT:
        return redirect("specialed:report_detail", report_id=report.pk)
    return redirect("specialed:report_edit", report_id=report.pk)


def _detail(
    request: HttpRequest,
    ctx: UserContext,
    report: Report,
    *,
    adopt_form: AdoptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    unit_id = report.period.school_unit_id
    leads = can_review_special_education(ctx, unit_id)
    may_adopt = (
        leads
        and report.state == ReportState.REVIEWED
        and report.proposals_adopted_at is None
        and bool(rules.proposals_from(report.improvements))
    )
    if may_adopt and adopt_form is None:
        adopt_form = AdoptForm(periods=sel.later_periods(report.period))
    return render(
        request,
        "specialed/report_detail.html",
        {
            "report": report,
            "unit": report.period.school_unit,
            "entries": sel.report_goal_entries(report),
            "figures": sel.report_figures(report),
            "proposals": rules.proposals_from(report.improvements),
            "adopted_goals": list(report.adopted_goals.select_related("period"))
            if report.proposals_adopted_at
            else [],
            "is_author": report.author_id == ctx.user_id,
            "leads": leads,
            "adopt_form": adopt_form if may_adopt else None,
        },
        status=status,
    )


@login_required
def report_detail(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    return _detail(request, ctx, lookups.report_for(ctx, report_id))


@login_required
def report_edit(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    """The author's draft: "Spara utkast" keeps it; "Lämna till rektor" hands it in."""
    ctx = context_for(request)
    report = lookups.report_for(ctx, report_id, write=True)
    posted = request.method == "POST"
    entries = sel.report_goal_entries(report, with_new_goals=True)
    form = ReportForm(
        request.POST if posted else None,
        initial={"overall_analysis": report.overall_analysis, "improvements": report.improvements},
        entries=entries,
    )
    submit = request.POST.get("action") == "submit"
    if posted and form.is_valid():
        try:
            services.report_save(
                actor=request.user,  # type: ignore[arg-type]
                report=report,
                values=form.cleaned_data,
                goal_values=form.goal_values(),
                submit=submit,
            )
        except rules.RuleError as refusal:
            form.add_error("overall_analysis" if submit else None, refusal.message)
        else:
            if submit:
                messages.success(request, _("Rapporten är lämnad till rektor."))
                return redirect("specialed:report_detail", report_id=report.pk)
            messages.success(request, _("Utkastet är sparat."))
            return redirect("specialed:report_edit", report_id=report.pk)
    return render(
        request,
        "specialed/report_edit.html",
        {
            "report": report,
            "unit": report.period.school_unit,
            "form": form,
            "figures": sel.report_figures(report),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def report_review(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    """The rektor's follow-up of a handed-in report: goal attainment per goal and a comment,
    or the report sent back for completion."""
    ctx = context_for(request)
    report = lookups.report_for(ctx, report_id, review=True)
    if report.state != ReportState.SUBMITTED:
        messages.info(request, _("Rapporten är redan uppföljd."))
        return redirect("specialed:report_detail", report_id=report.pk)
    entries = sel.report_goal_entries(report)
    returning = request.POST.get("action") == "return"
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        entries=entries,
        returning=returning,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if returning:
                services.report_return(
                    actor=request.user,  # type: ignore[arg-type]
                    report=report,
                    comment=form.cleaned_data["comment"],
                )
            else:
                services.report_review(
                    actor=request.user,  # type: ignore[arg-type]
                    report=report,
                    comment=form.cleaned_data["comment"],
                    attainments=form.attainments(),
                )
        except rules.RuleError as refusal:
            form.add_error(None, refusal.message)
        else:
            if returning:
                messages.success(request, _("Rapporten är skickad tillbaka för komplettering."))
            else:
                messages.success(request, _("Uppföljningen är sparad."))
            return redirect("specialed:report_detail", report_id=report.pk)
    return render(
        request,
        "specialed/report_review.html",
        {
            "report": report,
            "unit": report.period.school_unit,
            "form": form,
            "figures": sel.report_figures(report),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def report_adopt(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    """The proposals of a reviewed report become goals of a later period (seed 001 § 9)."""
    ctx = context_for(request)
    report = lookups.report_for(ctx, report_id, review=True)
    form = AdoptForm(request.POST, periods=sel.later_periods(report.period))
    if form.is_valid():
        period = form.cleaned_data["period"]
        try:
            goals = services.report_adopt_proposals(
                actor=request.user,  # type: ignore[arg-type]
                report=report,
                period=period,
            )
        except rules.RuleError as refusal:
            # The report's state refused it (already adopted, or not yet reviewed): nothing
            # the user typed is lost, so the report page says why.
            messages.error(request, refusal.message)
            return redirect("specialed:report_detail", report_id=report.pk)
        messages.success(
            request,
            _("%(count)d nya mål är tillagda i %(period)s. Komplettera dem med indikatorer.")
            % {"count": len(goals), "period": period.name},
        )
        return redirect("specialed:period_detail", period_id=period.pk)
    return _detail(request, ctx, report, adopt_form=form, status=400)
